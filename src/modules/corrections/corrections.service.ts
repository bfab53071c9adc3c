import { z } from 'zod';
import { encodeCursor } from '../../lib/cursor.ts';
import { serializerFor } from '../../lib/json-serializer.ts';
import { pageLimit, readCursor } from '../../pagination.ts';
import { iso, publicListEnvelope } from '../../schemas.ts';
import type { CorrectionRecord } from '../articles/articles.embed.ts';
import type { ArticleUrl } from '../articles/articles.service.ts';
import type { Clock } from '../shared/clock.ts';
import { keys } from '../shared/content-keys.ts';
import type { PublicAnswer } from '../shared/public-routes.ts';
import { correctionsRssDocument } from '../feeds/feeds.xml.ts';
import type { CorrectionsRepository } from './corrections.repository.ts';
import {
  type AdminCorrection,
  type Correction,
  type ListedCorrection,
  listedCorrectionSchema,
} from './corrections.schemas.ts';

const cursorShape = z.tuple([z.number().int(), z.string().max(64)]);
const serializeList = serializerFor(publicListEnvelope(listedCorrectionSchema));

// Response objects for corrections, and the public site-wide list. The rules (who may, on which
// article, under its version) are in the articles service: a correction changes its article.

export function toCorrection(record: CorrectionRecord): Correction {
  return {
    id: record.id,
    kind: record.kind,
    text: record.text,
    publishedAt: iso(record.publishedAt),
    updatedAt: iso(record.updatedAt),
  };
}

export function toAdminCorrection(record: CorrectionRecord): AdminCorrection {
  return { ...toCorrection(record), history: record.history };
}

/** The site-wide list: corrections of visible articles, newest first, by the articles' keys. */
export interface CorrectionFeedSettings {
  /** Items in the corrections feed (FEED_ITEMS). */
  items: number;
  publicationName: string;
  siteUrl: string;
  apiUrl: string;
}

export function createPublicCorrectionsService(deps: {
  repository: CorrectionsRepository;
  clock: Clock;
  articleUrl: ArticleUrl;
  nextDueAt: (now: Date) => Promise<number | null>;
  feed: CorrectionFeedSettings;
}) {
  const { repository, clock, articleUrl, feed } = deps;

  /** Up to `limit` listed corrections below `bound`, and whether there are more. */
  async function visible(
    now: Date,
    bound: { at: number; id: string },
    limit: number,
    language: string | undefined,
  ) {
    const rows = await repository.listVisible(now, bound, limit + 1, language);
    const data: ListedCorrection[] = rows.slice(0, limit).map(({ correction, article }) => ({
      ...toCorrection(correction),
      article: {
        id: article.id,
        slug: article.slug,
        language: article.language,
        headline: article.headline,
        url: articleUrl(article),
      },
    }));
    return { data, more: rows.length > limit };
  }

  return {
    async list(query: {
      limit?: number | undefined;
      cursor?: string | undefined;
      language?: string | undefined;
    }): Promise<PublicAnswer> {
      const limit = pageLimit(query.limit);
      const now = clock.now();
      const position = readCursor(query.cursor, cursorShape);
      const bound =
        position === null
          ? { at: now.getTime() + 1, id: '' }
          : { at: position[0], id: position[1] };
      const { data, more } = await visible(now, bound, limit, query.language);
      const last = data.at(-1);
      const nextCursor =
        more && last !== undefined ? encodeCursor([Date.parse(last.publishedAt), last.id]) : null;
      return {
        body: serializeList({ data, meta: { limit, nextCursor } }),
        // Every correction write changes a public article, which makes `articles` stale.
        keys: [keys.articleList],
        expiresAt: await deps.nextDueAt(now),
      };
    },

    /** The newest corrections as RSS, for readers and monitors of the standards record. */
    async feed(language: string | undefined): Promise<PublicAnswer> {
      const now = clock.now();
      const { data } = await visible(now, { at: now.getTime() + 1, id: '' }, feed.items, language);
      const newest = data[0];
      const query = language === undefined ? '' : `?language=${encodeURIComponent(language)}`;
      return {
        body: correctionsRssDocument(
          {
            title: `Corrections · ${feed.publicationName}`,
            description: `Corrections, clarifications, updates and retractions from ${feed.publicationName}.`,
            link: feed.siteUrl,
            self: `${feed.apiUrl}/v1/feeds/corrections.rss${query}`,
            language,
            // The newest correction's last wording: an edit changes the feed.
            updated: newest === undefined ? null : new Date(newest.updatedAt),
          },
          data,
        ),
        keys: [keys.articleList],
        expiresAt: await deps.nextDueAt(now),
      };
    },
  };
}

export type PublicCorrectionsService = ReturnType<typeof createPublicCorrectionsService>;
