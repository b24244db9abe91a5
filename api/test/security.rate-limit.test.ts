import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { memoryStore, RateLimiter, redisStore } from '../src/http/rate-limit.js';
import { serverForSuite, sqlite, startedByTests, testDatabases, type TestServer } from './support/server.js';
import { wsClient } from './support/ws.js';

/**
 * Rate limits over the real server: `runJob` per client (RATE_LIMIT_MAX per RATE_LIMIT_WINDOW), shared
 * by API processes through Redis, and the general per-IP limit in front of every route.
 */

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const later = () => new Date(Date.now() + 3_600_000).toISOString();
const RUN = 'mutation($id: ID!) { runJob(id: $id) { id status } }';

async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function createJob(server: TestServer): Promise<string> {
  const res = await server.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
    in: { taskName: 'limited', runAt: later() },
  });
  return res.data.createJob.id;
}

describe('runJob rate limit in one process', () => {
  const server = serverForSuite(sqlite, { ROLE: 'api' });

  it('100 runJob calls pass; the 101st is RATE_LIMITED (HTTP 429) with retryAfter, and did not run', async () => {
    const id = await createJob(server());
    for (let i = 0; i < 100; i++) {
      const res = await server().gql(RUN, { id });
      expect(res.errors, `call ${i + 1}`).toBeUndefined();
    }
    const runAtBefore = (await server().gql('query($id: ID!) { job(id: $id) { runAt } }', { id })).data.job.runAt;
    await new Promise((r) => setTimeout(r, 5));
    const refused = await server().gql(RUN, { id });
    expect(refused.status).toBe(429);
    expect(refused.data).toBeUndefined();
    // runJob moves runAt to "now" each time it runs: unchanged means the refused call never executed.
    expect((await server().gql('query($id: ID!) { job(id: $id) { runAt } }', { id })).data.job.runAt).toBe(runAtBefore);
    expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    const retryAfter = refused.errors?.[0].extensions?.retryAfter;
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Other operations are not affected by the runJob budget.
    expect((await server().gql('{ job(id: 1) { id } }')).status).toBe(200);
  });

  it('over WebSocket the same budget applies', async () => {
    const id = await createJob(server());
    const client = wsClient(server().url);
    const result = await new Promise<any>((resolve) => {
      client.subscribe({ query: RUN, variables: { id } }, { next: resolve, error: (e) => resolve({ errors: e }), complete: () => {} });
    });
    await client.dispose();
    expect(result.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect(result.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
  });
});

const redisUp = await redisReachable();
const mysqlFamily = testDatabases().find((d) => d.name === 'mariadb');

describe.skipIf(!redisUp)('runJob rate limit across two API processes sharing Redis', () => {
  // Both API servers must see the same jobs: MariaDB when configured, else one SQLite file.
  let a: TestServer;
  let b: TestServer;
  const started = startedByTests('each');

  async function pair(env: Record<string, string>) {
    const url = mysqlFamily ? await mysqlFamily.create() : await testDatabases()[0].create();
    a = await started.server(sqlite, { ROLE: 'api', DATABASE_URL: url, ...env });
    b = await started.server(sqlite, { ROLE: 'api', DATABASE_URL: url, ...env });
  }

  it('calls spread over both processes share one window: the 101st is refused on either', async () => {
    await pair({ REDIS_URL, REDIS_CHANNEL_PREFIX: `test-${randomUUID()}:` });
    const id = await createJob(a);
    for (let i = 0; i < 100; i++) {
      const res = await (i % 2 === 0 ? a : b).gql(RUN, { id });
      expect(res.errors, `call ${i + 1}`).toBeUndefined();
    }
    const onA = await a.gql(RUN, { id });
    const onB = await b.gql(RUN, { id });
    for (const refused of [onA, onB]) {
      expect(refused.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
      expect(refused.errors?.[0].extensions?.retryAfter).toBeGreaterThan(0);
    }
  });

  it('without Redis each process counts alone (what the shared store is for)', async () => {
    await pair({});
    const id = await createJob(a);
    for (let i = 0; i < 100; i++) expect((await a.gql(RUN, { id })).errors).toBeUndefined();
    expect((await a.gql(RUN, { id })).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
    expect((await b.gql(RUN, { id })).errors).toBeUndefined();
  });
});

describe('rate limit store', () => {
  it('Redis unreachable: limits fail open (requests pass) and the failure is reported, not thrown', async () => {
    const failures: unknown[] = [];
    const store = redisStore('redis://127.0.0.1:1', 'test:', () => {});
    const limiter = new RateLimiter(store, 'runJob', 1, 60_000, (err) => failures.push(err));
    const decisions = [await limiter.consume('ip:1'), await limiter.consume('ip:1')];
    await store.close();
    expect(decisions.map((d) => d.allowed)).toEqual([true, true]);
    expect(failures.length).toBe(2);
  });

  it('in memory: a window resets after its length', async () => {
    let now = 1_000;
    const limiter = new RateLimiter(
      memoryStore(() => now),
      'runJob',
      2,
      10_000,
    );
    expect((await limiter.consume('a')).allowed).toBe(true);
    expect((await limiter.consume('a')).allowed).toBe(true);
    const refused = await limiter.consume('a');
    expect(refused).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    expect((await limiter.consume('b')).allowed).toBe(true);
    now += 10_000;
    expect((await limiter.consume('a')).allowed).toBe(true);
  });
});

// Over Redis the per-IP limit counts locally between syncs; one process still refuses exactly the 21st.
const globalLimitStores: [string, Record<string, string>][] = [['in memory', {}]];
if (redisUp) globalLimitStores.push(['over Redis', { REDIS_URL, REDIS_CHANNEL_PREFIX: `test-${randomUUID()}:` }]);

describe.each(globalLimitStores)('general per-IP limit, %s', (_store, env) => {
  const server = serverForSuite(sqlite, { ROLE: 'api', GLOBAL_RATE_LIMIT_MAX: '20', GLOBAL_RATE_LIMIT_WINDOW: '60000', ...env });

  it('request 21 in the window gets 429 with Retry-After on any route; health probes stay open', async () => {
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server().url}${i % 2 ? '/graphql?query=%7B__typename%7D' : '/'}`, {
        headers: { 'apollo-require-preflight': '1' },
      });
      expect(res.status, `request ${i + 1}`).toBeLessThan(400);
    }
    const refused = await fetch(`${server().url}/`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
    const gql = await server().gql('{ __typename }');
    expect(gql.status).toBe(429);
    expect((await fetch(`${server().url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server().url}/readyz`)).status).toBe(200);
    // The server's own webhook deliveries (loopback → its receiver) still get through: 401 is the
    // receiver refusing the missing signature, not the limiter.
    const selfDelivery = await fetch(`${server().url}/api/webhook-test`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(selfDelivery.status).toBe(401);
  });
});

if (!redisUp) console.warn(`Redis rate-limit tests skipped: no Redis at ${REDIS_URL} (set TEST_REDIS_URL; .ci/run starts one)`);
