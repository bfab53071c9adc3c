import { and, asc, desc, eq, gte, type SQL, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import type { Db, Preparable, Store } from '../../db/store.ts';
import {
  amongIds,
  idsParam,
  maxBatch,
  type ListedArticle,
  publicArticleQueries,
  type PublicListFilters,
} from './articles.public.queries.ts';

// Hot public reads. Every query here is prepared once per process and per filter combination
// (store.statement), and returns published articles' ready documents (articles.documents.ts): a
// page is one query whatever its size, an article one. Search is in articles.search.repository.ts.

const ph = sql.placeholder;

/** An article's stored public answer, and until when it holds (an edition falling due). */
export interface ReadyArticle {
  id: string;
  body: string;
  etag: string;
  surrogateKey: string;
  validUntil: Date | null;
}

/** Lists walk (publishedAt, id) downwards from a bound: a cursor, `publishedBefore` or now. */
export interface ListBound {
  at: number;
  id: string;
}

export function createPublicArticlesRepository(store: Store) {
  const { articles, articleAuthors, articleTags, articleDocuments, articleSlugRedirects } =
    store.tables;
  const { listedFields, withDocument, visible, tagIdBySlug, authorIdBySlug, hasAuthor } =
    publicArticleQueries(store);

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
      const base = db.select(listedFields).from(driver.table);
      const joined =
        via === 'articles' ? base : base.innerJoin(articles, eq(articles.id, driver.id));
      return joined
        .innerJoin(articleDocuments, withDocument)
        .where(and(...conditions))
        .orderBy(desc(driver.at), desc(driver.id))
        .limit(ph('limit'));
    });
  }

  const listedByIds = store.statement('articles.public.byIds', (db) =>
    db
      .select(listedFields)
      .from(articles)
      .innerJoin(articleDocuments, withDocument)
      .where(and(amongIds(store, articles.id), eq(articles.language, ph('language')), visible)),
  );
  // Without ?language= a slug is looked up in every language, English first, then the newest.
  // Each lookup is two statements prepared once: in the reader's language, or in any.
  const anyLanguageFirst = [desc(sql`${articles.language} = 'en'`), desc(articles.publishedAt)];
  function slugLookup<R>(
    name: string,
    build: (db: Db, inLanguage: SQL | undefined) => Preparable<R[]>,
    languageColumn: SQLiteColumn = articles.language,
  ) {
    const inLanguage = store.statement<R[], { language: string; slug: string; now: number }>(
      name,
      (db) => build(db, eq(languageColumn, ph('language'))),
    );
    const inAny = store.statement<R[], { slug: string; now: number }>(`${name}AnyLanguage`, (db) =>
      build(db, undefined),
    );
    return async (language: string | undefined, slug: string, now: Date) => {
      const [row] =
        language === undefined
          ? await inAny({ slug, now: now.getTime() })
          : await inLanguage({ language, slug, now: now.getTime() });
      return row;
    };
  }
  const bySlug = slugLookup('articles.public.bySlug', (db, inLanguage) =>
    db
      .select({
        id: articles.id,
        body: articleDocuments.body,
        etag: articleDocuments.etag,
        surrogateKey: articleDocuments.surrogateKey,
        validUntil: articleDocuments.validUntil,
      })
      .from(articles)
      .innerJoin(articleDocuments, withDocument)
      .where(and(inLanguage, eq(articles.slug, ph('slug')), visible))
      .orderBy(...anyLanguageFirst)
      .limit(1),
  );
  // "Read more" needs only which article a slug is, not its body and embeds.
  const identityBySlug = slugLookup('articles.public.identityBySlug', (db, inLanguage) =>
    db
      .select({ id: articles.id, language: articles.language })
      .from(articles)
      .where(and(inLanguage, eq(articles.slug, ph('slug')), visible))
      .orderBy(...anyLanguageFirst)
      .limit(1),
  );
  const redirectBySlug = slugLookup(
    'articles.public.redirect',
    (db, inLanguage) =>
      db
        .select({ slug: articles.slug, language: articles.language })
        .from(articleSlugRedirects)
        .innerJoin(articles, eq(articles.id, articleSlugRedirects.articleId))
        .where(and(inLanguage, eq(articleSlugRedirects.slug, ph('slug')), visible))
        .orderBy(...anyLanguageFirst)
        .limit(1),
    articleSlugRedirects.language,
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
    ): Promise<ListedArticle[]> {
      return listStatement(filters)({
        tag: filters.tagSlug,
        author: filters.authorSlug,
        language: filters.language,
        after: filters.publishedAfter?.getTime(),
        boundAt: bound.at,
        boundId: bound.id,
        limit,
        now: now.getTime(),
      });
    },

    /** The article's ready response; `language` undefined: any language, English first. */
    findBySlug: (
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<ReadyArticle | undefined> => bySlug(language, slug, now),

    /** Which visible article a slug names (any language, English first, when `language` is undefined). */
    async findIdentity(
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<{ id: string; language: string } | undefined> {
      return identityBySlug(language, slug, now);
    },

    /** The current address of an article published under `slug` before, if it is still public. */
    async findRedirect(
      language: string | undefined,
      slug: string,
      now: Date,
    ): Promise<{ slug: string; language: string } | undefined> {
      return redirectBySlug(language, slug, now);
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
    ): Promise<ListedArticle[]> {
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
      const rows = await listedByIds({
        ...idsParam(chosen),
        language: article.language,
        now: now.getTime(),
      });
      const rank = new Map(chosen.map((id, index) => [id, index]));
      rows.sort((a, b) => (rank.get(a.id) ?? 0) - (rank.get(b.id) ?? 0));
      return rows.slice(0, limit);
    },
  };
}

export type PublicArticlesRepository = ReturnType<typeof createPublicArticlesRepository>;
