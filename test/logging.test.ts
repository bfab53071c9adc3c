import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/lib/redact.ts';
import { serializeError } from '../src/logger.ts';
import { bearer, createTestApp, LogCapture } from './helpers.ts';

describe('logs', () => {
  it('carry one JSON line per request with its id, and never emails, tokens or headers', async () => {
    const logs = new LogCapture();
    const t = await createTestApp({ logs });
    const token = await t.token('editor');
    const email = 'Private.Person@Example.org';
    await t.api
      .post('/v1/admin/authors')
      .set(bearer(token))
      .send({ name: 'Private Person', email })
      .expect(201);
    await t.api
      .post('/v1/admin/authors')
      .set(bearer(token))
      .send({ name: 'Bad', email: 'not-an-email' })
      .expect(400);
    await t.api.get(`/v1/tags?lookup=${encodeURIComponent(email)}`).expect(400);
    const response = await t.api
      .get(`/v1/admin/tags?access_token=${token}`)
      .set(bearer(token))
      .expect(400);

    const lines = logs.parsed();
    const completed = lines.filter((line) => line.msg === 'request completed');
    expect(completed.length).toBeGreaterThanOrEqual(4);
    expect(completed.map((line) => line.reqId)).toContain(response.headers['x-request-id']);
    for (const secret of [email, email.toLowerCase(), 'private.person', token, token.slice(3)]) {
      expect(logs.text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    expect(logs.text.toLowerCase()).not.toContain('bearer');
    await t.close();
  });

  it('redacts emails and tokens from free text', () => {
    expect(redactSecrets('/x?email=a.b%40c.org&t=bs_abcdefghijkl')).toBe(
      '/x?email=[email]&t=bs_[redacted]',
    );
    expect(redactSecrets('failed for someone@newsroom.example today')).toBe(
      'failed for [email] today',
    );
  });

  it('keeps bound query parameters out of serialised database errors', () => {
    const cause = Object.assign(new Error('UNIQUE constraint failed: authors.email'), {
      code: 'SQLITE_CONSTRAINT_UNIQUE',
    });
    const queryError = Object.assign(
      new Error('Failed query: insert into authors ...\nparams: secret@example.org,Jane Roe'),
      {
        query: 'insert into "authors" ("email") values (?)',
        params: ['secret@example.org'],
        cause,
      },
    );
    const serialised = JSON.stringify(serializeError(queryError));
    expect(serialised).not.toContain('secret@example.org');
    expect(serialised).not.toContain('Jane Roe');
    expect(serialised).toContain('UNIQUE constraint failed');
    expect(serialised).toContain('SQLITE_CONSTRAINT_UNIQUE');
  });
});
