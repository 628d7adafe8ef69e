import { apiError } from './errors';

/** The lists that page with cursors; a cursor names the one it came from. */
export type CursorList = 'courses' | 'students' | 'enrollments' | 'syncErrors' | 'syncRuns' | 'staleCourses';

/**
 * Connection cursors are opaque to clients: the `_id` of the last row of a
 * page and the list it belongs to, wrapped so that nobody builds them by hand
 * and a cursor of one list is refused by another (ids of students,
 * enrollments and sync errors look alike). Not signed: a forged cursor only
 * chooses where a page of a list the caller may read starts.
 */
const VERSION = 'c2';

export const MAX_PAGE_SIZE = 100;

/** Also what the store's refusal of a cursor naming no row of its list becomes (app.ts). */
export function invalidCursor() {
  return apiError('BAD_USER_INPUT', 'The cursor is not one this API gave out.', { argument: 'after' });
}

export function encodeCursor(list: CursorList, id: string | number): string {
  return Buffer.from(`${VERSION}:${list}:${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(list: CursorList, cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const prefix = `${VERSION}:${list}:`;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // Decoding skips what is not base64: only the exact text this API encodes is one of its cursors.
  const id = text.slice(prefix.length);
  if (!text.startsWith(prefix) || id === '' || encodeCursor(list, id) !== cursor) {
    throw invalidCursor();
  }
  return id;
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? 50;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw apiError('BAD_USER_INPUT', `"first" must be between 1 and ${MAX_PAGE_SIZE}.`, { argument: 'first' });
  }
  return size;
}

export interface Connection<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  totalCount: number;
}

/** The `first` / `after` arguments every list field takes. */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/** Validates the page arguments, then reads the page and the total count at once. */
export async function connection<T extends { _id: { toString(): string } | number | string }>(
  list: CursorList,
  args: PageArgs,
  read: (page: { first: number; after?: string }) => Promise<{ items: T[]; hasNextPage: boolean }>,
  count: () => Promise<number>,
): Promise<Connection<T>> {
  const page = { first: pageSize(args.first), after: decodeCursor(list, args.after) };
  const [found, total] = await Promise.all([read(page), count()]);
  return toConnection(list, found, total);
}

function toConnection<T extends { _id: { toString(): string } | number | string }>(
  list: CursorList,
  page: { items: T[]; hasNextPage: boolean },
  totalCount: number,
): Connection<T> {
  return keyedToConnection(
    list,
    page.items.map((node) => ({ key: String(node._id), node })),
    page.hasNextPage,
    totalCount,
  );
}

/**
 * For a list in an order of its own rather than by `_id` (stale courses: oldest grades first): one read
 * gives the page, the total and each node's key in that order, which its cursor carries.
 */
export async function keyedConnection<T>(
  list: CursorList,
  args: PageArgs,
  read: (page: {
    first: number;
    after?: string;
  }) => Promise<{ edges: { key: string; node: T }[]; hasNextPage: boolean; totalCount: number }>,
): Promise<Connection<T>> {
  const found = await read({ first: pageSize(args.first), after: decodeCursor(list, args.after) });
  return keyedToConnection(list, found.edges, found.hasNextPage, found.totalCount);
}

function keyedToConnection<T>(
  list: CursorList,
  keyed: { key: string; node: T }[],
  hasNextPage: boolean,
  totalCount: number,
): Connection<T> {
  const edges = keyed.map(({ key, node }) => ({ cursor: encodeCursor(list, key), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
