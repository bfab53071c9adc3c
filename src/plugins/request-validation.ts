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

// No string a request sends may hold U+0000: PostgreSQL cannot store or even compare it (a NUL
// in a slug made a lookup fail with 500), and no field of this API has a use for it. Checked for
// the path, the query and the body of every route before its own schema, with an explicit stack
// (a body nested 100,000 arrays deep must not overflow the call stack).
const maxNulReports = 20;

/**
 * Whether any string or field name in a parsed request part holds NUL: a plain walk, as every
 * request takes it (the zod refinement below only runs to name the fields once one is found).
 * Binary parts (an uploaded file's Buffer) are bytes, not text, and are not walked: listing a
 * 2 MB Buffer's entries once ran the heap out of memory.
 */
function holdsNul(data: unknown): boolean {
  const stack: unknown[] = [data];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.includes('\u0000')) return true;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      for (const key in value) {
        if (!Object.hasOwn(value, key)) continue;
        if (key.includes('\u0000')) return true;
        stack.push((value as Record<string, unknown>)[key]);
      }
    }
  }
  return false;
}

const withoutNul = z.unknown().superRefine((data, context) => {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [
    { value: data, path: [] },
  ];
  let reported = 0;
  while (stack.length > 0 && reported < maxNulReports) {
    const next = stack.pop();
    if (next === undefined) break;
    const { value, path } = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) {
        reported += 1;
        context.addIssue({
          code: 'custom',
          path,
          message: 'Must not contain the NUL character (U+0000).',
        });
      }
    } else if (Array.isArray(value)) {
      value.forEach((item: unknown, index) => stack.push({ value: item, path: [...path, index] }));
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.includes('\u0000')) {
          reported += 1;
          context.addIssue({
            code: 'custom',
            path,
            message: 'A field name contains NUL (U+0000).',
          });
        }
        stack.push({ value: item, path: [...path, key] });
      }
    }
  }
});
const nulChecked = new Set(['params', 'querystring', 'body']);

/** The validator every route's schemas compile to: NUL refused, query numbers as numbers. */
export function registerRequestValidation(app: FastifyInstance): void {
  app.setValidatorCompiler<z.ZodType>((route) => {
    const validateFields = validatorCompiler(route);
    const refuseNul = validatorCompiler({ ...route, schema: withoutNul });
    const validate = nulChecked.has(route.httpPart ?? '')
      ? (data: unknown) => {
          if (!holdsNul(data)) return validateFields(data);
          const refused = refuseNul(data);
          const failed =
            typeof refused === 'object' && 'error' in refused && refused.error !== undefined;
          return failed ? refused : validateFields(data);
        }
      : validateFields;
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
