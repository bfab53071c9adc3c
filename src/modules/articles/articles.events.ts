import { iso, isoOrNull } from '../../schemas.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import type { Announcement, OutboxEvent } from '../shared/outbox.ts';
import type { ArticleRow } from './articles.embed.ts';

// What an article write announces to webhooks, decided from the article before and after it:
// readers' view is what counts, so drafts announce nothing, and a scheduled article announces
// `article.published` for its time (withdrawn and announced afresh whenever it is saved again).

type Announced = Pick<
  ArticleRow,
  'id' | 'slug' | 'language' | 'version' | 'status' | 'publishedAt'
>;

const visibleAt = (row: Announced | undefined, at: Date) =>
  row?.status === 'published' && row.publishedAt !== null && row.publishedAt <= at;
const scheduledAt = (row: Announced | undefined, at: Date) =>
  row?.status === 'published' && row.publishedAt !== null && row.publishedAt > at;

/** What a correction write names in its `article.corrected` event. */
export interface CorrectionNamed {
  id: string;
  kind: string;
}

export function articleAnnouncement(
  before: Announced | undefined,
  after: Announced | undefined,
  at: Date,
  keys: readonly ContentKey[],
  urlOf: (row: Announced) => string,
  correction?: CorrectionNamed,
): Announcement {
  const event = (type: OutboxEvent['type'], row: Announced, occurredAt: Date): OutboxEvent => ({
    type,
    subjectId: row.id,
    occurredAt,
    data: {
      id: row.id,
      slug: row.slug,
      language: row.language,
      url: urlOf(row),
      version: row.version,
      publishedAt: isoOrNull(row.publishedAt),
      ...(type === 'article.corrected' && correction !== undefined ? { correction } : {}),
      occurredAt: iso(occurredAt),
      surrogateKeys: [...keys],
    },
  });
  const events: OutboxEvent[] = [];
  if (after === undefined) {
    if (before !== undefined && visibleAt(before, at))
      events.push(event('article.deleted', before, at));
  } else if (visibleAt(after, at)) {
    const updated = correction === undefined ? 'article.updated' : 'article.corrected';
    events.push(event(visibleAt(before, at) ? updated : 'article.published', after, at));
  } else {
    if (visibleAt(before, at)) events.push(event('article.unpublished', after, at));
    if (scheduledAt(after, at) && after.publishedAt !== null)
      events.push(event('article.published', after, after.publishedAt));
  }
  return {
    events,
    ...(before !== undefined && scheduledAt(before, at)
      ? { withdraw: { subjectId: before.id, type: 'article.published' as const } }
      : {}),
  };
}
