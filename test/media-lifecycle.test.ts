import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, manualClock, type TestApp } from './helpers.ts';
import { agencyJpeg, endExifTool, picture, settledPhoto } from './media-fixtures.ts';

// An uploaded photo's files over its life: a new file for the same photo (renditions made again,
// pages following, the credit kept or read anew), and files no photo uses any more (a deleted
// photo's, a replaced file's, crops around an old focal point) removed from storage an hour later.
// The app's clock is moved instead of waiting the hour.

const clock = manualClock();
let t: TestApp;
let writer: string;
let editor: string;

beforeAll(async () => {
  t = await createTestApp({ now: clock.now, config: { uploadMaxMb: 2, uploadMaxMegapixels: 40 } });
  writer = await t.token('writer');
  editor = await t.token('editor');
}, 60_000);
afterAll(async () => {
  await t.close();
  await endExifTool();
});

interface Variant {
  url: string;
  width: number;
}

const upload = (file: Buffer) =>
  t.api.post('/v1/admin/photos/uploads').set(bearer(writer)).attach('file', file, 'picture.jpg');
const replace = (id: string, file: Buffer, token = editor) =>
  t.api.put(`/v1/admin/photos/${id}/file`).set(bearer(token)).attach('file', file, 'new.jpg');
const settled = (id: string) => settledPhoto(t.api, writer, id);
const pathOf = (url: string) => new URL(url).pathname;
/** Where a key's file lives under the disk storage. */
const onDisk = (key: string) => join(t.config.mediaDir, key);
const uploadFolder = (sha256: string) => onDisk(`photos/${sha256}`);

/** Waits for the background removal (a check a second) to take a file away. */
async function removed(path: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (!existsSync(path)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${path} was never removed`);
}

const anHourAndAMinute = 61 * 60_000;

describe('a new file for a photo', () => {
  it('makes its renditions again, carries pages over to it, keeps the credit, and removes the old files an hour later', async () => {
    const first = await upload(await agencyJpeg(1200, 800)).expect(201);
    const id = first.body.data.id as string;
    const oldSha = first.body.data.file.sha256 as string;
    await settled(id);
    const draft = await t.api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Evening on the Ring', body: 'Text.', photoId: id })
      .expect(201);
    const published = await t.api
      .post(`/v1/admin/articles/${draft.body.data.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    const article = published.body.data as { slug: string };
    const before = await t.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(before.body.data.photo.url).toContain(oldSha);

    // A retouched export: other pixels, no IPTC at all.
    const replaced = await replace(id, await picture(1000, 750)).expect(200);
    const photo = replaced.body.data;
    const newSha = photo.file.sha256 as string;
    expect(newSha).not.toBe(oldSha);
    expect(photo).toMatchObject({ id, width: 1000, height: 750 });
    expect(photo.url).toBe(`${t.config.publicApiUrl}/media/photos/${newSha}/w1000.jpg`);
    expect(photo.file).toMatchObject({ format: 'jpeg', variants: 'pending' });
    // The old file's credit and caption stay: the new one says nothing about itself.
    expect(photo.credit).toMatchObject({ line: 'Valery Sharifulin / TASS', source: 'iptc' });
    expect(photo.caption).toBe(first.body.data.caption);

    const ready = await settled(id);
    expect(ready.file.variants).toBe('ready');
    expect(ready.variants.every((variant: Variant) => variant.url.includes(newSha))).toBe(true);
    expect(ready.variants.map((variant: Variant) => variant.width)).toContain(1000);
    const after = await t.api.get(`/v1/articles/${article.slug}`).expect(200);
    expect(after.body.data.photo.url).toBe(photo.url);
    expect(after.body.data.photo.srcset).toBe(ready.srcset);

    // Readers get the new files only; the old ones wait an hour in storage, then go.
    await t.api.get(pathOf(first.body.data.url)).expect(404);
    await t.api.get(pathOf(ready.variants[0].url)).expect(200);
    expect(existsSync(uploadFolder(oldSha))).toBe(true);
    clock.advance(anHourAndAMinute);
    await removed(uploadFolder(oldSha));
    expect(existsSync(onDisk(new URL(photo.url).pathname.replace('/media/', '')))).toBe(true);
    await t.api.get(pathOf(ready.variants[0].url)).expect(200);
  });

  it('reads the credit from the new file unless an editor typed it', async () => {
    const plain = await upload(await picture(640, 480)).expect(201);
    expect(plain.body.data.credit.source).toBeNull();
    const credited = await replace(plain.body.data.id, await agencyJpeg(900, 600)).expect(200);
    expect(credited.body.data.credit).toEqual({
      photographer: 'Valery Sharifulin',
      agency: 'TASS',
      line: 'Valery Sharifulin / TASS',
      source: 'iptc',
    });
    expect(credited.body.data.license).toBe('© TASS');

    // A photo that was only a URL gets its first file; the typed credit stays.
    const linked = await t.api
      .post('/v1/admin/photos')
      .set(bearer(writer))
      .send({
        url: 'https://cdn.example.org/staff/ring.jpg',
        altText: 'The Garden Ring at dusk',
        credit: { photographer: 'Staff photographer' },
      })
      .expect(201);
    expect(linked.body.data.file).toBeNull();
    const filed = await replace(linked.body.data.id, await agencyJpeg(800, 600)).expect(200);
    expect(filed.body.data.credit).toMatchObject({ line: 'Staff photographer', source: 'editor' });
    expect(filed.body.data.altText).toBe('The Garden Ring at dusk');
    expect(filed.body.data.file.format).toBe('jpeg');
    expect(filed.body.data.url).toMatch(/\/media\/photos\/[0-9a-f]{64}\/w800\.jpg$/);
    await settled(linked.body.data.id);
  });

  it('refuses another photo’s bytes (409) and files that are no image, changes nothing for its own, and is for editors', async () => {
    const mine = await picture(660, 440);
    const theirs = await picture(670, 440);
    const photo = await upload(mine).expect(201);
    const other = await upload(theirs).expect(201);
    const id = photo.body.data.id as string;

    const taken = await replace(id, theirs).expect(409);
    expect(taken.body.detail).toContain(other.body.data.id);
    expect(taken.body.errors).toEqual([
      expect.objectContaining({
        path: 'body.file',
        message: expect.stringContaining(other.body.data.id),
      }),
    ]);
    const same = await replace(id, mine).expect(200);
    expect(same.body.data.updatedAt).toBe(photo.body.data.updatedAt);
    expect(same.body.data.file.sha256).toBe(photo.body.data.file.sha256);

    await replace(id, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')).expect(415);
    await replace(id, (await picture(600, 400)).subarray(0, 2000)).expect(400);
    await replace(id, await picture(610, 400), writer).expect(403);
    await replace('pho_00000000000000000000000000', await picture(620, 400)).expect(404);
    await t.api
      .put(`/v1/admin/photos/${id}/file`)
      .set(bearer(editor))
      .field('altText', 'not a file')
      .expect(400);
    const unchanged = await t.api.get(`/v1/admin/photos/${id}`).set(bearer(editor)).expect(200);
    expect(unchanged.body.data.file.sha256).toBe(photo.body.data.file.sha256);
    await settled(id);
    await settled(other.body.data.id);
  });
});

describe('files no photo uses', () => {
  it('go an hour after their photo is deleted, unless the same file is uploaded again', async () => {
    const gone = await upload(await picture(700, 500)).expect(201);
    const back = await upload(await picture(710, 500)).expect(201);
    const goneSha = gone.body.data.file.sha256 as string;
    const backSha = back.body.data.file.sha256 as string;
    await Promise.all([settled(gone.body.data.id), settled(back.body.data.id)]);
    for (const id of [gone.body.data.id, back.body.data.id])
      await t.api.delete(`/v1/admin/photos/${id}`).set(bearer(editor)).expect(204);
    expect(existsSync(uploadFolder(goneSha))).toBe(true);
    // Deleted by mistake, uploaded again straight away: a new photo on the same files.
    const again = await upload(await picture(710, 500)).expect(201);
    expect(again.body.data.file.sha256).toBe(backSha);

    clock.advance(anHourAndAMinute);
    await removed(uploadFolder(goneSha));
    expect(existsSync(uploadFolder(backSha))).toBe(true);
    const ready = await settled(again.body.data.id);
    await t.api.get(pathOf(ready.variants[0].url)).expect(200);
  });

  it('wait, when the same file comes back, for a removal under way to finish, then keep the new files', async () => {
    const bytes = await picture(730, 500);
    const first = await upload(bytes).expect(201);
    const sha = first.body.data.file.sha256 as string;
    await settled(first.body.data.id);
    await t.api.delete(`/v1/admin/photos/${first.body.data.id}`).set(bearer(editor)).expect(204);
    // Another instance claims the folder's removal and is slow to delete it.
    const { mediaDeletions } = t.app.store.tables;
    await t.app.store.write((tx) =>
      tx
        .update(mediaDeletions)
        .set({ claimedUntil: new Date(clock.now().getTime() + 60_000) })
        .where(eq(mediaDeletions.key, `photos/${sha}/`)),
    );
    let answered = false;
    const again = upload(bytes).then((response) => {
      answered = true;
      return response;
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(answered).toBe(false);
    // That instance is done: the folder is gone and so is the record of its removal.
    rmSync(uploadFolder(sha), { recursive: true, force: true });
    await t.app.store.write((tx) =>
      tx.delete(mediaDeletions).where(eq(mediaDeletions.key, `photos/${sha}/`)),
    );
    const response = await again;
    expect(response.status).toBe(201);
    expect(response.body.data.file.sha256).toBe(sha);
    const ready = await settled(response.body.data.id);
    clock.advance(anHourAndAMinute);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    for (const variant of ready.variants as Variant[])
      await t.api.get(pathOf(variant.url)).expect(200);
  });

  it('include the crops around an old focal point, an hour after new ones are made', async () => {
    const uploaded = await upload(await picture(720, 480)).expect(201);
    const id = uploaded.body.data.id as string;
    const centred = await settled(id);
    const oldCrop = pathOf(centred.crops[0].variants[0].url).replace('/media/', '');
    expect(oldCrop).toContain('c16x9-0500-0500-');
    await t.api
      .patch(`/v1/admin/photos/${id}`)
      .set(bearer(editor))
      .send({ focalPoint: { x: 0.2, y: 0.8 } })
      .expect(200);
    const moved = await settled(id);
    expect(moved.crops[0].variants[0].url).toContain('c16x9-0200-0800-');
    expect(existsSync(onDisk(oldCrop))).toBe(true);
    clock.advance(anHourAndAMinute);
    await removed(onDisk(oldCrop));
    // The whole picture's widths are the same files before and after: they stay.
    for (const variant of moved.variants as Variant[])
      await t.api.get(pathOf(variant.url)).expect(200);
    for (const crop of moved.crops as Array<{ variants: Variant[] }>)
      await t.api.get(pathOf(crop.variants[0]?.url ?? '')).expect(200);
  });
});
