import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { articleKeys, changed, keys, surrogateKey } from '../src/modules/shared/content-keys.ts';

// Content keys are built in one place (src/modules/shared/content-keys.ts): a key spelled by hand
// in a module is how a header and an invalidation drift apart (pages once advertised
// `page:<slug>` while writes purged `page:<id>`).

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('content keys', () => {
  it('are never spelled by hand in a module: headers and invalidations use the builders', () => {
    const handMade: string[] = [];
    for (const file of sources('src/modules')) {
      if (file.endsWith('content-keys.ts')) continue;
      const text = readFileSync(file, 'utf8');
      for (const pattern of [
        /['"]surrogate-key['"],\s*[`'"]/g,
        /changed\(\s*\[\s*[`'"]/g,
        /[`'](?:article|author|tag|photo|page|appeal|slug):\$\{/g,
      ])
        for (const match of text.matchAll(pattern)) handMade.push(`${file}: ${match[0]}`);
    }
    expect(handMade).toEqual([]);
  });

  it('name what a response shows and what a change makes stale, with the same builders', () => {
    const shown = [
      { id: 'art_1', authors: [{ id: 'aut_1' }], tags: [{ id: 'tag_1' }], photo: { id: 'pho_1' } },
      { id: 'art_2', authors: [{ id: 'aut_1' }], tags: [], photo: null },
    ];
    expect(surrogateKey([keys.articleList, ...articleKeys(shown)])).toBe(
      'articles article:art_1 tag:tag_1 author:aut_1 photo:pho_1 article:art_2',
    );
    expect(changed.tagUpdated('tag_1')).toEqual(['tags', 'tag:tag_1', 'articles']);
    expect(
      changed.articleChanged({
        id: 'art_3',
        public: false,
        slugs: ['x'],
        authorIds: ['aut_1'],
        tagIds: [],
      }),
    ).toEqual(['article:art_3']);
    expect(
      changed.articleChanged({
        id: 'art_3',
        public: true,
        slugs: ['old', 'new'],
        authorIds: ['aut_1'],
        tagIds: ['tag_1'],
      }),
    ).toEqual([
      'article:art_3',
      'articles',
      'slug:old',
      'slug:new',
      'authors',
      'tags',
      'author:aut_1',
      'tag:tag_1',
    ]);
  });
});
