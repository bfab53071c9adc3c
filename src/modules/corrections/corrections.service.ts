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
export function createPublicCorrectionsService(deps: {
  repository: CorrectionsRepository;
  clock: Clock;
  articleUrl: ArticleUrl;
  nextDueAt: (now: Date) => Promise<number | null>;
}) {
  const { repository, clock, articleUrl } = deps;
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
      const rows = await repository.listVisible(now, bound, limit + 1, query.language);
      const shown = rows.slice(0, limit);
      const last = shown.at(-1);
      const nextCursor =
        rows.length > limit && last !== undefined
          ? encodeCursor([last.correction.publishedAt.getTime(), last.correction.id])
          : null;
      const data: ListedCorrection[] = shown.map(({ correction, article }) => ({
        ...toCorrection(correction),
        article: {
          id: article.id,
          slug: article.slug,
          language: article.language,
          headline: article.headline,
          url: articleUrl(article),
        },
      }));
      return {
        body: serializeList({ data, meta: { limit, nextCursor } }),
        // Every correction write changes a public article, which makes `articles` stale.
        keys: [keys.articleList],
        expiresAt: await deps.nextDueAt(now),
      };
    },
  };
}

export type PublicCorrectionsService = ReturnType<typeof createPublicCorrectionsService>;
