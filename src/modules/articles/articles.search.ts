import { invalidFields } from '../../errors.ts';
import { parseSearch } from '../../lib/search-query.ts';

/**
 * The FTS5 expression for a reader's or editor's query (null when it has no searchable word),
 * or a 400 naming `query.q` when it is over a limit.
 */
export function searchMatch(q: string): string | null {
  const parsed = parseSearch(q);
  if (parsed.problem !== undefined)
    throw invalidFields([{ path: 'query.q', message: parsed.problem }]);
  return parsed.match;
}
