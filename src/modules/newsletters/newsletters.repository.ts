import { and, asc, eq, gt } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { newId } from '../../lib/ids.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';

export type NewsletterRecord = Store['tables']['newsletters']['$inferSelect'];

export type NewsletterFields = Omit<NewsletterRecord, 'id' | 'slug' | 'createdAt' | 'updatedAt'>;

export function createNewslettersRepository(store: Store) {
  const { newsletters } = store.tables;
  const slugClaim = (requested: string | undefined, source: string, ownId?: string) => ({
    table: newsletters,
    slugColumn: newsletters.slug,
    idColumn: newsletters.id,
    requested,
    source,
    fallback: 'newsletter',
    ...(ownId === undefined ? {} : { ownId }),
  });

  return {
    async findBySlug(slug: string): Promise<NewsletterRecord | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.slug, slug))
        .limit(1);
      return row;
    },

    async findById(id: string): Promise<NewsletterRecord | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.id, id))
        .limit(1);
      return row;
    },

    /** Up to `limit + 1` newsletters after `after`, alphabetical by slug. */
    list(page: {
      limit: number;
      after: string | null;
      /** The public list: active newsletters only. */
      activeOnly: boolean;
    }): Promise<NewsletterRecord[]> {
      return store.db
        .select()
        .from(newsletters)
        .where(
          and(
            page.activeOnly ? eq(newsletters.active, true) : undefined,
            page.after === null ? undefined : gt(newsletters.slug, page.after),
          ),
        )
        .orderBy(asc(newsletters.slug))
        .limit(page.limit + 1);
    },

    count: () => store.db.$count(newsletters),

    /** A requested slug that is taken is a `SlugTakenError`. */
    async create(
      fields: NewsletterFields & { slug: string | undefined },
      at: Date,
    ): Promise<NewsletterRecord> {
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, slugClaim(fields.slug, fields.name));
        const [inserted] = await tx
          .insert(newsletters)
          .values({ ...fields, id: newId('nl', at.getTime()), slug, createdAt: at, updatedAt: at })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      return row;
    },

    async update(
      id: string,
      changes: Partial<NewsletterFields> & { slug?: string | undefined },
      at: Date,
    ): Promise<NewsletterRecord | undefined> {
      const { slug: requested, ...rest } = changes;
      const [row] = await store.write(async (tx) => {
        const slug =
          requested === undefined ? undefined : await claimSlug(tx, slugClaim(requested, '', id));
        return tx
          .update(newsletters)
          .set({ ...rest, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(newsletters.id, id))
          .returning();
      });
      return row;
    },

    /** False when there is no such newsletter; a `ConstraintError` once it has signups. */
    delete: (id: string) =>
      deleteUnreferenced(store, { table: newsletters, id: newsletters.id }, id),
  };
}

export type NewslettersRepository = ReturnType<typeof createNewslettersRepository>;
