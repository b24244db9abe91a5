import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { migrate, openOrm } from '../src/db/orm.js';
import { Job } from '../src/jobs/job.entity.js';
import { JobStatus } from '../src/jobs/job.enums.js';
import type { JobEvents } from '../src/jobs/job.events.js';
import { JobsService } from '../src/jobs/jobs.service.js';
import { Engine } from '../src/engine/engine.js';
import type { FinishHook } from '../src/engine/finish-hooks.js';
import { silentLog } from '../src/log.js';
import { WebhookLog } from '../src/webhooks/webhook-log.entity.js';
import { serviceJob, sleep, waitUntil } from './support/engine.js';
import { forSuite, testDatabases } from './support/server.js';

/**
 * The engine with its collaborators passed in: finish hooks run inside the transaction that writes a
 * job's end, and every transition is published (with the whole job) after its commit.
 */
describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('finish hooks and published transitions on $name', (db) => {
  const published: Job[] = [];
  const hookCalls: { id: number; status: string; inTransaction: boolean }[] = [];

  const engine = forSuite(
    async () => {
      const config = loadConfig({ DATABASE_URL: await db.create(), WORKER_CONCURRENCY: '4', WORKER_POLL_MS: '50', LEASE_MS: '60000' });
      const orm = await openOrm(config.database);
      if (db.name === 'sqlite') await migrate(orm);
      const events: JobEvents = { created() {}, updated: (job) => published.push(job) };
      // Writes a row with the transaction's EntityManager, then fails for one task name on purpose.
      const outbox: FinishHook = async (em, finished) => {
        for (const job of finished) {
          hookCalls.push({ id: job.id, status: job.status, inTransaction: em.isInTransaction() });
          await em.insert(WebhookLog, { jobId: job.id, url: 'hook://test', attempt: 1, createdAt: new Date() });
          if (job.taskName === 'hook-fails') throw new Error('outbox unavailable');
        }
      };
      const engine = new Engine({ orm, config: { ...config, ROLE: 'worker' }, events, finishHooks: [outbox], log: silentLog });
      const jobs = new JobsService(orm, engine.events);
      engine.start();
      return { orm, engine, jobs };
    },
    async ({ orm, engine }) => {
      await engine.stop();
      await orm.close(true);
    },
  );
  const orm = () => engine().orm;
  const jobs = () => engine().jobs;

  const read = (id: number) => orm().em.fork().findOneOrFail(Job, { id });
  const logsOf = (id: number) => orm().em.fork().count(WebhookLog, { jobId: id });

  it('runs hooks in the finishing transaction for COMPLETED and final FAILED, not for retries', async () => {
    const [ok] = await jobs().create([serviceJob('noop')]);
    const [bad] = await jobs().create([serviceJob('flaky', { fail: true, durationMs: 5 }, 2)]);
    await waitUntil(
      'both jobs to finish',
      async () => (await read(ok.id)).status === JobStatus.COMPLETED && (await read(bad.id)).status === JobStatus.FAILED,
      20_000,
    );
    expect(hookCalls.filter((c) => c.id === ok.id)).toEqual([{ id: ok.id, status: 'COMPLETED', inTransaction: true }]);
    // Two runs, one retry: the hook ran once, for the final failure.
    expect(hookCalls.filter((c) => c.id === bad.id)).toEqual([{ id: bad.id, status: 'FAILED', inTransaction: true }]);
    expect(await logsOf(ok.id)).toBe(1);
    expect(await logsOf(bad.id)).toBe(1);
  });

  it('a throwing hook rolls the finish back: the job is not COMPLETED and the hook’s row is not there', async () => {
    const [failing] = await jobs().create([serviceJob('hook-fails')]);
    const [fine] = await jobs().create([serviceJob('noop')]);
    await waitUntil('the healthy job to complete', async () => (await read(fine.id)).status === JobStatus.COMPLETED, 20_000);
    await waitUntil('the hook to be tried', async () => hookCalls.some((c) => c.id === failing.id));
    await sleep(300);
    const stuck = await read(failing.id);
    expect(stuck.status).toBe(JobStatus.RUNNING); // its lease expiry will hand it back; nothing half-written
    expect(await logsOf(failing.id)).toBe(0);
    expect(await logsOf(fine.id)).toBe(1);
  });

  it('publishes each transition after its commit with the whole job', async () => {
    const [job] = await jobs().create([serviceJob('progressing', { durationMs: 300 })]);
    await waitUntil('completion', async () => (await read(job.id)).status === JobStatus.COMPLETED, 20_000);
    // The event follows the commit, so a read may see COMPLETED a moment before it is published.
    await waitUntil('the completion to be published', async () => published.some((j) => j.id === job.id && j.status === 'COMPLETED'));
    const mine = published.filter((j) => j.id === job.id);
    expect(mine[0]).toMatchObject({ status: 'RUNNING', attempts: 1, taskName: 'progressing', payload: { durationMs: 300 } });
    expect(mine[0].startedAt).toBeInstanceOf(Date);
    const progress = mine.filter((j) => j.status === 'RUNNING' && j.progress > 0).map((j) => j.progress);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    expect(progress).toEqual([...progress].sort());
    const last = mine.at(-1)!;
    expect(last).toMatchObject({ status: 'COMPLETED', progress: 1, attempts: 1, result: { simulated: true, durationMs: 300 } });
    expect(last.completedAt).toBeInstanceOf(Date);
    expect(last.runDurationMs).toBeGreaterThanOrEqual(300);
    // Published after the commit: what was announced is what a fresh read shows.
    const stored = await read(job.id);
    expect(stored.status).toBe(last.status);
    expect(stored.completedAt?.getTime()).toBe(last.completedAt?.getTime());
  });
});
