import type { FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

// Query strings arrive as text, but integer parameters (`limit`) are declared as integers, so
// the OpenAPI document says `type: integer` and generated clients send numbers. Before zod
// validates a query, digits-only values of numeric fields become numbers; anything else (`0x10`,
// `1e1`, ` 5 `, ``) stays a string and is refused as not a number (RELIABILITY.md rule 8:
// `z.coerce.number()` would accept all of those).

const digitsOnly = /^\d{1,15}$/;

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable
  )
    current = current.unwrap() as z.ZodType;
  return current;
}

function numericKeys(schema: unknown): Set<string> {
  if (!(schema instanceof z.ZodObject)) return new Set();
  return new Set(
    Object.entries(schema.shape as Record<string, z.ZodType>)
      .filter(([, field]) => unwrap(field) instanceof z.ZodNumber)
      .map(([key]) => key),
  );
}

export function registerStrictQueryNumbers(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>((route) => {
    const validate = validatorCompiler(route);
    if (route.httpPart !== 'querystring') return validate;
    const keys = numericKeys(route.schema);
    if (keys.size === 0) return validate;
    return (data: unknown) => {
      if (typeof data !== 'object' || data === null) return validate(data);
      const converted: Record<string, unknown> = { ...data };
      for (const key of keys) {
        const value = converted[key];
        if (typeof value === 'string' && digitsOnly.test(value)) converted[key] = Number(value);
      }
      return validate(converted);
    };
  });
}
