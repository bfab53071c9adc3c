import { notFound } from '../../errors.ts';
import type { ListOrder, PageRequest } from '../../pagination.ts';
import type { ContentChanged } from './changes.ts';
import type { ContentKey } from './content-keys.ts';
import type { ModuleDeps } from './module.ts';
import { inRequestTerms } from './service-errors.ts';

/** What a service is built from: its repository, the change feed and the clock. */
export type ServiceDeps<R> = Omit<ModuleDeps, 'store'> & { repository: R };

/** What every editor resource's repository reads: a page, the count, one by id. */
interface RecordReads<O extends ListOrder, R> {
  list(page: PageRequest<O>): Promise<R[]>;
  count(): Promise<number>;
  findById(id: string): Promise<R | undefined>;
}

/**
 * The steps every editor resource's service takes, over its repository: `toResponses` turns a
 * batch of records into response objects (one extra query for a batch's embeds at most); a write
 * is rephrased in request terms (service-errors.ts), is a 404 when there was nothing to change,
 * logs the content keys it touched in its own transaction, and tells `changed` them once it has
 * committed.
 */
export function recordService<O extends ListOrder, R, T>(
  { repository, changed }: { repository: RecordReads<O, R>; changed: ContentChanged },
  toResponses: (records: R[]) => T[] | Promise<T[]>,
  /** What the record is called in a 404 ("No tag with that id.") and, if it can be, why it is in use. */
  noun: string,
  inUse?: string,
) {
  const noSuchRecord = `No ${noun} with that id.`;
  const messages = inUse === undefined ? {} : { inUse };
  const one = async (record: R | undefined): Promise<T | undefined> =>
    record === undefined ? undefined : (await toResponses([record]))[0];
  const written = async (
    keys: readonly ContentKey[],
    write: (keys: readonly ContentKey[]) => Promise<R | undefined>,
  ): Promise<T> => {
    const record = await inRequestTerms(write(keys));
    if (record === undefined) throw notFound(noSuchRecord);
    // The write has committed: caches hear of it even if building the answer fails.
    changed(keys);
    const [response] = await toResponses([record]);
    if (response === undefined) throw new Error('a written record has no response');
    return response;
  };
  return {
    one,
    /** The list and the lookup by id, as the CRUD routes call them. */
    reads: {
      async list(page: PageRequest<O>): Promise<{ items: T[]; total: number }> {
        const [records, total] = await Promise.all([repository.list(page), repository.count()]);
        return { items: await toResponses(records), total };
      },
      findById: async (id: string) => one(await repository.findById(id)),
    },
    /**
     * A created or changed record (undefined: there was none to change, 404). `write` logs the
     * `keys` inside its transaction (shared/change-log.ts); this process's caches hear them at
     * once after the commit, other processes from the log.
     */
    written,
    /** A delete's outcome: 404 when there was nothing to delete, 409 while still referenced. */
    async deleted(
      keys: readonly ContentKey[],
      deleting: (keys: readonly ContentKey[]) => Promise<boolean>,
    ): Promise<void> {
      if (!(await inRequestTerms(deleting(keys), messages))) throw notFound(noSuchRecord);
      changed(keys);
    },
  };
}
