import { describe, expect, it } from 'vitest';
import { sleep } from './support/engine.js';
import { createMany, drained, gql, maxOverlap, maxStartsInWindow, runsOf, slotUse, updateQueue } from './support/queues.js';
import { serverForSuite, sqlite } from './support/server.js';

/** SQLite runs one worker process: the same queue limits hold inside it (ROLE=all, in-process). */
describe('queue limits in one process on sqlite', () => {
  const server = serverForSuite(sqlite, { WORKER_CONCURRENCY: '8', WORKER_POLL_MS: '50', LEASE_MS: '3000' });

  it('concurrencyLimit 2 with 8 handler slots: never more than 2 of 12 jobs overlap, at ≥ 80 % of the limit', async () => {
    await updateQueue(server(), 'sq-limited', { concurrencyLimit: 2 });
    await createMany(
      server(),
      Array.from({ length: 12 }, () => ({ taskName: 'sleepy', queue: 'sq-limited', payload: { durationMs: 400 } })),
    );
    const runs = await drained(server(), 'sq-limited', 12, 20_000);
    expect(maxOverlap(runs)).toBe(2);
    // Measured against the jobs' own run time, so a loaded machine stretching the sleeps does not count against the limiter.
    expect(slotUse(runs, 2)).toBeGreaterThanOrEqual(0.8);
  });

  it('rate limit 5 per 500 ms: 20 jobs take ≥ 1.5 s and no 500 ms window has more than 5 starts', async () => {
    await updateQueue(server(), 'sq-metered', { rateLimit: { max: 5, perMs: 500 } });
    await createMany(
      server(),
      Array.from({ length: 20 }, () => ({ taskName: 'noop', queue: 'sq-metered' })),
    );
    const starts = (await drained(server(), 'sq-metered', 20, 20_000)).map((r) => r.start);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1_500);
    expect(maxStartsInWindow(starts, 500)).toBeLessThanOrEqual(5);
  });

  it('keyConcurrency 1: no two jobs of one key overlap, different keys run side by side', async () => {
    await updateQueue(server(), 'sq-tenants', { keyConcurrency: 1 });
    await createMany(
      server(),
      Array.from({ length: 12 }, (_, i) => ({
        taskName: 'tenant',
        queue: 'sq-tenants',
        concurrencyKey: `k${i % 3}`,
        payload: { durationMs: 100 },
      })),
    );
    const runs = await drained(server(), 'sq-tenants', 12, 20_000);
    for (let k = 0; k < 3; k++) expect(maxOverlap(runs.filter((r) => r.key === `k${k}`))).toBe(1);
    expect(maxOverlap(runs)).toBeGreaterThanOrEqual(2);
  });

  it('all three limits together, and a limit lifted takes effect without a restart', async () => {
    await updateQueue(server(), 'sq-all', { concurrencyLimit: 1, keyConcurrency: 1, rateLimit: { max: 100, perMs: 1000 } });
    await createMany(
      server(),
      Array.from({ length: 6 }, (_, i) => ({ taskName: 'x', queue: 'sq-all', concurrencyKey: `k${i % 2}`, payload: { durationMs: 100 } })),
    );
    const first = await drained(server(), 'sq-all', 6, 20_000);
    expect(maxOverlap(first)).toBe(1);

    await updateQueue(server(), 'sq-all', { concurrencyLimit: null, keyConcurrency: null, rateLimit: null });
    const info = await gql(server(), '{ queue(name: "sq-all") { concurrencyLimit keyConcurrency rateLimit { max } } }');
    expect(info.queue).toEqual({ concurrencyLimit: null, keyConcurrency: null, rateLimit: null });
    await createMany(
      server(),
      Array.from({ length: 6 }, () => ({ taskName: 'x', queue: 'sq-all', payload: { durationMs: 200 } })),
    );
    const runs = (await drained(server(), 'sq-all', 12, 20_000)).slice(6);
    expect(maxOverlap(runs)).toBeGreaterThanOrEqual(4);
  });

  it('pausing one queue leaves another running', async () => {
    await gql(server(), 'mutation { pauseQueue(name: "sq-a") { paused } }');
    await createMany(server(), [
      ...Array.from({ length: 3 }, () => ({ taskName: 'noop', queue: 'sq-a' })),
      ...Array.from({ length: 3 }, () => ({ taskName: 'noop', queue: 'sq-b' })),
    ]);
    await drained(server(), 'sq-b', 3, 10_000);
    await sleep(200);
    expect((await runsOf(server(), 'sq-a')).map((r) => r.status)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    await gql(server(), 'mutation { resumeQueue(name: "sq-a") { paused } }');
    await drained(server(), 'sq-a', 3, 10_000);
  });
});
