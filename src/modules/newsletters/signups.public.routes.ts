import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { HttpError, invalidFields, problemResponses } from '../../errors.ts';
import { clientKey, type RateLimiter } from '../../lib/rate-limit.ts';
import { publicSecurity } from '../../plugins/openapi.ts';
import { slugParams } from '../../schemas.ts';
import {
  acceptedSchema,
  confirmedSchema,
  signupBody,
  tokenBody,
  unsubscribeBody,
  unsubscribeQuery,
  unsubscribedSchema,
} from './signups.schemas.ts';
import type { Clock } from '../shared/clock.ts';
import type { SignupsService } from './signups.service.ts';

const formBodyLimit = 16 * 1024;

const accepted = {
  data: {
    status: 'accepted' as const,
    message:
      'Thank you. If this address can receive the newsletter, a confirmation email is on its way.',
  },
};

/** Plain HTML forms post application/x-www-form-urlencoded; only these routes accept it. */
function acceptHtmlForms(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: formBodyLimit },
    (_request, body, done) => {
      const fields: Record<string, string> = {};
      // Object.fromEntries-style own properties: a "__proto__" field is just an unknown key (400).
      for (const [key, value] of new URLSearchParams(String(body)))
        Object.defineProperty(fields, key, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      done(null, fields);
    },
  );
}

/**
 * A plain HTML form posted by a browser (no JavaScript) expects a page, not JSON: it is sent on
 * with 303 See Other to the site's thank-you page, or to its error page with a reason code.
 * JSON clients keep the 202 and problem+json answers.
 */
function isBrowserFormPost(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  const accept = request.headers.accept ?? '';
  return type.startsWith('application/x-www-form-urlencoded') && accept.includes('text/html');
}

/** The reason code a site's error page gets: what the reader can be told to fix. */
function reasonFor(payload: string): string {
  try {
    const problem = JSON.parse(payload) as { type?: string; errors?: Array<{ path?: string }> };
    const fields = (problem.errors ?? []).map((error) => error.path);
    if (fields.includes('body.email')) return 'invalid-email';
    if (fields.includes('body.consent')) return 'consent-required';
    if (fields.includes('body.privacyPolicyVersion')) return 'invalid-policy-version';
    return problem.type?.replace(/^urn:broadsheet:problem:/, '') ?? 'error';
  } catch {
    return 'error';
  }
}

export function signupPublicRoutes(
  signups: SignupsService,
  limits: { perMinute: RateLimiter; perHour: RateLimiter },
  clock: Clock,
  pages: { thanksUrl: string; errorUrl: string },
): FastifyPluginAsyncZod {
  return async (app) => {
    acceptHtmlForms(app);

    app.post(
      '/:slug/signups',
      {
        schema: {
          operationId: 'signUpForNewsletter',
          summary: 'Sign up (double opt-in); always the same 202 whatever the address’s state',
          description:
            'JSON or an HTML form (`application/x-www-form-urlencoded`). A confirmation email follows when the address needs ' +
            'one (at most one per mailbox per day). Limited per client address, per minute and per hour: 429 with `Retry-After`.',
          security: publicSecurity,
          params: slugParams,
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          body: signupBody.meta({ id: 'NewsletterSignupRequest' }),
          response: {
            202: acceptedSchema,
            303: z.null().meta({
              description:
                'A browser’s form post (form content type and `Accept: text/html`): see the thank-you page in `Location`, or on a refusal the error page with `?reason=` (invalid-email, consent-required, invalid-policy-version, not-found, rate-limited, …).',
            }),
            ...problemResponses(400, 404, 413, 415, 429),
          },
        },
        onSend: async (request, reply, payload) => {
          if (!isBrowserFormPost(request)) return payload;
          const status = reply.statusCode;
          if (status !== 202 && (status < 400 || status >= 500)) return payload;
          const location =
            status === 202
              ? pages.thanksUrl
              : `${pages.errorUrl}${pages.errorUrl.includes('?') ? '&' : '?'}reason=${encodeURIComponent(reasonFor(String(payload)))}`;
          reply.code(303).header('location', location).header('content-type', 'text/plain');
          return '';
        },
        // The limit is checked before the body is even parsed, keyed on the client address only
        // (request.ip honours TRUST_PROXY; X-Forwarded-For is ignored without it).
        onRequest: async (request, reply) => {
          const client = clientKey(request.ip);
          const at = clock.now().getTime();
          // A client's hourly budget sits well below the global confirmation cap, so no single
          // client can use up every reader's confirmation emails.
          const retryAfter = Math.max(
            limits.perMinute.hit(client, at),
            limits.perHour.hit(client, at),
          );
          if (retryAfter > 0) {
            reply.header('retry-after', String(retryAfter));
            throw new HttpError(
              429,
              'rate-limited',
              `Too many signups from this address; try again in ${retryAfter} s.`,
            );
          }
        },
      },
      async (request, reply) => {
        await signups.signup(request.params.slug, request.body, request.ip);
        return reply.code(202).send(accepted);
      },
    );
  };
}

export function signupTokenRoutes(signups: SignupsService): FastifyPluginAsyncZod {
  return async (app) => {
    acceptHtmlForms(app);
    // RFC 8058's own example posts the one-click body as multipart/form-data: plain fields only,
    // a handful of small ones, no files.
    await app.register(multipart, {
      attachFieldsToBody: 'keyValues',
      limits: { fields: 4, fieldNameSize: 100, fieldSize: 1000, files: 0, parts: 4 },
    });

    app.post(
      '/confirm',
      {
        schema: {
          operationId: 'confirmNewsletterSignup',
          summary: 'Confirm a signup with the token from the email (single use)',
          description:
            'The email links to the site; a GET there changes nothing. The site then POSTs the token here.',
          security: publicSecurity,
          consumes: ['application/json', 'application/x-www-form-urlencoded'],
          body: tokenBody.meta({ id: 'SignupTokenRequest' }),
          response: { 200: confirmedSchema, ...problemResponses(400, 410, 415) },
        },
      },
      async (request) => ({
        data: {
          status: 'confirmed' as const,
          newsletter: await signups.confirm(request.body.token),
        },
      }),
    );

    app.post(
      '/unsubscribe',
      {
        schema: {
          operationId: 'unsubscribeFromNewsletter',
          summary:
            'Unsubscribe: JSON { token }, or RFC 8058 one-click (token in the query, form body List-Unsubscribe=One-Click)',
          description:
            'Needs no cookie or credential and is idempotent. The one-click body may be sent as `application/x-www-form-urlencoded` or `multipart/form-data` (RFC 8058).',
          security: publicSecurity,
          querystring: unsubscribeQuery,
          consumes: [
            'application/json',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
          ],
          body: unsubscribeBody.meta({ id: 'UnsubscribeRequest' }),
          response: { 200: unsubscribedSchema, ...problemResponses(400, 415) },
        },
      },
      async (request) => {
        const token = 'token' in request.body ? request.body.token : request.query.token;
        if (token === undefined)
          throw invalidFields([
            { path: 'query.token', message: 'The unsubscribe link’s token is missing.' },
          ]);
        await signups.unsubscribe(token);
        return { data: { status: 'unsubscribed' as const } };
      },
    );
  };
}
