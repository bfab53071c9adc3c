import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
import type { ModuleDeps } from '../shared/module.ts';
import { recordService } from '../shared/record-service.ts';
import { inRequestTerms } from '../shared/service-errors.ts';
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

export function createTagsService({
  repository,
  changed,
  clock,
}: Omit<ModuleDeps, 'store'> & { repository: TagsRepository }) {
  const records = recordService(repository, (found) => found.map(toTag), {
    notFound: 'No tag with that id.',
    inUse: 'The tag is still on articles; remove it from them first.',
  });
  return {
    list: records.list,
    findById: records.findById,
    findBySlug: async (slug: string) => records.one(await repository.findBySlug(slug)),

    /** Tags carrying an article a reader can see at `now`. */
    listVisible: async (page: PageRequest<'slug'>, now: Date) =>
      (await repository.listVisible(page, now)).map(toTag),
    findVisibleBySlug: async (slug: string, now: Date) =>
      records.one(await repository.findVisibleBySlug(slug, now)),

    async create(input: CreateTagInput): Promise<Tag> {
      const fields = { name: input.name, slug: input.slug, description: input.description ?? null };
      const record = await inRequestTerms(repository.create(fields, input.name, clock.now()));
      changed(contentChanges.tagCreated());
      return toTag(record);
    },

    async update(id: string, input: UpdateTagInput): Promise<Tag> {
      const tag = await records.changed(
        await inRequestTerms(repository.update(id, input, clock.now())),
      );
      changed(contentChanges.tagUpdated(id));
      return tag;
    },

    async delete(id: string): Promise<void> {
      await records.deleted(repository.delete(id));
      changed(contentChanges.tagDeleted(id));
    },
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
