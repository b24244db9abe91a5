import { beforeAll, describe, expect, it } from 'vitest';
import { dialectOf, query, run, toDbTime } from '../src/db/sql.js';
import type { Em } from '../src/db/orm.js';
import { serverForSuite, testDatabases } from './support/server.js';
import { createJob, earlyInAMinute, waitForJob } from './support/engine.js';
import type { Job } from '../src/jobs/job.entity.js';
import { JobStatus } from '../src/jobs/job.enums.js';
import { pruneThroughput, recordEnds } from '../src/jobs/throughput.sql.js';

const MINUTE_MS = 60_000;
const QUERY = 'query($minutes: Int) { throughput(minutes: $minutes) { minute completed failed } }';
type Point = { minute: string; completed: number; failed: number };

const ended = (status: JobStatus, at: number) => ({ id: 0, queue: 'default', status, completedAt: new Date(at) }) as Job;

describe.each(testDatabases())('throughput on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  let minuteStart = 0;
  const em = () => server().orm.em.fork() as Em;

  beforeAll(async () => {
    minuteStart = await earlyInAMinute();
    // Ends as the finish hook records them, one batch spanning several minutes; CANCELLED is not counted.
    await recordEnds(em(), [
      ended(JobStatus.COMPLETED, minuteStart + 10),
      ended(JobStatus.FAILED, minuteStart + 30),
      ended(JobStatus.CANCELLED, minuteStart + 40),
      ended(JobStatus.COMPLETED, minuteStart - 5 * MINUTE_MS + 1_000),
      ended(JobStatus.FAILED, minuteStart - 59 * MINUTE_MS),
      ended(JobStatus.COMPLETED, minuteStart - 61 * MINUTE_MS), // outside the hour
    ]);
    // A second batch adds to the same minute's counter.
    await recordEnds(em(), [ended(JobStatus.COMPLETED, minuteStart + 20)]);
    // Another worker process's shard of the current minute: the chart sums shards.
    await run(em(), 'insert into job_throughput (minute, status, shard, jobs) values (?, ?, ?, ?)', [
      toDbTime(dialectOf(em()), new Date(minuteStart)),
      JobStatus.COMPLETED,
      99,
      4,
    ]);
  });

  it('returns 60 one-minute points, oldest first, with the counted ends of each minute', async () => {
    const res = await server().gql(QUERY);
    expect(res.errors).toBeUndefined();
    const points = res.data.throughput as Point[];
    expect(points).toHaveLength(60);
    expect(Date.parse(points[59].minute)).toBe(minuteStart);
    expect(Date.parse(points[0].minute)).toBe(minuteStart - 59 * MINUTE_MS);
    expect(points[59]).toMatchObject({ completed: 6, failed: 1 });
    expect(points[54]).toMatchObject({ completed: 1, failed: 0 });
    expect(points[0]).toMatchObject({ completed: 0, failed: 1 });
    const totals = points.reduce((t, p) => ({ c: t.c + p.completed, f: t.f + p.failed }), { c: 0, f: 0 });
    expect(totals).toEqual({ c: 7, f: 2 });
  });

  it('narrows the window and refuses a window out of range naming the argument', async () => {
    const short = await server().gql(QUERY, { minutes: 5 });
    expect(short.data.throughput).toHaveLength(5);
    expect(short.data.throughput[4]).toMatchObject({ completed: 6, failed: 1 });
    const bad = await server().gql(QUERY, { minutes: 0 });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'minutes' });
    expect(bad.status).toBeLessThan(500);
  });

  it('keeps a day of counters: older ones are pruned', async () => {
    const dayAndMore = minuteStart - 24 * 60 * MINUTE_MS - 2 * MINUTE_MS;
    await run(em(), 'insert into job_throughput (minute, status, shard, jobs) values (?, ?, ?, ?)', [
      toDbTime(dialectOf(em()), new Date(dayAndMore)),
      JobStatus.COMPLETED,
      0,
      3,
    ]);
    const count = async () =>
      Number(
        (
          await query<{ n: number }>(em(), 'select count(*) as n from job_throughput where minute < ?', [
            toDbTime(dialectOf(em()), new Date(minuteStart - 24 * 60 * MINUTE_MS)),
          ])
        )[0].n,
      );
    expect(await count()).toBe(1);
    await pruneThroughput(em(), new Date(minuteStart));
    expect(await count()).toBe(0);
    expect((await server().gql(QUERY)).data.throughput[59]).toMatchObject({ completed: 6, failed: 1 });
  });
});

describe.each(testDatabases())('throughput counted by the engine on $name', (db) => {
  const server = serverForSuite(db, { WORKER_POLL_MS: '50' });

  it('counts every end of a job run by the worker, in the minute it ended, a rerun again', async () => {
    const minuteStart = await earlyInAMinute();
    const ok = await createJob(server(), { taskName: 'noop' });
    const bad = await createJob(server(), { taskName: 'report', maxAttempts: 1, payload: { fail: true, durationMs: 5 } });
    await waitForJob(server(), ok.id, (j) => j.status === 'COMPLETED');
    await waitForJob(server(), bad.id, (j) => j.status === 'FAILED');
    await server().gql('mutation($id: ID!) { runJob(id: $id) { id } }', { id: ok.id });
    await waitForJob(server(), ok.id, (j) => j.status === 'COMPLETED' && j.attempts === 1 && Date.parse(j.completedAt!) >= minuteStart);
    // The counter commits with the end state: once the job reads COMPLETED, its count is there.
    const points = (await server().gql(QUERY, { minutes: 2 })).data.throughput as Point[];
    expect(Date.parse(points[1].minute)).toBe(minuteStart);
    expect(points[1]).toMatchObject({ completed: 2, failed: 1 });
  });
});
