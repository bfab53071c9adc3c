import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope } from '../../schemas.ts';
import { maxJsonUses, photoUsageQuery, photoUsageSchema } from './reports.schemas.ts';
import type { ReportsService } from './reports.service.ts';

export function reportAdminRoutes(reports: ReportsService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/photo-usage',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'getPhotoUsageReport',
          summary: 'Photos used in articles first published in a period, per agency',
          description: `Each photo an article showed (lead or social) when it was first published in [from, to): its photographer, licence, and every article with its address and date. Up to ${maxJsonUses} uses; the CSV has every one.`,
          security: bearerSecurity,
          querystring: photoUsageQuery,
          response: {
            200: dataEnvelope(photoUsageSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request) => ({ data: await reports.photoUsage(request.query) }),
    );

    app.get(
      '/photo-usage.csv',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'exportPhotoUsageReport',
          summary: 'The photo-usage statement as CSV, one row per use, streamed',
          description:
            'Columns: agency, photo_id, photographer, credit, license, article_id, headline, article_url, published_at, used_as. Cells that start like a spreadsheet formula are quoted.',
          security: bearerSecurity,
          querystring: photoUsageQuery,
          response: {
            200: {
              description: 'CSV, one row per use, in order of publication',
              content: { 'text/csv': { schema: z.string().max(1_000_000_000) } },
            },
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const rows = reports.photoUsageCsv(request.query);
        const name = `photo-usage-${request.query.from.slice(0, 10)}-${request.query.to.slice(0, 10)}.csv`;
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(
            // Streams bypass serialisation; the declared string schema documents the CSV body.
            Readable.from(rows) as unknown as string,
          );
      },
    );
  };
}
