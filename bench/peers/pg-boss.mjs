/**
 * pg-boss at its documented best for throughput: batched fetch, `work(q, { batchSize: c,
 * burstWhenBatchFull: true }, jobs => Promise.all(…))` (with batchSize 1 its polling caps it near 2·c
 * jobs/s). At c = 1 it fetches 10 at a time and runs them one after another, so concurrency stays 1
 * (burst mode is off for batchSize 1). LISTEN/NOTIFY on (`useListenNotify`, queue `notify: true`) so new
 * jobs wake the worker. Durable commits (PostgreSQL fsync on, synchronous_commit on).
 */
import { PgBoss } from 'pg-boss';
import pg from 'pg';
import { arrive, chunks, handlerCounter, latencyProbe, timeDrain } from '../lib/measure.mjs';
import { packageVersion } from '../lib/versions.mjs';
import { freshPgDatabase, pgSettings } from './pg.mjs';

const QUEUE = 'jobs-bench';

export async function open({ timeoutMs }) {
  const connectionString = await freshPgDatabase('jobs_bench_pgboss');
  const boss = new PgBoss({ connectionString, useListenNotify: true, schedule: false, supervise: true, max: 12 });
  boss.on('error', (error) => console.error('pg-boss:', error.message));
  await boss.start();
  await boss.createQueue(QUEUE, { notify: true });
  const pool = new pg.Pool({ connectionString, max: 2 });
  const reset = () => boss.deleteAllJobs(QUEUE);
  const completed = async () =>
    Number((await pool.query(`select count(*) as n from pgboss.job where name = $1 and state = 'completed'`, [QUEUE])).rows[0].n);
  const work = (handle, concurrency) => {
    const runAll =
      concurrency === 1
        ? async (jobs) => {
            for (const j of jobs) await handle(j);
          }
        : (jobs) => Promise.all(jobs.map(handle));
    return boss.work(
      QUEUE,
      { batchSize: concurrency === 1 ? 10 : concurrency, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
      runAll,
    );
  };

  return {
    version: `pg-boss ${packageVersion('pg-boss')}`,
    settings: { postgres: await pgSettings(pool), worker: '{ batchSize: c, burstWhenBatchFull: true } with Promise.all; LISTEN/NOTIFY' },
    async enqueue({ n, batch }) {
      await reset();
      const t = performance.now();
      if (batch === 1) for (let i = 0; i < n; i++) await boss.send(QUEUE, { i });
      else
        for (const chunk of chunks(n, batch))
          await boss.insert(
            QUEUE,
            chunk.map((i) => ({ data: { i } })),
          );
      return { ms: performance.now() - t };
    },
    async drain({ n, concurrency }) {
      await reset();
      for (const chunk of chunks(n, 1000))
        await boss.insert(
          QUEUE,
          chunk.map((i) => ({ data: { i } })),
        );
      const counter = handlerCounter(n);
      await work(async () => counter.hit(), concurrency);
      try {
        return await timeDrain(counter, async () => (await completed()) === n, timeoutMs);
      } finally {
        await boss.offWork(QUEUE, { wait: true });
      }
    },
    async latency({ n, rate, concurrency }) {
      await reset();
      const probe = latencyProbe(n);
      await work(async (job) => probe.start(job.data.i), concurrency);
      try {
        await arrive(n, rate, (i) => {
          probe.sent[i] = performance.now();
          return boss.send(QUEUE, { i });
        });
        await probe.counter.done;
        return { samples: probe.samples() };
      } finally {
        await boss.offWork(QUEUE, { wait: true });
      }
    },
    async close() {
      await pool.end();
      await boss.stop({ graceful: false, wait: true });
    },
  };
}
