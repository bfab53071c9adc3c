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

  it('keep HTTP out of repositories and the storage helpers: no errors, HTTP schemas or plugins', async () => {
    const code = [
      "import { notFound } from '../../errors.ts';",
      "import { iso } from '../../schemas.ts';",
      "import { tagSchema } from './tags.schemas.ts';",
      "import { bearerSecurity } from '../../plugins/openapi.ts';",
      'export default [notFound, iso, tagSchema, bearerSecurity];',
    ].join('\n');
    for (const file of [
      'src/modules/tags/tags.repository.ts',
      'src/modules/articles/articles.embed.ts',
      'src/modules/shared/slugs.ts',
    ]) {
      const messages = await ruleViolations(code, file);
      expect(messages.filter((m) => m.includes('Repositories know no HTTP'))).toHaveLength(2);
      expect(messages.filter((m) => m.includes('not the HTTP contract'))).toHaveLength(2);
    }
  });

  it('keep Fastify and Drizzle out of services', async () => {
    const messages = await ruleViolations(
      [
        "import fastify from 'fastify';",
        "import { eq } from 'drizzle-orm';",
        "import { sqliteTable } from 'drizzle-orm/sqlite-core';",
        "import { tagAdminRoutes } from './tags.admin.routes.ts';",
        'export default [fastify, eq, sqliteTable, tagAdminRoutes];',
      ].join('\n'),
      'src/modules/tags/tags.service.ts',
    );
    expect(messages.filter((m) => m.includes('Services never import Fastify'))).toHaveLength(1);
    expect(messages.filter((m) => m.includes('Services never build queries'))).toHaveLength(2);
    expect(messages.filter((m) => m.includes('Layers point one way'))).toHaveLength(1);
  });

  it('keep the store and repositories out of routes: they call their service', async () => {
    const messages = await ruleViolations(
      [
        "import type { Store } from '../../db/store.ts';",
        "import { createTagsRepository } from './tags.repository.ts';",
        'export type Both = [Store, typeof createTagsRepository];',
      ].join('\n'),
      'src/modules/tags/tags.public.routes.ts',
    );
    expect(messages.filter((m) => m.includes('only through their service'))).toHaveLength(2);
  });

  it('let each layer import what it is meant to', async () => {
    expect(
      await ruleViolations(
        [
          "import { eq } from 'drizzle-orm';",
          "import type { Store } from '../../db/store.ts';",
          "import { SlugTakenError } from '../shared/record-errors.ts';",
          'export default [eq, SlugTakenError] as const;',
          'export type S = Store;',
        ].join('\n'),
        'src/modules/tags/tags.repository.ts',
      ),
    ).toEqual([]);
    expect(
      await ruleViolations(
        [
          "import { notFound } from '../../errors.ts';",
          "import { iso } from '../../schemas.ts';",
          "import type { TagsRepository } from './tags.repository.ts';",
          'export default [notFound, iso] as const;',
          'export type R = TagsRepository;',
        ].join('\n'),
        'src/modules/tags/tags.service.ts',
      ),
    ).toEqual([]);
  });
});
