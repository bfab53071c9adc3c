/**
 * Opaque keyset cursors: the sort key values of the last row of a page, as base64url JSON.
 * Clients must treat them as opaque; the server validates them like any other input.
 */
export function encodeCursor(values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(values), 'utf8').toString('base64url');
}

/** Returns the decoded values, or null when the cursor is not one this server issued. */
export function decodeCursor(cursor: string): unknown[] | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Array.isArray(decoded) ? decoded : null;
  } catch {
    return null;
  }
}
