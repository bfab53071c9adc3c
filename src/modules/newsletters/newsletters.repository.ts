import { and, asc, eq, gt } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { notFound } from '../../errors.ts';
import { newId } from '../../lib/ids.ts';
import { iso } from '../../schemas.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';
import type {
  AdminNewsletter,
  CreateNewsletterInput,
  UpdateNewsletterInput,
} from './newsletters.schemas.ts';

type NewsletterRow = Store['t']['newsletters']['$inferSelect'];

function toNewsletter(row: NewsletterRow): AdminNewsletter {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    cadence: row.cadence,
    sendDay: row.sendDay,
    previewUrl: row.previewUrl,
    privacyPolicyVersion: row.privacyPolicyVersion,
    active: row.active,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createNewslettersRepository(store: Store) {
  const { newsletters } = store.t;

  return {
    async findBySlug(slug: string): Promise<AdminNewsletter | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.slug, slug))
        .limit(1);
      return row === undefined ? undefined : toNewsletter(row);
    },

    async findById(id: string): Promise<AdminNewsletter | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.id, id))
        .limit(1);
      return row === undefined ? undefined : toNewsletter(row);
    },

    /** Alphabetical by slug; `activeOnly` for the public list. */
    async list(options: { limit: number; afterSlug: string | null; activeOnly: boolean }) {
      const where = and(
        options.activeOnly ? eq(newsletters.active, true) : undefined,
        options.afterSlug === null ? undefined : gt(newsletters.slug, options.afterSlug),
      );
      const rows = await store.db
        .select()
        .from(newsletters)
        .where(where)
        .orderBy(asc(newsletters.slug))
        .limit(options.limit + 1);
      const total = options.activeOnly ? undefined : await store.db.$count(newsletters);
      return { items: rows.map(toNewsletter), total };
    },

    async create(input: CreateNewsletterInput, at: Date): Promise<AdminNewsletter> {
      const row = await store.write(async (tx) => {
        const slug = await claimSlug(tx, {
          table: newsletters,
          slugColumn: newsletters.slug,
          idColumn: newsletters.id,
          requested: input.slug,
          source: input.name,
          fallback: 'newsletter',
        });
        const [inserted] = await tx
          .insert(newsletters)
          .values({
            id: newId('nl', at.getTime()),
            slug,
            name: input.name,
            description: input.description ?? null,
            cadence: input.cadence,
            sendDay: input.sendDay ?? null,
            previewUrl: input.previewUrl ?? null,
            privacyPolicyVersion: input.privacyPolicyVersion,
            active: input.active ?? true,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        return inserted;
      });
      if (row === undefined) throw new Error('insert returned no row');
      return toNewsletter(row);
    },

    async update(id: string, input: UpdateNewsletterInput, at: Date): Promise<AdminNewsletter> {
      const row = await store.write(async (tx) => {
        const slug =
          input.slug === undefined
            ? undefined
            : await claimSlug(tx, {
                table: newsletters,
                slugColumn: newsletters.slug,
                idColumn: newsletters.id,
                requested: input.slug,
                source: '',
                fallback: 'newsletter',
                ownId: id,
              });
        const [updated] = await tx
          .update(newsletters)
          .set({ ...input, ...(slug === undefined ? {} : { slug }), updatedAt: at })
          .where(eq(newsletters.id, id))
          .returning();
        return updated;
      });
      if (row === undefined) throw notFound('No newsletter with that id.');
      return toNewsletter(row);
    },

    delete(id: string): Promise<void> {
      return deleteUnreferenced(store, { table: newsletters, id: newsletters.id }, id, {
        notFound: 'No newsletter with that id.',
        inUse:
          'The newsletter has signups (their consent records must be kept); deactivate it instead with active: false.',
      });
    },
  };
}

export type NewslettersRepository = ReturnType<typeof createNewslettersRepository>;
