import exifr from 'exifr';
import { z } from 'zod';
import type { PhotoFileMetadata } from '../../db/schema/photo-files.ts';

// Agency pictures arrive credited inside the file: IPTC IIM (By-line, Credit, Source, Copyright
// Notice, Caption-Abstract, Headline, Date Created) and the same fields in XMP. They are read
// once at upload, bounded and cleaned (a hostile file may carry megabytes of text or control
// characters), kept for editors, and used to fill what the uploader did not type.

const limits = { credit: 120, caption: 1000, license: 200, altText: 500, other: 300 };

/** One text value as exifr gives it: a string, a list of them, or an XMP `{ lang, value }`. */
const textValue = z
  .union([
    z.string(),
    z.array(z.unknown()).transform((values) => values.find((v) => typeof v === 'string')),
    z.object({ value: z.string() }).transform((localised) => localised.value),
    z.number().transform(String),
  ])
  .optional()
  .catch(undefined);

const fileFields = z.object({
  Byline: textValue,
  creator: textValue,
  Credit: textValue,
  Source: textValue,
  CopyrightNotice: textValue,
  rights: textValue,
  Caption: textValue,
  description: textValue,
  Headline: textValue,
  AltTextAccessibility: textValue,
  DateCreated: textValue,
  Make: textValue,
  Model: textValue,
  latitude: z.number().finite().min(-90).max(90).optional().catch(undefined),
  longitude: z.number().finite().min(-180).max(180).optional().catch(undefined),
});

/**
 * IPTC IIM text is UTF-8 in today's agency files (record 1:90 says so), but the reader decodes it
 * as Latin-1: "©" arrives as "Â©". Text that is valid UTF-8 once taken back to its bytes is
 * decoded again; real Latin-1 text almost never is, and is kept.
 */
function repairedUtf8(value: string): string {
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value;
  const decoded = Buffer.from(value, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? value : decoded;
}

/** Printable text only, whitespace collapsed, cut to `max` characters; null when nothing is left. */
function clean(raw: string | undefined, max: number): string | null {
  if (raw === undefined) return null;
  const value = repairedUtf8(raw);
  const printable = value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
  const text = printable.replace(/\s+/g, ' ').trim().slice(0, max).trim();
  return text === '' ? null : text;
}

/** IPTC writes dates as YYYYMMDD, XMP as ISO 8601: both become ISO (date, or date and time). */
function isoDate(value: string | null): string | null {
  if (value === null) return null;
  const compact = /^(\d{4})(\d{2})(\d{2})$/.exec(value);
  if (compact !== null) return `${compact[1]}-${compact[2]}-${compact[3]}`;
  return /^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? value : null;
}

export interface FileMetadata extends PhotoFileMetadata {
  /** Alt text an accessibility-minded agency wrote into XMP (IPTC 2021), if any. */
  altText: string | null;
}

const nothing: FileMetadata = {
  byline: null,
  credit: null,
  source: null,
  copyrightNotice: null,
  caption: null,
  headline: null,
  dateCreated: null,
  camera: null,
  location: null,
  altText: null,
};

/** Whatever the file says about itself; a file without metadata, or with broken metadata, says nothing. */
export async function readFileMetadata(bytes: Buffer): Promise<FileMetadata> {
  let raw: unknown;
  try {
    raw = await exifr.parse(bytes, {
      iptc: true,
      xmp: true,
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      interop: false,
      mergeOutput: true,
    });
  } catch {
    return nothing;
  }
  const parsed = fileFields.safeParse(raw ?? {});
  if (!parsed.success) return nothing;
  const found = parsed.data;
  const camera = clean([found.Make, found.Model].filter(Boolean).join(' '), limits.other);
  return {
    byline: clean(found.Byline ?? found.creator, limits.credit),
    credit: clean(found.Credit, limits.credit),
    source: clean(found.Source, limits.credit),
    copyrightNotice: clean(found.CopyrightNotice ?? found.rights, limits.license),
    caption: clean(found.Caption ?? found.description, limits.caption),
    headline: clean(found.Headline, limits.other),
    dateCreated: isoDate(clean(found.DateCreated, 40)),
    camera,
    location:
      found.latitude !== undefined && found.longitude !== undefined
        ? { latitude: found.latitude, longitude: found.longitude }
        : null,
    altText: clean(found.AltTextAccessibility, limits.altText),
  };
}

/**
 * The credit the file gives: the By-line is the photographer and Credit (else Source) the
 * agency. Some agencies write the whole line into Credit ("Valery Sharifulin / TASS"): then
 * the part after the last slash is the agency, and the part before it names the photographer
 * when the By-line does not.
 */
export function creditFromFile(metadata: PhotoFileMetadata): {
  photographer: string | null;
  agency: string | null;
} {
  let photographer = metadata.byline;
  let agency = metadata.credit ?? metadata.source;
  const slash = agency?.lastIndexOf('/') ?? -1;
  if (agency !== null && slash > 0) {
    const before = agency.slice(0, slash).trim();
    const after = agency.slice(slash + 1).trim();
    if (after !== '' && (photographer === null || photographer === before)) {
      photographer = photographer ?? before;
      agency = after;
    }
  }
  // A staff picture may name the agency in both fields: print it once.
  if (photographer !== null && photographer === agency) photographer = null;
  return { photographer, agency };
}
