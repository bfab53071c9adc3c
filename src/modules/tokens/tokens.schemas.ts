import { z } from 'zod';
import { roles } from '../../plugins/auth.ts';
import { text, timestamp } from '../../schemas.ts';

export const roleSchema = z.enum(roles).meta({
  description:
    'writer: drafts only · editor: all content, newsletters, signups · admin: editor + tokens',
});

export const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: roleSchema,
    tokenPrefix: z
      .string()
      .meta({ description: 'The first characters of the token, to tell tokens apart.' }),
    createdAt: timestamp,
    expiresAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
  })
  .meta({ id: 'ApiToken' });
export type TokenResponse = z.infer<typeof tokenSchema>;

export const createdTokenSchema = tokenSchema
  .extend({
    token: z
      .string()
      .meta({ description: 'The secret. Shown only in this response; store it now.' }),
  })
  .meta({ id: 'CreatedApiToken' });

export const createTokenBody = z.strictObject({
  name: text(100),
  role: roleSchema,
  expiresAt: timestamp.optional().meta({ description: 'When the token stops working (UTC).' }),
});
export type CreateTokenInput = z.infer<typeof createTokenBody>;
