import { ObjectId, type Collection, type Document, type Filter, type WithId } from 'mongodb';
import { InvalidCursorError } from './errors';

/** A page of documents in `_id` order; `after` is the `_id` (hex) of the last document of the previous page. */
export interface PageRequest {
  first: number;
  after?: string;
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** An id from outside (a cursor, a GraphQL id) that is not an ObjectId names nothing. */
export function parseObjectId(text: string): ObjectId | null {
  return ObjectId.isValid(text) && new ObjectId(text).toHexString() === text.toLowerCase() ? new ObjectId(text) : null;
}

/** Null for an unknown or malformed id. */
export async function findByHexId<T extends Document & { _id: ObjectId }>(
  collection: Collection<T>,
  id: string,
): Promise<WithId<T> | null> {
  const objectId = parseObjectId(id);
  return objectId === null ? null : collection.findOne({ _id: objectId } as Filter<T>);
}

async function readPage<T extends Document>(
  collection: Collection<T>,
  query: Filter<T>,
  sort: Record<string, 1 | -1>,
  first: number,
): Promise<Page<WithId<T>>> {
  // One document more than asked says whether another page follows.
  const documents = await collection
    .find(query)
    .sort(sort)
    .limit(first + 1)
    .toArray();
  return { items: documents.slice(0, first), hasNextPage: documents.length > first };
}

/**
 * The filter narrowed to keys past the cursor. A filter without an `_id`
 * condition takes it as one more top-level field, not under `$and`: the same
 * query to MongoDB, but FerretDB pushes top-level equality fields down to its
 * database and nothing under `$and` (docs/local-store.md).
 */
function afterKey<T extends Document>(filter: Filter<T>, range: Record<string, unknown>): Filter<T> {
  return ('_id' in filter ? { $and: [filter, { _id: range }] } : { ...filter, _id: range }) as Filter<T>;
}

/**
 * Cursor pagination on `_id` (stable under inserts, unlike skip/limit), for
 * any `_id` type: `after` is the `_id` of the last document of the previous
 * page, already parsed by the caller.
 */
export async function pageByKey<T extends Document>(
  collection: Collection<T>,
  filter: Filter<T>,
  page: { first: number; after?: T['_id'] },
  direction: 1 | -1 = 1,
): Promise<Page<WithId<T>>> {
  const query = page.after === undefined ? filter : afterKey(filter, { [direction === 1 ? '$gt' : '$lt']: page.after });
  return readPage(collection, query, { _id: direction }, page.first);
}

/** `pageByKey` for ObjectId keys given as hex cursors. */
export async function pageById<T extends Document & { _id: ObjectId }>(
  collection: Collection<T>,
  filter: Filter<T>,
  page: PageRequest,
  direction: 1 | -1 = 1,
): Promise<Page<WithId<T>>> {
  const after = page.after === undefined ? undefined : parseObjectId(page.after);
  if (after === null) throw new InvalidCursorError(page.after as string);
  return pageByKey(collection, filter, { first: page.first, after: after as T['_id'] | undefined }, direction);
}

/**
 * Newest first by a time field, with `_id` breaking ties, for records whose
 * `_id` says nothing about time (sync runs). The cursor is the last `_id`.
 */
export async function pageNewestFirst<T extends Document & { _id: string }>(
  collection: Collection<T>,
  filter: Filter<T>,
  timeField: keyof T & string,
  page: PageRequest,
): Promise<Page<WithId<T>>> {
  let query = filter;
  if (page.after !== undefined) {
    const last = await collection.findOne({ _id: page.after } as Filter<T>);
    if (last === null) throw new InvalidCursorError(page.after);
    const time = last[timeField] as unknown;
    query = {
      $and: [filter, { $or: [{ [timeField]: { $lt: time } }, { [timeField]: time, _id: { $lt: page.after } }] }],
    } as Filter<T>;
  }
  return readPage(collection, query, { [timeField]: -1, _id: -1 }, page.first);
}
