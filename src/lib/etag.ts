import { createHash } from 'node:crypto';

/** A strong validator over the exact bytes sent. */
export function etagFor(payload: string | Buffer): string {
  return `"${createHash('sha1').update(payload).digest('base64url')}"`;
}
