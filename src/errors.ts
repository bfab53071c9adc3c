import { STATUS_CODES } from 'node:http';
import { z } from 'zod';
import { bounded } from './schemas.ts';

// RFC 9457 problem details: the schema and the typed errors any layer may throw. They are
// rendered in one place only, plugins/error-handler.ts.

export const problemContentType = 'application/problem+json';

/** Bounds on what a problem carries back, so a hostile request cannot make a huge answer. */
export const problemLimits = { errors: 100, path: 500, message: 1000, detail: 2000 };

const fieldErrorSchema = z.object({
  path: bounded(problemLimits.path).meta({
    description: 'Where the problem is, e.g. `body.email` or `query.limit`.',
  }),
  message: bounded(problemLimits.message),
});
export type FieldError = z.infer<typeof fieldErrorSchema>;

export const problemSchema = z
  .object({
    type: bounded(200).meta({ description: 'A URI identifying the kind of problem.' }),
    title: bounded(100),
    status: z.number().int().min(400).max(599),
    detail: bounded(problemLimits.detail).optional(),
    requestId: bounded(128).meta({
      description: 'Also in the `X-Request-Id` header and the server log.',
    }),
    errors: z
      .array(fieldErrorSchema)
      .max(problemLimits.errors)
      .optional()
      .meta({ description: `The first ${problemLimits.errors} bad fields.` }),
    currentVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({ description: 'On 412: the version the resource has now.' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });
export type Problem = z.infer<typeof problemSchema>;

/**
 * Every kind of problem the API answers with, rendered as `urn:broadsheet:problem:<type>`: a
 * closed set, so clients can switch on it. `http-<status>` passes on a 4xx that Fastify raised
 * and no rule names (none is known to reach clients).
 */
export type ProblemType =
  | 'validation-failed'
  | 'invalid-request'
  | 'invalid-json'
  | 'invalid-token'
  | 'token-expired'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'method-not-allowed'
  | 'request-timeout'
  | 'conflict'
  | 'precondition-failed'
  | 'precondition-required'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'headers-too-large'
  | 'bad-http'
  /** Every 429, whichever limit was hit (the detail says which). */
  | 'rate-limited'
  | 'service-unavailable'
  | 'storage-unavailable'
  | 'search-unavailable'
  | 'internal'
  | `http-${number}`;

export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ProblemType,
    message: string,
    readonly extras: {
      errors?: FieldError[];
      headers?: Record<string, string>;
      currentVersion?: number;
    } = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const invalidFields = (errors: FieldError[]) =>
  new HttpError(400, 'validation-failed', 'The request has invalid fields.', { errors });
export const unauthorized = (detail: string) =>
  new HttpError(401, 'unauthorized', detail, {
    headers: { 'www-authenticate': 'Bearer realm="broadsheet-admin"' },
  });
export const forbidden = (detail: string) => new HttpError(403, 'forbidden', detail);
export const notFound = (detail: string) => new HttpError(404, 'not-found', detail);
export const conflict = (detail: string, errors?: FieldError[]) =>
  new HttpError(409, 'conflict', detail, errors === undefined ? {} : { errors });
export const preconditionFailed = (detail: string, currentVersion: number) =>
  new HttpError(412, 'precondition-failed', detail, { currentVersion });
export const ifMatchRequiredDetail =
  'Send If-Match with the ETag you loaded (the version) so no one else’s edit is overwritten.';
export const preconditionRequired = (detail: string) =>
  new HttpError(428, 'precondition-required', detail);
export const serviceUnavailable = (detail: string) =>
  new HttpError(503, 'service-unavailable', detail);

/** Documented error responses, spread into every route's `response`. */
export function problemResponses<const S extends readonly number[]>(...statuses: S) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: STATUS_CODES[status] ?? 'Error',
        content: { [problemContentType]: { schema: problemSchema } },
      },
    ]),
  ) as {
    [K in S[number]]: {
      description: string;
      content: { 'application/problem+json': { schema: typeof problemSchema } };
    };
  };
}
