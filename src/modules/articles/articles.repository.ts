import { and, asc, desc, eq, gt, inArray, lt, lte, max, or, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { invalidFields, notFound, preconditionFailed } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { claimSlug } from '../shared/slugs.ts';
import { type ArticleRow, loadEmbeds, toAdminArticle } from './articles.embed.ts';
import type { AdminArticle, ArticleStatus } from './articles.schemas.ts';
import { olderThan } from '../shared/keyset.ts';

export const maxRevisionsPerArticle = 50;

/** Everything an editor decides about an article, with what is derived from it. */
export interface ArticleContent {
  language: string;
  headline: string;
  dek: string | null;
  excerptSource: string | null;
  excerpt: string;
  body: string;
  bodyHtml: string;
  /** Plain text of the body for the search index; undefined when the body did not change. */
  bodyText: string | undefined;
  wordCount: number;
  readingTimeMinutes: number;
  photoId: string | null;
  authorIds: string[];
  tagIds: string[];
  status: 'draft' | 'published' | 'archived';
  publishedAt: Date | null;
}

export type ArticleState = ArticleRow & { authorIds: string[]; tagIds: string[] };

export interface ArticleDecision {
  content: ArticleContent;
  /** An explicit new slug; taken → 409. Absent: the slug stays (re-checked if the language moved). */
  requestedSlug?: string | undefined;
}

/** The versions an If-Match header accepts, or any version for `If-Match: *`. */
export type ExpectedVersion = { versions: number[] } | 'any';

export interface AdminListFilters {
  status?: ArticleStatus | undefined;
  language?: string | undefined;
  authorSlug?: string | undefined;
  tagSlug?: string | undefined;
  /** A parsed FTS5 expression (see lib/search-query.ts), never raw user input. */
  match?: string | undefined;
}

export interface Actor {
  tokenId: string | null;
}

export function createArticlesRepository(
  store: Store,
  photos: PhotosRepository,
  changed: ContentChanged = ignoreChanges,
) {
  const {
    articles,
    articleAuthors,
    articleTags,
    articleRevisions,
    articleSlugRedirects,
    articlesSearch,
    articlesPublicSearch,
  } = store.tables;
  const { authors, tags, photos: photosTable } = store.tables;

  function statusCondition(status: ArticleStatus, now: Date) {
    switch (status) {
      case 'scheduled':
        return and(eq(articles.status, 'published'), gt(articles.publishedAt, now));
      case 'published':
        return and(eq(articles.status, 'published'), lte(articles.publishedAt, now));
      default:
        return eq(articles.status, status);
    }
  }

  async function loadState(db: Db, id: string): Promise<ArticleState | undefined> {
    const [row] = await db.select().from(articles).where(eq(articles.id, id)).limit(1);
    if (row === undefined) return undefined;
    const [authorRows, tagRows] = await Promise.all([
      db
        .select({ id: articleAuthors.authorId })
        .from(articleAuthors)
        .where(eq(articleAuthors.articleId, id))
        .orderBy(asc(articleAuthors.position)),
      db
        .select({ id: articleTags.tagId })
        .from(articleTags)
        .where(eq(articleTags.articleId, id))
        .orderBy(asc(articleTags.position)),
    ]);
    return { ...row, authorIds: authorRows.map((r) => r.id), tagIds: tagRows.map((r) => r.id) };
  }

  async function loadAdmin(db: Db, id: string, now: Date): Promise<AdminArticle | undefined> {
    const rows = await db.select().from(articles).where(eq(articles.id, id)).limit(1);
    const [row] = rows;
    if (row === undefined) return undefined;
    return toAdminArticle(row, await loadEmbeds(store, db, photos, rows), now);
  }

  /** Unknown ids are a 400 naming the exact field (`body.tagIds.2`), never silently dropped. */
  async function assertReferences(tx: Db, content: ArticleContent): Promise<void> {
    const [foundAuthors, foundTags, foundPhotos] = await Promise.all([
      content.authorIds.length === 0
        ? []
        : tx.select({ id: authors.id }).from(authors).where(inArray(authors.id, content.authorIds)),
      content.tagIds.length === 0
        ? []
        : tx.select({ id: tags.id }).from(tags).where(inArray(tags.id, content.tagIds)),
      content.photoId === null
        ? []
        : tx
            .select({ id: photosTable.id })
            .from(photosTable)
            .where(eq(photosTable.id, content.photoId)),
    ]);
    const missing = (field: string, wanted: string[], found: Array<{ id: string }>) => {
      const known = new Set(found.map((row) => row.id));
      return wanted.flatMap((id, index) =>
        known.has(id)
          ? []
          : [
              {
                path: `body.${field}.${index}`,
                message: `No ${field === 'authorIds' ? 'author' : 'tag'} with id ${id}.`,
              },
            ],
      );
    };
    const errors = [
      ...missing('authorIds', content.authorIds, foundAuthors),
      ...missing('tagIds', content.tagIds, foundTags),
    ];
    if (content.photoId !== null && foundPhotos.length === 0)
      errors.push({ path: 'body.photoId', message: 'No photo with that id.' });
    if (errors.length > 0) throw invalidFields(errors);
  }

  /** Bylines and tags, in order, carrying the public publication time for indexed filtering. */
  async function writeRelations(tx: Db, articleId: string, content: ArticleContent): Promise<void> {
    const publicAt = content.status === 'published' ? content.publishedAt : null;
    await tx.delete(articleAuthors).where(eq(articleAuthors.articleId, articleId));
    await tx.delete(articleTags).where(eq(articleTags.articleId, articleId));
    if (content.authorIds.length > 0) {
      await tx.insert(articleAuthors).values(
        content.authorIds.map((authorId, position) => ({
          articleId,
          authorId,
          position,
          publishedAt: publicAt,
        })),
      );
    }
    if (content.tagIds.length > 0) {
      await tx.insert(articleTags).values(
        content.tagIds.map((tagId, position) => ({
          articleId,
          tagId,
          position,
          publishedAt: publicAt,
        })),
      );
    }
  }

  function articleColumns(content: ArticleContent) {
    const { bodyText: _bodyText, authorIds: _authorIds, tagIds: _tagIds, ...columns } = content;
    return columns;
  }

  function slugClaim(
    content: ArticleContent,
    requested: string | undefined,
    source: string,
    ownId?: string,
  ) {
    return {
      table: articles,
      slugColumn: articles.slug,
      idColumn: articles.id,
      requested,
      source,
      fallback: 'article',
      scope: eq(articles.language, content.language),
      ...(ownId === undefined ? {} : { ownId }),
    };
  }

  function checkVersion(current: ArticleState, expected: ExpectedVersion): void {
    if (expected !== 'any' && !expected.versions.includes(current.version)) {
      throw preconditionFailed(
        `The article has changed since you loaded it: it is at version ${current.version}. Reload, reapply your change and send If-Match: "${current.version}".`,
        current.version,
      );
    }
  }

  /**
   * Every article's text is in exactly one full-text index: the public one while a reader can see
   * it, the editors' one (drafts, scheduled, archived) otherwise, so an edit re-indexes it once.
   * A scheduled article moves over when it falls due (public-search.ts).
   */
  async function writeSearchRow(
    tx: Db,
    article: { id: string; searchRowId: number; wasPublic: boolean | undefined },
    content: Pick<ArticleContent, 'headline' | 'dek' | 'bodyText' | 'status' | 'publishedAt'>,
    at: Date,
  ): Promise<void> {
    const visible =
      content.status === 'published' &&
      content.publishedAt !== null &&
      content.publishedAt.getTime() <= at.getTime();
    const target = visible ? articlesPublicSearch : articlesSearch;
    const columns = {
      headline: content.headline,
      dek: content.dek ?? '',
      ...(content.bodyText === undefined ? {} : { bodyText: content.bodyText }),
    };
    if (article.wasPublic === visible) {
      await tx.update(target).set(columns).where(eq(target.rowid, article.searchRowId));
      return;
    }
    let bodyText = content.bodyText;
    if (article.wasPublic !== undefined) {
      const source = article.wasPublic ? articlesPublicSearch : articlesSearch;
      if (bodyText === undefined) {
        const [row] = await tx
          .select({ bodyText: source.bodyText })
          .from(source)
          .where(eq(source.rowid, article.searchRowId));
        bodyText = row?.bodyText;
      }
      await tx.delete(source).where(eq(source.rowid, article.searchRowId));
    }
    await tx
      .insert(target)
      .values({ rowid: article.searchRowId, ...columns, bodyText: bodyText ?? '' });
    await tx.update(articles).set({ inPublicSearch: visible }).where(eq(articles.id, article.id));
  }

  return {
    findAdmin: (id: string, now: Date) => loadAdmin(store.db, id, now),

    async create(
      content: ArticleContent,
      requestedSlug: string | undefined,
      at: Date,
    ): Promise<AdminArticle> {
      return store.write(async (tx) => {
        await assertReferences(tx, content);
        const slug = await claimSlug(tx, slugClaim(content, requestedSlug, content.headline));
        const [{ value: lastRowId } = { value: 0 }] = await tx
          .select({ value: max(articles.searchRowId) })
          .from(articles);
        const searchRowId = (lastRowId ?? 0) + 1;
        const id = newId('art', at.getTime());
        await tx.insert(articles).values({
          ...articleColumns(content),
          id,
          slug,
          searchRowId,
          version: 1,
          createdAt: at,
          updatedAt: at,
        });
        await writeRelations(tx, id, content);
        await writeSearchRow(tx, { id, searchRowId, wasPublic: undefined }, content, at);
        const created = await loadAdmin(tx, id, at);
        if (created === undefined) throw new Error('article vanished inside its own transaction');
        return created;
      });
    },

    /**
     * The one way an article changes: inside one transaction, check the version, let `decide`
     * apply the rules to the current state, keep the previous version as a revision, and bump the
     * version. Concurrent editors are serialised by the write queue; the loser gets 412.
     */
    async mutate(
      id: string,
      expected: ExpectedVersion,
      decide: (current: ArticleState) => ArticleDecision,
      at: Date,
      actor: Actor,
    ): Promise<AdminArticle> {
      let change: Parameters<typeof contentChanges.articleChanged>[0] | undefined;
      const saved = await store.write(async (tx) => {
        const current = await loadState(tx, id);
        if (current === undefined) throw notFound('No article with that id.');
        checkVersion(current, expected);
        const { content, requestedSlug } = decide(current);
        await assertReferences(tx, content);
        const slugMustMove = requestedSlug !== undefined || content.language !== current.language;
        const slug = slugMustMove
          ? await claimSlug(
              tx,
              slugClaim(content, requestedSlug, requestedSlug ?? current.slug, id),
            )
          : current.slug;

        const updated = await tx
          .update(articles)
          .set({ ...articleColumns(content), slug, version: current.version + 1, updatedAt: at })
          .where(and(eq(articles.id, id), eq(articles.version, current.version)))
          .returning({ id: articles.id });
        if (updated.length === 0)
          throw preconditionFailed('The article changed during the update.', current.version);

        await writeRelations(tx, id, content);
        await writeSearchRow(
          tx,
          { id, searchRowId: current.searchRowId, wasPublic: current.inPublicSearch },
          content,
          at,
        );

        if (slug !== current.slug || content.language !== current.language) {
          // Readers and search engines hold links to the old address: keep it answering.
          if (current.status === 'published') {
            await tx
              .insert(articleSlugRedirects)
              .values({
                language: current.language,
                slug: current.slug,
                articleId: id,
                createdAt: at,
              })
              .onConflictDoUpdate({
                target: [articleSlugRedirects.language, articleSlugRedirects.slug],
                set: { articleId: id, createdAt: at },
              });
          }
          await tx
            .delete(articleSlugRedirects)
            .where(
              and(
                eq(articleSlugRedirects.language, content.language),
                eq(articleSlugRedirects.slug, slug),
              ),
            );
        }

        await tx.insert(articleRevisions).values({
          id: newId('rev', at.getTime()),
          articleId: id,
          version: current.version,
          createdAt: at,
          createdByTokenId: actor.tokenId,
          snapshot: {
            slug: current.slug,
            language: current.language,
            headline: current.headline,
            dek: current.dek,
            excerptSource: current.excerptSource,
            body: current.body,
            photoId: current.photoId,
            authorIds: current.authorIds,
            tagIds: current.tagIds,
            status: current.status,
            publishedAt: current.publishedAt === null ? null : current.publishedAt.toISOString(),
          },
        });
        // Bounded history: keep the newest revisions only.
        await tx
          .delete(articleRevisions)
          .where(
            and(
              eq(articleRevisions.articleId, id),
              lt(articleRevisions.version, current.version + 1 - maxRevisionsPerArticle),
            ),
          );

        // Lists, search and "Read more" change only when a public (or scheduled) article does.
        change = {
          id,
          public: current.status === 'published' || content.status === 'published',
          slugs: [current.slug, slug],
          authorIds: [...new Set([...current.authorIds, ...content.authorIds])],
          tagIds: [...new Set([...current.tagIds, ...content.tagIds])],
        };
        const result = await loadAdmin(tx, id, at);
        if (result === undefined) throw new Error('article vanished inside its own transaction');
        return result;
      });
      if (change !== undefined) changed(contentChanges.articleChanged(change));
      return saved;
    },

    async remove(
      id: string,
      expected: ExpectedVersion,
      check: (current: ArticleState) => void,
    ): Promise<void> {
      let change: Parameters<typeof contentChanges.articleChanged>[0] | undefined;
      await store.write(async (tx) => {
        const current = await loadState(tx, id);
        if (current === undefined) throw notFound('No article with that id.');
        checkVersion(current, expected);
        check(current);
        change = {
          id,
          public: current.status === 'published',
          slugs: [],
          authorIds: current.authorIds,
          tagIds: current.tagIds,
        };
        await tx.delete(articlesSearch).where(eq(articlesSearch.rowid, current.searchRowId));
        await tx
          .delete(articlesPublicSearch)
          .where(eq(articlesPublicSearch.rowid, current.searchRowId));
        await tx.delete(articles).where(eq(articles.id, id));
      });
      if (change !== undefined) changed(contentChanges.articleChanged(change));
    },

    async listRevisions(id: string) {
      return store.db
        .select()
        .from(articleRevisions)
        .where(eq(articleRevisions.articleId, id))
        .orderBy(desc(articleRevisions.version));
    },

    async findRevision(id: string, revisionId: string) {
      const [row] = await store.db
        .select()
        .from(articleRevisions)
        .where(and(eq(articleRevisions.articleId, id), eq(articleRevisions.id, revisionId)))
        .limit(1);
      return row;
    },

    async findIdBySlug(language: string, slug: string): Promise<string | undefined> {
      const [row] = await store.db
        .select({ id: articles.id })
        .from(articles)
        .where(and(eq(articles.language, language), eq(articles.slug, slug)))
        .limit(1);
      return row?.id;
    },

    async exists(id: string): Promise<boolean> {
      const rows = await store.db
        .select({ id: articles.id })
        .from(articles)
        .where(eq(articles.id, id))
        .limit(1);
      return rows.length > 0;
    },

    /** The editor list: every status, newest change first, with the total for the same filters. */
    async listAdmin(
      filters: AdminListFilters,
      page: { limit: number; after: [number, string] | null },
      now: Date,
    ) {
      const { after } = page;
      const where = and(
        filters.status === undefined ? undefined : statusCondition(filters.status, now),
        filters.language === undefined ? undefined : eq(articles.language, filters.language),
        filters.authorSlug === undefined
          ? undefined
          : inArray(
              articles.id,
              store.db
                .select({ id: articleAuthors.articleId })
                .from(articleAuthors)
                .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
                .where(eq(authors.slug, filters.authorSlug)),
            ),
        filters.tagSlug === undefined
          ? undefined
          : inArray(
              articles.id,
              store.db
                .select({ id: articleTags.articleId })
                .from(articleTags)
                .innerJoin(tags, eq(tags.id, articleTags.tagId))
                .where(eq(tags.slug, filters.tagSlug)),
            ),
        // Editors search every article: the public index and their own together.
        filters.match === undefined
          ? undefined
          : or(
              inArray(
                articles.searchRowId,
                store.db
                  .select({ id: articlesSearch.rowid })
                  .from(articlesSearch)
                  .where(sql`${articlesSearch} MATCH ${filters.match}`),
              ),
              inArray(
                articles.searchRowId,
                store.db
                  .select({ id: articlesPublicSearch.rowid })
                  .from(articlesPublicSearch)
                  .where(sql`${articlesPublicSearch} MATCH ${filters.match}`),
              ),
            ),
      );
      const keyset = olderThan(articles.updatedAt, articles.id, after);
      const rows = await store.db
        .select()
        .from(articles)
        .where(and(where, keyset))
        .orderBy(desc(articles.updatedAt), desc(articles.id))
        .limit(page.limit + 1);
      const total = await store.db.$count(articles, where);
      const embeds = await loadEmbeds(store, store.db, photos, rows);
      return { items: rows.map((row) => toAdminArticle(row, embeds, now)), total };
    },
  };
}

export type ArticlesRepository = ReturnType<typeof createArticlesRepository>;
