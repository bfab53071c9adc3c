import { z } from 'zod';
import { maxSlugLength, slugPattern } from './lib/slugify.ts';

// Building blocks shared by every module's HTTP contract.

export const maxPageSize = 100;
export const defaultPageSize = 20;

export const timestamp = z.iso
  .datetime({ offset: false })
  .max(35)
  .meta({ example: '2026-11-28T09:30:00.000Z' });

/** When a record was made and last changed, as every editor resource shows them. */
export const recordTimes = () => ({ createdAt: timestamp, updatedAt: timestamp });

export const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z]{2,8}_[0-9a-z]{26}$/, 'must be a resource id');

export const slug = z
  .string()
  .min(1)
  .max(maxSlugLength)
  .regex(slugPattern, 'must be lower-case letters, digits and single hyphens');

/** A BCP 47 language as articles carry it. */
export const languageSchema = z
  .string()
  .max(10)
  .regex(/^[a-z]{2,3}(?:-[A-Z]{2})?$/, 'must be a language code such as en, ru or pt-BR')
  .meta({ example: 'en' });

export const maxUrlLength = 2048;
export const maxEmailLength = 254;

export const httpUrl = z
  .url({ protocol: /^https?$/, hostname: z.regexes.domain, error: 'must be an http(s) URL' })
  .max(maxUrlLength)
  .meta({
    format: 'uri',
    pattern: '^https?://',
    description:
      'An http or https URL whose host is a domain name (not an IP address or localhost).',
  });

/** Trims and lower-cases the domain; the local part is left alone (it may be case-sensitive). */
export const emailAddress = z
  .string()
  .trim()
  .max(maxEmailLength)
  .pipe(z.email({ error: 'must be an email address' }))
  .transform((email) => {
    const at = email.lastIndexOf('@');
    return `${email.slice(0, at)}${email.slice(at).toLowerCase()}`;
  })
  .meta({ format: 'email' });

/**
 * A response string, bounded like the input it came from: the OpenAPI document promises every
 * string a maxLength (OWASP API4), and the response serializer holds the server to it.
 */
export const bounded = (max: number) => z.string().max(max);

/**
 * A response field of plain text (headline, dek, excerpt, name, bio, caption): never markup, so
 * a frontend escapes it when it puts it into HTML. Only `bodyHtml` fields are HTML.
 */
export const plainText = (max: number) =>
  bounded(max).meta({ description: 'Plain text (escape it when you put it into HTML).' });
/** A response field of sanitised HTML rendered from Markdown (no raw HTML, safe link schemes). */
export const renderedHtml = (max: number) =>
  bounded(max).meta({
    description:
      'HTML rendered from the Markdown source: raw HTML in the source is escaped, and links are limited to http, https, mailto and relative URLs.',
  });

/** A trimmed, bounded, non-empty single-line string. */
export const text = (max: number) => z.string().trim().min(1).max(max);
/** Multi-line prose, possibly empty. */
export const prose = (max: number) => z.string().max(max);

// An integer in the document and to the handler; digits-only query text becomes a number before
// validation (plugins/request-validation.ts), so `0x10`, `1e1`, ` 5 ` and `` are refused, not coerced.
export const limitQuery = z
  .int({ error: 'must be a whole number' })
  .min(1)
  .max(maxPageSize)
  .default(defaultPageSize)
  .meta({ description: `Page size, 1–${maxPageSize}.` });

export const cursorQuery = z
  .string()
  .min(1)
  .max(512)
  .optional()
  .meta({ description: 'Opaque cursor from the previous page’s `meta.nextCursor`.' });

export const pageQuery = z.strictObject({ limit: limitQuery, cursor: cursorQuery });

export const idParams = z.strictObject({ id });
export const slugParams = z.strictObject({ slug: z.string().min(1).max(200) });

/** A PATCH body must change something; checked only once its fields are otherwise valid. */
export const nonEmptyPatch = <T extends z.ZodObject>(schema: T) =>
  schema.refine((body) => Object.keys(body).length > 0, {
    message: 'Send at least one field to change.',
    when: (payload) => payload.issues.length === 0,
  });

export const dataEnvelope = <T extends z.ZodType>(item: T) => z.object({ data: item });

const publicListMeta = z.object({
  limit: z.number().int().min(1).max(maxPageSize),
  nextCursor: bounded(512).nullable(),
});
const adminListMeta = publicListMeta.extend({ total: z.number().int().min(0) });

export const publicListEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item).max(maxPageSize), meta: publicListMeta });
export const adminListEnvelope = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item).max(maxPageSize), meta: adminListMeta });

export const iso = (date: Date): string => date.toISOString();
export const isoOrNull = (date: Date | null): string | null =>
  date === null ? null : date.toISOString();
