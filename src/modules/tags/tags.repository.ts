import { and, asc, eq, gt, sql, type SQLWrapper } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';
import { carriedByVisibleArticle } from '../shared/visibility.ts';

export type TagRecord = Store['tables']['tags']['$inferSelect'];

export interface TagFields {
  name: string;
  description: string | null;
}

export function createTagsRepository(store: Store) {
  const { tags, articleTags } = store.tables;
  // A tag is public once a visible article carries it (the join row's publication time is set
  // only for published articles), so a writer's new tag is not on the public site on its own.
  const hasVisibleArticle = (now: SQLWrapper | number) =>
    carriedByVisibleArticle(
      { table: articleTags, owner: articleTags.tagId, publishedAt: articleTags.publishedAt },
      tags.id,
      now,
    );
  const visibleBySlug = store.statement<TagRecord[], { slug: string; now: number }>(
    'tags.visibleBySlug',
    (db) =>
      db
        .select()
        .from(tags)
        .where(
          and(eq(tags.slug, sql.placeholder('slug')), hasVisibleArticle(sql.placeholder('now'))),
        )
        .limit(1),
  );
  const slugClaim = (requested: string | undefined, source: string, ownId?: string) => ({
    table: tags,
    slugColumn: tags.slug,
    idColumn: tags.id,
    requested,
    source,
    fallback: 'tag',
    ...(ownId === undefined ? {} : { ownId }),
  });

  return {
    async findBySlug(slug: string): Promise<TagRecord | undefined> {
      const [row] = await store.db.select().from(tags).where(eq(tags.slug, slug)).limit(1);
      return row;
    },

    /** The tag at `slug` if a reader can see it: it carries a visible article at `now`. */
    async findVisibleBySlug(slug: string, now: Date): Promise<TagRecord | undefined> {
      const [row] = await visibleBySlug({ slug, now: now.getTime() });
      return row;
    },

    async findById(id: string): Promise<TagRecord | undefined> {
      const [row] = await store.db.select().from(tags).where(eq(tags.id, id)).limit(1);
      return row;
    },

    /** Up to `limit + 1` tags after `after`, alphabetical by slug (unique: its own keyset). */
    async list(page: {
      limit: number;
      after: string | null;
      /** Public lists: only tags carrying an article visible at this time. */
      visibleAt?: Date;
    }): Promise<TagRecord[]> {
      return store.db
        .select()
        .from(tags)
        .where(
          and(
            page.after === null ? undefined : gt(tags.slug, page.after),
            page.visibleAt === undefined ? undefined : hasVisibleArticle(page.visibleAt.getTime()),
          ),
        )
        .orderBy(asc(tags.slug))
        .limit(page.limit + 1);
    },

    count: () => store.db.$count(tags),

    /** A requested slug that is taken is a `SlugTakenError`; without one it comes from the name. */
    async create(fields: TagFields & { slug: string | undefined }, at: Date): Promise<TagRecord> {
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, slugClaim(fields.slug, fields.name));
        const [inserted] = await tx
          .insert(tags)
          .values({ ...fields, id: newId('tag', at.getTime()), slug, createdAt: at, updatedAt: at })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    async update(
      id: string,
      changes: Partial<TagFields> & { slug?: string | undefined },
      at: Date,
    ): Promise<TagRecord | undefined> {
      const { slug: requested, ...rest } = changes;
      const [row] = await store.write(async (tx) => {
        const slug =
          requested === undefined ? undefined : await claimSlug(tx, slugClaim(requested, '', id));
        return tx
          .update(tags)
          .set({ ...rest, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(tags.id, id))
          .returning();
      });
      return row;
    },

    /** False when there is no such tag; a `ConstraintError` while articles carry it. */
    delete: (id: string) => deleteUnreferenced(store, { table: tags, id: tags.id }, id),
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
