import type { Server } from 'node:http';
import {
  GraphQLError,
  Kind,
  execute,
  getOperationAST,
  subscribe,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { SubscriptionFanout, type FanoutMember } from './fanout.js';
import { formatError } from './apollo.js';
import type { Context, Services, Viewer } from './context.js';

export interface WsOptions {
  schema: GraphQLSchema;
  services: Services;
  /**
   * Decides who a connection is from `connectionParams.authorization` (same token format as HTTP).
   * `null` refuses the connection: it is closed with 4403 Forbidden.
   * @default every connection is an anonymous admin (no tokens configured)
   */
  authenticate?: (authorization: string | undefined) => Viewer | null;
  /** Checks an operation for this viewer before it runs (viewers may not mutate; rate limits, see operation-guard.ts). */
  authorize?: (
    viewer: Viewer,
    document: DocumentNode,
    operationName: string | null | undefined,
    clientId: string,
  ) => GraphQLError | null | Promise<GraphQLError | null>;
  /** Extra validation rules, the same ones HTTP uses (depth, aliases, cost). */
  validationRules?: readonly ValidationRule[];
  /** Parser token limit, as on HTTP. @default 5_000 */
  maxTokens?: number;
  /** A client must send `connection_init` within this time or is closed with 4408. @default 3_000 */
  connectionInitWaitTimeoutMs?: number;
  /** Larger frames close the socket with 1009 (Message Too Big). @default 1 MiB */
  maxPayloadBytes?: number;
  /** Ping interval; a client that misses a pong is dropped. @default 12_000 */
  keepAliveMs?: number;
  log: (err: unknown) => void;
}

type Extra = {
  viewer?: Viewer;
  clientId?: string;
};

/** Where a subscription's context says which fan-out group and member it is. */
const FANOUT = Symbol('fanout');
type SubscriptionContext = Context & { [FANOUT]?: { key: string; member: FanoutMember } };

/** A subscriber this far behind (bytes queued on its socket) misses frames until it catches up. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

const anonymous: Viewer = { name: 'anonymous', role: 'admin' };

/** The error with `extensions.code` set, as Apollo's internal error classes set it on HTTP. */
function withCode(code: string, error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError ?? error,
    extensions: { ...error.extensions, code },
  });
}

/** What Apollo's DisableSuggestions plugin strips from validation messages. */
function withoutSuggestions(error: GraphQLError): GraphQLError {
  const message = error.message.replace(/ ?Did you mean(.+?)\?$/, '');
  return message === error.message
    ? error
    : new GraphQLError(message, { nodes: error.nodes, originalError: error.originalError, extensions: error.extensions });
}

/**
 * A variable that does not fit its type, which graphql-js reports from `execute` without a code:
 * Apollo answers it as BAD_USER_INPUT (the same test as its `isBadUserInputGraphQLError`).
 */
function isVariableCoercionError(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (error.extensions.code != null || node?.kind !== Kind.VARIABLE_DEFINITION) return false;
  const name = `Variable "$${node.variable.name.value}"`;
  return [' has invalid value', ' got invalid value ', ' of required type ', ' of non-null type '].some((rest) =>
    error.message.startsWith(name + rest),
  );
}

const asError = (value: unknown): Error => (value instanceof Error ? value : new Error(String(value)));

/** graphql-ws on `/graphql`, sharing the HTTP server's port. */
export function attachGraphqlWs(server: Server, options: WsOptions): { fanout: SubscriptionFanout; close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const format = formatError(options.log);
  const mask = (e: GraphQLError) => format(e.toJSON(), e);
  // As Apollo's `hideSchemaDetailsFromClientErrors` on HTTP: no "Did you mean …?" in production.
  const hideSchemaDetails = options.services.config.NODE_ENV === 'production';
  const fanout = new SubscriptionFanout((result) =>
    result.errors?.length
      ? { ...result, errors: result.errors.map((e) => mask(isVariableCoercionError(e) ? withCode('BAD_USER_INPUT', e) : e)) as never }
      : result,
  );

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs ?? 3_000,
      onConnect: (ctx) => {
        const raw = ctx.connectionParams?.authorization;
        const viewer = options.authenticate ? options.authenticate(typeof raw === 'string' ? raw : undefined) : anonymous;
        if (!viewer) return false;
        ctx.extra.viewer = viewer;
        ctx.extra.clientId = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        return true;
      },
      // Every client error gets the code and message HTTP (Apollo) gives it; only what is left without
      // a code is a server fault, which `mask` logs and answers as INTERNAL_SERVER_ERROR.
      onSubscribe: async (ctx, id, payload) => {
        if (!payload.query) {
          return [
            withCode(
              'BAD_REQUEST',
              new GraphQLError('GraphQL operations must contain a non-empty `query` or a `persistedQuery` extension.'),
            ),
          ];
        }
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens ?? 5_000 });
        } catch (error) {
          return [withCode('GRAPHQL_PARSE_FAILED', error instanceof GraphQLError ? error : new GraphQLError(String(error)))];
        }
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) {
          return errors.map((e) => withCode('GRAPHQL_VALIDATION_FAILED', hideSchemaDetails ? withoutSuggestions(e) : e));
        }
        const viewer = ctx.extra.viewer ?? anonymous;
        const clientId = ctx.extra.clientId ?? 'unknown';
        try {
          const denied = await options.authorize?.(viewer, document, payload.operationName, clientId);
          if (denied) return [denied];
        } catch (error) {
          // Not a refusal but a fault in the check itself: masked like any other.
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error), { originalError: asError(error) })];
        }
        const args = {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
        };
        if (!getOperationAST(document, args.operationName)) {
          // graphql-js words the missing or ambiguous operation (and runs nothing); graphql-ws would say
          // "Unable to identify operation" without a code.
          const result = await execute(args);
          return (result.errors ?? [new GraphQLError('Must provide an operation.')]).map((e) =>
            withCode('OPERATION_RESOLUTION_FAILURE', e),
          );
        }
        const contextValue: SubscriptionContext = { services: options.services, viewer, clientId };
        const socket = ctx.extra.socket;
        contextValue[FANOUT] = {
          // Everything execution depends on: who asks, and exactly what.
          key: JSON.stringify([viewer.role, viewer.name, args.operationName ?? null, payload.query, args.variableValues ?? null]),
          member: {
            id,
            send: (frame) => {
              if (socket.readyState !== WebSocket.OPEN || socket.bufferedAmount > MAX_BUFFERED_BYTES) return false;
              socket.send(frame);
              return true;
            },
          },
        };
        return { ...args, contextValue };
      },
      // Subscriptions join a fan-out group (one execution per event for every identical subscription).
      subscribe: (args) => {
        const shared = (args.contextValue as SubscriptionContext)[FANOUT];
        return shared ? fanout.join(shared.key, args, shared.member) : subscribe(args);
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((e) => mask(isVariableCoercionError(e) ? withCode('BAD_USER_INPUT', e) : e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map(mask),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  wss.on('error', (err) => options.log(err));

  return {
    fanout,
    async close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
