import { ConstraintError } from '../../db/store.ts';
import { conflict, invalidFields, preconditionFailed } from '../../errors.ts';
import {
  EditionTakenError,
  MissingReferencesError,
  SlugTakenError,
  StaleWriteError,
} from './record-errors.ts';

/**
 * Runs a repository call and rephrases what stored data refused in the request's terms: a taken
 * slug is a 409 on `body.slug`, an unknown id a 400 naming the field (`body.tagIds.2`), a
 * lost race with another writer a 412, a translation group's rule a 409, and a foreign key that still holds the record (ON DELETE
 * RESTRICT) a 409 saying what to do instead.
 */
export async function inRequestTerms<T>(
  work: Promise<T>,
  messages: { inUse?: string } = {},
): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof SlugTakenError) {
      throw conflict(error.message, [
        {
          path: 'body.slug',
          message: 'Already taken; choose another or omit it to get one generated.',
        },
      ]);
    }
    if (error instanceof MissingReferencesError) {
      throw invalidFields(
        error.missing.map(({ field, index, id, kind }) => ({
          path: index === undefined ? `body.${field}` : `body.${field}.${index}`,
          message: index === undefined ? `No ${kind} with that id.` : `No ${kind} with id ${id}.`,
        })),
      );
    }
    if (error instanceof EditionTakenError) throw conflict(error.message);
    if (error instanceof StaleWriteError) {
      throw preconditionFailed('The record changed during the update.', error.currentVersion);
    }
    if (
      messages.inUse !== undefined &&
      error instanceof ConstraintError &&
      error.kind === 'foreign_key'
    ) {
      throw conflict(messages.inUse);
    }
    throw error;
  }
}
