import { createHmac, timingSafeEqual } from 'node:crypto';

// Draft preview links: `<expiry in epoch seconds>.<base64url HMAC-SHA256>` over the article's id
// and that expiry, under the instance's preview key. A token opens one article until it expires;
// replacing the key (rotation) closes every link issued before.

const tokenPattern = /^(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

const signature = (key: Buffer, articleId: string, expiresAtSeconds: number) =>
  createHmac('sha256', key)
    .update(`broadsheet-preview:v1:${articleId}:${expiresAtSeconds}`)
    .digest('base64url');

/** A token for `articleId`, valid until `expiresAt` (cut to whole seconds). */
export function signPreviewToken(key: Buffer, articleId: string, expiresAt: Date): string {
  const seconds = Math.floor(expiresAt.getTime() / 1000);
  return `${seconds}.${signature(key, articleId, seconds)}`;
}

/** Whether `token` was signed with `key` for `articleId` and is still valid at `now`. */
export function verifyPreviewToken(
  key: Buffer,
  articleId: string,
  token: string,
  now: Date,
): boolean {
  const match = tokenPattern.exec(token);
  if (match === null) return false;
  const seconds = Number(match[1]);
  if (seconds * 1000 <= now.getTime()) return false;
  const expected = Buffer.from(signature(key, articleId, seconds));
  const given = Buffer.from(match[2] ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
