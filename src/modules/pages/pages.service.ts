import { conflict, notFound } from '../../errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { ModuleDeps } from '../shared/module.ts';
import { recordService } from '../shared/record-service.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
import type { PageRecord, PagesRepository, PublishedPageRecord } from './pages.repository.ts';
import type { AdminPage, CreatePageInput, PublicPage, UpdatePageInput } from './pages.schemas.ts';

function toAdminPage(record: PageRecord): AdminPage {
  return {
    id: record.id,
    slug: record.slug,
    title: record.title,
    body: record.body,
    bodyHtml: record.bodyHtml,
    status: record.status,
    version: record.version,
    publishedAt: isoOrNull(record.publishedAt),
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

/** The page with its id, which names its content key (`page:<id>`). */
function toPublished(
  record: PublishedPageRecord | undefined,
): { id: string; page: PublicPage } | undefined {
  if (record === undefined) return undefined;
  const { id, updatedAt, ...rest } = record;
  return { id, page: { ...rest, updatedAt: iso(updatedAt) } };
}

export function createPagesService({
  repository,
  changed,
  clock,
}: Omit<ModuleDeps, 'store'> & { repository: PagesRepository }) {
  const records = recordService(repository, (found) => found.map(toAdminPage), {
    notFound: 'No page with that id.',
  });
  return {
    findPublished: async (slug: string) => toPublished(await repository.findPublished(slug)),
    findPublishedVersion: async (slug: string, version: number) =>
      toPublished(await repository.findPublishedVersion(slug, version)),
    list: records.list,
    findById: records.findById,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    async create(input: CreatePageInput): Promise<AdminPage> {
      const record = await inRequestTerms(
        repository.create(
          {
            slug: input.slug,
            title: input.title,
            body: input.body,
            bodyHtml: renderMarkdown(input.body).html,
            status: input.status ?? 'draft',
          },
          clock.now(),
        ),
      );
      changed(contentChanges.pageCreated());
      return toAdminPage(record);
    },

    /** A new title or body is a new version; old versions stay readable. */
    async update(id: string, input: UpdatePageInput): Promise<AdminPage> {
      const bodyHtml = input.body === undefined ? undefined : renderMarkdown(input.body).html;
      const record = await inRequestTerms(
        repository.update(
          id,
          { ...input, ...(bodyHtml === undefined ? {} : { bodyHtml }) },
          clock.now(),
        ),
      );
      const page = await records.changed(record);
      // Newsletters link to their privacy-policy page.
      changed(contentChanges.pageUpdated(id));
      return page;
    },

    /** Only a page that was never published: the consent record must keep pointing at it. */
    async delete(id: string): Promise<void> {
      const outcome = await repository.deleteUnpublished(id);
      if (outcome === 'not-found') throw notFound('No page with that id.');
      if (outcome === 'was-published') {
        throw conflict(
          'A page that has been published keeps its versions (readers may have agreed to them); set its status to draft instead.',
        );
      }
      changed(contentChanges.pageUpdated(id));
    },
  };
}

export type PagesService = ReturnType<typeof createPagesService>;
