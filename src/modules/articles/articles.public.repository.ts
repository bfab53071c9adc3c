import { and, asc, desc, eq, gte, inArray, type SQL, sql } from 'drizzle-orm';
import { searchWeights } from '../../db/search-index.ts';
import type { Db, Store } from '../../db/store.ts';
import { iso } from '../../schemas.ts';
import { toPhoto } from '../photos/photos.repository.ts';
import type { ArticleSummary, PublicArticle } from './articles.schemas.ts';
import { type Byline, groupByArticle } from './articles.embed.ts';

// Hot public reads. Every query here is prepared once per process and per filter combination
// (store.statement), and a page costs the same number of queries whatever its size: the page,
// then bylines and tags for all its articles at once.

const maxBatch = 100;
/** Matches scored for relevance: the newest this many (all of them when filters thin results). */
const searchCandidates = 2000;
const ph = sql.placeholder;
const idSlots = Array.from({ length: maxBatch }, (_, index) => ph(`id${index}`));

function idParams(ids: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (let index = 0; index < maxBatch; index += 1) params[`id${index}`] = ids[index] ?? '';
  return params;
}

export interface PublicListFilters {
  tagSlug?: string | undefined;
  authorSlug?: string | undefined;
  language?: string | undefined;
  publishedAfter?: Date | undefined;
  publishedBefore?: Date | undefined;
}

/** Lists walk (publishedAt, id) downwards from a bound: a cursor, `publishedBefore` or now. */
export interface ListBound {
  at: number;
  id: string;
}

interface SummaryRow {
  id: string;
  slug: string;
  language: string;
  headline: string;
  dek: string | null;
  excerpt: string;
  wordCount: number;
  readingTimeMinutes: number;
  publishedAt: Date | null;
  updatedAt: Date;
  photo: Store['tables']['photos']['$inferSelect'] | null;
}

export function createPublicArticlesRepository(store: Store) {
  const {
    articles,
    articleAuthors,
    articleTags,
    authors,
    tags,
    photos,
    articleSlugRedirects,
    articlesPublicSearch: articlesSearch,
  } = store.tables;

  const summaryFields = {
    id: articles.id,
    slug: articles.slug,
    language: articles.language,
    headline: articles.headline,
    dek: articles.dek,
    excerpt: articles.excerpt,
    wordCount: articles.wordCount,
    readingTimeMinutes: articles.readingTimeMinutes,
    publishedAt: articles.publishedAt,
    updatedAt: articles.updatedAt,
    photo: photos,
  };
  const selectSummary = (db: Db) => db.select(summaryFields);

  // Ranked over the public index only: its statistics never include a draft or a scheduled article.
  const bm25 = sql.raw(
    `bm25(articles_public_search, ${searchWeights.headline}, ${searchWeights.dek}, ${searchWeights.bodyText})`,
  );
  const visible = and(
    eq(articles.status, 'published'),
    sql`${articles.publishedAt} <= ${ph('now')}`,
  );
  const tagIdBySlug = sql`(select ${tags.id} from ${tags} where ${tags.slug} = ${ph('tag')})`;
  const authorIdBySlug = sql`(select ${authors.id} from ${authors} where ${authors.slug} = ${ph('author')})`;
  const hasAuthor = sql`exists (select 1 from ${articleAuthors} where ${articleAuthors.articleId} = ${articles.id} and ${articleAuthors.authorId} = ${authorIdBySlug})`;
  const hasTag = sql`exists (select 1 from ${articleTags} where ${articleTags.articleId} = ${articles.id} and ${articleTags.tagId} = ${tagIdBySlug})`;

  function listStatement(filters: PublicListFilters) {
    const via =
      filters.tagSlug !== undefined
        ? 'tag'
        : filters.authorSlug !== undefined
          ? 'author'
          : 'articles';
    const shape = [
      via,
      filters.language !== undefined,
      filters.authorSlug !== undefined && via === 'tag',
      filters.publishedAfter !== undefined,
    ].join(':');
    return store.statement(`articles.public.list:${shape}`, (db) => {
      // The join tables carry the publication time, so a tag's or author's list walks one index.
      const driver =
        via === 'tag'
          ? {
              table: articleTags,
              at: articleTags.publishedAt,
              id: articleTags.articleId,
              match: eq(articleTags.tagId, tagIdBySlug),
            }
          : via === 'author'
            ? {
                table: articleAuthors,
                at: articleAuthors.publishedAt,
                id: articleAuthors.articleId,
                match: eq(articleAuthors.authorId, authorIdBySlug),
              }
            : {
                table: articles,
                at: articles.publishedAt,
                id: articles.id,
                match: eq(articles.status, 'published'),
              };
      const conditions: Array<SQL | undefined> = [
        driver.match,
        sql`(${driver.at}, ${driver.id}) < (${ph('boundAt')}, ${ph('boundId')})`,
        filters.language === undefined ? undefined : eq(articles.language, ph('language')),
        filters.authorSlug !== undefined && via === 'tag' ? hasAuthor : undefined,
        filters.publishedAfter === undefined ? undefined : gte(driver.at, ph('after')),
      ];
      const base = selectSummary(db).from(driver.table);
      const joined =
        via === 'articles' ? base : base.innerJoin(articles, eq(articles.id, driver.id));
      return joined
        .leftJoin(photos, eq(photos.id, articles.photoId))
        .where(and(...conditions))
        .orderBy(desc(driver.at), desc(driver.id))
        .limit(ph('limit'));
    });
  }

  function searchStatement(filters: PublicListFilters) {
    const shape = [
      filters.tagSlug,
      filters.authorSlug,
      filters.language,
      filters.publishedAfter,
      filters.publishedBefore,
    ]
      .map((value) => value !== undefined)
      .join(':');
    return store.statement(`articles.public.search:${shape}`, (db) => {
      // Rank inside the full-text index first and join only the best `window` matches: joining
      // every match of a common word (100,000 rows) to articles before sorting cost ~300 ms at
      // 100k articles, ranking alone ~50 ms. A window of -1 means all matches (the fallback).
      // Scoring is also bounded to the newest `candidates` matches (FTS5 walks rowids, which
      // follow creation, cheaply in descending order): bm25 over every match of a common word
      // grows with the archive, and news readers look for recent stories first.
      const newestBound = sql`coalesce((select rowid from ${articlesSearch} where ${articlesSearch} MATCH ${ph('match')} order by rowid desc limit 1 offset ${ph('candidatesOffset')}), 0)`;
      const ranked = db.$with('ranked').as(
        db
          .select({ rowid: articlesSearch.rowid, score: sql<number>`${bm25}`.as('score') })
          .from(articlesSearch)
          .where(
            and(
              sql`${articlesSearch} MATCH ${ph('match')}`,
              sql`${articlesSearch.rowid} >= ${newestBound}`,
            ),
          )
          .orderBy(sql`score`)
          .limit(ph('window')),
      );
      return (
        db
          .with(ranked)
          .select(summaryFields)
          .from(ranked)
          // CROSS JOIN keeps the ranked matches as the outer loop.
          .crossJoin(articles)
          .leftJoin(photos, eq(photos.id, articles.photoId))
          .where(
            and(
              eq(articles.searchRowId, ranked.rowid),
              visible,
              filters.tagSlug === undefined ? undefined : hasTag,
              filters.authorSlug === undefined ? undefined : hasAuthor,
              filters.language === undefined ? undefined : eq(articles.language, ph('language')),
              filters.publishedAfter === undefined
                ? undefined
                : gte(articles.publishedAt, ph('after')),
              filters.publishedBefore === undefined
                ? undefined
                : sql`${articles.publishedAt} < ${ph('before')}`,
            ),
          )
          .orderBy(sql`"ranked"."score"`, desc(articles.publishedAt), desc(articles.id))
          .limit(ph('limit'))
          .offset(ph('offset'))
      );
    });
  }

  const bylinesFor = store.statement('articles.public.bylines', (db) =>
    db
      .select({
        articleId: articleAuthors.articleId,
        id: authors.id,
        slug: authors.slug,
        name: authors.name,
      })
      .from(articleAuthors)
      .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
      .where(inArray(articleAuthors.articleId, idSlots))
      .orderBy(asc(articleAuthors.articleId), asc(articleAuthors.position)),
  );
  const tagsFor = store.statement('articles.public.tags', (db) =>
    db
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(inArray(articleTags.articleId, idSlots))
      .orderBy(asc(articleTags.articleId), asc(articleTags.position)),
  );
  const summariesByIds = store.statement('articles.public.byIds', (db) =>
    selectSummary(db)
      .from(articles)
      .leftJoin(photos, eq(photos.id, articles.photoId))
      .where(and(inArray(articles.id, idSlots), eq(articles.language, ph('language')), visible)),
  );
  // Without ?language= a slug is looked up in every language, English first, then the newest.
  const anyLanguageFirst = [desc(sql`${articles.language} = 'en'`), desc(articles.publishedAt)];
  const bySlug = store.statement('articles.public.bySlug', (db) =>
    db
      .select({ ...summaryFields, bodyHtml: articles.bodyHtml })
      .from(articles)
      .leftJoin(photos, eq(photos.id, articles.photoId))
      .where(and(eq(articles.language, ph('language')), eq(articles.slug, ph('slug')), visible))
      .limit(1),
  );
  const bySlugAnyLanguage = store.statement('articles.public.bySlugAnyLanguage', (db) =>
    db
      .select({ ...summaryFields, bodyHtml: articles.bodyHtml })
      .from(articles)
      .leftJoin(photos, eq(photos.id, articles.photoId))
      .where(and(eq(articles.slug, ph('slug')), visible))
      .orderBy(...anyLanguageFirst)
      .limit(1),
  );
  // "Read more" needs only which article a slug is, not its body and embeds.
  const identity = { id: articles.id, language: articles.language };
  const identityBySlug = store.statement('articles.public.identityBySlug', (db) =>
    db
      .select(identity)
      .from(articles)
      .where(and(eq(articles.language, ph('language')), eq(articles.slug, ph('slug')), visible))
      .limit(1),
  );
  const identityBySlugAnyLanguage = store.statement(
    'articles.public.identityBySlugAnyLanguage',
    (db) =>
      db
        .select(identity)
        .from(articles)
        .where(and(eq(articles.slug, ph('slug')), visible))
        .orderBy(...anyLanguageFirst)
        .limit(1),
  );
  const redirectBySlug = store.statement('articles.public.redirect', (db) =>
    db
      .select({ slug: articles.slug, language: articles.language })
      .from(articleSlugRedirects)
      .innerJoin(articles, eq(articles.id, articleSlugRedirects.articleId))
      .where(
        and(
          eq(articleSlugRedirects.language, ph('language')),
          eq(articleSlugRedirects.slug, ph('slug')),
          visible,
        ),
      )
      .limit(1),
  );
  const redirectBySlugAnyLanguage = store.statement('articles.public.redirectAnyLanguage', (db) =>
    db
      .select({ slug: articles.slug, language: articles.language })
      .from(articleSlugRedirects)
      .innerJoin(articles, eq(articles.id, articleSlugRedirects.articleId))
      .where(and(eq(articleSlugRedirects.slug, ph('slug')), visible))
      .orderBy(...anyLanguageFirst)
      .limit(1),
  );
  const nextScheduled = store.statement('articles.public.nextScheduled', (db) =>
    db
      .select({ publishedAt: articles.publishedAt })
      .from(articles)
      .where(and(eq(articles.status, 'published'), sql`${articles.publishedAt} > ${ph('now')}`))
      .orderBy(asc(articles.publishedAt))
      .limit(1),
  );
  const tagIdsOf = store.statement('articles.public.tagIdsOf', (db) =>
    db
      .select({ tagId: articleTags.tagId })
      .from(articleTags)
      .where(eq(articleTags.articleId, ph('articleId'))),
  );
  // "Read more" candidates: the newest visible articles under one tag, straight off its index.
  const recentUnderTag = store.statement('articles.public.recentUnderTag', (db) =>
    db
      .select({ articleId: articleTags.articleId, publishedAt: articleTags.publishedAt })
      .from(articleTags)
      .where(
        and(eq(articleTags.tagId, ph('tagId')), sql`${articleTags.publishedAt} <= ${ph('now')}`),
      )
      .orderBy(desc(articleTags.publishedAt), desc(articleTags.articleId))
      .limit(ph('limit')),
  );
  const recent = store.statement('articles.public.recent', (db) =>
    db
      .select({ articleId: articles.id })
      .from(articles)
      .where(
        and(
          eq(articles.status, 'published'),
          sql`(${articles.publishedAt}, ${articles.id}) < (${ph('boundAt')}, '')`,
        ),
      )
      .orderBy(desc(articles.publishedAt), desc(articles.id))
      .limit(ph('limit')),
  );

  async function embedAll<T extends SummaryRow>(rows: T[]) {
    const params = idParams(rows.map((row) => row.id));
    const [bylineRows, tagRows] = await Promise.all([bylinesFor(params), tagsFor(params)]);
    const bylines = groupByArticle(bylineRows);
    const tagLists = groupByArticle(tagRows);
    return rows.map((row) => toSummary(row, bylines.get(row.id) ?? [], tagLists.get(row.id) ?? []));
  }

  function toSummary(row: SummaryRow, bylines: Byline[], tagList: Byline[]): ArticleSummary {
    return {
      id: row.id,
      slug: row.slug,
      language: row.language,
      headline: row.headline,
      dek: row.dek,
      excerpt: row.excerpt,
      wordCount: row.wordCount,
      readingTimeMinutes: row.readingTimeMinutes,
      publishedAt: iso(row.publishedAt ?? new Date(0)),
      updatedAt: iso(row.updatedAt),
      authors: bylines,
      tags: tagList,
      photo: row.photo === null ? null : toPhoto(row.photo),
    };
  }

  return {
    /** When the next scheduled article falls due: lists are valid until then at most. */
    async nextDueAt(now: Date): Promise<number | null> {
      const [row] = await nextScheduled({ now: now.getTime() });
      return row?.publishedAt?.getTime() ?? null;
    },

    async list(
      filters: PublicListFilters,
      bound: ListBound,
      limit: number,
      now: Date,
    ): Promise<ArticleSummary[]> {
      const rows = await listStatement(filters)({
        tag: filters.tagSlug,
        author: filters.authorSlug,
        language: filters.language,
        after: filters.publishedAfter?.getTime(),
        boundAt: bound.at,
        boundId: bound.id,
        limit,
        now: now.getTime(),
      });
      return embedAll(rows);
    },

    async search(
      match: string,
      filters: PublicListFilters,
      offset: number,
      limit: number,
      now: Date,
    ): Promise<ArticleSummary[]> {
      const run = (window: number, candidates: number) =>
        searchStatement(filters)({
          match,
          window,
          candidatesOffset: candidates - 1,
          tag: filters.tagSlug,
          author: filters.authorSlug,
          language: filters.language,
          after: filters.publishedAfter?.getTime(),
          before: filters.publishedBefore?.getTime(),
          now: now.getTime(),
          limit,
          offset,
        });
      // Most matches are public and unfiltered, so a window a few pages deep is nearly always
      // enough; when filters or hidden articles thin it out, rank every match instead.
      const window = (offset + limit) * 4 + 100;
      let rows = await run(window, Math.max(searchCandidates, window));
      if (rows.length < limit) rows = await run(-1, Number.MAX_SAFE_INTEGER);
      return embedAll(rows);
    },

    /** `language` undefined: any language, English first. */
    async findBySlug(
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<PublicArticle | undefined> {
      const [row] =
        language === undefined
          ? await bySlugAnyLanguage({ slug, now: now.getTime() })
          : await bySlug({ language, slug, now: now.getTime() });
      if (row === undefined) return undefined;
      const [summary] = await embedAll([row]);
      return summary === undefined ? undefined : { ...summary, bodyHtml: row.bodyHtml };
    },

    /** Which visible article a slug names (any language, English first, when `language` is undefined). */
    async findIdentity(
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<{ id: string; language: string } | undefined> {
      const [row] =
        language === undefined
          ? await identityBySlugAnyLanguage({ slug, now: now.getTime() })
          : await identityBySlug({ language, slug, now: now.getTime() });
      return row;
    },

    /** The current address of an article published under `slug` before, if it is still public. */
    async findRedirect(
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<{ slug: string; language: string } | undefined> {
      const [row] =
        language === undefined
          ? await redirectBySlugAnyLanguage({ slug, now: now.getTime() })
          : await redirectBySlug({ language, slug, now: now.getTime() });
      return row;
    },

    /**
     * "Read more": articles in the same language sharing the most tags with this one, then the
     * most recent. Candidates are the newest `perTag` articles under each of its tags, so the cost
     * does not grow with the archive; leftover slots go to the newest articles overall.
     */
    async related(
      article: { id: string; language: string },
      limit: number,
      now: Date,
      perTag = 200,
    ): Promise<ArticleSummary[]> {
      const tagIds = (await tagIdsOf({ articleId: article.id })).map((row) => row.tagId);
      const score = new Map<string, { shared: number; at: number }>();
      for (const tagId of tagIds) {
        const candidates = await recentUnderTag({ tagId, now: now.getTime(), limit: perTag });
        for (const { articleId, publishedAt } of candidates) {
          if (articleId === article.id) continue;
          const entry = score.get(articleId) ?? { shared: 0, at: publishedAt?.getTime() ?? 0 };
          entry.shared += 1;
          score.set(articleId, entry);
        }
      }
      const ranked = [...score.entries()]
        .sort(([idA, a], [idB, b]) => b.shared - a.shared || b.at - a.at || (idB > idA ? 1 : -1))
        .map(([id]) => id);
      if (ranked.length < maxBatch) {
        for (const { articleId } of await recent({ boundAt: now.getTime() + 1, limit: maxBatch })) {
          if (articleId !== article.id && !ranked.includes(articleId)) ranked.push(articleId);
        }
      }
      // One query for the best candidates; those in another language drop out here.
      const chosen = ranked.slice(0, maxBatch);
      const rows = await summariesByIds({
        ...idParams(chosen),
        language: article.language,
        now: now.getTime(),
      });
      const rank = new Map(chosen.map((id, index) => [id, index]));
      rows.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
      return embedAll(rows.slice(0, limit));
    },
  };
}

export type PublicArticlesRepository = ReturnType<typeof createPublicArticlesRepository>;
