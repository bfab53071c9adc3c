import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { toCsvRow } from '../../lib/csv.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope, slugParams } from '../../schemas.ts';
import { adminSignupSchema, signupListQuery, signupMailStatsSchema } from './signups.schemas.ts';
import type { SignupsService } from './signups.service.ts';
import { deleteByIdRoute, listRoute } from '../shared/routes.ts';

const csvColumns = [
  'id',
  'email',
  'status',
  'consent_policy_version',
  'consented_at',
  'consent_source',
  'ip_hash',
  'confirmed_at',
  'unsubscribed_at',
  'created_at',
] as const;

export function signupAdminRoutes(signups: SignupsService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listNewsletterSignups',
      summary: 'Signups of a newsletter with their consent records, newest first',
      minRole: 'editor',
      order: 'createdAt',
      schema: adminSignupSchema,
      path: '/newsletters/:slug/signups',
      params: slugParams,
      query: signupListQuery,
      notFound: true,
      list: (page, { params, query }) => signups.list(params.slug, { status: query.status }, page),
    });

    app.get(
      '/newsletters/:slug/signups.csv',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'exportNewsletterSignups',
          summary: 'Every signup with its consent fields as CSV, streamed (oldest first)',
          security: bearerSecurity,
          params: slugParams,
          response: {
            200: {
              description: 'CSV, one row per signup',
              content: { 'text/csv': { schema: z.string() } },
            },
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const batches = await signups.exportAll(request.params.slug);
        async function* lines() {
          yield toCsvRow(csvColumns);
          for await (const batch of batches) {
            yield batch
              .map((signup) =>
                toCsvRow([
                  signup.id,
                  signup.email,
                  signup.status,
                  signup.consent.policyVersion,
                  signup.consent.consentedAt,
                  signup.consent.source,
                  signup.consent.ipHash,
                  signup.confirmedAt,
                  signup.unsubscribedAt,
                  signup.createdAt,
                ]),
              )
              .join('');
          }
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header(
            'content-disposition',
            `attachment; filename="${request.params.slug}-signups.csv"`,
          )
          .send(
            // Streams bypass serialisation; the declared string schema documents the CSV body.
            Readable.from(lines()) as unknown as string,
          );
      },
    );

    app.get(
      '/newsletter-signups/stats',
      {
        config: { minRole: 'editor' },
        schema: {
          operationId: 'getSignupMailStats',
          summary:
            'Confirmation emails sent in the last hour against the global cap (SIGNUP_CONFIRMATIONS_PER_HOUR)',
          description:
            'While the cap is reached, new signups are recorded but get no confirmation email until the hour rolls over.',
          security: bearerSecurity,
          response: {
            200: dataEnvelope(signupMailStatsSchema),
            ...problemResponses(400, 401, 403),
          },
        },
      },
      async () => ({ data: await signups.mailStats() }),
    );

    deleteByIdRoute(app, {
      operationId: 'eraseNewsletterSignup',
      summary:
        'Erase a signup’s personal data for good (address, IP hashes); an anonymous tombstone stays',
      minRole: 'editor',
      path: '/newsletter-signups/:id',
      done: 'Erased',
      conflict: false,
      remove: (id) => signups.erase(id),
    });
  };
}
