import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, samplePhoto, type TestApp } from './helpers.ts';

// The picture desk's monthly statement: per agency, each photo used in an article first
// published in the period, as JSON and as spreadsheet-safe CSV.

const clock = manualClock(new Date('2026-11-05T10:00:00.000Z'));
let t: TestApp;
let editor: string;
const ids = { tass: '', reuters: '', staff: '' };
const site = 'http://localhost:4321';

async function photo(credit: { photographer?: string; agency?: string }, license?: string) {
  const created = await t.api
    .post('/v1/admin/photos')
    .set(bearer(editor))
    .send({ ...samplePhoto, url: `https://cdn.example.org/${Math.random()}.jpg`, credit, license })
    .expect(201);
  return created.body.data.id as string;
}

async function publish(fields: Record<string, unknown>) {
  const created = await t.api
    .post('/v1/admin/articles')
    .set(bearer(editor))
    .send({ body: 'Text.', ...fields })
    .expect(201);
  await t.api
    .post(`/v1/admin/articles/${created.body.data.id}/publish`)
    .set(bearer(editor))
    .set('If-Match', '"1"')
    .send({})
    .expect(200);
  return created.body.data as { id: string; slug: string };
}

const days = (n: number) => n * 86_400_000;
let first: { id: string; slug: string };
let second: { id: string; slug: string };

beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
  editor = await t.token('editor');
  ids.tass = await photo(
    { photographer: 'Valery Sharifulin', agency: 'TASS' },
    'Editorial use only',
  );
  ids.reuters = await photo({ agency: 'Reuters' });
  ids.staff = await photo({ photographer: 'Staff' });
  // 5 November: TASS as the lead, Reuters on the social card.
  first = await publish({
    headline: 'Ministers meet in Moscow',
    photoId: ids.tass,
    social: { photoId: ids.reuters },
  });
  clock.advance(days(15));
  // 20 November: TASS again, and a headline a spreadsheet would run as a formula.
  second = await publish({ headline: '=HYPERLINK("http://evil.example")', photoId: ids.tass });
  await publish({ headline: 'Staff picture', photoId: ids.staff });
  // A draft shows its photo to no one: it owes nothing.
  await t.api
    .post('/v1/admin/articles')
    .set(bearer(editor))
    .send({ headline: 'Draft', body: 'Text.', photoId: ids.reuters })
    .expect(201);
  clock.advance(days(12));
  // 2 December: outside November.
  await publish({ headline: 'December story', photoId: ids.reuters });
});
afterAll(async () => t.close());

const november = 'from=2026-11-01&to=2026-12-01';

describe('the photo-usage report', () => {
  it('lists each agency’s photos with every use in the period', async () => {
    const { body } = await t.api
      .get(`/v1/admin/reports/photo-usage?${november}`)
      .set(bearer(editor))
      .expect(200);
    expect(body.data.from).toBe('2026-11-01T00:00:00.000Z');
    expect(body.data.uses).toBe(4);
    expect(body.data.agencies.map((a: { agency: string | null }) => a.agency)).toEqual([
      'Reuters',
      'TASS',
      null,
    ]);
    const tass = body.data.agencies[1].photos;
    expect(tass).toHaveLength(1);
    expect(tass[0]).toMatchObject({
      photoId: ids.tass,
      photographer: 'Valery Sharifulin',
      license: 'Editorial use only',
      firstPublishedAt: '2026-11-05T10:00:00.000Z',
    });
    expect(tass[0].uses).toEqual([
      {
        articleId: first.id,
        headline: 'Ministers meet in Moscow',
        url: `${site}/en/${first.slug}`,
        publishedAt: '2026-11-05T10:00:00.000Z',
        as: ['lead'],
      },
      expect.objectContaining({ articleId: second.id, publishedAt: '2026-11-20T10:00:00.000Z' }),
    ]);
    expect(body.data.agencies[0].photos[0].uses[0].as).toEqual(['social']);
  });

  it('narrows to one agency, whatever the case', async () => {
    const { body } = await t.api
      .get(`/v1/admin/reports/photo-usage?${november}&agency=tass`)
      .set(bearer(editor))
      .expect(200);
    expect(body.data.agencies.map((a: { agency: string }) => a.agency)).toEqual(['TASS']);
    expect(body.data.uses).toBe(2);
  });

  it('streams the same uses as CSV, with formula-like cells defused', async () => {
    const csv = await t.api
      .get(`/v1/admin/reports/photo-usage.csv?${november}`)
      .set(bearer(editor))
      .expect(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      'attachment; filename="photo-usage-2026-11-01-2026-12-01.csv"',
    );
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'agency,photo_id,photographer,credit,license,article_id,headline,article_url,published_at,used_as',
    );
    expect(lines).toHaveLength(5);
    expect(lines).toContain(
      `TASS,${ids.tass},Valery Sharifulin,Valery Sharifulin / TASS,Editorial use only,${first.id},Ministers meet in Moscow,${site}/en/${first.slug},2026-11-05T10:00:00.000Z,lead`,
    );
    expect(lines.some((line) => line.includes(`"'=HYPERLINK(""http://evil.example"")"`))).toBe(
      true,
    );
  });

  it('names a bad period, and is for editors', async () => {
    const bad = async (query: string, path: string) => {
      const response = await t.api
        .get(`/v1/admin/reports/photo-usage?${query}`)
        .set(bearer(editor))
        .expect(400);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    };
    await bad('from=2026-12-01&to=2026-11-01', 'query.to');
    await bad('from=2025-01-01&to=2026-12-01', 'query.to');
    await bad('from=November&to=2026-12-01', 'query.from');
    await bad('to=2026-12-01', 'query.from');
    const writer = await t.token('writer');
    await t.api.get(`/v1/admin/reports/photo-usage?${november}`).set(bearer(writer)).expect(403);
  });
});
