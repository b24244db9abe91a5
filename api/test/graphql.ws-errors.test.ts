import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate, type GraphQLFormattedError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { serverForSuite, sqlite } from './support/server.js';
import { wsClient } from './support/ws.js';

/**
 * An operation that fails over graphql-ws fails as it does over HTTP: the same `extensions.code` and
 * message (parse, validation, limits, variables, roles, rate limits, resolver errors). Only a real
 * server fault is masked as INTERNAL_SERVER_ERROR.
 */

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-9876543210';
const TOKENS = `ops:admin:${ADMIN},dash:viewer:${VIEWER}`;
const MASKED = { message: 'internal error: the failure was logged on the server', extensions: { code: 'INTERNAL_SERVER_ERROR' } };

interface Operation {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  token?: string;
}

/** graphql-js's own message for the first validation error of `query` against the published schema. */
function graphqlJsMessage(query: string): string {
  const schema = buildSchema(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'));
  return validate(schema, parse(query))[0].message;
}

async function overHttp(url: string, op: Operation): Promise<readonly GraphQLFormattedError[] | undefined> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${op.token ?? ADMIN}` },
    body: JSON.stringify({ query: op.query, variables: op.variables, operationName: op.operationName }),
  });
  return ((await res.json()) as { errors?: GraphQLFormattedError[] }).errors;
}

/** The errors the operation ends with over graphql-ws: an `error` message, or a result carrying errors. */
async function overWs(url: string, op: Operation): Promise<readonly GraphQLFormattedError[] | undefined> {
  const client = wsClient(url, { authorization: `Bearer ${op.token ?? ADMIN}` });
  try {
    return await new Promise((resolve, reject) => {
      client.subscribe(
        { query: op.query, variables: op.variables, operationName: op.operationName },
        {
          next: (msg) => msg.errors && resolve(msg.errors),
          error: (err) => (Array.isArray(err) ? resolve(err) : reject(new Error(`socket failed: ${JSON.stringify(err)}`))),
          complete: () => resolve(undefined),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

const deep = (levels: number) => `{ ${'jobs { jobs { '.repeat(levels / 2)} id ${'} } '.repeat(levels / 2)}}`;
const costly = (pages: number) =>
  `{ ${Array.from({ length: pages }, (_, i) => `p${i}: jobs(limit: 100) { jobs { id webhookLogs { id url attempt error } } }`).join(' ')} }`;
const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: jobStats { total }`).join(' ')} }`;

describe.each(['development', 'production'] as const)('graphql-ws errors match HTTP (NODE_ENV=%s)', (mode) => {
  const server = serverForSuite(sqlite, { NODE_ENV: mode, API_TOKENS: TOKENS, ROLE: 'api', RATE_LIMIT_MAX: '1' });

  afterEach(() => vi.restoreAllMocks());

  it.each(['subscription { nope }', 'query { jobs { nope } }'])(
    '%s is GRAPHQL_VALIDATION_FAILED with graphql-js message',
    async (query) => {
      const errors = await overWs(server().url, { query });
      expect(errors).toHaveLength(1);
      expect(errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(errors![0].message).toBe(graphqlJsMessage(query));
      expect(errors).toEqual(await overHttp(server().url, { query }));
    },
  );

  const cases: (Operation & { name: string; code: string; only?: typeof mode })[] = [
    { name: 'a syntax error', query: 'subscription {', code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'an empty document', query: '', code: 'BAD_REQUEST' },
    { name: 'too many tokens', query: `{ jobStats { ${'total '.repeat(5_001)}} }`, code: 'GRAPHQL_PARSE_FAILED' },
    { name: 'a field suggestion (none in production)', query: '{ jobs { totl } }', code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'several validation errors', query: 'subscription { nope jobStats { total } }', code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'nesting beyond the depth limit', query: deep(16), code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'too many aliases', query: aliases(31), code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'an estimated cost over the limit', query: costly(5), code: 'GRAPHQL_VALIDATION_FAILED' },
    { name: 'a missing required variable', query: 'query($id: ID!) { job(id: $id) { id } }', code: 'BAD_USER_INPUT' },
    {
      name: 'a variable of the wrong type',
      query: 'query($l: Int) { jobs(limit: $l) { total } }',
      variables: { l: 'many' },
      code: 'BAD_USER_INPUT',
    },
    { name: 'an argument the resolver refuses', query: '{ jobs(limit: 1000) { total } }', code: 'BAD_USER_INPUT' },
    { name: 'a job that does not exist', query: 'mutation { cancelJob(id: "999999") { id } }', code: 'NOT_FOUND' },
    {
      name: 'several operations and no operationName',
      query: 'query A { jobStats { total } } query B { jobStats { total } }',
      code: 'OPERATION_RESOLUTION_FAILURE',
    },
    { name: 'an unknown operationName', query: 'query A { jobStats { total } }', operationName: 'B', code: 'OPERATION_RESOLUTION_FAILURE' },
    { name: 'a mutation with a viewer token', query: 'mutation { cancelJob(id: "1") { id } }', token: VIEWER, code: 'FORBIDDEN' },
    {
      name: 'introspection with a viewer token',
      query: '{ __schema { queryType { name } } }',
      token: VIEWER,
      code: 'FORBIDDEN',
      only: 'production',
    },
  ];

  it.each(cases.filter((c) => !c.only || c.only === mode))(
    '$name: $code, as over HTTP',
    async ({ name: _name, code, only: _only, ...op }) => {
      const http = await overHttp(server().url, op);
      expect(http?.[0]?.extensions?.code).toBe(code);
      expect(await overWs(server().url, op)).toEqual(http);
    },
  );

  it('a subscription variable of the wrong type is BAD_USER_INPUT, worded as for a query over HTTP', async () => {
    const variables = { id: { no: 1 } };
    const ws = await overWs(server().url, { query: 'subscription($id: ID) { jobUpdated(id: $id) { id } }', variables });
    const http = await overHttp(server().url, { query: 'query($id: ID!) { job(id: $id) { id } }', variables });
    expect(ws).toHaveLength(1);
    expect(ws?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(ws?.[0].message).toBe(http?.[0].message);
  });

  it('a runJob over the rate limit is RATE_LIMITED with the same message', async () => {
    const op = { query: 'mutation { a: runJob(id: "1") { id } b: runJob(id: "2") { id } }' };
    const http = await overHttp(server().url, op);
    const ws = await overWs(server().url, op);
    expect(http?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(ws?.[0].extensions?.code).toBe('RATE_LIMITED');
    // retry-after counts down: allow the second to tick between the two requests.
    expect(ws?.[0].message.replace(/\d+/, 'N')).toBe(http?.[0].message.replace(/\d+/, 'N'));
  });

  it('a resolver that fails is masked on both: no detail of the fault leaves the server', async () => {
    vi.spyOn(server().services.jobs, 'stats').mockRejectedValue(new Error('select secret from jobs: connection refused'));
    const op = { query: '{ jobStats { total } }' };
    const http = await overHttp(server().url, op);
    expect(http).toEqual([{ ...MASKED, path: ['jobStats'] }]);
    expect(await overWs(server().url, op)).toEqual(http);
  });

  it('a subscription whose source fails to start, or fails while streaming, is masked', async () => {
    vi.spyOn(server().services.live.stats, 'subscribe').mockImplementation(() => {
      throw new Error('stats feed: secret detail');
    });
    expect(await overWs(server().url, { query: 'subscription { jobStats { total } }' })).toEqual([{ ...MASKED, path: ['jobStats'] }]);

    vi.spyOn(server().services.live.bus, 'subscribe').mockImplementation(
      () =>
        // A stream that fails on its first read, before yielding anything.
        ({
          [Symbol.asyncIterator]() {
            return this;
          },
          next: () => Promise.reject(new Error('bus: secret detail')),
          return: () => Promise.resolve({ done: true, value: undefined }),
        }) as never,
    );
    expect(await overWs(server().url, { query: 'subscription { jobCreated { id } }' })).toEqual([MASKED]);
  });
});
