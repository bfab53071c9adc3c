import { z } from 'zod';
import {
  bounded,
  httpUrl,
  id,
  maxUrlLength,
  nonEmptyPatch,
  plainText,
  text,
  recordTimes,
  timestamp,
} from '../../schemas.ts';

const dimension = z.number().int().min(1).max(100_000);
const limits = { credit: 120, altText: 500, caption: 1000, license: 200 };

const creditFields = {
  photographer: text(limits.credit).optional(),
  agency: text(limits.credit).optional(),
};

const creditInput = z
  .strictObject(creditFields)
  .refine((credit) => credit.photographer !== undefined || credit.agency !== undefined, {
    message: 'Give a photographer, an agency, or both.',
  })
  .meta({ description: 'Who to credit. At least one of photographer and agency.' });

export const creditSchema = z
  .object({
    photographer: bounded(limits.credit).nullable(),
    agency: bounded(limits.credit).nullable(),
    line: bounded(2 * limits.credit + 3).meta({
      description: 'Ready-to-print credit: "Photographer / Agency", or whichever one is set.',
      example: 'Valery Sharifulin / TASS',
    }),
    source: z.enum(['iptc', 'editor']).nullable().meta({
      description:
        'Where the credit came from: `iptc`, read from the uploaded file’s own metadata, or `editor`, typed by a person (an upload never overwrites that). Null when no credit is known.',
    }),
  })
  .meta({ id: 'PhotoCredit' });

const imageFormat = z.enum(['jpeg', 'png', 'webp', 'avif', 'tiff']);
const unit = z.number().min(0).max(1);
const maxVariants = 12 * 3;

export const focalPointSchema = z.object({ x: unit, y: unit }).meta({
  id: 'FocalPoint',
  description:
    'What the picture is about, as fractions of its width and height from the top left (0.5, 0.5 is the centre). Crops keep it in view.',
});

export const photoVariantSchema = z
  .object({
    url: bounded(maxUrlLength),
    width: dimension,
    height: dimension,
    format: imageFormat,
  })
  .meta({ id: 'PhotoVariant' });

const srcset = bounded(maxVariants * (maxUrlLength + 8)).meta({
  description: 'For `srcset`: each rendition’s URL and width (`… 320w, … 640w`).',
});

export const photoSchema = z
  .object({
    id,
    url: bounded(maxUrlLength).meta({
      description:
        'The picture: the external address given, or for an upload its largest rendition in the original’s format (no metadata).',
    }),
    altText: bounded(limits.altText),
    caption: plainText(limits.caption).nullable(),
    credit: creditSchema,
    license: bounded(limits.license).nullable(),
    width: dimension.nullable(),
    height: dimension.nullable(),
    focalPoint: focalPointSchema.nullable(),
    placeholder: bounded(64).nullable().meta({
      description: 'A ThumbHash (base64) of the picture, to paint while it loads.',
    }),
    variants: z.array(photoVariantSchema).max(maxVariants).meta({
      description:
        'Uploaded photos: every width (never larger than the original) in AVIF, WebP and the original’s format. Empty for an external photo and until they are made.',
    }),
    srcset: srcset.nullable().meta({
      description: 'The renditions in the original’s format, for a plain `<img srcset>`.',
    }),
    sources: z
      .array(z.object({ type: z.enum(['image/avif', 'image/webp']), srcset }))
      .max(2)
      .meta({ description: 'For `<picture>`: a `<source>` per modern format, best first.' }),
    crops: z
      .array(
        z.object({
          ratio: z.enum(['16:9', '1:1', '4:5', '3:2']),
          variants: z.array(photoVariantSchema).max(12),
          srcset,
        }),
      )
      .max(4)
      .meta({
        description:
          'Uploaded photos: the picture cut to each ratio around the focal point (WebP, every width that fits).',
      }),
    ...recordTimes(),
  })
  .meta({ id: 'Photo' });
export type Photo = z.infer<typeof photoSchema>;

const fileMetadataSchema = z
  .object({
    byline: bounded(limits.credit).nullable(),
    credit: bounded(limits.credit).nullable(),
    source: bounded(limits.credit).nullable(),
    copyrightNotice: bounded(limits.license).nullable(),
    caption: bounded(limits.caption).nullable(),
    headline: bounded(300).nullable(),
    dateCreated: bounded(40).nullable(),
    camera: bounded(300).nullable(),
    location: z.object({ latitude: z.number(), longitude: z.number() }).nullable(),
  })
  .meta({
    id: 'PhotoFileMetadata',
    description:
      'What the uploaded file said of itself (IPTC, XMP, EXIF). Editors only: no rendition readers get carries it.',
  });

/** What editors see of a photo: also an embargo not yet lifted, and an upload's file. */
export const adminPhotoSchema = photoSchema
  .extend({
    embargoUntil: timestamp.nullable().meta({
      description:
        'Readers see the photo nowhere before this time (in articles, author pages, feeds, sitemaps, fronts); previews show it. Cleared when it lifts.',
    }),
    file: z
      .object({
        format: imageFormat,
        bytes: z.number().int().min(1),
        sha256: z
          .string()
          .length(64)
          .regex(/^[0-9a-f]{64}$/),
        variants: z.enum(['pending', 'ready', 'failed']).meta({
          description:
            '`pending` until the renditions are made (in the background, seconds after the upload or a focal point change), then `ready`; `failed` after three attempts.',
        }),
        error: bounded(500).nullable(),
        metadata: fileMetadataSchema,
      })
      .nullable()
      .meta({ description: 'The uploaded original; null for a photo at an external URL.' }),
  })
  .meta({ id: 'AdminPhoto' });
export type AdminPhoto = z.infer<typeof adminPhotoSchema>;

export const createPhotoBody = z.strictObject({
  url: httpUrl.meta({
    description: 'Where the image is served from. Never fetched by Broadsheet.',
  }),
  altText: text(limits.altText).meta({
    description: 'Describes the image for screen readers. Required.',
  }),
  caption: text(limits.caption).optional(),
  credit: creditInput,
  license: text(limits.license).optional(),
  width: dimension.optional(),
  height: dimension.optional(),
});
export type CreatePhotoInput = z.infer<typeof createPhotoBody>;

export const updatePhotoBody = nonEmptyPatch(
  z.strictObject({
    url: httpUrl.optional(),
    altText: text(limits.altText).optional(),
    caption: text(limits.caption).nullable().optional(),
    credit: creditInput.optional(),
    license: text(limits.license).nullable().optional(),
    width: dimension.nullable().optional(),
    height: dimension.nullable().optional(),
    embargoUntil: timestamp.nullable().optional().meta({
      description:
        'Hold the photo off public surfaces until then (in the future); null lifts it now.',
    }),
    focalPoint: focalPointSchema.nullable().optional().meta({
      description: 'Moves the crops (made again in the background); null centres them.',
    }),
  }),
);
export type UpdatePhotoInput = z.infer<typeof updatePhotoBody>;

export function creditLine(photographer: string | null, agency: string | null): string {
  return [photographer, agency]
    .filter((part): part is string => part !== null && part !== '')
    .join(' / ');
}

/**
 * The text parts of an upload (multipart/form-data): each optional, each filling what the file's
 * own metadata would otherwise fill. `credit` is JSON, as in the JSON routes.
 */
const filePart = z.unknown().meta({
  type: 'string',
  format: 'binary',
  // UPLOAD_MAX_MB's own bound; the configured limit is enforced as the part is read.
  maxLength: 500 * 1_048_576,
  description: 'One JPEG, PNG, WebP, AVIF or TIFF file (the type is read from its bytes).',
});

export const uploadFields = z.strictObject({
  file: filePart,
  altText: text(limits.altText).optional(),
  caption: text(limits.caption).optional(),
  credit: z
    .string()
    .max(1000)
    .transform((value, context) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'Must be JSON: {"photographer", "agency"}.' });
        return z.NEVER;
      }
    })
    .pipe(creditInput)
    .optional()
    .meta({ description: 'JSON: `{"photographer": "…", "agency": "…"}`.' }),
  license: text(limits.license).optional(),
});
export type UploadFields = z.infer<typeof uploadFields>;

/** A new file for an existing photo: the file part alone (the record's fields are PATCHed). */
export const replaceFileFields = z.strictObject({ file: filePart });
