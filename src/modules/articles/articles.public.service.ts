import { encodeCursor } from '../../lib/cursor.ts';
import { pageLimit, readCursor } from '../../pagination.ts';
import type { Clock } from '../shared/clock.ts';
import { articleListKeys, keys } from '../shared/content-keys.ts';
import type { PublicAnswer } from '../shared/public-routes.ts';
import type { ListedArticle, PublicListFilters } from './articles.public.queries.ts';
import type { ListBound, PublicArticlesRepository } from './articles.public.repository.ts';
import type { SearchTerms } from '../../lib/search-query.ts';
import { searchTerms } from './articles.search.ts';
import type { NewsArticleJsonLd, PublicArticle } from './articles.schemas.ts';
import { newsArticleJsonLd, type StructuredDataSettings } from './articles.structured-data.ts';
import { z } from 'zod';

// What readers get: visible articles only, as the JSON bodies of the answers (assembled from the
// documents rendered at write time, articles.documents.ts), with the content keys each answer
// depends on and how long it holds (until the next scheduled article falls due).

// A list page resumes below (publishedAt, id); a search page at an offset in relevance order.
const cursorShape = z.union([
  z.tuple([z.number().int(), z.string()]),
  z.tuple([z.literal('search'), z.number().int().min(0).max(10_000)]),
]);
const maxSearchDepth = 1000;
const defaultRelated = 3;

/** Ranked public search; it may run elsewhere (a worker thread) under a time budget. */
export type PublicSearch = (task: {
  terms: SearchTerms;
  filters: PublicListFilters;
  offset: number;
  limit: number;
  now: Date;
}) => Promise<ListedArticle[]>;

/** A JSON array of ready list items. */
const itemsJson = (articles: readonly ListedArticle[]) =>
  `[${articles.map((article) => article.summary).join(',')}]`;

/** The smallest of the bounds a page must stay below, compared as (publishedAt, id) pairs. */
function lowestBound(bounds: ListBound[]): ListBound {
  return bounds.reduce((lowest, bound) =>
    bound.at < lowest.at || (bound.at === lowest.at && bound.id < lowest.id) ? bound : lowest,
  );
}

export interface PublicListQuery {
  limit?: number | undefined;
  cursor?: string | undefined;
  q?: string | undefined;
  tag?: string | undefined;
  author?: string | undefined;
  language?: string | undefined;
  publishedAfter?: string | undefined;
  publishedBefore?: string | undefined;
}

export function createPublicArticlesService(deps: {
  repository: PublicArticlesRepository;
  search: PublicSearch;
  clock: Clock;
  structuredData: StructuredDataSettings;
  /** Renders these articles' documents again (in a write of their own). */
  refreshDocuments: (articleIds: readonly string[]) => Promise<void>;
}) {
  const { repository, search, clock } = deps;

  /**
   * The ready answer at `slug`. A document that changed by itself since it was rendered (an
   * edition it lists fell due) is rendered again first, by whichever reader comes first.
   */
  async function ready(language: string | undefined, slug: string, now: Date) {
    const found = await repository.findBySlug(language, slug, now);
    if (found === undefined || found.validUntil === null) return found;
    if (found.validUntil.getTime() > now.getTime()) return found;
    await deps.refreshDocuments([found.id]);
    return repository.findBySlug(language, slug, now);
  }

  /** One page of search results, by relevance, at most `maxSearchDepth` deep. */
  async function searchPage(
    q: string,
    filters: PublicListFilters,
    position: z.infer<typeof cursorShape> | null,
    limit: number,
    now: Date,
  ) {
    const offset = position?.[0] === 'search' ? position[1] : 0;
    const terms = searchTerms(q);
    const rows =
      terms === null || offset >= maxSearchDepth
        ? []
        : await search({ terms, filters, offset, limit: limit + 1, now });
    const more = rows.length > limit && offset + limit < maxSearchDepth;
    return {
      rows: rows.slice(0, limit),
      next: more ? encodeCursor(['search', offset + limit]) : null,
    };
  }

  /** One page of the newest-first list, below the cursor, `publishedBefore` and now. */
  async function listPage(
    filters: PublicListFilters,
    position: z.infer<typeof cursorShape> | null,
    limit: number,
    now: Date,
  ) {
    const bounds: ListBound[] = [{ at: now.getTime() + 1, id: '' }];
    if (filters.publishedBefore !== undefined)
      bounds.push({ at: filters.publishedBefore.getTime(), id: '' });
    if (position !== null && typeof position[0] === 'number')
      bounds.push({ at: position[0], id: String(position[1]) });
    const rows = await repository.list(filters, lowestBound(bounds), limit + 1, now);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    const next =
      rows.length > limit && last !== undefined
        ? encodeCursor([last.publishedAt?.getTime() ?? 0, last.id])
        : null;
    return { rows: shown, next };
  }

  return {
    /** Newest first, or by relevance with `q`. */
    async list(query: PublicListQuery): Promise<PublicAnswer> {
      const limit = pageLimit(query.limit);
      const now = clock.now();
      const filters: PublicListFilters = {
        tagSlug: query.tag,
        authorSlug: query.author,
        language: query.language,
        publishedAfter:
          query.publishedAfter === undefined ? undefined : new Date(query.publishedAfter),
        publishedBefore:
          query.publishedBefore === undefined ? undefined : new Date(query.publishedBefore),
      };
      const position = readCursor(query.cursor, cursorShape);
      const { rows, next } =
        query.q === undefined
          ? await listPage(filters, position, limit, now)
          : await searchPage(query.q, filters, position, limit, now);
      const meta = JSON.stringify({ limit, nextCursor: next });
      return {
        body: `{"data":${itemsJson(rows)},"meta":${meta}}`,
        keys: articleListKeys(rows),
        expiresAt: await repository.nextDueAt(now),
      };
    },

    /** The article at `slug`, or where it moved to (an earlier slug still public). */
    async findBySlug(
      language: string | undefined,
      slug: string,
    ): Promise<
      | { found: { body: string; etag: string; surrogateKey: string } }
      | { moved: { slug: string; language: string } }
      | undefined
    > {
      const now = clock.now();
      const found = await ready(language, slug, now);
      if (found !== undefined) return { found };
      const moved = await repository.findRedirect(language, slug, now);
      return moved === undefined ? undefined : { moved };
    },

    /** A stored article response (`{"data":{…}}`) with its JSON-LD added as `structuredData`. */
    withStructuredData(body: string): string {
      const article = (JSON.parse(body) as { data: PublicArticle }).data;
      const jsonld = JSON.stringify(newsArticleJsonLd(article, deps.structuredData));
      return `${body.slice(0, body.lastIndexOf('}'))},"structuredData":${jsonld}}`;
    },

    /** The article at `slug` as NewsArticle JSON-LD, depending on what its document does. */
    async structuredData(
      language: string | undefined,
      slug: string,
    ): Promise<{ body: NewsArticleJsonLd; surrogateKey: string } | undefined> {
      const found = await ready(language, slug, clock.now());
      if (found === undefined) return undefined;
      const article = (JSON.parse(found.body) as { data: PublicArticle }).data;
      return {
        body: newsArticleJsonLd(article, deps.structuredData),
        surrogateKey: found.surrogateKey,
      };
    },

    /** "Read more" for the article at `slug`; undefined when no visible article has it. */
    async related(
      language: string | undefined,
      slug: string,
      limit: number | undefined,
    ): Promise<PublicAnswer | undefined> {
      const now = clock.now();
      const article = await repository.findIdentity(language, slug, now);
      if (article === undefined) return undefined;
      const related = await repository.related(article, limit ?? defaultRelated, now);
      return {
        body: `{"data":${itemsJson(related)}}`,
        keys: [...articleListKeys(related), keys.article(article.id)],
        expiresAt: await repository.nextDueAt(now),
      };
    },

    /** When the next scheduled article falls due: what public answers depend on expires then. */
    nextDueAt: (now: Date) => repository.nextDueAt(now),
  };
}

export type PublicArticlesService = ReturnType<typeof createPublicArticlesService>;
