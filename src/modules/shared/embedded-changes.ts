import type { Db } from '../../db/store.ts';

/** A record published articles' documents show besides the article itself. */
export interface EmbeddedRecord {
  kind: 'author' | 'tag' | 'photo';
  id: string;
}

/**
 * Told inside a write that an embedded record changed what articles show of it (a name, a slug,
 * a credit), so every published article showing it is rendered again in the same transaction
 * (articles/articles.documents.ts).
 */
export type EmbeddedChanged = (tx: Db, embedded: EmbeddedRecord) => Promise<void>;

/** Whether an edit touches any of the fields articles show of the record. */
export const touchesAny = <T extends object>(changes: Partial<T>, shown: ReadonlyArray<keyof T>) =>
  shown.some((field) => changes[field] !== undefined);
