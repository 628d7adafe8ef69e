import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { getOperationAST, GraphQLError } from 'graphql';
import { createSchema, createYoga, maskError, type Plugin, type YogaInitialContext } from 'graphql-yoga';
import { DEFAULT_EVENTS_PER_MINUTE } from '../domain/moodle-events';
import { InvalidCursorError, isDatabaseUnavailable } from '../store';
import { authenticate } from './auth';
import { createLoaders, type ApiContext, type ApiDeps } from './context';
import { invalidCursor } from './cursors';
import { GRAPHIQL, renderGraphiQL } from './graphiql';
import { apiError, DATABASE_RETRY_AFTER_SECONDS } from './errors';
import { operationMetrics } from './operation-metrics';
import { moodleHooks } from './hooks/moodle-hooks';
import { mutationRateLimit, MUTATION_RATE_LIMIT } from './rate-limit';
import { jsonBodiesOnly, MAX_REQUEST_BODY_BYTES } from './request-body';
import { Mutation } from './resolvers/mutation';
import { Query } from './resolvers/query';
import { Course, DateTime, Enrollment, Student, SyncError, SyncRun } from './resolvers/types';
import { typeDefs } from './schema';

export const GRAPHQL_PATH = '/graphql';

/**
 * Limits for hostile or careless queries (GraphQL Armor). The cost counts
 * `first` as a multiplier: the front end's heaviest real query (a student's 50
 * enrollments with full report cards) costs about 17,000, while nesting one
 * paginated list inside another (100 × 100 rows) costs millions.
 */
const ARMOR = {
  maxDepth: { n: 8 },
  maxAliases: { n: 10 },
  costLimit: { maxCost: 50_000 },
  maxTokens: { n: 2000 },
  maxDirectives: { n: 20 },
  blockFieldSuggestion: { enabled: true },
};

export function createSchemaForApi() {
  return createSchema<ApiContext>({
    typeDefs,
    resolvers: { DateTime, Query, Mutation, Course, Student, Enrollment, SyncRun, SyncError },
  });
}

/** Requests without a valid key never reach GraphQL: 401 with the same error shape as every other error. */
function requireApiKey(deps: ApiDeps): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== GRAPHQL_PATH) return;
      if (deps.graphiql && request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      if (authenticate(request.headers.get('authorization'), deps.apiKeys) !== null) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [
              {
                message: 'A valid API key is required (Authorization: Bearer <key>).',
                extensions: { code: 'UNAUTHENTICATED' },
              },
            ],
          }),
          { status: 401, headers: { 'content-type': 'application/json', 'www-authenticate': 'Bearer' } },
        ),
      );
    },
  };
}

/** Readers (the front end) read; only admins change anything. */
const mutationsAreForAdmins: Plugin<ApiContext> = {
  onExecute({ args, setResultAndStopExecution }) {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation === 'mutation' && args.contextValue.viewer.role !== 'admin') {
      setResultAndStopExecution({ errors: [apiError('FORBIDDEN', 'Only admins may change data.')] });
    }
  },
};

/**
 * GraphQL Armor words every refusal as a syntax error
 * ("Syntax Error: Query Cost limit of 50000 exceeded, found 61200.").
 */
const ARMOR_REFUSAL = new RegExp(
  String.raw`^Syntax Error: ((?:Query Cost|Query depth|Aliases|Token|Directives) limit of (\d+) exceeded, ` +
    String.raw`found (\d+(?:\.\d+)?)\.)$`,
  'i',
);

function refusalMessage(message: string): string {
  const refusal = ARMOR_REFUSAL.exec(message);
  if (refusal === null) return message;
  const [, text, limit, found] = refusal;
  return text!.toLowerCase().startsWith('query cost')
    ? `The query is too expensive: it costs ${Math.ceil(Number(found))}, and the limit is ${limit} ` +
        `(a list's "first" multiplies the cost of what it holds).`
    : text!;
}

/** A refusal of the request itself, before anything ran: 400 whatever the client accepts. */
function asRefusal(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  const http = error.extensions?.http as { status?: number; spec?: boolean } | undefined;
  if (code !== undefined && http?.spec !== true) return error;
  const { spec: _, ...rest } = http ?? {};
  return new GraphQLError(code === undefined ? refusalMessage(error.message) : error.message, {
    nodes: error.nodes,
    extensions: { ...error.extensions, code: code ?? 'GRAPHQL_VALIDATION_FAILED', http: { status: 400, ...rest } },
  });
}

/**
 * GraphQL Armor's refusals (depth, aliases, cost, tokens) carry no code and
 * call themselves syntax errors; say what was refused, and give every error
 * without a code the one Yoga gives refused queries, so that clients can
 * always branch on `extensions.code`. Yoga answers parse and validation errors
 * with 200 to clients that accept `application/json` (the GraphQL over HTTP
 * spec's allowance for old clients); here every refusal is a 4xx.
 */
const everyErrorHasACode: Plugin<ApiContext> = {
  onResultProcess({ result, setResult }) {
    if (Array.isArray(result) || !('errors' in result) || !Array.isArray(result.errors)) return;
    const errors = result.errors as GraphQLError[];
    const answered = errors.map(asRefusal);
    if (answered.every((error, index) => error === errors[index])) return;
    setResult({ ...result, errors: answered });
  },
};

/** What a client sees while MongoDB does not answer: a condition that passes, not a bug. */
function databaseUnavailable() {
  return apiError(
    'DATABASE_UNAVAILABLE',
    'The database is not answering; try again shortly.',
    {},
    { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  );
}

/**
 * The GraphQL API as a fetch-style handler; `createApiServer` serves it.
 * Error masking stays on: anything that is not an expected `GraphQLError`
 * reaches clients as "Unexpected error." and is logged here.
 */
export function createApp(deps: ApiDeps) {
  const metrics = deps.observeOperation && operationMetrics(GRAPHQL_PATH, deps.observeOperation);
  return createYoga<object, ApiContext>({
    schema: createSchemaForApi(),
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: deps.graphiql && GRAPHIQL,
    renderGraphiQL,
    landingPage: false,
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    multipart: false,
    healthCheckEndpoint: '/health/live',
    logging: {
      debug: (...args) => deps.logger.debug({ args }, 'graphql'),
      info: (...args) => deps.logger.info({ args }, 'graphql'),
      warn: (...args) => deps.logger.warn({ args }, 'graphql'),
      error: (...args) => deps.logger.error({ args }, 'graphql'),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = (error instanceof GraphQLError ? error.originalError : undefined) ?? error;
        if (original instanceof InvalidCursorError) return invalidCursor();
        if (isDatabaseUnavailable(original)) {
          deps.logger.warn({ err: original }, 'the database did not answer a GraphQL request');
          return databaseUnavailable();
        }
        if (!(original instanceof GraphQLError))
          deps.logger.error({ err: original }, 'unexpected error in a GraphQL request');
        return maskError(error, message, isDev);
      },
    },
    plugins: [
      ...(metrics ? [metrics.first] : []),
      moodleHooks({
        rateLimit: { perMinute: DEFAULT_EVENTS_PER_MINUTE },
        ...deps.moodleHooks,
        stores: deps.stores,
        syncs: deps.syncs,
        logger: deps.logger,
      }),
      requireApiKey(deps),
      jsonBodiesOnly,
      EnvelopArmorPlugin(ARMOR),
      mutationsAreForAdmins,
      mutationRateLimit(deps.mutationRateLimit ?? MUTATION_RATE_LIMIT),
      everyErrorHasACode,
      ...(metrics ? [metrics.last] : []),
    ],
    context: ({ request }: YogaInitialContext): ApiContext => {
      const viewer = authenticate(request.headers.get('authorization'), deps.apiKeys);
      // requireApiKey has already refused requests without a valid key.
      if (viewer === null) throw apiError('UNAUTHENTICATED', 'A valid API key is required.');
      return { viewer, deps, loaders: createLoaders(deps.stores) };
    },
  });
}

export type ApiApp = ReturnType<typeof createApp>;
