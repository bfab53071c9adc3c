import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from '../feeds/feeds.xml.ts';

// Sitemap XML (sitemaps.org 0.9) with Google's image and news extensions. The index is built
// with fast-xml-parser's builder; `<url>` elements, up to 50,000 a file and never cached when
// streamed, are written from a template with every value escaped: the builder's object tree
// cost 18 µs and a few hundred bytes of garbage per URL, and held a month file at 0.48× of the
// benchmark's baseline (bench/baseline-xml.ts) with the server's RSS past 500 MB.

export const sitemapNamespaces = {
  sitemap: 'http://www.sitemaps.org/schemas/sitemap/0.9',
  image: 'http://www.google.com/schemas/sitemap-image/1.1',
  news: 'http://www.google.com/schemas/sitemap-news/0.9',
  xhtml: 'http://www.w3.org/1999/xhtml',
};

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  suppressEmptyNode: true,
  processEntities: true,
});

const declaration = '<?xml version="1.0" encoding="UTF-8"?>\n';

export interface SitemapUrl {
  loc: string;
  lastmod?: Date;
  image?: string | null;
  news?: { publication: string; language: string; published: Date; title: string };
  /** The page in every language it has (itself included), and `x-default`. */
  alternates?: ReadonlyArray<{ hreflang: string; href: string }>;
}

/** Google News wants an ISO 639 code, with zh-cn and zh-tw its only regional ones. */
export function newsLanguage(language: string): string {
  const lower = language.toLowerCase();
  return lower === 'zh-cn' || lower === 'zh-tw' ? lower : (lower.split('-')[0] ?? lower);
}

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Text content: what XML cannot carry dropped, markup characters escaped. */
export function escapeXml(value: string): string {
  return xmlText(value).replace(/[&<>"']/g, (char) => entities[char] ?? char);
}

function urlElement(url: SitemapUrl): string {
  const lastmod =
    url.lastmod === undefined ? '' : `<lastmod>${url.lastmod.toISOString()}</lastmod>`;
  const image =
    url.image === undefined || url.image === null
      ? ''
      : `<image:image><image:loc>${escapeXml(url.image)}</image:loc></image:image>`;
  const news =
    url.news === undefined
      ? ''
      : `<news:news><news:publication><news:name>${escapeXml(url.news.publication)}</news:name><news:language>${escapeXml(newsLanguage(url.news.language))}</news:language></news:publication><news:publication_date>${url.news.published.toISOString()}</news:publication_date><news:title>${escapeXml(url.news.title)}</news:title></news:news>`;
  const alternates = (url.alternates ?? [])
    .map(
      (alternate) =>
        `<xhtml:link rel="alternate" hreflang="${escapeXml(alternate.hreflang)}" href="${escapeXml(alternate.href)}"/>`,
    )
    .join('');
  return `<url><loc>${escapeXml(url.loc)}</loc>${lastmod}${alternates}${image}${news}</url>`;
}

/** `<url>` elements for one batch. */
export function urlElements(urls: readonly SitemapUrl[]): string {
  return urls.map(urlElement).join('');
}

type Extensions = { image?: boolean; news?: boolean; xhtml?: boolean };

/** The declaration and `<urlset>` start tag, declaring only the extensions used. */
export function urlsetOpening(extensions: Extensions): string {
  const image = extensions.image === true ? ` xmlns:image="${sitemapNamespaces.image}"` : '';
  const news = extensions.news === true ? ` xmlns:news="${sitemapNamespaces.news}"` : '';
  const xhtml = extensions.xhtml === true ? ` xmlns:xhtml="${sitemapNamespaces.xhtml}"` : '';
  return `${declaration}<urlset xmlns="${sitemapNamespaces.sitemap}"${xhtml}${image}${news}>`;
}

export const urlsetClosing = '</urlset>';

/** A `<urlset>` around ready `<url>` elements. */
export function urlset(elements: string, extensions: Extensions): string {
  return `${urlsetOpening(extensions)}${elements}${urlsetClosing}`;
}

export function sitemapIndex(files: ReadonlyArray<{ loc: string; lastmod: Date | null }>): string {
  return (
    declaration +
    (builder.build({
      sitemapindex: {
        '@xmlns': sitemapNamespaces.sitemap,
        sitemap: files.map((file) => ({
          loc: file.loc,
          ...(file.lastmod === null ? {} : { lastmod: file.lastmod.toISOString() }),
        })),
      },
    }) as string)
  );
}
