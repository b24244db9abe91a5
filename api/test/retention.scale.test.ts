import { describe, expect, it } from 'vitest';
import type { AppProcess } from './support/app-process.js';
import { waitUntil } from './support/engine.js';
import { mariadb, MYSQL_SKIP_REASON, startedByTests, type TestServer } from './support/server.js';

/**
 * The retention must-hold on MariaDB: 200,000 finished jobs past retention are pruned, with their
 * webhook attempts, outbox rows, errors and logs, while three worker processes drain 20,000 new jobs;
 * the drain has no failure, nothing is left without its job, and one process prunes at a time. The
 * drain's pace with and without pruning is printed (docs/retention.md keeps the figures), not asserted.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const OLD_JOBS = 200_000;
const DRAIN = 20_000;
const CHILD_TABLES = ['webhook_logs', 'webhook_deliveries', 'job_errors', 'job_logs'];

type Em = ReturnType<TestServer['orm']['em']['fork']>;

const sql = async <T = any>(server: TestServer, text: string, params: unknown[] = [], em: Em = server.orm.em.fork()) =>
  (await em.getConnection().execute(text, params, 'all', em.getTransactionContext())) as T[];

const count = async (server: TestServer, where: string) =>
  Number((await sql(server, `select count(*) as n from jobs where ${where}`))[0].n);

/**
 * Finished long ago: 8 in 10 COMPLETED, 1 FAILED, 1 CANCELLED; every tenth job has one row in each child
 * table. One transaction, so the pruner sees the jobs only with their rows.
 */
async function insertOldJobs(server: TestServer): Promise<void> {
  await server.orm.em.fork().transactional((tx) => insertOldRows(server, tx as Em));
}

async function insertOldRows(server: TestServer, tx: Em): Promise<void> {
  const at = (extraMicros = 0) => `now(3) - interval 45 day + interval seq * 10 + ${extraMicros} microsecond`;
  await sql(
    server,
    `insert into jobs (task_name, queue, status, priority, attempts, max_attempts, progress, run_at, created_at, updated_at, started_at, completed_at)
     select 'old', 'default', case seq % 10 when 0 then 'FAILED' when 1 then 'CANCELLED' else 'COMPLETED' end, 0, 1, 1, 1,
       ${at()}, ${at()}, ${at()}, ${at()}, ${at(1_000_000)}
     from seq_1_to_${OLD_JOBS}`,
    [],
    tx,
  );
  // One multi-row insert takes consecutive ids from the first: the children need not read jobs (and lock them).
  const [{ first }] = await sql(server, 'select last_insert_id() as first', [], tx);
  const every10th = `from seq_0_to_${OLD_JOBS - 1} where seq % 10 = 3`;
  const id = `${Number(first)} + seq`;
  const children = [
    `insert into webhook_logs (job_id, url, attempt, response_status, created_at) select ${id}, 'http://example.test/hook', 1, 200, now(3) ${every10th}`,
    `insert into webhook_deliveries (job_id, message_id, url, body, status, attempts, next_attempt_at, created_at, updated_at)
     select ${id}, concat('msg_', seq), 'http://example.test/hook', '{}', 'DELIVERED', 1, now(3), now(3), now(3) ${every10th}`,
    `insert into job_errors (job_id, attempt, at, message) select ${id}, 1, now(3), 'boom' ${every10th}`,
    `insert into job_logs (job_id, seq, at, level, message) select ${id}, 1, now(3), 'info', 'hello' ${every10th}`,
  ];
  for (const statement of children) await sql(server, statement, [], tx);
}

async function createNoops(api: TestServer, n: number, tag: string): Promise<void> {
  for (let done = 0; done < n; done += 1000) {
    const inputs = Array.from({ length: Math.min(1000, n - done) }, () => ({ taskName: 'noop', payload: { tag } }));
    const res = await api.gql('mutation($ins: [CreateJobInput!]!) { createJobs(inputs: $ins) { id } }', { ins: inputs });
    if (res.errors) throw new Error(JSON.stringify(res.errors));
  }
}

/** Milliseconds from creating DRAIN jobs of `tag` until every one has ended (polled every 100 ms). */
async function drain(api: TestServer, tag: string): Promise<number> {
  const started = Date.now();
  await createNoops(api, DRAIN, tag);
  await waitUntil(
    `the ${tag} drain`,
    async () =>
      (await count(api, `task_name = 'noop' and payload like '%"${tag}"%' and status in ('PENDING', 'RUNNING')`)) === 0 ? true : null,
    240_000,
    100,
  );
  return Date.now() - started;
}

async function prunedBy(p: AppProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${await p.ready}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^jobs_pruned_total\{status="(\w+)"\} (\d+)/gm)) out[m[1]] = Number(m[2]);
  return out;
}

describe.skipIf(!!MYSQL_SKIP_REASON)('retention at scale on mariadb', () => {
  const started = startedByTests();

  it(
    'prunes 200,000 finished jobs during a 20,000-job drain on 3 workers: no failure, no orphans, one pruner at a time',
    { timeout: 600_000 },
    async () => {
      const url = await mariadb.create();
      const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url });
      const workers = Array.from({ length: 3 }, () =>
        started.process({
          DATABASE_URL: url,
          ROLE: 'worker',
          WORKER_POLL_MS: '100',
          PRUNE_INTERVAL_MS: '1000',
        }),
      );
      await Promise.all(workers.map((w) => w.ready));

      // The same drain first with nothing to prune: the pace to compare with.
      const baselineMs = await drain(api, 'baseline');

      await insertOldJobs(api);
      const pruneStarted = Date.now();
      const pruningMs = await drain(api, 'pruning');
      // The drain ran while pruning went on, not after it.
      expect(await count(api, "task_name = 'old'")).toBeGreaterThan(0);
      await waitUntil(
        'every old job to be pruned',
        async () => ((await count(api, "task_name = 'old'")) === 0 ? true : null),
        300_000,
        500,
      );
      const pruneMs = Date.now() - pruneStarted;
      console.log(
        `drain of ${DRAIN} on 3 workers: ${baselineMs} ms alone (${Math.round((DRAIN / baselineMs) * 1000)} jobs/s), ${pruningMs} ms while pruning ` +
          `(${Math.round((DRAIN / pruningMs) * 1000)} jobs/s, ${Math.round((pruningMs / baselineMs - 1) * 100)} % slower); ${OLD_JOBS} pruned in ${pruneMs} ms`,
      );

      expect(await count(api, "task_name = 'noop' and status <> 'COMPLETED'")).toBe(0);
      expect(await count(api, "task_name = 'noop'")).toBe(2 * DRAIN);
      for (const table of CHILD_TABLES) {
        const [row] = await sql(api, `select count(*) as n from ${table} t where not exists (select 1 from jobs j where j.id = t.job_id)`);
        expect({ table, orphans: Number(row.n) }).toEqual({ table, orphans: 0 });
      }
      // One process held the pruner's lease throughout; the other two stood by.
      const counts = await Promise.all(workers.map(prunedBy));
      const pruners = counts.filter((c) => Object.values(c).some((n) => n > 0));
      expect(pruners).toEqual([{ COMPLETED: OLD_JOBS * 0.8, FAILED: OLD_JOBS * 0.1, CANCELLED: OLD_JOBS * 0.1 }]);
    },
  );
});
