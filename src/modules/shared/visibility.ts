import { and, type AnyColumn, eq, sql, type SQLWrapper, type Table } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Store } from '../../db/store.ts';

/**
 * "Carried by an article a reader can see": an author or tag is public only then. The join
 * tables hold the article's publication time only while it is published, so the condition is one
 * index probe on (owner, published_at).
 */
export function carriedByVisibleArticle(
  join: { table: Table; owner: AnyColumn; publishedAt: AnyColumn },
  ownerId: AnyColumn,
  now: SQLWrapper | number,
) {
  return sql`exists (select 1 from ${join.table} where ${join.owner} = ${ownerId} and ${join.publishedAt} <= ${now})`;
}

/**
 * The public reads of records that are public only while a visible article carries them
 * (authors through bylines, tags through article tags): one by slug, prepared once, and the
 * condition for lists.
 */
export function visibleThroughArticles<
  T extends SQLiteTable & { id: SQLiteColumn; slug: SQLiteColumn },
>(
  store: Store,
  name: string,
  table: T,
  join: { table: Table; owner: AnyColumn; publishedAt: AnyColumn },
) {
  type Row = T['$inferSelect'];
  const carried = (now: SQLWrapper | number) => carriedByVisibleArticle(join, table.id, now);
  const bySlug = store.statement<Row[], { slug: string; now: number }>(
    `${name}.visibleBySlug`,
    (db) =>
      db
        .select()
        .from(table)
        .where(and(eq(table.slug, sql.placeholder('slug')), carried(sql.placeholder('now'))))
        .limit(1),
  );
  return {
    /** The record at `slug` if a reader can see it at `now`. */
    async findVisibleBySlug(slug: string, now: Date): Promise<Row | undefined> {
      const [row] = await bySlug({ slug, now: now.getTime() });
      return row;
    },
    /** The list condition: carried by an article visible at `now`. */
    visibleAt: (now: Date) => carried(now.getTime()),
  };
}
