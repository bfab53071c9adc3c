import { afterEach, describe, expect, it } from 'vitest';
import { bearer, createTestApp, LogCapture, type TestApp } from './helpers.ts';

// What an operator switches: the docs UI, and what an unsent email may show in the log.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

async function signUpWithLog(production: boolean) {
  const logs = new LogCapture();
  t = await createTestApp({
    logs,
    config: { production, mailLogOnly: production, siteUrl: 'https://www.example.org' },
  });
  const editor = await t.token('editor');
  await t.api
    .post('/v1/admin/newsletters')
    .set(bearer(editor))
    .send({ name: 'Daily', slug: 'daily', cadence: 'daily', privacyPolicyVersion: 'p@1' })
    .expect(201);
  await t.api
    .post('/v1/newsletters/daily/signups')
    .send({ email: 'reader@example.org', consent: true, privacyPolicyVersion: 'p@1' })
    .expect(202);
  for (let waited = 0; waited < 2000 && !logs.text.includes('not sent'); waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return logs.text;
}

describe('operator switches', () => {
  it('serves /docs by default and not when DOCS_ENABLED=false; the document stays', async () => {
    t = await createTestApp();
    await t.api.get('/docs').expect((response) => expect(response.status).toBeLessThan(400));
    await t.close();
    t = await createTestApp({ config: { docsEnabled: false } });
    await t.api.get('/docs').expect(404);
    await t.api.get('/openapi.json').expect(200);
  });

  it('logs a usable confirmation link for an unsent email in development only', async () => {
    expect(await signUpWithLog(false)).toMatch(/confirm\?token=[A-Za-z0-9_-]{20,}/);
    await t?.close();
    t = undefined;
    const production = await signUpWithLog(true);
    expect(production).toContain('not sent');
    expect(production).not.toMatch(/token=[A-Za-z0-9_-]{20,}/);
  });
});
