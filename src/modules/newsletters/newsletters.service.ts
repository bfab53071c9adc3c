import { invalidFields } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { PagesRepository } from '../pages/pages.repository.ts';
import { parsePageReference } from '../pages/pages.schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
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

export function createNewslettersService(
  deps: ServiceDeps<NewslettersRepository> & { pages: PagesRepository },
) {
  const { repository, pages, clock } = deps;
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
  // A delete is refused (409) while the record is referenced, with what to do instead.
  const inUse =
    'The newsletter has signups (their consent records must be kept); deactivate it instead with active: false.';
  const records = recordService(deps, withPolicies, 'newsletter', inUse);

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
    ...records.reads,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    /** Newsletters a reader can sign up for. */
    listActive: async (page: PageRequest<'slug'>): Promise<PublicNewsletter[]> =>
      (await withPolicies(await repository.listActive(page))).map(toPublicNewsletter),

    async create(input: CreateNewsletterInput): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
      return records.written(contentChanges.newsletterChanged(), (keys) =>
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
          keys,
        ),
      );
    },

    /** A new privacyPolicyVersion applies to signups from then on. */
    async update(id: string, input: UpdateNewsletterInput): Promise<AdminNewsletter> {
      await assertPolicyReference(input.privacyPolicyVersion);
      return records.written(contentChanges.newsletterChanged(), (keys) =>
        repository.update(id, input, clock.now(), { keys }),
      );
    },

    delete: (id: string) =>
      records.deleted(contentChanges.newsletterChanged(), (keys) =>
        repository.delete(id, clock.now(), keys),
      ),
  };
}

export type NewslettersService = ReturnType<typeof createNewslettersService>;
