// Turns what a reader types into search terms; each backend's full-text index compiles them into
// its own query syntax (db/search.ts). User text never reaches a query language as is: `rain" OR`
// or `Moscow -metro` would otherwise be syntax errors (RELIABILITY.md 6a).
//
// Supported: words (all must match), "exact phrases", -word and -"phrase" exclusions, and a
// trailing * for prefix search (`diplom*`). Everything else is literal text.
//
// The cost of a query is bounded by its shape, not only its length (RELIABILITY.md 6b):
// sixteen one-letter prefixes (`a* b* … p*`) took 1.6–4.4 s of SQLite work at 10,000 articles,
// because each short prefix expands to a large part of the vocabulary. A query over the limits
// below is refused with a message that says which limit, never silently cut.

export const searchLimits = {
  /** Words and phrases, included and excluded together. */
  maxTerms: 8,
  /** Prefix terms (`word*`); each is served by the index's prefix table. */
  maxPrefixTerms: 2,
  /** Letters or digits before the `*`. */
  minPrefixLength: 3,
  maxExclusions: 4,
} as const;

/** One word, or several words as an exact phrase; `prefix` matches words that begin with it. */
export interface SearchTerm {
  text: string;
  prefix: boolean;
}

/** A parsed query: every `include` term must match, no `exclude` term may. */
export interface SearchTerms {
  include: SearchTerm[];
  exclude: SearchTerm[];
}

export type ParsedSearch =
  | {
      /** The terms, or null when nothing positive is searched for. */
      terms: SearchTerms | null;
      problem?: undefined;
    }
  | { terms: null; problem: string };

/** Keeps letters, digits and inner apostrophes/hyphens; the tokenizer splits the rest anyway. */
function clean(term: string): string {
  return term
    .replace(/[^\p{L}\p{N}\s'’-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const wordCharacters = /[\p{L}\p{N}]/gu;

export function parseSearch(input: string): ParsedSearch {
  const include: SearchTerm[] = [];
  const exclude: SearchTerm[] = [];
  let prefixTerms = 0;
  const pattern = /(-?)"([^"]*)"?|(-?)(\S+)/g;
  for (const match of input.matchAll(pattern)) {
    const negated = (match[1] ?? match[3] ?? '') === '-';
    const phrase = match[2];
    let term: SearchTerm | null = null;
    if (phrase !== undefined) {
      const text = clean(phrase);
      if (text !== '') term = { text, prefix: false };
    } else {
      const raw = match[4] ?? '';
      const prefix = raw.endsWith('*');
      const text = clean(raw);
      if (text !== '' && prefix && !text.includes(' ')) {
        const letters = text.match(wordCharacters)?.length ?? 0;
        if (letters < searchLimits.minPrefixLength)
          return refuse(
            `A prefix search needs at least ${searchLimits.minPrefixLength} letters before the * ("${text}*" has ${letters}).`,
          );
        prefixTerms += 1;
        term = { text, prefix: true };
      } else if (text !== '') {
        term = { text, prefix: false };
      }
    }
    if (term === null || !/[\p{L}\p{N}]/u.test(term.text)) continue;
    (negated ? exclude : include).push(term);
  }
  if (include.length + exclude.length > searchLimits.maxTerms)
    return refuse(`Search for at most ${searchLimits.maxTerms} words and phrases at once.`);
  if (prefixTerms > searchLimits.maxPrefixTerms)
    return refuse(`At most ${searchLimits.maxPrefixTerms} prefix terms (word*) in one search.`);
  if (exclude.length > searchLimits.maxExclusions)
    return refuse(`At most ${searchLimits.maxExclusions} exclusions (-word) in one search.`);
  if (include.length === 0) return { terms: null };
  return { terms: { include, exclude } };
}

function refuse(problem: string): ParsedSearch {
  return { terms: null, problem };
}

export const searchSyntaxDescription =
  `Full-text search: words (all must match), "exact phrases", -exclusions and prefix* terms. ` +
  `At most ${searchLimits.maxTerms} terms, ${searchLimits.maxPrefixTerms} prefix terms of at least ${searchLimits.minPrefixLength} letters and ${searchLimits.maxExclusions} exclusions; a query over these limits is a 400.`;
