import { eq } from 'drizzle-orm';
import type { Store } from '../../db/store.ts';
import type { ContentKey } from '../shared/content-keys.ts';
import { sluggedRecords, type WritableFields } from '../shared/slugged-records.ts';

export type NewsletterRecord = Store['tables']['newsletters']['$inferSelect'];
type NewsletterFields = WritableFields<Store['tables']['newsletters']>;

export function createNewslettersRepository(store: Store) {
  const { newsletters } = store.tables;
  const records = sluggedRecords(store, newsletters, {
    idPrefix: 'nl',
    fallbackSlug: 'newsletter',
  });
  return {
    ...records,
    /** A page of the public list: active newsletters only. */
    listActive: (page: { limit: number; after: string | null }) =>
      records.list(page, eq(newsletters.active, true)),
    /** A taken slug asked for is a `SlugTakenError`; the delete refuses once it has signups. */
    create: (
      fields: NewsletterFields & { slug: string | undefined },
      at: Date,
      keys: readonly ContentKey[],
    ) => records.create(fields, fields.name, at, { keys }),
  };
}

export type NewslettersRepository = ReturnType<typeof createNewslettersRepository>;
