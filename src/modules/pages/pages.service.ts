import { conflict, notFound } from '../../errors.ts';
import { renderMarkdown } from '../../lib/markdown.ts';
import { iso, isoOrNull } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
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

export function createPagesService(deps: ServiceDeps<PagesRepository>) {
  const { repository, clock } = deps;
  const records = recordService(deps, (found) => found.map(toAdminPage), 'page');
  return {
    ...records.reads,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),
    findPublished: async (slug: string) => toPublished(await repository.findPublished(slug)),
    findPublishedVersion: async (slug: string, version: number) =>
      toPublished(await repository.findPublishedVersion(slug, version)),

    create: (input: CreatePageInput): Promise<AdminPage> =>
      records.written(contentChanges.pageCreated(), (keys) =>
        repository.create(
          {
            slug: input.slug,
            title: input.title,
            body: input.body,
            bodyHtml: renderMarkdown(input.body).html,
            status: input.status ?? 'draft',
          },
          clock.now(),
          keys,
        ),
      ),

    /** A new title or body is a new version; old versions stay readable. */
    update(id: string, input: UpdatePageInput): Promise<AdminPage> {
      const bodyHtml = input.body === undefined ? undefined : renderMarkdown(input.body).html;
      const changes = { ...input, ...(bodyHtml === undefined ? {} : { bodyHtml }) };
      // Newsletters link to their privacy-policy page.
      return records.written(contentChanges.pageUpdated(id), (keys) =>
        repository.update(id, changes, clock.now(), keys),
      );
    },

    /** Only a page that was never published: the consent record must keep pointing at it. */
    async delete(id: string): Promise<void> {
      const keys = contentChanges.pageUpdated(id);
      const outcome = await repository.deleteUnpublished(id, clock.now(), keys);
      if (outcome === 'not-found') throw notFound('No page with that id.');
      if (outcome === 'was-published') {
        throw conflict(
          'A page that has been published keeps its versions (readers may have agreed to them); set its status to draft instead.',
        );
      }
      deps.changed(keys);
    },
  };
}

export type PagesService = ReturnType<typeof createPagesService>;
