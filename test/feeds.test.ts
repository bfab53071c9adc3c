import { parseAtomFeed, parseRssFeed } from 'feedsmith';
import Parser from 'rss-parser';
import sax from 'sax';
import { afterEach, describe, expect, it } from 'vitest';
import { xmlText } from '../src/modules/feeds/feeds.xml.ts';
import { bearer, createTestApp, manualClock, type TestApp } from './helpers.ts';

// RSS and Atom over HTTP, read back by a namespace-strict XML parser (sax) and two feed readers'
// parsers (rss-parser, feedsmith): each must see the exact headline, link, bylines in order and
// both photo credits. Nothing unpublished appears, and a feed changes only when what it shows does.

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const site = 'https://news.example.org';
const headline = 'Ministers agree on a "roadmap" & more <talks>';

async function setUp() {
  const clock = manualClock();
  t = await createTestApp({
    now: clock.now,
    config: {
      siteUrl: site,
      articleUrlTemplate: '{site}/{language}/{yyyy}/{mm}/{slug}',
      newsPublicationName: 'The Example Times',
    },
  });
  const as = bearer(await t.token('editor'));
  const author = async (name: string) =>
    (await t?.api.post('/v1/admin/authors').set(as).send({ name }).expect(201))?.body.data as {
      id: string;
      slug: string;
    };
  const first = await author('Anna Petrova');
  const second = await author('Ivan Sidorov');
  const tag = (await t.api.post('/v1/admin/tags').set(as).send({ name: 'Diplomacy' }).expect(201))
    .body.data as { id: string; slug: string };
  const photo = (
    await t.api
      .post('/v1/admin/photos')
      .set(as)
      .send({
        url: 'https://cdn.example.org/ministers.jpg',
        altText: 'Four ministers at a table',
        caption: 'The ministers before the talks.',
        credit: { photographer: 'Valery Sharifulin', agency: 'TASS' },
        license: 'Editorial use only',
        width: 1920,
        height: 1280,
      })
      .expect(201)
  ).body.data as { id: string };
  const publish = async ({ publishedAt, ...fields }: Record<string, unknown>) => {
    const created = await t?.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ body: 'The talks lasted **four hours** & ended late.', ...fields })
      .expect(201);
    const id = created?.body.data.id as string;
    const published = await t?.api
      .post(`/v1/admin/articles/${id}/publish`)
      .set(as)
      .set('If-Match', '"1"')
      .send(publishedAt === undefined ? {} : { publishedAt })
      .expect(200);
    return published?.body.data as { id: string; slug: string; publishedAt: string };
  };
  const story = await publish({
    headline,
    authorIds: [second.id, first.id],
    tagIds: [tag.id],
    photoId: photo.id,
  });
  return { app: t, clock, as, first, second, tag, story, publish };
}

/** Parses with sax in strict mode with namespaces; throws on any well-formedness error. */
function strictParse(xml: string): Array<{ name: string; uri: string }> {
  const parser = sax.parser(true, { xmlns: true });
  const elements: Array<{ name: string; uri: string }> = [];
  parser.onopentag = (node) => {
    if ('uri' in node) elements.push({ name: node.name, uri: node.uri });
  };
  parser.onerror = (error) => {
    throw error;
  };
  parser.write(xml).close();
  return elements;
}

describe('feeds', () => {
  it('serve RSS that a strict parser and two feed readers read exactly', async () => {
    const { app, story } = await setUp();
    const response = await app.api.get('/v1/feeds/articles.rss').expect(200);
    expect(response.headers['content-type']).toBe('application/rss+xml; charset=utf-8');
    const xml = response.text;
    const url = `${site}/en/${story.publishedAt.slice(0, 4)}/${story.publishedAt.slice(5, 7)}/${story.slug}`;

    const elements = strictParse(xml);
    const uriOf = (name: string) => elements.find((element) => element.name === name)?.uri;
    expect(uriOf('dc:creator')).toBe('http://purl.org/dc/elements/1.1/');
    expect(uriOf('content:encoded')).toBe('http://purl.org/rss/1.0/modules/content/');
    expect(uriOf('media:credit')).toBe('http://search.yahoo.com/mrss/');

    const parsed = await new Parser<Record<string, unknown>, Record<string, unknown>>({
      customFields: {
        item: [
          ['dc:creator', 'creators', { keepArray: true }],
          ['media:content', 'media', { keepArray: true }],
        ],
      },
    }).parseString(xml);
    expect(parsed.title).toBe('The Example Times');
    const [item] = parsed.items;
    expect(item).toMatchObject({
      title: headline,
      link: url,
      creators: ['Ivan Sidorov', 'Anna Petrova'],
    });
    expect(item?.guid).toBe(`urn:broadsheet:article:${story.id}`);
    expect(String(item?.['content:encoded'])).toContain('<strong>four hours</strong> &amp; ended');
    expect(item?.categories).toEqual(['Diplomacy']);

    const read = parseRssFeed(xml);
    const [entry] = read.items ?? [];
    expect(entry?.title).toBe(headline);
    expect(entry?.link).toBe(url);
    expect(entry?.dc?.creators).toEqual(['Ivan Sidorov', 'Anna Petrova']);
    const [media] = entry?.media?.contents ?? [];
    expect(media).toMatchObject({ url: 'https://cdn.example.org/ministers.jpg', medium: 'image' });
    expect(media?.credits).toEqual([
      { value: 'Valery Sharifulin', role: 'photographer', scheme: 'urn:ebu' },
      { value: 'TASS', role: 'agency', scheme: 'urn:ebu' },
    ]);
    expect(xml).toContain(
      '<media:copyright>Valery Sharifulin / TASS. Editorial use only</media:copyright>',
    );
    expect(xml).toContain('<media:description>The ministers before the talks.</media:description>');
  });

  it('serve Atom with the same entries, per tag and per author too', async () => {
    const { app, clock, story, tag, first, publish } = await setUp();
    clock.advance(60_000);
    await publish({ headline: 'Weather turns cold' });
    const atom = await app.api.get('/v1/feeds/articles.atom').expect(200);
    expect(atom.headers['content-type']).toBe('application/atom+xml; charset=utf-8');
    strictParse(atom.text);
    const feed = parseAtomFeed(atom.text);
    expect(feed.entries?.map((entry) => entry.title?.value)).toEqual([
      'Weather turns cold',
      headline,
    ]);
    const mine = feed.entries?.find((entry) => entry.id === `urn:broadsheet:article:${story.id}`);
    expect(mine?.authors?.map((author) => author.name)).toEqual(['Ivan Sidorov', 'Anna Petrova']);
    expect(feed.links?.find((link) => link.rel === 'self')?.href).toMatch(
      /\/v1\/feeds\/articles\.atom$/,
    );

    const byTag = parseAtomFeed(
      (await app.api.get(`/v1/feeds/tags/${tag.slug}.atom`).expect(200)).text,
    );
    expect(byTag.title?.value).toBe('Diplomacy · The Example Times');
    expect(byTag.entries?.map((entry) => entry.title?.value)).toEqual([headline]);
    const byAuthor = parseRssFeed(
      (await app.api.get(`/v1/feeds/authors/${first.slug}.rss`).expect(200)).text,
    );
    expect(byAuthor.items?.map((item) => item.title)).toEqual([headline]);
    expect(byAuthor.link).toBe(`${site}/authors/${first.slug}`);

    await app.api.get('/v1/feeds/tags/no-such-tag.rss').expect(404);
    await app.api.get('/v1/feeds/articles.rss?language=english').expect(400);
    const russian = parseRssFeed(
      (await app.api.get('/v1/feeds/articles.rss?language=ru').expect(200)).text,
    );
    expect(russian.items ?? []).toEqual([]);
  });

  it('show nothing unpublished, change only when their content does, and show a scheduled article at its time', async () => {
    const { app, clock, as, publish } = await setUp();
    const draft = await app.api
      .post('/v1/admin/articles')
      .set(as)
      .send({ headline: 'Secret draft', body: 'Not yet.' })
      .expect(201);
    const soon = new Date(clock.now().getTime() + 3_600_000).toISOString();
    await publish({ headline: 'Scheduled story', publishedAt: soon });
    const first = await app.api.get('/v1/feeds/articles.rss').expect(200);
    expect(first.text).not.toContain('Secret draft');
    expect(first.text).not.toContain('Scheduled story');
    expect(first.text).not.toContain(draft.body.data.id);

    // Nothing changed: the same bytes and ETag, from the cache.
    const again = await app.api.get('/v1/feeds/articles.rss').expect(200);
    expect(again.headers['x-cache']).toBe('hit');
    expect(again.headers.etag).toBe(first.headers.etag);
    await app.api
      .get('/v1/feeds/articles.rss')
      .set('If-None-Match', String(first.headers.etag))
      .expect(304);

    // The scheduled article falls due: the feed changes without a write.
    clock.advance(3_600_001);
    const due = await app.api.get('/v1/feeds/articles.rss').expect(200);
    expect(due.text).toContain('Scheduled story');
    expect(due.headers.etag).not.toBe(first.headers.etag);
    expect(parseRssFeed(due.text).lastBuildDate).toBe(new Date(soon).toUTCString());
  });

  it('drop characters XML cannot carry', () => {
    expect(xmlText('a\u0000b\u0008c\u000Bd\uFFFEe\uD800f\uDC00g')).toBe('abcdefg');
    expect(xmlText('tab\tnew\nline\r😀')).toBe('tab\tnew\nline\r😀');
  });
});
