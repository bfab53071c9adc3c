// The SQLite schema, one file per feature under schema/; drizzle-kit reads this file (see
// drizzle.config.ts), and modules import tables through the Store (`store.tables`).
import { appeals } from './schema/appeals.ts';
import {
  articleAuthors,
  articleDocuments,
  articleRevisions,
  articles,
  articleSlugRedirects,
  articleTags,
} from './schema/articles.ts';
import { authors } from './schema/authors.ts';
import { changeLog } from './schema/changes.ts';
import { collectionItems, collections } from './schema/collections.ts';
import { articleCorrections } from './schema/corrections.ts';
import { instanceSecrets } from './schema/instance.ts';
import { newsletterConsentEvents, newsletters, newsletterSignups } from './schema/newsletters.ts';
import { pages, pageVersions } from './schema/pages.ts';
import { mediaDeletions, photos } from './schema/photos.ts';
import { tags } from './schema/tags.ts';
import { apiTokens } from './schema/tokens.ts';
import {
  webhookAttempts,
  webhookDeliveries,
  webhookEndpoints,
  webhookEvents,
} from './schema/webhooks.ts';

export * from './schema/appeals.ts';
export * from './schema/articles.ts';
export * from './schema/authors.ts';
export * from './schema/changes.ts';
export * from './schema/collections.ts';
export * from './schema/corrections.ts';
export * from './schema/instance.ts';
export * from './schema/newsletters.ts';
export * from './schema/pages.ts';
export * from './schema/photos.ts';
export * from './schema/tags.ts';
export * from './schema/tokens.ts';
export * from './schema/webhooks.ts';

export const tables = {
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
export type Tables = typeof tables;
