import { Readable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import type { ArticleUrl } from '../articles/articles.service.ts';
import type { Clock } from '../shared/clock.ts';
import { keys } from '../shared/content-keys.ts';
import type { PublicAnswer, StreamedAnswer } from '../shared/public-routes.ts';
import type { SitemapArticle, SitemapEdition, SitemapsRepository } from './sitemaps.repository.ts';
import {
  type SitemapUrl,
  sitemapIndex,
  urlElements,
  urlset,
  urlsetClosing,
  urlsetOpening,
} from './sitemaps.xml.ts';

// The sitemap index names a file per month of articles (split past 50,000 URLs), the Google News
// file(s) of the last 48 hours (split past 1,000; both bounds can be set lower) and the pages file. Every URL is a visible
// one; each answer holds until the next scheduled article falls due (and a news file until its
// oldest entry turns 48 hours old), and is dropped by the `articles` or `pages` key at a write.
// A month file is read `batch` rows a query, each in its own turn of the event loop, so no
// read or render holds it for long. Up to `heldUrls` it is answered whole (and cached); a larger file is streamed as its
// batches come, so memory holds a batch, never 50,000 URLs.

const maxNewsFiles = 10;
const newsWindowMs = 48 * 3_600_000;
// Small on purpose: rows and XML that outlive a few socket drains are promoted to V8's old
// generation and wait there for a full collection. At 44,640 URLs × 10 readers, batches of 1,000
// peaked at 406 MB of server RSS, batches of 100 at 205 MB, for the same files per second.
const batch = 100;
const heldUrls = 5_000;

export interface SitemapSettings {
  siteUrl: string;
  /** URLs per article file: the protocol's 50,000 at most. */
  urlsPerFile: number;
  /** URLs per Google News file: Google's 1,000 at most. */
  newsPerFile: number;
  publicationName: string;
  articleUrl: ArticleUrl;
  pageUrl: (page: { slug: string }) => string;
  /** When the next scheduled article falls due. */
  nextDueAt: (now: Date) => Promise<number | null>;
}

const parts = (total: number, perFile: number) => Math.max(1, Math.ceil(total / perFile));
const fileName = (stem: string, part: number) =>
  part === 1 ? `${stem}.xml` : `${stem}-${part}.xml`;
const later = (a: Date | null, b: Date | null) =>
  a === null ? b : b === null ? a : a.getTime() > b.getTime() ? a : b;

export function createSitemapsService(deps: {
  repository: SitemapsRepository;
  clock: Clock;
  settings: SitemapSettings;
}) {
  const { repository, clock, settings } = deps;
  const { urlsPerFile, newsPerFile } = settings;
  const fileUrl = (name: string) => `${settings.siteUrl}/sitemaps/${name}`;

  /**
   * `hreflang` alternates per translation group with more than one visible edition: each
   * edition (reciprocal, itself included) and `x-default`, the first published (the original).
   */
  async function alternatesOf(now: Date, rows: readonly SitemapArticle[]) {
    const groupIds = [
      ...new Set(rows.flatMap((row) => (row.groupId === null ? [] : [row.groupId]))),
    ];
    const byGroup = new Map<string, SitemapEdition[]>();
    for (const edition of await repository.editions(now, groupIds))
      if (edition.groupId !== null)
        byGroup.set(edition.groupId, [...(byGroup.get(edition.groupId) ?? []), edition]);
    const alternates = new Map<string, Array<{ hreflang: string; href: string }>>();
    for (const [group, editions] of byGroup) {
      if (editions.length < 2) continue;
      const original = editions.reduce((first, edition) =>
        (edition.publishedAt?.getTime() ?? 0) < (first.publishedAt?.getTime() ?? 0)
          ? edition
          : first,
      );
      alternates.set(group, [
        ...editions.map((edition) => ({
          hreflang: edition.language,
          href: settings.articleUrl(edition),
        })),
        { hreflang: 'x-default', href: settings.articleUrl(original) },
      ]);
    }
    return alternates;
  }

  /** A month part's `<url>` elements, a string per query of `batch` rows, in publication order. */
  async function* monthChunks(now: Date, year: number, month: number, part: number) {
    const range = {
      from: new Date(Date.UTC(year, month - 1, 1)),
      to: new Date(Date.UTC(year, month, 1)),
    };
    // Earlier parts are walked past, not offset into: keyset pages stay index range scans.
    const skip = (part - 1) * urlsPerFile;
    let after = { at: range.from.getTime() - 1, id: '' };
    let seen = 0;
    while (seen < skip + urlsPerFile) {
      const rows = await repository.monthBatch(
        now,
        range.to,
        after,
        Math.min(batch, skip + urlsPerFile - seen),
      );
      if (rows.length === 0) return;
      const shown = rows.slice(Math.max(0, skip - seen));
      if (shown.length > 0) {
        const alternates = await alternatesOf(now, shown);
        yield {
          urls: shown.length,
          xml: urlElements(
            shown.map((row) => ({
              loc: settings.articleUrl(row),
              lastmod: later(row.publishedAt, row.updatedAt) ?? row.updatedAt,
              image: row.photoUrl,
              alternates: row.groupId === null ? undefined : alternates.get(row.groupId),
            })),
          ),
        };
      }
      seen += rows.length;
      const last = rows.at(-1);
      if (last === undefined || rows.length < batch) return;
      after = { at: last.publishedAt?.getTime() ?? 0, id: last.id };
      // A local reader drains the socket within the same turn and SQLite answers synchronously,
      // so without this a whole file was built in one turn of the event loop (976 ms at 44,640
      // URLs, every other request waiting behind it).
      await turn();
    }
  }

  async function recent(now: Date, limit: number) {
    return repository.recent(now, new Date(now.getTime() - newsWindowMs), limit);
  }

  return {
    async index(): Promise<PublicAnswer> {
      const now = clock.now();
      const [months, news, pages] = await Promise.all([
        repository.months(now),
        recent(now, newsPerFile * maxNewsFiles),
        repository.pages(urlsPerFile),
      ]);
      const files: Array<{ loc: string; lastmod: Date | null }> = [];
      const newest = news[0]?.publishedAt ?? null;
      for (let part = 1; news.length > 0 && part <= parts(news.length, newsPerFile); part += 1)
        files.push({ loc: fileUrl(fileName('news', part)), lastmod: newest });
      if (pages.length > 0)
        files.push({
          loc: fileUrl('pages.xml'),
          lastmod: new Date(Math.max(...pages.map((page) => page.updatedAt.getTime()))),
        });
      for (const month of months)
        for (let part = 1; part <= parts(month.articles, urlsPerFile); part += 1)
          files.push({
            loc: fileUrl(fileName(`articles-${month.month}`, part)),
            lastmod: later(month.published, month.updated),
          });
      return {
        body: sitemapIndex(files),
        keys: [keys.articleList, keys.pageList],
        expiresAt: await settings.nextDueAt(now),
      };
    },

    /**
     * One month's file (`part` from 1); undefined when the month has no such part. Up to
     * `heldUrls` it is a ready answer; past that, streamed.
     */
    async month(
      year: number,
      month: number,
      part: number,
    ): Promise<PublicAnswer | StreamedAnswer | undefined> {
      const now = clock.now();
      const chunks = monthChunks(now, year, month, part);
      const held: string[] = [];
      let urls = 0;
      while (urls <= heldUrls) {
        const next = await chunks.next();
        if (next.done === true) {
          if (held.length === 0) return undefined;
          return {
            body: urlset(held.join(''), { image: true, xhtml: true }),
            keys: [keys.articleList],
            expiresAt: await settings.nextDueAt(now),
          };
        }
        held.push(next.value.xml);
        urls += next.value.urls;
      }
      async function* whole() {
        yield urlsetOpening({ image: true, xhtml: true });
        yield* held.splice(0);
        for await (const chunk of chunks) yield chunk.xml;
        yield urlsetClosing;
      }
      return { stream: Readable.from(whole(), { objectMode: false }), keys: [keys.articleList] };
    },

    /** Google News: articles published in the last 48 hours, newest first, 1,000 a file. */
    async news(part: number): Promise<PublicAnswer | undefined> {
      const now = clock.now();
      const rows = (await recent(now, part * newsPerFile)).slice((part - 1) * newsPerFile);
      if (rows.length === 0) return undefined;
      const urls: SitemapUrl[] = rows.map((row) => ({
        loc: settings.articleUrl(row),
        news: {
          publication: settings.publicationName,
          language: row.language,
          published: row.publishedAt ?? now,
          title: row.headline,
        },
      }));
      const oldest = rows.at(-1)?.publishedAt?.getTime() ?? now.getTime();
      const due = await settings.nextDueAt(now);
      return {
        body: urlset(urlElements(urls), { news: true }),
        keys: [keys.articleList],
        // The oldest entry leaves the window 48 hours after its publication.
        expiresAt: Math.min(oldest + newsWindowMs, due ?? Number.POSITIVE_INFINITY),
      };
    },

    async pages(): Promise<PublicAnswer | undefined> {
      const pages = await repository.pages(urlsPerFile);
      if (pages.length === 0) return undefined;
      return {
        body: urlset(
          urlElements(
            pages.map((page) => ({ loc: settings.pageUrl(page), lastmod: page.updatedAt })),
          ),
          {},
        ),
        keys: [keys.pageList],
        expiresAt: null,
      };
    },

    robots(): string {
      return `User-agent: *\nAllow: /\n\nSitemap: ${settings.siteUrl}/sitemap.xml\n`;
    },
  };
}

export type SitemapsService = ReturnType<typeof createSitemapsService>;
