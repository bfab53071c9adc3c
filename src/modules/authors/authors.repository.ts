import { and, asc, eq, gt, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { MissingReferencesError } from '../shared/record-errors.ts';
import { claimSlug } from '../shared/slugs.ts';
import { carriedByVisibleArticle } from '../shared/visibility.ts';

export type AuthorRecord = Store['tables']['authors']['$inferSelect'];

export type AuthorFields = Omit<AuthorRecord, 'id' | 'slug' | 'createdAt' | 'updatedAt'>;

export function createAuthorsRepository(store: Store) {
  const { authors, articleAuthors, photos } = store.tables;
  // An author is public once a visible article carries their byline (as Ghost does), so a
  // writer's new author is not on the public site on its own.
  const hasVisibleArticle = (now: SQLWrapper | number) =>
    carriedByVisibleArticle(
      {
        table: articleAuthors,
        owner: articleAuthors.authorId,
        publishedAt: articleAuthors.publishedAt,
      },
      authors.id,
      now,
    );
  const visibleBySlug = store.statement<AuthorRecord[], { slug: string; now: number }>(
    'authors.visibleBySlug',
    (db) =>
      db
        .select()
        .from(authors)
        .where(
          and(eq(authors.slug, sql.placeholder('slug')), hasVisibleArticle(sql.placeholder('now'))),
        )
        .limit(1),
  );
  const slugClaim = (requested: string | undefined, source: string, ownId?: string) => ({
    table: authors,
    slugColumn: authors.slug,
    idColumn: authors.id,
    requested,
    source,
    fallback: 'author',
    ...(ownId === undefined ? {} : { ownId }),
  });

  async function assertPhotoExists(tx: Db, photoId: string | null | undefined): Promise<void> {
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
  }

  return {
    async findBySlug(slug: string): Promise<AuthorRecord | undefined> {
      const [row] = await store.db.select().from(authors).where(eq(authors.slug, slug)).limit(1);
      return row;
    },

    /** The author at `slug` if a reader can see them: a byline on a visible article at `now`. */
    async findVisibleBySlug(slug: string, now: Date): Promise<AuthorRecord | undefined> {
      const [row] = await visibleBySlug({ slug, now: now.getTime() });
      return row;
    },

    async findById(id: string): Promise<AuthorRecord | undefined> {
      const [row] = await store.db.select().from(authors).where(eq(authors.id, id)).limit(1);
      return row;
    },

    /** Up to `limit + 1` authors after `after`, alphabetical by slug (unique: its own keyset). */
    list(page: {
      limit: number;
      after: string | null;
      /** Public lists: only authors with a byline on an article visible at this time. */
      visibleAt?: Date;
    }): Promise<AuthorRecord[]> {
      return store.db
        .select()
        .from(authors)
        .where(
          and(
            page.after === null ? undefined : gt(authors.slug, page.after),
            page.visibleAt === undefined ? undefined : hasVisibleArticle(page.visibleAt.getTime()),
          ),
        )
        .orderBy(asc(authors.slug))
        .limit(page.limit + 1);
    },

    count: () => store.db.$count(authors),

    /** A taken slug is a `SlugTakenError`; an unknown photo a `MissingReferencesError`. */
    async create(
      fields: AuthorFields & { slug: string | undefined },
      at: Date,
    ): Promise<AuthorRecord> {
      const row = await store.write(async (tx) => {
        await assertPhotoExists(tx, fields.photoId);
        const slug = await claimSlug(tx, slugClaim(fields.slug, fields.name));
        const [inserted] = await tx
          .insert(authors)
          .values({ ...fields, id: newId('aut', at.getTime()), slug, createdAt: at, updatedAt: at })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    async update(
      id: string,
      changes: Partial<AuthorFields> & { slug?: string | undefined },
      at: Date,
    ): Promise<AuthorRecord | undefined> {
      const { slug: requested, ...rest } = changes;
      const [row] = await store.write(async (tx) => {
        await assertPhotoExists(tx, rest.photoId);
        const slug =
          requested === undefined ? undefined : await claimSlug(tx, slugClaim(requested, '', id));
        return tx
          .update(authors)
          .set({ ...rest, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(authors.id, id))
          .returning();
      });
      return row;
    },

    /** False when there is no such author; a `ConstraintError` while bylines credit them. */
    delete: (id: string) => deleteUnreferenced(store, { table: authors, id: authors.id }, id),
  };
}

export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>;
