// Turns what a reader types into a safe FTS5 MATCH expression. User text never reaches MATCH
// as is: `rain" OR` or `Moscow -metro` would otherwise be syntax errors (RELIABILITY.md 6a).
//
// Supported: words (all must match), "exact phrases", -word and -"phrase" exclusions, and a
// trailing * for prefix search (`diplom*`). Everything else is literal text.

export interface ParsedSearch {
  /** The MATCH expression, or null when nothing positive is searched for. */
  match: string | null;
}

const maxTerms = 16;

function quote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** Keeps letters, digits and inner apostrophes/hyphens; the tokenizer splits the rest anyway. */
function clean(term: string): string {
  return term
    .replace(/[^\p{L}\p{N}\s'’-]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function parseSearch(input: string): ParsedSearch {
  const include: string[] = [];
  const exclude: string[] = [];
  const pattern = /(-?)"([^"]*)"?|(-?)(\S+)/g;
  for (const match of input.matchAll(pattern)) {
    if (include.length + exclude.length >= maxTerms) break;
    const negated = (match[1] ?? match[3] ?? '') === '-';
    const phrase = match[2];
    let expression: string | null = null;
    if (phrase !== undefined) {
      const text = clean(phrase);
      if (text !== '') expression = quote(text);
    } else {
      const raw = match[4] ?? '';
      const prefix = raw.endsWith('*');
      const text = clean(raw);
      if (text !== '') expression = prefix && !text.includes(' ') ? `${quote(text)}*` : quote(text);
    }
    if (expression === null || !/[\p{L}\p{N}]/u.test(expression)) continue;
    (negated ? exclude : include).push(expression);
  }
  if (include.length === 0) return { match: null };
  const positive = include.join(' AND ');
  return { match: exclude.length === 0 ? positive : `(${positive}) NOT (${exclude.join(' OR ')})` };
}
