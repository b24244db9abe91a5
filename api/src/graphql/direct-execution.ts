import type { FastifyReply, FastifyRequest } from 'fastify';
import { execute, getOperationAST, OperationTypeNode, type DocumentNode, type GraphQLSchema } from 'graphql';
import Negotiator from 'negotiator';
import type { Context } from './context.js';
import { formatError } from './apollo.js';
import { checkDocument } from './limits.js';
import { checkOperation, type OperationGuard } from './operation-guard.js';

/**
 * The common GraphQL request — a JSON POST of a document already seen — executed by graphql-js
 * directly instead of through Apollo's request pipeline (its query hash, plugin hooks, header maps and
 * content negotiation per request). Everything else, and every request that would end in a parse,
 * validation, variable or context error, goes to Apollo, which answers it as before; the bytes of what
 * this path answers are Apollo's (api/test/graphql.direct-execution.test.ts compares them).
 */
export interface DirectExecution {
  /** Answers the request and returns true; false leaves it to Apollo, with nothing executed. */
  answer(req: FastifyRequest, reply: FastifyReply): Promise<boolean>;
}

export interface DirectExecutionOptions {
  schema: GraphQLSchema;
  guard: Pick<OperationGuard, 'config'>;
  context: (req: FastifyRequest) => Promise<Context>;
  /** Where internal resolver errors are logged; they are answered as Apollo answers them (apollo.ts `formatError`). */
  log: (err: unknown) => void;
}

/** Validated documents kept by text, up to this much text in all; a full cache is cleared (Apollo keeps its own). */
const MAX_CACHED_CHARS = 1_000_000;
/** Longer texts are executed the same way but not kept. */
const MAX_CACHED_QUERY_CHARS = 10_000;

const JSON_TYPE = 'application/json; charset=utf-8';
const RESPONSE_TYPES = [JSON_TYPE, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];
const MAX_ACCEPT_VALUES = 100;

const BODY_KEYS = new Set(['query', 'variables', 'operationName']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}

export function createDirectExecution(options: DirectExecutionOptions): DirectExecution {
  const { schema, guard, context } = options;
  const format = formatError(options.log);
  const documents = new Map<string, DocumentNode>();
  let cachedChars = 0;
  const responseTypes = new Map<string, string | null>();

  /** Apollo's choice of response type for an Accept header, remembered per distinct value. */
  const responseType = (accept: string | undefined): string | null => {
    if (!accept) return JSON_TYPE;
    let type = responseTypes.get(accept);
    if (type === undefined) {
      type = new Negotiator({ headers: { accept } }).mediaType(RESPONSE_TYPES) ?? null;
      // The callback protocol (subscriptions over HTTP callbacks) is Apollo's to answer.
      if (type === RESPONSE_TYPES[2]) type = null;
      if (responseTypes.size >= MAX_ACCEPT_VALUES) responseTypes.clear();
      responseTypes.set(accept, type);
    }
    return type;
  };

  /** The parsed, validated document, or undefined when Apollo should report what is wrong with it. */
  const documentOf = (query: string, operationName: string | undefined): DocumentNode | undefined => {
    const cached = documents.get(query);
    if (cached) return cached;
    const checked = checkDocument(schema, query, operationName);
    if ('errors' in checked) return undefined;
    if (query.length <= MAX_CACHED_QUERY_CHARS) {
      if (cachedChars + query.length > MAX_CACHED_CHARS) {
        documents.clear();
        cachedChars = 0;
      }
      documents.set(query, checked.document);
      cachedChars += query.length;
    }
    return checked.document;
  };

  const answer = async (req: FastifyRequest, reply: FastifyReply): Promise<boolean> => {
    if (req.method !== 'POST' || !isJson(req.headers['content-type'])) return false;
    const body = req.body;
    if (!isRecord(body)) return false;
    for (const key in body) if (!BODY_KEYS.has(key)) return false; // extensions (persisted queries) and the like
    const { query, variables, operationName } = body;
    if (typeof query !== 'string' || query === '') return false;
    if (variables != null && !isRecord(variables)) return false;
    if (operationName != null && typeof operationName !== 'string') return false;
    const type = responseType(req.headers.accept);
    if (!type) return false;

    // The token first: only a client that may call the API gets a document parsed and kept here.
    let contextValue: Context;
    try {
      contextValue = await context(req);
    } catch {
      return false; // no token or a wrong one: Apollo answers 401
    }
    const document = documentOf(query, operationName ?? undefined);
    if (!document) return false;
    const operation = getOperationAST(document, operationName ?? undefined);
    if (!operation || operation.operation === OperationTypeNode.SUBSCRIPTION) return false;
    try {
      // The runJob limit counts as Apollo's guard runs: those operations go there, to be counted once.
      if (checkOperation(guard, { viewer: contextValue.viewer, document, operation }) > 0) return false;
    } catch {
      return false; // a forbidden field or introspection: nothing ran, Apollo says which
    }

    const result = await execute({
      schema,
      document,
      contextValue,
      variableValues: (variables as Record<string, unknown> | null) ?? undefined,
      operationName: operationName ?? undefined,
    });
    // No data: the variables did not coerce, so nothing was resolved and Apollo may answer it.
    if (result.data === undefined) return false;

    let status: number | undefined;
    const headers = new Map<string, string>();
    const errors = result.errors?.map((error) => {
      const { http, ...rest } = error.extensions;
      const extensions: Record<string, unknown> = { ...rest, code: rest.code ?? 'INTERNAL_SERVER_ERROR' };
      if (isHttpHead(http)) {
        if (http.status) status = http.status;
        for (const [name, value] of http.headers ?? []) headers.set(name, value);
      } else if (http !== undefined) {
        extensions.http = http;
      }
      try {
        return format({ ...error.toJSON(), extensions }, error);
      } catch {
        return { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
      }
    });
    void reply.header('content-type', type);
    for (const [name, value] of headers) void reply.header(name, value);
    void reply.code(status ?? 200);
    await reply.send(JSON.stringify({ errors, data: result.data, extensions: result.extensions }) + '\n');
    return true;
  };

  return { answer };
}

/** Apollo's test for a status or headers an error asks for (`extensions.http`). */
function isHttpHead(x: unknown): x is { status?: number; headers?: Map<string, string> } {
  return (
    typeof x === 'object' &&
    x !== null &&
    (!('status' in x) || typeof x.status === 'number') &&
    (!('headers' in x) || x.headers instanceof Map)
  );
}

function isJson(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon < 0 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}
