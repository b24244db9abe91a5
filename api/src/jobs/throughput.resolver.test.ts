import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialectOf, run, toDbTime } from '../db/sql.js';
import type { Em } from '../db/orm.js';
import { startServer, testDatabases, type TestServer } from '../../test/support/server.js';

const MINUTE_MS = 60_000;
const QUERY = 'query($minutes: Int) { throughput(minutes: $minutes) { minute completed failed } }';

describe.each(testDatabases())('throughput on $name', (db) => {
  let server: TestServer;
  // Jobs end relative to the current minute's start so buckets are predictable.
  let minuteStart = 0;

  async function endedJob(status: 'COMPLETED' | 'FAILED', endedAt: number): Promise<void> {
    const res = await server.gql('mutation { createJob(input: { taskName: "report", runAt: "2999-01-01T00:00:00.000Z" }) { id } }');
    const em = server.orm.em.fork() as Em;
    await run(em, 'update jobs set status = ?, completed_at = ? where id = ?', [
      status,
      toDbTime(dialectOf(em), new Date(endedAt)),
      Number(res.data.createJob.id),
    ]);
  }

  beforeAll(async () => {
    server = await startServer(db, { ROLE: 'api' });
    // Start near the beginning of a minute so "the current minute" cannot roll over mid-test.
    const msLeft = MINUTE_MS - (Date.now() % MINUTE_MS);
    if (msLeft < 15_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
    minuteStart = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS;
    await endedJob('COMPLETED', minuteStart + 10);
    await endedJob('COMPLETED', minuteStart + 20);
    await endedJob('FAILED', minuteStart + 30);
    await endedJob('COMPLETED', minuteStart - 5 * MINUTE_MS + 1_000);
    await endedJob('FAILED', minuteStart - 59 * MINUTE_MS);
    await endedJob('COMPLETED', minuteStart - 61 * MINUTE_MS); // outside the hour
  });
  afterAll(() => server?.stop());

  it('returns 60 one-minute points, oldest first, with per-minute counts from the database', async () => {
    const res = await server.gql(QUERY);
    expect(res.errors).toBeUndefined();
    const points = res.data.throughput as { minute: string; completed: number; failed: number }[];
    expect(points).toHaveLength(60);
    expect(Date.parse(points[59].minute)).toBe(minuteStart);
    expect(Date.parse(points[0].minute)).toBe(minuteStart - 59 * MINUTE_MS);
    expect(points[59]).toMatchObject({ completed: 2, failed: 1 });
    expect(points[54]).toMatchObject({ completed: 1, failed: 0 });
    expect(points[0]).toMatchObject({ completed: 0, failed: 1 });
    const totals = points.reduce((t, p) => ({ c: t.c + p.completed, f: t.f + p.failed }), { c: 0, f: 0 });
    expect(totals).toEqual({ c: 3, f: 2 });
  });

  it('narrows the window and refuses a window out of range naming the argument', async () => {
    const short = await server.gql(QUERY, { minutes: 5 });
    expect(short.data.throughput).toHaveLength(5);
    expect(short.data.throughput[4]).toMatchObject({ completed: 2, failed: 1 });
    const bad = await server.gql(QUERY, { minutes: 0 });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minutes' });
    expect(bad.status).toBeLessThan(500);
  });
});
