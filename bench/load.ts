import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';

// The load generator for read scenarios, as a process of its own (bench/run.ts starts one per
// measurement, on a CPU of its own where the machine has two or more), so generating load does
// not take CPU from the event loop of the server it measures.
// Usage: node --import tsx bench/load.ts <job.json>; prints the measurement as JSON.

export interface LoadJob {
  url: string;
  /** Every request takes the next of these paths, round and round. */
  paths: string[];
  method: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Statuses that count as success. */
  expect: number[];
}

export interface LoadResult {
  rps: number;
  p50: number;
  p97_5: number;
  p99: number;
  errors: number;
  unexpected: number;
  requests: number;
}

/** Runs one job with autocannon; the harness also calls it in process for stateful writes. */
export async function runLoad(
  job: Omit<LoadJob, 'paths'> & { paths?: string[] },
  setupRequest?: autocannon.Request['setupRequest'],
): Promise<LoadResult> {
  const paths = job.paths ?? [];
  let next = 0;
  const rotate: autocannon.Request['setupRequest'] = (request) => {
    const path = paths[next % paths.length] ?? '/';
    next += 1;
    return { ...request, path };
  };
  const result = await autocannon({
    url: `${job.url}${paths[0] ?? '/'}`,
    connections: job.connections,
    duration: job.seconds,
    method: job.method as autocannon.Request['method'],
    headers: job.headers,
    ...(setupRequest !== undefined
      ? { requests: [{ setupRequest }] }
      : paths.length > 1
        ? { requests: [{ setupRequest: rotate }] }
        : {}),
  });
  const statusCounts =
    (result as unknown as { statusCodeStats?: Record<string, { count: number }> })
      .statusCodeStats ?? {};
  const total = Object.values(statusCounts).reduce((sum, entry) => sum + entry.count, 0);
  const ok = job.expect.reduce((sum, code) => sum + (statusCounts[String(code)]?.count ?? 0), 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    unexpected: total - ok,
    requests: total,
  };
}

const jobFile = process.argv[2];
if (jobFile !== undefined && process.argv[1]?.endsWith('load.ts')) {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as LoadJob;
  runLoad(job).then(
    (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
