import { z } from 'zod';
import { bounded, id, maxUrlLength, timestamp } from '../../schemas.ts';

// The photo-usage statement: what a picture desk reconciles with each agency's invoice.

/** A day (`2026-11-01`, from its first millisecond UTC) or an instant with its offset. */
const moment = z
  .string()
  .max(40)
  .pipe(z.union([z.iso.date(), z.iso.datetime({ offset: true })]))
  .meta({ description: 'A day (`2026-11-01`, 00:00 UTC) or an ISO 8601 instant.' });

/** More uses than this are a CSV's job: JSON is built whole. */
export const maxJsonUses = 10_000;

export const maxReportDays = 366;

export const photoUsageQuery = z.strictObject({
  from: moment.meta({ description: 'Start of the period (included).' }),
  to: moment.meta({
    description: 'End of the period (excluded): `from=2026-11-01&to=2026-12-01` is November.',
  }),
  agency: z.string().trim().min(1).max(120).optional().meta({
    description: 'One agency (as credited, any case); every agency and staff pictures otherwise.',
  }),
});
export type PhotoUsageQuery = z.infer<typeof photoUsageQuery>;

const useSchema = z.object({
  articleId: id,
  headline: bounded(300),
  url: bounded(maxUrlLength),
  publishedAt: timestamp,
  as: z
    .array(z.enum(['lead', 'social']))
    .min(1)
    .max(2),
});

export const photoUsageSchema = z
  .object({
    from: timestamp,
    to: timestamp,
    uses: z.number().int().min(0),
    agencies: z
      .array(
        z.object({
          agency: bounded(120)
            .nullable()
            .meta({ description: 'Null: pictures credited to no agency.' }),
          photos: z
            .array(
              z.object({
                photoId: id,
                photographer: bounded(120).nullable(),
                license: bounded(200).nullable(),
                firstPublishedAt: timestamp.meta({ description: 'Its first use in the period.' }),
                uses: z.array(useSchema).max(maxJsonUses),
              }),
            )
            .max(maxJsonUses),
        }),
      )
      .max(maxJsonUses),
  })
  .meta({ id: 'PhotoUsageReport' });
export type PhotoUsageReport = z.infer<typeof photoUsageSchema>;
