import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { tempDir, testConfig } from '../helpers.ts';
import { createWeeklyNewsletter, exited, startServer } from './server.ts';

const temp = tempDir('broadsheet-abuse-');
afterAll(() => temp.remove());

describe('signup flood', () => {
  it('accepts at most the configured number per window from one address, spoofed X-Forwarded-For or not', async () => {
    const databasePath = join(temp.dir, 'flood.db');
    await createWeeklyNewsletter(databasePath);
    const { child, url } = await startServer({
      DATABASE_PATH: databasePath,
      SIGNUP_RATE_LIMIT: '20',
      SIGNUP_CONFIRMATIONS_PER_HOUR: '15',
    });
    const statuses: number[] = [];
    const retryAfter: string[] = [];
    for (let batch = 0; batch < 20; batch += 1) {
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          fetch(`${url}/v1/newsletters/weekly/signups`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-forwarded-for': `198.51.100.${(batch * 100 + i) % 250}`,
            },
            body: JSON.stringify({
              email: `flood${batch}-${i}@example.org`,
              consent: true,
              privacyPolicyVersion: 'p@1',
            }),
          }),
        ),
      );
      for (const response of responses) {
        statuses.push(response.status);
        if (response.status === 429) retryAfter.push(response.headers.get('retry-after') ?? '');
      }
    }
    child.kill('SIGTERM');
    await exited(child);
    const accepted = statuses.filter((status) => status === 202).length;
    expect(statuses).toHaveLength(2000);
    expect(accepted).toBeLessThanOrEqual(20 * 2); // the test may straddle two one-minute windows
    expect(statuses.filter((status) => status !== 202 && status !== 429)).toEqual([]);
    expect(retryAfter.every((value) => Number(value) > 0)).toBe(true);

    const app = await buildApp({ config: testConfig({}, databasePath) });
    const { store } = app;
    const mailed = await store.db.$count(store.tables.newsletterSignups, undefined);
    const sent = (
      await store.db
        .select({ at: store.tables.newsletterSignups.lastConfirmationSentAt })
        .from(store.tables.newsletterSignups)
    ).filter((row) => row.at !== null).length;
    await app.close();
    expect(mailed).toBe(accepted);
    expect(sent).toBeLessThanOrEqual(15); // the global hourly cap on confirmation emails
    process.stdout.write(
      `signup flood: 2,000 requests, ${accepted} accepted, ${statuses.length - accepted} answered 429, ${sent} confirmation emails\n`,
    );
  });
});

describe('slow clients', () => {
  it('keeps /health/live fast while 500 connections trickle bodies, and cuts them at the timeout', async () => {
    const databasePath = join(temp.dir, 'slow.db');
    const { child, url } = await startServer({
      DATABASE_PATH: databasePath,
      HEADERS_TIMEOUT_MS: '2000',
      REQUEST_TIMEOUT_MS: '4000',
    });
    const { port } = new URL(url);
    const sockets: Socket[] = [];
    const closed: Array<Promise<number>> = [];
    const started = Date.now();
    for (let i = 0; i < 500; i += 1) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      socket.write(
        'POST /v1/newsletters/weekly/signups HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      );
      closed.push(
        new Promise((resolve) => socket.on('close', () => resolve(Date.now() - started))),
      );
      sockets.push(socket);
    }
    // One byte per connection per second (the test process itself also measures latency, so it
    // must not spend its own event loop on writes).
    const trickle = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write(' ');
    }, 1000);
    // Measured once the 500 connections are open and trickling. The accept burst itself (500
    // connections in a few milliseconds, most answered 429 by the rate limit) delays a probe sent
    // during it by ~0.2 s; that is reported, not hidden.
    const burst = performance.now();
    await fetch(`${url}/health/live`);
    const burstProbeMs = performance.now() - burst;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const latencies: number[] = [];
    for (let i = 0; i < 50; i += 1) {
      const before = performance.now();
      const response = await fetch(`${url}/health/live`);
      latencies.push(performance.now() - before);
      expect(response.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    const closedAfter = await Promise.all(closed);
    clearInterval(trickle);
    child.kill('SIGTERM');
    await exited(child);
    latencies.sort((a, b) => a - b);
    const p99 = latencies[Math.floor(latencies.length * 0.99)] ?? Number.POSITIVE_INFINITY;
    process.stdout.write(
      `slow clients: /health/live p99 ${p99.toFixed(1)} ms while trickling (${burstProbeMs.toFixed(0)} ms during the accept burst); all 500 closed by ${Math.max(...closedAfter)} ms\n`,
    );
    // Latency is printed above, not asserted (RELIABILITY.md 6e): every probe was answered.
    expect(Math.max(...closedAfter)).toBeLessThan(4000 + 3000);
  });
});
