import { describe, expect, it } from 'vitest';
import { serverForSuite, sqlite, type TestServer } from './support/server.js';

/**
 * `/graphql` executes a JSON POST of a known document with graphql-js directly and leaves everything
 * else to Apollo. Each request below goes both ways — as is, and with an empty `extensions` object,
 * which Apollo ignores and the direct path never takes — and both answers must be the same bytes.
 * `/metrics` says which executor answered.
 */

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-9876543210';
const admin = { authorization: `Bearer ${ADMIN}` };
const viewer = { authorization: `Bearer ${VIEWER}` };

interface Answer {
  status: number;
  contentType: string | null;
  body: string;
}

async function post(server: TestServer, body: Record<string, unknown>, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, contentType: res.headers.get('content-type'), body: await res.text() };
}

async function executorCounts(server: TestServer): Promise<{ direct: number; apollo: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const count = (executor: string) =>
    Number(new RegExp(`^graphql_http_requests_total\\{executor="${executor}"\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { direct: count('direct'), apollo: count('apollo') };
}

describe('GraphQL over HTTP: direct execution', () => {
  const server = serverForSuite(sqlite, { API_TOKENS: `ops:admin:${ADMIN},dash:viewer:${VIEWER}` });

  /** Sends the request both ways; returns the answer after checking they are identical. */
  async function both(body: Record<string, unknown>, headers: Record<string, string>, expectDirect: boolean): Promise<Answer> {
    const before = await executorCounts(server());
    const direct = await post(server(), body, headers);
    const viaApollo = await post(server(), { ...body, extensions: {} }, headers);
    const after = await executorCounts(server());
    expect(direct).toEqual(viaApollo);
    expect(after.direct - before.direct).toBe(expectDirect ? 1 : 0);
    expect(after.apollo - before.apollo).toBe(expectDirect ? 1 : 2);
    return direct;
  }

  it('answers queries, variables and response types exactly as Apollo does', async () => {
    const created = await server().gql(
      'mutation { createJob(input: { taskName: "noop", runAt: "2099-01-01T00:00:00Z" }) { id } }',
      {},
      admin,
    );
    const id = created.data.createJob.id;

    const tasks = await both({ query: '{ tasks { name } }' }, admin, true);
    expect(tasks.status).toBe(200);
    expect(tasks.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(tasks.body).data.tasks.map((t: { name: string }) => t.name)).toContain('noop');

    const job = await both(
      { query: 'query One($id: ID!) { job(id: $id) { id status taskName } }', variables: { id }, operationName: 'One' },
      admin,
      true,
    );
    expect(JSON.parse(job.body)).toEqual({ data: { job: { id, status: 'PENDING', taskName: 'noop' } } });

    const graphqlResponse = await both(
      { query: '{ jobStats { total } }' },
      { ...admin, accept: 'application/graphql-response+json' },
      true,
    );
    expect(graphqlResponse.contentType).toBe('application/graphql-response+json; charset=utf-8');
    const anyType = await both({ query: '{ jobStats { total } }' }, { ...admin, accept: '*/*' }, true);
    expect(anyType.contentType).toBe('application/json; charset=utf-8');
  });

  it('answers resolver errors with the same codes, paths and statuses', async () => {
    const missing = await both({ query: 'mutation { cancelJob(id: "999999") { id } }' }, admin, true);
    expect(missing.status).toBe(200);
    const body = JSON.parse(missing.body);
    expect(body.data).toBeNull();
    expect(body.errors[0]).toMatchObject({ path: ['cancelJob'], extensions: { code: 'NOT_FOUND' } });

    const badInput = await both(
      { query: 'mutation { createJob(input: { taskName: "noop", queue: "Not A Queue!" }) { id } }' },
      admin,
      true,
    );
    const bad = JSON.parse(badInput.body);
    expect(bad.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.errors[0].message).toMatch(/queue/);
  });

  it('leaves to Apollo what it must refuse, with nothing executed twice', async () => {
    const before = (await server().gql('{ jobStats { total } }', {}, admin)).data.jobStats.total;

    const noToken = await both({ query: '{ jobStats { total } }' }, {}, false);
    expect(noToken.status).toBe(401);
    const forbidden = await both({ query: 'mutation { createJob(input: { taskName: "noop" }) { id } }' }, viewer, false);
    expect(forbidden.status).toBe(403);
    const badVariable = await both({ query: 'query($id: ID!) { job(id: $id) { id } }', variables: { id: { no: 1 } } }, admin, false);
    expect(badVariable.status).toBe(400);
    expect(JSON.parse(badVariable.body).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const invalid = await both({ query: '{ jobStats { nope } }' }, admin, false);
    expect(invalid.status).toBe(400);
    const html = await both({ query: '{ jobStats { total } }' }, { ...admin, accept: 'text/html' }, false);
    expect(html.status).toBe(406);
    const subscription = await both({ query: 'subscription { jobUpdated(id: "1") { id } }' }, admin, false);
    expect(subscription.status).toBe(400);

    // The viewer's refused createJob ran nowhere.
    expect((await server().gql('{ jobStats { total } }', {}, admin)).data.jobStats.total).toBe(before);
  });
});
