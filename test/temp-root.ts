import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Vitest global setup: one directory for every temporary file of a run (databases, media files,
// exports), removed when the run ends. Test files make hundreds and remove few one by one; the
// worker processes find it in the environment they inherit (test/helpers.ts, tempDir).
export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'broadsheet-tests-'));
  process.env.BROADSHEET_TEST_TMP = root;
  return () => rmSync(root, { recursive: true, force: true });
}
