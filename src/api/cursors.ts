import { apiError } from './errors';

/**
 * Connection cursors are opaque to clients: the `_id` of the last row of a
 * page, wrapped so that nobody builds them by hand.
 */
const PREFIX = 'c1:';

export const MAX_PAGE_SIZE = 100;

export function encodeCursor(id: string | number): string {
  return Buffer.from(`${PREFIX}${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX) || text.length === PREFIX.length) {
    throw apiError('BAD_USER_INPUT', 'The cursor is not one this API gave out.', { argument: 'after' });
  }
  return text.slice(PREFIX.length);
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
  args: PageArgs,
  list: (page: { first: number; after?: string }) => Promise<{ items: T[]; hasNextPage: boolean }>,
  count: () => Promise<number>,
): Promise<Connection<T>> {
  const page = { first: pageSize(args.first), after: decodeCursor(args.after) };
  const [found, total] = await Promise.all([list(page), count()]);
  return toConnection(found, total);
}

function toConnection<T extends { _id: { toString(): string } | number | string }>(
  page: { items: T[]; hasNextPage: boolean },
  totalCount: number,
): Connection<T> {
  const edges = page.items.map((node) => ({ cursor: encodeCursor(String(node._id)), node }));
  return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
}
