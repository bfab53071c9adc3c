import { conflict, notFound } from '../../errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
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

const noSuchPage = 'No page with that id.';

export function createPagesService(deps: {
  repository: PagesRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, changed, clock } = deps;
  return {
    findPublished: async (slug: string) => toPublished(await repository.findPublished(slug)),
    findPublishedVersion: async (slug: string, version: number) =>
      toPublished(await repository.findPublishedVersion(slug, version)),

    async list(page: PageRequest<'slug'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(toAdminPage), total };
    },

    async findById(id: string): Promise<AdminPage | undefined> {
      const record = await repository.findById(id);
      return record === undefined ? undefined : toAdminPage(record);
    },

    async findBySlug(slug: string): Promise<AdminPage | undefined> {
      const record = await repository.findBySlug(slug);
      return record === undefined ? undefined : toAdminPage(record);
    },

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
      if (record === undefined) throw notFound(noSuchPage);
      // Newsletters link to their privacy-policy page.
      changed(contentChanges.pageUpdated(id));
      return toAdminPage(record);
    },

    /** Only a page that was never published: the consent record must keep pointing at it. */
    async delete(id: string): Promise<void> {
      const outcome = await repository.deleteUnpublished(id);
      if (outcome === 'not-found') throw notFound(noSuchPage);
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
