import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

// Not a benchmark: nothing here asserts a timing. It runs the harness end to end on a tiny
// dataset so that it cannot rot (`npm run bench -- --smoke`), on the backend under test: under
// `npm run test:pg` the bench starts its own PostgreSQL server and runs its PostgreSQL baseline.

const backend = process.env.TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite';

describe('benchmark harness (smoke)', () => {
  it('runs every scenario against Broadsheet and the baseline and writes its reports', () => {
    const temp = tempDir();
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--backend', backend, '--out', temp.dir],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(temp.dir, 'results.json'), 'utf8')) as {
      results: Array<{
        scenario: string;
        broadsheet: { requests: number; errors: number; unexpected: number };
        baseline: unknown;
      }>;
      coldStartMs: number;
    };
    expect(report.results.map((result) => result.scenario)).toEqual([
      'list page 1',
      'single article',
      'list by tag',
      'list deep (page 500)',
      'search',
      'search, uncached',
      'related',
      'RSS feed',
      'front page',
      'sitemap month file',
      'conditional GET (304)',
      'photo file (1024 px WebP)',
      'newsletter signup',
      'editor PATCH (If-Match)',
      'open model (500 req/s, 10% writes)',
      'photo upload (2 MB JPEG)',
      'list during uploads',
      'list page 1, uncached',
      'single article, uncached',
      'list by tag, uncached',
      'list deep (page 500), uncached',
      'related, uncached',
      'RSS feed, uncached',
      'front page, uncached',
    ]);
    for (const result of report.results) {
      expect(result.broadsheet.requests, result.scenario).toBeGreaterThan(0);
      expect(result.broadsheet.errors, result.scenario).toBe(0);
      expect(result.broadsheet.unexpected, result.scenario).toBe(0);
    }
    expect(report.results.filter((result) => result.baseline !== null)).toHaveLength(14);
    expect(readFileSync(join(temp.dir, 'results.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(temp.dir, 'RESULTS.md'), 'utf8')).toContain('| list page 1 |');
    temp.remove();
  }, 120_000);

  it('never writes a partial run over the committed results', () => {
    const committed = readFileSync('bench/results.json', 'utf8');
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--only', 'list page 1'],
      { encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync('bench/results.json', 'utf8')).toBe(committed);
    const written = /Results written to (.+)\/ \(/.exec(run.stderr)?.[1];
    expect(written, run.stderr).toBeDefined();
    const report = JSON.parse(readFileSync(join(written ?? '', 'results.json'), 'utf8')) as {
      results: Array<{ scenario: string }>;
    };
    expect(report.results.map((result) => result.scenario)).toEqual([
      'list page 1',
      'list page 1, uncached',
    ]);
    rmSync(written ?? '', { recursive: true, force: true });
  }, 120_000);
});
