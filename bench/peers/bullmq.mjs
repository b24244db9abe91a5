/**
 * BullMQ on Redis at its documented best for a one-process drain: `new Worker(q, fn, { concurrency })`.
 * Redis runs with no persistence (appendonly no, no RDB saves): BullMQ's figures carry no fsync at all.
 */
import { packageVersion } from '../lib/versions.mjs';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { arrive, chunks, handlerCounter, latencyProbe, timeDrain } from '../lib/measure.mjs';

const QUEUE = 'jobs-bench';

export async function open({ redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379', timeoutMs }) {
  const { hostname, port } = new URL(redisUrl);
  const connection = { host: hostname, port: Number(port || 6379), maxRetriesPerRequest: null };
  const queue = new Queue(QUEUE, { connection });
  await queue.waitUntilReady();
  const client = new Redis(connection);
  const persistence = {
    appendonly: (await client.config('GET', 'appendonly'))[1],
    save: (await client.config('GET', 'save'))[1] || '(none)',
  };
  const reset = () => queue.obliterate({ force: true });
  const addMany = async (ids) => {
    for (const chunk of chunks(ids, 1000)) await queue.addBulk(chunk.map((i) => ({ name: 'noop', data: { i } })));
  };
  const worker = (handler, concurrency) => new Worker(QUEUE, handler, { connection, concurrency });

  return {
    version: `bullmq ${packageVersion('bullmq')}, redis ${(await client.info('server')).match(/redis_version:(\S+)/)[1]}`,
    settings: { persistence, worker: '{ concurrency: c }' },
    async enqueue({ n, batch }) {
      await reset();
      const t = performance.now();
      if (batch === 1) for (let i = 0; i < n; i++) await queue.add('noop', { i });
      else for (const chunk of chunks(n, batch)) await queue.addBulk(chunk.map((i) => ({ name: 'noop', data: { i } })));
      return { ms: performance.now() - t };
    },
    async drain({ n, concurrency }) {
      await reset();
      await addMany(n);
      const counter = handlerCounter(n);
      const w = worker(async () => counter.hit(), concurrency);
      try {
        return await timeDrain(counter, async () => (await queue.getJobCounts('completed')).completed === n, timeoutMs);
      } finally {
        await w.close();
      }
    },
    async latency({ n, rate, concurrency }) {
      await reset();
      const probe = latencyProbe(n);
      const w = worker(async (job) => probe.start(job.data.i), concurrency);
      await w.waitUntilReady();
      try {
        await arrive(n, rate, (i) => {
          probe.sent[i] = performance.now();
          return queue.add('noop', { i });
        });
        await probe.counter.done;
        return { samples: probe.samples() };
      } finally {
        await w.close();
      }
    },
    async close() {
      await reset();
      await queue.close();
      client.disconnect();
    },
  };
}
