import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';

/**
 * createJob requests that arrive together share INSERT statements (jobs/single-inserts.ts): every
 * request must still get its own job back, with the id of the row that holds its payload.
 */
describe.each(testDatabases())('concurrent createJob on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id payload createdAt runAt } }';
  const later = new Date(Date.now() + 3_600_000).toISOString();

  it('300 requests at once: 300 rows, each id holding the payload its request sent', async () => {
    const answers = await Promise.all(
      Array.from({ length: 300 }, (_, n) => server().gql(CREATE, { in: { taskName: 'together', payload: { n }, runAt: later } })),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    const ids = answers.map((a) => a.data.createJob.id as string);
    expect(new Set(ids).size).toBe(300);
    const payloadOf = new Map<string, number>();
    for (let offset = 0; offset < 300; offset += 100) {
      const page = await server().gql(
        `{ jobs(limit: 100, offset: ${offset}, filter: { taskName: "together" }) { total jobs { id payload } } }`,
      );
      expect(page.data.jobs.total).toBe(300);
      for (const j of page.data.jobs.jobs as { id: string; payload: { n: number } }[]) payloadOf.set(j.id, j.payload.n);
    }
    expect(payloadOf.size).toBe(300);
    answers.forEach((a, n) => expect(payloadOf.get(a.data.createJob.id), `request ${n}`).toBe(n));
  });

  it('requests with one idempotency key at once: one job, every request answered with it', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => server().gql(CREATE, { in: { taskName: 'once', idempotencyKey: 'same-key', runAt: later } })),
    );
    for (const a of answers) expect(a.errors).toBeUndefined();
    expect(new Set(answers.map((a) => a.data.createJob.id)).size).toBe(1);
    const stored = await server().gql('{ jobs(filter: { taskName: "once" }) { total } }');
    expect(stored.data.jobs.total).toBe(1);
  });

  it('bad input in one request among many fails that request only', async () => {
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, n) =>
        server().gql(CREATE, { in: { taskName: 'mixed', payload: { n }, runAt: n === 7 ? 'not a date' : later } }),
      ),
    );
    expect(answers.filter((a) => a.errors).length).toBe(1);
    expect(answers[7].errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const stored = await server().gql('{ jobs(limit: 100, filter: { taskName: "mixed" }) { total } }');
    expect(stored.data.jobs.total).toBe(29);
  });
});
