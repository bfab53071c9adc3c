import { randomBytes } from 'node:crypto';

const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A prefixed ULID (`art_01J...`): sortable by creation time, so new rows land at the end of
 * primary-key indexes, and the prefix tells a human which resource an id belongs to.
 */
export function newId(prefix: string, now: number = Date.now()): string {
  let time = '';
  let remaining = now;
  for (let i = 0; i < 10; i += 1) {
    time = crockford.charAt(remaining % 32) + time;
    remaining = Math.floor(remaining / 32);
  }
  const random = randomBytes(16);
  let tail = '';
  for (let i = 0; i < 16; i += 1) tail += crockford.charAt((random[i] ?? 0) % 32);
  return `${prefix}_${time}${tail}`.toLowerCase();
}
