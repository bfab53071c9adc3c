import { and, asc, eq, gt } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import { invalidFields, notFound } from '../../errors.ts';
import type { PagesRepository } from '../pages/pages.repository.ts';
import { parsePageReference } from '../pages/pages.schemas.ts';
import { newId } from '../../lib/ids.ts';
import { iso } from '../../schemas.ts';
import { type ContentChanged, ignoreChanges } from '../shared/changes.ts';
import { deleteUnreferenced } from '../shared/delete.ts';
import { claimSlug } from '../shared/slugs.ts';
import type {
  AdminNewsletter,
  CreateNewsletterInput,
  UpdateNewsletterInput,
} from './newsletters.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';

type NewsletterRow = Store['tables']['newsletters']['$inferSelect'];

function policyLink(reference: string, published: Map<string, number>) {
  const parsed = parsePageReference(reference);
  if (parsed === null) return null;
  const current = published.get(parsed.slug);
  if (current === undefined || parsed.version > current) return null;
  return { ...parsed, url: `/v1/pages/${parsed.slug}/versions/${parsed.version}` };
}

function toNewsletter(row: NewsletterRow, published: Map<string, number>): AdminNewsletter {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    cadence: row.cadence,
    sendDay: row.sendDay,
    previewUrl: row.previewUrl,
    privacyPolicyVersion: row.privacyPolicyVersion,
    privacyPolicy: policyLink(row.privacyPolicyVersion, published),
    active: row.active,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export function createNewslettersRepository(
  store: Store,
  pages: PagesRepository,
  changed: ContentChanged = ignoreChanges,
) {
  const { newsletters } = store.tables;

  /** Rows to responses, resolving every policy link with one query. */
  async function withPolicies(rows: NewsletterRow[]): Promise<AdminNewsletter[]> {
    const slugs = rows.flatMap((row) => parsePageReference(row.privacyPolicyVersion)?.slug ?? []);
    const published = await pages.publishedVersions(slugs);
    return rows.map((row) => toNewsletter(row, published));
  }

  async function one(row: NewsletterRow | undefined): Promise<AdminNewsletter | undefined> {
    return row === undefined ? undefined : (await withPolicies([row]))[0];
  }

  /** A `<page>@<version>` reference to an existing page must name a version it has. */
  async function assertPolicyReference(reference: string | undefined): Promise<void> {
    const parsed = reference === undefined ? null : parsePageReference(reference);
    if (parsed === null) return;
    if ((await pages.versionExists(parsed.slug, parsed.version)) === false) {
      throw invalidFields([
        {
          path: 'body.privacyPolicyVersion',
          message: `The page ${parsed.slug} has no version ${parsed.version}.`,
        },
      ]);
    }
  }

  return {
    async findBySlug(slug: string): Promise<AdminNewsletter | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.slug, slug))
        .limit(1);
      return one(row);
    },

    async findById(id: string): Promise<AdminNewsletter | undefined> {
      const [row] = await store.db
        .select()
        .from(newsletters)
        .where(eq(newsletters.id, id))
        .limit(1);
      return one(row);
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
      return { items: await withPolicies(rows), total };
    },

    async create(input: CreateNewsletterInput, at: Date): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
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
      const created = await one(row);
      if (created === undefined) throw new Error('insert returned no row');
      changed(contentChanges.newsletterChanged());
      return created;
    },

    async update(id: string, input: UpdateNewsletterInput, at: Date): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
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
      const updated = await one(row);
      if (updated === undefined) throw notFound('No newsletter with that id.');
      changed(contentChanges.newsletterChanged());
      return updated;
    },

    async delete(id: string): Promise<void> {
      await deleteUnreferenced(store, { table: newsletters, id: newsletters.id }, id, {
        notFound: 'No newsletter with that id.',
        inUse:
          'The newsletter has signups (their consent records must be kept); deactivate it instead with active: false.',
      });
      changed(contentChanges.newsletterChanged());
    },
  };
}

export type NewslettersRepository = ReturnType<typeof createNewslettersRepository>;
