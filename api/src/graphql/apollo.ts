import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Context } from './context.js';
import { limitValidationRules, parseOptions } from './limits.js';

const SAFE_CODES = new Set([
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'RATE_LIMITED',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
  'BAD_REQUEST',
  'DATABASE_UNAVAILABLE',
]);

/**
 * Client errors pass through with their code and message. Anything else is an internal failure:
 * logged in full, answered as INTERNAL_SERVER_ERROR without stack or SQL.
 */
export function formatError(log: (err: unknown) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = String(formatted.extensions?.code ?? '');
    if (SAFE_CODES.has(code)) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const cause = unwrapResolverError(error);
    log(cause);
    if (isDatabaseUnavailable(cause)) {
      // An outage is not a bug: say so, and that retrying is the right move.
      return {
        message: 'the database is unavailable right now: retry shortly',
        path: formatted.path,
        extensions: { code: 'DATABASE_UNAVAILABLE' },
      };
    }
    return {
      message: 'internal error: the failure was logged on the server',
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  log: (err: unknown) => void,
  plugins: ApolloServerPlugin<Context>[] = [],
) {
  return new ApolloServer<Context>({
    schema,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: false,
    introspection: true,
    // Schema hints ("Did you mean …?") in production would undo turning introspection off for viewers.
    hideSchemaDetailsFromClientErrors: config.NODE_ENV === 'production',
    // Depth, aliases, cost and tokens: the same limits graphql-ws applies (see limits.ts).
    validationRules: limitValidationRules(),
    parseOptions: parseOptions(),
    formatError: formatError(log),
    // Apollo's landing page pulls Apollo Sandbox from a third-party CDN; our own GraphiQL is at /playground.
    // Cache control (on by default) hooks every resolved field to compute cache hints, and we set none:
    // every answer is live data. Off, a `createJobs` of 1,000 resolves 2,000 fields without a hook each.
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginCacheControlDisabled(), ...plugins],
  });
}
