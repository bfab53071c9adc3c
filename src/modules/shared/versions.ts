import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { ifMatchRequiredDetail, preconditionFailed, preconditionRequired } from '../../errors.ts';

// Optimistic concurrency for versioned records (articles, collections): the ETag an editor gets
// is the record's version, and a change must send it back in If-Match. Two editors who loaded
// the same version cannot both win; the loser gets 412 with the version to reload.

/** The versions an If-Match header accepts, or any version for `If-Match: *`. */
export type ExpectedVersion = { versions: number[] } | 'any';

/** Required: without it the answer is 428 (see plugins/error-handler.ts), with a stale one 412. */
export const ifMatchHeaders = z.looseObject({
  'if-match': z
    .string()
    .max(200)
    .meta({ description: 'The record’s current ETag (its version), e.g. "3", or `*`.' }),
});

/** RFC 9110 If-Match: strong comparison, so weak tags never match; `*` matches any version. */
export function parseIfMatch(header: string | undefined): ExpectedVersion {
  if (header === undefined || header.trim() === '') {
    throw preconditionRequired(ifMatchRequiredDetail);
  }
  if (header.trim() === '*') return 'any';
  const versions = header
    .split(',')
    .map((tag) => /^\s*(?:"(\d{1,9})"|(\d{1,9}))\s*$/.exec(tag))
    .flatMap((match) => (match === null ? [] : [Number(match[1] ?? match[2])]));
  return { versions };
}

/** The strong ETag of a version, as If-Match sends it back. */
export const versionTag = (version: number): string => `"${version}"`;

/** An editor's record with its version as the ETag, so it can be sent straight back in If-Match. */
export const sendVersioned = <T extends { version: number }>(
  reply: FastifyReply,
  data: T,
  status = 200,
) => reply.code(status).header('etag', versionTag(data.version)).send({ data });

/** 412 unless the stored version is one the caller expects. */
export function checkVersion(noun: string, current: number, expected: ExpectedVersion): void {
  if (expected !== 'any' && !expected.versions.includes(current)) {
    throw preconditionFailed(
      `The ${noun} has changed since you loaded it: it is at version ${current}. Reload, reapply your change and send If-Match: "${current}".`,
      current,
    );
  }
}
