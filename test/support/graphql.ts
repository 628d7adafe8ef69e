import { request } from 'undici';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  /** The raw body, for checks that nothing secret or internal leaked. */
  text: string;
}

/** Posts a GraphQL operation over real HTTP, as the front end does. */
export async function graphql<T = Record<string, unknown>>(
  url: string,
  query: string,
  options: { key?: string; variables?: Record<string, unknown> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await request(`${url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.key !== undefined && { authorization: `Bearer ${options.key}` }),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const text = await response.body.text();
  return { status: response.statusCode, body: JSON.parse(text) as GraphQLResponse<T>['body'], text };
}

/** The `extensions.code` of each error, in order. */
export function errorCodes(response: GraphQLResponse): unknown[] {
  return (response.body.errors ?? []).map((error) => error.extensions?.code);
}
