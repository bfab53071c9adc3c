import SwaggerParser from '@apidevtools/swagger-parser';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.ts';

type Operation = {
  operationId?: string;
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  responses?: Record<string, { content?: Record<string, unknown> }>;
};
type Document = { paths: Record<string, Record<string, Operation>> };

let t: TestApp;
let generated: Document;

beforeAll(async () => {
  t = await createTestApp();
  generated = JSON.parse(JSON.stringify(t.app.swagger())) as Document;
});
afterAll(async () => t.close());

describe('OpenAPI document', () => {
  it('is committed and matches what the app generates (run `npm run openapi` after changing a route)', () => {
    const committed = JSON.parse(readFileSync('openapi/openapi.json', 'utf8')) as unknown;
    expect(committed).toEqual(generated);
  });

  it('is a valid OpenAPI document', async () => {
    await expect(
      SwaggerParser.validate(structuredClone(generated) as never),
    ).resolves.toBeDefined();
  });

  it('is served at /openapi.json, with a UI at /docs', async () => {
    const served = await t.api.get('/openapi.json').expect(200);
    expect(served.body).toEqual(generated);
    await t.api.get('/docs').redirects(1).expect(200);
  });

  it('gives every operation an id, a summary, a tag, its security and problem+json errors', () => {
    const operationIds = new Set<string>();
    for (const [path, methods] of Object.entries(generated.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const label = `${method.toUpperCase()} ${path}`;
        expect(operation.operationId, label).toBeTruthy();
        expect(
          operationIds.has(operation.operationId ?? ''),
          `${label} duplicate operationId`,
        ).toBe(false);
        operationIds.add(operation.operationId ?? '');
        expect(operation.summary, label).toBeTruthy();
        // Who may call it, stated once (GET and its HEAD twin share one schema object).
        const paragraphs = (operation.description ?? '').split('\n\n');
        expect(paragraphs.length, label).toBeGreaterThan(0);
        expect(new Set(paragraphs).size, `${label} repeats a paragraph`).toBe(paragraphs.length);
        expect(operation.tags?.length, label).toBeGreaterThan(0);
        const expectedSecurity = path.startsWith('/v1/admin/') ? [{ bearerAuth: [] }] : [];
        expect(operation.security, label).toEqual(expectedSecurity);
        for (const [status, response] of Object.entries(operation.responses ?? {})) {
          if (Number(status) >= 400)
            expect(Object.keys(response.content ?? {}), `${label} ${status}`).toEqual([
              'application/problem+json',
            ]);
        }
        if (path.startsWith('/v1/admin/')) {
          expect(Object.keys(operation.responses ?? {}), label).toEqual(
            expect.arrayContaining(['401', '403']),
          );
        }
      }
    }
  });

  it('never documents a private field in a public response', () => {
    const components = (
      generated as unknown as { components: { schemas: Record<string, unknown> } }
    ).components.schemas;
    // Follow $refs so a public response cannot reach a private field through a shared schema.
    const expand = (value: unknown, seen = new Set<string>()): string => {
      const text = JSON.stringify(value);
      const refs = [...text.matchAll(/#\/components\/schemas\/(\w+)/g)].map(
        (match) => match[1] ?? '',
      );
      return refs
        .filter((ref) => !seen.has(ref))
        .reduce((all, ref) => all + expand(components[ref], seen.add(ref)), text);
    };
    const publicPaths = Object.entries(generated.paths).filter(
      ([path]) => !path.startsWith('/v1/admin/'),
    );
    for (const [path, methods] of publicPaths) {
      for (const [method, operation] of Object.entries(methods)) {
        const responses = expand(operation.responses);
        expect(responses, `${method} ${path}`).not.toMatch(
          /AdminAuthor|"email"|"ipHash"|tokenHash|"token"|"body"|"status":\{"type":"string","enum":\["draft/,
        );
      }
    }
    expect(publicPaths.length).toBeGreaterThan(0);
  });
});
