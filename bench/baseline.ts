import Database from 'better-sqlite3';
import Fastify from 'fastify';
import {
  type FeedRow,
  monthBounds,
  rssDocument,
  type SitemapRow,
  urlsetDocument,
} from './baseline-xml.ts';
import { baselineMediaRoute } from './media.ts';

// The practical ceiling of this stack on this machine: Fastify + better-sqlite3, one prepared
// statement per request with the whole JSON assembled inside SQLite and sent as it comes, no
// validation, no auth, no caching. It answers the list (first and deep pages, by tag), the
// single-article requests, the site RSS feed and a month's sitemap file (bench/baseline-xml.ts).

const db = new Database(process.env.DATABASE_PATH ?? '', { readonly: true });
db.pragma('busy_timeout = 5000');

const embeds = `
  'authors', (SELECT json_group_array(json_object('id', au.id, 'slug', au.slug, 'name', au.name))
              FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id),
  'tags', (SELECT json_group_array(json_object('id', t.id, 'slug', t.slug, 'name', t.name))
           FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id),
  'photo', CASE WHEN p.id IS NULL THEN NULL ELSE json_object('id', p.id, 'url', p.url, 'altText', p.alt_text,
           'caption', p.caption, 'credit', json_object('photographer', p.photographer, 'agency', p.agency)) END`;

const item = `json_object('id', a.id, 'slug', a.slug, 'headline', a.headline, 'dek', a.dek,
  'excerpt', a.excerpt, 'publishedAt', a.published_at, ${embeds})`;
const newestFirst = 'ORDER BY a.published_at DESC, a.id DESC LIMIT 20';
const visible = "a.status = 'published' AND a.published_at <= @now";
const list = db.prepare(`
  SELECT ${item} AS item FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
  WHERE ${visible} AND (a.published_at, a.id) < (@at, @id) ${newestFirst}`);
// As Broadsheet's own tag list does: the join table carries the publication time.
const byTag = db.prepare(`
  SELECT ${item} AS item FROM article_tags at2
  JOIN articles a ON a.id = at2.article_id LEFT JOIN photos p ON p.id = a.photo_id
  WHERE at2.tag_id = (SELECT id FROM tags WHERE slug = @tag) AND at2.published_at <= @now
  ORDER BY at2.published_at DESC, at2.article_id DESC LIMIT 20`);
const single = db.prepare(`
  SELECT json_object('data', json_patch(${item}, json_object('bodyHtml', a.body_html))) AS body
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
  WHERE a.language = 'en' AND a.slug = ? AND ${visible.replace('@now', '?')}`);

const feed = db.prepare(`
  SELECT a.id, a.slug, a.headline, coalesce(a.dek, a.excerpt) AS summary, a.body_html AS bodyHtml,
    a.published_at AS publishedAt,
    (SELECT group_concat(name, char(31)) FROM (SELECT au.name FROM article_authors aa
       JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id ORDER BY aa.position)) AS authors,
    (SELECT group_concat(name, char(31)) FROM (SELECT t.name FROM article_tags at
       JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id ORDER BY at.position)) AS tags,
    p.url AS photoUrl, p.alt_text AS photoAlt, p.caption, p.photographer, p.agency
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id WHERE ${visible} ${newestFirst}`);
const month = db.prepare(`
  SELECT a.slug, a.published_at AS publishedAt, a.updated_at AS updatedAt, p.url AS photoUrl
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
  WHERE ${visible} AND a.published_at >= @from AND a.published_at < @to
  ORDER BY a.published_at, a.id`);

// A front: the collection, its visible pinned slots (override or the article's own headline, dek
// and photo, then the list item) in order, then the newest visible articles not pinned.
const collection = db.prepare(
  'SELECT id, slug, name, language, size, updated_at AS updatedAt FROM collections WHERE slug = ?',
);
const slotPhoto = `CASE WHEN sp.id IS NULL THEN NULL ELSE json_object('id', sp.id, 'url', sp.url, 'altText', sp.alt_text,
  'caption', sp.caption, 'credit', json_object('photographer', sp.photographer, 'agency', sp.agency)) END`;
const pinnedSlots = db.prepare(`
  SELECT json_object('pinned', json('true'), 'headline', coalesce(ci.headline, a.headline), 'dek', coalesce(ci.dek, a.dek),
    'photo', ${slotPhoto}, 'article', ${item}) AS item
  FROM collection_items ci JOIN articles a ON a.id = ci.article_id
  LEFT JOIN photos p ON p.id = a.photo_id LEFT JOIN photos sp ON sp.id = coalesce(ci.photo_id, a.photo_id)
  WHERE ci.collection_id = @collection AND ${visible} ORDER BY ci.position LIMIT @size`);
const filledSlots = db.prepare(`
  SELECT json_object('pinned', json('false'), 'headline', a.headline, 'dek', a.dek,
    'photo', ${slotPhoto}, 'article', ${item}) AS item
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id LEFT JOIN photos sp ON sp.id = a.photo_id
  WHERE ${visible} AND NOT EXISTS (SELECT 1 FROM collection_items ci
    WHERE ci.collection_id = @collection AND ci.article_id = a.id)
  ORDER BY a.published_at DESC, a.id DESC LIMIT @size`);

/** Broadsheet's cursor: base64url JSON of [publishedAt ms, id]. */
function position(cursor: string | undefined): { at: number; id: string } {
  if (cursor === undefined) return { at: Number.MAX_SAFE_INTEGER, id: '' };
  const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [
    number,
    string,
  ];
  return { at, id };
}

const app = Fastify({ logger: false });
app.get<{ Querystring: { tag?: string; cursor?: string } }>(
  '/v1/articles',
  async (request, reply) => {
    const now = Date.now();
    const rows = (
      request.query.tag === undefined
        ? list.all({ now, ...position(request.query.cursor) })
        : byTag.all({ now, tag: request.query.tag })
    ) as Array<{ item: string }>;
    reply.type('application/json');
    return `{"data":[${rows.map((row) => row.item).join(',')}],"meta":{"limit":20,"nextCursor":null}}`;
  },
);
app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  const row = single.get(request.params.slug, Date.now()) as { body: string } | undefined;
  if (row === undefined) return reply.code(404).send({ error: 'not found' });
  reply.type('application/json');
  return row.body;
});
app.get('/v1/feeds/articles.rss', async (_request, reply) => {
  reply.type('application/rss+xml; charset=utf-8');
  return rssDocument(feed.all({ now: Date.now() }) as FeedRow[]);
});
app.get<{ Params: { name: string } }>('/sitemaps/:name.xml', async (request, reply) => {
  const bounds = monthBounds(request.params.name);
  if (bounds === undefined) return reply.code(404).send({ error: 'not found' });
  reply.type('application/xml; charset=utf-8');
  return urlsetDocument(month.all({ now: Date.now(), ...bounds }) as SitemapRow[]);
});
app.get<{ Params: { slug: string } }>('/v1/collections/:slug', async (request, reply) => {
  const front = collection.get(request.params.slug) as
    | { id: string; slug: string; name: string; language: string; size: number; updatedAt: number }
    | undefined;
  if (front === undefined) return reply.code(404).send({ error: 'not found' });
  const params = { collection: front.id, size: front.size, now: Date.now() };
  const items = [
    ...(pinnedSlots.all(params) as Array<{ item: string }>),
    ...(filledSlots.all(params) as Array<{ item: string }>),
  ].slice(0, front.size);
  reply.type('application/json');
  const { id: _id, size: _size, ...head } = front;
  return `{"data":${JSON.stringify(head).slice(0, -1)},"items":[${items.map((row) => row.item).join(',')}]}}`;
});
baselineMediaRoute(app);
app.get('/health/ready', async () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3100) });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
