import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

// Not a benchmark: nothing here asserts a timing. It runs the harness end to end on a tiny
// dataset so that it cannot rot (`npm run bench -- --smoke`).

describe('benchmark harness (smoke)', () => {
  it('runs every scenario against Broadsheet and the baseline and writes its reports', () => {
    const temp = tempDir();
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'bench/run.ts', '--smoke', '--out', temp.dir],
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
      'conditional GET (304)',
      'newsletter signup',
      'editor PATCH (If-Match)',
    ]);
    for (const result of report.results) {
      expect(result.broadsheet.requests, result.scenario).toBeGreaterThan(0);
      expect(result.broadsheet.errors, result.scenario).toBe(0);
      expect(result.broadsheet.unexpected, result.scenario).toBe(0);
    }
    expect(report.results.filter((result) => result.baseline !== null)).toHaveLength(2);
    expect(readFileSync(join(temp.dir, 'results.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(temp.dir, 'RESULTS.md'), 'utf8')).toContain('| list page 1 |');
    temp.remove();
  }, 120_000);
});
