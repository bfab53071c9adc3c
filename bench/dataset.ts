import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqliteStore } from '../src/db/sqlite.ts';
import { encodeCursor } from '../src/lib/cursor.ts';

// A deterministic newsroom for benchmarks, written with bulk inserts in large transactions
// straight through the driver (the harness is not module code). Same size and seed → same data.

export interface DatasetSize {
  articles: number;
  tags: number;
  authors: number;
  signups: number;
}

export const defaultSize: DatasetSize = {
  articles: 10_000,
  tags: 200,
  authors: 100,
  signups: 50_000,
};
export const largeSize: DatasetSize = {
  articles: 100_000,
  tags: 200,
  authors: 100,
  signups: 1_000_000,
};
export const smokeSize: DatasetSize = { articles: 300, tags: 20, authors: 10, signups: 500 };

const generatorVersion = 5;
export const benchToken = `bs_${'b'.repeat(43)}`;

/** A small deterministic PRNG (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const syllables = [
  'ka',
  'lo',
  'mi',
  'ran',
  'te',
  'vo',
  'su',
  'ne',
  'dor',
  'pa',
  'li',
  'sta',
  'qu',
  'ber',
  'an',
  'sol',
  'mar',
  'ti',
  'gen',
  'rus',
];

/** ~3,000 pseudo-words used with a Zipf-like skew, so search terms have realistic selectivity. */
function vocabulary(next: () => number): string[] {
  const words = new Set<string>([
    'roadmap',
    'ministers',
    'moscow',
    'ankara',
    'damascus',
    'tehran',
    'talks',
    'summit',
  ]);
  while (words.size < 3000) {
    const length = 2 + Math.floor(next() * 3);
    words.add(
      Array.from({ length }, () => syllables[Math.floor(next() * syllables.length)]).join(''),
    );
  }
  return [...words];
}

export function datasetPath(dir: string, size: DatasetSize): string {
  const id = createHash('sha1')
    .update(JSON.stringify({ size, generatorVersion }))
    .digest('hex')
    .slice(0, 10);
  return `${dir}/bench-${size.articles}-${id}.db`;
}

export interface Dataset {
  path: string;
  slugs: string[];
  articleIds: string[];
  tagSlug: string;
  searchTerm: string;
  /** Many different mid-frequency words: searches that miss the response cache. */
  searchTerms: string[];
  deepCursor: string;
  /** Authors are `author-0` … `author-<count - 1>`. */
  authorCount: number;
  newsletterSlug: string;
  policyVersion: string;
}

function progress(label: string, done: number, total: number): void {
  if (!process.stderr.isTTY) return;
  process.stderr.write(
    `\r  ${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} (${Math.round((done / total) * 100)}%)   `,
  );
  if (done === total) process.stderr.write('\n');
}

const pad = (n: number) => String(n).padStart(26, '0');
const base = Date.UTC(2020, 0, 1);

/** Creates the database unless an identical one exists; returns what the scenarios need. */
export async function ensureDataset(dir: string, size: DatasetSize): Promise<Dataset> {
  const path = datasetPath(dir, size);
  const next = random(42);
  const words = vocabulary(next);
  const slugs = Array.from(
    { length: Math.min(size.articles, 1000) },
    (_, i) => `story-${size.articles - i}`,
  );
  const articleIds = Array.from({ length: size.articles }, (_, i) => `art_${pad(i + 1)}`);
  // The cursor after page 500 of 20 (or as deep as a small set allows).
  const deepIndex = Math.min(500 * 20, size.articles - 21);
  const deepArticle = size.articles - deepIndex;
  const dataset: Dataset = {
    path,
    slugs,
    articleIds,
    tagSlug: 'tag-7',
    // A word of middling frequency: a few percent of articles, like a real news search.
    searchTerm: words[400] ?? 'roadmap',
    searchTerms: words.slice(300, 800),
    deepCursor: encodeCursor([base + deepArticle * 60_000, `art_${pad(deepArticle)}`]),
    authorCount: size.authors,
    newsletterSlug: 'weekly',
    policyVersion: 'privacy-policy@1',
  };
  if (existsSync(path)) return dataset;

  mkdirSync(dirname(path), { recursive: true });
  const building = `${path}.building`;
  rmSync(building, { force: true });
  await openSqliteStore({ path: building, synchronous: 'NORMAL' }).close(); // schema via migrations
  const db = new Database(building);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const word = () => words[Math.floor(words.length * next() ** 2.2)] ?? 'news';
  const sentence = () => {
    const text = Array.from({ length: 8 + Math.floor(next() * 14) }, word).join(' ');
    return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
  };
  const at = (i: number) => base + i * 60_000;

  db.exec('BEGIN');
  const insertTag = db.prepare(
    'INSERT INTO tags (id, slug, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
  );
  for (let i = 0; i < size.tags; i += 1)
    insertTag.run(`tag_${pad(i)}`, `tag-${i}`, `Tag ${i}`, base, base);
  const insertAuthor = db.prepare(
    "INSERT INTO authors (id, slug, name, links, created_at, updated_at) VALUES (?, ?, ?, '[]', ?, ?)",
  );
  for (let i = 0; i < size.authors; i += 1)
    insertAuthor.run(`aut_${pad(i)}`, `author-${i}`, `Author ${i}`, base, base);
  db.exec(
    `INSERT INTO api_tokens (id, name, role, token_hash, token_prefix, created_at) VALUES ('tok_${pad(1)}', 'bench', 'editor', '${createHash('sha256').update(benchToken).digest('hex')}', 'bs_bbbbbbb', ${base})`,
  );
  db.exec(
    `INSERT INTO newsletters (id, slug, name, cadence, send_day, privacy_policy_version, active, created_at, updated_at) VALUES ('nl_${pad(1)}', 'weekly', 'Weekly', 'weekly', 'friday', 'privacy-policy@1', 1, ${base}, ${base})`,
  );
  db.exec('COMMIT');

  const insertPhoto = db.prepare(
    'INSERT INTO photos (id, url, alt_text, caption, photographer, agency, license, width, height, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1600, 1067, ?, ?)',
  );
  const insertArticle = db.prepare(
    `INSERT INTO articles (id, search_row_id, slug, language, headline, dek, excerpt_source, excerpt, body, body_html, word_count, reading_time_minutes, photo_id, status, published_at, in_public_search, version, created_at, updated_at)
     VALUES (?, ?, ?, 'en', ?, ?, NULL, ?, ?, ?, ?, ?, ?, 'published', ?, 1, 1, ?, ?)`,
  );
  const insertArticleTag = db.prepare(
    'INSERT INTO article_tags (article_id, tag_id, position, published_at) VALUES (?, ?, ?, ?)',
  );
  const insertArticleAuthor = db.prepare(
    'INSERT INTO article_authors (article_id, author_id, position, published_at) VALUES (?, ?, ?, ?)',
  );
  // Every generated article is published in the past: its text is in the public index (the
  // editors' index holds only articles no reader can see).
  const insertPublicSearch = db.prepare(
    'INSERT INTO articles_public_search (rowid, headline, dek, body_text) VALUES (?, ?, ?, ?)',
  );
  const agencies = ['TASS', 'AFP', 'Reuters', 'AP', 'EPA', null];
  const batch = 5000;
  for (let start = 1; start <= size.articles; start += batch) {
    db.exec('BEGIN');
    for (let i = start; i < Math.min(start + batch, size.articles + 1); i += 1) {
      const id = `art_${pad(i)}`;
      const photoId = `pho_${pad(i)}`;
      const agency = agencies[i % agencies.length] ?? null;
      insertPhoto.run(
        photoId,
        `https://cdn.example.org/p/${i}.jpg`,
        `Photo ${i}`,
        sentence(),
        i % 3 === 0 ? null : `Photographer ${i % 50}`,
        agency ?? (i % 3 === 0 ? 'Staff' : null),
        'Editorial use only',
        at(i),
        at(i),
      );
      const paragraphs = Array.from({ length: 10 + Math.floor(next() * 10) }, () =>
        Array.from({ length: 3 + Math.floor(next() * 3) }, sentence).join(' '),
      );
      const body = paragraphs.join('\n\n');
      const bodyText = paragraphs.join('\n');
      const wordCount = bodyText.split(/\s+/).length;
      const headline = `Story ${i}: ${sentence().slice(0, 60)}`;
      const dek = sentence();
      insertArticle.run(
        id,
        i,
        `story-${i}`,
        headline,
        dek,
        paragraphs[0]?.slice(0, 280) ?? '',
        body,
        paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
        wordCount,
        Math.max(1, Math.ceil(wordCount / 230)),
        photoId,
        at(i),
        at(i),
        at(i),
      );
      const tagCount = 2 + Math.floor(next() * 3);
      const chosen = new Set<number>();
      while (chosen.size < tagCount) chosen.add(Math.floor(next() * size.tags));
      [...chosen].forEach((tag, position) =>
        insertArticleTag.run(id, `tag_${pad(tag)}`, position, at(i)),
      );
      const authorCount = 1 + Math.floor(next() * 2);
      const authorsChosen = new Set<number>();
      while (authorsChosen.size < authorCount) authorsChosen.add(Math.floor(next() * size.authors));
      [...authorsChosen].forEach((author, position) =>
        insertArticleAuthor.run(id, `aut_${pad(author)}`, position, at(i)),
      );
      insertPublicSearch.run(i, headline, dek, bodyText);
    }
    db.exec('COMMIT');
    progress('articles', Math.min(start + batch - 1, size.articles), size.articles);
  }

  const insertSignup = db.prepare(
    `INSERT INTO newsletter_signups (id, newsletter_id, email, status, consent_policy_version, consented_at, consent_source, ip_hash, confirmed_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, 'privacy-policy@1', ?, 'bench', ?, ?, ?, ?)`,
  );
  for (let start = 0; start < size.signups; start += 50_000) {
    db.exec('BEGIN');
    for (let i = start; i < Math.min(start + 50_000, size.signups); i += 1) {
      const confirmed = i % 3 !== 0;
      insertSignup.run(
        `sub_${pad(i)}`,
        `nl_${pad(1)}`,
        `reader${i}@example.org`,
        confirmed ? 'confirmed' : 'pending',
        at(i),
        'ab'.repeat(32),
        confirmed ? at(i) : null,
        at(i),
        at(i),
      );
    }
    db.exec('COMMIT');
    progress('signups', Math.min(start + 50_000, size.signups), size.signups);
  }
  db.exec('ANALYZE');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  renameSync(building, path);
  rmSync(`${building}-wal`, { force: true });
  rmSync(`${building}-shm`, { force: true });
  return dataset;
}
