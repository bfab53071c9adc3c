import { invalidFields } from '../../errors.ts';
import { parseSearch, type SearchTerms } from '../../lib/search-query.ts';

/**
 * The terms of a reader's or editor's query (null when it has no searchable word), or a 400
 * naming `query.q` when it is over a limit.
 */
export function searchTerms(q: string): SearchTerms | null {
  const parsed = parseSearch(q);
  if (parsed.problem !== undefined)
    throw invalidFields([{ path: 'query.q', message: parsed.problem }]);
  return parsed.terms;
}
