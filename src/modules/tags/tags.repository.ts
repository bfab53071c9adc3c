import type { Store } from '../../db/store.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import { type EmbeddedChanged, touchesAny } from '../shared/embedded-changes.ts';
import { sluggedRecords, type WritableFields } from '../shared/slugged-records.ts';
import { visibleThroughArticles } from '../shared/visibility.ts';

export type TagRecord = Store['tables']['tags']['$inferSelect'];

type TagFields = WritableFields<Store['tables']['tags']>;

/** What an article's tag list shows of a tag. */
const shownOnArticles = ['name', 'slug'] as const;

export function createTagsRepository(store: Store, embeddedChanged: EmbeddedChanged) {
  const { tags, articleTags } = store.tables;
  const records = sluggedRecords(store, tags, {
    idPrefix: 'tag',
    fallbackSlug: 'tag',
    events: { created: 'tag.created', updated: 'tag.updated', deleted: 'tag.deleted' },
  });
  // A tag is public once a visible article carries it (the join row's publication time is set
  // only for published articles), so a writer's new tag is not on the public site on its own.
  const visible = visibleThroughArticles(store, 'tags', tags, {
    table: articleTags,
    owner: articleTags.tagId,
    publishedAt: articleTags.publishedAt,
  });
  return {
    ...records,
    findVisibleBySlug: visible.findVisibleBySlug,
    listVisible: (page: { limit: number; after: string | null }, now: Date) =>
      records.list(page, visible.visibleAt(now)),
    update: (
      id: string,
      changes: Partial<TagFields> & { slug?: string | undefined },
      at: Date,
      keys: readonly ContentKey[],
    ) =>
      records.update(id, changes, at, {
        keys,
        after: touchesAny(changes, shownOnArticles)
          ? (tx) => embeddedChanged(tx, { kind: 'tag', id })
          : undefined,
      }),
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
