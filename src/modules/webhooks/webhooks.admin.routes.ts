import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { problemResponses } from '../../errors.ts';
import { pageOf, readPage } from '../../pagination.ts';
import { bearerSecurity } from '../../plugins/openapi.ts';
import {
  adminListEnvelope,
  dataEnvelope,
  idParams,
  maxPageSize,
  pageQuery,
} from '../../schemas.ts';
import { deleteByIdRoute, getByIdRoute, listRoute } from '../shared/routes.ts';
import {
  createWebhookBody,
  deliveryParams,
  rotatedSecretSchema,
  updateWebhookBody,
  webhookDeliverySchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
} from './webhooks.schemas.ts';
import type { WebhooksService } from './webhooks.service.ts';

// Editors manage where events go; a secret is shown when created or rotated, never again.

const documented = (operationId: string, summary: string) => ({
  operationId,
  summary,
  security: bearerSecurity,
});
const editor = { minRole: 'editor' as const };

export function webhookAdminRoutes(webhooks: WebhooksService): FastifyPluginAsyncZod {
  return async (app) => {
    listRoute(app, {
      operationId: 'listWebhookEndpoints',
      summary: 'List webhook endpoints, newest first (secrets are never shown)',
      minRole: 'editor',
      order: 'createdAt',
      schema: webhookEndpointSchema,
      list: (page) => webhooks.list(page),
    });

    getByIdRoute(app, {
      operationId: 'getWebhookEndpoint',
      summary: 'Get a webhook endpoint',
      minRole: 'editor',
      schema: webhookEndpointSchema,
      find: (id) => webhooks.findById(id),
      notFound: 'No webhook endpoint with that id.',
    });

    app.post(
      '',
      {
        config: editor,
        schema: {
          ...documented(
            'createWebhookEndpoint',
            'Subscribe an endpoint to events; its signing secret is returned once',
          ),
          body: createWebhookBody.meta({ id: 'CreateWebhookEndpointRequest' }),
          response: {
            201: dataEnvelope(webhookEndpointWithSecretSchema),
            ...problemResponses(400, 401, 403, 413, 415),
          },
        },
      },
      async (request, reply) => {
        const created = await webhooks.create(request.body);
        return reply
          .code(201)
          .header('location', `/v1/admin/webhooks/${created.id}`)
          .send({ data: created });
      },
    );

    app.patch(
      '/:id',
      {
        config: editor,
        schema: {
          ...documented(
            'updateWebhookEndpoint',
            'Change an endpoint; `enabled: true` turns one the server disabled (410) back on',
          ),
          params: idParams,
          body: updateWebhookBody.meta({ id: 'UpdateWebhookEndpointRequest' }),
          response: {
            200: dataEnvelope(webhookEndpointSchema),
            ...problemResponses(400, 401, 403, 404, 409, 413, 415),
          },
        },
      },
      async (request) => ({ data: await webhooks.update(request.params.id, request.body) }),
    );

    deleteByIdRoute(app, {
      operationId: 'deleteWebhookEndpoint',
      summary: 'Delete an endpoint with its delivery log; nothing more is sent to it',
      minRole: 'editor',
      // A CDN purge endpoint is the environment's to remove.
      conflict: true,
      remove: (id) => webhooks.delete(id),
    });

    app.post(
      '/:id/rotate-secret',
      {
        config: editor,
        schema: {
          ...documented(
            'rotateWebhookSecret',
            'Issue a new signing secret (returned once); the old one also signs for 24 hours',
          ),
          params: idParams,
          response: {
            200: dataEnvelope(rotatedSecretSchema),
            ...problemResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (request) => ({ data: await webhooks.rotateSecret(request.params.id) }),
    );

    app.get(
      '/:id/deliveries',
      {
        config: editor,
        schema: {
          ...documented(
            'listWebhookDeliveries',
            "An endpoint's deliveries, newest first, each with its attempt log",
          ),
          params: idParams,
          querystring: pageQuery,
          response: {
            200: z.object({
              data: z.array(webhookDeliverySchema).max(maxPageSize),
              meta: adminListEnvelope(webhookDeliverySchema).shape.meta.omit({ total: true }),
            }),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request) => {
        const page = readPage('createdAt', request.query);
        const rows = await webhooks.deliveries(request.params.id, page);
        const shown = pageOf('createdAt', page, rows);
        return { data: shown.items, meta: shown.meta };
      },
    );

    app.post(
      '/:id/deliveries/:deliveryId/redeliver',
      {
        config: editor,
        schema: {
          ...documented(
            'redeliverWebhook',
            'Send a delivery again now, as a new delivery of the same event (same webhook-id)',
          ),
          params: deliveryParams,
          response: {
            202: dataEnvelope(webhookDeliverySchema),
            ...problemResponses(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const delivery = await webhooks.redeliver(request.params.id, request.params.deliveryId);
        return reply.code(202).send({ data: delivery });
      },
    );

    app.post(
      '/:id/test',
      {
        config: editor,
        schema: {
          ...documented('testWebhookEndpoint', 'Send a `webhook.test` event to this endpoint now'),
          params: idParams,
          response: {
            202: dataEnvelope(webhookDeliverySchema),
            ...problemResponses(400, 401, 403, 404, 409),
          },
        },
      },
      async (request, reply) => {
        const delivery = await webhooks.sendTest(request.params.id);
        return reply.code(202).send({ data: delivery });
      },
    );
  };
}
