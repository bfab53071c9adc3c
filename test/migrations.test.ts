import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

describe.each([
  { dialect: 'sqlite', schema: 'src/db/schema.ts' },
  { dialect: 'postgresql', schema: 'src/db/schema-pg.ts' },
])('$dialect migrations', ({ dialect, schema }) => {
  const folder = dialect === 'sqlite' ? 'migrations/sqlite' : 'migrations/postgres';
  it('match the Drizzle schema: drizzle-kit generate has nothing left to write', () => {
    const temp = tempDir();
    const out = join(temp.dir, 'migrations');
    cpSync(folder, out, { recursive: true });
    const before = readdirSync(out).sort();
    // drizzle-kit joins --out onto './', so it must be relative.
    const run = spawnSync(
      'npx',
      [
        'drizzle-kit',
        'generate',
        '--dialect',
        dialect,
        '--schema',
        schema,
        '--out',
        relative(process.cwd(), out),
      ],
      { encoding: 'utf8' },
    );
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(readdirSync(out).sort(), output).toEqual(before);
    expect(output).toMatch(/No schema changes/);
    temp.remove();
  }, 60_000);
});
