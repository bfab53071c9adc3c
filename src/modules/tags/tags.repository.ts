import type { Store } from '../../db/store.ts';
import { sluggedRecords } from '../shared/slugged-records.ts';
import { visibleThroughArticles } from '../shared/visibility.ts';

export type TagRecord = Store['tables']['tags']['$inferSelect'];

export function createTagsRepository(store: Store) {
  const { tags, articleTags } = store.tables;
  const records = sluggedRecords(store, tags, { idPrefix: 'tag', fallbackSlug: 'tag' });
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
  };
}

export type TagsRepository = ReturnType<typeof createTagsRepository>;
