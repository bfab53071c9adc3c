import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { logChange } from '../shared/change-log.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import { recordAnnouncement } from '../shared/outbox.ts';
import {
  type MissingReference,
  MissingReferencesError,
  StaleWriteError,
} from '../shared/record-errors.ts';
import { claimSlug, slugClaims } from '../shared/slugs.ts';
import { tableRecords } from '../shared/table-records.ts';

// Fronts and sections as editors keep them: a collection row (its rule, its version) and one row
// per pinned slot. Every write runs in one transaction under the version the editor loaded, so
// two editors reordering the front at once cannot both win.

export type CollectionRow = Store['tables']['collections']['$inferSelect'];

/** A pinned slot, and how its article stands now. */
export interface SlotRecord {
  articleId: string;
  headline: string | null;
  dek: string | null;
  photoId: string | null;
  article: {
    slug: string;
    language: string;
    headline: string;
    status: 'draft' | 'published' | 'archived';
    publishedAt: Date | null;
  };
}

export interface CollectionRecord {
  row: CollectionRow;
  slots: SlotRecord[];
}

/** The rule as stored: off, or the conditions that are set. */
export interface StoredBackfill {
  backfill: boolean;
  backfillTagIds: string[];
  backfillAuthorId: string | null;
  backfillLanguage: string | null;
}

export interface CollectionFields extends StoredBackfill {
  name: string;
  language: string;
  size: number;
}

export interface StoredSlot {
  articleId: string;
  headline: string | null;
  dek: string | null;
  photoId: string | null;
}

/** What an update decides from the collection as it stands inside the write. */
export interface CollectionChange {
  fields: Partial<CollectionFields>;
  slug?: string | undefined;
  /** The whole new list of pinned slots; undefined keeps them. */
  slots?: StoredSlot[] | undefined;
}

const ph = sql.placeholder;

export function createCollectionsRepository(store: Store) {
  const { collections, collectionItems, articles, photos, tags, authors } = store.tables;
  const records = tableRecords(store, collections, 'col');
  const slugClaim = slugClaims(collections, 'collection');
  const announceWrite = (
    tx: Db,
    type: 'collection.created' | 'collection.updated',
    row: CollectionRow,
    at: Date,
    keys: readonly ContentKey[],
  ) =>
    logChange(
      store,
      tx,
      keys,
      at,
      recordAnnouncement(type, { id: row.id, slug: row.slug, version: row.version }, at, keys),
    );

  async function slotsOf(db: Db, ids: readonly string[]): Promise<Map<string, SlotRecord[]>> {
    const grouped = new Map<string, SlotRecord[]>();
    if (ids.length === 0) return grouped;
    const rows = await db
      .select({
        collectionId: collectionItems.collectionId,
        articleId: collectionItems.articleId,
        headline: collectionItems.headline,
        dek: collectionItems.dek,
        photoId: collectionItems.photoId,
        article: {
          slug: articles.slug,
          language: articles.language,
          headline: articles.headline,
          status: articles.status,
          publishedAt: articles.publishedAt,
        },
      })
      .from(collectionItems)
      .innerJoin(articles, eq(articles.id, collectionItems.articleId))
      .where(inArray(collectionItems.collectionId, [...ids]))
      .orderBy(asc(collectionItems.collectionId), asc(collectionItems.position));
    for (const { collectionId, ...slot } of rows) {
      const list = grouped.get(collectionId) ?? [];
      list.push(slot);
      grouped.set(collectionId, list);
    }
    return grouped;
  }

  /** Collections with their slots: two queries for any number. */
  async function withSlots(db: Db, rows: CollectionRow[]): Promise<CollectionRecord[]> {
    const slots = await slotsOf(
      db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => ({ row, slots: slots.get(row.id) ?? [] }));
  }

  /** Every id the write names must exist; each missing one is reported with its field. */
  async function assertReferences(
    tx: Db,
    slots: readonly StoredSlot[] | undefined,
    rule: Partial<StoredBackfill>,
  ): Promise<void> {
    const articleIds = (slots ?? []).map((slot) => slot.articleId);
    const photoIds = (slots ?? []).flatMap((slot) => (slot.photoId === null ? [] : [slot.photoId]));
    const tagIds = rule.backfillTagIds ?? [];
    // One after another: the transaction's one connection runs a query at a time.
    const known = async (table: typeof articles | typeof photos | typeof tags, ids: string[]) =>
      ids.length === 0
        ? new Set<string>()
        : new Set(
            (await tx.select({ id: table.id }).from(table).where(inArray(table.id, ids))).map(
              (row) => row.id,
            ),
          );
    const knownArticles = await known(articles, articleIds);
    const knownPhotos = await known(photos, photoIds);
    const knownTags = await known(tags, tagIds);
    const missing: MissingReference[] = [];
    (slots ?? []).forEach((slot, index) => {
      if (!knownArticles.has(slot.articleId))
        missing.push({
          field: `items.${index}.articleId`,
          index: undefined,
          id: slot.articleId,
          kind: 'article',
        });
      if (slot.photoId !== null && !knownPhotos.has(slot.photoId))
        missing.push({
          field: `items.${index}.photoId`,
          index: undefined,
          id: slot.photoId,
          kind: 'photo',
        });
    });
    tagIds.forEach((id, index) => {
      if (!knownTags.has(id)) missing.push({ field: 'backfill.tagIds', index, id, kind: 'tag' });
    });
    const authorId = rule.backfillAuthorId;
    if (authorId !== undefined && authorId !== null) {
      const [author] = await tx
        .select({ id: authors.id })
        .from(authors)
        .where(eq(authors.id, authorId))
        .limit(1);
      if (author === undefined)
        missing.push({
          field: 'backfill.authorId',
          index: undefined,
          id: authorId,
          kind: 'author',
        });
    }
    if (missing.length > 0) throw new MissingReferencesError(missing);
  }

  async function writeSlots(tx: Db, collectionId: string, slots: readonly StoredSlot[]) {
    await tx.delete(collectionItems).where(eq(collectionItems.collectionId, collectionId));
    if (slots.length === 0) return;
    await tx
      .insert(collectionItems)
      .values(slots.map((slot, position) => ({ ...slot, collectionId, position })));
  }

  const current = (tx: Db, id: string) => records.findById(id, tx);
  /**
   * The version another writer committed while this write waited for the row (PostgreSQL, read
   * committed: a new statement sees it), which is what the editor must reload.
   */
  const versionNow = async (tx: Db, id: string, read: number): Promise<number> =>
    (await current(tx, id))?.version ?? read;

  return {
    count: () => records.count(),

    async list(page: { limit: number; after: string | null }): Promise<CollectionRecord[]> {
      const rows = await store.db
        .select()
        .from(collections)
        .where(page.after === null ? undefined : gt(collections.slug, page.after))
        .orderBy(asc(collections.slug))
        .limit(page.limit + 1);
      return withSlots(store.db, rows);
    },

    async findById(id: string): Promise<CollectionRecord | undefined> {
      const row = await records.findById(id);
      return row === undefined ? undefined : (await withSlots(store.db, [row]))[0];
    },

    async findBySlug(slug: string): Promise<CollectionRecord | undefined> {
      const row = await records.first(eq(collections.slug, slug));
      return row === undefined ? undefined : (await withSlots(store.db, [row]))[0];
    },

    /** A taken slug is a `SlugTakenError`; an unknown id a `MissingReferencesError`. */
    create(
      fields: CollectionFields & { slug: string | undefined },
      slots: readonly StoredSlot[],
      at: Date,
      keysOf: (id: string) => readonly ContentKey[],
    ): Promise<CollectionRecord> {
      const { slug: requested, ...rest } = fields;
      return store.write(async (tx) => {
        await assertReferences(tx, slots, rest);
        const slug = await claimSlug(tx, slugClaim(requested, rest.name));
        const row = await records.insert(tx, { ...rest, slug, version: 1 }, at);
        await writeSlots(tx, row.id, slots);
        await announceWrite(tx, 'collection.created', row, at, keysOf(row.id));
        const [created] = await withSlots(tx, [row]);
        if (created === undefined) throw new Error('a created collection has no record');
        return created;
      });
    },

    /**
     * Undefined when there is no such collection. `decide` sees it as it stands inside the
     * write (and may refuse it: a stale version, slots that no longer fit); the version moves
     * by one, and only from the version read, so a concurrent change makes this one a
     * `StaleWriteError`.
     */
    update(
      id: string,
      decide: (current: CollectionRecord) => CollectionChange,
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<CollectionRecord | undefined> {
      return store.write(async (tx) => {
        const row = await current(tx, id);
        if (row === undefined) return undefined;
        const [before] = await withSlots(tx, [row]);
        if (before === undefined) return undefined;
        const change = decide(before);
        await assertReferences(tx, change.slots, change.fields);
        const slug =
          change.slug === undefined
            ? undefined
            : await claimSlug(tx, slugClaim(change.slug, '', id));
        const [updated] = await tx
          .update(collections)
          .set({
            ...change.fields,
            ...(slug === undefined ? {} : { slug }),
            version: row.version + 1,
            updatedAt: at,
          })
          .where(and(eq(collections.id, id), eq(collections.version, row.version)))
          .returning();
        if (updated === undefined) throw new StaleWriteError(await versionNow(tx, id, row.version));
        if (change.slots !== undefined) await writeSlots(tx, id, change.slots);
        await announceWrite(tx, 'collection.updated', updated, at, keys);
        const [after] = await withSlots(tx, [updated]);
        return after;
      });
    },

    /**
     * False when there is no such collection; `check` sees it inside the write first (the
     * version). Its slots go with it.
     */
    delete(
      id: string,
      check: (row: CollectionRow) => void,
      at: Date,
      keys: readonly ContentKey[],
    ): Promise<boolean> {
      return store.write(async (tx) => {
        const row = await current(tx, id);
        if (row === undefined) return false;
        check(row);
        const deleted = await tx
          .delete(collections)
          .where(and(eq(collections.id, id), eq(collections.version, row.version)))
          .returning({ id: collections.id });
        if (deleted.length === 0) throw new StaleWriteError(await versionNow(tx, id, row.version));
        await logChange(
          store,
          tx,
          keys,
          at,
          recordAnnouncement('collection.deleted', { id, slug: row.slug }, at, keys),
        );
        return true;
      });
    },
  };
}

export type CollectionsRepository = ReturnType<typeof createCollectionsRepository>;

/** The prepared reads a public front is resolved from (collections.public.ts). */
export function createPublicCollectionsRepository(store: Store) {
  const { collections, collectionItems, articles, articleDocuments, articleTags, articleAuthors } =
    store.tables;
  const { photos } = store.tables;
  const among = (column: Parameters<typeof store.dialect.inJsonArray>[0], param: string) =>
    store.dialect.inJsonArray(column, param);
  const visible = and(
    eq(articles.status, 'published'),
    sql`${articles.publishedAt} <= ${ph('now')}`,
  );

  // The collection and its slots in one query (a collection without slots is one row of nulls).
  const bySlug = store.statement<
    Array<{
      id: string;
      slug: string;
      name: string;
      language: string;
      size: number;
      backfill: boolean;
      backfillTagIds: string[];
      backfillAuthorId: string | null;
      backfillLanguage: string | null;
      updatedAt: Date;
      articleId: string | null;
      headline: string | null;
      dek: string | null;
      photoId: string | null;
    }>,
    { slug: string }
  >('collections.public.bySlug', (db) =>
    db
      .select({
        id: collections.id,
        slug: collections.slug,
        name: collections.name,
        language: collections.language,
        size: collections.size,
        backfill: collections.backfill,
        backfillTagIds: collections.backfillTagIds,
        backfillAuthorId: collections.backfillAuthorId,
        backfillLanguage: collections.backfillLanguage,
        updatedAt: collections.updatedAt,
        articleId: collectionItems.articleId,
        headline: collectionItems.headline,
        dek: collectionItems.dek,
        photoId: collectionItems.photoId,
      })
      .from(collections)
      .leftJoin(collectionItems, eq(collectionItems.collectionId, collections.id))
      .where(eq(collections.slug, ph('slug')))
      .orderBy(asc(collectionItems.position)),
  );

  /**
   * The newest visible articles a rule takes, ids only, one statement per shape of rule: walked
   * off the tag's or author's index (the join tables carry the publication time), or the
   * articles' own. Several tags: each article once (its rows under each tag share the time).
   */
  function backfillStatement(shape: { tags: 0 | 1 | 2; author: boolean; language: boolean }) {
    return store.statement<
      Array<{ id: string }>,
      {
        now: number;
        limit: number;
        tagId?: string;
        tagIds?: string;
        authorId?: string;
        language?: string;
      }
    >(`collections.public.backfill:${shape.tags}:${shape.author}:${shape.language}`, (db) => {
      const driver =
        shape.tags > 0
          ? {
              table: articleTags,
              at: articleTags.publishedAt,
              id: articleTags.articleId,
              match:
                shape.tags === 1
                  ? eq(articleTags.tagId, ph('tagId'))
                  : among(articleTags.tagId, 'tagIds'),
            }
          : shape.author
            ? {
                table: articleAuthors,
                at: articleAuthors.publishedAt,
                id: articleAuthors.articleId,
                match: eq(articleAuthors.authorId, ph('authorId')),
              }
            : { table: articles, at: articles.publishedAt, id: articles.id, match: undefined };
      const byAuthor =
        shape.author && shape.tags > 0
          ? sql`exists (select 1 from ${articleAuthors} where ${articleAuthors.articleId} = ${articles.id} and ${articleAuthors.authorId} = ${ph('authorId')})`
          : undefined;
      const conditions = and(
        driver.match,
        sql`${driver.at} <= ${ph('now')}`,
        visible,
        byAuthor,
        shape.language ? eq(articles.language, ph('language')) : undefined,
      );
      const base =
        shape.tags > 1
          ? db.selectDistinct({ id: driver.id, at: driver.at }).from(driver.table)
          : db.select({ id: driver.id, at: driver.at }).from(driver.table);
      const joined =
        driver.table === articles ? base : base.innerJoin(articles, eq(articles.id, driver.id));
      return joined
        .where(conditions)
        .orderBy(sql`${driver.at} desc`, sql`${driver.id} desc`)
        .limit(ph('limit'));
    });
  }

  // With each article's own photo, so a front without photo overrides needs no photo query.
  const documentsByIds = store.statement<
    Array<{
      id: string;
      headline: string;
      dek: string | null;
      summary: string;
      photo: Store['tables']['photos']['$inferSelect'] | null;
    }>,
    { ids: string; now: number }
  >('collections.public.documents', (db) =>
    db
      .select({
        id: articles.id,
        headline: articles.headline,
        dek: articles.dek,
        summary: articleDocuments.summary,
        photo: photos,
      })
      .from(articles)
      .innerJoin(articleDocuments, eq(articleDocuments.articleId, articles.id))
      .leftJoin(photos, eq(photos.id, articles.photoId))
      .where(and(among(articles.id, 'ids'), visible)),
  );

  const photosByIds = store.statement<
    Array<Store['tables']['photos']['$inferSelect']>,
    { ids: string }
  >('collections.public.photos', (db) => db.select().from(photos).where(among(photos.id, 'ids')));

  return {
    bySlug: (slug: string) => bySlug({ slug }),

    /** Up to `limit` ids of the newest visible articles the rule takes, newest first. */
    async backfill(
      rule: { tagIds: readonly string[]; authorId: string | null; language: string | null },
      limit: number,
      now: Date,
    ): Promise<string[]> {
      const tagCount = rule.tagIds.length === 0 ? 0 : rule.tagIds.length === 1 ? 1 : 2;
      const statement = backfillStatement({
        tags: tagCount,
        author: rule.authorId !== null,
        language: rule.language !== null,
      });
      const rows = await statement({
        now: now.getTime(),
        limit,
        ...(tagCount === 1 ? { tagId: rule.tagIds[0] } : {}),
        ...(tagCount === 2 ? { tagIds: JSON.stringify(rule.tagIds) } : {}),
        ...(rule.authorId === null ? {} : { authorId: rule.authorId }),
        ...(rule.language === null ? {} : { language: rule.language }),
      });
      return rows.map((row) => row.id);
    },

    /** The ready list items (and own photos) of those of these articles readers can see, in no order. */
    documents: (ids: readonly string[], now: Date) =>
      ids.length === 0
        ? Promise.resolve([])
        : documentsByIds({ ids: JSON.stringify(ids), now: now.getTime() }),

    photos: async (ids: readonly string[]) =>
      ids.length === 0 ? [] : photosByIds({ ids: JSON.stringify([...new Set(ids)]) }),
  };
}

export type PublicCollectionsRepository = ReturnType<typeof createPublicCollectionsRepository>;
