import { benchToken, type Dataset } from './dataset.ts';

// The newsroom's mixed load as an open model: requests leave on a fixed schedule whatever the
// answers do, so a slow server shows up as latency instead of quietly lowering the rate
// (autocannon's rate option releases each second's budget in a burst). 90% public reads and 10%
// writes (article creates and newsletter signups). The stress tier's soak (test/stress/soak.test.ts)
// and the bench's "open model" scenario both run it.

export interface OpenModelOptions {
  ratePerSecond: number;
  seconds: number;
  /** Sent at the same rate first and not timed: JIT, lazily built serializers, a cold page cache. */
  warmupSeconds: number;
}

export interface OpenModelResult {
  /** Timed requests only (after the warm-up), in milliseconds, sorted. */
  latencies: number[];
  /** Latencies per route shape (`/v1/articles/:slug` …), sorted. */
  byKind: Map<string, number[]>;
  /** Anything answered 3xx or above, or not answered at all. */
  failures: string[];
  writes: number;
  /** The timed part's length in seconds. */
  elapsed: number;
}

export const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

export async function runOpenModel(
  url: string,
  dataset: Dataset,
  options: OpenModelOptions,
): Promise<OpenModelResult> {
  // Readers crowd onto the news of the day: four in five article reads go to the 50 newest
  // stories, the rest spread over the 1,000 before them (each a cache miss the first time).
  const slugs = dataset.slugs;
  const story = (i: number) =>
    i % 5 === 0 ? slugs[(i * 7) % slugs.length] : slugs[(i * 3) % Math.min(50, slugs.length)];
  const terms = dataset.searchTerms.slice(0, 20);
  const term = (i: number) => terms[i % terms.length] ?? dataset.searchTerm;
  const reads: Array<(i: number) => string> = [
    () => '/v1/articles',
    (i) => `/v1/articles/${story(i)}`,
    () => `/v1/articles?tag=${dataset.tagSlug}`,
    (i) => `/v1/articles?q=${encodeURIComponent(term(i))}`,
    () => `/v1/articles?cursor=${encodeURIComponent(dataset.deepCursor)}`,
    (i) => `/v1/articles/${story(i + 1)}/related`,
    () => '/v1/tags',
    () => '/v1/authors',
    () => '/v1/newsletters',
    () => `/v1/articles?limit=50&tag=${dataset.tagSlug}`,
    () => `/v1/articles?q=${encodeURIComponent(dataset.searchTerm)}`,
    () => '/v1/articles?language=en',
    () => '/v1/articles?limit=5',
    () => '/health/ready',
    (i) => `/v1/articles/${story(i + 2)}`,
    () => `/v1/tags/${dataset.tagSlug}`,
    (i) => `/v1/articles?author=author-${i % dataset.authorCount}`,
    (i) => `/v1/authors/author-${i % dataset.authorCount}`,
  ];
  // Unique per run, so a second run over the same database sends new addresses and headlines.
  const run = Date.now().toString(36);
  const admin = { authorization: `Bearer ${benchToken}`, 'content-type': 'application/json' };
  const write = (i: number): [string, RequestInit] =>
    i % 20 === 18
      ? [
          '/v1/admin/articles',
          {
            method: 'POST',
            headers: admin,
            body: JSON.stringify({ headline: `Open model story ${run} ${i}`, body: `Text ${i}.` }),
          },
        ]
      : [
          `/v1/newsletters/${dataset.newsletterSlug}/signups`,
          {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              email: `open-${run}-${i}@example.org`,
              consent: true,
              privacyPolicyVersion: dataset.policyVersion,
            }),
          },
        ];

  const latencies: number[] = [];
  const byKind = new Map<string, number[]>();
  const failures: string[] = [];
  let writes = 0;
  const inFlight: Array<Promise<void>> = [];
  const warmup = options.ratePerSecond * options.warmupSeconds;
  const total = warmup + options.ratePerSecond * options.seconds;
  const interval = 1000 / options.ratePerSecond;
  const begin = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor((performance.now() - begin) / interval) + 1);
    for (; sent < due; sent += 1) {
      const i = sent;
      // 18 reads then 2 writes in every 20 requests: 90% / 10%.
      const isWrite = i % 20 >= 18;
      if (isWrite) writes += 1;
      const [path, init] = isWrite
        ? write(i)
        : [(reads[i % reads.length] ?? (() => '/v1/articles'))(i), {}];
      const started = performance.now();
      inFlight.push(
        fetch(`${url}${path}`, init).then(
          async (response) => {
            await response.arrayBuffer();
            if (response.status >= 300) failures.push(`${response.status} ${path}`);
            if (i < warmup) return;
            const took = performance.now() - started;
            latencies.push(took);
            const kind = path.replace(/\?.*/, '').replace(/story-\d+/, ':slug');
            const ofKind = byKind.get(kind) ?? [];
            ofKind.push(took);
            byKind.set(kind, ofKind);
          },
          (error: unknown) => {
            failures.push(`${String(error)} ${path}`);
          },
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - begin) / 1000 - options.warmupSeconds;
  latencies.sort((a, b) => a - b);
  for (const values of byKind.values()) values.sort((a, b) => a - b);
  return { latencies, byKind, failures, writes, elapsed };
}
