import { sql } from 'drizzle-orm';
import {
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import { articlesPublicSearch, articlesSearch } from './search-index.ts';

// Timestamps are stored as integer milliseconds since the epoch (UTC) and surface as Date.
const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' });

export const apiTokens = sqliteTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    role: text('role', { enum: ['writer', 'editor', 'admin'] }).notNull(),
    // SHA-256 of the whole token; the token itself is never stored.
    tokenHash: text('token_hash').notNull(),
    // The first characters of the token, so a human can tell tokens apart in a list.
    tokenPrefix: text('token_prefix').notNull(),
    createdAt: timestamp('created_at').notNull(),
    expiresAt: timestamp('expires_at'),
    lastUsedAt: timestamp('last_used_at'),
    revokedAt: timestamp('revoked_at'),
    createdByTokenId: text('created_by_token_id'),
  },
  (table) => [
    uniqueIndex('api_tokens_token_hash_unique').on(table.tokenHash),
    index('api_tokens_created_at_idx').on(table.createdAt, table.id),
  ],
);

export const photos = sqliteTable(
  'photos',
  {
    id: text('id').primaryKey(),
    url: text('url').notNull(),
    altText: text('alt_text').notNull(),
    caption: text('caption'),
    photographer: text('photographer'),
    agency: text('agency'),
    license: text('license'),
    width: integer('width'),
    height: integer('height'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('photos_created_at_idx').on(table.createdAt, table.id)],
);

export interface AuthorLink {
  label: string;
  url: string;
}

export const authors = sqliteTable(
  'authors',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    bio: text('bio'),
    email: text('email'),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    links: text('links', { mode: 'json' })
      .$type<AuthorLink[]>()
      .notNull()
      .default(sql`'[]'`),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('authors_slug_unique').on(table.slug),
    index('authors_photo_id_idx').on(table.photoId),
  ],
);

export const tags = sqliteTable(
  'tags',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [uniqueIndex('tags_slug_unique').on(table.slug)],
);

export const articleStatuses = ['draft', 'published', 'archived'] as const;

export const articles = sqliteTable(
  'articles',
  {
    id: text('id').primaryKey(),
    // Integer key of the article's row in the full-text index (FTS5 tables are keyed by rowid).
    searchRowId: integer('search_row_id').notNull(),
    slug: text('slug').notNull(),
    language: text('language').notNull().default('en'),
    headline: text('headline').notNull(),
    dek: text('dek'),
    // What the editor wrote; null means the excerpt is derived from the body.
    excerptSource: text('excerpt_source'),
    excerpt: text('excerpt').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    wordCount: integer('word_count').notNull(),
    readingTimeMinutes: integer('reading_time_minutes').notNull(),
    photoId: text('photo_id').references(() => photos.id, { onDelete: 'restrict' }),
    // Stored status; "scheduled" is derived: published with a publishedAt still in the future.
    status: text('status', { enum: articleStatuses }).notNull().default('draft'),
    publishedAt: timestamp('published_at'),
    // Whether the article's row is in the public search index, which holds visible articles only
    // (see articles_public_search): a scheduled article enters it once it falls due.
    inPublicSearch: integer('in_public_search', { mode: 'boolean' }).notNull().default(false),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('articles_language_slug_unique').on(table.language, table.slug),
    // Published articles not yet in the public search index, by when they fall due.
    index('articles_public_search_due_idx')
      .on(table.publishedAt)
      .where(sql`${table.status} = 'published' and ${table.inPublicSearch} = 0`),
    // Public URLs may leave the language out: then the slug alone finds the article.
    index('articles_slug_idx').on(table.slug),
    uniqueIndex('articles_search_row_id_unique').on(table.searchRowId),
    index('articles_status_published_idx').on(table.status, table.publishedAt, table.id),
    index('articles_status_language_published_idx').on(
      table.status,
      table.language,
      table.publishedAt,
      table.id,
    ),
    index('articles_updated_idx').on(table.updatedAt, table.id),
    index('articles_photo_id_idx').on(table.photoId),
  ],
);

// Join tables carry the article's public publication time (null unless published), so a list
// filtered by tag or author walks one index in publication order.
export const articleAuthors = sqliteTable(
  'article_authors',
  {
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    authorId: text('author_id')
      .notNull()
      .references(() => authors.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    publishedAt: timestamp('published_at'),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.authorId] }),
    index('article_authors_author_published_idx').on(
      table.authorId,
      table.publishedAt,
      table.articleId,
    ),
  ],
);

export const articleTags = sqliteTable(
  'article_tags',
  {
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    tagId: text('tag_id')
      .notNull()
      .references(() => tags.id, { onDelete: 'restrict' }),
    position: integer('position').notNull(),
    publishedAt: timestamp('published_at'),
  },
  (table) => [
    primaryKey({ columns: [table.articleId, table.tagId] }),
    index('article_tags_tag_published_idx').on(table.tagId, table.publishedAt, table.articleId),
  ],
);

export interface ArticleSnapshot {
  slug: string;
  language: string;
  headline: string;
  dek: string | null;
  excerptSource: string | null;
  body: string;
  photoId: string | null;
  authorIds: string[];
  tagIds: string[];
  status: (typeof articleStatuses)[number];
  publishedAt: string | null;
}

export const articleRevisions = sqliteTable(
  'article_revisions',
  {
    id: text('id').primaryKey(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    // The version of the article this snapshot was.
    version: integer('version').notNull(),
    snapshot: text('snapshot', { mode: 'json' }).$type<ArticleSnapshot>().notNull(),
    createdAt: timestamp('created_at').notNull(),
    createdByTokenId: text('created_by_token_id'),
  },
  (table) => [
    uniqueIndex('article_revisions_article_version_unique').on(table.articleId, table.version),
  ],
);

/** Slugs an article was published under before; the public route redirects them. */
export const articleSlugRedirects = sqliteTable(
  'article_slug_redirects',
  {
    language: text('language').notNull(),
    slug: text('slug').notNull(),
    articleId: text('article_id')
      .notNull()
      .references(() => articles.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.language, table.slug] }),
    index('article_slug_redirects_article_idx').on(table.articleId),
    index('article_slug_redirects_slug_idx').on(table.slug),
  ],
);

export const cadences = ['daily', 'weekly', 'fortnightly', 'monthly'] as const;
export const weekdays = [
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
  'sunday',
] as const;

export const newsletters = sqliteTable(
  'newsletters',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description'),
    cadence: text('cadence', { enum: cadences }).notNull(),
    sendDay: text('send_day', { enum: weekdays }),
    previewUrl: text('preview_url'),
    // The privacy-policy version a signup must agree to now (e.g. "privacy-policy@3").
    privacyPolicyVersion: text('privacy_policy_version').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('newsletters_slug_unique').on(table.slug),
    index('newsletters_active_idx').on(table.active, table.slug),
  ],
);

export const signupStatuses = ['pending', 'confirmed', 'unsubscribed', 'erased'] as const;

export const newsletterSignups = sqliteTable(
  'newsletter_signups',
  {
    id: text('id').primaryKey(),
    newsletterId: text('newsletter_id')
      .notNull()
      .references(() => newsletters.id, { onDelete: 'restrict' }),
    // Normalised (trimmed, domain lower-cased). Null once erased.
    email: text('email'),
    // The mailbox the address reaches: lower-cased, without a +tag. Mail is throttled per mailbox,
    // so case and +tag variants cannot multiply confirmation emails. Null once erased.
    emailKey: text('email_key'),
    status: text('status', { enum: signupStatuses }).notNull(),
    // The latest consent: what was agreed to, when, on which form, from which (hashed) address.
    consentPolicyVersion: text('consent_policy_version').notNull(),
    consentedAt: timestamp('consented_at').notNull(),
    consentSource: text('consent_source'),
    ipHash: text('ip_hash'),
    // A consent asked for again (after an unsubscribe, or while still pending) and not confirmed
    // yet: it replaces the consent above only when its confirmation link is used.
    pendingPolicyVersion: text('pending_policy_version'),
    pendingConsentedAt: timestamp('pending_consented_at'),
    pendingSource: text('pending_source'),
    pendingIpHash: text('pending_ip_hash'),
    confirmedAt: timestamp('confirmed_at'),
    unsubscribedAt: timestamp('unsubscribed_at'),
    // SHA-256 of the pending confirmation token; cleared when used.
    confirmationTokenHash: text('confirmation_token_hash'),
    confirmationExpiresAt: timestamp('confirmation_expires_at'),
    lastConfirmationSentAt: timestamp('last_confirmation_sent_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('newsletter_signups_newsletter_email_unique').on(table.newsletterId, table.email),
    uniqueIndex('newsletter_signups_confirmation_token_unique').on(table.confirmationTokenHash),
    index('newsletter_signups_newsletter_status_idx').on(
      table.newsletterId,
      table.status,
      table.createdAt,
      table.id,
    ),
    index('newsletter_signups_newsletter_created_idx').on(
      table.newsletterId,
      table.createdAt,
      table.id,
    ),
    index('newsletter_signups_last_sent_idx').on(table.lastConfirmationSentAt),
    index('newsletter_signups_email_key_idx').on(table.newsletterId, table.emailKey),
    // Unconfirmed signups, oldest first, for the retention purge.
    index('newsletter_signups_pending_created_idx')
      .on(table.createdAt)
      .where(sql`${table.status} = 'pending'`),
  ],
);

// `expire`: an unconfirmed signup was purged after the retention period (its data erased).
export const consentEvents = ['consent', 'confirm', 'unsubscribe', 'erase', 'expire'] as const;

/** The consent ledger: every change of a signup, appended, never rewritten (GDPR Art. 7(1)). */
export const newsletterConsentEvents = sqliteTable(
  'newsletter_consent_events',
  {
    id: text('id').primaryKey(),
    signupId: text('signup_id')
      .notNull()
      .references(() => newsletterSignups.id, { onDelete: 'cascade' }),
    event: text('event', { enum: consentEvents }).notNull(),
    at: timestamp('at').notNull(),
    policyVersion: text('policy_version'),
    source: text('source'),
    // Salted hash of the client address; erased with the signup.
    ipHash: text('ip_hash'),
  },
  (table) => [index('newsletter_consent_events_signup_idx').on(table.signupId, table.at)],
);

export const pageStatuses = ['draft', 'published'] as const;

export const pages = sqliteTable(
  'pages',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    status: text('status', { enum: pageStatuses }).notNull().default('draft'),
    // Bumped whenever the title or body changes; each version's text is kept in page_versions.
    version: integer('version').notNull().default(1),
    publishedAt: timestamp('published_at'),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [uniqueIndex('pages_slug_unique').on(table.slug)],
);

/** Every version of a page's text, immutable: "privacy-policy@3" always means the same words. */
export const pageVersions = sqliteTable(
  'page_versions',
  {
    pageId: text('page_id')
      .notNull()
      .references(() => pages.id, { onDelete: 'restrict' }),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    createdAt: timestamp('created_at').notNull(),
    // When this version was first public; null for a version only ever seen by editors (a draft
    // text is never served at /v1/pages/{slug}/versions/{n}).
    publishedAt: timestamp('published_at'),
  },
  (table) => [primaryKey({ columns: [table.pageId, table.version] })],
);

export const appealFrequencies = ['once', 'monthly', 'annual'] as const;

export interface AppealFrequency {
  frequency: (typeof appealFrequencies)[number];
  currency: string;
  /** Minor units (cents), ascending. */
  suggestedAmounts: number[];
  minimumAmount: number;
}

export const appeals = sqliteTable(
  'appeals',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    placement: text('placement').notNull(),
    heading: text('heading').notNull(),
    body: text('body').notNull(),
    bodyHtml: text('body_html').notNull(),
    frequencies: text('frequencies', { mode: 'json' }).$type<AppealFrequency[]>().notNull(),
    ctaLabel: text('cta_label').notNull(),
    ctaUrl: text('cta_url').notNull(),
    dismissLabel: text('dismiss_label').notNull(),
    remindAfterDays: integer('remind_after_days').notNull(),
    paymentMethods: text('payment_methods', { mode: 'json' }).$type<string[]>().notNull(),
    startsAt: timestamp('starts_at').notNull(),
    endsAt: timestamp('ends_at'),
    priority: integer('priority').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: timestamp('created_at').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('appeals_placement_idx').on(
      table.placement,
      table.active,
      table.priority,
      table.startsAt,
    ),
  ],
);

/** Per-installation secrets generated at first start (token signing key, IP-hash salt). */
export const instanceSecrets = sqliteTable('instance_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
});

export const tables = {
  apiTokens,
  photos,
  authors,
  tags,
  articles,
  articleAuthors,
  articleTags,
  articleRevisions,
  articleSlugRedirects,
  articlesSearch,
  articlesPublicSearch,
  newsletters,
  newsletterSignups,
  newsletterConsentEvents,
  instanceSecrets,
  pages,
  pageVersions,
  appeals,
};
export type Tables = typeof tables;
