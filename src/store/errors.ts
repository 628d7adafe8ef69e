import {
  MongoNetworkError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  type Collection,
  type Document,
  type OptionalUnlessRequiredId,
} from 'mongodb';
import { isDuplicateKeyError } from './mongo';

/** A create refused because the record already exists; the API maps it to a typed error. */
export class DuplicateRecordError extends Error {
  override readonly name = 'DuplicateRecordError';

  constructor(
    readonly record: 'student' | 'enrollment',
    message: string,
  ) {
    super(message);
  }
}

/** A cursor that names no row this store could have given out; the API reports it as bad input. */
export class InvalidCursorError extends RangeError {
  override readonly name = 'InvalidCursorError';

  constructor(cursor: string) {
    super(`invalid cursor "${cursor}"`);
  }
}

/**
 * The database did not answer (no server selectable, a connection lost or refused, the client closed):
 * a condition that passes, which callers report as "unavailable, try again" rather than as a bug.
 * Layers above the store ask this instead of knowing the driver's error classes.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return (
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNetworkError ||
    error instanceof MongoTopologyClosedError
  );
}

/**
 * Inserts a new record; a unique index refusing it becomes `duplicate`
 * (detected on the insert only: docs/ferretdb.md, the must-avoid list).
 */
export async function insertNew<T extends Document>(
  collection: Collection<T>,
  document: OptionalUnlessRequiredId<T>,
  duplicate: () => DuplicateRecordError,
): Promise<void> {
  try {
    await collection.insertOne(document);
  } catch (error) {
    throw isDuplicateKeyError(error) ? duplicate() : error;
  }
}
