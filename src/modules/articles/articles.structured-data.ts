import type {
  CorrectionComment,
  ImageObject,
  NewsArticle,
  Organization,
  Person,
  WithContext,
} from 'schema-dts';
import type { NewsArticleJsonLd, PublicArticle } from './articles.schemas.ts';

// schema.org NewsArticle for an article page's <script type="application/ld+json">, from the
// article's public document: what Google's Article rich results read (headline, images with
// their credit, dates with an offset, authors with a URL, the publisher), typed by schema-dts.

export interface StructuredDataSettings {
  publicationName: string;
  siteUrl: string;
  authorUrl: (author: { slug: string }) => string;
}

/** ISO 8601 with an explicit offset (`+00:00`), as Google's examples write dates. */
const withOffset = (iso: string) => iso.replace(/\.\d{3}Z$|Z$/, '+00:00');

const isUrl = (value: string) => /^https?:\/\/\S+$/.test(value);

function imageOf(photo: NonNullable<PublicArticle['photo']>) {
  const { credit } = photo;
  const creator =
    credit.photographer !== null
      ? ({ '@type': 'Person', name: credit.photographer } as const satisfies Person)
      : credit.agency !== null
        ? ({ '@type': 'Organization', name: credit.agency } as const satisfies Organization)
        : undefined;
  return {
    '@type': 'ImageObject',
    url: photo.url,
    contentUrl: photo.url,
    ...(photo.width === null
      ? {}
      : { width: { '@type': 'QuantitativeValue', value: photo.width } }),
    ...(photo.height === null
      ? {}
      : { height: { '@type': 'QuantitativeValue', value: photo.height } }),
    ...(photo.caption === null ? {} : { caption: photo.caption }),
    creditText: credit.line,
    ...(creator === undefined ? {} : { creator }),
    copyrightNotice: credit.line,
    // schema.org's license is a URL; a licence written as words stays in the credit.
    ...(photo.license !== null && isUrl(photo.license) ? { license: photo.license } : {}),
  } as const satisfies ImageObject;
}

/** Checked twice at compile time: against schema.org (schema-dts) and the route's own schema. */
export function newsArticleJsonLd(
  article: PublicArticle,
  settings: StructuredDataSettings,
): NewsArticleJsonLd {
  const published = Date.parse(article.publishedAt);
  const modified = Math.max(published, Date.parse(article.updatedAt));
  const [section] = article.tags;
  const authors = article.authors.map(
    (author) =>
      ({
        '@type': 'Person',
        name: author.name,
        url: settings.authorUrl(author),
      }) as const satisfies Person,
  );
  const image = article.photo === null ? undefined : [imageOf(article.photo)];
  // A syndicated copy names its original: search engines credit that page, not this one.
  const { canonicalUrl } = article.seo;
  const document = {
    '@context': 'https://schema.org',
    '@type': 'NewsArticle',
    '@id': `${canonicalUrl}#article`,
    url: canonicalUrl,
    mainEntityOfPage: { '@type': 'WebPage', '@id': canonicalUrl },
    headline: article.headline,
    description: article.seo.description,
    inLanguage: article.language,
    datePublished: withOffset(new Date(published).toISOString()),
    dateModified: withOffset(new Date(modified).toISOString()),
    author: authors,
    publisher: {
      '@type': 'NewsMediaOrganization',
      name: settings.publicationName,
      url: settings.siteUrl,
    },
    ...(image === undefined ? {} : { image }),
    ...(section === undefined ? {} : { articleSection: section.name }),
    ...(article.tags.length === 0 ? {} : { keywords: article.tags.map((tag) => tag.name) }),
    wordCount: article.wordCount,
    isAccessibleForFree: true,
    ...(article.corrections.length === 0
      ? {}
      : {
          correction: article.corrections.map(
            (correction) =>
              ({
                '@type': 'CorrectionComment',
                text: correction.text,
                datePublished: withOffset(correction.publishedAt),
              }) as const satisfies CorrectionComment,
          ),
        }),
  } as const satisfies WithContext<NewsArticle>;
  return document;
}
