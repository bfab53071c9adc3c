import { describe, expect, it } from 'vitest';
import {
  countWords,
  deriveExcerpt,
  readingTimeMinutes,
  renderMarkdown,
} from '../src/lib/markdown.ts';
import { compileTsquery } from '../src/db/postgres-search.ts';
import { compileFts5 } from '../src/db/sqlite-search.ts';
import { parseSearch } from '../src/lib/search-query.ts';
import { firstFreeSlug, slugify } from '../src/lib/slugify.ts';

describe('search query parsing', () => {
  it.each([
    ['roadmap', '"roadmap"', "'roadmap'"],
    ['Syria Turkey', '"Syria" AND "Turkey"', "'Syria' & 'Turkey'"],
    [
      '"foreign ministers" Moscow',
      '"foreign ministers" AND "Moscow"',
      "'foreign ministers' & 'Moscow'",
    ],
    ['Moscow -metro', '("Moscow") NOT ("metro")', "'Moscow' & !('metro')"],
    [
      'Moscow -"red square" -metro',
      '("Moscow") NOT ("red square" OR "metro")',
      "'Moscow' & !('red square') & !('metro')",
    ],
    ['diplom*', '"diplom"*', "'diplom':*"],
    ['rain" OR', '"rain" AND "OR"', "'rain' & 'OR'"],
    ['NEAR(a b)', '"NEAR a" AND "b"', "'NEAR a' & 'b'"],
    ['"unterminated phrase', '"unterminated phrase"', "'unterminated phrase'"],
    ["O'Brien's", '"O\'Brien\'s"', "'O''Brien''s'"],
  ])('%j → FTS5 %s, tsquery %s', (input, fts5, tsquery) => {
    const { terms } = parseSearch(input);
    if (terms === null) throw new Error(`${input} parsed to nothing`);
    expect(compileFts5(terms)).toBe(fts5);
    expect(compileTsquery(terms)).toBe(tsquery);
  });

  it.each(['', '   ', '-', '"', '*', '-metro', '()', '!!!'])('%j searches for nothing', (input) => {
    expect(parseSearch(input).terms).toBeNull();
  });
});

describe('Markdown derivations', () => {
  it('counts words, reading time and derives an excerpt from the first paragraph', () => {
    const { text } = renderMarkdown(
      '# Title\n\nRussia said on **Wednesday** it would help.\n\nSecond paragraph.',
    );
    expect(text).toBe('Title\nRussia said on Wednesday it would help.\nSecond paragraph.');
    expect(countWords("Russia's top diplomat — Sergei Lavrov — spoke 2 times")).toBe(8);
    expect(readingTimeMinutes(0)).toBe(1);
    expect(readingTimeMinutes(461)).toBe(3);
    expect(deriveExcerpt('Short one.\nNext')).toBe('Short one.');
    const long = deriveExcerpt(`${'word '.repeat(100)}end`, 50);
    expect(long.length).toBeLessThanOrEqual(51);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('slugs', () => {
  it('transliterate, fold accents and stay within the length limit at a word boundary', () => {
    expect(slugify('Сергей Лавров: «Наша задача»')).toBe('sergey-lavrov-nasha-zadacha');
    expect(slugify('Mevlüt Çavuşoğlu')).toBe('mevlut-cavusoglu');
    expect(slugify('Straße & Œuvre')).toBe('strasse-oeuvre');
    expect(slugify('a'.repeat(50) + ' ' + 'b'.repeat(50))).toBe('a'.repeat(50));
    expect(firstFreeSlug('news', new Set(['news', 'news-2']))).toBe('news-3');
  });
});

describe('derived plain text', () => {
  it('carries no markup, even when the body spells tags with entities or code spans', () => {
    const { text, html } = renderMarkdown(
      '&lt;img src=x onerror=alert(1)&gt; Breaking &lt;/b&gt;news `<script>x</script>` ends &lt;!-- c --&gt;\n\n2 < 3 and 5 > 4',
    );
    expect(text).not.toMatch(/<\/?[a-z!]/i);
    expect(text).toContain('Breaking news');
    expect(text).toContain('2 < 3 and 5 > 4');
    expect(deriveExcerpt(text)).not.toContain('<');
    // The HTML keeps them escaped, as before.
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
