import { exiftool } from 'exiftool-vendored';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { bearer, type TestApp } from './helpers.ts';

// Image files for the upload tests, made at setup: pictures drawn with sharp, and agency
// metadata written into them by ExifTool (exiftool-vendored), as a picture desk's files carry it.

/** A picture with some structure (so encoders and crops have something to keep). */
export async function picture(
  width: number,
  height: number,
  format: 'jpeg' | 'png' | 'webp' | 'tiff' | 'avif' = 'jpeg',
): Promise<Buffer> {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#36c"/><circle cx="${width * 0.7}" cy="${height * 0.3}" r="${Math.min(width, height) / 5}" fill="#fc3"/><rect x="0" y="${height * 0.75}" width="100%" height="${height * 0.25}" fill="#363"/></svg>`;
  return sharp(Buffer.from(svg)).toFormat(format).toBuffer();
}

/** Writes tags into a copy of `bytes` with ExifTool and returns the new file. */
export async function withTags(bytes: Buffer, tags: Record<string, unknown>): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'broadsheet-exif-'));
  try {
    const path = join(dir, 'picture.jpg');
    writeFileSync(path, bytes);
    await exiftool.write(path, tags, { writeArgs: ['-overwrite_original'] });
    return readFileSync(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A TASS picture as the agency sends it: IPTC credit, caption, copyright; GPS and a serial. */
export async function agencyJpeg(width = 3000, height = 2000): Promise<Buffer> {
  return withTags(await picture(width, height), {
    'IPTC:By-line': 'Valery Sharifulin',
    'IPTC:Credit': 'TASS',
    'IPTC:Source': 'TASS',
    'IPTC:CopyrightNotice': '© TASS',
    'IPTC:Caption-Abstract':
      'Evening traffic on the Garden Ring in Moscow, seen from a footbridge.',
    'IPTC:Headline': 'Moscow traffic',
    'IPTC:DateCreated': '2026:11:30',
    'IPTC:CodedCharacterSet': 'UTF8',
    'EXIF:GPSLatitude': 55.7558,
    'EXIF:GPSLatitudeRef': 'N',
    'EXIF:GPSLongitude': 37.6173,
    'EXIF:GPSLongitudeRef': 'E',
    'EXIF:Make': 'Canon',
    'EXIF:Model': 'EOS R5',
    'EXIF:SerialNumber': '032021001234',
  });
}

/** A PNG whose header claims `width` × `height` pixels, with almost no data: a pixel bomb. */
export function pixelBomb(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(1, 8); // one bit per pixel, greyscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 0x1a, 10]),
    chunk('IHDR', header),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const endExifTool = () => exiftool.end();

type Api = TestApp['api'];

/** A photo as editors see it once its renditions are made (or failed). */
export async function settledPhoto(api: Api, token: string, id: string) {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const photo = await api.get(`/v1/admin/photos/${id}`).set(bearer(token)).expect(200);
    if (photo.body.data.file.variants !== 'pending') return photo.body.data;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the renditions were never made');
}
