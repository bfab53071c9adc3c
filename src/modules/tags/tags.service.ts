import { notFound } from '../../errors.ts';
import type { PageRequest } from '../../pagination.ts';
import { iso } from '../../schemas.ts';
import type { ContentChanged } from '../shared/changes.ts';
import type { Clock } from '../shared/clock.ts';
import { changed as contentChanges } from '../shared/content-keys.ts';
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

const noSuchTag = 'No tag with that id.';

export function createTagsService(deps: {
  repository: TagsRepository;
  changed: ContentChanged;
  clock: Clock;
}) {
  const { repository, changed, clock } = deps;
  return {
    async list(page: PageRequest<'slug'>) {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: records.map(toTag), total };
    },

    /** Tags carrying an article a reader can see at `now`. */
    async listVisible(page: PageRequest<'slug'>, now: Date): Promise<Tag[]> {
      return (await repository.list({ ...page, visibleAt: now })).map(toTag);
    },

    async findVisibleBySlug(slug: string, now: Date): Promise<Tag | undefined> {
      const record = await repository.findVisibleBySlug(slug, now);
      return record === undefined ? undefined : toTag(record);
    },

    async findById(id: string): Promise<Tag | undefined> {
      const record = await repository.findById(id);
      return record === undefined ? undefined : toTag(record);
    },

    async findBySlug(slug: string): Promise<Tag | undefined> {
      const record = await repository.findBySlug(slug);
      return record === undefined ? undefined : toTag(record);
    },

    async create(input: CreateTagInput): Promise<Tag> {
      const record = await inRequestTerms(
        repository.create(
          { name: input.name, slug: input.slug, description: input.description ?? null },
          clock.now(),
        ),
      );
      changed(contentChanges.tagCreated());
      return toTag(record);
    },

    async update(id: string, input: UpdateTagInput): Promise<Tag> {
      const record = await inRequestTerms(repository.update(id, input, clock.now()));
      if (record === undefined) throw notFound(noSuchTag);
      changed(contentChanges.tagUpdated(id));
      return toTag(record);
    },

    async delete(id: string): Promise<void> {
      const deleted = await inRequestTerms(repository.delete(id), {
        inUse: 'The tag is still on articles; remove it from them first.',
      });
      if (!deleted) throw notFound(noSuchTag);
      changed(contentChanges.tagDeleted(id));
    },
  };
}

export type TagsService = ReturnType<typeof createTagsService>;
