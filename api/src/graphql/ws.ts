import type { Server } from 'node:http';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
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

const anonymous: Viewer = { name: 'anonymous', role: 'admin' };

/** graphql-ws on `/graphql`, sharing the HTTP server's port. */
export function attachGraphqlWs(server: Server, options: WsOptions): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: options.maxPayloadBytes ?? 1024 * 1024 });
  const rules = [...specifiedRules, ...(options.validationRules ?? [])];
  const mask = formatError(options.log);

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
      onSubscribe: async (ctx, _id, payload) => {
        let document: DocumentNode;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens ?? 5_000 });
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) return errors;
        const viewer = ctx.extra.viewer ?? anonymous;
        const denied = await options.authorize?.(viewer, document, payload.operationName, ctx.extra.clientId ?? 'unknown');
        if (denied) return [denied];
        const contextValue: Context = { services: options.services, viewer, clientId: ctx.extra.clientId ?? 'unknown' };
        return {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? undefined,
          operationName: payload.operationName ?? undefined,
          contextValue,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) => {
        if (!result.errors?.length) return;
        return { ...result, errors: result.errors.map((e) => mask(e.toJSON(), e)) };
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => mask(e.toJSON(), e)),
    },
    wss,
    options.keepAliveMs ?? 12_000,
  );
  wss.on('error', (err) => options.log(err));

  return {
    async close() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
