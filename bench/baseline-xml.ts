// The baselines' feed and sitemap: the same elements Broadsheet writes, from rows one query
// returns, by template strings with a minimal escape: no builder, no validation, no cache. What
// a hand-written endpoint over this stack can do at best.

export interface FeedRow {
  id: string;
  slug: string;
  headline: string;
  summary: string;
  bodyHtml: string;
  publishedAt: number;
  /** Byline names in order, joined with U+001F. */
  authors: string | null;
  tags: string | null;
  photoUrl: string | null;
  photoAlt: string | null;
  caption: string | null;
  photographer: string | null;
  agency: string | null;
}

export interface SitemapRow {
  slug: string;
  publishedAt: number;
  updatedAt: number;
  photoUrl: string | null;
}

const site = process.env.SITE_URL ?? 'http://localhost:3000';
const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
const escape = (value: string) => value.replace(/[&<>"']/g, (char) => entities[char] ?? char);
const list = (joined: string | null) => (joined === null ? [] : joined.split('\u001f'));
const articleUrl = (slug: string) => `${site}/en/${slug}`;

function feedItem(row: FeedRow): string {
  const credits = [
    row.photographer === null
      ? ''
      : `<media:credit role="photographer" scheme="urn:ebu">${escape(row.photographer)}</media:credit>`,
    row.agency === null
      ? ''
      : `<media:credit role="agency" scheme="urn:ebu">${escape(row.agency)}</media:credit>`,
  ].join('');
  const media =
    row.photoUrl === null
      ? ''
      : `<media:content url="${escape(row.photoUrl)}" medium="image"><media:title>${escape(row.photoAlt ?? '')}</media:title>${row.caption === null ? '' : `<media:description>${escape(row.caption)}</media:description>`}${credits}</media:content>`;
  return `<item><title>${escape(row.headline)}</title><link>${articleUrl(row.slug)}</link><guid isPermaLink="false">urn:broadsheet:article:${row.id}</guid><pubDate>${new Date(row.publishedAt).toUTCString()}</pubDate><description>${escape(row.summary)}</description><content:encoded>${escape(row.bodyHtml)}</content:encoded>${list(
    row.authors,
  )
    .map((name) => `<dc:creator>${escape(name)}</dc:creator>`)
    .join('')}${list(row.tags)
    .map((name) => `<category>${escape(name)}</category>`)
    .join('')}${media}</item>`;
}

export function rssDocument(rows: readonly FeedRow[]): string {
  const updated = rows[0] === undefined ? '' : new Date(rows[0].publishedAt).toUTCString();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Broadsheet</title><link>${site}</link><description>Latest</description><lastBuildDate>${updated}</lastBuildDate>${rows.map(feedItem).join('')}</channel></rss>`;
}

export function urlsetDocument(rows: readonly SitemapRow[]): string {
  const urls = rows.map(
    (row) =>
      `<url><loc>${articleUrl(row.slug)}</loc><lastmod>${new Date(Math.max(row.publishedAt, row.updatedAt)).toISOString()}</lastmod>${row.photoUrl === null ? '' : `<image:image><image:loc>${escape(row.photoUrl)}</image:loc></image:image>`}</url>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">${urls.join('')}</urlset>`;
}

/** `articles-2020-01` → the month's bounds in epoch ms; undefined for another file name. */
export function monthBounds(name: string): { from: number; to: number } | undefined {
  const match = /^articles-(\d{4})-(\d{2})$/.exec(name);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  return { from: Date.UTC(year, month - 1, 1), to: Date.UTC(year, month, 1) };
}
