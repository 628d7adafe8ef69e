import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { GraphqlOperationObservation } from '../metrics/graphql-operations';

interface Pending {
  startedAt: number;
  operation: string;
  field: string;
  /** Set once a GraphQL result exists; requests refused before one is made have none. */
  code?: string;
}

const UNKNOWN = { operation: 'unknown', field: 'unknown' };
const META_FIELDS: ReadonlySet<string> = new Set(['__schema', '__type', '__typename']);

/**
 * Labels that the schema bounds: the operation type, and its root field when the schema has it.
 * Operation names and unknown field names are the client's words, which would make a series each.
 */
function operationLabels(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
): Pick<Pending, 'operation' | 'field'> {
  const operation = getOperationAST(document, operationName);
  if (!operation) return UNKNOWN;
  const known = schema.getRootType(operation.operation)?.getFields() ?? {};
  const names = new Set(
    operation.selectionSet.selections.flatMap((selection) =>
      selection.kind === Kind.FIELD ? [selection.name.value] : [],
    ),
  );
  const [only] = names;
  const field =
    names.size > 1 ? 'multiple' : only !== undefined && (only in known || META_FIELDS.has(only)) ? only : 'unknown';
  return { operation: operation.operation, field };
}

/** `ok`, or the first error's code (every error has one: app.ts `everyErrorHasACode`). */
function resultCode(result: unknown): string {
  const [first] = (result as { errors?: readonly { extensions?: { code?: unknown } }[] }).errors ?? [];
  if (first === undefined) return 'ok';
  const code = first.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

/** A request answered without a GraphQL result: the API key check (401) or an HTTP-level refusal. */
function refusalCode(status: number): string | undefined {
  if (status === 401) return 'UNAUTHENTICATED';
  return status >= 400 ? 'BAD_REQUEST' : undefined;
}

/**
 * Counts and times every request to `path`, refused ones included (UNAUTHENTICATED, FORBIDDEN,
 * GRAPHQL_VALIDATION_FAILED…), from its arrival to its response; GraphiQL's page is not an
 * operation and is left out. Two plugins: `first` goes before any plugin that may answer early
 * (the API key check), `last` after every plugin that rewrites results, to see them as clients do.
 */
export function operationMetrics(
  path: string,
  observe: (observation: GraphqlOperationObservation) => void,
): { first: Plugin<YogaInitialContext>; last: Plugin<YogaInitialContext> } {
  const pending = new WeakMap<Request, Pending>();
  return {
    first: {
      onRequest({ request, url }) {
        if (url.pathname === path) pending.set(request, { startedAt: performance.now(), ...UNKNOWN });
      },
    },
    last: {
      onValidate({ params: { schema, documentAST }, context }) {
        const entry = pending.get(context.request);
        if (entry) Object.assign(entry, operationLabels(schema, documentAST, context.params.operationName));
      },
      onResultProcess({ request, result }) {
        const entry = pending.get(request);
        if (entry) entry.code = resultCode(result);
      },
      onResponse({ request, response }) {
        const entry = pending.get(request);
        if (entry === undefined) return;
        pending.delete(request);
        const code = entry.code ?? refusalCode(response.status);
        if (code === undefined) return;
        const { operation, field, startedAt } = entry;
        observe({ operation, field, code, durationMs: performance.now() - startedAt });
      },
    },
  };
}
