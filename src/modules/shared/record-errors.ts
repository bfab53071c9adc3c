// What a repository reports when stored data refuses a write, in storage terms: services turn
// these into answers phrased for the request (service-errors.ts). `ConstraintError` (db/store.ts)
// passes through the same way.

/** A slug asked for explicitly is another record's. */
export class SlugTakenError extends Error {
  constructor(readonly slug: string) {
    super(`The slug "${slug}" is already taken.`);
    this.name = 'SlugTakenError';
  }
}

/** One id a write refers to that names no stored record. */
export interface MissingReference {
  /** The input field, e.g. `photoId` or `tagIds`. */
  field: string;
  /** The position in a list field; undefined for a single id. */
  index: number | undefined;
  id: string;
  /** What kind of record it should name, e.g. "tag". */
  kind: string;
}

/** Ids that name no stored record; every one is reported, in input order. */
export class MissingReferencesError extends Error {
  constructor(readonly missing: MissingReference[]) {
    super(`${missing.length} referenced record(s) do not exist.`);
    this.name = 'MissingReferencesError';
  }
}

/** A versioned record changed between reading it and writing it (another writer won). */
export class StaleWriteError extends Error {
  constructor(readonly currentVersion: number) {
    super(`The record changed during the write; it was at version ${currentVersion}.`);
    this.name = 'StaleWriteError';
  }
}

/** A translation group has an edition in that language already, or the article is in another. */
export class EditionTakenError extends Error {}
