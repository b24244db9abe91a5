import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getOperationAST,
  visit,
  type DocumentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Config } from '../config.js';
import { assertMayExecute } from '../http/auth.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { Context, Viewer } from './context.js';

/**
 * Checks that run once an operation is parsed, validated and chosen, before anything executes — for
 * HTTP (as an Apollo plugin) and WebSocket (ws.ts calls `guardOperation` from `onSubscribe`) alike:
 * viewers may not mutate, workers call only what running jobs needs, introspection is for admins in production, and `runJob` is rate limited
 * per client (every `runJob` and `retryJobs` field counts once, aliases included).
 */
export interface OperationGuard {
  config: Pick<Config, 'NODE_ENV'>;
  runJobLimiter: RateLimiter;
}

export interface GuardRequest {
  viewer: Viewer;
  clientId: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/** The names of the fields at the root of an operation, through fragments (each alias counts once). */
export function rootFieldNames(document: DocumentNode, set: SelectionSetNode, seen = new Set<string>()): string[] {
  const names: string[] = [];
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      names.push(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      names.push(...rootFieldNames(document, selection.selectionSet, seen));
    } else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
      if (fragment?.kind === Kind.FRAGMENT_DEFINITION) names.push(...rootFieldNames(document, fragment.selectionSet, seen));
    }
  }
  return names;
}

/** Root mutation fields that count against the runJob limit, one per field. */
const RATE_LIMITED_FIELDS: ReadonlySet<string> = new Set(['runJob', 'retryJobs', 'retryFailureGroup']);

function usesIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') found = true;
    },
  });
  return found;
}

/**
 * The checks that need no I/O (roles, introspection); throws what they refuse. Returns how many root
 * fields of a mutation count against the runJob limit, which `guardOperation` then enforces.
 */
export function checkOperation(guard: Pick<OperationGuard, 'config'>, request: Omit<GuardRequest, 'clientId'>): number {
  const { viewer, operation, document } = request;
  const rootFields = rootFieldNames(document, operation.selectionSet);
  assertMayExecute(viewer, operation.operation, rootFields);
  if (guard.config.NODE_ENV === 'production' && viewer.role !== 'admin' && usesIntrospection(document)) {
    throw new GraphQLError('introspection is disabled in production for non-admin tokens', {
      extensions: { code: 'FORBIDDEN', http: { status: 403 } },
    });
  }
  // A bulk retry counts once, like one runJob, however many jobs it queues again.
  return operation.operation === OperationTypeNode.MUTATION ? rootFields.filter((name) => RATE_LIMITED_FIELDS.has(name)).length : 0;
}

export async function guardOperation(guard: OperationGuard, request: GuardRequest): Promise<void> {
  const runJobs = checkOperation(guard, request);
  if (runJobs > 0) await guard.runJobLimiter.enforce(request.clientId, runJobs);
}

/** The HTTP side: Apollo calls this after choosing the operation and before executing it. */
export function operationGuardPlugin(guard: OperationGuard): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ contextValue, document, operation }) {
          if (!operation) return;
          if (operation.operation === OperationTypeNode.SUBSCRIPTION) {
            throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql, not over HTTP', {
              extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
            });
          }
          await guardOperation(guard, { viewer: contextValue.viewer, clientId: contextValue.clientId, document, operation });
        },
      };
    },
  };
}

/**
 * The WebSocket side, in the shape ws.ts's `authorize` option takes: the same checks, answered as a
 * GraphQL error on the subscription (there is no HTTP status on a socket, so `extensions.http` goes).
 */
export function wsAuthorizer(guard: OperationGuard, clientIdFor: (viewer: Viewer, address: string) => string) {
  return async (
    viewer: Viewer,
    document: DocumentNode,
    operationName: string | null | undefined,
    address: string,
  ): Promise<GraphQLError | null> => {
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation) return null; // graphql-js reports an unknown or ambiguous operation itself
    try {
      await guardOperation(guard, { viewer, clientId: clientIdFor(viewer, address), document, operation });
      return null;
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      const { http: _http, ...extensions } = error.extensions;
      return new GraphQLError(error.message, { extensions });
    }
  };
}
