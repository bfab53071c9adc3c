// Where a frontend shows a record: the one function feeds, sitemaps, structured data and
// webhook payloads build an article's address with, from ARTICLE_URL_TEMPLATE; and where an
// editor's preview link points (PREVIEW_URL_TEMPLATE).

export const articleUrlTokens = ['site', 'language', 'slug', 'id', 'yyyy', 'mm', 'dd'] as const;

/** `{site}/{language}/{slug}` and the like, with each value URL-encoded (the site as given). */
export function articleUrl(
  template: string,
  site: string,
  article: { id: string; slug: string; language: string; publishedAt: Date | null },
): string {
  const date = article.publishedAt ?? new Date(0);
  const values: Record<(typeof articleUrlTokens)[number], string> = {
    site,
    language: encodeURIComponent(article.language),
    slug: encodeURIComponent(article.slug),
    id: encodeURIComponent(article.id),
    yyyy: String(date.getUTCFullYear()),
    mm: String(date.getUTCMonth() + 1).padStart(2, '0'),
    dd: String(date.getUTCDate()).padStart(2, '0'),
  };
  return fill(template, values);
}

export const recordUrlTokens = ['site', 'slug'] as const;

/** A tag's or author's page on the frontend (TAG_URL_TEMPLATE, AUTHOR_URL_TEMPLATE). */
export function recordUrl(template: string, site: string, record: { slug: string }): string {
  return fill(template, { site, slug: encodeURIComponent(record.slug) });
}

export const previewUrlTokens = ['site', 'api', 'language', 'slug', 'id', 'token'] as const;

/** The frontend's preview page for an article (PREVIEW_URL_TEMPLATE), token included. */
export function previewUrl(
  template: string,
  parts: {
    site: string;
    api: string;
    article: { id: string; slug: string; language: string };
    token: string;
  },
): string {
  const { article } = parts;
  const values: Record<(typeof previewUrlTokens)[number], string> = {
    site: parts.site,
    api: parts.api,
    language: encodeURIComponent(article.language),
    slug: encodeURIComponent(article.slug),
    id: encodeURIComponent(article.id),
    token: encodeURIComponent(parts.token),
  };
  return fill(template, values);
}

/** The template with each known `{token}` replaced; anything else is left as written. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, token: string) => values[token] ?? whole);
}
