/**
 * A remote worker process for the workers suites: the client package's Worker with three tasks.
 * Env: JOBS_URL, JOBS_TOKEN, CONCURRENCY, LEASE_MS. Prints `registered <id>` and `aborted <jobId> <reason>`.
 */
import { Worker, defineTask } from '@jobs/client';

const sleep = defineTask<{ ms?: number; n?: number }>({
  name: 'remote.sleep',
  payload: { type: 'object', properties: { ms: { type: 'integer', minimum: 0 }, n: { type: 'integer' } } },
  defaults: { queue: 'remote-a', maxAttempts: 10 },
  async handler(job, ctx) {
    if (job.payload.ms) await new Promise((resolve) => setTimeout(resolve, job.payload.ms));
    ctx.progress(1);
    return { n: job.payload.n ?? null, pid: process.pid };
  },
});

const waitForAbort = defineTask({
  name: 'remote.until-cancelled',
  defaults: { queue: 'remote-a' },
  handler(job, ctx) {
    ctx.log('waiting to be cancelled');
    return new Promise((_, reject) =>
      ctx.signal.addEventListener('abort', () => {
        console.log(`aborted ${job.id} ${(ctx.signal.reason as Error).message}`);
        reject(ctx.signal.reason);
      }),
    );
  },
});

const worker = new Worker({
  url: process.env.JOBS_URL!,
  token: process.env.JOBS_TOKEN,
  concurrency: Number(process.env.CONCURRENCY ?? 4),
  leaseMs: Number(process.env.LEASE_MS ?? 2000),
  tasks: [sleep, waitForAbort],
  graceMs: 2000,
});
void worker.ready.then((id) => console.log(`registered ${id}`));
await worker.run();
console.log('drained');
