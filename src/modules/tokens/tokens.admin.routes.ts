import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { pageLimit, readCursor, toPage } from '../../pagination.ts';
import { principalOf } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import {
  adminListEnvelope,
  dataEnvelope,
  idParams,
  iso,
  isoOrNull,
  pageQuery,
} from '../../schemas.ts';
import { z } from 'zod';
import type { TokenRecord } from './tokens.repository.ts';
import {
  createdTokenSchema,
  createTokenBody,
  type TokenResponse,
  tokenSchema,
} from './tokens.schemas.ts';
import type { TokensService } from './tokens.service.ts';

const tags = ['Tokens'];
const cursorShape = z.tuple([z.number().int(), z.string()]);

function toResponse(record: TokenRecord): TokenResponse {
  return {
    id: record.id,
    name: record.name,
    role: record.role,
    tokenPrefix: record.tokenPrefix,
    createdAt: iso(record.createdAt),
    expiresAt: isoOrNull(record.expiresAt),
    lastUsedAt: isoOrNull(record.lastUsedAt),
    revokedAt: isoOrNull(record.revokedAt),
  };
}

export function tokenAdminRoutes(tokens: TokensService): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '',
      {
        config: { minRole: 'admin' },
        schema: {
          tags,
          operationId: 'listTokens',
          summary: 'List API tokens (newest first), including revoked and expired ones',
          security: bearerSecurity,
          querystring: pageQuery,
          response: { 200: adminListEnvelope(tokenSchema), ...problemResponses(400, 401, 403) },
        },
      },
      async (request) => {
        const limit = pageLimit(request.query.limit);
        const after = readCursor(request.query.cursor, cursorShape);
        const { rows, total } = await tokens.list({ limit, after });
        const page = toPage(rows, limit, (row) => [row.createdAt.getTime(), row.id]);
        return {
          data: page.items.map(toResponse),
          meta: { limit, nextCursor: page.nextCursor, total },
        };
      },
    );

    app.post(
      '',
      {
        config: { minRole: 'admin' },
        schema: {
          tags,
          operationId: 'createToken',
          summary: 'Create an API token; the secret is returned once',
          security: bearerSecurity,
          body: createTokenBody.meta({ id: 'CreateApiTokenRequest' }),
          response: {
            201: dataEnvelope(createdTokenSchema),
            ...problemResponses(400, 401, 403, 415),
          },
        },
      },
      async (request, reply) => {
        const { name, role, expiresAt } = request.body;
        const { token, record } = await tokens.create(
          { name, role, expiresAt: expiresAt === undefined ? null : new Date(expiresAt) },
          principalOf(request),
        );
        return reply.code(201).send({ data: { ...toResponse(record), token } });
      },
    );

    app.delete(
      '/:id',
      {
        config: { minRole: 'admin' },
        schema: {
          tags,
          operationId: 'revokeToken',
          summary: 'Revoke an API token (it stops working at once; the record stays for audit)',
          security: bearerSecurity,
          params: idParams,
          response: {
            204: z.null().meta({ description: 'Revoked' }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        await tokens.revoke(request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
