import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/seed.ts';
import {
  hostileOr,
  type Hints,
  type JsonSchema,
  parameterValue,
  valueFor,
} from './openapi-arbitraries.ts';
import { createTestApp, type TestApp } from './helpers.ts';

// Property-based fuzzing of every operation in the OpenAPI document, over the demo content:
// no 5xx, only documented statuses, JSON or problem+json bodies, and every 2xx body valid
// against the documented response schema. Fixed seed: a failure replays the same way.
// FUZZ_REPORT=1 prints the statuses per operation and the first problem of each kind, to see
// what the run reaches.

const seed = 20261128;
const report = process.env.FUZZ_REPORT !== undefined;
const requests = 2400;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, unknown> }>;
  security?: unknown[];
}
interface Document {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
}

type Credential = 'none' | 'writer' | 'editor' | 'admin' | 'garbage' | 'revoked' | 'basic';

let t: TestApp;
let document: Document;
let operations: Operation[];
const tokens = new Map<Credential, string>();
const known: Record<string, string[]> = {};
const currentVersion = 'current';
let hints: Hints = {};

beforeAll(async () => {
  // NORMAL: durability has tests of its own; here it would only make each write wait for a sync.
  t = await createTestApp({
    config: { databaseSynchronous: 'NORMAL', signupRateLimit: 100_000 },
  });
  await seedDemo(t.app);
  for (const role of ['writer', 'editor', 'admin'] as const) tokens.set(role, await t.token(role));
  const revoked = await t.app.services.tokens.create({ name: 'revoked', role: 'admin' }, null);
  // Tokens the fuzzer may revoke or read; its own are left out of every pool.
  const spare = await Promise.all(
    ['spare one', 'spare two'].map((name) =>
      t.app.services.tokens.create({ name, role: 'writer' }, null),
    ),
  );
  await t.app.services.tokens.revoke(revoked.record.id);
  tokens.set('revoked', revoked.token);

  // Real ids and slugs per resource, so requests reach existing resources as well as missing
  // ones. The fuzzer's own tokens are left out: revoking them would end the run's coverage.
  const { store } = t.app;
  const { tables } = store;
  const withSlugs = {
    articles: tables.articles,
    authors: tables.authors,
    tags: tables.tags,
    newsletters: tables.newsletters,
    pages: tables.pages,
  };
  for (const [resource, table] of Object.entries(withSlugs)) {
    const rows = await store.db.select({ id: table.id, slug: table.slug }).from(table);
    known[`${resource}.id`] = rows.map((row) => row.id);
    known[`${resource}.slug`] = rows.map((row) => row.slug);
  }
  for (const [resource, table] of Object.entries({
    photos: tables.photos,
    appeals: tables.appeals,
  })) {
    known[`${resource}.id`] = (await store.db.select({ id: table.id }).from(table)).map(
      (row) => row.id,
    );
  }
  known['tokens.id'] = spare.map((token) => token.record.id);
  // An edit leaves a revision to restore.
  const [first] = known['articles.id'] ?? [];
  if (first !== undefined) {
    const editor = `Bearer ${tokens.get('editor') ?? ''}`;
    const current = await t.api.get(`/v1/admin/articles/${first}`).set('authorization', editor);
    await t.api
      .patch(`/v1/admin/articles/${first}`)
      .set('authorization', editor)
      .set('if-match', String(current.headers.etag))
      .send({ dek: 'Edited before the fuzzing run.' })
      .expect(200);
    known['revisions.revisionId'] = (
      await store.db.select({ id: tables.articleRevisions.id }).from(tables.articleRevisions)
    ).map((row) => row.id);
  }
  const policies = await store.db
    .select({ version: tables.newsletters.privacyPolicyVersion })
    .from(tables.newsletters);
  hints = {
    email: fc
      .tuple(
        fc.stringMatching(/^[a-z0-9]{1,12}(?:\.[a-z0-9]{1,8})?$/),
        fc.constantFrom('example.org', 'news.example.com', 'EXAMPLE.NET'),
      )
      .map(([local, domain]) => `${local}@${domain}`),
    currency: fc.constantFrom('USD', 'EUR', 'GBP', 'RUB', 'JPY'),
    consent: fc.constant(true),
    privacyPolicyVersion: fc.constantFrom(...policies.map((row) => row.version)),
    authorIds: fc.shuffledSubarray(known['authors.id'] ?? [], {
      maxLength: Math.min(3, known['authors.id']?.length ?? 0),
    }),
    tagIds: fc.shuffledSubarray(known['tags.id'] ?? [], {
      maxLength: Math.min(3, known['tags.id']?.length ?? 0),
    }),
    photoId: fc.constantFrom(...(known['photos.id'] ?? ['pho_none'])),
    website: fc.constant(''),
  };
  known['versions.version'] = ['1', '2'];
  known['*.placement'] = (
    await store.db.select({ placement: tables.appeals.placement }).from(tables.appeals)
  ).map((row) => row.placement);
  known['*.limit'] = ['1', '20', '100'];
  known['*.language'] = ['en', 'ru'];
  known['*.author'] = known['authors.slug'] ?? [];
  known['*.tag'] = known['tags.slug'] ?? [];
  known['*.q'] = ['minister', 'moscow "foreign ministers"', 'talks -metro', 'sanc*'];

  document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as Document;
  operations = Object.entries(document.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => ({ ...operation, method, path })),
  );
});
afterAll(async () => t.close());

function authorization(credential: Credential): Record<string, string> {
  switch (credential) {
    case 'none':
      return {};
    case 'garbage':
      return { authorization: 'Bearer bs_not-a-real-token' };
    case 'basic':
      return { authorization: 'Basic YWRtaW46YWRtaW4=' };
    default:
      return { authorization: `Bearer ${tokens.get(credential) ?? ''}` };
  }
}

interface FuzzRequest {
  operation: Operation;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  credential: Credential;
}

/** Known values for a parameter: by the resource its path names, else by its name alone. */
function knownFor(path: string, name: string): string[] {
  if (name === 'revisionId') return known['revisions.revisionId'] ?? [];
  const segments = path.split('/');
  const at = segments.indexOf(`{${name}}`);
  const resource = at > 0 ? segments[at - 1] : undefined;
  return known[`${resource}.${name}`] ?? known[`*.${name}`] ?? [];
}

/** Optional query parameters appear one time in three: with each of them present most of the
 * time, nearly every request had one bad value and lists never got past validation. */
const sometimes = <T>(arbitrary: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary, weight: 1 });

function requestFor(operation: Operation): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? [];
  const pathParameters = parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = parameters.filter((parameter) => parameter.in === 'query');
  const headerParameters = parameters.filter((parameter) => parameter.in === 'header');
  const bodySchema = operation.requestBody?.content['application/json']?.schema;

  const path = fc.tuple(
    ...pathParameters.map((parameter) =>
      parameterValue(parameter.schema, knownFor(operation.path, parameter.name)),
    ),
  );
  const query = fc.tuple(
    ...queryParameters.map((parameter) => {
      const value = parameterValue(parameter.schema, knownFor(operation.path, parameter.name));
      return parameter.required === true ? value : sometimes(value);
    }),
    // Now and then a parameter the operation does not declare.
    fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 7 },
      fc.constantFrom('sort=id', 'status=draft', 'token=x', 'limit=1e1'),
    ),
  );
  const headers = fc.tuple(
    ...headerParameters.map((parameter) =>
      fc.option(
        fc.oneof(
          // `current` is replaced by the resource's ETag just before sending, so edits succeed.
          { arbitrary: fc.constant(currentVersion), weight: 4 },
          fc.constantFrom('"1"', '"2"', '*'),
          valueFor(parameter.schema),
        ),
        { nil: undefined },
      ),
    ),
  );
  const body =
    bodySchema === undefined
      ? fc.constant(undefined)
      : operation.requestBody?.required === true
        ? fc.oneof({ arbitrary: hostileOr(bodySchema, hints), weight: 9 }, fc.constant(undefined))
        : fc.option(hostileOr(bodySchema, hints), { nil: undefined });
  const credential = fc.oneof(
    { arbitrary: fc.constantFrom<Credential>('admin'), weight: 5 },
    { arbitrary: fc.constantFrom<Credential>('editor', 'writer'), weight: 3 },
    { arbitrary: fc.constantFrom<Credential>('none', 'garbage', 'revoked', 'basic'), weight: 2 },
  );

  return fc
    .tuple(path, query, headers, body, credential)
    .map(([pathValues, queryValues, headerValues, bodyValue, who]) => {
      let url = operation.path;
      pathParameters.forEach((parameter, index) => {
        url = url.replace(`{${parameter.name}}`, encodeURIComponent(String(pathValues[index])));
      });
      const pairs: string[] = [];
      queryParameters.forEach((parameter, index) => {
        const value = queryValues[index];
        if (typeof value === 'string') {
          pairs.push(`${parameter.name}=${encodeURIComponent(value)}`);
        }
      });
      const extra = queryValues[queryParameters.length];
      if (typeof extra === 'string') pairs.push(extra);
      const requestHeaders: Record<string, string> = { ...authorization(who) };
      headerParameters.forEach((parameter, index) => {
        const value = headerValues[index];
        if (value !== undefined) requestHeaders[parameter.name] = String(value);
      });
      if (bodyValue !== undefined) requestHeaders['content-type'] = 'application/json';
      return {
        operation,
        url: pairs.length > 0 ? `${url}?${pairs.join('&')}` : url,
        headers: requestHeaders,
        body: bodyValue,
        credential: who,
      };
    });
}

describe('fuzzing every operation from the OpenAPI document', () => {
  it(`answers ${requests} generated requests with documented statuses and valid bodies, never a 5xx`, async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    ajv.addSchema(document, 'openapi');
    const pointer = (segments: string[]) =>
      `openapi#/${segments.map((segment) => segment.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

    const seen = new Map<string, Map<number, number>>();
    let sent = 0;
    const seenProblem = new Set<string>();
    const arbitrary = fc.constantFrom(...operations).chain(requestFor);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (request) => {
        const { operation } = request;
        const headers = { ...request.headers };
        if (headers['if-match'] === currentVersion) {
          const resource = request.url
            .replace(/\/(publish|unpublish|revisions\/.*)$/, '')
            .split('?')[0];
          const current = await t.app.inject({
            method: 'GET',
            url: resource ?? '',
            headers: authorization('admin'),
          });
          headers['if-match'] = String(current.headers.etag ?? '"0"');
        }
        const response = await t.app.inject({
          method: operation.method.toUpperCase() as 'GET',
          url: request.url,
          headers,
          ...(request.body === undefined ? {} : { payload: JSON.stringify(request.body) }),
        });
        sent += 1;
        const key = `${operation.method.toUpperCase()} ${operation.path}`;
        const statuses = seen.get(key) ?? new Map<number, number>();
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        seen.set(key, statuses);

        const context = `${key} → ${response.statusCode} (${request.url}, ${request.credential})`;
        if (report && response.statusCode >= 400 && !seenProblem.has(key + response.statusCode)) {
          seenProblem.add(key + response.statusCode);
          process.stdout.write(
            `first ${context} ${JSON.stringify(request.body)?.slice(0, 200)} ${response.body.slice(0, 300)}\n`,
          );
        }
        expect(response.statusCode, context).toBeLessThan(500);
        expect(Object.keys(operation.responses), context).toContain(String(response.statusCode));
        const type = String(response.headers['content-type'] ?? '');
        if (response.statusCode >= 400) {
          expect(type, context).toMatch(/^application\/problem\+json/);
          return;
        }
        const documented = Object.keys(
          operation.responses[String(response.statusCode)]?.content ?? {},
        );
        if (documented.length === 0) {
          expect(response.body, context).toBe('');
          return;
        }
        const mediaType = documented.find((candidate) => type.startsWith(candidate));
        expect(mediaType, `${context}: content-type ${type}`).toBeDefined();
        if (mediaType !== 'application/json') return;
        const validate = ajv.getSchema(
          pointer([
            'paths',
            operation.path,
            operation.method,
            'responses',
            String(response.statusCode),
            'content',
            mediaType,
            'schema',
          ]),
        );
        expect(validate, context).toBeDefined();
        if (validate !== undefined && !validate(response.json())) {
          expect.fail(`${context}: ${ajv.errorsText(validate.errors)}`);
        }
      }),
      { seed, numRuns: requests, endOnFailure: true },
    );

    expect(sent).toBeGreaterThanOrEqual(2000);
    const untouched = operations.filter(
      (operation) => !seen.has(`${operation.method.toUpperCase()} ${operation.path}`),
    );
    expect(untouched).toEqual([]);
    const all = [...seen.values()].flatMap((statuses) => [...statuses]);
    const total = (predicate: (status: number) => boolean) =>
      all.filter(([status]) => predicate(status)).reduce((sum, [, count]) => sum + count, 0);
    const succeeded = [...seen].filter(([, statuses]) =>
      [...statuses.keys()].some((status) => status < 300),
    ).length;
    if (report) {
      for (const [operation, statuses] of seen) {
        process.stdout.write(`${operation}: ${JSON.stringify([...statuses])}\n`);
      }
    }
    process.stdout.write(
      `fuzz: ${sent} requests over ${seen.size} operations (seed ${seed}); ` +
        `${total((status) => status < 300)} 2xx, ${total((status) => status >= 400)} 4xx, 0 5xx; ` +
        `${succeeded} operations reached a 2xx\n`,
    );
  }, 180_000);
});
