import { describe, expect, it } from 'vitest';
import { mariadb, serverForSuite, sqlite, testDatabases } from './support/server.js';
import { collect, settle, wsClient } from './support/ws.js';

const redisUrl = process.env.TEST_REDIS_URL;
if (!redisUrl) console.warn('Redis pub/sub tests skipped: set TEST_REDIS_URL=redis://127.0.0.1:6379 to run them (.ci/run does)');

describe.skipIf(!redisUrl)('live updates across API processes through Redis', () => {
  const db = testDatabases().includes(mariadb) ? mariadb : sqlite;
  const env = { ROLE: 'api', REDIS_URL: redisUrl!, REDIS_CHANNEL_PREFIX: `test-${process.pid}-${Date.now()}:` };
  const a = serverForSuite(db, env);
  // The second replica shares the first one's database and Redis channels.
  const b = serverForSuite(db, () => ({ ...env, DATABASE_URL: a().databaseUrl }));

  it('an event published on one API process reaches subscribers on both', async () => {
    const onA = wsClient(a().url);
    const onB = wsClient(b().url);
    const createdA = collect(onA, 'subscription { jobCreated { id taskName } }');
    const createdB = collect(onB, 'subscription { jobCreated { id taskName } }');
    await settle(500);
    const res = await a().gql('mutation { createJob(input: { taskName: "cross-process", runAt: "2099-01-01T00:00:00.000Z" }) { id } }');
    const id = res.data.createJob.id;
    expect((await createdB.waitFor(1))[0]).toEqual({ id, taskName: 'cross-process' });
    expect((await createdA.waitFor(1))[0]).toEqual({ id, taskName: 'cross-process' });

    const updatesOnA = collect(onA, 'subscription($id: ID) { jobUpdated(id: $id) { status } }', { id });
    await settle(500);
    await b().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id });
    expect((await updatesOnA.waitFor(1))[0]).toEqual({ status: 'CANCELLED' });
    await onA.dispose();
    await onB.dispose();
  });

  it('a createJobs of 500 on one process reaches the other as 500 jobCreated and 500 jobUpdated events, in order', async () => {
    const onB = wsClient(b().url);
    const created = collect(onB, 'subscription { jobCreated { id } }');
    const updated = collect(onB, 'subscription { jobUpdated { id status } }');
    await settle(500);
    const inputs = Array.from({ length: 500 }, (_, i) => ({ taskName: 'batch', payload: { i }, runAt: '2099-01-01T00:00:00.000Z' }));
    const res = await a().gql('mutation($ins: [CreateJobInput!]!) { createJobs(inputs: $ins) { id } }', { ins: inputs });
    const ids = (res.data.createJobs as { id: string }[]).map((j) => j.id);
    // Over Redis the 500 travel as one batch message per topic (live/pubsub.ts); each subscriber still sees 500.
    expect((await created.waitFor(500)).map((j) => j.id)).toEqual(ids);
    expect((await updated.waitFor(500)).map((j) => j.id)).toEqual(ids);
    await settle(200);
    expect(created.items).toHaveLength(500);
    await onB.dispose();
  });
});
