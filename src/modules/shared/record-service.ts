import { notFound } from '../../errors.ts';
import type { ListOrder, PageRequest } from '../../pagination.ts';
import { inRequestTerms } from './service-errors.ts';

/** What every editor resource's repository reads: a page, the count, one by id. */
interface RecordReads<O extends ListOrder, R> {
  list(page: PageRequest<O>): Promise<R[]>;
  count(): Promise<number>;
  findById(id: string): Promise<R | undefined>;
}

/**
 * The reads and the delete every editor resource's service has, over its repository:
 * `toResponses` turns a batch of records into response objects (one extra query for a batch's
 * embeds at most), and a delete is 404 when there is nothing to delete and 409 while the record
 * is still referenced.
 */
export function recordService<O extends ListOrder, R, T>(
  repository: RecordReads<O, R>,
  toResponses: (records: R[]) => T[] | Promise<T[]>,
  messages: { notFound: string; inUse?: string },
) {
  const one = async (record: R | undefined): Promise<T | undefined> =>
    record === undefined ? undefined : (await toResponses([record]))[0];
  /** The response for a record just written. */
  const saved = async (record: R): Promise<T> => {
    const [response] = await toResponses([record]);
    if (response === undefined) throw new Error('a saved record has no response');
    return response;
  };
  return {
    one,
    saved,

    async list(page: PageRequest<O>): Promise<{ items: T[]; total: number }> {
      const [records, total] = await Promise.all([repository.list(page), repository.count()]);
      return { items: await toResponses(records), total };
    },

    findById: async (id: string) => one(await repository.findById(id)),

    /** A changed record, or 404 when there was none to change. */
    async changed(record: R | undefined): Promise<T> {
      if (record === undefined) throw notFound(messages.notFound);
      return saved(record);
    },

    /** A delete's outcome: 404 when there was nothing to delete, 409 while still referenced. */
    async deleted(deleting: Promise<boolean>): Promise<void> {
      const inUse = messages.inUse === undefined ? {} : { inUse: messages.inUse };
      if (!(await inRequestTerms(deleting, inUse))) throw notFound(messages.notFound);
    },
  };
}
