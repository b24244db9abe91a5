import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { getIntrospectionQuery } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, unmigratedMariadb, type TestServer } from './support/server.js';
import { wsClient } from './support/ws.js';

/**
 * The security model end to end over real HTTP and graphql-ws: tokens and roles, the limits every
 * operation meets before it runs, CSRF, CORS, production hardening and the refusal to start open.
 */

const ADMIN = 'admin-token-0123456789';
const VIEWER = 'viewer-token-9876543210';
const TOKENS = `ops:admin:${ADMIN},dash:viewer:${VIEWER}`;
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const later = () => new Date(Date.now() + 3_600_000).toISOString();
const apiRoot = fileURLToPath(new URL('..', import.meta.url));

async function jobCount(server: TestServer, token = ADMIN): Promise<number> {
  const res = await server.gql('{ jobStats { total } }', {}, bearer(token));
  return res.data.jobStats.total;
}

/** Runs one operation over graphql-ws and resolves its first result, or the error it ended with. */
function wsOnce(url: string, token: string | undefined, query: string, variables: Record<string, unknown> = {}) {
  const client = wsClient(url, token === undefined ? {} : { authorization: `Bearer ${token}` });
  return new Promise<{ data?: any; errors?: any[]; closeCode?: number }>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (msg) => resolve({ data: msg.data, errors: msg.errors as any[] }),
        error: (err) => {
          if (Array.isArray(err)) resolve({ errors: err });
          else resolve({ closeCode: (err as { code?: number }).code });
        },
        complete: () => resolve({}),
      },
    );
  }).finally(() => client.dispose());
}

describe('tokens and roles', () => {
  const server = serverForSuite(sqlite, { API_TOKENS: TOKENS, ROLE: 'api' });

  it('HTTP without a token, or with an unknown one, is UNAUTHENTICATED (401) and runs nothing', async () => {
    const none = await server().gql(CREATE, { in: { taskName: 'anon' } });
    expect(none.status).toBe(401);
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(none.data).toBeUndefined();
    const wrong = await server().gql(CREATE, { in: { taskName: 'anon' } }, bearer('not-a-token'));
    expect(wrong.status).toBe(401);
    expect(wrong.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(await jobCount(server())).toBe(0);
  });

  it('a viewer reads but its mutations are FORBIDDEN (403) and never run; an admin mutates', async () => {
    const read = await server().gql('{ jobs { total } }', {}, bearer(VIEWER));
    expect(read.status).toBe(200);
    expect(read.data.jobs.total).toBe(0);

    const denied = await server().gql(CREATE, { in: { taskName: 'by-viewer' } }, bearer(VIEWER));
    expect(denied.status).toBe(403);
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await jobCount(server())).toBe(0);

    const made = await server().gql(CREATE, { in: { taskName: 'by-admin', runAt: later() } }, { authorization: ADMIN });
    expect(made.status).toBe(200);
    expect(made.data.createJob.id).toBeTruthy();
    expect(await jobCount(server())).toBe(1);
  });

  it('WebSocket without a token, or with an unknown one, is closed with 4403', async () => {
    expect((await wsOnce(server().url, undefined, '{ jobStats { total } }')).closeCode).toBe(4403);
    expect((await wsOnce(server().url, 'wrong', '{ jobStats { total } }')).closeCode).toBe(4403);
  });

  it('over WebSocket a viewer queries, its mutation is FORBIDDEN, an admin mutates', async () => {
    const before = await jobCount(server());
    const read = await wsOnce(server().url, VIEWER, '{ jobStats { total } }');
    expect(read.data?.jobStats.total).toBe(before);

    const denied = await wsOnce(server().url, VIEWER, CREATE, { in: { taskName: 'ws-viewer', runAt: later() } });
    expect(denied.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(await jobCount(server())).toBe(before);

    const made = await wsOnce(server().url, ADMIN, CREATE, { in: { taskName: 'ws-admin', runAt: later() } });
    expect(made.data?.createJob.id).toBeTruthy();
    expect(await jobCount(server())).toBe(before + 1);
  });
});

describe('limits every operation meets before it runs', () => {
  const server = serverForSuite(sqlite, { ROLE: 'api' });

  const post = (body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
    fetch(`${server().url}/graphql`, { method: 'POST', headers, body });
  // Valid GraphQL nested 20 levels: introspection types refer to each other (ofType → ofType → …).
  const deep = `{ __schema { queryType { ${'ofType { '.repeat(18)}name${' }'.repeat(18)} } } }`;
  const aliased = (n: number) =>
    `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: createJob(input: { taskName: "alias-${i}" }) { id }`).join(' ')} }`;

  it('a depth-20 query is refused with 400 on HTTP and with an error on WebSocket', async () => {
    const res = await post(JSON.stringify({ query: deep }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { message: string }[]; data?: unknown };
    expect(body.errors[0].message).toMatch(/deeper than 15/);
    expect(body.data).toBeUndefined();
    const ws = await wsOnce(server().url, undefined, deep);
    expect(ws.errors?.[0].message).toMatch(/deeper than 15/);
  });

  it('100 aliases are refused (400) and none of the 100 createJob runs, on HTTP and WebSocket', async () => {
    const res = await post(JSON.stringify({ query: aliased(100) }));
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toMatch(/more than 30 aliases/);
    const ws = await wsOnce(server().url, undefined, aliased(100));
    expect(ws.errors?.[0].message).toMatch(/more than 30 aliases/);
    expect(await jobCount(server())).toBe(0);
    // The limit is the limit, not a ban on aliases.
    const few = await post(JSON.stringify({ query: aliased(3).replace(/alias-/g, 'few-') }));
    expect(few.status).toBe(200);
    expect(await jobCount(server())).toBe(3);
  });

  it('documents over 5,000 tokens and operations over the cost budget are refused', async () => {
    const many = `{ ${Array.from({ length: 5_100 }, () => '__typename').join(' ')} }`;
    const tokens = await post(JSON.stringify({ query: many }));
    expect(tokens.status).toBe(400);
    expect(JSON.stringify(await tokens.json())).toMatch(/more that 5000 tokens/);

    const pages = Array.from(
      { length: 10 },
      (_, i) => `p${i}: jobs(limit: 100) { jobs { id taskName status priority payload webhookLogs { id url attempt error } } }`,
    );
    const costly = await post(JSON.stringify({ query: `{ ${pages.join(' ')} }` }));
    expect(costly.status).toBe(400);
    expect(JSON.stringify(await costly.json())).toMatch(/too expensive/);
    const one = await post(JSON.stringify({ query: `{ ${pages[0]} }` }));
    expect(one.status).toBe(200);
  });

  it('a 2 MiB body (413), a batched array, a GET mutation, a preflight-less simple request: 4xx, nothing created', async () => {
    const before = await jobCount(server());
    const huge = JSON.stringify({ query: CREATE, variables: { in: { taskName: 'huge', payload: { blob: 'x'.repeat(2 * 1024 * 1024) } } } });
    expect((await post(huge)).status).toBe(413);

    const batch = await post(
      JSON.stringify([
        { query: CREATE, variables: { in: { taskName: 'b1' } } },
        { query: CREATE, variables: { in: { taskName: 'b2' } } },
      ]),
    );
    expect(batch.status).toBe(400);

    const getUrl = `${server().url}/graphql?query=${encodeURIComponent('mutation { createJob(input: { taskName: "via-get" }) { id } }')}`;
    const get = await fetch(getUrl, { headers: { 'apollo-require-preflight': 'true' } });
    expect(get.status).toBe(405);

    // What a cross-site form could send: text/plain, no custom header → CSRF prevention refuses it.
    const simple = await post(JSON.stringify({ query: 'mutation { createJob(input: { taskName: "csrf" }) { id } }' }), {
      'content-type': 'text/plain',
    });
    expect(simple.status).toBeGreaterThanOrEqual(400);
    expect(simple.status).toBeLessThan(500);
    const simpleGet = await fetch(`${server().url}/graphql?query=${encodeURIComponent('{ jobStats { total } }')}`);
    expect(simpleGet.status).toBe(400);

    expect(await jobCount(server())).toBe(before);
  });

  it('the standard introspection query passes the limits (GraphiQL and codegen use it)', async () => {
    const res = await post(JSON.stringify({ query: getIntrospectionQuery() }));
    expect(res.status).toBe(200);
  });

  it('CORS allows FRONTEND_URL and nobody else; every response carries a request id', async () => {
    const preflight = (origin: string) =>
      fetch(`${server().url}/graphql`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });
    const ok = await preflight('http://localhost:3000');
    expect(ok.status).toBeLessThan(300);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();

    const res = await fetch(`${server().url}/healthz`);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a browser opening /graphql is sent to our own playground, not to a page loading scripts from a CDN', async () => {
    const res = await fetch(`${server().url}/graphql`, { headers: { accept: 'text/html' }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/playground');
  });
});

describe('production', () => {
  const server = serverForSuite(sqlite, { NODE_ENV: 'production', API_TOKENS: TOKENS, ROLE: 'api' });

  it('introspection is for admins only; error messages give no schema hints and no stack', async () => {
    const asViewer = await server().gql('{ __schema { types { name } } }', {}, bearer(VIEWER));
    expect(asViewer.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(asViewer.data).toBeFalsy();
    const typeProbe = await server().gql('{ __type(name: "Job") { fields { name } } }', {}, bearer(VIEWER));
    expect(typeProbe.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const asAdmin = await server().gql('{ __schema { types { name } } }', {}, bearer(ADMIN));
    expect(asAdmin.data.__schema.types.length).toBeGreaterThan(5);
    const overWs = await wsOnce(server().url, VIEWER, '{ __schema { types { name } } }');
    expect(overWs.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await wsOnce(server().url, ADMIN, '{ __schema { queryType { name } } }')).data?.__schema.queryType.name).toBe('Query');

    const typo = await fetch(`${server().url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(VIEWER) },
      body: JSON.stringify({ query: '{ jobz { total } }' }),
    });
    const text = await typo.text();
    expect(typo.status).toBe(400);
    expect(text).not.toMatch(/Did you mean/);
    expect(text).not.toMatch(/stacktrace|at .*\.ts:\d+/);
  });
});

describe('starting', () => {
  /** Runs the real entry point; `whenReady` gets its URL once it listens, then it is stopped with SIGTERM. */
  function runMain(env: Record<string, string>, whenReady?: (url: string) => Promise<void>) {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: apiRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let ready = false;
    child.stdout.on('data', (d) => {
      stdout += d;
      const listening = /listening on (http:\/\/\S+)/.exec(stdout);
      if (listening && !ready) {
        ready = true;
        const done = whenReady ? whenReady(listening[1]) : Promise.resolve();
        // Give the last log lines a moment to reach stdout before stopping.
        void done.finally(() => setTimeout(() => child.kill('SIGTERM'), 200));
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.on('exit', (code) => resolve({ code, stdout, stderr })),
    );
  }

  it('NODE_ENV=production without tokens exits non-zero, naming API_TOKENS and AUTH_DISABLED', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobs-prod-'));
    const run = await runMain({ NODE_ENV: 'production', PORT: '0', DATABASE_URL: join(dir, 'jobs.sqlite') });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/API_TOKENS/);
    expect(run.stderr).toMatch(/AUTH_DISABLED/);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it.skipIf(MYSQL_SKIP_REASON)('a MariaDB database nobody migrated: exits non-zero, saying to run the migrations', async () => {
    const run = await runMain({ PORT: '0', HOST: '127.0.0.1', ROLE: 'api', DATABASE_URL: await unmigratedMariadb() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no schema yet \(Table '[^']+' doesn't exist\)/);
    expect(run.stderr).toMatch(/npm run migrate/);
    expect(run.stderr).toMatch(/MIGRATE_ON_START=true/);
    // One line for the operator, not a driver stack trace.
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).not.toMatch(/listening/);
  });

  it('AUTH_DISABLED=true starts it anyway, warning that it is open; logs are JSON lines carrying the request id', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'jobs-prod-'));
    let requestId: string | null = null;
    const run = await runMain(
      {
        NODE_ENV: 'production',
        AUTH_DISABLED: 'true',
        WEBHOOK_SECRET: 'test-production-secret',
        PORT: '0',
        HOST: '127.0.0.1',
        ROLE: 'api',
        DATABASE_URL: join(dir, 'jobs.sqlite'),
      },
      async (url) => {
        const res = await fetch(`${url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"query":"{ jobStats { total } }"}',
        });
        requestId = res.headers.get('x-request-id');
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/authentication is disabled/);
    const lines = run.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requestLine = lines.find((l) => l.msg === 'request' && l.url === '/graphql');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requestLine).toMatchObject({ reqId: requestId, method: 'POST', statusCode: 200, level: 30 });
  });
});
