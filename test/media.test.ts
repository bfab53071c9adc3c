import exifr from 'exifr';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createTestApp, type TestApp } from './helpers.ts';
import {
  agencyJpeg,
  endExifTool,
  picture,
  pixelBomb,
  settledPhoto,
  withTags,
} from './media-fixtures.ts';

// Uploads end to end over HTTP, on local disk storage (media-s3.test.ts runs the bucket path):
// the type from the bytes, credits from IPTC, renditions made in the background and served
// without metadata, with year-long caching, ETags and ranges.

let t: TestApp;
let writer: string;
let editor: string;
let tass: Buffer;

beforeAll(async () => {
  t = await createTestApp({ config: { uploadMaxMb: 2, uploadMaxMegapixels: 40 } });
  writer = await t.token('writer');
  editor = await t.token('editor');
  tass = await agencyJpeg();
}, 60_000);
afterAll(async () => {
  await t.close();
  await endExifTool();
});

interface Variant {
  url: string;
  width: number;
  height: number;
  format: string;
}

const upload = (file: Buffer, name = 'picture.jpg', fields: Record<string, string> = {}) => {
  let request = t.api.post('/v1/admin/photos/uploads').set(bearer(writer));
  for (const [field, value] of Object.entries(fields)) request = request.field(field, value);
  return request.attach('file', file, name);
};

/** Reads a photo as editors see it until its renditions are made (or failed). */
const settled = (id: string) => settledPhoto(t.api, writer, id);

/** A served file's path under the API (the URLs are absolute, to PUBLIC_API_URL). */
const pathOf = (url: string) => new URL(url).pathname;

const fetchFile = (url: string) =>
  t.api
    .get(pathOf(url))
    .buffer(true)
    .parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    });

describe('photo uploads', () => {
  let photoId = '';
  let sha = '';

  it('reads the credit, caption and licence from the file’s IPTC, with no typing', async () => {
    const response = await upload(tass, 'IMG_0001.JPG').expect(201);
    const photo = response.body.data;
    photoId = photo.id;
    sha = photo.file.sha256;
    expect(response.headers.location).toBe(`/v1/admin/photos/${photo.id}`);
    expect(photo.credit).toEqual({
      photographer: 'Valery Sharifulin',
      agency: 'TASS',
      line: 'Valery Sharifulin / TASS',
      source: 'iptc',
    });
    expect(photo.caption).toBe(
      'Evening traffic on the Garden Ring in Moscow, seen from a footbridge.',
    );
    expect(photo.license).toBe('© TASS');
    expect(photo).toMatchObject({ width: 3000, height: 2000, altText: '' });
    expect(photo.file).toMatchObject({ format: 'jpeg', bytes: tass.length, variants: 'pending' });
    // What the file said is kept for editors, location and camera included.
    expect(photo.file.metadata).toMatchObject({
      byline: 'Valery Sharifulin',
      credit: 'TASS',
      headline: 'Moscow traffic',
      dateCreated: '2026-11-30',
      camera: 'Canon EOS R5',
    });
    expect(photo.file.metadata.location.latitude).toBeCloseTo(55.7558, 3);
    // The answer already has a picture to show: the largest width in the original's format.
    expect(photo.url).toBe(`${t.config.publicApiUrl}/media/photos/${sha}/w2400.jpg`);
    expect(typeof photo.placeholder).toBe('string');
  });

  it('serves renditions without the file’s metadata: no GPS position, no camera serial', async () => {
    const { body: photo } = await t.api
      .get(`/v1/admin/photos/${photoId}`)
      .set(bearer(writer))
      .expect(200);
    const served = await fetchFile(photo.data.url).expect(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect(served.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    const bytes = served.body as Buffer;
    expect((await sharp(bytes).metadata()).width).toBe(2400);
    const left = ((await exifr.parse(bytes, { iptc: true, xmp: true, gps: true })) ?? {}) as Record<
      string,
      unknown
    >;
    expect(left.latitude).toBeUndefined();
    expect(left.SerialNumber).toBeUndefined();
    expect(left.Byline).toBeUndefined();
    expect(bytes.includes(Buffer.from('032021001234'))).toBe(false);
  });

  it('makes every width in AVIF, WebP and JPEG, and the four crops, in the background', async () => {
    const photo = await settled(photoId);
    expect(photo.file.variants).toBe('ready');
    const widths = [320, 640, 1024, 1600, 2400];
    expect(
      (photo.variants as Variant[]).map((variant) => `${variant.format}@${variant.width}`).sort(),
    ).toEqual(
      ['avif', 'webp', 'jpeg'].flatMap((format) => widths.map((w) => `${format}@${w}`)).sort(),
    );
    expect(photo.srcset).toBe(
      widths.map((w) => `${t.config.publicApiUrl}/media/photos/${sha}/w${w}.jpg ${w}w`).join(', '),
    );
    expect(photo.sources.map((source: { type: string }) => source.type)).toEqual([
      'image/avif',
      'image/webp',
    ]);
    expect(photo.crops.map((crop: { ratio: string }) => crop.ratio)).toEqual([
      '16:9',
      '1:1',
      '4:5',
      '3:2',
    ]);
    // Each file is what its entry says: format and size read back from the bytes.
    for (const variant of [
      ...(photo.variants as Variant[]).filter((v: Variant) => v.width === 640),
      ...photo.crops.map((crop: { variants: Variant[] }) => crop.variants[0]),
    ]) {
      const served = await fetchFile(variant.url).expect(200);
      const metadata = await sharp(served.body as Buffer).metadata();
      expect(metadata.width).toBe(variant.width);
      expect(metadata.height).toBe(variant.height);
      expect(metadata.format === 'heif' ? 'avif' : metadata.format).toBe(variant.format);
      expect(served.headers['content-type']).toBe(`image/${variant.format}`);
    }
    const square = photo.crops.find((crop: { ratio: string }) => crop.ratio === '1:1');
    // A 3000 × 2000 picture cut square is 2000 wide: never upscaled past it, and whole at 2000.
    expect(square.variants.map((v: Variant) => v.width)).toEqual([320, 640, 1024, 1600, 2000]);
    expect(square.variants.every((v: Variant) => v.width === v.height)).toBe(true);
  });

  it('answers the same bytes uploaded again with the same photo', async () => {
    const again = await upload(tass, 'copy.jpg').expect(200);
    expect(again.body.data.id).toBe(photoId);
  });

  it('serves ETag/304, single byte ranges (206) and 416 past the end', async () => {
    const url = `/media/photos/${sha}/w320.webp`;
    const whole = await t.api.get(url).expect(200);
    const size = Number(whole.headers['content-length']);
    expect(size).toBeGreaterThan(100);
    const etag = String(whole.headers.etag);
    await t.api.get(url).set('If-None-Match', etag).expect(304);
    const part = await t.api.get(url).set('Range', 'bytes=0-99').expect(206);
    expect(part.headers['content-range']).toBe(`bytes 0-99/${size}`);
    expect(part.headers['content-length']).toBe('100');
    const past = await t.api
      .get(url)
      .set('Range', `bytes=${size + 10}-`)
      .expect(416);
    expect(past.headers['content-range']).toBe(`bytes */${size}`);
    // The original (with its metadata) is not a rendition: it has no public address.
    await t.api.get(`/media/photos/${sha}/original.jpg`).expect(400);
    await t.api.get(`/media/photos/${'0'.repeat(64)}/w320.webp`).expect(404);
  });

  it('moves the crops with the focal point, and article pages follow', async () => {
    const article = await t.api
      .post('/v1/admin/articles')
      .set(bearer(editor))
      .send({ headline: 'Traffic on the Ring', body: 'Text.', photoId })
      .expect(201);
    await t.api
      .post(`/v1/admin/articles/${article.body.data.id}/publish`)
      .set(bearer(editor))
      .set('If-Match', '"1"')
      .send({})
      .expect(200);
    const slug = article.body.data.slug as string;
    const before = await t.api.get(`/v1/articles/${slug}`).expect(200);
    expect(before.body.data.photo.crops[0].variants[0].url).toContain('c16x9-0500-0500-');
    await t.api
      .patch(`/v1/admin/photos/${photoId}`)
      .set(bearer(editor))
      .send({ focalPoint: { x: 0.7, y: 0.3 } })
      .expect(200);
    const moved = await settled(photoId);
    expect(moved.focalPoint).toEqual({ x: 0.7, y: 0.3 });
    expect(moved.crops[0].variants[0].url).toContain('c16x9-0700-0300-');
    const after = await t.api.get(`/v1/articles/${slug}`).expect(200);
    expect(after.body.data.photo.crops[0].variants[0].url).toContain('c16x9-0700-0300-');
    expect(after.body.data.photo.focalPoint).toEqual({ x: 0.7, y: 0.3 });
  });

  it('never lets the file overwrite what the uploader typed', async () => {
    const typed = await upload(await withTags(await picture(800, 600), {}), 'mine.jpg', {
      altText: 'A blue sky over a green field',
      credit: JSON.stringify({ photographer: 'Staff' }),
      caption: 'Our own picture.',
    }).expect(201);
    expect(typed.body.data.credit).toEqual({
      photographer: 'Staff',
      agency: null,
      line: 'Staff',
      source: 'editor',
    });
    expect(typed.body.data.altText).toBe('A blue sky over a green field');
    // Between two widths: the ones that fit, and its own width as the widest.
    const photo = await settled(typed.body.data.id);
    expect([...new Set(photo.variants.map((v: Variant) => v.width))]).toEqual([320, 640, 800]);
  });

  it('takes the type from the bytes, whatever the name and the part’s header say', async () => {
    const png = await picture(400, 300, 'png');
    const response = await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .attach('file', png, { filename: 'holiday.jpg', contentType: 'image/jpeg' })
      .expect(201);
    expect(response.body.data.file.format).toBe('png');
    expect(response.body.data.url).toMatch(/\/w400\.png$/);
  });

  it('re-encodes a polyglot: what was hidden after the picture never reaches a reader', async () => {
    const payload = '<html><script>alert(document.cookie)</script></html>PK\u0003\u0004';
    const polyglot = Buffer.concat([await picture(900, 600), Buffer.from(payload)]);
    const uploaded = await upload(polyglot, 'polyglot.jpg').expect(201);
    const served = await fetchFile(uploaded.body.data.url).expect(200);
    expect(served.headers['content-type']).toBe('image/jpeg');
    expect((served.body as Buffer).includes(Buffer.from('<script>'))).toBe(false);
  });

  it('hides a photo’s files while it is under embargo', async () => {
    const held = await upload(await picture(500, 400), 'held.jpg').expect(201);
    const url = pathOf(held.body.data.url);
    await t.api.get(url).expect(200);
    await t.api
      .patch(`/v1/admin/photos/${held.body.data.id}`)
      .set(bearer(editor))
      .send({ embargoUntil: new Date(Date.now() + 3_600_000).toISOString() })
      .expect(200);
    const hidden = await t.api.get(url).expect(404);
    expect(hidden.headers['cache-control']).toBe('no-store');
  });
});

describe('refused uploads', () => {
  const count = async () =>
    (await t.api.get('/v1/admin/photos').set(bearer(writer)).expect(200)).body.meta.total;

  it.each([
    ['SVG', 415, () => Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>')],
    ['GIF', 415, () => sharp(Buffer.from(svgSquare)).gif().toBuffer()],
    [
      'random bytes',
      415,
      () => Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 37) % 256)),
    ],
    ['HTML named .jpg', 415, () => Buffer.from('<!doctype html><img src=x onerror=alert(1)>')],
    ['a truncated JPEG', 400, async () => (await picture(1200, 800)).subarray(0, 4000)],
    ['a PNG header claiming 100,000 × 100,000 pixels', 413, () => pixelBomb(100_000, 100_000)],
    ['more pixels than the limit (40 MP)', 413, () => pixelBomb(8000, 6000)],
  ])('%s → %i, nothing recorded', async (_name, status, make) => {
    const before = await count();
    const response = await upload(await make(), 'file.jpg').expect(status);
    expect(response.headers['content-type']).toContain('application/problem+json');
    if (status === 400)
      expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.file']);
    expect(await count()).toBe(before);
  });

  it('refuses a file over UPLOAD_MAX_MB with 413', async () => {
    const noise = await sharp({
      create: {
        width: 1500,
        height: 1500,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    expect(noise.length).toBeGreaterThan(2 * 1_048_576);
    const response = await upload(noise, 'noise.png').expect(413);
    expect(response.body.type).toBe('urn:broadsheet:problem:payload-too-large');
  });

  it('names each bad part, and needs a writer’s token before reading any of it', async () => {
    const small = await picture(100, 100);
    const bad = await upload(small, 'a.jpg', { credit: '{not json', altText: '' }).expect(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.altText',
      'body.credit',
    ]);
    const missing = await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .field('altText', 'No file here')
      .expect(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.file']);
    await t.api.post('/v1/admin/photos/uploads').attach('file', small, 'a.jpg').expect(401);
  });

  it('cuts huge or control-character metadata down to the fields’ bounds', async () => {
    const loud = await withTags(await picture(600, 400), {
      'IPTC:By-line': `Name\u0007 ${'x'.repeat(20)}`,
      'IPTC:Caption-Abstract': 'word '.repeat(400),
      'XMP-dc:Description': 'y'.repeat(100_000),
    });
    const photo = (await upload(loud, 'loud.jpg').expect(201)).body.data;
    expect(photo.credit.photographer).toBe(`Name ${'x'.repeat(20)}`);
    expect(photo.caption.length).toBeLessThanOrEqual(1000);
  });
});

const svgSquare =
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>';
