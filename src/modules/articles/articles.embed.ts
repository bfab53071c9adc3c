import { type AnyColumn, asc, eq, inArray, type SQL } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import type { PhotoRecord, PhotosRepository } from '../photos/photos.repository.ts';
import { type MissingReference, MissingReferencesError } from '../shared/record-errors.ts';

// What an article row carries along: its bylines and tags in order, and its lead photo. Records
// only; the services turn them into response objects.

export type ArticleRow = Store['tables']['articles']['$inferSelect'];
export type CorrectionRecord = Store['tables']['articleCorrections']['$inferSelect'];

export interface Byline {
  id: string;
  slug: string;
  name: string;
}

export interface Embeds {
  authors: Map<string, Byline[]>;
  tags: Map<string, Byline[]>;
  photos: Map<string, PhotoRecord>;
  /** Per article, in the order they were made. */
  corrections: Map<string, CorrectionRecord[]>;
  /** Per translation group, every edition in it (any status), by language. */
  editions: Map<string, Edition[]>;
}

/** An edition of a story, as its translation group lists it. */
export interface Edition {
  id: string;
  slug: string;
  language: string;
  status: ArticleRow['status'];
  publishedAt: Date | null;
  groupId: string | null;
}

/** The other editions in `row`'s group. */
export function editionsOf(row: ArticleRow, embeds: Embeds): Edition[] {
  if (row.translationGroupId === null) return [];
  return (embeds.editions.get(row.translationGroupId) ?? []).filter((e) => e.id !== row.id);
}

function groupIdsOf(rows: ArticleRow[]): string[] {
  return [
    ...new Set(
      rows.flatMap((row) => (row.translationGroupId === null ? [] : [row.translationGroupId])),
    ),
  ];
}

function byGroup(rows: readonly Edition[]): Map<string, Edition[]> {
  const grouped = new Map<string, Edition[]>();
  for (const row of rows) {
    if (row.groupId === null) continue;
    grouped.set(row.groupId, [...(grouped.get(row.groupId) ?? []), row]);
  }
  return grouped;
}

/** Rows grouped by their article, in the order given. */
export function byArticle<T extends { articleId: string }>(rows: readonly T[]): Map<string, T[]> {
  const grouped = new Map<string, T[]>();
  for (const row of rows) {
    const list = grouped.get(row.articleId) ?? [];
    list.push(row);
    grouped.set(row.articleId, list);
  }
  return grouped;
}

/** An article with what it embeds, as the editor API shows it. */
export interface ArticleWithEmbeds {
  row: ArticleRow;
  embeds: Embeds;
}

/** Rows of (article, byline or tag), in order, grouped per article. */
export function groupByArticle(rows: Array<{ articleId: string } & Byline>): Map<string, Byline[]> {
  const grouped = new Map<string, Byline[]>();
  for (const { articleId, id, slug, name } of rows) {
    const list = grouped.get(articleId) ?? [];
    list.push({ id, slug, name });
    grouped.set(articleId, list);
  }
  return grouped;
}

/**
 * The byline and tag queries for a batch of articles, in position order. `among` says which
 * articles (a list of ids, or a prepared statement's parameter), so the hot public path prepares
 * the very same query once.
 */
export function embedQueries(store: Store, db: Db, among: (articleId: AnyColumn) => SQL) {
  const { articles, articleAuthors, articleTags, articleCorrections, authors, tags } = store.tables;
  return {
    /** `among` here names translation groups, not articles. */
    editions: db
      .select({
        id: articles.id,
        slug: articles.slug,
        language: articles.language,
        status: articles.status,
        publishedAt: articles.publishedAt,
        groupId: articles.translationGroupId,
      })
      .from(articles)
      .where(among(articles.translationGroupId))
      .orderBy(asc(articles.language)),
    corrections: db
      .select()
      .from(articleCorrections)
      .where(among(articleCorrections.articleId))
      .orderBy(
        asc(articleCorrections.articleId),
        asc(articleCorrections.publishedAt),
        asc(articleCorrections.id),
      ),
    bylines: db
      .select({
        articleId: articleAuthors.articleId,
        id: authors.id,
        slug: authors.slug,
        name: authors.name,
      })
      .from(articleAuthors)
      .innerJoin(authors, eq(authors.id, articleAuthors.authorId))
      .where(among(articleAuthors.articleId))
      .orderBy(asc(articleAuthors.articleId), asc(articleAuthors.position)),
    tags: db
      .select({ articleId: articleTags.articleId, id: tags.id, slug: tags.slug, name: tags.name })
      .from(articleTags)
      .innerJoin(tags, eq(tags.id, articleTags.tagId))
      .where(among(articleTags.articleId))
      .orderBy(asc(articleTags.articleId), asc(articleTags.position)),
  };
}

/** The photos these articles show: lead and social card photos, each once. */
function photoIdsOf(rows: ArticleRow[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    if (row.photoId !== null) ids.add(row.photoId);
    if (row.socialPhotoId !== null) ids.add(row.socialPhotoId);
  }
  return [...ids];
}

/**
 * Bylines, tags and lead photos for a batch of articles: three queries whatever the batch size.
 * Used by editor reads and inside write transactions (pass the transaction as `db`).
 */
export async function loadEmbeds(
  store: Store,
  db: Db,
  photos: PhotosRepository,
  rows: ArticleRow[],
): Promise<Embeds> {
  const ids = rows.map((row) => row.id);
  if (ids.length === 0)
    return {
      authors: new Map(),
      tags: new Map(),
      photos: new Map(),
      corrections: new Map(),
      editions: new Map(),
    };
  const queries = embedQueries(store, db, (column) => inArray(column, ids));
  // One after another: `db` may be a transaction, whose one connection runs a query at a time.
  const authorRows = await queries.bylines;
  const tagRows = await queries.tags;
  const photoById = await photos.findByIds(photoIdsOf(rows), db);
  const correctionRows = await queries.corrections;
  const groupIds = groupIdsOf(rows);
  const editionRows =
    groupIds.length === 0
      ? []
      : await embedQueries(store, db, (column) => inArray(column, groupIds)).editions;
  return {
    authors: groupByArticle(authorRows),
    tags: groupByArticle(tagRows),
    photos: photoById,
    corrections: byArticle(correctionRows),
    editions: byGroup(editionRows),
  };
}

/**
 * `loadEmbeds` for the write path: the same three queries, prepared once (Store.writeStatement)
 * with the ids bound as one JSON array. Only inside a write: `tx` must be the transaction.
 */
export function createEmbedsInWrite(store: Store) {
  const { photos } = store.tables;
  const among = (column: AnyColumn) => store.dialect.inJsonArray(column, 'ids');
  type Ids = { ids: string };
  const bylines = store.writeStatement<Array<{ articleId: string } & Byline>, Ids>(
    'articles.embeds.bylines',
    (db) => embedQueries(store, db, among).bylines,
  );
  const tagRows = store.writeStatement<Array<{ articleId: string } & Byline>, Ids>(
    'articles.embeds.tags',
    (db) => embedQueries(store, db, among).tags,
  );
  const photoRows = store.writeStatement<PhotoRecord[], Ids>('articles.embeds.photos', (db) =>
    db.select().from(photos).where(among(photos.id)),
  );
  const correctionRows = store.writeStatement<CorrectionRecord[], Ids>(
    'articles.embeds.corrections',
    (db) => embedQueries(store, db, among).corrections,
  );
  const editionRows = store.writeStatement<Edition[], Ids>(
    'articles.embeds.editions',
    (db) => embedQueries(store, db, among).editions,
  );
  /** Every edition in these translation groups, per group; no query for none. */
  async function editionsIn(tx: Db, groupIds: readonly string[]) {
    return byGroup(
      groupIds.length === 0 ? [] : await editionRows(tx, { ids: JSON.stringify(groupIds) }),
    );
  }
  /** These articles' corrections, grouped per article, in the order they were made. */
  async function correctionsOf(tx: Db, articleIds: readonly string[]) {
    return byArticle(await correctionRows(tx, { ids: JSON.stringify(articleIds) }));
  }
  /** Bylines and tags of these articles, grouped per article, in order. */
  async function bylinesAndTags(tx: Db, articleIds: readonly string[]) {
    const ids = JSON.stringify(articleIds);
    const authorRows = await bylines(tx, { ids });
    const tagList = await tagRows(tx, { ids });
    return { authors: groupByArticle(authorRows), tags: groupByArticle(tagList) };
  }
  /** These photos by id; no query for none. */
  async function photosById(tx: Db, photoIds: readonly string[]) {
    const photoList =
      photoIds.length === 0 ? [] : await photoRows(tx, { ids: JSON.stringify(photoIds) });
    return new Map(photoList.map((photo) => [photo.id, photo]));
  }
  return {
    bylinesAndTags,
    photosById,
    correctionsOf,
    editionsIn,
    async load(tx: Db, rows: ArticleRow[]): Promise<Embeds> {
      const ids = rows.map((row) => row.id);
      const { authors, tags } = await bylinesAndTags(tx, ids);
      return {
        authors,
        tags,
        photos: await photosById(tx, photoIdsOf(rows)),
        corrections: await correctionsOf(tx, ids),
        editions: await editionsIn(tx, groupIdsOf(rows)),
      };
    },
  };
}

/** Unknown ids are reported with their field and position, never silently dropped. */
export async function assertReferences(
  store: Store,
  tx: Db,
  content: {
    authorIds: string[];
    tagIds: string[];
    photoId: string | null;
    socialPhotoId: string | null;
  },
): Promise<void> {
  const { authors, tags, photos } = store.tables;
  const photoIds = [
    ...new Set([content.photoId, content.socialPhotoId].filter((photoId) => photoId !== null)),
  ];
  // One after another: the transaction's one connection runs a query at a time.
  const foundAuthors =
    content.authorIds.length === 0
      ? []
      : await tx
          .select({ id: authors.id })
          .from(authors)
          .where(inArray(authors.id, content.authorIds));
  const foundTags =
    content.tagIds.length === 0
      ? []
      : await tx.select({ id: tags.id }).from(tags).where(inArray(tags.id, content.tagIds));
  const foundPhotos =
    photoIds.length === 0
      ? []
      : await tx.select({ id: photos.id }).from(photos).where(inArray(photos.id, photoIds));
  const missing = (
    field: string,
    kind: string,
    wanted: string[],
    found: Array<{ id: string }>,
  ): MissingReference[] => {
    const known = new Set(found.map((row) => row.id));
    return wanted.flatMap((id, index) => (known.has(id) ? [] : [{ field, index, id, kind }]));
  };
  const errors: MissingReference[] = [
    ...missing('authorIds', 'author', content.authorIds, foundAuthors),
    ...missing('tagIds', 'tag', content.tagIds, foundTags),
  ];
  const knownPhotos = new Set(foundPhotos.map((row) => row.id));
  if (content.photoId !== null && !knownPhotos.has(content.photoId))
    errors.push({ field: 'photoId', index: undefined, id: content.photoId, kind: 'photo' });
  if (content.socialPhotoId !== null && !knownPhotos.has(content.socialPhotoId))
    errors.push({
      field: 'social.photoId',
      index: undefined,
      id: content.socialPhotoId,
      kind: 'photo',
    });
  if (errors.length > 0) throw new MissingReferencesError(errors);
}
