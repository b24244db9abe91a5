import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';

/** A second create with the same idempotencyKey returns the existing job — also when 20 race. */
describe.each(testDatabases())('idempotencyKey under concurrent creates on $name', (db) => {
  // Due in an hour and ROLE=api: nothing runs them, only creation is under test.
  const server = serverForSuite(db, { ROLE: 'api' });

  it('20 concurrent createJob calls with one key create exactly one job and all return it', async () => {
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server().gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id idempotencyKey payload } }', {
          in: { taskName: 'charge-card', idempotencyKey: 'order-42', payload: { call: i }, runAt },
        }),
      ),
    );
    expect(results.map((r) => r.errors)).toEqual(Array(20).fill(undefined));
    const ids = new Set(results.map((r) => r.data.createJob.id));
    expect(ids.size).toBe(1);
    const page = await server().gql('{ jobs(filter: { taskName: "charge-card" }) { total jobs { id idempotencyKey } } }');
    expect(page.data.jobs.total).toBe(1);
    expect(page.data.jobs.jobs[0]).toMatchObject({ id: [...ids][0], idempotencyKey: 'order-42' });
  });
});
