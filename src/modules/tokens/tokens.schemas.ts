import { z } from 'zod';
import { roles } from '../../lib/roles.ts';
import { bounded, id, text, timestamp } from '../../schemas.ts';

const maxTokenName = 100;

export const roleSchema = z.enum(roles).meta({
  description:
    'writer: drafts only · editor: all content, newsletters, signups · admin: editor + tokens',
});

export const tokenSchema = z
  .object({
    id,
    name: bounded(maxTokenName),
    role: roleSchema,
    tokenPrefix: bounded(16).meta({
      description: 'The first characters of the token, to tell tokens apart.',
    }),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type TokenResponse = z.infer<typeof tokenSchema>;

export const createdTokenSchema = tokenSchema
  .extend({
    token: bounded(64).meta({
      description: 'The secret. Shown only in this response; store it now.',
    }),
  })
  .meta({ id: 'CreatedApiToken' });

export const createTokenBody = z.strictObject({
  name: text(maxTokenName),
  role: roleSchema,
  // The example stays valid for decades: a validating proxy or mock server replays it.
  expiresAt: timestamp.optional().meta({
    description: 'When the token stops working (UTC); must be in the future.',
    example: '2099-12-31T23:59:59.000Z',
  }),
});
