import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';

// Where uploaded photos and their variants are kept: a directory on local disk (one instance,
// or several sharing a volume) or an S3-compatible bucket (s3-storage.ts; several instances
// anywhere). Keys are content-addressed, so an object is written once and never changes under
// its key.

export interface StoredRange {
  start: number;
  end: number;
}

export interface StoredObject {
  /** The object's whole size in bytes (also when only a range is read). */
  size: number;
  body: Readable;
}

export interface MediaStorage {
  readonly kind: 'disk' | 's3';
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The whole object, or the inclusive byte range given; undefined when there is no such key. */
  read(key: string, range?: StoredRange): Promise<StoredObject | undefined>;
  /** The object's size, or undefined when there is no such key. */
  size(key: string): Promise<number | undefined>;
  delete(key: string): Promise<void>;
  /** Every object whose key starts with `prefix` (a folder such as `photos/<sha256>/`). */
  deleteAll(prefix: string): Promise<void>;
  close(): void;
}

/** Keys are made by Broadsheet (`photos/<sha256>/…`), never by a client; anything else is refused. */
const keyShape = /^[a-z0-9]+(?:\/[a-z0-9][a-z0-9._-]*)+$/;

export function checkedKey(key: string): string {
  if (!keyShape.test(key) || key.includes('..')) throw new Error(`Not a media key: ${key}`);
  return key;
}

/** A folder of keys: a media key followed by a slash. */
export function checkedPrefix(prefix: string): string {
  if (!prefix.endsWith('/')) throw new Error(`Not a media prefix: ${prefix}`);
  return `${checkedKey(prefix.slice(0, -1))}/`;
}

export function diskStorage(directory: string): MediaStorage {
  const root = resolve(directory);
  const pathOf = (key: string) => {
    const path = resolve(root, checkedKey(key));
    if (!path.startsWith(root + sep)) throw new Error(`Not a media key: ${key}`);
    return path;
  };
  const missing = (error: unknown) =>
    error instanceof Error && 'code' in error && error.code === 'ENOENT';
  return {
    kind: 'disk',
    async put(key, body) {
      const path = pathOf(key);
      await mkdir(dirname(path), { recursive: true });
      // Written whole to a temporary name, flushed, then renamed: a reader never sees half a file.
      const partial = join(dirname(path), `.${randomUUID()}.partial`);
      const file = await open(partial, 'w');
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(partial, path);
    },
    async read(key, range) {
      const path = pathOf(key);
      try {
        const { size } = await stat(path);
        const body = createReadStream(path, range ?? {});
        return { size, body };
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch (error) {
        if (missing(error)) return undefined;
        throw error;
      }
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async deleteAll(prefix) {
      await rm(pathOf(checkedPrefix(prefix).slice(0, -1)), { recursive: true, force: true });
    },
    close() {},
  };
}
