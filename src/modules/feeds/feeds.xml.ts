import { XMLBuilder } from 'fast-xml-parser';
import type { PublicArticle } from '../articles/articles.schemas.ts';

// RSS 2.0 and Atom 1.0 from one feed model, written with fast-xml-parser's builder and explicit
// namespaces. Text goes through `xmlText` first: XML 1.0 cannot carry most control characters or
// lone surrogates at all, escaped or not, and one of them makes the whole feed unreadable.

export interface FeedItem {
  article: PublicArticle;
  /** The article on the frontend (ARTICLE_URL_TEMPLATE). */
  url: string;
}

export interface Feed {
  title: string;
  description: string;
  /** The page the feed stands for on the frontend. */
  link: string;
  /** The feed's own address (rel="self"). */
  self: string;
  /** NEWS_PUBLICATION_NAME: the feed's author where an entry has no byline. */
  publisher: string;
  /** Stable across renames of the tag or author: names what the feed follows. */
  id: string;
  language: string | undefined;
  /** The newest change to anything the feed shows; null for an empty feed. */
  updated: Date | null;
  items: FeedItem[];
}

/** When an article last changed as readers see it: a scheduled one changes when it falls due. */
export const changedAt = (article: Pick<PublicArticle, 'publishedAt' | 'updatedAt'>): Date =>
  new Date(Math.max(Date.parse(article.publishedAt), Date.parse(article.updatedAt)));

const namespaces = {
  content: 'http://purl.org/rss/1.0/modules/content/',
  dc: 'http://purl.org/dc/elements/1.1/',
  media: 'http://search.yahoo.com/mrss/',
  atom: 'http://www.w3.org/2005/Atom',
};

const generator = 'Broadsheet';

/** Drops what XML 1.0 cannot carry: C0 controls but tab and newlines, U+FFFE/U+FFFF, lone surrogates. */
export function xmlText(value: string): string {
  return value.replace(
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '',
  );
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  textNodeName: '#text',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: true,
  format: false,
});

const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** The Media RSS element for a lead photo: both credits by role, the caption and the rights. */
function mediaContent(photo: PublicArticle['photo']) {
  if (photo === null) return undefined;
  const credits = [
    ...(photo.credit.photographer === null
      ? []
      : [
          {
            '@role': 'photographer',
            '@scheme': 'urn:ebu',
            '#text': xmlText(photo.credit.photographer),
          },
        ]),
    ...(photo.credit.agency === null
      ? []
      : [{ '@role': 'agency', '@scheme': 'urn:ebu', '#text': xmlText(photo.credit.agency) }]),
  ];
  return {
    '@url': photo.url,
    '@medium': 'image',
    ...(photo.width === null ? {} : { '@width': photo.width }),
    ...(photo.height === null ? {} : { '@height': photo.height }),
    'media:title': xmlText(photo.altText),
    ...(photo.caption === null ? {} : { 'media:description': xmlText(photo.caption) }),
    'media:credit': credits,
    'media:copyright': xmlText(
      photo.license === null ? photo.credit.line : `${photo.credit.line}. ${photo.license}`,
    ),
  };
}

const guidOf = (articleId: string) => `urn:broadsheet:article:${articleId}`;

export function rssDocument(feed: Feed): string {
  const channel = {
    title: xmlText(feed.title),
    link: feed.link,
    description: xmlText(feed.description),
    ...(feed.language === undefined ? {} : { language: feed.language }),
    ...(feed.updated === null ? {} : { lastBuildDate: feed.updated.toUTCString() }),
    generator,
    'atom:link': { '@href': feed.self, '@rel': 'self', '@type': 'application/rss+xml' },
    item: feed.items.map(({ article, url }) => ({
      title: xmlText(article.headline),
      link: url,
      guid: { '@isPermaLink': 'false', '#text': guidOf(article.id) },
      pubDate: new Date(article.publishedAt).toUTCString(),
      description: xmlText(article.dek ?? article.excerpt),
      'content:encoded': xmlText(article.bodyHtml),
      'dc:creator': article.authors.map((author) => xmlText(author.name)),
      category: article.tags.map((tag) => xmlText(tag.name)),
      'media:content': mediaContent(article.photo),
    })),
  };
  return (
    declaration +
    builder.build({
      rss: {
        '@version': '2.0',
        '@xmlns:content': namespaces.content,
        '@xmlns:dc': namespaces.dc,
        '@xmlns:media': namespaces.media,
        '@xmlns:atom': namespaces.atom,
        channel,
      },
    })
  );
}

export function atomDocument(feed: Feed): string {
  return (
    declaration +
    builder.build({
      feed: {
        '@xmlns': namespaces.atom,
        '@xmlns:media': namespaces.media,
        ...(feed.language === undefined ? {} : { '@xml:lang': feed.language }),
        id: feed.id,
        title: xmlText(feed.title),
        subtitle: xmlText(feed.description),
        // Atom requires one: an empty feed has changed never.
        updated: (feed.updated ?? new Date(0)).toISOString(),
        link: [
          { '@rel': 'self', '@type': 'application/atom+xml', '@href': feed.self },
          { '@rel': 'alternate', '@type': 'text/html', '@href': feed.link },
        ],
        author: { name: xmlText(feed.publisher) },
        generator,
        entry: feed.items.map(({ article, url }) => ({
          id: guidOf(article.id),
          title: xmlText(article.headline),
          link: { '@rel': 'alternate', '@type': 'text/html', '@href': url },
          published: new Date(article.publishedAt).toISOString(),
          updated: changedAt(article).toISOString(),
          author: article.authors.map((author) => ({ name: xmlText(author.name) })),
          category: article.tags.map((tag) => ({
            '@term': tag.slug,
            '@label': xmlText(tag.name),
          })),
          summary: xmlText(article.dek ?? article.excerpt),
          content: { '@type': 'html', '#text': xmlText(article.bodyHtml) },
          'media:content': mediaContent(article.photo),
        })),
      },
    })
  );
}

/** A correction as the corrections feed shows it: the correction and the article it corrects. */
export interface CorrectionFeedItem {
  id: string;
  kind: string;
  text: string;
  publishedAt: string;
  article: { headline: string; url: string };
}

const kindTitle = (kind: string) => `${kind.charAt(0).toUpperCase()}${kind.slice(1)}`;

/** RSS 2.0 of corrections, newest first: each item links to the article it corrects. */
export function correctionsRssDocument(
  channel: Pick<Feed, 'title' | 'description' | 'link' | 'self' | 'language' | 'updated'>,
  items: readonly CorrectionFeedItem[],
): string {
  return (
    declaration +
    builder.build({
      rss: {
        '@version': '2.0',
        '@xmlns:atom': namespaces.atom,
        channel: {
          title: xmlText(channel.title),
          link: channel.link,
          description: xmlText(channel.description),
          ...(channel.language === undefined ? {} : { language: channel.language }),
          ...(channel.updated === null ? {} : { lastBuildDate: channel.updated.toUTCString() }),
          generator,
          'atom:link': { '@href': channel.self, '@rel': 'self', '@type': 'application/rss+xml' },
          item: items.map((item) => ({
            title: xmlText(`${kindTitle(item.kind)}: ${item.article.headline}`),
            link: item.article.url,
            guid: { '@isPermaLink': 'false', '#text': `urn:broadsheet:correction:${item.id}` },
            pubDate: new Date(item.publishedAt).toUTCString(),
            description: xmlText(item.text),
            category: item.kind,
          })),
        },
      },
    })
  );
}
