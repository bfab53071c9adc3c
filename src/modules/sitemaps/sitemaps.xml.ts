import { XMLBuilder } from 'fast-xml-parser';
import { xmlText } from '../feeds/feeds.xml.ts';

// Sitemap XML (sitemaps.org 0.9) with Google's image and news extensions, written with
// fast-xml-parser's builder a batch of entries at a time, so a 50,000-URL file is never one
// object tree.

export const sitemapNamespaces = {
  sitemap: 'http://www.sitemaps.org/schemas/sitemap/0.9',
  image: 'http://www.google.com/schemas/sitemap-image/1.1',
  news: 'http://www.google.com/schemas/sitemap-news/0.9',
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
}

/** Google News wants an ISO 639 code, with zh-cn and zh-tw its only regional ones. */
export function newsLanguage(language: string): string {
  const lower = language.toLowerCase();
  return lower === 'zh-cn' || lower === 'zh-tw' ? lower : (lower.split('-')[0] ?? lower);
}

/** `<url>` elements for one batch. */
export function urlElements(urls: readonly SitemapUrl[]): string {
  return builder.build({
    url: urls.map((url) => ({
      loc: url.loc,
      ...(url.lastmod === undefined ? {} : { lastmod: url.lastmod.toISOString() }),
      ...(url.image === undefined || url.image === null
        ? {}
        : { 'image:image': { 'image:loc': url.image } }),
      ...(url.news === undefined
        ? {}
        : {
            'news:news': {
              'news:publication': {
                'news:name': xmlText(url.news.publication),
                'news:language': newsLanguage(url.news.language),
              },
              'news:publication_date': url.news.published.toISOString(),
              'news:title': xmlText(url.news.title),
            },
          }),
    })),
  }) as string;
}

type Extensions = { image?: boolean; news?: boolean };

/** The declaration and `<urlset>` start tag, declaring only the extensions used. */
export function urlsetOpening(extensions: Extensions): string {
  const image = extensions.image === true ? ` xmlns:image="${sitemapNamespaces.image}"` : '';
  const news = extensions.news === true ? ` xmlns:news="${sitemapNamespaces.news}"` : '';
  return `${declaration}<urlset xmlns="${sitemapNamespaces.sitemap}"${image}${news}>`;
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
