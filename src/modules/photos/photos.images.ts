import sharp, { type Metadata } from 'sharp';
import { rgbaToThumbHash } from 'thumbhash';
import type { PhotoVariant } from '../../db/schema/photo-files.ts';

// Reading and rendering uploaded images with sharp (libvips, off the event loop). The type is
// decided from the bytes; every rendition is auto-oriented and carries no metadata (sharp
// writes none unless asked), so a source's GPS position or a camera serial never reaches a
// reader. Renditions are named by the original's hash and their parameters, so the same key
// always holds the same bytes and can be cached for a year.

export type ImageFormat = PhotoVariant['format'];

export const contentTypes: Record<ImageFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  tiff: 'image/tiff',
};

const extensions: Record<ImageFormat, string> = {
  jpeg: 'jpg',
  png: 'png',
  webp: 'webp',
  avif: 'avif',
  tiff: 'tif',
};

export const isImageFormat = (value: string | null): value is ImageFormat =>
  value !== null && value in contentTypes;

export const formatOfExtension = (extension: string): ImageFormat | undefined =>
  (Object.keys(extensions) as ImageFormat[]).find((format) => extensions[format] === extension);

/** The named crops, as width:height. */
export const cropRatios = { '16:9': [16, 9], '1:1': [1, 1], '4:5': [4, 5], '3:2': [3, 2] } as const;
export type CropName = keyof typeof cropRatios;
export const cropNames = Object.keys(cropRatios) as CropName[];

export interface FocalPoint {
  x: number;
  y: number;
}

/** Why a file is refused: 415 not a supported image, 413 too many pixels, 400 damaged. */
export class ImageRefused extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
    this.name = 'ImageRefused';
  }
}

export interface ImageHeader {
  format: ImageFormat;
  /** As shown, after the EXIF orientation is applied. */
  width: number;
  height: number;
}

// The signatures of the accepted formats: a file that starts like one but cannot be decoded is
// damaged (400); anything else is not an image Broadsheet takes (415).
const signatures: Array<(bytes: Buffer) => boolean> = [
  (bytes) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff,
  (bytes) => bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 13, 10, 0x1a, 10])),
  (bytes) =>
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP',
  (bytes) =>
    bytes.subarray(4, 8).toString('latin1') === 'ftyp' &&
    ['avif', 'avis'].includes(bytes.subarray(8, 12).toString('latin1')),
  (bytes) => ['II*\0', 'MM\0*'].includes(bytes.subarray(0, 4).toString('latin1')),
];

const unsupported = () =>
  new ImageRefused(415, 'Not an image type Broadsheet takes: send JPEG, PNG, WebP, AVIF or TIFF.');

function formatOf(metadata: Metadata): ImageFormat | undefined {
  switch (metadata.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff':
      return metadata.format;
    case 'heif':
      // HEIF holds AVIF (AV1) and Apple's HEIC (HEVC); only the first is an open web format.
      return metadata.compression === 'av1' ? 'avif' : undefined;
    default:
      return undefined;
  }
}

const input = (bytes: Buffer, maxPixels: number) =>
  sharp(bytes, { limitInputPixels: maxPixels, failOn: 'warning' }).autoOrient();

/**
 * Decides the type from the bytes and refuses pixel bombs, from the header alone: nothing is
 * decoded here (`placeholderOf` decodes the whole picture, in the renditions process).
 */
export async function inspectHeader(bytes: Buffer, maxPixels: number): Promise<ImageHeader> {
  const recognised = signatures.some((matches) => matches(bytes));
  let metadata: Metadata;
  try {
    // The header only: its dimensions are checked against the limit below, before decoding.
    metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw recognised
      ? new ImageRefused(400, 'The file is damaged or truncated: it could not be read.')
      : unsupported();
  }
  const format = formatOf(metadata);
  if (format === undefined || !recognised) throw unsupported();
  const { width, height } = metadata.autoOrient;
  if (width * height > maxPixels)
    throw new ImageRefused(
      413,
      `The image has ${width} × ${height} pixels: more than the ${Math.round(maxPixels / 1e6)} megapixels allowed.`,
    );
  return { format, width, height };
}

/**
 * The ThumbHash placeholder (base64), from a decode of the whole picture: a truncated or corrupt
 * file is refused here (400).
 */
export async function placeholderOf(bytes: Buffer, maxPixels: number): Promise<string> {
  try {
    const { data, info } = await input(bytes, maxPixels)
      .resize(100, 100, { fit: 'inside' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString('base64');
  } catch {
    throw new ImageRefused(400, 'The file is damaged or truncated: it could not be decoded.');
  }
}

/** The format of the plain `<img>` rendition: the original's, except TIFF (no browser shows it). */
export const fallbackFormat = (format: ImageFormat): ImageFormat =>
  format === 'tiff' ? 'jpeg' : format;

/** The formats every width is made in: AVIF, WebP and the fallback, each once. */
export const variantFormats = (format: ImageFormat): ImageFormat[] => [
  ...new Set<ImageFormat>(['avif', 'webp', fallbackFormat(format)]),
];

/** The widths up to the image's own (never upscaled); the image's width when all are larger. */
export function variantWidths(widths: readonly number[], imageWidth: number): number[] {
  const fitting = widths.filter((width) => width <= imageWidth);
  // A picture narrower than the widest width is also made at its own width: the widest
  // rendition a reader can get is then the whole picture, and an upload's display rendition
  // (its own width, up to the widest) is always one of the set.
  return imageWidth < Math.max(...widths) && !fitting.includes(imageWidth)
    ? [...fitting, imageWidth]
    : fitting;
}

export interface VariantRequest {
  width: number;
  format: ImageFormat;
  crop?: { name: CropName; focal: FocalPoint };
}

/** The region of a crop, centred on the focal point as far as the picture allows. */
export function cropRegion(
  size: { width: number; height: number },
  name: CropName,
  focal: FocalPoint,
): { left: number; top: number; width: number; height: number } {
  const [w, h] = cropRatios[name];
  const wide = size.width * h >= size.height * w;
  const width = wide ? Math.round((size.height * w) / h) : size.width;
  const height = wide ? size.height : Math.round((size.width * h) / w);
  const place = (centre: number, length: number, room: number) =>
    Math.min(Math.max(Math.round(centre * room - length / 2), 0), room - length);
  return {
    left: place(focal.x, width, size.width),
    top: place(focal.y, height, size.height),
    width: Math.max(1, width),
    height: Math.max(1, height),
  };
}

/** The folder holding everything made from one upload: its original and every rendition. */
export const filesPrefix = (sha256: string) => `photos/${sha256}/`;

/** The upload a storage key belongs to (the hash in `photos/<sha256>/…`), if it is one. */
export const uploadOfKey = (key: string): string | undefined =>
  /^photos\/([0-9a-f]{64})\//.exec(key)?.[1];

const permille = (value: number) => String(Math.round(value * 1000)).padStart(4, '0');

/** The storage key of a rendition: the original's hash and what was asked of it. */
export function variantKey(sha256: string, request: VariantRequest): string {
  const crop =
    request.crop === undefined
      ? ''
      : `c${request.crop.name.replace(':', 'x')}-${permille(request.crop.focal.x)}-${permille(request.crop.focal.y)}-`;
  return `${filesPrefix(sha256)}${crop}w${request.width}.${extensions[request.format]}`;
}

/** The storage key of the original file (never served to readers: it keeps its metadata). */
export const originalKey = (sha256: string, format: ImageFormat) =>
  `${filesPrefix(sha256)}original.${extensions[format]}`;

/** What `/media/` may serve: rendition names only, never `original.*`. */
export const servedVariantName =
  /^(?:c(?:16x9|1x1|4x5|3x2)-\d{4}-\d{4}-)?w\d{1,5}\.(?:jpg|png|webp|avif)$/;

export async function renderVariant(
  bytes: Buffer,
  size: { width: number; height: number },
  request: VariantRequest,
  maxPixels: number,
): Promise<{ bytes: Buffer; width: number; height: number }> {
  let image = input(bytes, maxPixels);
  if (request.crop !== undefined)
    image = image.extract(cropRegion(size, request.crop.name, request.crop.focal));
  image = image.resize({ width: request.width, withoutEnlargement: true });
  switch (request.format) {
    case 'avif':
      image = image.avif({ quality: 55, effort: 2 });
      break;
    case 'webp':
      image = image.webp({ quality: 80 });
      break;
    case 'png':
      image = image.png({ compressionLevel: 9 });
      break;
    default:
      // Not mozjpeg: it took 1,058 ms for a 2,400-pixel rendition (the upload waits for that
      // one) against 201 ms progressive with optimised Huffman tables, for files 10-25% larger;
      // browsers that take AVIF or WebP never fetch this one.
      image = image.jpeg({ quality: 82, progressive: true, optimiseCoding: true });
  }
  const { data, info } = await image.toBuffer({ resolveWithObject: true });
  return { bytes: data, width: info.width, height: info.height };
}
