import type autocannon from 'autocannon';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  benchToken,
  type Dataset,
  defaultSize,
  ensureDataset,
  largeSize,
  smokeSize,
} from './dataset.ts';
import { renderChart } from './chart.ts';
import { type LoadJob, type LoadResult, runLoad } from './load.ts';
import { benchJpeg, boundary, multipartBody, prepareRendition, uniqueJpeg } from './media.ts';
import { percentile, runOpenModel } from './open-model.ts';
import { postgresCopy } from './postgres-copy.ts';

// npm run bench [-- --large | --smoke] [--backend sqlite|postgres] [--instances 1] [--duration 10] [--runs 3] [--connections 10] [--out bench] [--only search,signup] [--shared-cpus]
// Broadsheet runs as a separate, production-built process; a minimal baseline server runs beside
// it over the same data, and the two are measured alternately so machine noise hits both. Read
// load comes from a process of its own (bench/load.ts); the servers run on the first CPUs and the
// harness and its load processes on the last one, unless --shared-cpus (or a smoke run).
// --backend postgres runs the same against a throwaway PostgreSQL server (fsync on, on the
// servers' CPUs) loaded from the same dataset, beside a baseline of its own
// (bench/baseline-postgres.ts); its results go to bench/postgres/.

const { values: flags } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    large: { type: 'boolean', default: false },
    duration: { type: 'string' },
    runs: { type: 'string' },
    connections: { type: 'string', default: '10' },
    out: { type: 'string' },
    only: { type: 'string' },
    render: { type: 'string' },
    'shared-cpus': { type: 'boolean', default: false },
    backend: { type: 'string', default: 'sqlite' },
    instances: { type: 'string', default: '1' },
  },
});
// --instances N starts N servers over the one database; writes are spread over them (the
// connections split evenly), reads go to the first. What a load balancer in front of several
// instances does for the desk's writes.
const instances = Number(flags.instances);
if (!Number.isInteger(instances) || instances < 1 || instances > 8)
  throw new Error('--instances is a whole number from 1 to 8');
const backend: 'sqlite' | 'postgres' = flags.backend === 'postgres' ? 'postgres' : 'sqlite';
if (flags.backend !== backend) throw new Error('--backend is sqlite or postgres');
const smoke = flags.smoke ?? false;
const size = smoke ? smokeSize : flags.large ? largeSize : defaultSize;
// autocannon measures in whole seconds; a smoke run is one second per scenario, no warm-up.
const durationSeconds = Number(flags.duration ?? (smoke ? 1 : 10));
const runs = Number(flags.runs ?? (smoke ? 1 : 3));
const connections = Number(flags.connections);
// Only a full run may replace the committed results in bench/: a smoke or --only run writes to
// a temporary directory unless --out names one, and says where.
const partial = smoke || flags.only !== undefined;
const outDir =
  flags.out ??
  (partial
    ? mkdtempSync(join(tmpdir(), 'broadsheet-bench-results-'))
    : join(flags.large ? 'bench/large' : 'bench', backend === 'postgres' ? 'postgres' : ''));
const warmupSeconds = smoke ? 0 : 2;

/** Which CPUs the servers run on, or undefined when everything shares every CPU. */
function pinning(): { servers: string; load: string } | undefined {
  const count = cpus().length;
  if (smoke || flags['shared-cpus'] === true || count < 2) return undefined;
  const load = String(count - 1);
  try {
    // Children inherit this process's CPU: every load process runs there too.
    execFileSync('taskset', ['-pc', load, String(process.pid)], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { servers: count === 2 ? '0' : `0-${count - 2}`, load };
}
const pinned = pinning();

interface Measurement extends LoadResult {
  /** Server CPU time (user + system) per request answered, in microseconds; 0 where unknown. */
  cpuUsPerRequest: number;
}

interface Scenario {
  name: string;
  path: string;
  method?: 'GET' | 'POST' | 'PATCH';
  headers?: Record<string, string>;
  /** Statuses that count as success (default 2xx). */
  expect?: number[];
  /** Reads that vary: each request takes the next of these paths. */
  paths?: string[];
  /** Writes whose every request depends on the last (a version, a unique address): run in process. */
  setup?: () => autocannon.Request['setupRequest'];
  /** A load of its own instead of autocannon's closed loop (the open model), run in process. */
  run?: (url: string, seconds: number) => Promise<LoadResult>;
  /** The same request against the baseline server, where it has one. */
  baseline?: boolean;
  /** Also measured with the response cache off (`<name>, uncached`): the long tail of reads. */
  uncached?: boolean;
  /** Fewer connections than the run's, for answers that take seconds to send. */
  connections?: number;
}

function summarise(list: Measurement[]): Measurement {
  return {
    rps: median(list.map((m) => m.rps)),
    p50: median(list.map((m) => m.p50)),
    p97_5: median(list.map((m) => m.p97_5)),
    p99: median(list.map((m) => m.p99)),
    errors: list.reduce((sum, m) => sum + m.errors, 0),
    unexpected: list.reduce((sum, m) => sum + m.unexpected, 0),
    requests: list.reduce((sum, m) => sum + m.requests, 0),
    cpuUsPerRequest: median(list.map((m) => m.cpuUsPerRequest)),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, started: number, child: ChildProcess): Promise<number> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return Math.round(kb / 1024);
  } catch {
    return 0;
  }
}

/** A process's CPU time so far (user + system), in milliseconds; 0 where /proc is not there. */
function cpuMs(pid: number | undefined): number {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat, after the command name in parentheses; clock ticks
    // of 10 ms on Linux.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
  } catch {
    return 0;
  }
}

/** `measure`, with the server's CPU time per request over the same run. */
async function measureWithCpu(
  server: { url: string; child: ChildProcess },
  scenario: Scenario,
  seconds: number,
  peers: ReadonlyArray<{ url: string; child: ChildProcess }> = [],
): Promise<Measurement> {
  // Writes reach every instance: their CPU is summed.
  const all = scenario.setup === undefined ? [server] : [server, ...peers];
  const cpuOfAll = () => all.reduce((total, each) => total + cpuMs(each.child.pid), 0);
  const before = cpuOfAll();
  const measured = await measure(
    server.url,
    scenario,
    seconds,
    all.map((each) => each.url),
  );
  const spent = cpuOfAll() - before;
  return {
    ...measured,
    cpuUsPerRequest: measured.requests > 0 ? Math.round((spent * 1000) / measured.requests) : 0,
  };
}

/** Sends SIGTERM and waits for the process to exit. */
function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function start(
  command: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; coldStartMs: number }> {
  const port = await freePort();
  const started = Date.now();
  const [program, args] =
    pinned === undefined
      ? [process.execPath, command]
      : ['taskset', ['-c', pinned.servers, process.execPath, ...command]];
  // taskset execs the server in place, so the pid is the server's.
  const child = spawn(program, args, {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const coldStartMs = await waitReady(url, started, child);
  return { child, url, coldStartMs };
}

/** One load process for a read scenario, its measurement on stdout. */
function loadProcess(job: LoadJob): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-load-'));
  const jobFile = join(dir, 'job.json');
  writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/load.ts', jobFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(dir, { recursive: true, force: true });
      if (code === 0) resolve(JSON.parse(output) as LoadResult);
      else reject(new Error(`load process exited with ${code}`));
    });
  });
}

async function measure(
  url: string,
  scenario: Scenario,
  seconds: number,
  writeUrls: readonly string[] = [url],
): Promise<LoadResult> {
  const job = {
    url,
    paths: scenario.paths ?? [scenario.path],
    method: scenario.method ?? 'GET',
    headers: { 'content-type': 'application/json', ...scenario.headers },
    connections: Math.min(connections, scenario.connections ?? connections),
    seconds,
    expect: scenario.expect ?? [200, 201, 202, 204],
  };
  if (scenario.run !== undefined) return scenario.run(url, seconds);
  const setupRequest = scenario.setup?.();
  if (setupRequest === undefined) return loadProcess(job);
  if (writeUrls.length === 1) return runLoad(job, setupRequest);
  // One closed loop per instance, sharing the request sequence (each PATCH still edits its own
  // article at its own version), the connections split between them.
  const share = Math.max(1, Math.floor(connections / writeUrls.length));
  const parts = await Promise.all(
    writeUrls.map((writeUrl) =>
      runLoad({ ...job, url: writeUrl, connections: share }, setupRequest),
    ),
  );
  return combined(parts);
}

/** Several instances' loops as one: rates and counts add up; each percentile is the worst. */
function combined(parts: readonly LoadResult[]): LoadResult {
  const sum = (pick: (part: LoadResult) => number) =>
    parts.reduce((total, part) => total + pick(part), 0);
  const worst = (pick: (part: LoadResult) => number) => Math.max(...parts.map(pick));
  return {
    rps: sum((part) => part.rps),
    p50: worst((part) => part.p50),
    p97_5: worst((part) => part.p97_5),
    p99: worst((part) => part.p99),
    errors: sum((part) => part.errors),
    unexpected: sum((part) => part.unexpected),
    requests: sum((part) => part.requests),
  };
}

/**
 * The front the "front page" scenario reads, made through the API as an editor would: five of the
 * recent stories pinned out of order with their own headlines, and the newest of all after them.
 */
async function createFront(url: string, dataset: Dataset): Promise<void> {
  const pinned = [12, 3, 40, 7, 25].flatMap((back) => {
    const id = dataset.articleIds[dataset.articleIds.length - 1 - back];
    return id === undefined ? [] : [{ articleId: id, headline: `Front-page headline ${back}` }];
  });
  const response = await fetch(`${url}/v1/admin/collections`, {
    method: 'POST',
    headers: { authorization: `Bearer ${benchToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Front page',
      slug: 'front',
      language: 'en',
      size: 20,
      items: pinned,
      backfill: {},
    }),
  });
  if (response.status !== 201)
    throw new Error(`creating the front: ${response.status} ${await response.text()}`);
}

function scenarios(
  dataset: Dataset,
  listEtag: string,
  media: { rendition: string; jpeg: Buffer },
): Scenario[] {
  let signup = 0;
  let uploaded = 0;
  const upload: Omit<Scenario, 'name'> = {
    path: '/v1/admin/photos/uploads',
    method: 'POST',
    headers: {
      authorization: `Bearer ${benchToken}`,
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    expect: [201],
    connections: 2,
    // Every request a different 2 MB file (a counter in a JPEG comment), so none is a duplicate.
    setup: () => (request) => ({
      ...request,
      body: multipartBody(uniqueJpeg(media.jpeg, (uploaded += 1))),
    }),
  };
  let patched = 0;
  // 500 terms × 90 page sizes: practically every URL is new, so the cache cannot answer.
  const searchPaths = Array.from({ length: dataset.searchTerms.length * 90 }, (_, index) => {
    const term = dataset.searchTerms[index % dataset.searchTerms.length] ?? '';
    const limit = 10 + (Math.floor(index / dataset.searchTerms.length) % 90);
    return `/v1/articles?q=${encodeURIComponent(term)}&limit=${limit}`;
  });
  return [
    { name: 'list page 1', path: '/v1/articles', baseline: true, uncached: true },
    {
      name: 'single article',
      path: `/v1/articles/${dataset.slugs[0]}`,
      baseline: true,
      uncached: true,
      paths: dataset.slugs.map((slug) => `/v1/articles/${slug}`),
    },
    {
      name: 'list by tag',
      path: `/v1/articles?tag=${dataset.tagSlug}`,
      baseline: true,
      uncached: true,
    },
    {
      name: 'list deep (page 500)',
      path: `/v1/articles?cursor=${dataset.deepCursor}`,
      baseline: true,
      uncached: true,
    },
    { name: 'search', path: `/v1/articles?q=${encodeURIComponent(dataset.searchTerm)}` },
    {
      name: 'search, uncached',
      path: `/v1/articles?q=${encodeURIComponent(dataset.searchTerm)}`,
      paths: searchPaths,
    },
    { name: 'related', path: `/v1/articles/${dataset.slugs[0]}/related`, uncached: true },
    { name: 'RSS feed', path: '/v1/feeds/articles.rss', baseline: true, uncached: true },
    // A homepage: five stories pinned (with front-page headlines), fifteen newest below them.
    { name: 'front page', path: '/v1/collections/front', baseline: true, uncached: true },
    {
      // The dataset's first month: every article of a small set, 44,640 in the large one. Past
      // 5,000 URLs a month file is streamed and never cached in process: each request reads it.
      name: 'sitemap month file',
      path: '/sitemaps/articles-2020-01.xml',
      baseline: true,
      // Ten readers of 44,640-URL files on one core each wait ten seconds: autocannon's timeout.
      connections: 2,
    },
    {
      name: 'conditional GET (304)',
      path: '/v1/articles',
      headers: { 'if-none-match': listEtag },
      expect: [304],
    },
    // A rendition as readers' browsers fetch it, beside the same file sent from disk.
    { name: 'photo file (1024 px WebP)', path: media.rendition, baseline: true },
    {
      name: 'newsletter signup',
      path: `/v1/newsletters/${dataset.newsletterSlug}/signups`,
      method: 'POST',
      setup: () => (request) => ({
        ...request,
        body: JSON.stringify({
          email: `bench${(signup += 1)}-${Date.now()}@example.org`,
          consent: true,
          privacyPolicyVersion: dataset.policyVersion,
        }),
      }),
    },
    {
      name: 'editor PATCH (If-Match)',
      path: `/v1/admin/articles/${dataset.articleIds[0]}`,
      method: 'PATCH',
      headers: { authorization: `Bearer ${benchToken}` },
      // Each request edits a different article at the version it has, so none is a 412.
      setup: () => (request) => {
        const index = patched % dataset.articleIds.length;
        const version = 1 + Math.floor(patched / dataset.articleIds.length);
        patched += 1;
        return {
          ...request,
          path: `/v1/admin/articles/${dataset.articleIds[index]}`,
          headers: { ...request.headers, 'if-match': `"${version}"` },
          body: JSON.stringify({ dek: `Edited for the benchmark, pass ${version}.` }),
        };
      },
    },
    {
      // The stress tier's soak load (bench/open-model.ts): what a reader waits while the desk
      // writes, at a rate the server keeps up with.
      name: `open model (${openModelRate} req/s, 10% writes)`,
      path: '/v1/articles',
      run: async (url, seconds) => {
        const result = await runOpenModel(url, dataset, {
          ratePerSecond: openModelRate,
          seconds,
          warmupSeconds: 0,
        });
        const { latencies } = result;
        const ms = (p: number) => Math.round(percentile(latencies, p) * 10) / 10;
        return {
          rps: Math.round(latencies.length / result.elapsed),
          p50: ms(0.5),
          p97_5: ms(0.975),
          p99: ms(0.99),
          errors: 0,
          unexpected: result.failures.length,
          requests: latencies.length,
        };
      },
    },
    // Last: the renditions of these uploads are made in the background after them.
    { name: 'photo upload (2 MB JPEG)', ...upload },
    {
      // What a reader waits for the cached list while the desk uploads (the renditions are being
      // made in the background too): the list's own figures, uploads beside it.
      name: 'list during uploads',
      path: '/v1/articles',
      run: async (url, seconds) => {
        const [list] = await Promise.all([
          loadProcess({
            url,
            paths: ['/v1/articles'],
            method: 'GET',
            headers: {},
            connections,
            seconds,
            expect: [200],
          }),
          runLoad(
            {
              url,
              paths: [upload.path],
              method: 'POST',
              headers: upload.headers ?? {},
              connections: 2,
              seconds,
              expect: [201],
            },
            upload.setup?.(),
          ),
        ]);
        return list;
      },
    },
  ];
}

const openModelRate = 500;

/** --render results.json: rewrite RESULTS.md and results.svg from an earlier run's JSON. */
async function renderOnly(file: string): Promise<void> {
  const report = JSON.parse(readFileSync(file, 'utf8')) as Report;
  const dir = join(file, '..');
  const table = renderTable(report);
  writeFileSync(join(dir, 'RESULTS.md'), renderMarkdown(report, table));
  writeFileSync(join(dir, 'results.svg'), await renderChart(report.results));
  process.stdout.write(`${table}\n`);
}

async function main(): Promise<void> {
  if (flags.render !== undefined) return renderOnly(flags.render);
  const started = Date.now();
  if (!smoke) {
    process.stderr.write('Building the production server (npm run build)…\n');
    const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit' });
    if (build.status !== 0) throw new Error('build failed');
  }
  process.stderr.write(
    `Dataset: ${size.articles.toLocaleString('en')} articles, ${size.signups.toLocaleString('en')} signups…\n`,
  );
  const dataset = await ensureDataset(
    smoke ? join(tmpdir(), 'broadsheet-bench-smoke') : 'bench/.data',
    size,
  );
  const work = mkdtempSync(join(tmpdir(), 'broadsheet-bench-'));
  const databasePath = join(work, 'bench.db');
  copyFileSync(dataset.path, databasePath);
  const postgres =
    backend === 'postgres'
      ? await postgresCopy(databasePath, pinned === undefined ? {} : { cpus: pinned.servers })
      : undefined;
  const database: Record<string, string> =
    postgres === undefined
      ? { DATABASE_PATH: databasePath }
      : { DATABASE_URL: postgres.url, DATABASE_SSL: 'disable' };

  // As `npm run start:prod` and the Docker image run it.
  const serverCommand = smoke
    ? ['--import', 'tsx', 'src/server.ts']
    : ['--max-semi-space-size=8', '--max-old-space-size=192', 'dist/server.js'];
  const serverEnv = {
    ...database,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    SIGNUP_RATE_LIMIT: '100000',
    SIGNUPS_PER_CLIENT_PER_HOUR: '1000000',
    // The generated newsroom dates from 2020: its unconfirmed signups are kept, not purged.
    SIGNUP_PENDING_RETENTION_DAYS: '36500',
    SIGNUP_CONFIRMATIONS_PER_HOUR: '1000000',
    // Every request comes from 127.0.0.1: the limiter still runs (its cost is measured), with a
    // budget that autocannon's rate cannot spend.
    RATE_LIMIT_PER_MINUTE: '100000000',
    // Uploads go to the run's own folder, which the baseline reads the same files from.
    MEDIA_DIR: join(work, 'media'),
    // As the Docker image and `npm run start:prod` run it (see the Dockerfile).
    MALLOC_ARENA_MAX: '1',
  };
  const broadsheet = await start(serverCommand, serverEnv);
  // Started once the first has migrated and rendered: each then starts as a restart does.
  const peers: Array<{ child: ChildProcess; url: string; coldStartMs: number }> = [];
  for (let extra = 1; extra < instances; extra += 1)
    peers.push(await start(serverCommand, serverEnv));
  await createFront(broadsheet.url, dataset);
  // A smoke run's second per scenario must fit whole uploads.
  const jpeg = await benchJpeg(smoke ? { width: 640, height: 427 } : undefined);
  const rendition = await prepareRendition(broadsheet.url, benchToken, jpeg);
  const baseline = await start(
    [
      '--import',
      'tsx',
      postgres === undefined ? 'bench/baseline.ts' : 'bench/baseline-postgres.ts',
    ],
    { ...database, MEDIA_DIR: serverEnv.MEDIA_DIR },
  );

  const results: Report['results'] = [];
  const wanted = flags.only?.split(',').map((part) => part.trim().toLowerCase());
  const chosen = (name: string) =>
    wanted === undefined || wanted.some((part) => name.toLowerCase().includes(part));

  /** Each scenario on `server`, alternating with the baseline where it has one. */
  async function runAll(
    server: { url: string; child: ChildProcess },
    list: Scenario[],
    others: ReadonlyArray<{ url: string; child: ChildProcess }> = [],
  ) {
    for (const scenario of list) {
      process.stderr.write(`  ${scenario.name}…`);
      const ours: Measurement[] = [];
      const theirs: Measurement[] = [];
      if (warmupSeconds > 0) {
        await measure(
          server.url,
          scenario,
          warmupSeconds,
          [server, ...others].map((each) => each.url),
        );
        if (scenario.baseline === true) await measure(baseline.url, scenario, warmupSeconds);
      }
      for (let run = 0; run < runs; run += 1) {
        if (scenario.baseline === true)
          theirs.push(await measureWithCpu(baseline, scenario, durationSeconds));
        ours.push(await measureWithCpu(server, scenario, durationSeconds, others));
      }
      const ourSummary = summarise(ours);
      const theirSummary = theirs.length > 0 ? summarise(theirs) : null;
      results.push({
        scenario: scenario.name,
        broadsheet: ourSummary,
        baseline: theirSummary,
        ratio:
          theirSummary === null || theirSummary.rps === 0
            ? null
            : ourSummary.rps / theirSummary.rps,
        peakRssMb: peakRssMb(server.child.pid),
      });
      process.stderr.write(` ${Math.round(ourSummary.rps).toLocaleString('en')} req/s\n`);
    }
  }

  let uncachedServer: { child: ChildProcess; url: string; coldStartMs: number } | undefined;
  try {
    const listEtag = (await fetch(`${broadsheet.url}/v1/articles`)).headers.get('etag') ?? '';
    const all = scenarios(dataset, listEtag, { rendition, jpeg });
    await runAll(
      broadsheet,
      all.filter((scenario) => chosen(scenario.name)),
      peers,
    );

    // The same reads with the response cache off: what every first request after a publish,
    // every archive page and every cold instance costs.
    const uncached = all
      .filter((scenario) => scenario.uncached === true)
      .map((scenario) => ({ ...scenario, name: `${scenario.name}, uncached` }))
      .filter((scenario) => chosen(scenario.name));
    if (uncached.length > 0) {
      // The cached server must be gone (its shutdown checkpoints the WAL the cached phase's writes
      // filled) before the uncached one starts, or the two contend for the first measurements.
      await stopped(broadsheet.child);
      uncachedServer = await start(serverCommand, {
        ...serverEnv,
        RESPONSE_CACHE_MAX_ENTRIES: '0',
        // The uploads' backlog of renditions stays behind with the cached server.
        MEDIA_RENDITIONS: 'false',
      });
      await runAll(uncachedServer, uncached);
    }
  } finally {
    broadsheet.child.kill('SIGTERM');
    for (const peer of peers) peer.child.kill('SIGTERM');
    uncachedServer?.child.kill('SIGTERM');
    baseline.child.kill('SIGTERM');
  }
  await Promise.all([
    stopped(baseline.child),
    uncachedServer && stopped(uncachedServer.child),
    ...peers.map((peer) => stopped(peer.child)),
  ]);
  await postgres?.cluster.stop();
  rmSync(work, { recursive: true, force: true });

  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const report = {
    date: new Date().toISOString(),
    mode: smoke ? 'smoke' : flags.large ? 'large' : 'default',
    backend,
    instances,
    dataset: size,
    connections,
    durationSeconds,
    runs,
    // The first start over a generated database renders every article's documents (as after an
    // upgrade); the second server starts as any restart does.
    firstStartMs: broadsheet.coldStartMs,
    coldStartMs: uncachedServer?.coldStartMs ?? broadsheet.coldStartMs,
    pinning: pinned ?? null,
    machine,
    results,
    totalSeconds: Math.round((Date.now() - started) / 1000),
  };
  mkdirSync(outDir, { recursive: true });
  const table = renderTable(report);
  process.stdout.write(`\n${table}\n`);
  process.stderr.write(`Results written to ${outDir}/ (RESULTS.md, results.json, results.svg).\n`);
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(outDir, 'RESULTS.md'), renderMarkdown(report, table));
  writeFileSync(join(outDir, 'results.svg'), await renderChart(results));
}

type Report = {
  date: string;
  mode: string;
  /** Absent in runs from before PostgreSQL: SQLite. */
  backend?: 'sqlite' | 'postgres';
  /** API servers over the one database (writes spread over them); absent in older runs: 1. */
  instances?: number;
  dataset: typeof size;
  connections: number;
  durationSeconds: number;
  runs: number;
  coldStartMs: number;
  /** The first start, which rendered every document; absent in older runs. */
  firstStartMs?: number;
  /** The CPUs of the servers and of the load; null (or absent in older runs): shared. */
  pinning?: { servers: string; load: string } | null;
  machine: { cpus: number; cpuModel: string; memoryGb: number; node: string };
  results: Array<{
    scenario: string;
    broadsheet: Measurement;
    baseline: Measurement | null;
    ratio: number | null;
    peakRssMb: number;
  }>;
};

function loadPlacement(report: Report): string {
  const where =
    report.pinning === undefined || report.pinning === null
      ? 'servers and load share every CPU'
      : `servers pinned to CPU ${report.pinning.servers}, load to CPU ${report.pinning.load}`;
  return `reads are driven from a separate load process, writes (each request depends on the last) from the harness; ${where}`;
}

/** Runs recorded before CPU was measured have no figure. */
const cpuCell = (m: Measurement) =>
  m.cpuUsPerRequest === undefined || m.cpuUsPerRequest === 0 ? '—' : String(m.cpuUsPerRequest);

function renderTable(report: Report): string {
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p97.5 ms',
    'p99 ms',
    'errors',
    'non-2xx',
    'peak RSS MB',
    'CPU µs/req',
    'baseline req/s',
    'baseline CPU µs/req',
    'ratio',
  ];
  const rows = report.results.map((r) => [
    r.scenario,
    Math.round(r.broadsheet.rps).toLocaleString('en'),
    String(r.broadsheet.p50),
    String(r.broadsheet.p97_5),
    String(r.broadsheet.p99),
    String(r.broadsheet.errors),
    String(r.broadsheet.unexpected),
    String(r.peakRssMb),
    cpuCell(r.broadsheet),
    r.baseline === null ? '—' : Math.round(r.baseline.rps).toLocaleString('en'),
    r.baseline === null ? '—' : cpuCell(r.baseline),
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
  ]);
  return [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

/** The issue's targets, checked against this run (and, for --large, against the default run). */
function renderTargets(report: Report): string {
  const find = (name: string) => report.results.find((result) => result.scenario === name);
  const publicReads = [
    'list page 1',
    'single article',
    'list by tag',
    'list deep (page 500)',
    'search',
    'search, uncached',
    'related',
    'conditional GET (304)',
  ];
  const rows: Array<[string, string, boolean | null]> = [];
  const check = (
    label: string,
    value: number | undefined,
    ok: (v: number) => boolean,
    format: (v: number) => string,
  ) =>
    rows.push([
      label,
      value === undefined ? 'not measured' : format(value),
      value === undefined ? null : ok(value),
    ]);
  const ratio = (v: number) => `${v.toFixed(2)}×`;
  check(
    'list page 1 vs baseline ≥ 5×',
    find('list page 1')?.ratio ?? undefined,
    (v) => v >= 5,
    ratio,
  );
  check(
    'single article vs baseline ≥ 1.0×',
    find('single article')?.ratio ?? undefined,
    (v) => v >= 1,
    ratio,
  );
  const uncachedReads = ['list page 1', 'single article', 'list by tag', 'list deep (page 500)'];
  // On PostgreSQL the issue asks 0.8× of its raw baseline for uncached reads.
  const uncachedBar = report.backend === 'postgres' ? 0.8 : 1;
  for (const name of uncachedReads) {
    check(
      `uncached ${name} vs baseline ≥ ${uncachedBar.toFixed(1)}×`,
      find(`${name}, uncached`)?.ratio ?? undefined,
      (v) => v >= uncachedBar,
      ratio,
    );
  }
  check(
    'p99 of every uncached read ≤ 10 ms',
    Math.max(...uncachedReads.map((name) => find(`${name}, uncached`)?.broadsheet.p99 ?? 0)),
    (v) => v <= 10,
    (v) => `worst ${v} ms`,
  );
  check(
    'uncached search p99 ≤ 20 ms',
    find('search, uncached')?.broadsheet.p99,
    (v) => v <= 20,
    (v) => `${v} ms`,
  );
  check(
    'p99 of every public read ≤ 20 ms',
    Math.max(...publicReads.map((name) => find(name)?.broadsheet.p99 ?? 0)),
    (v) => v <= 20,
    (v) => `worst ${v} ms`,
  );
  check(
    `open model (${openModelRate} req/s, 10% writes) p99 ≤ 20 ms`,
    find(`open model (${openModelRate} req/s, 10% writes)`)?.broadsheet.p99,
    (v) => v <= 20,
    (v) => `${v} ms`,
  );
  const deep = find('list deep (page 500)');
  const first = find('list page 1');
  if (deep !== undefined && first !== undefined) {
    check(
      'deep page within 1.5× of page 1 (p50 latency)',
      Math.max(deep.broadsheet.p50, 1) / Math.max(first.broadsheet.p50, 1),
      (v) => v <= 1.5,
      (v) => `${v.toFixed(2)}×`,
    );
  }
  check(
    'signup POST ≥ 1,000/s',
    find('newsletter signup')?.broadsheet.rps,
    (v) => v >= 1000,
    (v) => `${Math.round(v)}/s`,
  );
  check(
    'editor PATCH ≥ 200/s (synchronous=FULL)',
    find('editor PATCH (If-Match)')?.broadsheet.rps,
    (v) => v >= 200,
    (v) => `${Math.round(v)}/s`,
  );
  const sqliteRun =
    report.backend === 'postgres' && existsSync('bench/results.json')
      ? (JSON.parse(readFileSync('bench/results.json', 'utf8')) as Report)
      : undefined;
  for (const name of ['newsletter signup', 'editor PATCH (If-Match)']) {
    const onSqlite = sqliteRun?.results.find((result) => result.scenario === name)?.broadsheet.rps;
    if (onSqlite === undefined) continue;
    check(
      `${name} ≥ the SQLite run's ${Math.round(onSqlite)}/s (one instance)`,
      find(name)?.broadsheet.rps,
      (v) => v >= onSqlite,
      (v) => `${Math.round(v)}/s`,
    );
  }
  check(
    'peak server RSS ≤ 250 MB',
    Math.max(...report.results.map((result) => result.peakRssMb)),
    (v) => v <= 250,
    (v) => `${v} MB`,
  );
  check(
    'cold start to /health/ready ≤ 1 s',
    report.coldStartMs,
    (v) => v <= 1000,
    (v) => `${v} ms`,
  );
  check(
    'zero errors and unexpected statuses',
    report.results.reduce((sum, r) => sum + r.broadsheet.errors + r.broadsheet.unexpected, 0),
    (v) => v === 0,
    String,
  );
  const lines = rows.map(
    ([label, value, ok]) =>
      `| ${label} | ${value} | ${ok === null ? '—' : ok ? 'met' : '**missed**'} |`,
  );
  return ['| target | this run | |', '| --- | --- | --- |', ...lines].join('\n');
}

/**
 * The same scenarios on both backends, from the committed full runs (bench/results.json and
 * bench/postgres/results.json), once both exist; this run's figures replace its own backend's.
 */
function renderBackends(report: Report): string {
  const read = (file: string): Report | undefined =>
    existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Report) : undefined;
  const mine = report.backend ?? 'sqlite';
  const sqlite = mine === 'sqlite' ? report : read('bench/results.json');
  const postgres = mine === 'postgres' ? report : read('bench/postgres/results.json');
  if (sqlite === undefined || postgres === undefined || sqlite.mode !== postgres.mode) return '';
  const cell = (run: Report, name: string) => {
    const found = run.results.find((result) => result.scenario === name);
    if (found === undefined) return ['—', '—', '—'];
    return [
      Math.round(found.broadsheet.rps).toLocaleString('en'),
      found.ratio === null ? '—' : `${found.ratio.toFixed(2)}×`,
      String(found.broadsheet.p99),
    ];
  };
  const rows = sqlite.results.map((result) => [
    result.scenario,
    ...cell(sqlite, result.scenario),
    ...cell(postgres, result.scenario),
  ]);
  const header = [
    'scenario',
    'SQLite req/s',
    'SQLite vs its baseline',
    'SQLite p99 ms',
    'PostgreSQL req/s',
    'PostgreSQL vs its baseline',
    'PostgreSQL p99 ms',
  ];
  const table = [header, header.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
  return `
## Both backends

SQLite run ${sqlite.date}, PostgreSQL run ${postgres.date}, same dataset and load; each ratio is
against that backend's own baseline (a raw prepared-statement server over the same database).
Cold start: SQLite ${sqlite.coldStartMs} ms, PostgreSQL ${postgres.coldStartMs} ms.

${table}
`;
}

function renderMarkdown(report: Report, table: string): string {
  const engine =
    report.backend === 'postgres'
      ? "PostgreSQL (a local server on the servers' CPUs, fsync on)"
      : 'SQLite (synchronous=FULL)';
  return `# Benchmark results

Backend: ${engine}.${
    (report.instances ?? 1) > 1
      ? `\nInstances: ${report.instances} API servers over the one database; writes split their connections evenly between them (each percentile is the worst instance's, CPU µs/req sums them), reads go to the first.`
      : ''
  }
Run ${report.date} (${report.mode}) on ${report.machine.cpus} × ${report.machine.cpuModel}, ${report.machine.memoryGb} GiB, Node ${report.machine.node}.
Dataset: ${report.dataset.articles.toLocaleString('en')} published articles, ${report.dataset.tags} tags, ${report.dataset.authors} authors, ${report.dataset.signups.toLocaleString('en')} signups.
Load: autocannon, ${report.connections} connections, ${report.durationSeconds} s per run after a warm-up, median of ${report.runs} runs, Broadsheet and the baseline measured alternately; ${loadPlacement(report)}.
Cold start to \`/health/ready\`: ${report.coldStartMs} ms${report.firstStartMs === undefined ? '' : ` (the first start, rendering every article's documents: ${report.firstStartMs} ms)`}.

${table}

## Targets

${renderTargets(report)}

"non-2xx" counts responses other than the scenario's expected status (304 for the conditional GET).
The baseline is a minimal Fastify server over the same database (\`bench/baseline.ts\` with
better-sqlite3, \`bench/baseline-postgres.ts\` with node-postgres) answering the same list (first
page, deep page, by tag) and single-article requests with one prepared statement each that builds
the whole JSON inside the database: the practical ceiling of this stack on this machine.
Ratios above 1 mean Broadsheet served more requests per second. "CPU µs/req" is the server
process's user and system CPU time over a run, read from \`/proc\`, divided by the requests it
answered (median of the runs; — where not measured). Rows ending in "uncached" are the
same requests against Broadsheet with its response cache off (\`RESPONSE_CACHE_MAX_ENTRIES=0\`).

![throughput and p99](results.svg)
${renderBackends(report)}${existsSync('bench/notes.md') ? `\n${readFileSync('bench/notes.md', 'utf8')}` : ''}`;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
