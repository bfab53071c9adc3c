import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultSize, ensureDataset } from '../../bench/dataset.ts';
import { percentile, runOpenModel } from '../../bench/open-model.ts';
import { postgresCopy } from '../../bench/postgres-copy.ts';
import { tempDir } from '../helpers.ts';
import { exited, startServer } from './server.ts';

// 60 s at a fixed 500 requests a second (after 20 s of warm-up at the same rate), 90% public
// reads and 10% writes (article creates and newsletter signups; bench/open-model.ts, which the
// bench's "open model" scenario runs too), against the real server
// process over the 10,000-article benchmark newsroom, on SQLite at synchronous = FULL and on
// PostgreSQL (a local server with fsync on, the same data loaded into it): no errors and no
// growth trend in resident memory over the last 30 s. Latencies are printed, never asserted:
// a timing bound makes a test pass or fail by how busy the machine is (RELIABILITY.md 6e); the
// benchmark owns speed.
// SOAK_REPORT=1 also prints p99 per route and RSS by the second.

const temp = tempDir('broadsheet-soak-');
afterAll(() => temp.remove());

const ratePerSecond = 500;
const seconds = Number(process.env.SOAK_SECONDS ?? 60);
// 20 s: V8 settles its old-generation limit over the first major collections, which at this rate
// can still be under way 10 s in; a floor measured then reads as growth without any leak.
const warmupSeconds = 20;

function residentMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

describe.each(['sqlite', 'postgres'] as const)('load soak on %s', (backend) => {
  it(`holds ${ratePerSecond} req/s (90% reads, 10% writes) for ${seconds} s: 0 errors, every request answered, flat memory`, async () => {
    const dataset = await ensureDataset(temp.dir, defaultSize);
    const databasePath = join(temp.dir, `soak-${backend}.db`);
    copyFileSync(dataset.path, databasePath);
    const postgres = backend === 'postgres' ? await postgresCopy(databasePath) : undefined;
    onTestFinished(async () => postgres?.cluster.stop());
    const { child, url } = await startServer({
      ...(postgres === undefined
        ? { DATABASE_PATH: databasePath }
        : { DATABASE_URL: postgres.url, DATABASE_SSL: 'disable' }),
      SIGNUP_RATE_LIMIT: '100000',
      SIGNUPS_PER_CLIENT_PER_HOUR: '1000000',
      SIGNUP_CONFIRMATIONS_PER_HOUR: '1000000',
      // Small enough that the cache fills during the warm-up and then evicts all the time: the
      // memory check below then sees the steady state, bounds included, not a cache still filling.
      RESPONSE_CACHE_MAX_ENTRIES: '500',
      // As `npm run start:prod` and the Docker image run it: V8 otherwise grows the young
      // generation under load by up to 48 MB, which reads as a trend in RSS without any leak.
      NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=192',
    });
    const pid = child.pid ?? 0;

    const rss: number[] = [];
    const sampler = setInterval(() => rss.push(residentMb(pid)), 1000);
    const { latencies, byKind, failures, writes, elapsed } = await runOpenModel(url, dataset, {
      ratePerSecond,
      seconds,
      warmupSeconds,
    });
    clearInterval(sampler);
    child.kill('SIGTERM');
    await exited(child);

    // Evicted cache entries and finished requests are garbage in the old generation, so RSS
    // saws up and down between major collections; a leak shows in the floor the saw returns to.
    const last30 = rss.slice(-30);
    const floorGrowthMb = Math.min(...last30.slice(15)) - Math.min(...last30.slice(0, 15));
    const summary =
      `soak on ${backend}: ${latencies.length} timed requests (${writes} writes in all) in ${elapsed.toFixed(1)} s ` +
      `after ${warmupSeconds} s of warm-up (${Math.round(latencies.length / elapsed)}/s), p50 ${percentile(latencies, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${percentile(latencies, 1).toFixed(1)} ms, ` +
      `failures ${failures.length}; ` +
      `RSS ${Math.round(rss[0] ?? 0)} → ${Math.round(rss.at(-1) ?? 0)} MB, ` +
      `floor over the last 30 s ${floorGrowthMb >= 0 ? '+' : ''}${floorGrowthMb.toFixed(1)} MB`;
    process.stdout.write(`${summary}\n`);
    if (process.env.SOAK_REPORT !== undefined) {
      process.stdout.write(`  RSS by second: ${rss.map((mb) => Math.round(mb)).join(' ')}\n`);
      for (const [kind, values] of byKind) {
        process.stdout.write(
          `  ${kind}: n=${values.length} p99 ${percentile(values, 0.99).toFixed(1)} ms\n`,
        );
      }
    }

    expect(failures.slice(0, 5).join('; '), summary).toBe('');
    expect(latencies.length).toBe(ratePerSecond * seconds);
    expect(last30.length).toBeGreaterThanOrEqual(25);
    // 7,500 requests between the two halves: a leak of 1 KB a request would lift the floor
    // by 7.5 MB.
    expect(floorGrowthMb, summary).toBeLessThan(7.5);
  });
});
