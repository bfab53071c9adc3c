import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { notFound, problemResponses } from '../../errors.ts';
import { toCsvRow } from '../../lib/csv.ts';
import { pageLimit, readCursor, toPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { adminListEnvelope, dataEnvelope, idParams, slugParams } from '../../schemas.ts';
import type { NewslettersRepository } from './newsletters.repository.ts';
import { type SignupsRepository, toAdminSignup } from './signups.repository.ts';
import { adminSignupSchema, signupListQuery, signupMailStatsSchema } from './signups.schemas.ts';
import type { SignupsService } from './signups.service.ts';

const tags = ['Newsletters'];
const cursorShape = z.tuple([z.number().int(), z.string()]);

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

export function signupAdminRoutes(
  newsletters: NewslettersRepository,
  signups: SignupsRepository,
  service: SignupsService,
): FastifyPluginAsyncZod {
  return async (app) => {
    async function newsletterId(slug: string): Promise<string> {
      const newsletter = await newsletters.findBySlug(slug);
      if (newsletter === undefined) throw notFound('No newsletter with that slug.');
      return newsletter.id;
    }

    app.get(
      '/newsletters/:slug/signups',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'listNewsletterSignups',
          summary: 'Signups of a newsletter with their consent records, newest first',
          security: bearerSecurity,
          params: slugParams,
          querystring: signupListQuery,
          response: {
            200: adminListEnvelope(adminSignupSchema),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const limit = pageLimit(request.query.limit);
        const after = readCursor(request.query.cursor, cursorShape);
        const { items, total } = await signups.list(await newsletterId(request.params.slug), {
          status: request.query.status,
          limit,
          after,
        });
        const page = toPage(items, limit, (signup) => [Date.parse(signup.createdAt), signup.id]);
        return { data: page.items, meta: { limit, nextCursor: page.nextCursor, total } };
      },
    );

    app.get(
      '/newsletters/:slug/signups.csv',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
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
        const id = await newsletterId(request.params.slug);
        async function* lines() {
          yield toCsvRow(csvColumns);
          for await (const batch of signups.exportAll(id)) {
            yield batch
              .map((row) => {
                const signup = toAdminSignup(row);
                return toCsvRow([
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
                ]);
              })
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
          tags,
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
      async () => ({ data: await service.mailStats() }),
    );

    app.delete(
      '/newsletter-signups/:id',
      {
        config: { minRole: 'editor' },
        schema: {
          tags,
          operationId: 'eraseNewsletterSignup',
          summary:
            'Erase a signup’s personal data for good (address, IP hashes); an anonymous tombstone stays',
          security: bearerSecurity,
          params: idParams,
          response: {
            204: z.null().meta({ description: 'Erased' }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        if (!(await service.erase(request.params.id))) throw notFound('No signup with that id.');
        return reply.code(204).send(null);
      },
    );
  };
}
