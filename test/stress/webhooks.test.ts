import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { receiver, tempDir } from '../helpers.ts';
import { createToken, exited, startServer } from './server.ts';

// The outbox's promise under kill -9: every publication acknowledged to an editor reaches the
// receiver, whether the server died before sending it (between commit and POST) or while its
// POST was in flight (the receiver got it, the server never recorded the answer). A re-send
// carries the same webhook-id, so a receiver that deduplicates on it sees each event once.

const temp = tempDir('broadsheet-stress-webhooks-');
afterAll(() => temp.remove());

const cycles = 6;

describe('webhooks under kill -9', () => {
  it('deliver every acknowledged publication, re-sending only with the same webhook-id', async () => {
    const databasePath = join(temp.dir, 'webhooks.db');
    const token = createToken(databasePath);
    const hook = await receiver();
    const env = {
      DATABASE_PATH: databasePath,
      WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_POLL_MS: '100',
      // A claim outlasts an attempt (2 × timeout + 30 s): a killed server's claims come free
      // after that, and the next server sends them again.
      WEBHOOK_TIMEOUT_MS: '1000',
    };
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const published = new Set<string>();

    for (let cycle = 0; cycle < cycles; cycle += 1) {
      // Half the answers come late, so some kills land after the receiver has the POST.
      hook.replies.splice(0);
      for (let i = 0; i < 500; i += 1)
        hook.replies.push({ status: 204, delayMs: i % 2 === 1 ? 300 : 0 });
      const { child, url } = await startServer(env);
      if (cycle === 0) {
        const created = await fetch(`${url}/v1/admin/webhooks`, {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ url: hook.url, events: ['article.published'] }),
        });
        expect(created.status).toBe(201);
      }
      const stop = { now: false };
      const writers = Array.from({ length: 4 }, async (_, client) => {
        for (let n = 0; !stop.now; n += 1) {
          try {
            const created = await fetch(`${url}/v1/admin/articles`, {
              method: 'POST',
              headers: auth,
              body: JSON.stringify({ headline: `Hook ${cycle}-${client}-${n}`, body: 'x' }),
            });
            if (created.status !== 201) continue;
            const { data } = (await created.json()) as { data: { id: string } };
            const publish = await fetch(`${url}/v1/admin/articles/${data.id}/publish`, {
              method: 'POST',
              headers: { ...auth, 'if-match': '"1"' },
              body: '{}',
            });
            if (publish.status === 200) published.add(data.id);
          } catch {
            // Killed mid-request: not acknowledged.
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 400 + Math.random() * 800));
      child.kill('SIGKILL');
      await exited(child);
      stop.now = true;
      await Promise.all(writers);
    }

    // One last server sends what is left, claims of killed servers included once they lapse.
    hook.replies.splice(0);
    const { child, url } = await startServer(env);
    const idsByArticle = new Map<string, Set<string>>();
    const deadline = Date.now() + 120_000;
    for (;;) {
      idsByArticle.clear();
      for (const message of hook.received) {
        const { data } = JSON.parse(message.body) as { data: { id: string } };
        const ids = idsByArticle.get(data.id) ?? new Set<string>();
        ids.add(String(message.headers['webhook-id']));
        idsByArticle.set(data.id, ids);
      }
      const missing = [...published].filter((id) => !idsByArticle.has(id));
      if (missing.length === 0 || Date.now() > deadline) {
        expect(missing).toEqual([]);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await fetch(`${url}/health/live`);
    child.kill('SIGKILL');
    await exited(child);
    await hook.close();

    // One event per publication, however often it was sent.
    expect([...idsByArticle.values()].filter((ids) => ids.size !== 1)).toEqual([]);
    const resent = hook.received.length - idsByArticle.size;
    expect(published.size).toBeGreaterThan(20);
    process.stdout.write(
      `webhooks kill -9: ${cycles} cycles, ${published.size} publications acknowledged, all delivered; ${resent} re-sent with the same webhook-id\n`,
    );
  });
});
