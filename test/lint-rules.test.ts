import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The architecture rules must be able to fail: lint sample code as if it lived in a module.

const eslint = new ESLint();

async function ruleViolations(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.message);
}

describe('architecture lint rules', () => {
  it('forbid drivers and synchronous query execution in modules', async () => {
    const messages = await ruleViolations(
      [
        "import Database from 'better-sqlite3';",
        "import { drizzle } from 'drizzle-orm/better-sqlite3';",
        'export const bad = (q: { get(): 1; all(): 1; run(): 1; values(): 1; prepare(): 1 }) =>',
        '  [q.get(), q.all(), q.run(), q.values(), q.prepare(), Database, drizzle];',
      ].join('\n'),
      'src/modules/articles/articles.repository.ts',
    );
    expect(messages.filter((m) => m.includes('Store')).length).toBeGreaterThanOrEqual(6);
    expect(messages.some((m) => m.includes('store.statement'))).toBe(true);
  });

  it('allow the harmless look-alikes: Map.get(key), Promise.all, insert().values(row)', async () => {
    const messages = await ruleViolations(
      [
        'export const fine = async (m: Map<string, number>, q: { values(row: object): 1 }) =>',
        "  [m.get('a'), await Promise.all([]), q.values({ a: 1 })];",
      ].join('\n'),
      'src/modules/articles/articles.repository.ts',
    );
    expect(messages).toEqual([]);
  });

  it('keep Fastify out of repositories and Drizzle out of routes', async () => {
    expect(
      await ruleViolations(
        "import fastify from 'fastify';\nexport default fastify;\n",
        'src/modules/tags/tags.repository.ts',
      ),
    ).toEqual([expect.stringContaining('Repositories never import Fastify')]);
    expect(
      await ruleViolations(
        "import { eq } from 'drizzle-orm';\nexport default eq;\n",
        'src/modules/tags/tags.admin.routes.ts',
      ),
    ).toEqual([expect.stringContaining('Routes never build queries')]);
  });
});
