import Database from 'better-sqlite3';
import Fastify from 'fastify';

// The practical ceiling of this stack on this machine: Fastify + better-sqlite3, one prepared
// statement per request (JSON assembled inside SQLite), JSON.stringify, no validation, no auth,
// no caching. It answers the list and single-article requests only.

const db = new Database(process.env.DATABASE_PATH ?? '', { readonly: true });
db.pragma('busy_timeout = 5000');

const embeds = `
  'authors', (SELECT json_group_array(json_object('id', au.id, 'slug', au.slug, 'name', au.name))
              FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id),
  'tags', (SELECT json_group_array(json_object('id', t.id, 'slug', t.slug, 'name', t.name))
           FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id),
  'photo', CASE WHEN p.id IS NULL THEN NULL ELSE json_object('id', p.id, 'url', p.url, 'altText', p.alt_text,
           'caption', p.caption, 'credit', json_object('photographer', p.photographer, 'agency', p.agency)) END`;

const list = db.prepare(`
  SELECT json_object('id', a.id, 'slug', a.slug, 'headline', a.headline, 'dek', a.dek, 'excerpt', a.excerpt,
                     'publishedAt', a.published_at, ${embeds}) AS item
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
  WHERE a.status = 'published' AND a.published_at <= ?
  ORDER BY a.published_at DESC, a.id DESC LIMIT 20`);
const single = db.prepare(`
  SELECT json_object('id', a.id, 'slug', a.slug, 'headline', a.headline, 'dek', a.dek, 'excerpt', a.excerpt,
                     'publishedAt', a.published_at, 'bodyHtml', a.body_html, ${embeds}) AS item
  FROM articles a LEFT JOIN photos p ON p.id = a.photo_id
  WHERE a.language = 'en' AND a.slug = ? AND a.status = 'published' AND a.published_at <= ?`);

const app = Fastify({ logger: false });
app.get('/v1/articles', async (_request, reply) => {
  const rows = list.all(Date.now()) as Array<{ item: string }>;
  reply.type('application/json');
  return `{"data":[${rows.map((row) => row.item).join(',')}],"meta":{"limit":20,"nextCursor":null}}`;
});
app.get<{ Params: { slug: string } }>('/v1/articles/:slug', async (request, reply) => {
  const row = single.get(request.params.slug, Date.now()) as { item: string } | undefined;
  if (row === undefined) return reply.code(404).send({ error: 'not found' });
  reply.type('application/json');
  return JSON.stringify({ data: JSON.parse(row.item) as unknown });
});
app.get('/health/ready', async () => ({ status: 'ok' }));

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3100) });
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
