import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { problemResponses } from '../../errors.ts';
import { principalOf } from '../../plugins/auth.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import { dataEnvelope } from '../../schemas.ts';
import { createdTokenSchema, createTokenBody, tokenSchema } from './tokens.schemas.ts';
import { type TokensService, toTokenResponse } from './tokens.service.ts';
import { deleteByIdRoute, listRoute } from '../shared/routes.ts';

export function tokenAdminRoutes(tokens: TokensService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listTokens',
      summary: 'List API tokens (newest first), including revoked and expired ones',
      minRole: 'admin',
      order: 'createdAt',
      schema: tokenSchema,
      list: (page) => tokens.list(page),
    });

    app.post(
      '',
      {
        config: { minRole: 'admin' },
        schema: {
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
        return reply.code(201).send({ data: { ...toTokenResponse(record), token } });
      },
    );

    deleteByIdRoute(app, {
      operationId: 'revokeToken',
      summary: 'Revoke an API token (it stops working at once; the record stays for audit)',
      minRole: 'admin',
      done: 'Revoked',
      conflict: false,
      remove: (id) => tokens.revoke(id),
    });
  };
}
