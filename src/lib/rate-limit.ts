/**
 * Fixed-window counters in memory, per key (a client address). Bounded: expired windows are
 * swept as new ones start, and at `maxKeys` the oldest is forgotten, so a flood of distinct
 * addresses can exhaust neither memory nor time.
 */
export interface RateLimiter {
  /** Counts a hit; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string, now: number): number;
  /** Counts a hit and tells what is left of the key's window. */
  take(key: string, now: number): { allowed: boolean; remaining: number; resetSeconds: number };
}

export function createRateLimiter(options: {
  limit: number;
  windowMs: number;
  maxKeys?: number;
}): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  function take(key: string, now: number) {
    let window = windows.get(key);
    if (window === undefined || window.resetAt <= now) {
      // Windows are re-inserted when they start, so the Map is ordered by reset time: expired
      // ones are at the front, and sweeping stops at the first live one (O(1) amortised, even
      // under a flood of distinct addresses).
      windows.delete(key);
      for (const [other, entry] of windows) {
        if (entry.resetAt > now && windows.size < maxKeys) break;
        // Expired, or still full of live windows: forget the oldest rather than grow.
        windows.delete(other);
      }
      window = { count: 0, resetAt: now + options.windowMs };
      windows.set(key, window);
    }
    window.count += 1;
    return {
      allowed: window.count <= options.limit,
      remaining: Math.max(0, options.limit - window.count),
      resetSeconds: Math.max(1, Math.ceil((window.resetAt - now) / 1000)),
    };
  }
  return {
    take,
    hit(key, now) {
      const state = take(key, now);
      return state.allowed ? 0 : state.resetSeconds;
    },
  };
}

/**
 * The key a client is limited by. An IPv6 host usually owns a whole /64 (and can pick any
 * address in it), so IPv6 clients are counted per /64; IPv4-mapped addresses count as IPv4.
 */
export function clientKey(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (!address.includes(':')) return address;
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = address.includes('::')
    ? [
        ...headGroups,
        ...Array<string>(8 - headGroups.length - tailGroups.length).fill('0'),
        ...tailGroups,
      ]
    : headGroups;
  return `${groups
    .slice(0, 4)
    .map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
