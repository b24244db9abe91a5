import { beforeAll, describe, expect, it } from 'vitest';
import { query } from '../src/db/sql.js';
import { serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { rawSocket } from './support/ws.js';

/**
 * Thousands of generated malformed requests against the real server: random bytes, truncated
 * documents, wrong types, huge numbers, deep nesting, unknown fields, odd methods and headers. Every
 * answer must be a deliberate one — no 5xx, no INTERNAL_SERVER_ERROR, no stack trace or SQL — the
 * process must keep serving, and the jobs table must be exactly as before. The generator is seeded
 * (FUZZ_SEED) so that a failure can be replayed.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const HTTP_CASES = Number(process.env.FUZZ_CASES ?? 5_000);
const WS_CASES = 300;
const PARALLEL = 25;

/** mulberry32: small, fast, good enough to spread cases; deterministic per seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

interface Case {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | string;
}

const JSON_TYPE = { 'content-type': 'application/json' };

// Valid documents to cut short or feed wrong variables. Every mutation below is made invalid before
// it is sent, so that none can change a row: truncation always removes the closing brace.
const DOCUMENTS = [
  '{ jobs(filter: { status: PENDING }, limit: 10, offset: 0, sort: PRIORITY_DESC) { total jobs { id taskName status payload webhookLogs { id } } } }',
  'query One($id: ID!) { job(id: $id) { id status attempts lastError progress result runAt } }',
  '{ jobStats { pending running completed failed cancelled total } }',
  'mutation Create($in: CreateJobInput!) { createJob(input: $in) { id status } }',
  'mutation Bulk($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }',
  'mutation Run($id: ID!) { runJob(id: $id) { id } }',
  'mutation Cancel($id: ID!) { cancelJob(id: $id) { id } }',
  'mutation Del($id: ID!) { deleteJob(id: $id) }',
  'mutation Redeliver($jobId: ID!) { redeliverWebhook(jobId: $jobId) { id } }',
];

const HUGE_NUMBERS = [1e308, -1e308, 2 ** 53 + 2, -(2 ** 63), 1.7976931348623157e308, 4294967296, 2147483648, -2147483649, 1e-320, 0.1];
const HUGE_LITERALS = [
  '99999999999999999999999999',
  '-99999999999999999999',
  '1e400',
  '1.0e-400',
  '0x10',
  '1_000',
  'NaN',
  'Infinity',
  '-0',
  '00012',
];

/** A value of a type that no argument of ours accepts where it is used (ids are never objects etc.). */
function wrongValue(r: Rng, depth = 0): unknown {
  switch (r.int(10)) {
    case 0:
      return {};
    case 1:
      return [r.int(5), 'x'];
    case 2:
      return true;
    case 3:
      return r.pick(HUGE_NUMBERS);
    case 4:
      return 1.5;
    case 5:
      return 'x'.repeat(r.int(3) === 0 ? 70_000 : 3);
    case 6:
      return depth < 2 ? { nested: wrongValue(r, depth + 1), __proto__: { polluted: true } } : null;
    case 7:
      return '\u0000\uffff\ud800';
    case 8:
      return -1;
    default:
      return { constructor: { prototype: { admin: true } } };
  }
}

function deepJson(depth: number, open: string, close: string): string {
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** An input for createJob that is guaranteed to be refused, with one kind of defect. */
function invalidJobInput(r: Rng): Record<string, unknown> {
  const base: Record<string, unknown> = { taskName: 'fuzz', payload: { a: 1 }, priority: 'LOW' };
  switch (r.int(9)) {
    case 0:
      return { ...base, taskName: r.pick([null, '', 'x'.repeat(256), 42, {}, []]) };
    case 1:
      return { ...base, payload: r.pick(['text', 7, [1, 2], true, { big: 'y'.repeat(70_000) }]) };
    case 2:
      return { ...base, priority: r.pick(['URGENT', 'low', 1, {}, ['HIGH']]) };
    case 3:
      return { ...base, maxAttempts: r.pick([0, -5, 1e308, 2 ** 31, 1.5, 'three', 101]) };
    case 4:
      return { ...base, timeoutMs: r.pick([0, -1, 1e308, 2 ** 53 + 2, 'soon', 0.5]) };
    case 5:
      return { ...base, runAt: r.pick(['yesterday', '2026-13-45T99:99:99Z', 1e308, {}, '', '2026-02-30T25:00:00Z']) };
    case 6:
      return { ...base, webhookUrl: r.pick(['not a url', 'http://127.0.0.1/x', 'ftp://example.com', 'http://169.254.169.254/latest', 5]) };
    case 7:
      return { ...base, unknownField: true, [`f${r.int(1000)}`]: r.int(9) };
    default:
      // Deeper than any database stores (MariaDB refuses 32 levels): must be BAD_USER_INPUT, not an SQL error.
      return { ...base, payload: JSON.parse(deepJson(r.pick([31, 100, 1_000]), '{"a":', '}')) };
  }
}

function generate(r: Rng): Case {
  const post = (kind: string, body: string | Buffer, headers: Record<string, string> = JSON_TYPE): Case => ({
    kind,
    method: 'POST',
    path: '/graphql',
    headers,
    body,
  });
  switch (r.int(14)) {
    case 0:
      return post('random bytes', r.bytes(r.int(400)));
    case 1: {
      const doc = r.pick(DOCUMENTS);
      return post('truncated document', JSON.stringify({ query: doc.slice(0, r.int(doc.length - 1)) }));
    }
    case 2: {
      const text = JSON.stringify({ query: r.pick(DOCUMENTS), variables: { id: 1 } });
      return post('truncated JSON', text.slice(0, r.int(text.length - 1)));
    }
    case 3: {
      const doc = r.pick(DOCUMENTS.filter((d) => d.includes('$id') || d.includes('$jobId')));
      return post('wrong variable type', JSON.stringify({ query: doc, variables: { id: wrongValue(r), jobId: wrongValue(r) } }));
    }
    case 4:
      return post('invalid job input', JSON.stringify({ query: DOCUMENTS[3], variables: { in: invalidJobInput(r) } }));
    case 5: {
      const inputs = Array.from({ length: 1 + r.int(4) }, () => ({ taskName: `ok-${r.int(99)}` }));
      inputs.splice(r.int(inputs.length + 1), 0, invalidJobInput(r) as { taskName: string });
      return post('bulk with one bad input', JSON.stringify({ query: DOCUMENTS[4], variables: { inputs } }));
    }
    case 6: {
      const lit = r.pick(HUGE_LITERALS);
      const q = r.pick([
        `{ jobs(limit: ${lit}) { total } }`,
        `{ jobs(offset: ${lit}) { total } }`,
        `{ job(id: ${lit}) { id } }`,
        `mutation { deleteJob(id: ${lit}) }`,
        `mutation { runJob(id: "${lit}x") { id } }`,
        `mutation { createJob(input: { taskName: "n", maxAttempts: ${lit} }) { id } }`,
      ]);
      // Huge or malformed literals: a mutation on an id that exists must not slip through, so ids are
      // out of range or not ids at all; createJob's maxAttempts is far outside 1..100.
      return post('huge number', JSON.stringify({ query: q }));
    }
    case 7:
      return post(
        'huge number variables',
        JSON.stringify({
          query: '{ jobs(limit: $l, offset: $o) { total } }'.replace('{', 'query($l: Int, $o: Int) {'),
          variables: { l: r.pick(HUGE_NUMBERS), o: r.pick(HUGE_NUMBERS) },
        }),
      );
    case 8: {
      const depth = r.pick([50, 500, 3_000, 20_000]);
      return r.int(2) === 0
        ? post('deep selection nesting', JSON.stringify({ query: `{ jobs ${'{ jobs '.repeat(depth)}${'}'.repeat(depth + 1)}` }))
        : post('deep JSON nesting', `{"query":"{ jobStats { total } }","variables":${deepJson(depth, '[', ']')}}`);
    }
    case 9: {
      const q = r.pick([
        '{ jobs { total secret } }',
        '{ users { id } }',
        '{ job(id: 1, extra: true) { id } }',
        'mutation { dropTable }',
        '{ jobs(filter: { status: PENDING, owner: "me" }) { total } }',
        'subscription { jobCreated { id } }',
        '{ __type(name: "Job") { fields { name } } ...Missing }',
      ]);
      return post('unknown field', JSON.stringify({ query: q, [`unknown${r.int(9)}`]: r.int(9), extensions: wrongValue(r) }));
    }
    case 10: {
      const body = r.pick([
        '{"query":null}',
        '{"query":42}',
        '{"query":["{ jobStats { total } }"]}',
        '{}',
        '[]',
        '[{"query":"{ jobStats { total } }"}]',
        'null',
        '"{ jobStats { total } }"',
        '{"query":"{ jobStats { total } }","variables":"not an object"}',
        '{"query":"{ jobStats { total } }","operationName":{"x":1}}',
        '{"query":"query A { jobStats { total } } query B { jobStats { total } }"}',
        '{"query":"{ jobStats { total } }","__proto__":{"admin":true}}',
      ]);
      return post('wrong body shape', body);
    }
    case 11: {
      const type = r.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/graphql',
        'application/json; charset=utf-16',
        '',
        'application/xml',
      ]);
      return post('wrong content type', JSON.stringify({ query: '{ jobStats { total } }' }), type ? { 'content-type': type } : {});
    }
    case 12: {
      const method = r.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);
      const qs = r.pick([
        `query=${encodeURIComponent(r.pick(DOCUMENTS))}`,
        `query=${encodeURIComponent(r.pick(DOCUMENTS).slice(0, 20))}&variables=%7Bbroken`,
        `query=%E0%A4%A&variables=${'%7B'.repeat(50)}`,
        `variables=${encodeURIComponent(JSON.stringify({ id: wrongValue(r) }))}`,
        '',
      ]);
      const headers: Record<string, string> = r.int(2) ? { 'apollo-require-preflight': '1' } : {};
      return { kind: `${method} with odd query string`, method, path: `/graphql?${qs}`, headers };
    }
    default: {
      const path = r.pick([
        '/graphql/x',
        '/%00',
        '/api/webhook-test',
        '/..%2f..%2fetc%2fpasswd',
        '/metrics?x=1',
        '/readyz/',
        `/${'a'.repeat(3000)}`,
        '/jobs/1',
        '/_app/x.js',
      ]);
      const headers: Record<string, string> = {
        ...JSON_TYPE,
        authorization: r.pick(['Bearer', 'Bearer \u00ff\u00fe', 'Basic Zm9vOmJhcg==', 'x'.repeat(5000)]),
        'x-request-id': r.pick(['', 'id-1', 'z'.repeat(500)]),
      };
      return {
        kind: 'odd path and headers',
        method: r.pick(['POST', 'GET']),
        path,
        headers: r.int(2) ? headers : JSON_TYPE,
        body: undefined,
      };
    }
  }
}

const STACK_OR_SQL =
  /\bat [\w.<>]+ \(|\.(ts|js|mjs):\d+:\d+|node_modules|stacktrace|SQLITE_|\bER_[A-Z_]{3,}|insert into|select .* from|syntax to use near/i;

interface Outcome {
  kind: string;
  status: number;
  body: string;
}

async function send(base: string, c: Case): Promise<Outcome> {
  const res = await fetch(`${base}${c.path}`, {
    method: c.method,
    headers: c.headers,
    body: c.method === 'GET' || c.method === 'HEAD' ? undefined : c.body,
  });
  return { kind: c.kind, status: res.status, body: await res.text() };
}

async function snapshot(server: TestServer): Promise<string> {
  const rows = await query(server.orm.em.fork(), 'select * from jobs order by id');
  return JSON.stringify(rows);
}

// The MySQL-family run covers driver-specific failures (out-of-range numbers, charset errors).
describe.each(testDatabases().slice(0, 2))('fuzzing the API on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api', GLOBAL_RATE_LIMIT_MAX: '1000000', RATE_LIMIT_MAX: '1000000' });
  let before: string;

  beforeAll(async () => {
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const created = await server().gql('mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }', {
      inputs: Array.from({ length: 5 }, (_, i) => ({ taskName: `seed-${i}`, payload: { i }, runAt: later })),
    });
    expect(created.data.createJobs).toHaveLength(5);
    before = await snapshot(server());
  });

  it(`${HTTP_CASES} malformed HTTP requests: no 5xx, no internal error, no stack or SQL, nothing changed (seed ${SEED})`, async () => {
    const r = prng(SEED);
    const cases = Array.from({ length: HTTP_CASES }, () => generate(r));
    const bad: Outcome[] = [];
    const byKind = new Map<string, number>();
    for (let i = 0; i < cases.length; i += PARALLEL) {
      const outcomes = await Promise.all(cases.slice(i, i + PARALLEL).map((c) => send(server().url, c)));
      for (const o of outcomes) {
        byKind.set(o.kind, (byKind.get(o.kind) ?? 0) + 1);
        if (o.status >= 500 || /INTERNAL_SERVER_ERROR/.test(o.body) || STACK_OR_SQL.test(o.body)) bad.push(o);
      }
    }
    expect(bad.slice(0, 5).map((o) => `${o.kind} → ${o.status} ${o.body.slice(0, 300)}`)).toEqual([]);
    expect(byKind.size).toBeGreaterThanOrEqual(12);

    // Still alive and serving, and every row exactly as it was.
    expect((await fetch(`${server().url}/healthz`)).status).toBe(200);
    expect((await server().gql('{ jobStats { total } }')).data.jobStats.total).toBe(5);
    expect(await snapshot(server())).toBe(before);
  });

  it(`${WS_CASES} malformed WebSocket messages: answered or closed with a protocol code, never a crash`, async () => {
    const r = prng(SEED + 1);
    const codes = new Map<number, number>();
    for (let i = 0; i < WS_CASES; i += 10) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const { socket, closed, opened } = rawSocket(server().url);
          await opened;
          socket.send(JSON.stringify({ type: 'connection_init', payload: r.int(4) === 0 ? wrongValue(r) : {} }));
          const message = r.pick([
            () => r.bytes(1 + r.int(200)),
            () =>
              JSON.stringify({ type: 'subscribe', id: String(r.int(99)), payload: { query: r.pick(DOCUMENTS).slice(0, 10 + r.int(40)) } }),
            () => JSON.stringify({ type: 'subscribe', id: 'w', payload: { query: DOCUMENTS[5], variables: { id: wrongValue(r) } } }),
            () =>
              JSON.stringify({
                type: 'subscribe',
                id: 'd',
                payload: { query: `subscription { jobCreated ${'{ id '.repeat(30)}${'}'.repeat(31)}` },
              }),
            () => JSON.stringify({ type: 'subscribe', id: 'c', payload: { query: DOCUMENTS[3], variables: { in: invalidJobInput(r) } } }),
            () => JSON.stringify({ type: r.pick(['next', 'complete', 'ping', 'bogus', 42]), id: wrongValue(r), payload: wrongValue(r) }),
            () => JSON.stringify({ type: 'subscribe', payload: { query: '{ jobStats { total } }' } }),
          ])();
          socket.send(message);
          const timer = setTimeout(() => socket.close(1000), 300);
          const { code } = await closed;
          clearTimeout(timer);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          // graphql-ws itself answers a message only a server may send (`next`) with 4500, after logging
          // it; any other 4500 means our hooks threw.
          if (code === 4500) expect(String(message)).toMatch(/^\{"type":"next"/);
        }),
      );
    }
    // 1000: we closed it after an answer; 44xx: the protocol refused the message; 4500 only as above.
    for (const code of codes.keys())
      expect([1000, 1005, 4400, 4401, 4403, 4408, 4409, 4429, 4499, 4500], `close code ${code}`).toContain(code);
    expect((await fetch(`${server().url}/healthz`)).status).toBe(200);
    expect(await snapshot(server())).toBe(before);
  });
});
