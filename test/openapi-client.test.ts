import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.ts';

// A client generated from the committed document by a maintained generator (openapi-typescript,
// with openapi-fetch) must type what the server does: if the document regresses (a `limit`
// typed as a string, a missing body schema), this script stops typechecking and the test fails.
// The same script then runs against the real app, so the types are not only consistent but true.

const workDir = join(process.cwd(), 'node_modules', '.cache', 'broadsheet-client-check');
let t: TestApp | undefined;
afterAll(async () => {
  await t?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const script = `import createClient from 'openapi-fetch';
import type { paths } from './api.ts';

/** Never called: these calls must not typecheck. */
export function misuses(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error limit is an integer in the document, never a string
  const stringLimit = client.GET('/v1/articles', { params: { query: { limit: '3' } } });
  // @ts-expect-error the If-Match header is required on a PATCH of an article
  const noIfMatch = client.PATCH('/v1/admin/articles/{id}', { params: { path: { id: 'x' } }, body: { headline: 'x' } });
  return [stringLimit, noIfMatch];
}

export async function run(baseUrl: string, token: string) {
  const client = createClient<paths>({ baseUrl });
  const list = await client.GET('/v1/articles', { params: { query: { limit: 3 } } });
  const slugs: string[] = (list.data?.data ?? []).map((article) => article.slug);
  const nextCursor: string | null | undefined = list.data?.meta.nextCursor;
  const one = await client.GET('/v1/articles/{slug}', {
    params: { path: { slug: slugs[0] ?? 'none' }, query: {} },
  });
  const bodyHtml: string | undefined = one.data?.data.bodyHtml;
  const credit: string | null | undefined = one.data?.data.photo?.credit.line;
  const created = await client.POST('/v1/admin/tags', {
    body: { name: 'Elections' },
    headers: { Authorization: \`Bearer \${token}\` },
  });
  const tagId: string | undefined = created.data?.data.id;
  const problem: string | undefined = created.error?.title;
  return { slugs, nextCursor, bodyHtml, credit, tagId, problem, status: created.response.status };
}
`;

describe('a client generated from the committed OpenAPI document', () => {
  it('typechecks a script that lists, reads and creates, and that script works against the server', async () => {
    const document = new URL('../openapi/openapi.json', import.meta.url);
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, 'api.ts'), astToString(await openapiTS(document)));
    writeFileSync(join(workDir, 'client.ts'), script);

    const program = ts.createProgram([join(workDir, 'client.ts')], {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2023,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      allowImportingTsExtensions: true,
      skipLibCheck: true,
      lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
      types: [],
    });
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    t = await createTestApp();
    const { seedDemoIfEmpty } = await import('../src/seed.ts');
    await seedDemoIfEmpty(t.app);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    const { run } = (await import(join(workDir, 'client.ts'))) as {
      run: (baseUrl: string, token: string) => Promise<Record<string, unknown>>;
    };
    const result = await run(`http://127.0.0.1:${port}`, await t.token('editor'));
    expect(result).toMatchObject({
      slugs: expect.arrayContaining([expect.any(String)]),
      bodyHtml: expect.stringContaining('<p>'),
      tagId: expect.stringMatching(/^tag_/),
      status: 201,
    });
    expect((result.slugs as string[]).length).toBeLessThanOrEqual(3);
  });
});
