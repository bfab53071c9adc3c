import type { PublicArticle } from '../articles/articles.schemas.ts';
import type { PublicArticlesRepository } from '../articles/articles.public.repository.ts';
import type { Clock } from '../shared/clock.ts';
import { type ContentKey, articleListKeys, keys } from '../shared/content-keys.ts';
import type { PublicAnswer } from '../shared/public-routes.ts';
import type { FeedsRepository } from './feeds.repository.ts';
import { atomDocument, changedAt, type Feed, rssDocument } from './feeds.xml.ts';

// Feeds show what the public list shows, by the same visibility rule and the same ready
// documents: the newest FEED_ITEMS visible articles, site-wide or of one tag or author. A feed's
// bytes (and so its ETag) change only when what it shows changes; it holds until the next
// scheduled article falls due, which changes it without a write.

export type FeedFormat = 'rss' | 'atom';
export type FeedScope = { kind: 'all' } | { kind: 'tag' | 'author'; slug: string };

export interface FeedSettings {
  items: number;
  publicationName: string;
  siteUrl: string;
  apiUrl: string;
  tagUrl: (tag: { slug: string }) => string;
  authorUrl: (author: { slug: string }) => string;
}

const feedPath = (scope: FeedScope, format: FeedFormat) =>
  scope.kind === 'all'
    ? `/v1/feeds/articles.${format}`
    : `/v1/feeds/${scope.kind}s/${encodeURIComponent(scope.slug)}.${format}`;

export function createFeedsService(deps: {
  repository: FeedsRepository;
  articles: Pick<PublicArticlesRepository, 'list' | 'nextDueAt'>;
  clock: Clock;
  settings: FeedSettings;
}) {
  const { repository, articles, clock, settings } = deps;

  /** What the feed follows: its title, page and keys; undefined for an unknown tag or author. */
  async function subject(scope: FeedScope) {
    if (scope.kind === 'all')
      return {
        title: settings.publicationName,
        description: `The latest from ${settings.publicationName}.`,
        link: settings.siteUrl,
        id: 'urn:broadsheet:feed:articles',
        keys: [] as ContentKey[],
      };
    const found =
      scope.kind === 'tag'
        ? await repository.findTag(scope.slug)
        : await repository.findAuthor(scope.slug);
    if (found === undefined) return undefined;
    return {
      title: `${found.name} · ${settings.publicationName}`,
      description:
        scope.kind === 'tag'
          ? `The latest on ${found.name} from ${settings.publicationName}.`
          : `The latest by ${found.name} in ${settings.publicationName}.`,
      link:
        scope.kind === 'tag'
          ? settings.tagUrl({ slug: scope.slug })
          : settings.authorUrl({ slug: scope.slug }),
      id: `urn:broadsheet:feed:${scope.kind}:${found.id}`,
      keys: [scope.kind === 'tag' ? keys.tag(found.id) : keys.author(found.id)],
    };
  }

  return {
    async feed(
      scope: FeedScope,
      format: FeedFormat,
      language: string | undefined,
    ): Promise<PublicAnswer | undefined> {
      const now = clock.now();
      const followed = await subject(scope);
      if (followed === undefined) return undefined;
      const rows = await articles.list(
        {
          tagSlug: scope.kind === 'tag' ? scope.slug : undefined,
          authorSlug: scope.kind === 'author' ? scope.slug : undefined,
          language,
        },
        { at: now.getTime() + 1, id: '' },
        settings.items,
        now,
      );
      const documents = await repository.documents(rows.map((row) => row.id));
      const items = rows.flatMap((row) => {
        const body = documents.get(row.id);
        if (body === undefined) return [];
        const article = (JSON.parse(body) as { data: PublicArticle }).data;
        return [{ article, url: article.url }];
      });
      const newest = Math.max(...items.map(({ article }) => changedAt(article).getTime()));
      const query = language === undefined ? '' : `?language=${encodeURIComponent(language)}`;
      const feed: Feed = {
        ...followed,
        publisher: settings.publicationName,
        self: `${settings.apiUrl}${feedPath(scope, format)}${query}`,
        language,
        updated: items.length === 0 ? null : new Date(newest),
        items,
      };
      return {
        body: format === 'rss' ? rssDocument(feed) : atomDocument(feed),
        keys: [...articleListKeys(rows), ...followed.keys],
        expiresAt: await articles.nextDueAt(now),
      };
    },
  };
}

export type FeedsService = ReturnType<typeof createFeedsService>;
