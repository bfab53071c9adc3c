import { invalidFields, notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { PagesRepository } from '../pages/pages.repository.ts';
import { parsePageReference } from '../pages/pages.schemas.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import type { NewsletterRecord, NewslettersRepository } from './newsletters.repository.ts';
import type {
  AdminNewsletter,
  CreateNewsletterInput,
  PublicNewsletter,
  UpdateNewsletterInput,
} from './newsletters.schemas.ts';

function policyLink(reference: string, published: Map<string, number>) {
  const parsed = parsePageReference(reference);
  if (parsed === null) return null;
  const current = published.get(parsed.slug);
  if (current === undefined || parsed.version > current) return null;
  return { ...parsed, url: `/v1/pages/${parsed.slug}/versions/${parsed.version}` };
}

export function toPublicNewsletter({
  active: _active,
  createdAt: _createdAt,
  updatedAt: _updatedAt,
  ...rest
}: AdminNewsletter): PublicNewsletter {
  return rest;
}

const noSuchNewsletter = 'No newsletter with that id.';

export function createNewslettersService(deps: {
  repository: NewslettersRepository;
  pages: PagesRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, pages, changed, clock } = deps;

  /** Records to responses, resolving every policy link with one query. */
  async function withPolicies(records: NewsletterRecord[]): Promise<AdminNewsletter[]> {
    const published = await pages.publishedVersions(
      records.flatMap((record) => parsePageReference(record.privacyPolicyVersion)?.slug ?? []),
    );
    return records.map((record) => ({
      id: record.id,
      slug: record.slug,
      name: record.name,
      description: record.description,
      cadence: record.cadence,
      sendDay: record.sendDay,
      previewUrl: record.previewUrl,
      privacyPolicyVersion: record.privacyPolicyVersion,
      privacyPolicy: policyLink(record.privacyPolicyVersion, published),
      active: record.active,
      createdAt: iso(record.createdAt),
      updatedAt: iso(record.updatedAt),
    }));
  }
  const one = async (record: NewsletterRecord | undefined) =>
    record === undefined ? undefined : (await withPolicies([record]))[0];

  /** A `<page>@<version>` reference to an existing page must name a version it has. */
  async function assertPolicyReference(reference: string | undefined): Promise<void> {
    const parsed = reference === undefined ? null : parsePageReference(reference);
    if (parsed === null) return;
    const latest = await pages.latestVersion(parsed.slug);
    if (latest !== undefined && (parsed.version < 1 || parsed.version > latest)) {
      throw invalidFields([
        {
          path: 'body.privacyPolicyVersion',
          message: `The page ${parsed.slug} has no version ${parsed.version}.`,
        },
      ]);
    }
  }

  return {
    async list(page: PageRequest<'slug'>) {
      const [records, total] = await Promise.all([
        repository.list({ ...page, activeOnly: false }),
        repository.count(),
      ]);
      return { items: await withPolicies(records), total };
    },

    /** Newsletters a reader can sign up for. */
    async listActive(page: PageRequest<'slug'>): Promise<PublicNewsletter[]> {
      const records = await repository.list({ ...page, activeOnly: true });
      return (await withPolicies(records)).map(toPublicNewsletter);
    },

    findById: async (id: string) => one(await repository.findById(id)),
    findBySlug: async (slug: string) => one(await repository.findBySlug(slug)),

    async create(input: CreateNewsletterInput): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
      const record = await inRequestTerms(
        repository.create(
          {
            slug: input.slug,
            name: input.name,
            description: input.description ?? null,
            cadence: input.cadence,
            sendDay: input.sendDay ?? null,
            previewUrl: input.previewUrl ?? null,
            privacyPolicyVersion: input.privacyPolicyVersion,
            active: input.active ?? true,
          },
          clock.now(),
        ),
      );
      changed(contentChanges.newsletterChanged());
      const [created] = await withPolicies([record]);
      if (created === undefined) throw new Error('newsletter vanished');
      return created;
    },

    /** A new privacyPolicyVersion applies to signups from then on. */
    async update(id: string, input: UpdateNewsletterInput): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
      const updated = await one(await inRequestTerms(repository.update(id, input, clock.now())));
      if (updated === undefined) throw notFound(noSuchNewsletter);
      changed(contentChanges.newsletterChanged());
      return updated;
    },

    async delete(id: string): Promise<void> {
      const deleted = await inRequestTerms(repository.delete(id), {
        inUse:
          'The newsletter has signups (their consent records must be kept); deactivate it instead with active: false.',
      });
      if (!deleted) throw notFound(noSuchNewsletter);
      changed(contentChanges.newsletterChanged());
    },
  };
}

export type NewslettersService = ReturnType<typeof createNewslettersService>;
