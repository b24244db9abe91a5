import { createConnection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { query } from '../src/db/sql.js';
import { createJob, getJob, isFinished, sleep, waitForJob } from './support/engine.js';
import { mariadb, MYSQL_SKIP_REASON, startedByTests } from './support/server.js';

/** What only a shared MySQL-family database shows: the claim plan, no gap locks, and cancelling a job another process runs. */
describe.skipIf(!!MYSQL_SKIP_REASON)('engine on a shared mariadb', () => {
  const started = startedByTests();

  it('the claim reads the claim index in order: EXPLAIN shows no filesort', async () => {
    const api = await started.server(mariadb, { ROLE: 'api' });
    const conn = api.orm.em.fork().getConnection();
    // Enough rows in several statuses that the optimizer has a real choice to make.
    const values = Array.from(
      { length: 500 },
      (_, i) => `('t', ${i % 3}, '${['PENDING', 'COMPLETED', 'FAILED'][i % 3]}', now(3), now(3), now(3))`,
    ).join(', ');
    await conn.execute(`insert into jobs (task_name, priority, status, run_at, created_at, updated_at) values ${values}`);
    await conn.execute('analyze table jobs');
    const plan = (await conn.execute(
      "explain select * from jobs where status = 'PENDING' and queue = 'default' and run_at <= now(3) order by priority desc, run_at, id limit 16 for update skip locked",
    )) as { key: string; Extra: string }[];
    expect(plan[0].key).toBe('jobs_queue_claim_idx');
    expect(plan[0].Extra ?? '').not.toMatch(/filesort/i);
  });

  it('transactions take no gap locks: a new PENDING job goes in behind a claim that locked the range', async () => {
    const url = await mariadb.create();
    const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url });
    const other = await createConnection(url);
    try {
      // Under REPEATABLE READ the claim below locks the gap after the last PENDING entry, and this insert waits for it.
      await other.query('set session innodb_lock_wait_timeout = 1');
      await other.query("insert into jobs (task_name, run_at, created_at, updated_at) values ('t', now(3), now(3), now(3))");
      const inserted = await api.orm.em.fork().transactional(async (tx) => {
        const claimed = await query(
          tx as Em,
          "select id from jobs where status = 'PENDING' and queue = 'default' order by priority desc, run_at, id limit 10 for update skip locked",
        );
        expect(claimed).toHaveLength(1);
        const [result] = await other.query(
          "insert into jobs (task_name, run_at, created_at, updated_at) values ('t', now(3) + interval 1 hour, now(3), now(3))",
        );
        return (result as { affectedRows: number }).affectedRows;
      });
      expect(inserted).toBe(1);
    } finally {
      await other.end();
    }
  });

  it('cancelling a job that a worker process runs stops its handler there within a second', async () => {
    const url = await mariadb.create();
    const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url });
    const worker = started.process({ DATABASE_URL: url, ROLE: 'worker', WORKER_CONCURRENCY: '1', WORKER_POLL_MS: '200' });
    await worker.ready;

    const long = await createJob(api, { taskName: 'long', payload: { durationMs: 10_000 } });
    await waitForJob(api, long.id, (j) => j.status === 'RUNNING' && (j.progress ?? 0) > 0);
    const res = await api.gql('mutation($id: ID!) { cancelJob(id: $id) { status } }', { id: long.id });
    expect(res.data.cancelJob.status).toBe('CANCELLED');
    const cancelledAt = Date.now();

    // The worker has one slot: the next job starts only when the cancelled handler let go of it.
    const next = await createJob(api, { taskName: 'noop' });
    const nextDone = await waitForJob(api, next.id, isFinished, 10_000);
    expect(nextDone.status).toBe('COMPLETED');
    expect(Date.parse(nextDone.startedAt!) - cancelledAt).toBeLessThan(1000 + 1500); // 1 s, plus slack for a loaded machine
    const stopped = await waitForJob(api, long.id, () => worker.logs('job handler stopped').some((l) => l.jobId === Number(long.id)), 5000);
    const progress = stopped.progress;
    await sleep(1200);
    expect(await getJob(api, long.id)).toMatchObject({ status: 'CANCELLED', progress });

    worker.child.kill('SIGTERM');
    expect((await worker.exited).code).toBe(0);
  }, 60_000);
});
