import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roles, type Role } from '../src/plugins/auth.ts';
import { bearer, createTestApp, LogCapture, manualClock, type TestApp } from './helpers.ts';

const clock = manualClock();
const logs = new LogCapture();
let t: TestApp;
const tokens = {} as Record<Role | 'revoked' | 'expired', string>;

interface Operation {
  method: string;
  path: string;
  role: Role;
}
let operations: Operation[] = [];

beforeAll(async () => {
  t = await createTestApp({ now: clock.now, logs });
  for (const role of roles) tokens[role] = await t.token(role);
  const revoked = await t.app.services.tokens.create({ name: 'revoked', role: 'admin' }, null);
  tokens.revoked = revoked.token;
  await t.app.services.tokens.revoke(revoked.record.id);
  tokens.expired = await t.token('admin', { expiresAt: new Date(clock.now().getTime() + 60_000) });
  clock.advance(120_000);

  const document = t.app.swagger() as {
    paths: Record<string, Record<string, { 'x-required-role'?: Role }>>;
  };
  operations = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1/admin/'))
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const role = operation['x-required-role'];
        if (role === undefined) throw new Error(`${method} ${path} documents no role`);
        return { method, path: path.replace(/\{\w+\}/g, 'tag_00000000000000000000000000'), role };
      }),
    );
});
afterAll(async () => t.close());

function send(operation: Operation, headers: Record<string, string> = {}) {
  const method = operation.method as 'get' | 'post' | 'patch' | 'delete';
  const request = t.api[method](operation.path).set(headers);
  return method === 'post' || method === 'patch' ? request.send({}) : request;
}

describe('role × route matrix for every editor route', () => {
  it('covers every admin operation in the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThanOrEqual(18);
  });

  it('rejects missing, malformed, foreign-scheme, unknown, revoked and expired tokens with 401', async () => {
    const credentials: Array<Record<string, string>> = [
      {},
      { Authorization: 'Bearer' },
      { Authorization: 'Bearer ' },
      { Authorization: 'Bearer not-a-token' },
      { Authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      { Authorization: `Token ${tokens.admin}` },
      bearer(`bs_${'A'.repeat(43)}`),
      bearer(tokens.revoked),
      bearer(tokens.expired),
    ];
    for (const operation of operations) {
      for (const headers of credentials) {
        const response = await send(operation, headers);
        expect(
          response.status,
          `${operation.method} ${operation.path} ${JSON.stringify(headers)}`,
        ).toBe(401);
        expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
        expect(response.headers['cache-control']).toBe('no-store');
      }
    }
  });

  it('ignores a token in the query string', async () => {
    for (const operation of operations) {
      const response = await send({
        ...operation,
        path: `${operation.path}?access_token=${tokens.admin}`,
      });
      expect(response.status).toBe(401);
    }
  });

  it('answers 403 to a role below the one the route needs, and lets the right role through', async () => {
    for (const operation of operations) {
      for (const role of roles) {
        const response = await send(operation, bearer(tokens[role]));
        const allowed = roles.indexOf(role) >= roles.indexOf(operation.role);
        const label = `${role} → ${operation.method} ${operation.path} (needs ${operation.role})`;
        if (allowed) expect([401, 403], label).not.toContain(response.status);
        else expect(response.status, label).toBe(403);
      }
    }
  });

  it('accepts the scheme name in any case', async () => {
    const response = await t.api
      .get('/v1/admin/tags')
      .set('Authorization', `bearer ${tokens.writer}`);
    expect(response.status).toBe(200);
  });
});

describe('path variants never bypass auth', () => {
  it.each([
    '/v1/admin/tags/',
    '//v1/admin/tags',
    '/v1//admin/tags',
    '/V1/admin/tags',
    '/v1/ADMIN/tags',
    '/v1/admin%2Ftags',
    '/v1/admin/./tags',
    '/v1/admin/tags/..%2Ftokens',
  ])('%s', async (path) => {
    const response = await t.api.get(path);
    expect(response.status).toBeGreaterThanOrEqual(400);
  });
});

describe('tokens API', () => {
  it('creates a token shown once, stores only a hash, and the new token works', async () => {
    const created = await t.api
      .post('/v1/admin/tokens')
      .set(bearer(tokens.admin))
      .send({ name: 'Night desk', role: 'editor' })
      .expect(201);
    const secret = created.body.data.token as string;
    expect(secret).toMatch(/^bs_[A-Za-z0-9_-]{43}$/);
    expect(created.body.data).toMatchObject({
      name: 'Night desk',
      role: 'editor',
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(created.headers['cache-control']).toBe('no-store');

    const stored = await t.app.store.db.select().from(t.app.store.tables.apiTokens);
    expect(JSON.stringify(stored)).not.toContain(secret);

    await t.api.get('/v1/admin/tags').set(bearer(secret)).expect(200);
    const listTokens = () =>
      t.api.get('/v1/admin/tokens?limit=100').set(bearer(tokens.admin)).expect(200);
    const entryIn = (listed: Awaited<ReturnType<typeof listTokens>>) =>
      (listed.body.data as Array<Record<string, unknown>>).find(
        (token) => token.id === created.body.data.id,
      );
    // The use is recorded after the request that made it, without holding it up.
    await expect
      .poll(async () => entryIn(await listTokens())?.lastUsedAt, { timeout: 5000 })
      .toEqual(expect.any(String));
    const listed = await listTokens();
    const entry = entryIn(listed);
    expect(entry).toBeDefined();
    expect(entry).not.toHaveProperty('token');
    expect(listed.body.meta.total).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(listed.body)).not.toContain(secret);
  });

  it('revokes a token: it stops working at once and the record stays', async () => {
    const created = await t.api
      .post('/v1/admin/tokens')
      .set(bearer(tokens.admin))
      .send({ name: 'temp', role: 'writer' })
      .expect(201);
    const secret = created.body.data.token as string;
    await t.api.get('/v1/admin/tags').set(bearer(secret)).expect(200);
    await t.api
      .delete(`/v1/admin/tokens/${created.body.data.id}`)
      .set(bearer(tokens.admin))
      .expect(204);
    await t.api.get('/v1/admin/tags').set(bearer(secret)).expect(401);
    await t.api
      .delete(`/v1/admin/tokens/${created.body.data.id}`)
      .set(bearer(tokens.admin))
      .expect(204);
    await t.api
      .delete('/v1/admin/tokens/tok_00000000000000000000000000')
      .set(bearer(tokens.admin))
      .expect(404);
  });

  it('expires a token when its time passes', async () => {
    const expiresAt = new Date(clock.now().getTime() + 3_600_000).toISOString();
    const created = await t.api
      .post('/v1/admin/tokens')
      .set(bearer(tokens.admin))
      .send({ name: 'shift', role: 'editor', expiresAt })
      .expect(201);
    await t.api.get('/v1/admin/tags').set(bearer(created.body.data.token)).expect(200);
    clock.advance(3_600_000);
    await t.api.get('/v1/admin/tags').set(bearer(created.body.data.token)).expect(401);
  });

  it('refuses an expiry in the past and unknown roles', async () => {
    const past = await t.api
      .post('/v1/admin/tokens')
      .set(bearer(tokens.admin))
      .send({ name: 'old', role: 'editor', expiresAt: '2000-01-01T00:00:00.000Z' })
      .expect(400);
    expect(past.body.errors).toEqual([{ path: 'body.expiresAt', message: expect.any(String) }]);
    await t.api
      .post('/v1/admin/tokens')
      .set(bearer(tokens.admin))
      .send({ name: 'x', role: 'superuser' })
      .expect(400);
  });

  it('never mints a token above the role of the token asking', async () => {
    const issuer = { tokenId: 'tok_x', name: 'editor', role: 'editor' as const };
    await expect(
      t.app.services.tokens.create({ name: 'escalate', role: 'admin' }, issuer),
    ).rejects.toMatchObject({
      statusCode: 403,
    });
    await expect(
      t.app.services.tokens.create({ name: 'peer', role: 'editor' }, issuer),
    ).resolves.toBeDefined();
  });

  it('keeps tokens and authorization headers out of the logs', async () => {
    await t.api.get(`/v1/admin/tags?token=${tokens.editor}`).set(bearer(tokens.editor));
    expect(logs.text).toContain('request completed');
    for (const secret of Object.values(tokens)) expect(logs.text).not.toContain(secret);
    expect(logs.text.toLowerCase()).not.toContain('authorization');
  });
});
