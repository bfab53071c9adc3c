import { z } from 'zod';
import { pageStatuses } from '../../db/schema.ts';
import { maxRenderedHtmlLength } from '../../lib/markdown.ts';
import { maxSlugLength } from '../../lib/slugify.ts';
import {
  bounded,
  id,
  nonEmptyPatch,
  renderedHtml,
  slug,
  text,
  timestamp,
  recordTimes,
} from '../../schemas.ts';

const maxPageBody = 100_000;
const maxTitle = 200;
const version = z.number().int().min(1).max(999_999_999);

export const publicPageSchema = z
  .object({
    slug: bounded(maxSlugLength),
    title: bounded(maxTitle),
    bodyHtml: renderedHtml(maxRenderedHtmlLength),
    version: version.meta({ description: 'Cite as `<slug>@<version>`, e.g. privacy-policy@3.' }),
    updatedAt: timestamp,
  })
  .meta({ id: 'Page' });
export type PublicPage = z.infer<typeof publicPageSchema>;

export const adminPageSchema = z
  .object({
    id,
    slug: bounded(maxSlugLength),
    title: bounded(maxTitle),
    body: bounded(maxPageBody).meta({ description: 'Markdown (CommonMark).' }),
    bodyHtml: renderedHtml(maxRenderedHtmlLength),
    status: z.enum(pageStatuses),
    version,
    publishedAt: timestamp.nullable(),
    ...recordTimes(),
  })
  .meta({ id: 'AdminPage' });
export type AdminPage = z.infer<typeof adminPageSchema>;

export const createPageBody = z.strictObject({
  title: text(maxTitle),
  slug: slug.optional().meta({ description: 'Generated from the title when absent.' }),
  body: z.string().max(maxPageBody),
  status: z.enum(pageStatuses).optional().meta({ description: 'Defaults to draft.' }),
});
export type CreatePageInput = z.infer<typeof createPageBody>;

export const updatePageBody = nonEmptyPatch(
  z.strictObject({
    title: text(maxTitle).optional(),
    slug: slug.optional(),
    body: z.string().max(maxPageBody).optional(),
    status: z.enum(pageStatuses).optional(),
  }),
);
export type UpdatePageInput = z.infer<typeof updatePageBody>;

export const pageVersionParams = z.strictObject({
  slug: z.string().min(1).max(200),
  version: z
    .string()
    .max(9)
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(version),
});

/** `privacy-policy@3` → { slug: 'privacy-policy', version: 3 }; anything else → null. */
export function parsePageReference(reference: string): { slug: string; version: number } | null {
  const match = /^([a-z0-9]+(?:-[a-z0-9]+)*)@(\d{1,9})$/.exec(reference);
  return match?.[1] === undefined ? null : { slug: match[1], version: Number(match[2]) };
}
