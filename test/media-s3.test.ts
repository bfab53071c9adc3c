import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import {
  bearer,
  createTestApp,
  manualClock,
  type TestApp,
  tempDir,
  testConfig,
} from './helpers.ts';
import { endExifTool, picture, settledPhoto, withTags } from './media-fixtures.ts';

// The bucket path, as several instances use it: an S3 server on 127.0.0.1 (s3rver), two API
// processes over one database and one bucket, and what happens when the bucket is down.

const bucket = 'broadsheet-media';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let server: S3rver;
let endpoint = '';
let t: TestApp;
let writer: string;
let client: S3Client;
// Moved on to see a deleted photo's files leave the bucket an hour later.
const clock = manualClock();

async function startS3(directory: string, port = 0) {
  const s3 = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const address = await s3.run();
  return { s3, port: address.port };
}

const s3Directory = tempDir('broadsheet-s3-');

beforeAll(async () => {
  const started = await startS3(s3Directory.dir);
  server = started.s3;
  endpoint = `http://127.0.0.1:${started.port}`;
  t = await createTestApp({
    now: clock.now,
    config: {
      mediaStorage: 's3',
      s3Bucket: bucket,
      s3Endpoint: endpoint,
      s3ForcePathStyle: true,
      s3Region: 'us-east-1',
      s3AccessKeyId: credentials.accessKeyId,
      s3SecretAccessKey: credentials.secretAccessKey,
      s3Prefix: 'site/',
    },
  });
  writer = await t.token('writer');
  client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials });
}, 60_000);
afterAll(async () => {
  await t.close();
  client.destroy();
  await server.close();
  s3Directory.remove();
  await endExifTool();
});

const settled = (api: TestApp['api'], id: string) => settledPhoto(api, writer, id);

describe('photos in an S3 bucket', () => {
  let sha = '';

  it('keeps the original and every rendition in the bucket, under the prefix', async () => {
    const file = await withTags(await picture(1200, 800), {
      'IPTC:By-line': 'Valery Sharifulin',
      'IPTC:Credit': 'TASS',
    });
    const uploaded = await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .attach('file', file, 'tass.jpg')
      .expect(201);
    sha = uploaded.body.data.file.sha256;
    expect(uploaded.body.data.credit.line).toBe('Valery Sharifulin / TASS');
    const photo = await settled(t.api, uploaded.body.data.id);
    expect(photo.file.variants).toBe('ready');
    const original = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `site/photos/${sha}/original.jpg` }),
    );
    expect(original.ContentLength).toBe(file.length);
    for (const variant of photo.variants as Array<{ url: string }>) {
      const key = `site${new URL(variant.url).pathname.replace(/^\/media/, '')}`;
      const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ContentLength).toBeGreaterThan(0);
    }
  });

  it('serves a rendition from the bucket, whole or a byte range', async () => {
    const path = `/media/photos/${sha}/w640.webp`;
    const stored = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: `site/photos/${sha}/w640.webp` }),
    );
    const bytes = Buffer.from((await stored.Body?.transformToByteArray()) ?? []);
    const whole = await t.api
      .get(path)
      .buffer(true)
      .parse((response, done) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(Buffer.compare(whole.body as Buffer, bytes)).toBe(0);
    const part = await t.api.get(path).set('Range', 'bytes=10-19').expect(206);
    expect(part.headers['content-range']).toBe(`bytes 10-19/${bytes.length}`);
  });

  it('lets a second instance over the same database and bucket serve and reuse the upload', async () => {
    const second = await buildApp({ config: { ...t.config } });
    await second.ready();
    try {
      const { default: supertest } = await import('supertest');
      const api = supertest(second.server);
      await api.get(`/media/photos/${sha}/w320.avif`).expect(200);
      const file = await withTags(await picture(1200, 800), {
        'IPTC:By-line': 'Valery Sharifulin',
        'IPTC:Credit': 'TASS',
      });
      // The same bytes through the other instance: the same photo, not a second original.
      const again = await api
        .post('/v1/admin/photos/uploads')
        .set(bearer(writer))
        .attach('file', file, 'again.jpg')
        .expect(200);
      expect(again.body.data.file.sha256).toBe(sha);
    } finally {
      await second.close();
    }
  });

  it('sends readers to MEDIA_URL when files are served from a CDN or the bucket itself', async () => {
    const cdn = 'https://media.example.org/site';
    const app = await buildApp({
      config: testConfig({ ...t.config, mediaUrl: cdn, databasePath: t.config.databasePath }),
    });
    await app.ready();
    try {
      const { default: supertest } = await import('supertest');
      const api = supertest(app.server);
      const moved = await api.get(`/media/photos/${sha}/w320.avif`).expect(301);
      expect(moved.headers.location).toBe(`${cdn}/photos/${sha}/w320.avif`);
      const uploaded = await api
        .post('/v1/admin/photos/uploads')
        .set(bearer(writer))
        .attach('file', await picture(700, 500, 'png'), 'cdn.png')
        .expect(201);
      expect(uploaded.body.data.url).toMatch(new RegExp(`^${cdn}/photos/[0-9a-f]{64}/w700\\.png$`));
    } finally {
      await app.close();
    }
  });

  it('records nothing when the bucket cannot keep the file (503), and works again after', async () => {
    const count = async () =>
      (await t.api.get('/v1/admin/photos').set(bearer(writer)).expect(200)).body.meta.total;
    const before = await count();
    const address = new URL(endpoint);
    await server.close();
    const refused = await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .attach('file', await picture(640, 480), 'down.jpg')
      .expect(503);
    expect(refused.body.type).toBe('urn:broadsheet:problem:service-unavailable');
    expect(await count()).toBe(before);
    server = (await startS3(s3Directory.dir, Number(address.port))).s3;
    await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .attach('file', await picture(640, 480), 'down.jpg')
      .expect(201);
    expect(await count()).toBe(before + 1);
  });

  it('removes every object of a deleted photo from the bucket an hour later, and nothing else', async () => {
    const uploaded = await t.api
      .post('/v1/admin/photos/uploads')
      .set(bearer(writer))
      .attach('file', await picture(820, 540), 'gone.jpg')
      .expect(201);
    const gone = uploaded.body.data.file.sha256 as string;
    await settled(t.api, uploaded.body.data.id);
    const listed = async () =>
      (
        await client.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: `site/photos/${gone}/` }),
        )
      ).KeyCount ?? 0;
    expect(await listed()).toBeGreaterThan(10);
    const editor = await t.token('editor');
    await t.api.delete(`/v1/admin/photos/${uploaded.body.data.id}`).set(bearer(editor)).expect(204);
    expect(await listed()).toBeGreaterThan(10);
    clock.advance(61 * 60_000);
    for (let attempt = 0; attempt < 100 && (await listed()) > 0; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await listed()).toBe(0);
    // The first photo's files are another prefix: untouched.
    await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: `site/photos/${sha}/original.jpg` }),
    );
  });
});
