import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, type TestApp } from './helpers.ts';

const clock = manualClock(new Date('2026-11-28T09:00:00.000Z'));
let t: TestApp;
let editor: string;
let writer: string;

const appeal = {
  name: 'Footer appeal',
  placement: 'article-footer',
  heading: 'Support us',
  body: 'Your **support** matters.',
  frequencies: [
    { frequency: 'once', currency: 'USD', suggestedAmounts: [500, 1000], minimumAmount: 200 },
    { frequency: 'monthly', currency: 'EUR', suggestedAmounts: [200, 500], minimumAmount: 200 },
  ],
  ctaLabel: 'Continue',
  ctaUrl: 'https://www.example.org/support',
  dismissLabel: 'Remind me later',
  remindAfterDays: 7,
  paymentMethods: ['visa', 'paypal'],
  startsAt: '2026-11-01T00:00:00.000Z',
};

beforeAll(async () => {
  t = await createTestApp({ now: clock.now });
  editor = await t.token('editor');
  writer = await t.token('writer');
});
afterAll(async () => t.close());

describe('pages', () => {
  it('never serves a version that was only ever a draft, and names one content key', async () => {
    const created = await t.api
      .post('/v1/admin/pages')
      .set(bearer(editor))
      .send({ title: 'Masthead', body: 'Internal: do not publish yet.', status: 'draft' })
      .expect(201);
    const id = created.body.data.id as string;
    await t.api
      .patch(`/v1/admin/pages/${id}`)
      .set(bearer(editor))
      .send({ body: 'Our editors and correspondents.' })
      .expect(200);
    await t.api
      .patch(`/v1/admin/pages/${id}`)
      .set(bearer(editor))
      .send({ status: 'published' })
      .expect(200);
    await t.api.get('/v1/pages/masthead/versions/1').expect(404);
    const current = await t.api.get('/v1/pages/masthead/versions/2').expect(200);
    expect(current.body.data.bodyHtml).toContain('Our editors');
    const page = await t.api.get('/v1/pages/masthead').expect(200);
    expect(page.headers['surrogate-key']).toBe(`pages page:${id}`);
    expect(current.headers['surrogate-key']).toBe(`pages page:${id}`);
    // The key is the one writes purge: the cached page changes at once.
    await t.api
      .patch(`/v1/admin/pages/${id}`)
      .set(bearer(editor))
      .send({ title: 'Masthead and staff' })
      .expect(200);
    expect((await t.api.get('/v1/pages/masthead').expect(200)).body.data.title).toBe(
      'Masthead and staff',
    );
  });

  it('publishes a page, versions every text change, and serves each version', async () => {
    const created = await t.api
      .post('/v1/admin/pages')
      .set(bearer(editor))
      .send({ title: 'Privacy Policy', body: 'First text.' })
      .expect(201);
    const id = created.body.data.id as string;
    expect(created.body.data).toMatchObject({
      slug: 'privacy-policy',
      status: 'draft',
      version: 1,
    });
    await t.api.get('/v1/pages/privacy-policy').expect(404);

    await t.api
      .patch(`/v1/admin/pages/${id}`)
      .set(bearer(editor))
      .send({ status: 'published' })
      .expect(200);
    const v2 = await t.api
      .patch(`/v1/admin/pages/${id}`)
      .set(bearer(editor))
      .send({ body: 'Second **text**.' })
      .expect(200);
    expect(v2.body.data.version).toBe(2);

    const current = await t.api.get('/v1/pages/privacy-policy').expect(200);
    expect(current.body.data).toMatchObject({
      title: 'Privacy Policy',
      version: 2,
      bodyHtml: '<p>Second <strong>text</strong>.</p>\n',
    });
    expect(current.headers.etag).toBeDefined();
    const v1 = await t.api.get('/v1/pages/privacy-policy/versions/1').expect(200);
    expect(v1.body.data).toMatchObject({ version: 1, bodyHtml: '<p>First text.</p>\n' });
    await t.api.get('/v1/pages/privacy-policy/versions/3').expect(404);
    await t.api.get('/v1/pages/privacy-policy/versions/0x1').expect(400);

    // Once published, a page keeps its versions: it can be unpublished, not deleted.
    await t.api.delete(`/v1/admin/pages/${id}`).set(bearer(editor)).expect(409);
    await t.api.patch(`/v1/admin/pages/${id}`).set(bearer(writer)).send({ title: 'x' }).expect(403);
    const draft = await t.api
      .post('/v1/admin/pages')
      .set(bearer(editor))
      .send({ title: 'Scratch', body: '' })
      .expect(201);
    await t.api.delete(`/v1/admin/pages/${draft.body.data.id}`).set(bearer(editor)).expect(204);
  });

  it("links a newsletter's privacy-policy version to the exact page text", async () => {
    const bad = await t.api
      .post('/v1/admin/newsletters')
      .set(bearer(editor))
      .send({ name: 'Daily', cadence: 'daily', privacyPolicyVersion: 'privacy-policy@9' })
      .expect(400);
    expect(bad.body.errors).toEqual([
      { path: 'body.privacyPolicyVersion', message: expect.any(String) },
    ]);
    await t.api
      .post('/v1/admin/newsletters')
      .set(bearer(editor))
      .send({ name: 'Daily', cadence: 'daily', privacyPolicyVersion: 'privacy-policy@1' })
      .expect(201);
    await t.api
      .post('/v1/admin/newsletters')
      .set(bearer(editor))
      .send({ name: 'Other', cadence: 'monthly', privacyPolicyVersion: 'external-2024' })
      .expect(201);
    const listed = await t.api.get('/v1/newsletters').expect(200);
    const bySlug = Object.fromEntries(
      (listed.body.data as Array<{ slug: string; privacyPolicy: unknown }>).map((n) => [
        n.slug,
        n.privacyPolicy,
      ]),
    );
    expect(bySlug.daily).toEqual({
      slug: 'privacy-policy',
      version: 1,
      url: '/v1/pages/privacy-policy/versions/1',
    });
    expect(bySlug.other).toBeNull();
  });
});

describe('support appeals', () => {
  it('serves the highest-priority appeal active now for a placement', async () => {
    const low = await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, name: 'Low', priority: 1 })
      .expect(201);
    expect(low.body.data.bodyHtml).toBe('<p>Your <strong>support</strong> matters.</p>\n');
    const high = await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, name: 'High', priority: 5, endsAt: '2026-12-01T00:00:00.000Z' })
      .expect(201);
    await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, name: 'Future', priority: 9, startsAt: '2027-01-01T00:00:00.000Z' })
      .expect(201);
    await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, name: 'Off', priority: 99, active: false })
      .expect(201);

    const active = await t.api.get('/v1/appeals/active?placement=article-footer').expect(200);
    expect(active.body.data).toMatchObject({
      id: high.body.data.id,
      heading: 'Support us',
      frequencies: appeal.frequencies,
      remindAfterDays: 7,
    });
    expect(active.body.data).not.toHaveProperty('name');
    expect(active.headers['cache-control']).toMatch(/^public/);

    clock.advance(4 * 86_400_000); // past High's end
    expect(
      (await t.api.get('/v1/appeals/active?placement=article-footer').expect(200)).body.data.id,
    ).toBe(low.body.data.id);
    await t.api.get('/v1/appeals/active?placement=top-banner').expect(404);
    await t.api.get('/v1/appeals/active').expect(400);
  });

  it.each([
    [{ frequencies: [] }, 'body.frequencies'],
    [
      {
        frequencies: [
          { frequency: 'once', currency: 'XYZ', suggestedAmounts: [500], minimumAmount: 200 },
        ],
      },
      'body.frequencies.0.currency',
    ],
    [
      {
        frequencies: [
          { frequency: 'once', currency: 'usd', suggestedAmounts: [500], minimumAmount: 200 },
        ],
      },
      'body.frequencies.0.currency',
    ],
    [
      {
        frequencies: [
          { frequency: 'once', currency: 'USD', suggestedAmounts: [500, 100], minimumAmount: 200 },
        ],
      },
      'body.frequencies.0.minimumAmount',
    ],
    [
      {
        frequencies: [
          { frequency: 'once', currency: 'USD', suggestedAmounts: [0], minimumAmount: 200 },
        ],
      },
      'body.frequencies.0.suggestedAmounts.0',
    ],
    [
      {
        frequencies: [
          { frequency: 'weekly', currency: 'USD', suggestedAmounts: [500], minimumAmount: 200 },
        ],
      },
      'body.frequencies.0.frequency',
    ],
    [{ frequencies: [appeal.frequencies[0], appeal.frequencies[0]] }, 'body.frequencies'],
    [{ endsAt: '2026-10-01T00:00:00.000Z' }, 'body.endsAt'],
    [{ ctaUrl: 'javascript:alert(1)' }, 'body.ctaUrl'],
  ])('rejects %j naming %s', async (override, path) => {
    const response = await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, ...override })
      .expect(400);
    expect((response.body.errors as Array<{ path: string }>).map((error) => error.path)).toContain(
      path,
    );
  });

  it('checks the window again when one end is edited', async () => {
    const created = await t.api
      .post('/v1/admin/appeals')
      .set(bearer(editor))
      .send({ ...appeal, endsAt: '2027-06-01T00:00:00.000Z' })
      .expect(201);
    const response = await t.api
      .patch(`/v1/admin/appeals/${created.body.data.id}`)
      .set(bearer(editor))
      .send({ startsAt: '2027-07-01T00:00:00.000Z' })
      .expect(400);
    expect(response.body.errors).toEqual([
      { path: 'body.endsAt', message: 'must be after startsAt' },
    ]);
    await t.api
      .patch(`/v1/admin/appeals/${created.body.data.id}`)
      .set(bearer(editor))
      .send({ endsAt: null, heading: 'Changed' })
      .expect(200);
    await t.api.delete(`/v1/admin/appeals/${created.body.data.id}`).set(bearer(writer)).expect(403);
    await t.api.delete(`/v1/admin/appeals/${created.body.data.id}`).set(bearer(editor)).expect(204);
  });
});
