// The PostgreSQL schema: the same tables, columns and indexes as the SQLite schema (schema.ts),
// declared with pg-core; drizzle-kit reads this file for migrations/postgres (see
// drizzle.postgres.config.ts). test/schema-parity.test.ts proves both yield the same row types.
import { appeals } from './schema-pg/appeals.ts';
import {
  articleAuthors,
  articleDocuments,
  articleRevisions,
  articles,
  articleSlugRedirects,
  articleTags,
} from './schema-pg/articles.ts';
import { authors } from './schema-pg/authors.ts';
import { changeLog } from './schema-pg/changes.ts';
import { collectionItems, collections } from './schema-pg/collections.ts';
import { articleCorrections } from './schema-pg/corrections.ts';
import { instanceSecrets } from './schema-pg/instance.ts';
import {
  newsletterConsentEvents,
  newsletters,
  newsletterSignups,
} from './schema-pg/newsletters.ts';
import { pages, pageVersions } from './schema-pg/pages.ts';
import { mediaDeletions, photos } from './schema-pg/photos.ts';
import { tags } from './schema-pg/tags.ts';
import { apiTokens } from './schema-pg/tokens.ts';
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from './schema-pg/webhooks.ts';

export * from './schema-pg/appeals.ts';
export * from './schema-pg/articles.ts';
export * from './schema-pg/authors.ts';
export * from './schema-pg/changes.ts';
export * from './schema-pg/collections.ts';
export * from './schema-pg/corrections.ts';
export * from './schema-pg/instance.ts';
export * from './schema-pg/newsletters.ts';
export * from './schema-pg/pages.ts';
export * from './schema-pg/photos.ts';
export * from './schema-pg/search.ts';
export * from './schema-pg/tags.ts';
export * from './schema-pg/tokens.ts';
export * from './schema-pg/webhooks.ts';

export const pgTables = {
  apiTokens,
  photos,
  mediaDeletions,
  authors,
  tags,
  articles,
  articleAuthors,
  articleTags,
  articleRevisions,
  articleSlugRedirects,
  articleDocuments,
  articleCorrections,
  collections,
  collectionItems,
  newsletters,
  newsletterSignups,
  newsletterConsentEvents,
  instanceSecrets,
  pages,
  pageVersions,
  appeals,
  changeLog,
  webhookEndpoints,
  webhookEvents,
  webhookDeliveries,
  webhookAttempts,
};
export type PgTables = typeof pgTables;
