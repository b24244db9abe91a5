/** One GraphQL request over HTTP, and the error a client can switch on (`code` is `extensions.code`). */
import type { TypedDocumentString } from './generated/graphql.js';

export class GraphQLRequestError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GraphQLRequestError';
  }
}

export interface Endpoint {
  /** The server's base URL (`http://localhost:5000`) or its `/graphql` URL. */
  url: string;
  /** A token of `API_TOKENS` (`name:role:token`): `worker` for a Worker, `admin` to create jobs. */
  token?: string;
}

export const graphqlUrl = (url: string): string =>
  url.replace(/\/+$/, '').endsWith('/graphql') ? url.replace(/\/+$/, '') : `${url.replace(/\/+$/, '')}/graphql`;

/** POSTs one generated operation; a GraphQL error (or a non-JSON answer) throws a GraphQLRequestError. */
export async function request<T, V>(
  endpoint: Endpoint,
  document: TypedDocumentString<T, V>,
  variables: V,
  signal?: AbortSignal,
): Promise<T> {
  const query = document.toString();
  const res = await fetch(graphqlUrl(endpoint.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(endpoint.token ? { authorization: `Bearer ${endpoint.token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  let body: { data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new GraphQLRequestError(`expected a GraphQL answer, got HTTP ${res.status}`, res.status >= 500 ? 'UNAVAILABLE' : null);
  }
  const error = body.errors?.[0];
  if (error) throw new GraphQLRequestError(error.message, (error.extensions?.code as string) ?? null, error.extensions);
  // The server's per-IP limit (GLOBAL_RATE_LIMIT_MAX) answers 429 before GraphQL runs: no `errors`, no `data`.
  if (body.data === undefined || body.data === null) {
    throw new GraphQLRequestError(`expected data, got HTTP ${res.status}`, res.status === 429 ? 'RATE_LIMITED' : `HTTP_${res.status}`);
  }
  return body.data as T;
}
