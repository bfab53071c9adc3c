import fastJson from 'fast-json-stringify';
import { z } from 'zod';

// Responses are written by serialisers compiled once per route and status (plugins/serializer.ts),
// and published articles' documents once per write, from the JSON Schema the zod response schemas
// already produce (the document shows the same schema), instead of zod re-checking every output
// field and JSON.stringify after it. What leaves the server is still
// exactly the schema's properties: fast-json-stringify writes declared properties only. The
// tests check every response against the document (test/fuzz.test.ts); production does not
// re-check its own output.

type JsonSchema = { [key: string]: unknown };

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * `anyOf: [X, { type: 'null' }]` (how zod writes `.nullable()`) becomes X with `null` among its
 * types: fast-json-stringify otherwise tries each branch with a full validation per value.
 */
function withNullableTypes(schema: unknown, definitions: JsonSchema): unknown {
  if (Array.isArray(schema)) return schema.map((item) => withNullableTypes(item, definitions));
  if (!isObject(schema)) return schema;
  const walked: JsonSchema = {};
  for (const [key, value] of Object.entries(schema))
    walked[key] = withNullableTypes(value, definitions);
  const branches = walked.anyOf;
  if (!Array.isArray(branches) || branches.length !== 2) return walked;
  const nullIndex = branches.findIndex((branch) => isObject(branch) && branch.type === 'null');
  const other = branches[1 - nullIndex];
  if (nullIndex === -1 || !isObject(other)) return walked;
  const ref = typeof other.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(other.$ref) : null;
  const target = ref === null ? other : definitions[ref[1] ?? ''];
  if (!isObject(target) || typeof target.type !== 'string') return walked;
  const { anyOf: _anyOf, ...rest } = walked;
  return { ...rest, ...target, type: [target.type, 'null'] };
}

/** The zod schema a route declared, bare or wrapped as Fastify hands it over. */
export function zodSchemaOf(schema: unknown): z.ZodType {
  if (schema instanceof z.ZodType) return schema;
  if (isObject(schema) && schema.properties instanceof z.ZodType) return schema.properties;
  throw new Error(`not a zod response schema: ${JSON.stringify(schema)}`);
}

/** A serialiser for one zod schema, as the routes use; also for documents rendered ahead of time. */
export function serializerFor(schema: z.ZodType): (data: unknown) => string {
  const json = z.toJSONSchema(schema, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
  }) as JsonSchema;
  const definitions = isObject(json.definitions) ? json.definitions : {};
  // One walk covers the definitions too: they are a property of the schema.
  const serialize = fastJson(withNullableTypes(json, definitions) as JsonSchema);
  return (data) => serialize(data);
}
