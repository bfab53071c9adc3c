import { and, asc, eq, gt, sql, type SQLWrapper } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { iso } from '../../schemas.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';
import { carriedByVisibleArticle } from '../shared/visibility.ts';
import type { CreateTagInput, Tag, UpdateTagInput } from './tags.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type TagRow = Store['tables']['tags']['$inferSelect'];

function toTag(row: TagRow): Tag {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createTagsRepository(store: Store, changed: ContentChanged = ignoreChanges) {
  const { tags, articleTags } = store.tables;
  // A tag is public once a visible article carries it (the join row's publication time is set
  // only for published articles), so a writer's new tag is not on the public site on its own.
  const hasVisibleArticle = (now: SQLWrapper | number) =>
    carriedByVisibleArticle(
      { table: articleTags, owner: articleTags.tagId, publishedAt: articleTags.publishedAt },
      tags.id,
      now,
    );
  const visibleBySlug = store.statement<TagRow[], { slug: string; now: number }>(
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

  const bySlug = store.statement<TagRow[], { slug: string }>('tags.bySlug', (db) =>
    db
      .select()
      .from(tags)
      .where(eq(tags.slug, sql.placeholder('slug')))
      .limit(1),
  );

  return {
    async findBySlug(slug: string): Promise<Tag | undefined> {
      const [row] = await bySlug({ slug });
      return row === undefined ? undefined : toTag(row);
    },

    /** The tag at `slug` if a reader can see it: it carries a visible article at `now`. */
    async findVisibleBySlug(slug: string, now: Date): Promise<Tag | undefined> {
      const [row] = await visibleBySlug({ slug, now: now.getTime() });
      return row === undefined ? undefined : toTag(row);
    },

    async findById(id: string): Promise<Tag | undefined> {
      const [row] = await store.db.select().from(tags).where(eq(tags.id, id)).limit(1);
      return row === undefined ? undefined : toTag(row);
    },

    /** Alphabetical by slug (unique, so it is its own keyset). */
    async list(options: {
      limit: number;
      afterSlug: string | null;
      withTotal: boolean;
      /** Public lists: only tags carrying an article visible at this time. */
      visibleAt?: Date;
    }) {
      const rows = await store.db
        .select()
        .from(tags)
        .where(
          and(
            options.afterSlug === null ? undefined : gt(tags.slug, options.afterSlug),
            options.visibleAt === undefined
              ? undefined
              : hasVisibleArticle(options.visibleAt.getTime()),
          ),
        )
        .orderBy(asc(tags.slug))
        .limit(options.limit + 1);
      const total = options.withTotal ? await store.db.$count(tags) : undefined;
      return { items: rows.map(toTag), total };
    },

    async create(input: CreateTagInput, at: Date): Promise<Tag> {
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, {
          table: tags,
          slugColumn: tags.slug,
          idColumn: tags.id,
          requested: input.slug,
          source: input.name,
          fallback: 'tag',
        });
        const [inserted] = await tx
          .insert(tags)
          .values({
            id: newId('tag', at.getTime()),
            slug,
            name: input.name,
            description: input.description ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      changed(contentChanges.tagCreated());
      return toTag(row);
    },

    async update(id: string, input: UpdateTagInput, at: Date): Promise<Tag> {
      const row = await store.write(async (tx) => {
        const slug =
          input.slug === undefined
            ? undefined
            : await claimSlug(tx, {
                table: tags,
                slugColumn: tags.slug,
                idColumn: tags.id,
                requested: input.slug,
                source: '',
                fallback: 'tag',
                ownId: id,
              });
        const [updated] = await tx
          .update(tags)
          .set({ ...input, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(tags.id, id))
          .returning();
        return updated;
      });
      if (row === undefined) throw notFound('No tag with that id.');
      // Articles embed the tag's name and slug.
      changed(contentChanges.tagUpdated(id));
      return toTag(row);
    },

    async delete(id: string): Promise<void> {
      await deleteUnreferenced(store, { table: tags, id: tags.id }, id, {
        notFound: 'No tag with that id.',
        inUse: 'The tag is still on articles; remove it from them first.',
      });
      changed(contentChanges.tagDeleted(id));
    },
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
