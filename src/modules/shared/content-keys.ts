// Typed content keys: the one vocabulary for "what a response depends on" and "what a change
// touched". The response cache, the Surrogate-Key header (for CDNs) and, later, the change log,
// webhooks and CDN purges all read these builders, so a typo cannot leave a page stale.
// Invalidation is declared per change, in the service that makes it (the rules below).

export type ContentKey =
  | 'articles'
  | 'authors'
  | 'tags'
  | 'pages'
  | 'newsletters'
  | 'appeals'
  | 'collections'
  | `article:${string}`
  | `slug:${string}`
  | `author:${string}`
  | `tag:${string}`
  | `photo:${string}`
  | `page:${string}`
  | `appeal:${string}`
  | `collection:${string}`;

const keyShape =
  /^(?:articles|authors|tags|pages|newsletters|appeals|collections|(?:article|slug|author|tag|photo|page|appeal|collection):.+)$/;

/** Whether a stored string is a content key (the change log stores them as text). */
export const isContentKey = (value: string): value is ContentKey => keyShape.test(value);

export const keys = {
  /** Every list, search result and "Read more" block of articles. */
  articleList: 'articles',
  authorList: 'authors',
  tagList: 'tags',
  pageList: 'pages',
  newsletterList: 'newsletters',
  appealList: 'appeals',
  /** The editors' list of fronts and sections (no public list shows them all). */
  collectionList: 'collections',
  article: (id: string) => `article:${id}` as const,
  /** A public article address (`/v1/articles/{slug}`), which may answer 404 or 301 today. */
  articleSlug: (slug: string) => `slug:${slug}` as const,
  author: (id: string) => `author:${id}` as const,
  tag: (id: string) => `tag:${id}` as const,
  photo: (id: string) => `photo:${id}` as const,
  page: (id: string) => `page:${id}` as const,
  appeal: (id: string) => `appeal:${id}` as const,
  /** A front or section: its slots, overrides and rule (what it resolves to also hangs on `articles`). */
  collection: (id: string) => `collection:${id}` as const,
} as const;

/** The Surrogate-Key header value: each key once, in the order given. */
export function surrogateKey(contentKeys: Iterable<ContentKey>): string {
  return [...new Set(contentKeys)].join(' ');
}

/** What an article's public representation embeds: its bylines, tags and lead photo. */
export interface ArticleEmbeds {
  id: string;
  authors: ReadonlyArray<{ id: string }>;
  tags: ReadonlyArray<{ id: string }>;
  photo: { id: string } | null;
}

/** The keys a public response showing these articles depends on. */
export function articleKeys(articles: Iterable<ArticleEmbeds>): ContentKey[] {
  const found: ContentKey[] = [];
  for (const article of articles) {
    found.push(keys.article(article.id));
    for (const tag of article.tags) found.push(keys.tag(tag.id));
    for (const author of article.authors) found.push(keys.author(author.id));
    if (article.photo !== null) found.push(keys.photo(article.photo.id));
  }
  return found;
}

/**
 * The keys a list of articles (a page, search results, "Read more") depends on. Every change
 * that can alter an item already makes `articles` stale (see `changed` below: a public article,
 * a tag or author rename), except a photo's own edit, so a list needs only that key and its lead
 * photos'. This keeps the Surrogate-Key header of a 100-item page short.
 */
export function articleListKeys(articles: Iterable<{ photoId: string | null }>): ContentKey[] {
  const found: ContentKey[] = [keys.articleList];
  for (const article of articles)
    if (article.photoId !== null) found.push(keys.photo(article.photoId));
  return found;
}

/** Named invalidation rules: what each kind of change makes stale. */
export const changed = {
  tagCreated: (): ContentKey[] => [keys.tagList],
  /** A rename shows in every article that carries the tag. */
  tagUpdated: (id: string): ContentKey[] => [keys.tagList, keys.tag(id), keys.articleList],
  tagDeleted: (id: string): ContentKey[] => [keys.tagList, keys.tag(id)],
  authorCreated: (): ContentKey[] => [keys.authorList],
  authorUpdated: (id: string): ContentKey[] => [keys.authorList, keys.author(id), keys.articleList],
  authorDeleted: (id: string): ContentKey[] => [keys.authorList, keys.author(id)],
  /**
   * Sitemaps list every article's photo address under the `articles` key alone (a month file
   * of 50,000 cannot carry a key per photo), so an edit of the address makes them stale too.
   */
  photoUpdated: (id: string, addressChanged: boolean): ContentKey[] =>
    addressChanged ? [keys.photo(id), keys.articleList] : [keys.photo(id)],
  /**
   * A photo's embargo set, cleared or lifted: what shows it (or will) is rendered again. An
   * author page that hides a held portrait carries no key of it, so author answers go too.
   */
  photoEmbargoChanged: (id: string): ContentKey[] => [
    keys.photo(id),
    keys.articleList,
    keys.authorList,
  ],
  /** Newsletters link to their privacy-policy page. */
  pageCreated: (): ContentKey[] => [keys.pageList, keys.newsletterList],
  pageUpdated: (id: string): ContentKey[] => [keys.pageList, keys.page(id), keys.newsletterList],
  newsletterChanged: (): ContentKey[] => [keys.newsletterList],
  appealChanged: (): ContentKey[] => [keys.appealList],
  /** A front's slots, overrides, rule or name; its old slug's answer hangs on the same key. */
  collectionChanged: (id: string): ContentKey[] => [keys.collectionList, keys.collection(id)],
  /**
   * An article change. One that never was and is not public touches only the article itself;
   * otherwise lists, search and "Read more", both addresses, and the public author and tag lists
   * (they show only those with a visible article) change too.
   */
  articleChanged: (change: {
    id: string;
    public: boolean;
    slugs: readonly string[];
    authorIds: readonly string[];
    tagIds: readonly string[];
  }): ContentKey[] =>
    change.public
      ? [
          keys.article(change.id),
          keys.articleList,
          ...change.slugs.map(keys.articleSlug),
          keys.authorList,
          keys.tagList,
          ...change.authorIds.map(keys.author),
          ...change.tagIds.map(keys.tag),
        ]
      : [keys.article(change.id)],
};
