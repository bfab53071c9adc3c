import { eq } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import { type EmbeddedChanged, touchesAny } from '../shared/embedded-changes.ts';
import { MissingReferencesError } from '../shared/record-errors.ts';
import { sluggedRecords, type WritableFields } from '../shared/slugged-records.ts';
import { visibleThroughArticles } from '../shared/visibility.ts';

export type AuthorRecord = Store['tables']['authors']['$inferSelect'];
type AuthorFields = WritableFields<Store['tables']['authors']>;

/** What a byline shows of an author. */
const shownInBylines = ['name', 'slug'] as const;

export function createAuthorsRepository(store: Store, embeddedChanged: EmbeddedChanged) {
  const { authors, articleAuthors, photos } = store.tables;
  const records = sluggedRecords(store, authors, {
    idPrefix: 'aut',
    fallbackSlug: 'author',
    events: { created: 'author.created', updated: 'author.updated', deleted: 'author.deleted' },
  });
  // An author is public once a visible article carries their byline (as Ghost does), so a
  // writer's new author is not on the public site on its own.
  const visible = visibleThroughArticles(store, 'authors', authors, {
    table: articleAuthors,
    owner: articleAuthors.authorId,
    publishedAt: articleAuthors.publishedAt,
  });

  /** Inside the write, so the photo cannot go between the check and the insert. */
  const photoExists = (photoId: string | null | undefined) => async (tx: Db) => {
    if (photoId === undefined || photoId === null) return;
    const found = await tx
      .select({ id: photos.id })
      .from(photos)
      .where(eq(photos.id, photoId))
      .limit(1);
    if (found.length === 0) {
      throw new MissingReferencesError([
        { field: 'photoId', index: undefined, id: photoId, kind: 'photo' },
      ]);
    }
  };

  return {
    ...records,
    findVisibleBySlug: visible.findVisibleBySlug,
    listVisible: (page: { limit: number; after: string | null }, now: Date) =>
      records.list(page, visible.visibleAt(now)),

    /** A taken slug is a `SlugTakenError`; an unknown photo a `MissingReferencesError`. */
    create: (
      fields: AuthorFields & { slug: string | undefined },
      at: Date,
      keys: readonly ContentKey[],
    ) => records.create(fields, fields.name, at, { keys, check: photoExists(fields.photoId) }),

    update: (
      id: string,
      changes: Partial<AuthorFields> & { slug?: string | undefined },
      at: Date,
      keys: readonly ContentKey[],
    ) =>
      records.update(id, changes, at, {
        keys,
        check: photoExists(changes.photoId),
        after: touchesAny(changes, shownInBylines)
          ? (tx) => embeddedChanged(tx, { kind: 'author', id })
          : undefined,
      }),
  };
}

export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>;
