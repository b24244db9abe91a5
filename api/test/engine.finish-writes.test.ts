import { describe, expect, it } from 'vitest';
import { serverForSuite, testDatabases } from './support/server.js';
import type { Em } from '../src/db/orm.js';
import { query, run } from '../src/db/sql.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { silentJobEvents } from '../src/jobs/job.events.js';
import { JobStatus, Priority } from '../src/jobs/job.enums.js';
import type { NewJob } from '../src/jobs/job.validate.js';
import { recordEnds } from '../src/jobs/throughput.sql.js';
import { claimJobs } from '../src/engine/sql/claim-jobs.js';
import { nextState } from '../src/engine/retry.js';
import { writeEndStates } from '../src/engine/sql/finish-jobs.js';

const OWNER = 'worker-a';
const noDelay = () => 0;
const newJob = (i: number): NewJob => ({
  taskName: 'noop',
  payload: { i },
  priority: Priority.LOW,
  maxAttempts: 3,
  timeoutMs: null,
  webhookUrl: null,
  idempotencyKey: null,
  queue: 'default',
  concurrencyKey: null,
});

/** Writing a batch of end states when some of its jobs left this worker's hands while they ran. */
describe.each(testDatabases())('writeEndStates on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  const em = () => server().orm.em.fork() as Em;

  const claimFour = async () => {
    await run(em(), 'delete from jobs');
    await run(em(), 'delete from job_throughput');
    await new JobsService(server().orm, silentJobEvents).create(Array.from({ length: 4 }, (_, i) => newJob(i)));
    const claimed = await claimJobs(server().orm, {
      owner: OWNER,
      shares: [{ queue: 'default', limit: 10 }],
      leaseMs: 60_000,
      now: new Date(),
    });
    expect(claimed).toHaveLength(4);
    return claimed;
  };
  const statuses = async () =>
    (
      await query<{ id: number; status: string; lease_owner: string | null }>(em(), 'select id, status, lease_owner from jobs order by id')
    ).map((r) => ({ id: Number(r.id), status: r.status, owner: r.lease_owner }));
  const counted = async () => Number((await query<{ n: number }>(em(), 'select coalesce(sum(jobs), 0) as n from job_throughput'))[0].n);

  it('writes every state of a batch this worker still holds, and counts each end once', async () => {
    const jobs = await claimFour();
    const endedAt = new Date();
    const states = jobs.map((job) => nextState({ kind: 'completed', job, result: { ok: job.id }, endedAt }, noDelay));
    const written = await writeEndStates(server().orm, OWNER, states, [recordEnds]);
    expect(written.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect((await statuses()).map((r) => [r.status, r.owner])).toEqual(Array(4).fill([JobStatus.COMPLETED, null]));
    expect(await counted()).toBe(4);
    const [row] = await query<{ result: unknown }>(em(), 'select result from jobs where id = ?', [jobs[0].id]);
    expect(typeof row.result === 'string' ? JSON.parse(row.result) : row.result).toEqual({ ok: jobs[0].id });
  });

  it('leaves a job cancelled or taken over meanwhile as it is, writes the rest and hooks only what it wrote', async () => {
    const [kept, cancelled, recovered, failing] = await claimFour();
    await run(em(), `update jobs set status = 'CANCELLED', lease_owner = null where id = ?`, [cancelled.id]);
    await run(em(), `update jobs set lease_owner = 'worker-b' where id = ?`, [recovered.id]);
    const endedAt = new Date();
    const states = [
      nextState({ kind: 'completed', job: kept, result: null, endedAt }, noDelay),
      nextState({ kind: 'completed', job: cancelled, result: null, endedAt }, noDelay),
      nextState({ kind: 'completed', job: recovered, result: null, endedAt }, noDelay),
      nextState({ kind: 'failed', job: failing, error: 'boom', endedAt }, noDelay), // attempts left: PENDING again
    ];
    const written = await writeEndStates(server().orm, OWNER, states, [recordEnds]);
    expect(written.map((j) => j.id).sort()).toEqual([kept.id, failing.id].sort());
    expect(await statuses()).toEqual([
      { id: kept.id, status: JobStatus.COMPLETED, owner: null },
      { id: cancelled.id, status: JobStatus.CANCELLED, owner: null },
      { id: recovered.id, status: JobStatus.RUNNING, owner: 'worker-b' },
      { id: failing.id, status: JobStatus.PENDING, owner: null },
    ]);
    // Only the one COMPLETED end this worker wrote is counted; a retry is not an end.
    expect(await counted()).toBe(1);
  });
});
