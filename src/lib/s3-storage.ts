import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { checkedKey, checkedPrefix, type MediaStorage } from './media-storage.ts';

// Media storage in an S3-compatible bucket. Its own file so the SDK (150 ms to import) loads
// only in processes configured for it (MEDIA_STORAGE=s3), not in every CLI run and test server.

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint?: string;
  forcePathStyle: boolean;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** A prefix inside the bucket, so one bucket can serve several sites. */
  prefix: string;
}

export function s3Storage(settings: S3Settings): MediaStorage {
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    credentials:
      settings.accessKeyId !== undefined && settings.secretAccessKey !== undefined
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey }
        : undefined,
    maxAttempts: 3,
  });
  const Bucket = settings.bucket;
  const keyOf = (key: string) => `${settings.prefix}${checkedKey(key)}`;
  const missing = (error: unknown) =>
    error instanceof NoSuchKey ||
    error instanceof NotFound ||
    (error instanceof Error && error.name === 'NotFound');
  return {
    kind: 's3',
    async put(key, body, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket,
          Key: keyOf(key),
          Body: body,
          ContentType: contentType,
          ContentLength: body.length,
          CacheControl: 'public, max-age=31536000, immutable',
        }),
      );
    },
    async read(key, range) {
      try {
        const answer = await client.send(
          new GetObjectCommand({
            Bucket,
            Key: keyOf(key),
            Range: range === undefined ? undefined : `bytes=${range.start}-${range.end}`,
          }),
        );
        const total = /\/(\d+)$/.exec(answer.ContentRange ?? '')?.[1];
        const size = total === undefined ? answer.ContentLength : Number(total);
        if (!(answer.Body instanceof Readable) || size === undefined)
          throw new Error('The bucket answered without a body or a size.');
        return { size, body: answer.Body };
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async size(key) {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: keyOf(key) }));
        return head.ContentLength;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key: keyOf(key) }));
    },
    async deleteAll(prefix) {
      const Prefix = `${settings.prefix}${checkedPrefix(prefix)}`;
      // A listing answers up to 1,000 keys, as many as one DeleteObjects takes; deleting the page
      // just listed means the next listing starts from what is left.
      for (;;) {
        const listed = await client.send(new ListObjectsV2Command({ Bucket, Prefix }));
        const keys = (listed.Contents ?? []).flatMap(({ Key }) =>
          Key === undefined ? [] : [{ Key }],
        );
        if (keys.length === 0) return;
        const answer = await client.send(
          new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys, Quiet: true } }),
        );
        const failed = answer.Errors?.[0];
        if (failed !== undefined)
          throw new Error(
            `The bucket kept ${failed.Key ?? 'a key'}: ${failed.Message ?? failed.Code ?? 'no reason given'}`,
          );
      }
    },
    close() {
      client.destroy();
    },
  };
}
