import type { SearchTerms } from '../../lib/search-query.ts';
import { and, eq, gt, inArray, lte, sql } from 'drizzle-orm';
import { type ArticleSeoColumns, maxEditions } from '../../db/schema/articles.ts';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import type { TimeCursor } from '../shared/keyset.ts';
import { tableRecords } from '../shared/table-records.ts';
import { logChange } from '../shared/change-log.ts';
import { type ContentKey, keys } from '../shared/content-keys.ts';
import type { Announcement } from '../shared/outbox.ts';
import { EditionTakenError, StaleWriteError } from '../shared/record-errors.ts';
import { claimSlug } from '../shared/slugs.ts';
import {
  type ArticleRow,
  type ArticleWithEmbeds,
  assertReferences,
  createEmbedsInWrite,
  loadEmbeds,
} from './articles.embed.ts';
import type { RenderDocuments } from './articles.documents.repository.ts';
import { keepRevision } from './articles.revisions.ts';
import { createSearchIndexWriter } from './articles.search-index.ts';

const ph = sql.placeholder;

export type ArticleStatusFilter = 'draft' | 'scheduled' | 'published' | 'archived';

/** Everything an editor decides about an article, with what is derived from it. */
export interface ArticleContent extends ArticleSeoColumns {
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
  /** Not public before this, whatever `publishedAt` was asked for (see articles.service.ts). */
  embargoUntil: Date | null;
  embargoSource: string | null;
  embargoNote: string | null;
}

export type ArticleState = ArticleRow & { authorIds: string[]; tagIds: string[] };

/** What a change to a translation group announces, from its members as they now stand. */
export type EditionsAnnouncement = (members: ArticleRow[], keys: ContentKey[]) => Announcement;

export interface ArticleDecision {
  content: ArticleContent;
  /** An explicit new slug (taken: `SlugTakenError`). Absent: it stays, re-checked if the language moved. */
  requestedSlug?: string | undefined;
}

export interface AdminListFilters {
  status?: ArticleStatusFilter | undefined;
  language?: string | undefined;
  authorSlug?: string | undefined;
  tagSlug?: string | undefined;
  /** Parsed search terms (see lib/search-query.ts), never raw user input. */
  terms?: SearchTerms | undefined;
}

/** What a write touched: the content keys it makes stale, and what it announces to webhooks. */
export interface Touched {
  keys: ContentKey[];
  announcement: Announcement;
}

export interface Actor {
  tokenId: string | null;
}

/**
 * `renderDocuments` runs inside every write, so a published article's public documents change in
 * the same transaction as the article (articles.documents.ts).
 */
export function createArticlesRepository(
  store: Store,
  photos: PhotosRepository,
  renderDocuments: RenderDocuments,
) {
  const { articles, articleAuthors, articleTags, articleSlugRedirects } = store.tables;
  const { authors, tags } = store.tables;
  const searchIndex = createSearchIndexWriter(store);
  const embedsInWrite = createEmbedsInWrite(store);
  const records = tableRecords(store, articles, 'art');

  function statusCondition(status: ArticleStatusFilter, now: Date) {
    switch (status) {
      case 'scheduled':
        return and(eq(articles.status, 'published'), gt(articles.publishedAt, now));
      case 'published':
        return and(eq(articles.status, 'published'), lte(articles.publishedAt, now));
      default:
        return eq(articles.status, status);
    }
  }

  // The statements every save runs, prepared once (Store.writeStatement).
  type ById = { id: string };
  const stateRow = store.writeStatement<ArticleRow[], ById>('articles.state', (db) =>
    db
      .select()
      .from(articles)
      .where(eq(articles.id, ph('id')))
      .limit(1),
  );
  const stateAuthors = store.writeStatement<Array<{ id: string }>, ById>(
    'articles.stateAuthors',
    (db) =>
      db
        .select({ id: articleAuthors.authorId })
        .from(articleAuthors)
        .where(eq(articleAuthors.articleId, ph('id')))
        .orderBy(articleAuthors.position),
  );
  const stateTags = store.writeStatement<Array<{ id: string }>, ById>('articles.stateTags', (db) =>
    db
      .select({ id: articleTags.tagId })
      .from(articleTags)
      .where(eq(articleTags.articleId, ph('id')))
      .orderBy(articleTags.position),
  );
  const updateColumns = [
    'language',
    'headline',
    'dek',
    'excerptSource',
    'excerpt',
    'body',
    'bodyHtml',
    'wordCount',
    'readingTimeMinutes',
    'photoId',
    'seoTitle',
    'seoDescription',
    'canonicalUrl',
    'noindex',
    'socialTitle',
    'socialDescription',
    'socialPhotoId',
    'embargoSource',
    'embargoNote',
    'status',
    'slug',
    'version',
    'updatedAt',
  ] as const;
  type UpdateValues = Pick<ArticleRow, (typeof updateColumns)[number]> & {
    id: string;
    expectedVersion: number;
    publishedAtMs: number | null;
    embargoUntilMs: number | null;
  };
  // Placeholders in `set` are encoded by their column (a Date becomes what the backend stores),
  // except null, which Drizzle hands to the encoder too: the nullable timestamps are bound as
  // the milliseconds both backends store.
  const updateRow = store.writeStatement<ArticleRow[], UpdateValues>('articles.update', (db) =>
    db
      .update(articles)
      .set({
        ...Object.fromEntries(updateColumns.map((column) => [column, ph(column)])),
        publishedAt: sql`${ph('publishedAtMs')}`,
        embargoUntil: sql`${ph('embargoUntilMs')}`,
      })
      .where(and(eq(articles.id, ph('id')), eq(articles.version, ph('expectedVersion'))))
      .returning(),
  );

  const groupRows = store.writeStatement<Array<{ id: string }>, { group: string }>(
    'articles.translationGroup',
    (db) =>
      db
        .select({ id: articles.id })
        .from(articles)
        .where(eq(articles.translationGroupId, ph('group'))),
  );
  /** The other editions of a story: their documents list this one, so they render with it. */
  async function otherEditions(tx: Db, row: { id: string; translationGroupId: string | null }) {
    if (row.translationGroupId === null) return [];
    const rows = await groupRows(tx, { group: row.translationGroupId });
    return rows.flatMap((member) => (member.id === row.id ? [] : [member.id]));
  }

  /** One edition per language in a group: the one `except` (being linked) aside. */
  async function assertLanguageFree(
    tx: Db,
    group: string,
    language: string,
    except: string | undefined,
    source: ArticleState,
  ): Promise<void> {
    const taken =
      source.language === language && source.id !== except
        ? [source.id]
        : (
            await tx
              .select({ id: articles.id })
              .from(articles)
              .where(and(eq(articles.translationGroupId, group), eq(articles.language, language)))
          )
            .map((row) => row.id)
            .filter((memberId) => memberId !== except);
    if (taken.length > 0)
      throw new EditionTakenError(`The story already has an edition in ${language}.`);
    const [size] = await tx
      .select({ count: sql<number>`count(*)` })
      .from(articles)
      .where(eq(articles.translationGroupId, group));
    if ((size?.count ?? 0) >= maxEditions)
      throw new EditionTakenError(`A story has at most ${maxEditions} editions.`);
  }

  /** Inserts a new article at version 1 (in `group`, if given); returns its id. */
  async function insert(
    tx: Db,
    content: ArticleContent,
    requestedSlug: string | undefined,
    at: Date,
    group: string | null = null,
  ): Promise<string> {
    await assertReferences(store, tx, content);
    const slug = await claimSlug(tx, slugClaim(content, requestedSlug, content.headline));
    const id = newId('art', at.getTime());
    const [inserted] = await tx
      .insert(articles)
      .values({
        ...articleColumns(content),
        id,
        slug,
        translationGroupId: group,
        searchRowId: store.dialect.nextSearchRowId,
        version: 1,
        createdAt: at,
        updatedAt: at,
      })
      .returning({ searchRowId: articles.searchRowId });
    if (inserted === undefined) throw new Error('The article insert returned no row');
    const { searchRowId } = inserted;
    await writeRelations(tx, id, content);
    await searchIndex.write(tx, { id, searchRowId, wasPublic: undefined }, content, at);
    await renderDocuments(tx, [id]);
    return id;
  }

  /** A group's links changed: every member's public `translations` did, so each is announced. */
  async function logEditionsChange(
    tx: Db,
    members: string[],
    at: Date,
    announce: EditionsAnnouncement,
  ): Promise<void> {
    const changedKeys = [keys.articleList, ...members.map(keys.article)];
    const rows = await tx.select().from(articles).where(inArray(articles.id, members));
    await logChange(store, tx, changedKeys, at, announce(rows, changedKeys));
  }

  async function loadState(tx: Db, id: string): Promise<ArticleState | undefined> {
    const [row] = await stateRow(tx, { id });
    if (row === undefined) return undefined;
    const authorRows = await stateAuthors(tx, { id });
    const tagRows = await stateTags(tx, { id });
    return { ...row, authorIds: authorRows.map((r) => r.id), tagIds: tagRows.map((r) => r.id) };
  }

  async function loadWithEmbeds(db: Db, id: string): Promise<ArticleWithEmbeds | undefined> {
    const rows = await db.select().from(articles).where(eq(articles.id, id)).limit(1);
    const [row] = rows;
    if (row === undefined) return undefined;
    return { row, embeds: await loadEmbeds(store, db, photos, rows) };
  }

  async function reload(tx: Db, id: string): Promise<ArticleWithEmbeds> {
    const saved = await loadWithEmbeds(tx, id);
    if (saved === undefined) throw new Error('article vanished inside its own transaction');
    return saved;
  }

  const publicTime = (state: { status: string; publishedAt: Date | null }) =>
    state.status === 'published' ? (state.publishedAt?.getTime() ?? null) : null;
  const sameList = (a: readonly string[], b: readonly string[]) =>
    a.length === b.length && a.every((id, index) => id === b[index]);

  /**
   * Bylines and tags, in order, carrying the public publication time for indexed filtering.
   * Unchanged rows are left alone: most edits touch neither, and on PostgreSQL every statement
   * is a round trip.
   */
  async function writeRelations(
    tx: Db,
    articleId: string,
    content: ArticleContent,
    current?: ArticleState,
  ): Promise<void> {
    if (
      current !== undefined &&
      publicTime(current) === publicTime(content) &&
      sameList(current.authorIds, content.authorIds) &&
      sameList(current.tagIds, content.tagIds)
    )
      return;
    const publicAt = content.status === 'published' ? content.publishedAt : null;
    await tx.delete(articleAuthors).where(eq(articleAuthors.articleId, articleId));
    await tx.delete(articleTags).where(eq(articleTags.articleId, articleId));
    const rows = (ids: string[]) =>
      ids.map((id, position) => ({ articleId, id, position, publishedAt: publicAt }));
    if (content.authorIds.length > 0) {
      await tx
        .insert(articleAuthors)
        .values(rows(content.authorIds).map(({ id, ...row }) => ({ ...row, authorId: id })));
    }
    if (content.tagIds.length > 0) {
      await tx
        .insert(articleTags)
        .values(rows(content.tagIds).map(({ id, ...row }) => ({ ...row, tagId: id })));
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

  /** Readers and search engines hold links to an old address: keep it answering. */
  async function keepOldAddress(
    tx: Db,
    current: ArticleState,
    next: { language: string; slug: string },
    at: Date,
  ): Promise<void> {
    if (current.status === 'published') {
      await tx
        .insert(articleSlugRedirects)
        .values({
          language: current.language,
          slug: current.slug,
          articleId: current.id,
          createdAt: at,
        })
        .onConflictDoUpdate({
          target: [articleSlugRedirects.language, articleSlugRedirects.slug],
          set: { articleId: current.id, createdAt: at },
        });
    }
    await tx
      .delete(articleSlugRedirects)
      .where(
        and(
          eq(articleSlugRedirects.language, next.language),
          eq(articleSlugRedirects.slug, next.slug),
        ),
      );
  }

  return {
    findWithEmbeds: (id: string) => loadWithEmbeds(store.db, id),

    /** A new article at version 1. Unknown references: `MissingReferencesError`. */
    async create(
      content: ArticleContent,
      requestedSlug: string | undefined,
      at: Date,
    ): Promise<ArticleWithEmbeds> {
      return store.write(async (tx) => reload(tx, await insert(tx, content, requestedSlug, at)));
    },

    /**
     * A new draft edition of `sourceId` in `language`, made by `copy` from the source, in the
     * source's translation group (one is started if it had none). `EditionTakenError` when the
     * group has that language already; undefined when there is no such source.
     */
    async createEdition(
      sourceId: string,
      language: string,
      copy: (source: ArticleState) => ArticleContent,
      at: Date,
    ): Promise<ArticleWithEmbeds | undefined> {
      return store.write(async (tx) => {
        const source = await loadState(tx, sourceId);
        if (source === undefined) return undefined;
        const group = source.translationGroupId ?? newId('trg', at.getTime());
        await assertLanguageFree(tx, group, language, undefined, source);
        if (source.translationGroupId === null)
          await tx
            .update(articles)
            .set({ translationGroupId: group })
            .where(eq(articles.id, sourceId));
        // The headline is the source's until translated: its slug, free in the new language.
        const id = await insert(tx, copy(source), undefined, at, group);
        return reload(tx, id);
      });
    },

    /**
     * Puts `otherId` in `id`'s translation group (starting one). Both must exist (undefined
     * otherwise); `EditionTakenError` when the language is there already or `otherId` is in
     * another group. Returns the group's members, whose documents were rendered again.
     */
    async link(
      id: string,
      otherId: string,
      at: Date,
      announce: EditionsAnnouncement,
    ): Promise<string[] | undefined> {
      return store.write(async (tx) => {
        const [one, other] = [await loadState(tx, id), await loadState(tx, otherId)];
        if (one === undefined || other === undefined) return undefined;
        if (
          other.translationGroupId !== null &&
          other.translationGroupId === one.translationGroupId
        )
          return [id, ...(await otherEditions(tx, one))];
        if (other.translationGroupId !== null)
          throw new EditionTakenError(
            'The other article is an edition of another story; unlink it first.',
          );
        const group = one.translationGroupId ?? newId('trg', at.getTime());
        await assertLanguageFree(tx, group, other.language, other.id, one);
        await tx
          .update(articles)
          .set({ translationGroupId: group })
          .where(inArray(articles.id, [id, otherId]));
        const members = [id, ...(await otherEditions(tx, { id, translationGroupId: group }))];
        await renderDocuments(tx, members);
        await logEditionsChange(tx, members, at, announce);
        return members;
      });
    },

    /** Takes `id` out of its translation group; returns who was in it (rendered again). */
    async unlink(
      id: string,
      at: Date,
      announce: EditionsAnnouncement,
    ): Promise<string[] | undefined> {
      return store.write(async (tx) => {
        const current = await loadState(tx, id);
        if (current === undefined) return undefined;
        const members = [id, ...(await otherEditions(tx, current))];
        if (current.translationGroupId === null) return members;
        await tx.update(articles).set({ translationGroupId: null }).where(eq(articles.id, id));
        await renderDocuments(tx, members);
        await logEditionsChange(tx, members, at, announce);
        return members;
      });
    },

    /**
     * The one way an article changes: inside one transaction, let `decide` apply the rules
     * (version, role, workflow) to the current state, keep the previous version as a revision,
     * and bump the version. Concurrent editors are serialised by the write; the loser's `decide`
     * sees the winner's version. `alongside` writes what belongs to the article (a correction)
     * in the same transaction, after the version check. Undefined when there is no such article.
     */
    async mutate(
      id: string,
      decide: (current: ArticleState) => ArticleDecision,
      at: Date,
      actor: Actor,
      touched: (before: ArticleState, after: ArticleWithEmbeds) => Touched,
      alongside?: (tx: Db, current: ArticleState) => Promise<void>,
    ): Promise<{ before: ArticleState; after: ArticleWithEmbeds; keys: ContentKey[] } | undefined> {
      return store.write(async (tx) => {
        const current = await loadState(tx, id);
        if (current === undefined) return undefined;
        const { content, requestedSlug } = decide(current);
        // What the article already references exists (the foreign keys restrict deletes).
        await assertReferences(store, tx, {
          authorIds: content.authorIds.filter((authorId) => !current.authorIds.includes(authorId)),
          tagIds: content.tagIds.filter((tagId) => !current.tagIds.includes(tagId)),
          photoId: content.photoId === current.photoId ? null : content.photoId,
          socialPhotoId:
            content.socialPhotoId === current.socialPhotoId ? null : content.socialPhotoId,
        });
        const slugMustMove = requestedSlug !== undefined || content.language !== current.language;
        const slug = slugMustMove
          ? await claimSlug(
              tx,
              slugClaim(content, requestedSlug, requestedSlug ?? current.slug, id),
            )
          : current.slug;

        const { publishedAt, embargoUntil, ...columns } = articleColumns(content);
        const [updated] = await updateRow(tx, {
          ...columns,
          publishedAtMs: publishedAt?.getTime() ?? null,
          embargoUntilMs: embargoUntil?.getTime() ?? null,
          slug,
          version: current.version + 1,
          updatedAt: at,
          id,
          expectedVersion: current.version,
        });
        if (updated === undefined) {
          // Another writer committed first (PostgreSQL, read committed: this new statement sees
          // it): the editor must reload that version, not the one read.
          const [winner] = await stateRow(tx, { id });
          throw new StaleWriteError(winner?.version ?? current.version);
        }
        await alongside?.(tx, current);

        await writeRelations(tx, id, content, current);
        await searchIndex.write(
          tx,
          { id, searchRowId: current.searchRowId, wasPublic: current.inPublicSearch },
          content,
          at,
        );
        if (slug !== current.slug || content.language !== current.language) {
          await keepOldAddress(tx, current, { language: content.language, slug }, at);
        }
        await keepRevision(store, tx, current, at, actor);
        await renderDocuments(tx, [id, ...(await otherEditions(tx, current))]);
        // The row as updated: nothing after the UPDATE changes it.
        const after = { row: updated, embeds: await embedsInWrite.load(tx, [updated]) };
        const { keys, announcement } = touched(current, after);
        await logChange(store, tx, keys, at, announcement);
        return { before: current, after, keys };
      });
    },

    /**
     * Deletes the article if `check` accepts its current state, logging the keys `touched` names;
     * undefined when there is none.
     */
    async remove(
      id: string,
      check: (current: ArticleState) => void,
      at: Date,
      touched: (current: ArticleState) => Touched,
    ): Promise<{ removed: ArticleState; keys: ContentKey[] } | undefined> {
      return store.write(async (tx) => {
        const current = await loadState(tx, id);
        if (current === undefined) return undefined;
        check(current);
        await searchIndex.remove(tx, current.searchRowId);
        await tx.delete(articles).where(eq(articles.id, id));
        await renderDocuments(tx, await otherEditions(tx, current));
        const { keys, announcement } = touched(current);
        await logChange(store, tx, keys, at, announcement);
        return { removed: current, keys };
      });
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
      page: { limit: number; after: TimeCursor },
      now: Date,
    ): Promise<{ items: ArticleWithEmbeds[]; total: number }> {
      const joinedBy = (
        join: typeof articleAuthors | typeof articleTags,
        owner: typeof authors | typeof tags,
        ownerId: typeof articleAuthors.authorId | typeof articleTags.tagId,
        slug: string,
      ) =>
        inArray(
          articles.id,
          store.db
            .select({ id: join.articleId })
            .from(join)
            .innerJoin(owner, eq(owner.id, ownerId))
            .where(eq(owner.slug, slug)),
        );
      const where = and(
        filters.status === undefined ? undefined : statusCondition(filters.status, now),
        filters.language === undefined ? undefined : eq(articles.language, filters.language),
        filters.authorSlug === undefined
          ? undefined
          : joinedBy(articleAuthors, authors, articleAuthors.authorId, filters.authorSlug),
        filters.tagSlug === undefined
          ? undefined
          : joinedBy(articleTags, tags, articleTags.tagId, filters.tagSlug),
        filters.terms === undefined
          ? undefined
          : store.search.matchesAny(
              store.db,
              articles.searchRowId,
              store.search.compile(filters.terms),
            ),
      );
      const [rows, total] = await Promise.all([
        records.listNewest(page, where, 'updatedAt'),
        records.count(where),
      ]);
      const embeds = await loadEmbeds(store, store.db, photos, rows);
      return { items: rows.map((row) => ({ row, embeds })), total };
    },
  };
}

export type ArticlesRepository = ReturnType<typeof createArticlesRepository>;
