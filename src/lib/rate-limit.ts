/**
 * Fixed-window counters in memory, per key (a client address). Bounded: expired windows are
 * swept when the table grows, so a flood of distinct addresses cannot exhaust memory.
 */
export interface RateLimiter {
  /** Counts a hit; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string, now: number): number;
}

export function createRateLimiter(options: {
  limit: number;
  windowMs: number;
  maxKeys?: number;
}): RateLimiter {
  const windows = new Map<string, { count: number; resetAt: number }>();
  const maxKeys = options.maxKeys ?? 100_000;
  return {
    hit(key, now) {
      let window = windows.get(key);
      if (window === undefined || window.resetAt <= now) {
        if (windows.size >= maxKeys) {
          for (const [other, entry] of windows) if (entry.resetAt <= now) windows.delete(other);
          // Still full of live windows: forget the oldest rather than grow without bound.
          if (windows.size >= maxKeys) {
            const oldest = windows.keys().next().value;
            if (oldest !== undefined) windows.delete(oldest);
          }
        }
        window = { count: 0, resetAt: now + options.windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return window.count <= options.limit
        ? 0
        : Math.max(1, Math.ceil((window.resetAt - now) / 1000));
    },
  };
}
