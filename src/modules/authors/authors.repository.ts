import { and, asc, eq, gt, sql, type SQLWrapper } from 'drizzle-orm';
import type { Db, Store } from '../../db/store.ts';
import { invalidFields, notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { iso } from '../../schemas.ts';
import type { PhotosRepository } from '../photos/photos.repository.ts';
import type { Photo } from '../photos/photos.schemas.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';
import { carriedByVisibleArticle } from '../shared/visibility.ts';
import type {
  AdminAuthor,
  CreateAuthorInput,
  PublicAuthor,
  UpdateAuthorInput,
} from './authors.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type AuthorRow = Store['tables']['authors']['$inferSelect'];

function toAdminAuthor(row: AuthorRow, photo: Photo | null): AdminAuthor {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    bio: row.bio,
    photo,
    links: row.links,
    email: row.email,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createAuthorsRepository(
  store: Store,
  photos: PhotosRepository,
  changed: ContentChanged = ignoreChanges,
) {
  const { authors, articleAuthors } = store.tables;
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
  const visibleBySlug = store.statement<AuthorRow[], { slug: string; now: number }>(
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

  const bySlug = store.statement<AuthorRow[], { slug: string }>('authors.bySlug', (db) =>
    db
      .select()
      .from(authors)
      .where(eq(authors.slug, sql.placeholder('slug')))
      .limit(1),
  );

  /** Embeds photos with one extra query for the whole batch. */
  async function withPhotos(rows: AuthorRow[]): Promise<AdminAuthor[]> {
    const photoIds = rows.flatMap((row) => (row.photoId === null ? [] : [row.photoId]));
    const photoById = await photos.findByIds(photoIds);
    return rows.map((row) =>
      toAdminAuthor(row, row.photoId === null ? null : (photoById.get(row.photoId) ?? null)),
    );
  }

  async function assertPhotoExists(tx: Db, photoId: string | null | undefined): Promise<void> {
    if (photoId === undefined || photoId === null) return;
    const { photos: photosTable } = store.tables;
    const found = await tx
      .select({ id: photosTable.id })
      .from(photosTable)
      .where(eq(photosTable.id, photoId))
      .limit(1);
    if (found.length === 0)
      throw invalidFields([{ path: 'body.photoId', message: 'No photo with that id.' }]);
  }

  return {
    async findBySlug(slug: string): Promise<AdminAuthor | undefined> {
      const [row] = await bySlug({ slug });
      return row === undefined ? undefined : (await withPhotos([row]))[0];
    },

    /** The author at `slug` if a reader can see them: a byline on a visible article at `now`. */
    async findVisibleBySlug(slug: string, now: Date): Promise<AdminAuthor | undefined> {
      const [row] = await visibleBySlug({ slug, now: now.getTime() });
      return row === undefined ? undefined : (await withPhotos([row]))[0];
    },

    async findById(id: string): Promise<AdminAuthor | undefined> {
      const rows = await store.db.select().from(authors).where(eq(authors.id, id)).limit(1);
      return (await withPhotos(rows))[0];
    },

    /** Alphabetical by slug (unique, so it is its own keyset). */
    async list(options: {
      limit: number;
      afterSlug: string | null;
      withTotal: boolean;
      /** Public lists: only authors with a byline on an article visible at this time. */
      visibleAt?: Date;
    }) {
      const rows = await store.db
        .select()
        .from(authors)
        .where(
          and(
            options.afterSlug === null ? undefined : gt(authors.slug, options.afterSlug),
            options.visibleAt === undefined
              ? undefined
              : hasVisibleArticle(options.visibleAt.getTime()),
          ),
        )
        .orderBy(asc(authors.slug))
        .limit(options.limit + 1);
      const total = options.withTotal ? await store.db.$count(authors) : undefined;
      return { items: await withPhotos(rows), total };
    },

    async create(input: CreateAuthorInput, at: Date): Promise<AdminAuthor> {
      const row = await store.write(async (tx) => {
        await assertPhotoExists(tx, input.photoId);
        const slug = await claimSlug(tx, {
          table: authors,
          slugColumn: authors.slug,
          idColumn: authors.id,
          requested: input.slug,
          source: input.name,
          fallback: 'author',
        });
        const [inserted] = await tx
          .insert(authors)
          .values({
            id: newId('aut', at.getTime()),
            slug,
            name: input.name,
            bio: input.bio ?? null,
            email: input.email ?? null,
            photoId: input.photoId ?? null,
            links: input.links ?? [],
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      const [author] = await withPhotos([row]);
      if (author === undefined) throw new Error('author vanished');
      changed(contentChanges.authorCreated());
      return author;
    },

    async update(id: string, input: UpdateAuthorInput, at: Date): Promise<AdminAuthor> {
      const row = await store.write(async (tx) => {
        await assertPhotoExists(tx, input.photoId);
        const slug =
          input.slug === undefined
            ? undefined
            : await claimSlug(tx, {
                table: authors,
                slugColumn: authors.slug,
                idColumn: authors.id,
                requested: input.slug,
                source: '',
                fallback: 'author',
                ownId: id,
              });
        const [updated] = await tx
          .update(authors)
          .set({ ...input, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(authors.id, id))
          .returning();
        return updated;
      });
      if (row === undefined) throw notFound('No author with that id.');
      const [author] = await withPhotos([row]);
      if (author === undefined) throw new Error('author vanished');
      // Articles embed the byline.
      changed(contentChanges.authorUpdated(id));
      return author;
    },

    async delete(id: string): Promise<void> {
      await deleteUnreferenced(store, { table: authors, id: authors.id }, id, {
        notFound: 'No author with that id.',
        inUse: 'The author still has a byline on articles; remove it from them first.',
      });
      changed(contentChanges.authorDeleted(id));
    },
  };
}

/** Drops the newsroom-only fields for the public API. */
export function toPublicAuthor(author: AdminAuthor): PublicAuthor {
  return {
    id: author.id,
    slug: author.slug,
    name: author.name,
    bio: author.bio,
    photo: author.photo,
    links: author.links,
  };
}

export type AuthorsRepository = ReturnType<typeof createAuthorsRepository>;
