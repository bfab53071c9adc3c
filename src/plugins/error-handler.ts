import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ConstraintError, StorageUnavailableError } from '../db/store.ts';
import { RenderedTooLargeError } from '../lib/markdown.ts';
import {
  type FieldError,
  HttpError,
  notFound,
  type Problem,
  problemLimits,
  problemResponses,
  problemContentType,
  ifMatchRequiredDetail,
  type ProblemType,
} from '../errors.ts';

function problemType(code: ProblemType): string {
  return `urn:broadsheet:problem:${code}`;
}

const validationContexts: Record<string, string> = {
  body: 'body',
  querystring: 'query',
  params: 'path',
  headers: 'header',
};

interface ValidationIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

function fieldErrorsFromValidation(context: string, issues: ValidationIssue[]): FieldError[] {
  const prefix = validationContexts[context] ?? context;
  return issues.flatMap((issue) => {
    const segments = issue.instancePath.split('/').filter(Boolean);
    const base = [prefix, ...segments].join('.');
    // Strict objects report unknown keys as one issue; name each key so the client can fix it.
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params.keys)) {
      return issue.params.keys.map((key) => ({
        path: `${base}.${String(key)}`,
        message: 'Unknown field; it is not part of this operation.',
      }));
    }
    return [{ path: base, message: issue.message ?? 'Invalid value.' }];
  });
}

const clip = (value: string, max: number) =>
  value.length <= max ? value : `${value.slice(0, max - 1)}…`;

/** A body with 10,000 unknown keys (or one 1 MB key) must not earn a 10,000-entry answer. */
function boundedErrors(errors: FieldError[]): FieldError[] {
  return errors.slice(0, problemLimits.errors).map((error) => ({
    path: clip(error.path, problemLimits.path),
    message: clip(error.message, problemLimits.message),
  }));
}

/** Maps any thrown value to the problem it should be shown as. Unknown errors become a bare 500. */
export function toProblem(
  error: unknown,
  requestId: string,
): { problem: Problem; headers: Record<string, string> } {
  const make = (
    status: number,
    code: ProblemType,
    detail?: string,
    extras: HttpError['extras'] = {},
  ) => ({
    problem: {
      type: problemType(code),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      ...(detail === undefined ? {} : { detail: clip(detail, problemLimits.detail) }),
      requestId,
      ...(extras.errors === undefined ? {} : { errors: boundedErrors(extras.errors) }),
      ...(extras.currentVersion === undefined ? {} : { currentVersion: extras.currentVersion }),
    },
    headers: extras.headers ?? {},
  });

  if (error instanceof HttpError)
    return make(error.statusCode, error.code, error.message, error.extras);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'body';
    // A missing If-Match is "428 Precondition Required" (RFC 6585), not an invalid request.
    if (
      context === 'headers' &&
      error.validation.length > 0 &&
      error.validation.every(
        (issue) => issue.instancePath === '/if-match' && issue.keyword === 'invalid_type',
      )
    )
      return make(428, 'precondition-required', ifMatchRequiredDetail);
    return make(400, 'validation-failed', 'The request has invalid fields.', {
      errors: fieldErrorsFromValidation(context, error.validation),
    });
  }
  if (error instanceof ConstraintError) {
    if (error.kind === 'unique') return make(409, 'conflict', 'A unique value is already taken.');
    if (error.kind === 'foreign_key') {
      return make(
        409,
        'conflict',
        'The resource is still referenced, or refers to one that does not exist.',
      );
    }
  }
  if (error instanceof RenderedTooLargeError) {
    // Every Markdown field the API renders is called `body`.
    return make(400, 'validation-failed', 'The request has invalid fields.', {
      errors: [{ path: 'body.body', message: error.message }],
    });
  }
  if (error instanceof StorageUnavailableError) {
    return make(
      503,
      'storage-unavailable',
      'The database could not complete the operation; nothing was acknowledged. Retry shortly.',
      { headers: { 'retry-after': '1' } },
    );
  }
  const fastifyError = error as Partial<FastifyError>;
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return make(415, 'unsupported-media-type', 'Send the body as application/json.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return make(413, 'payload-too-large', 'The request body is larger than the server accepts.');
    case 'FST_REQ_FILE_TOO_LARGE':
      return make(413, 'payload-too-large', 'The file is larger than the server accepts.');
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return make(413, 'payload-too-large', 'The form has more parts than the route takes.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return make(400, 'invalid-json', 'The body is empty but the Content-Type says JSON.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return make(400, 'invalid-json', 'The body is not valid JSON.');
    default:
      break;
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const detail =
      error instanceof SyntaxError ? 'The body is not valid JSON.' : fastifyError.message;
    return make(status, status === 400 ? 'invalid-request' : `http-${status}`, detail);
  }
  return make(
    500,
    'internal',
    'Something went wrong on our side. Quote the request id when reporting it.',
  );
}

export function sendProblem(
  reply: FastifyReply,
  problem: Problem,
  headers: Record<string, string> = {},
) {
  return reply
    .code(problem.status)
    .headers(headers)
    .type(problemContentType)
    .serializer((payload: unknown) => JSON.stringify(payload))
    .send(problem);
}

/**
 * A storage error the store classified, unwrapped from the query error Drizzle wraps it in
 * (whose message carries the bound parameters, so it is never what gets logged).
 */
function storageError(error: unknown): unknown {
  return error instanceof Error &&
    (error.cause instanceof StorageUnavailableError || error.cause instanceof ConstraintError)
    ? error.cause
    : error;
}

export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((raised: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const error = storageError(raised);
    const { problem, headers } = toProblem(error, request.id);
    if (problem.status >= 500) {
      request.log.error({ err: error }, 'request failed');
    }
    return sendProblem(reply, problem, headers);
  });

  // Any operation can meet the rate limit (429), a bug (500) or a failing disk (503): documented
  // everywhere, so a client generated from the OpenAPI document expects them.
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: Record<string, unknown> } | undefined;
    if (schema?.response === undefined) return;
    schema.response = { ...problemResponses(429, 500, 503), ...schema.response };
  });

  // Known paths with an unsupported method answer 405 with Allow (RFC 9110 §15.5.6), not 404.
  const routes: Array<{ pattern: RegExp; method: string }> = [];
  app.addHook('onRoute', (route) => {
    const pattern = new RegExp(
      `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/]+')}$`,
    );
    for (const method of [route.method].flat()) routes.push({ pattern, method });
  });

  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [
      ...new Set(routes.filter((route) => route.pattern.test(path)).map((route) => route.method)),
    ];
    if (allowed.length > 0) {
      const problem = toProblem(
        new HttpError(405, 'method-not-allowed', `Use ${allowed.join(', ')} on this path.`),
        request.id,
      );
      return sendProblem(reply, problem.problem, { allow: allowed.join(', ') });
    }
    const { problem } = toProblem(notFound('No such route or resource.'), request.id);
    return sendProblem(reply, problem);
  });
}

/**
 * Errors Node's HTTP parser raises before a request exists (headers too large, a client too
 * slow, malformed HTTP): answered as problem+json too, then the connection is closed.
 */
export function clientErrorResponse(error: { code?: string }): string | null {
  if (error.code === 'ECONNRESET') return null;
  const [status, code, detail] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'headers-too-large',
          'The request line or headers are larger than the server accepts.',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'The request was not received in time.']
        : [400, 'bad-http', 'The request is not valid HTTP.'];
  const body = JSON.stringify({
    type: `urn:broadsheet:problem:${code}`,
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    requestId: randomUUID(),
  });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: ${problemContentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}
