import { and, eq, gte, lt, ne, type SQL } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../../db/store.ts';
import { firstFreeSlug, slugify } from '../../lib/slugify.ts';
import { SlugTakenError } from './record-errors.ts';

export interface SlugClaim {
  table: SQLiteTable;
  slugColumn: SQLiteColumn;
  idColumn: SQLiteColumn;
  /** The slug asked for, if any: taken is a `SlugTakenError`, never a silent rename. */
  requested: string | undefined;
  /** Text to derive a slug from when none was requested (a name, a headline). */
  source: string;
  /** Used when the source has nothing slug-worthy in it (only emoji, say). */
  fallback: string;
  /** The row being updated, which may keep its own slug. */
  ownId?: string;
  /** Narrows uniqueness, e.g. to one language. */
  scope?: SQL;
}

/** Claims on one table's slugs: `(requested, source, ownId?)` as `claimSlug` takes them. */
export function slugClaims(
  table: SQLiteTable & { id: SQLiteColumn; slug: SQLiteColumn },
  fallback: string,
) {
  return (requested: string | undefined, source: string, ownId?: string): SlugClaim => ({
    table,
    slugColumn: table.slug,
    idColumn: table.id,
    requested,
    source,
    fallback,
    ...(ownId === undefined ? {} : { ownId }),
  });
}

/**
 * Chooses a free slug inside a write transaction. The transaction holds the write lock, so the
 * slug cannot be taken between this check and the insert; the unique index backs it up anyway.
 */
export async function claimSlug(tx: Db, claim: SlugClaim): Promise<string> {
  const notSelf = claim.ownId === undefined ? undefined : ne(claim.idColumn, claim.ownId);
  if (claim.requested !== undefined) {
    const taken = await tx
      .select({ slug: claim.slugColumn })
      .from(claim.table)
      .where(and(eq(claim.slugColumn, claim.requested), notSelf, claim.scope))
      .limit(1);
    if (taken.length > 0) throw new SlugTakenError(claim.requested);
    return claim.requested;
  }
  const base = slugify(claim.source) || claim.fallback;
  // Slugs hold only [a-z0-9-], and '.' sorts just after '-' and before every digit and letter,
  // so [base, base + '.') holds exactly `base` and `base-…`: one range on the slug index. (A
  // LIKE 'base-%' cannot use it, and scanned every slug: 7.5 ms an article at 100,000.)
  const rows = await tx
    .select({ slug: claim.slugColumn })
    .from(claim.table)
    .where(
      and(gte(claim.slugColumn, base), lt(claim.slugColumn, `${base}.`), notSelf, claim.scope),
    );
  return firstFreeSlug(base, new Set(rows.map((row) => String(row.slug))));
}
