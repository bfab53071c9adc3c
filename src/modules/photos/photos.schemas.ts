import { z } from 'zod';
import { httpUrl, id, text, timestamp, nonEmptyPatch } from '../../schemas.ts';

const dimension = z.number().int().min(1).max(100_000);

const creditFields = {
  photographer: text(120).optional(),
  agency: text(120).optional(),
};

const creditInput = z
  .strictObject(creditFields)
  .refine((credit) => credit.photographer !== undefined || credit.agency !== undefined, {
    message: 'Give a photographer, an agency, or both.',
  })
  .meta({ description: 'Who to credit. At least one of photographer and agency.' });

export const creditSchema = z
  .object({
    photographer: z.string().nullable(),
    agency: z.string().nullable(),
    line: z.string().meta({
      description: 'Ready-to-print credit: "Photographer / Agency", or whichever one is set.',
      example: 'Valery Sharifulin / TASS',
    }),
  })
  .meta({ id: 'PhotoCredit' });

export const photoSchema = z
  .object({
    id,
    url: z.string(),
    altText: z.string(),
    caption: z.string().nullable(),
    credit: creditSchema,
    license: z.string().nullable(),
    width: z.number().int().nullable(),
    height: z.number().int().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Photo' });
export type Photo = z.infer<typeof photoSchema>;

export const createPhotoBody = z.strictObject({
  url: httpUrl.meta({
    description: 'Where the image is served from. Never fetched by Broadsheet.',
  }),
  altText: text(500).meta({ description: 'Describes the image for screen readers. Required.' }),
  caption: text(1000).optional(),
  credit: creditInput,
  license: text(200).optional(),
  width: dimension.optional(),
  height: dimension.optional(),
});
export type CreatePhotoInput = z.infer<typeof createPhotoBody>;

export const updatePhotoBody = nonEmptyPatch(
  z.strictObject({
    url: httpUrl.optional(),
    altText: text(500).optional(),
    caption: text(1000).nullable().optional(),
    credit: creditInput.optional(),
    license: text(200).nullable().optional(),
    width: dimension.nullable().optional(),
    height: dimension.nullable().optional(),
  }),
);
export type UpdatePhotoInput = z.infer<typeof updatePhotoBody>;

export function creditLine(photographer: string | null, agency: string | null): string {
  return [photographer, agency]
    .filter((part): part is string => part !== null && part !== '')
    .join(' / ');
}
