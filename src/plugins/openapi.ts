import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { withWebhooks } from '../modules/webhooks/webhooks.openapi.ts';
import type { FastifyInstance } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { rateLimitHeaderDocs, retryAfterHeaderDoc } from './rate-limit.ts';

export const bearerSecurity = [{ bearerAuth: [] }];
export const publicSecurity = [];

export const openApiInfo = {
  title: 'Broadsheet API',
  version: '1',
  description:
    'Headless CMS for news publishers. Public content routes under `/v1` need no credentials and ' +
    'serve published content only; editor routes under `/v1/admin` need `Authorization: Bearer <token>`. ' +
    'Errors are RFC 9457 problem details (`application/problem+json`). No string in a path, query ' +
    'or body may contain U+0000 (NUL): such a request is a 400 naming each field.',
};

const int32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };

/**
 * zod's JSON Schema gives integers their bounds but no `format`; derive int32 or int64 from
 * those same bounds, so generated clients pick the right type (and OWASP API4 is satisfied).
 */
export function withIntegerFormats<T>(node: T): T {
  if (Array.isArray(node)) {
    for (const item of node) withIntegerFormats(item);
  } else if (typeof node === 'object' && node !== null) {
    const schema = node as Record<string, unknown>;
    if (schema.type === 'integer' && schema.format === undefined) {
      const fits =
        typeof schema.minimum === 'number' &&
        typeof schema.maximum === 'number' &&
        schema.minimum >= int32.min &&
        schema.maximum <= int32.max;
      schema.format = fits ? 'int32' : 'int64';
    }
    for (const value of Object.values(schema)) withIntegerFormats(value);
  }
  return node;
}

const corsHeaderDoc = {
  'Access-Control-Allow-Origin': {
    description: 'Present when the request’s Origin is one of CORS_ORIGINS (then that origin).',
    schema: { type: 'string', maxLength: 2048 },
  },
};

/** Every 2xx and 4xx answer carries the rate-limit headers; every 429 also Retry-After. */
function withResponseHeaders<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation as { responses?: Record<string, { headers?: object }> })
        .responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (!/^[24]/.test(status)) continue;
        response.headers = {
          ...response.headers,
          ...rateLimitHeaderDocs,
          ...corsHeaderDoc,
          ...(status === '429' ? retryAfterHeaderDoc : {}),
        };
      }
    }
  }
  return document;
}

const componentRef = '#/components/schemas/';

function refsIn(node: unknown, found: Set<string>): Set<string> {
  if (Array.isArray(node)) for (const item of node) refsIn(item, found);
  else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(componentRef))
        found.add(value.slice(componentRef.length));
      else refsIn(value, found);
    }
  }
  return found;
}

function renameRefs(node: unknown, names: Map<string, string>): void {
  if (Array.isArray(node)) for (const item of node) renameRefs(item, names);
  else if (typeof node === 'object' && node !== null) {
    const record = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(record)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(componentRef)) {
        const renamed = names.get(value.slice(componentRef.length));
        if (renamed !== undefined) record[key] = `${componentRef}${renamed}`;
      } else renameRefs(value, names);
    }
  }
}

/**
 * The zod provider emits every named schema twice, as read (`Tag`) and as written (`TagInput`).
 * Client generators turn each component into a type, so keep only those an operation uses, and
 * give a schema used only as a request its own name (`CreateTagRequest`, not `…Input`).
 */
export function withUsedComponents<T>(document: T): T {
  const doc = document as { paths?: unknown; components?: { schemas?: Record<string, unknown> } };
  const schemas = doc.components?.schemas;
  if (schemas === undefined) return document;
  const used = new Set<string>();
  let frontier = refsIn(doc.paths, new Set());
  while (frontier.size > 0) {
    const next = new Set<string>();
    for (const name of frontier) {
      if (used.has(name)) continue;
      used.add(name);
      refsIn(schemas[name], next);
    }
    frontier = next;
  }
  const renames = new Map<string, string>();
  for (const name of used) {
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined;
    if (plain !== undefined && !used.has(plain)) renames.set(name, plain);
  }
  const kept: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    if (used.has(name)) kept[renames.get(name) ?? name] = schema;
  }
  renameRefs(doc.paths, renames);
  renameRefs(kept, renames);
  doc.components = { ...doc.components, schemas: kept };
  return document;
}

/**
 * Every response says what it is: the schema's own description, else the HTTP reason phrase
 * (Fastify's swagger writes "Default Response" where a route gives none).
 */
export function withResponseDescriptions<T>(document: T): T {
  const paths = (document as { paths?: Record<string, Record<string, unknown>> }).paths ?? {};
  for (const operations of Object.values(paths)) {
    for (const operation of Object.values(operations)) {
      const responses = (operation as { responses?: Record<string, Record<string, unknown>> })
        .responses;
      for (const [status, response] of Object.entries(responses ?? {})) {
        if (response.description !== 'Default Response') continue;
        response.description = STATUS_CODES[Number(status)] ?? 'Response';
      }
    }
  }
  return document;
}

// Relative: the instance that serves the document. `x-internal: false`: a public API.
const servers: Array<{ url: string; description: string }> = [
  {
    url: '/',
    description:
      'The instance serving this document, in whichever environment it runs (local, staging or production).',
    ...{ 'x-internal': false },
  },
];

/**
 * Appends a sentence to an operation's description once: Fastify announces a GET route twice
 * (GET and its HEAD twin) with the same schema object.
 */
export function withSentence(schema: object | undefined, sentence: string): object {
  const target = (schema ?? {}) as Record<string, unknown>;
  const before = typeof target.description === 'string' ? target.description : '';
  if (!before.includes(sentence)) {
    target.description = before === '' ? sentence : `${before}\n\n${sentence}`;
  }
  return target;
}

/** States in every operation's description of a scope who may call it. */
export function describeAccess(scope: FastifyInstance, sentence: string): void {
  scope.addHook('onRoute', (routeOptions) => {
    routeOptions.schema = withSentence(routeOptions.schema, sentence);
  });
}

export async function registerOpenApi(
  app: FastifyInstance,
  options: { docsUi: boolean },
): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: openApiInfo,
      servers,
      tags: [
        {
          name: 'Articles',
          description: 'Stories: the editorial workflow and the published content.',
        },
        {
          name: 'Previews',
          description:
            'Signed, expiring links that show an unpublished article as readers will see it.',
        },
        {
          name: 'Feeds',
          description:
            'RSS and Atom feeds of the published articles: site-wide, per tag, per author.',
        },
        {
          name: 'Collections',
          description:
            'Curated fronts and sections: pinned articles in the editors’ order, then the newest a rule takes.',
        },
        {
          name: 'Corrections',
          description:
            'The standards record: corrections, clarifications, updates and retractions of published articles.',
        },
        {
          name: 'Sitemaps',
          description: 'Sitemaps (with Google News and images) and robots.txt, for crawlers.',
        },
        { name: 'Authors', description: 'Bylines (people, not logins).' },
        {
          name: 'Photos',
          description:
            'Images with alt text, caption and photo-agency credit: external addresses or uploaded files with their renditions.',
        },
        {
          name: 'Reports',
          description: 'What the newsroom owes: the photo-usage statement per agency.',
        },
        { name: 'Tags', description: 'Topics; an article’s first tag is its primary tag.' },
        {
          name: 'Newsletters',
          description: 'Newsletters, double opt-in signups and their consent records.',
        },
        {
          name: 'Pages',
          description: 'Standalone pages such as the privacy policy, with every version kept.',
        },
        { name: 'Appeals', description: 'Reader-revenue appeals (the "support us" box).' },
        { name: 'Tokens', description: 'API tokens for editor routes (admin only).' },
        {
          name: 'Webhooks',
          description:
            'Signed events (Standard Webhooks) sent to subscribed endpoints from a transactional outbox.',
        },
        { name: 'Health', description: 'Liveness and readiness probes.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (`bs_…`).' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: (document) =>
      withIntegerFormats(
        withWebhooks(
          withUsedComponents(
            withResponseDescriptions(
              withResponseHeaders(withIntegerFormats(jsonSchemaTransformObject(document))),
            ),
          ),
        ),
      ),
  });
  // The reference UI is optional (DOCS_ENABLED=false); the document itself is always served.
  if (options.docsUi) await app.register(swaggerUi, { routePrefix: '/docs' });
}
