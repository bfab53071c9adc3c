import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { forbidden, unauthorized } from '../errors.ts';
import { withSentence } from './openapi.ts';

import { type Principal, type Role, roleAtLeast } from '../lib/roles.ts';

export { type Principal, type Role, roleAtLeast, roles } from '../lib/roles.ts';

export type Authenticate = (bearerToken: string) => Promise<Principal | null>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The lowest role allowed on an editor route. Routes that omit it are admin-only. */
    minRole?: Role;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** Returns the bearer credential, or null when the header is missing or another scheme. */
export function bearerCredential(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer +(\S+) *$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * Guards every route in the editor scope. Fails closed: a route without `minRole` needs admin.
 * Only the Authorization header is read; a token in the query string is ignored, so it never
 * ends up in proxy logs as a working credential.
 */
export function registerBearerAuth(scope: FastifyInstance, authenticate: Authenticate): void {
  scope.decorateRequest('principal', null);
  // The role each operation needs is published in the OpenAPI document from the same setting
  // the hook enforces, so documentation and enforcement cannot drift.
  scope.addHook('onRoute', (routeOptions) => {
    const required = routeOptions.config?.minRole ?? 'admin';
    const schema = withSentence(
      routeOptions.schema,
      `Requires a token with the \`${required}\` role or higher.`,
    );
    Object.assign(schema, { 'x-required-role': required });
    routeOptions.schema = schema;
  });
  scope.addHook('onRequest', async (request: FastifyRequest, _reply: FastifyReply) => {
    const credential = bearerCredential(request.headers.authorization);
    if (credential === null) {
      throw unauthorized('Send an API token as `Authorization: Bearer <token>`.');
    }
    const principal = await authenticate(credential);
    if (principal === null) {
      throw unauthorized('The API token is unknown, revoked or expired.');
    }
    const required = request.routeOptions.config.minRole ?? 'admin';
    if (!roleAtLeast(principal.role, required)) {
      throw forbidden(
        `This operation needs the ${required} role; the token has ${principal.role}.`,
      );
    }
    request.principal = principal;
  });
}

/** The principal of an authenticated request (the scope's hook has run). */
export function principalOf(request: FastifyRequest): Principal {
  if (request.principal === null) throw unauthorized('Not authenticated.');
  return request.principal;
}
