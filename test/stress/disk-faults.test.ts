import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers.ts';
import {
  checkDatabase,
  createToken,
  emptyAcknowledged,
  exited,
  missingWrites,
  startServer,
  writeLoad,
} from './server.ts';

/*
 * Disk faults injected into the running server with libfiu (Debian's fiu-utils): `fiu-run -x`
 * preloads the POSIX wrappers, `fiu-ctrl` turns failure points on and off in the live process.
 * SQLite is the only code in the server that calls fsync/fdatasync or pwrite (sockets and the
 * log use write/writev), so the faults land on the database and nowhere else.
 */

const temp = tempDir('broadsheet-faults-');
afterAll(() => temp.remove());

const fiuAvailable = spawnSync('fiu-run', ['-x', 'true']).status === 0;

interface Fault {
  name: string;
  enable: string[];
  disable: string[];
}

const EIO = 5;
const ENOSPC = 28;
const faults: Fault[] = [
  {
    name: 'fsync and fdatasync fail with EIO',
    enable: [`enable name=posix/io/sync/*,failinfo=${EIO}`],
    disable: ['disable name=posix/io/sync/*'],
  },
  {
    name: 'writes fail with ENOSPC (disk full)',
    enable: [`enable name=posix/io/rw/pwrite,failinfo=${ENOSPC}`],
    disable: ['disable name=posix/io/rw/pwrite'],
  },
  {
    // Some commits succeed and some fail, some in the middle of a group commit.
    name: 'a flaky disk: 20% of syncs fail with EIO, 5% of writes with ENOSPC',
    enable: [
      `enable_random name=posix/io/sync/*,failinfo=${EIO},probability=0.2`,
      `enable_random name=posix/io/rw/pwrite,failinfo=${ENOSPC},probability=0.05`,
    ],
    disable: ['disable name=posix/io/sync/*', 'disable name=posix/io/rw/pwrite'],
  },
];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.runIf(fiuAvailable)('disk faults (libfiu)', () => {
  it('acknowledges no write that was not stored, answers 503 during the fault, is not ready while it lasts, and recovers', async () => {
    const databasePath = join(temp.dir, 'faults.db');
    const token = createToken(databasePath);
    const { child, url } = await startServer(
      {
        DATABASE_PATH: databasePath,
        SIGNUP_RATE_LIMIT: '100000',
        SIGNUPS_PER_CLIENT_PER_HOUR: '1000000',
        LOG_LEVEL: 'fatal',
      },
      ['fiu-run', '-x'],
    );
    const control = (command: string) =>
      execFileSync('fiu-ctrl', ['-c', command, String(child.pid)]);
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const created = await fetch(`${url}/v1/admin/newsletters`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({
        name: 'Weekly',
        slug: 'weekly',
        cadence: 'weekly',
        privacyPolicyVersion: 'p@1',
      }),
    });
    expect(created.status).toBe(201);

    const acknowledged = emptyAcknowledged();
    const report: string[] = [];
    for (const fault of faults) {
      const answers = new Map<number, number>();
      const stop = { now: false };
      let faulty = false;
      const clients = writeLoad(url, token, acknowledged, stop, (status) => {
        if (faulty) answers.set(status, (answers.get(status) ?? 0) + 1);
      });
      await sleep(300);
      faulty = true;
      for (const command of fault.enable) control(command);
      await sleep(1500);
      const liveDuringFault = await fetch(`${url}/health/live`);
      const readyDuringFault = await fetch(`${url}/health/ready`);
      for (const command of fault.disable) control(command);
      const cleared = performance.now();
      faulty = false;

      // Recovered: a fresh write is acknowledged (and, below, found stored).
      let recoveryMs = Number.POSITIVE_INFINITY;
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const probe = await fetch(`${url}/v1/admin/articles`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ headline: `Probe ${fault.name}`, body: 'x' }),
        });
        if (probe.status === 201) {
          recoveryMs = performance.now() - cleared;
          const { data } = (await probe.json()) as { data: { id: string; headline: string } };
          acknowledged.articles.set(data.id, data.headline);
          break;
        }
        await probe.arrayBuffer();
        await sleep(20);
      }
      stop.now = true;
      await Promise.all(clients);

      expect(liveDuringFault.status).toBe(200);
      // Not ready while every write fails (a load balancer stops sending writes here); a flaky
      // disk may pass the probe write.
      if (!fault.name.includes('flaky')) expect(readyDuringFault.status, fault.name).toBe(503);
      expect(child.exitCode).toBeNull();
      // During the fault every failed write is a 503 storage-unavailable, never a 500.
      expect(answers.get(503) ?? 0, fault.name).toBeGreaterThan(20);
      expect(answers.get(500) ?? 0, fault.name).toBe(0);
      // Writes work again once the fault is gone (how fast is printed, not asserted).
      expect(Number.isFinite(recoveryMs), fault.name).toBe(true);
      report.push(
        `${fault.name}: ${answers.get(503) ?? 0} answered 503, ${[...answers]
          .filter(([status]) => status < 300)
          .reduce(
            (sum, [, n]) => sum + n,
            0,
          )} answered 2xx (each found stored below); recovered in ${recoveryMs.toFixed(0)} ms`,
      );
    }

    // Still serving reads and writes on the same process, then stopped cleanly.
    expect((await fetch(`${url}/health/ready`)).status).toBe(200);
    child.kill('SIGTERM');
    await exited(child);

    expect(checkDatabase(databasePath)).toEqual({ integrity: 'ok', foreignKeys: [] });
    expect(missingWrites(databasePath, acknowledged)).toEqual({ articles: [], signups: [] });
    expect(acknowledged.articles.size).toBeGreaterThan(100);
    process.stdout.write(
      `disk faults: ${report.join('; ')}. ${acknowledged.articles.size} articles and ${acknowledged.signups.length} signups acknowledged, 0 lost\n`,
    );
  });
});

describe.skipIf(fiuAvailable)('disk faults (libfiu missing)', () => {
  it('needs fiu-utils: `apt-get install fiu-utils` (.ci/run installs it)', () => {
    throw new Error('fiu-run is not installed; the disk-fault test cannot run.');
  });
});
