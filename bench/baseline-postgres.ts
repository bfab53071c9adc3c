import Fastify from 'fastify';
import pg from 'pg';
import {
  type FeedRow,
  monthBounds,
  rssDocument,
  type SitemapRow,
  urlsetDocument,
} from './baseline-xml.ts';
import { baselineMediaRoute } from './media.ts';

// The practical ceiling of this stack on PostgreSQL, as bench/baseline.ts is on SQLite: Fastify +
// node-postgres, one named prepared statement per request with the whole JSON assembled inside
// PostgreSQL and sent as it comes, no validation, no auth, no caching, a pool of the size
// Broadsheet uses. It answers the list (first and deep pages, by tag), single-article requests,
// the site RSS feed and a month's sitemap file (bench/baseline-xml.ts).

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// Timestamps are stored as integer milliseconds (src/db/schema-pg/columns.ts): sent as numbers.
const ms = (column: string) => `${column}::float8`;

const embeds = `
  'authors', coalesce((SELECT json_agg(json_build_object('id', au.id, 'slug', au.slug, 'name', au.name) ORDER BY aa.position)
              FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id), '[]'),
  'tags', coalesce((SELECT json_agg(json_build_object('id', t.id, 'slug', t.slug, 'name', t.name) ORDER BY at.position)
           FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id), '[]'),
  'photo', CASE WHEN p.id IS NULL THEN NULL ELSE json_build_object('id', p.id, 'url', p.url, 'altText', p.alt_text,
           'caption', p.caption, 'credit', json_build_object('photographer', p.photographer, 'agency', p.agency)) END`;
const fields = `'id', a.id, 'slug', a.slug, 'headline', a.headline, 'dek', a.dek,
  'excerpt', a.excerpt, 'publishedAt', ${ms('a.published_at')}, ${embeds}`;
const item = `json_build_object(${fields})`;
const visible = "a.status = 'published' AND a.published_at <= $1";
// A front's slot: the override, else the article's own photo (bench/baseline.ts does the same).
const slotPhoto = `CASE WHEN sp.id IS NULL THEN NULL ELSE json_build_object('id', sp.id, 'url', sp.url, 'altText', sp.alt_text,
  'caption', sp.caption, 'credit', json_build_object('photographer', sp.photographer, 'agency', sp.agency)) END`;
const statements = {
  list: `SELECT ${item}::text AS item FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
    WHERE ${visible} AND (a.published_at, a.id) < ($2, $3)
    ORDER BY a.published_at DESC, a.id DESC LIMIT 20`,
  byTag: `SELECT ${item}::text AS item FROM article_tags at2
    JOIN articles a ON a.id = at2.article_id LEFT JOIN photos p ON p.id = a.photo_id
    WHERE at2.tag_id = (SELECT id FROM tags WHERE slug = $2) AND at2.published_at <= $1
    ORDER BY at2.published_at DESC, at2.article_id DESC LIMIT 20`,
  feed: `SELECT a.id, a.slug, a.headline, coalesce(a.dek, a.excerpt) AS summary,
    a.body_html AS "bodyHtml", ${ms('a.published_at')} AS "publishedAt",
    (SELECT string_agg(au.name, chr(31) ORDER BY aa.position) FROM article_authors aa
       JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id) AS authors,
    (SELECT string_agg(t.name, chr(31) ORDER BY at.position) FROM article_tags at
       JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) AS tags,
    p.url AS "photoUrl", p.alt_text AS "photoAlt", p.caption, p.photographer, p.agency
    FROM articles a LEFT JOIN photos p ON p.id = a.photo_id WHERE ${visible}
    ORDER BY a.published_at DESC, a.id DESC LIMIT 20`,
  month: `SELECT a.slug, ${ms('a.published_at')} AS "publishedAt", ${ms('a.updated_at')} AS "updatedAt",
    p.url AS "photoUrl" FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
    WHERE ${visible} AND a.published_at >= $2 AND a.published_at < $3
    ORDER BY a.published_at, a.id`,
  collection: `SELECT id, slug, name, language, size, ${ms('updated_at')} AS "updatedAt"
    FROM collections WHERE slug = $1`,
  pinned: `SELECT json_build_object('pinned', true, 'headline', coalesce(ci.headline, a.headline),
      'dek', coalesce(ci.dek, a.dek), 'photo', ${slotPhoto}, 'article', ${item})::text AS item
    FROM collection_items ci JOIN articles a ON a.id = ci.article_id
    LEFT JOIN photos p ON p.id = a.photo_id LEFT JOIN photos sp ON sp.id = coalesce(ci.photo_id, a.photo_id)
    WHERE ci.collection_id = $2 AND ${visible} ORDER BY ci.position LIMIT $3`,
  filled: `SELECT json_build_object('pinned', false, 'headline', a.headline, 'dek', a.dek,
      'photo', ${slotPhoto}, 'article', ${item})::text AS item
    FROM articles a LEFT JOIN photos p ON p.id = a.photo_id LEFT JOIN photos sp ON sp.id = a.photo_id
    WHERE ${visible} AND NOT EXISTS (SELECT 1 FROM collection_items ci
      WHERE ci.collection_id = $2 AND ci.article_id = a.id)
    ORDER BY a.published_at DESC, a.id DESC LIMIT $3`,
  single: `SELECT json_build_object('data', json_build_object(${fields}, 'bodyHtml', a.body_html))::text AS body
    FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
    WHERE a.language = 'en' AND a.slug = $2 AND ${visible}`,
};
const run = <R extends pg.QueryResultRow>(name: keyof typeof statements, values: unknown[]) =>
  pool.query<R>({ name: `baseline_${name}`, text: statements[name], values });

/** Broadsheet's cursor: base64url JSON of [publishedAt ms, id]. */
function position(cursor: string | undefined): [number, string] {
  if (cursor === undefined) return [Number.MAX_SAFE_INTEGER, ''];
  return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [number, string];
}

const app = Fastify({ logger: false });
app.get<{ Querystring: { tag?: string; cursor?: string } }>(
  '/v1/articles',
  async (request, reply) => {
    const now = Date.now();
    const { rows } =
      request.query.tag === undefined
        ? await run<{ item: string }>('list', [now, ...position(request.query.cursor)])
        : await run<{ item: string }>('byTag', [now, request.query.tag]);
    reply.type('application/json');
    return `{"data":[${rows.map((row) => row.item).join(',')}],"meta":{"limit":20,"nextCursor":null}}`;
  },
);
app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  const { rows } = await run<{ body: string }>('single', [Date.now(), request.params.slug]);
  const row = rows[0];
  if (row === undefined) return reply.code(404).send({ error: 'not found' });
  reply.type('application/json');
  return row.body;
});
app.get('/v1/feeds/articles.rss', async (_request, reply) => {
  const { rows } = await run<FeedRow>('feed', [Date.now()]);
  reply.type('application/rss+xml; charset=utf-8');
  return rssDocument(rows);
});
app.get<{ Params: { name: string } }>('/sitemaps/:name.xml', async (request, reply) => {
  const bounds = monthBounds(request.params.name);
  if (bounds === undefined) return reply.code(404).send({ error: 'not found' });
  const { rows } = await run<SitemapRow>('month', [Date.now(), bounds.from, bounds.to]);
  reply.type('application/xml; charset=utf-8');
  return urlsetDocument(rows);
});
app.get<{ Params: { slug: string } }>('/v1/collections/:slug', async (request, reply) => {
  const { rows: found } = await run<{
    id: string;
    slug: string;
    name: string;
    language: string;
    size: number;
    updatedAt: number;
  }>('collection', [request.params.slug]);
  const front = found[0];
  if (front === undefined) return reply.code(404).send({ error: 'not found' });
  const values = [Date.now(), front.id, front.size];
  const pinned = await run<{ item: string }>('pinned', values);
  const filled = await run<{ item: string }>('filled', values);
  const items = [...pinned.rows, ...filled.rows].slice(0, front.size);
  reply.type('application/json');
  const { id: _id, size: _size, ...head } = front;
  return `{"data":${JSON.stringify(head).slice(0, -1)},"items":[${items.map((row) => row.item).join(',')}]}}`;
});
baselineMediaRoute(app);
app.get('/health/ready', async () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3100) });
process.on('SIGTERM', () => {
  void app.close().then(() => pool.end().then(() => process.exit(0)));
});
