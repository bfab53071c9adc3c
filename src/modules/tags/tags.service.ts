import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import { recordService, type ServiceDeps } from '../shared/record-service.ts';
import type { TagRecord, TagsRepository } from './tags.repository.ts';
import type { CreateTagInput, Tag, UpdateTagInput } from './tags.schemas.ts';

export function toTag(record: TagRecord): Tag {
  return {
    id: record.id,
    slug: record.slug,
    name: record.name,
    description: record.description,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
  };
}

export function createTagsService(deps: ServiceDeps<TagsRepository>) {
  const { repository, clock } = deps;
  // A delete is refused (409) while the record is referenced, with what to do instead.
  const inUse = 'The tag is still on articles; remove it from them first.';
  const records = recordService(deps, (found) => found.map(toTag), 'tag', inUse);
  return {
    ...records.reads,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    /** Tags carrying an article a reader can see at `now`. */
    listVisible: async (page: PageRequest<'slug'>, now: Date) =>
      (await repository.listVisible(page, now)).map(toTag),
    findVisibleBySlug: async (slug: string, now: Date) =>
      records.one(await repository.findVisibleBySlug(slug, now)),

    create: (input: CreateTagInput): Promise<Tag> =>
      records.written(contentChanges.tagCreated(), (keys) =>
        repository.create(
          { name: input.name, slug: input.slug, description: input.description ?? null },
          input.name,
          clock.now(),
          { keys },
        ),
      ),

    update: (id: string, input: UpdateTagInput): Promise<Tag> =>
      records.written(contentChanges.tagUpdated(id), (keys) =>
        repository.update(id, input, clock.now(), keys),
      ),

    delete: (id: string) =>
      records.deleted(contentChanges.tagDeleted(id), (keys) =>
        repository.delete(id, clock.now(), keys),
      ),
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
