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
  })
  .meta({ id: 'PhotoCredit' });

export const photoSchema = z
  .object({
    id,
    url: bounded(maxUrlLength),
    altText: bounded(limits.altText),
    caption: plainText(limits.caption).nullable(),
    credit: creditSchema,
    license: bounded(limits.license).nullable(),
    width: dimension.nullable(),
    height: dimension.nullable(),
    ...recordTimes(),
  })
  .meta({ id: 'Photo' });
export type Photo = z.infer<typeof photoSchema>;

/** What editors see of a photo: also an embargo not yet lifted. */
export const adminPhotoSchema = photoSchema
  .extend({
    embargoUntil: timestamp.nullable().meta({
      description:
        'Readers see the photo nowhere before this time (in articles, author pages, feeds, sitemaps, fronts); previews show it. Cleared when it lifts.',
    }),
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
  }),
);
export type UpdatePhotoInput = z.infer<typeof updatePhotoBody>;

export function creditLine(photographer: string | null, agency: string | null): string {
  return [photographer, agency]
    .filter((part): part is string => part !== null && part !== '')
    .join(' / ');
}
