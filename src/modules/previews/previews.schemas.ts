import { z } from 'zod';
import { bounded, maxUrlLength, timestamp } from '../../schemas.ts';

/** How long a preview link lasts unless the editor asks otherwise, and at most. */
export const previewLinkHours = { default: 48, max: 720 };

const previewToken = z
  .string()
  .min(1)
  .max(100)
  .meta({ description: 'A preview token from `POST /v1/admin/articles/{id}/preview`.' });

export const createPreviewBody = z
  .strictObject({
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(previewLinkHours.max)
      .optional()
      .meta({
        description: `How long the link opens the article (default ${previewLinkHours.default}).`,
      }),
  })
  // The body may be left out entirely (Fastify then hands over null).
  .nullish();

export const previewLinkSchema = z
  .object({
    url: bounded(maxUrlLength).meta({
      format: 'uri',
      description: 'The frontend’s preview page for this article (PREVIEW_URL_TEMPLATE).',
    }),
    token: bounded(100),
    expiresAt: timestamp,
  })
  .meta({ id: 'PreviewLink' });

export const previewKeyRotatedSchema = z
  .object({ rotatedAt: timestamp })
  .meta({ id: 'PreviewKeyRotated' });

export const previewQuery = z.strictObject({ token: previewToken.optional() });

export const previewHeaders = z.object({ 'preview-token': previewToken.optional() });
