import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

export const bearerSecurity = [{ bearerAuth: [] }];
export const publicSecurity = [];

export const openApiInfo = {
  title: 'Broadsheet API',
  version: '1',
  description:
    'Headless CMS for news publishers. Public content routes under `/v1` need no credentials and ' +
    'serve published content only; editor routes under `/v1/admin` need `Authorization: Bearer <token>`. ' +
    'Errors are RFC 9457 problem details (`application/problem+json`).',
};

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: openApiInfo,
      servers: [],
      tags: [
        {
          name: 'Articles',
          description: 'Stories: the editorial workflow and the published content.',
        },
        { name: 'Authors', description: 'Bylines (people, not logins).' },
        { name: 'Photos', description: 'Images with alt text, caption and photo-agency credit.' },
        { name: 'Tags', description: 'Topics; an article’s first tag is its primary tag.' },
        {
          name: 'Newsletters',
          description: 'Newsletters, double opt-in signups and their consent records.',
        },
        {
          name: 'Pages',
          description: 'Standalone pages such as the privacy policy, with every version kept.',
        },
        { name: 'Appeals', description: 'Reader-revenue appeals (the "support us" box).' },
        { name: 'Tokens', description: 'API tokens for editor routes (admin only).' },
        { name: 'Health', description: 'Liveness and readiness probes.' },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API token (`bs_…`).' },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
