import { describe, expect, it } from 'vitest';
import { fromDbTime } from '../src/db/sql.js';
import type { AppProcess } from './support/app-process.js';
import { sleep, waitUntil } from './support/engine.js';
import { createMany, drained, drainSpan, gql, maxOverlap, maxStartsInWindow, runsOf, sql, updateQueue } from './support/queues.js';
import { mariadb, MYSQL_SKIP_REASON, startedByTests, type TestServer } from './support/server.js';

/**
 * Queue limits held by real worker processes (`src/main.ts`, ROLE=worker) sharing one MariaDB
 * database, read back from the jobs' own startedAt and completedAt. MariaDB only: SQLite runs one
 * worker process (queues.sqlite-limits.test.ts covers it).
 */
describe.skipIf(!!MYSQL_SKIP_REASON)('queue limits across worker processes on mariadb', () => {
  const started = startedByTests('each');

  async function setup(): Promise<{ url: string; api: TestServer }> {
    const url = await mariadb.create();
    const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url });
    return { url, api };
  }

  function worker(url: string, env: Record<string, string> = {}): AppProcess {
    return started.process({ DATABASE_URL: url, ROLE: 'worker', WORKER_CONCURRENCY: '8', WORKER_POLL_MS: '200', LEASE_MS: '2000', ...env });
  }

  /** `jobs` 300 ms jobs in a queue with concurrencyLimit 3, drained by `workers` processes of `concurrency` slots each. */
  async function drainUnderLimit(queue: string, workers: number, concurrency: number, jobs: number) {
    const { url, api } = await setup();
    await updateQueue(api, queue, { concurrencyLimit: 3 });
    const processes = Array.from({ length: workers }, () => worker(url, { WORKER_CONCURRENCY: String(concurrency) }));
    await Promise.all(processes.map((w) => w.ready));
    await createMany(
      api,
      Array.from({ length: jobs }, () => ({ taskName: 'sleepy', queue, payload: { durationMs: 300 } })),
    );
    return { api, runs: await drained(api, queue, jobs, 60_000) };
  }

  it('concurrencyLimit 3 over four workers at concurrency 8: never more than 3 of 60 jobs overlap, and the queue drains at ≥ 80 % of the limit', async () => {
    const { runs } = await drainUnderLimit('limited', 4, 8, 60);
    expect(maxOverlap(runs)).toBeLessThanOrEqual(3);
    // 60 jobs × 300 ms / 3 slots = 6 s at the full limit; 80 % of that pace is 7.5 s.
    expect(drainSpan(runs)).toBeLessThanOrEqual(7_500);
  });

  it('concurrencyLimit 3 over three workers at concurrency 2: the limit is the cluster’s, held while no one process could reach it alone', async () => {
    const { api, runs } = await drainUnderLimit('shared', 3, 2, 30);
    expect(maxOverlap(runs)).toBeLessThanOrEqual(3);
    // 3 s at the limit's pace; one process at its 2 slots needs 4.5 s, so a shorter drain took several.
    expect(drainSpan(runs)).toBeLessThan(4_400);
    const owners = await sql(api, "select count(distinct worker) as n from jobs where queue = 'shared'");
    expect(Number(owners[0].n)).toBeGreaterThan(1);
  });

  it('rate limit 20 per 1,000 ms across three workers: 200 jobs take ≥ 9 s and no one-second window has more than 20 starts', async () => {
    const { url, api } = await setup();
    await updateQueue(api, 'metered', { rateLimit: { max: 20, perMs: 1000 } });
    const workers = [worker(url), worker(url), worker(url)];
    await Promise.all(workers.map((w) => w.ready));
    await createMany(
      api,
      Array.from({ length: 200 }, () => ({ taskName: 'noop', queue: 'metered' })),
    );

    const runs = await drained(api, 'metered', 200, 60_000);
    const starts = runs.map((r) => r.start);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(9_000);
    expect(maxStartsInWindow(starts, 1000)).toBeLessThanOrEqual(20);
  });

  it('keyConcurrency 1: 40 jobs over 4 keys never overlap within a key, while different keys run side by side', async () => {
    const { url, api } = await setup();
    await updateQueue(api, 'tenants', { keyConcurrency: 1 });
    const workers = [worker(url, { WORKER_CONCURRENCY: '4' }), worker(url, { WORKER_CONCURRENCY: '4' })];
    await Promise.all(workers.map((w) => w.ready));
    await createMany(
      api,
      Array.from({ length: 40 }, (_, i) => ({
        taskName: 'tenant-work',
        queue: 'tenants',
        concurrencyKey: `customer-${i % 4}`,
        payload: { durationMs: 100 },
      })),
    );

    const runs = await drained(api, 'tenants', 40, 60_000);
    for (let k = 0; k < 4; k++) expect(maxOverlap(runs.filter((r) => r.key === `customer-${k}`))).toBe(1);
    expect(maxOverlap(runs)).toBeGreaterThanOrEqual(3);
  });

  it('pausing queue a leaves queue b running; resuming a starts its first due job within a second', async () => {
    const { url, api } = await setup();
    const w = worker(url);
    await w.ready;
    await gql(api, 'mutation { pauseQueue(name: "a") { paused } }');
    await createMany(api, [
      ...Array.from({ length: 5 }, () => ({ taskName: 'noop', queue: 'a' })),
      ...Array.from({ length: 5 }, () => ({ taskName: 'noop', queue: 'b' })),
    ]);
    await drained(api, 'b', 5, 10_000);
    await sleep(600); // three polls
    expect((await runsOf(api, 'a')).map((r) => r.status)).toEqual(Array(5).fill('PENDING'));

    const resumedAt = Date.now();
    await gql(api, 'mutation { resumeQueue(name: "a") { paused } }');
    const runs = await drained(api, 'a', 5, 10_000);
    expect(Math.min(...runs.map((r) => r.start)) - resumedAt).toBeLessThan(1000);
  });

  it('a worker with WORKER_QUEUES=b never claims a job of queue a', async () => {
    const { url, api } = await setup();
    const onlyB = worker(url, { WORKER_QUEUES: 'b' });
    await onlyB.ready;
    await createMany(api, [
      ...Array.from({ length: 20 }, () => ({ taskName: 'noop', queue: 'a' })),
      ...Array.from({ length: 20 }, () => ({ taskName: 'noop', queue: 'b' })),
    ]);
    await drained(api, 'b', 20, 10_000);
    await sleep(600);
    expect((await runsOf(api, 'a')).every((r) => r.status === 'PENDING')).toBe(true);

    const everything = worker(url);
    await drained(api, 'a', 20, 10_000);
    const aIds = new Set((await runsOf(api, 'a')).map((r) => r.id));
    expect(onlyB.logs('job started').filter((l) => aIds.has(l.jobId))).toEqual([]);
    expect(everything.logs('job started').filter((l) => aIds.has(l.jobId))).toHaveLength(20);
  });

  it('limited queues and a backlog in an unlimited queue do not starve each other', async () => {
    const { url, api } = await setup();
    // Limited queues with nothing to do must not keep the slots from other queues.
    for (const name of ['idle-1', 'idle-2', 'idle-3']) await updateQueue(api, name, { concurrencyLimit: 1 });
    await updateQueue(api, 'reports', { concurrencyLimit: 2 });
    const w = worker(url, { WORKER_CONCURRENCY: '4' });
    await w.ready;
    const one = Date.now();
    await createMany(api, [{ taskName: 'noop' }]);
    const [first] = await drained(api, 'default', 1, 10_000);
    expect(first.start - one).toBeLessThan(1_000);

    // A backlog in an unlimited queue must not keep a limited queue with room waiting.
    await createMany(
      api,
      Array.from({ length: 80 }, () => ({ taskName: 'bulk', queue: 'bulk', payload: { durationMs: 100 } })),
    );
    await createMany(
      api,
      Array.from({ length: 4 }, () => ({ taskName: 'report', queue: 'reports', payload: { durationMs: 300 } })),
    );
    const reports = await drained(api, 'reports', 4, 20_000);
    const bulk = await drained(api, 'bulk', 80, 20_000);
    expect(maxOverlap(reports)).toBe(2);
    expect(Math.max(...reports.map((r) => r.end))).toBeLessThan(Math.max(...bulk.map((r) => r.end)));
  });

  it('fairness: with 100,000 due jobs in queue a, jobs created in queue b start within milliseconds, not behind the backlog', async () => {
    const { url, api } = await setup();
    // One job of b first, so the worker knows the queue before the measurement.
    await createMany(api, [{ taskName: 'noop', queue: 'b' }]);
    await sql(api, "insert ignore into queue_state (name, paused, updated_at) values ('a', 0, now(3))");
    await sql(
      api,
      "insert into jobs (task_name, queue, status, priority, attempts, max_attempts, progress, run_at, created_at, updated_at) select 'noop', 'a', 'PENDING', 2, 0, 3, 0, now(3), now(3), now(3) from seq_1_to_100000",
    );
    const w = worker(url, { WORKER_CONCURRENCY: '10' });
    await w.ready;
    await waitUntil('the worker to drain queue a', async () => {
      const [row] = await sql(api, "select count(*) as n from jobs where queue = 'a' and status = 'COMPLETED'");
      return Number(row.n) > 2000 || null;
    });

    const waits: number[] = [];
    for (let i = 0; i < 100; i++) {
      const data = await gql(api, 'mutation { createJob(input: { taskName: "noop", queue: "b", priority: LOW }) { id createdAt } }');
      const id = data.createJob.id;
      const job = await waitUntil(
        `job ${id} of b to start`,
        async () => {
          const [row] = await sql(api, 'select started_at, created_at from jobs where id = ?', [id]);
          return row?.started_at ? row : null;
        },
        10_000,
        5,
      );
      waits.push(fromDbTime(job.started_at)!.getTime() - fromDbTime(job.created_at)!.getTime());
    }
    const [backlog] = await sql(api, "select count(*) as n from jobs where queue = 'a' and status = 'PENDING'");
    // The measurement ran while queue a still had a backlog.
    expect(Number(backlog.n)).toBeGreaterThan(0);
    waits.sort((a, b) => a - b);
    // Behind the backlog (~98,000 jobs at a few thousand per second) these jobs would wait tens of seconds.
    // The bounds only tell fair from unfair: the latency itself (p99 ~70 ms on a quiet machine, p50 120 ms
    // with CI's other suites beside it) is a benchmark's figure, recorded in docs/decisions.md.
    expect(waits[49], `waits (ms): ${waits.join(', ')}`).toBeLessThanOrEqual(1_000);
    expect(waits[98], `waits (ms): ${waits.join(', ')}`).toBeLessThanOrEqual(3_000);
    // Writing 100,000 rows and draining 2,000 takes ~10 s alone and several times that on a busy machine.
  }, 120_000);

  it('SIGKILL of a worker holding limited slots: the slots come back within one lease, and the limit holds before and after', async () => {
    const { url, api } = await setup();
    await updateQueue(api, 'pair', { concurrencyLimit: 2 });
    const victim = worker(url);
    await victim.ready;
    await createMany(
      api,
      Array.from({ length: 8 }, () => ({ taskName: 'slow', queue: 'pair', payload: { durationMs: 1500 }, maxAttempts: 5 })),
    );
    const held = await waitUntil('the victim to hold both slots', async () => {
      const rows = await sql(api, "select id from jobs where queue = 'pair' and status = 'RUNNING'");
      return rows.length === 2 ? rows.map((r) => Number(r.id)) : null;
    });
    const survivor = worker(url);
    await survivor.ready;

    // Sample the queue's RUNNING rows until it drains: the limit counts them, whoever holds them.
    let most = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [row] = await sql(api, "select count(*) as n from jobs where queue = 'pair' and status = 'RUNNING'");
        most = Math.max(most, Number(row.n));
        await sleep(20);
      }
    })();

    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exited;
    const back = await waitUntil(
      "the victim's jobs to leave its lease",
      async () => {
        const rows = await sql(
          api,
          `select count(*) as n from jobs where id in (${held.join(',')}) and (status <> 'RUNNING' or lease_owner not like ?)`,
          [`%:${victim.pid}:%`],
        );
        return Number(rows[0].n) === held.length ? Date.now() : null;
      },
      10_000,
      20,
    );
    // LEASE_MS is 2,000: recovery runs every third of it.
    expect(back - killedAt).toBeLessThanOrEqual(2_000 + 300);

    const runs = await drained(api, 'pair', 8, 60_000);
    sampling = false;
    await sampler;
    expect(most).toBeLessThanOrEqual(2);
    expect(maxOverlap(runs)).toBeLessThanOrEqual(2);
    expect(survivor.logs('job started').length).toBeGreaterThanOrEqual(held.length);
  });
});
