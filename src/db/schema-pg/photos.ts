import {
  doublePrecision,
  index,
  integer,
  json,
  pgTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { PhotoFileMetadata, PhotoVariant } from '../schema/photo-files.ts';
import { recordTimes, timestamp } from './columns.ts';

// Photos: credited images. Either the file lives elsewhere (Broadsheet stores its URL) or it was
// uploaded: then the original is kept in media storage under `file_key` and the renditions readers
// get (`variants`, without the original's metadata) are made from it in the background.

export const photos = pgTable(
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
    // Not to be shown to readers before this time (agency pictures under embargo); cleared when
    // the embargo lifts (photos.lifts.ts), which renders what shows the photo again.
    embargoUntil: timestamp('embargo_until'),
    // Uploaded files only (null for a photo at an external URL).
    fileKey: text('file_key'),
    sha256: text('sha256'),
    bytes: integer('bytes'),
    format: text('format'),
    /** ThumbHash of the image, base64: a tiny placeholder shown while a variant loads. */
    placeholder: text('placeholder'),
    focalX: doublePrecision('focal_x'),
    focalY: doublePrecision('focal_y'),
    variants: json('variants').$type<PhotoVariant[]>(),
    /** 'pending' until the background job has made the variants, then 'ready' (or 'failed'). */
    variantsState: text('variants_state'),
    /** Bumped at every request for new variants; a job finishing an older request is discarded. */
    variantsRequest: integer('variants_request').notNull().default(0),
    variantsAttempts: integer('variants_attempts').notNull().default(0),
    variantsLeaseUntil: timestamp('variants_lease_until'),
    variantsError: text('variants_error'),
    /** What the file itself said (IPTC, XMP, EXIF): shown to editors only. */
    metadata: json('metadata').$type<PhotoFileMetadata>(),
    /** Where the credit came from: 'iptc' (read from the file) or 'editor'. */
    creditSource: text('credit_source'),
    ...recordTimes(),
  },
  (table) => [
    index('photos_created_at_idx').on(table.createdAt, table.id),
    index('photos_embargo_until_idx').on(table.embargoUntil),
    uniqueIndex('photos_sha256_idx').on(table.sha256),
    index('photos_variants_state_idx').on(table.variantsState),
  ],
);

/**
 * Files in media storage to remove once `due_at` has passed: a deleted or replaced upload's whole
 * prefix (`photos/<sha256>/`, the key ending in a slash) or single renditions a newer set
 * replaced (old crops after the focal point moved). The delay lets a rendition job still running
 * on another instance, and pages and CDNs holding the old URLs, finish with them first; a key a
 * live photo uses again by then is kept.
 */
export const mediaDeletions = pgTable(
  'media_deletions',
  {
    key: text('key').primaryKey(),
    dueAt: timestamp('due_at').notNull(),
    // Set while a process removes the files: writers of the same keys wait until it is done.
    claimedUntil: timestamp('claimed_until'),
  },
  (table) => [index('media_deletions_due_at_idx').on(table.dueAt)],
);
