import { type AnyColumn, sql, type SQLWrapper, type Table } from 'drizzle-orm';

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
