/**
 * graphile-worker at its documented best for throughput (worker.graphile.org/docs/performance#batching):
 * `concurrentJobs: c`, `localQueue: { size: c + 1 }`, `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`,
 * pool `max(10, c + 2)`. Durable commits (PostgreSQL fsync on, synchronous_commit on).
 */
import { packageVersion } from '../lib/versions.mjs';
import { Logger, makeWorkerUtils, run } from 'graphile-worker';
import pg from 'pg';
import { arrive, chunks, handlerCounter, latencyProbe, timeDrain } from '../lib/measure.mjs';
import { freshPgDatabase, pgSettings } from './pg.mjs';

const silent = new Logger(() => () => {});

export async function open({ timeoutMs }) {
  const connectionString = await freshPgDatabase('jobs_bench_graphile');
  const utils = await makeWorkerUtils({ connectionString, logger: silent });
  await utils.migrate();
  const pool = new pg.Pool({ connectionString, max: 2 });
  const reset = () => pool.query('truncate graphile_worker._private_jobs, graphile_worker._private_job_queues cascade');
  const pending = async () => Number((await pool.query('select count(*) as n from graphile_worker._private_jobs')).rows[0].n);
  const addMany = async (n) => {
    for (const chunk of chunks(n, 1000)) await utils.addJobs(chunk.map((i) => ({ identifier: 'noop', payload: { i } })));
  };
  const start = (handler, concurrency) =>
    run({
      connectionString,
      concurrency,
      noHandleSignals: true,
      logger: silent,
      taskList: { noop: handler },
      preset: {
        worker: {
          localQueue: { size: concurrency + 1 },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
          maxPoolSize: Math.max(10, concurrency + 2),
        },
      },
    });

  return {
    version: `graphile-worker ${packageVersion('graphile-worker')}`,
    settings: { postgres: await pgSettings(pool), worker: '{ concurrentJobs: c, localQueue: { size: c + 1 }, completeJobBatchDelay: 0 }' },
    async enqueue({ n, batch }) {
      await reset();
      const t = performance.now();
      if (batch === 1) for (let i = 0; i < n; i++) await utils.addJob('noop', { i });
      else for (const chunk of chunks(n, batch)) await utils.addJobs(chunk.map((i) => ({ identifier: 'noop', payload: { i } })));
      return { ms: performance.now() - t };
    },
    async drain({ n, concurrency }) {
      await reset();
      await addMany(n);
      const counter = handlerCounter(n);
      const runner = await start(async () => counter.hit(), concurrency);
      try {
        // graphile-worker deletes a job when it completes: done means the table is empty.
        return await timeDrain(counter, async () => (await pending()) === 0, timeoutMs);
      } finally {
        await runner.stop();
      }
    },
    async latency({ n, rate, concurrency }) {
      await reset();
      const probe = latencyProbe(n);
      const runner = await start(async (payload) => probe.start(payload.i), concurrency);
      try {
        await arrive(n, rate, (i) => {
          probe.sent[i] = performance.now();
          return utils.addJob('noop', { i });
        });
        await probe.counter.done;
        return { samples: probe.samples() };
      } finally {
        await runner.stop();
      }
    },
    async close() {
      await utils.release();
      await pool.end();
    },
  };
}
