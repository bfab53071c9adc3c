import fc from 'fast-check';

// fast-check arbitraries derived from the OpenAPI document's request schemas: mostly values the
// schema allows (so requests get past validation and reach the handlers), mixed with values it
// does not (so validation itself is exercised).

export type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
};

/** Keeps generated strings short: long ones only slow the run, the hostile-input matrix covers them. */
const generatedStringCap = 60;

const anyText = (minLength: number, maxLength: number) =>
  fc.oneof(
    fc.string({ minLength, maxLength, unit: 'grapheme' }),
    fc.string({ minLength, maxLength, unit: 'binary' }),
    fc.string({ minLength, maxLength }),
  );

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? generatedStringCap, generatedStringCap);
  const fits = (value: string) =>
    value.length >= minLength && value.length <= (schema.maxLength ?? Number.POSITIVE_INFINITY);
  switch (schema.format) {
    case 'date-time':
      return fc
        .date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2100-01-01T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((date) => date.toISOString());
    case 'email':
      return fc.emailAddress().filter(fits);
    case 'uri':
      return fc.webUrl({ validSchemes: ['https', 'http'] }).filter(fits);
    default:
      break;
  }
  if (schema.pattern !== undefined) {
    return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  }
  return anyText(minLength, Math.max(minLength, maxLength));
}

/**
 * Values known to be good for a property name, mixed in where a schema cannot say enough (an
 * ISO 4217 code is three capitals, but few triples are currencies).
 */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

function objectFor(schema: JsonSchema, hints: Hints): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [name, property] of Object.entries(properties)) {
    const hint = hints[name];
    model[name] =
      hint === undefined
        ? valueFor(property, hints)
        : fc.oneof({ arbitrary: hint, weight: 3 }, valueFor(property, hints));
  }
  return fc.record(model, { requiredKeys: schema.required ?? [] });
}

/** A value the schema allows (as far as a schema can say: references may still not exist). */
export function valueFor(schema: JsonSchema, hints: Hints = {}): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches !== undefined) return fc.oneof(...branches.map((branch) => valueFor(branch, hints)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'string':
      return stringFor(schema);
    case 'integer':
      return fc.integer({
        min: schema.minimum ?? -(2 ** 31),
        max: schema.maximum ?? 2 ** 31 - 1,
      });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(valueFor(schema.items ?? {}, hints), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object':
      return objectFor(schema, hints);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Mostly allowed values; sometimes anything JSON, an extra field, or a field of the wrong type. */
export function hostileOr(schema: JsonSchema, hints: Hints): fc.Arbitrary<unknown> {
  const allowed = valueFor(schema, hints);
  const withExtraField = allowed.chain((value) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? fc
          .tuple(
            fc.constantFrom('id', 'version', 'createdAt', 'role', '__proto__', 'x'),
            fc.jsonValue(),
          )
          .map(([key, extra]) => ({ ...value, [key]: extra }))
      : fc.constant(value),
  );
  const withWrongType = allowed.chain((value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fc.constant(value);
    }
    const keys = Object.keys(value);
    if (keys.length === 0) return fc.constant(value);
    return fc
      .tuple(
        fc.constantFrom(...keys),
        fc.constantFrom(null, 0, -1, '', [], {}, '0x10', 1e308, true),
      )
      .map(([key, wrong]) => ({ ...value, [key]: wrong }));
  });
  return fc.oneof(
    { arbitrary: allowed, weight: 6 },
    { arbitrary: withExtraField, weight: 1 },
    { arbitrary: withWrongType, weight: 1 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
  );
}

/** A path or query value: a known good one, one the schema allows, or any text at all. */
export function parameterValue(schema: JsonSchema, known: string[]): fc.Arbitrary<string> {
  const allowed = valueFor(schema).map((value) =>
    typeof value === 'string' ? value : JSON.stringify(value),
  );
  const choices: Array<{ arbitrary: fc.Arbitrary<string>; weight: number }> = [
    { arbitrary: allowed, weight: 3 },
    { arbitrary: anyText(0, 30), weight: 1 },
  ];
  if (known.length > 0) choices.push({ arbitrary: fc.constantFrom(...known), weight: 4 });
  return fc.oneof(...choices);
}
