import { and, asc, eq, gt, gte, inArray, lt, lte, or, sql } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';

// The photo-usage statement reads articles first published in a period together with the photos
// they showed (lead and social), in publication order, a keyset batch at a time.

export interface PhotoUseRow {
  photoId: string;
  agency: string | null;
  photographer: string | null;
  license: string | null;
  articleId: string;
  slug: string;
  language: string;
  headline: string;
  publishedAt: Date | null;
  leadPhotoId: string | null;
  socialPhotoId: string | null;
}

export interface UsePosition {
  at: number;
  articleId: string;
  photoId: string;
}

export function createReportsRepository(store: Store) {
  const { articles, photos } = store.tables;
  // Published then, whatever became of the article since: an archived story still used it.
  const usedIn = (period: { from: Date; to: Date; now: Date }, agency: string | undefined) =>
    and(
      inArray(articles.status, ['published', 'archived']),
      gte(articles.publishedAt, period.from),
      lt(articles.publishedAt, period.to),
      lte(articles.publishedAt, period.now),
      agency === undefined ? undefined : sql`lower(${photos.agency}) = lower(${agency})`,
    );
  const shows = or(eq(photos.id, articles.photoId), eq(photos.id, articles.socialPhotoId));

  return {
    /** How many (article, photo) uses the period holds. */
    async countUses(period: { from: Date; to: Date; now: Date }, agency?: string): Promise<number> {
      const [row] = await store.db
        .select({ uses: sql<number>`count(*)` })
        .from(articles)
        .innerJoin(photos, shows)
        .where(usedIn(period, agency));
      return Number(row?.uses ?? 0);
    },

    /** Up to `limit` uses after `after`, in order of publication (then article, then photo). */
    uses(
      period: { from: Date; to: Date; now: Date },
      agency: string | undefined,
      after: UsePosition | null,
      limit: number,
    ): Promise<PhotoUseRow[]> {
      const position =
        after === null
          ? undefined
          : or(
              gt(articles.publishedAt, new Date(after.at)),
              and(
                eq(articles.publishedAt, new Date(after.at)),
                or(
                  gt(articles.id, after.articleId),
                  and(eq(articles.id, after.articleId), gt(photos.id, after.photoId)),
                ),
              ),
            );
      return store.db
        .select({
          photoId: photos.id,
          agency: photos.agency,
          photographer: photos.photographer,
          license: photos.license,
          articleId: articles.id,
          slug: articles.slug,
          language: articles.language,
          headline: articles.headline,
          publishedAt: articles.publishedAt,
          leadPhotoId: articles.photoId,
          socialPhotoId: articles.socialPhotoId,
        })
        .from(articles)
        .innerJoin(photos, shows)
        .where(and(usedIn(period, agency), position))
        .orderBy(asc(articles.publishedAt), asc(articles.id), asc(photos.id))
        .limit(limit);
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
