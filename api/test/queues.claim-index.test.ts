import { describe, expect, it } from 'vitest';
import { sql } from './support/queues.js';
import { mariadb, MYSQL_SKIP_REASON, startedByTests } from './support/server.js';

interface PlanRow {
  table: string | null;
  key: string | null;
  Extra: string | null;
}

/**
 * The claim statements read the claim index in order with 20 queues and 200,000 PENDING jobs: no
 * filesort, no full scan (docs/queues.md records these plans). MariaDB only: its optimizer decides.
 */
describe.skipIf(!!MYSQL_SKIP_REASON)('claim plans with 20 queues and 200,000 pending jobs on mariadb', () => {
  const started = startedByTests();
  const due = "status = 'PENDING' and queue = ? and run_at <= now(3)";
  const order = 'order by priority desc, run_at, id';

  async function loaded() {
    const api = await started.server(mariadb, { ROLE: 'api' });
    const queue = "concat('q', lpad(seq % 20, 2, '0'))";
    await sql(
      api,
      `insert into jobs (task_name, queue, concurrency_key, status, priority, attempts, max_attempts, progress, run_at, created_at, updated_at)
       select 'load', ${queue}, if(seq % 3 = 0, concat('k', seq % 50), null), 'PENDING', seq % 3, 0, 3, 0,
              now(3) - interval (seq % 600) second, now(3), now(3)
       from seq_1_to_200000`,
    );
    // Other statuses, as a live table has them.
    await sql(
      api,
      `insert into jobs (task_name, queue, concurrency_key, status, priority, attempts, max_attempts, progress, run_at, created_at, updated_at)
       select 'load', ${queue}, concat('k', seq % 50), if(seq % 10 = 0, 'RUNNING', 'COMPLETED'), 1, 1, 3, 1, now(3), now(3), now(3)
       from seq_1_to_20000`,
    );
    await sql(api, 'analyze table jobs');
    return api;
  }

  const explain = async (api: Awaited<ReturnType<typeof loaded>>, text: string, params: unknown[]) =>
    (await sql<PlanRow>(api, `explain ${text}`, params)).filter((r) => r.table === 'jobs');

  /** `grouped`: a GROUP BY over the queue's RUNNING rows (bounded by the workers' slots) may sort them. */
  function servedByClaimIndex(plan: PlanRow[], grouped = false): void {
    expect(plan.length).toBeGreaterThan(0);
    for (const row of plan) {
      expect(row.key).toBe('jobs_queue_claim_idx');
      expect((row as PlanRow & { ref: string }).ref).toBe('const,const');
      if (!grouped) expect(row.Extra ?? '').not.toMatch(/filesort|temporary/i);
    }
  }

  it('one queue, several queues in one UNION ALL, a limited queue skipping keys, the quiet-queue probe and the RUNNING counts', async () => {
    const api = await loaded();
    servedByClaimIndex(
      await explain(api, `select * from jobs force index (jobs_queue_claim_idx) where ${due} ${order} limit 500 for update skip locked`, [
        'q07',
      ]),
    );
    const branch = `(select * from jobs force index (jobs_queue_claim_idx) where ${due} ${order} limit 100 for update skip locked)`;
    servedByClaimIndex(await explain(api, [branch, branch, branch].join(' union all '), ['q01', 'q02', 'q03']));
    servedByClaimIndex(
      await explain(
        api,
        `select * from jobs force index (jobs_queue_claim_idx) where ${due} and (concurrency_key is null or concurrency_key not in (?, ?, ?)) ${order} limit 8 for update skip locked`,
        ['q05', 'k3', 'k6', 'k9'],
      ),
    );
    const probe = `(select queue from jobs force index (jobs_queue_claim_idx) where ${due} limit 1)`;
    servedByClaimIndex(await explain(api, [probe, probe].join(' union all '), ['q11', 'q12']));
    servedByClaimIndex(
      await explain(api, "select count(*) as n from jobs force index (jobs_queue_claim_idx) where status = 'RUNNING' and queue = ?", [
        'q05',
      ]),
    );
    servedByClaimIndex(
      await explain(
        api,
        "select concurrency_key as k, count(*) as n from jobs force index (jobs_queue_claim_idx) where status = 'RUNNING' and queue = ? and concurrency_key is not null group by concurrency_key",
        ['q05'],
      ),
      true,
    );
  });
});
