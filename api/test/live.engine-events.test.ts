import { describe, expect, it } from 'vitest';
import { mariadb, MYSQL_SKIP_REASON, serverForSuite, startedByTests, testDatabases } from './support/server.js';
import { collect, settle, wsClient } from './support/ws.js';

type Seen = { id: string; status: string; progress: number | null };
const LIFECYCLE = ['PENDING', 'RUNNING', 'COMPLETED'];

/** The events of one job must walk the lifecycle forward, with progress that only grows. */
function expectLifecycle(events: Seen[]) {
  const statuses = events.map((e) => e.status);
  expect(statuses[0]).toBe('PENDING');
  expect(statuses.at(-1)).toBe('COMPLETED');
  for (let i = 1; i < events.length; i++) {
    expect(LIFECYCLE.indexOf(statuses[i])).toBeGreaterThanOrEqual(LIFECYCLE.indexOf(statuses[i - 1]));
    if (statuses[i] === 'RUNNING' && statuses[i - 1] === 'RUNNING') expect(events[i].progress!).toBeGreaterThan(events[i - 1].progress!);
  }
  const running = events.filter((e) => e.status === 'RUNNING');
  // The RUNNING transition itself, then progress reports (coalesced to ≤ 10/s, so a 500 ms job shows several).
  expect(running.length).toBeGreaterThanOrEqual(3);
  expect(running.some((e) => (e.progress ?? 0) > 0 && (e.progress ?? 0) < 1)).toBe(true);
}

const untilCompleted = async (stream: ReturnType<typeof collect<Seen>>, id: string) => {
  for (let n = 1; ; n++) {
    const items = await stream.waitFor(n, 20_000);
    if (items.some((e) => e.id === id && e.status === 'COMPLETED')) return items.filter((e) => e.id === id);
  }
};

describe.each(testDatabases())('a running job seen live on $name', (db) => {
  const server = serverForSuite(db, { WEBHOOK_RETRY_BASE_MS: '50' });

  it('jobUpdated shows PENDING → RUNNING → progress → COMPLETED in order, and webhookLogAdded the attempt', async () => {
    const client = wsClient(server().url);
    const updates = collect<Seen>(client, 'subscription { jobUpdated { id status progress } }');
    const logs = collect<{ jobId: string; attempt: number; responseStatus: number }>(
      client,
      'subscription { webhookLogAdded { jobId attempt responseStatus } }',
    );
    await settle();
    const { data } = await server().gql('mutation { createJob(input: { taskName: "report", payload: { durationMs: 500 } }) { id } }');
    const id = data.createJob.id;
    expectLifecycle(await untilCompleted(updates, id));
    const [attempt] = (await logs.waitFor(1, 20_000)).filter((l) => l.jobId === id);
    expect(attempt).toEqual({ jobId: id, attempt: 1, responseStatus: 200 });
    await client.dispose();
  });
});

describe.skipIf(!!MYSQL_SKIP_REASON || !process.env.TEST_REDIS_URL)('ROLE=api and ROLE=worker processes joined by Redis', () => {
  const started = startedByTests();

  it("a subscriber on each API process receives the worker's events", { timeout: 120_000 }, async () => {
    const url = await mariadb.create();
    const env = {
      DATABASE_URL: url,
      REDIS_URL: process.env.TEST_REDIS_URL!,
      REDIS_CHANNEL_PREFIX: `roles-${process.pid}-${Date.now()}:`,
      LOG_LEVEL: 'warn',
    };
    const apiA = started.process({ ...env, ROLE: 'api' });
    const apiB = started.process({ ...env, ROLE: 'api' });
    const worker = started.process({ ...env, ROLE: 'worker', WORKER_POLL_MS: '100' });
    const [urlA, urlB] = await Promise.all([apiA.ready, apiB.ready, worker.ready]);

    const clientA = wsClient(urlA);
    const clientB = wsClient(urlB);
    const onA = collect<Seen>(clientA, 'subscription { jobUpdated { id status progress } }');
    const onB = collect<Seen>(clientB, 'subscription { jobUpdated { id status progress } }');
    await settle(800);
    const res = await fetch(`${urlA}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { createJob(input: { taskName: "cross", payload: { durationMs: 500 } }) { id } }' }),
    });
    const id = ((await res.json()) as { data: { createJob: { id: string } } }).data.createJob.id;
    expectLifecycle(await untilCompleted(onA, id));
    expectLifecycle(await untilCompleted(onB, id));
    await clientA.dispose();
    await clientB.dispose();
  });
});
