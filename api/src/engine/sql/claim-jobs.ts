import type { Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { jobRowMapper } from '../../jobs/job-record.js';
import { placeholders } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';
import { readCommittedTx } from '../../db/transactions.js';

export interface ClaimRequest {
  owner: string;
  limit: number;
  leaseMs: number;
  now: Date;
}

/**
 * Takes up to `limit` due PENDING jobs, HIGH first, then earliest run_at, then lowest id, and marks
 * them RUNNING under this worker's lease. The attempt counts only once a handler starts.
 *
 * The ORDER BY matches `jobs_claim_idx (status, priority DESC, run_at, id)` exactly, so MySQL/MariaDB
 * read it as an index range without a filesort and lock only the rows they return (an index that
 * sorts differently makes every claim sort and lock the whole backlog). SKIP LOCKED lets concurrent workers pass each other's claims instead of queueing.
 */
export async function claimJobs(orm: Orm, req: ClaimRequest): Promise<Job[]> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, req.now);
  const expires = toDbTime(dialect, new Date(req.now.getTime() + req.leaseMs));
  // No attempt yet and no start time: the runner records both when a handler starts (`markStarted`),
  // so a job claimed ahead whose worker dies before starting it goes back as it was.
  const set = `status = '${JobStatus.RUNNING}', lease_owner = ?, lease_expires_at = ?, started_at = null, updated_at = ?, progress = 0, completed_at = null, run_duration_ms = null`;
  const due = `status = '${JobStatus.PENDING}' and run_at <= ? order by priority desc, run_at, id limit ?`;

  let rows: Record<string, unknown>[];
  if (dialect === 'sqlite') {
    // One process owns an SQLite file, and one statement is atomic: no lock dance needed.
    rows = await query(em, `update jobs set ${set} where id in (select id from jobs where ${due}) returning *`, [
      req.owner,
      expires,
      now,
      now,
      req.limit,
    ]);
  } else {
    rows = await withLockRetry(() =>
      em.fork().transactional(async (tx) => {
        const picked = await query(tx, `select * from jobs where ${due} for update skip locked`, [now, req.limit]);
        if (picked.length === 0) return [];
        const ids = picked.map((r) => Number(r.id));
        await run(tx, `update jobs set ${set} where id in (${placeholders(ids.length)})`, [req.owner, expires, now, ...ids]);
        // The rows were read before the update: apply it to them rather than reading them again.
        return picked.map((r) => ({
          ...r,
          status: JobStatus.RUNNING,
          lease_owner: req.owner,
          lease_expires_at: expires,
          started_at: null,
          updated_at: now,
          progress: 0,
          completed_at: null,
          run_duration_ms: null,
        }));
      }, readCommittedTx(dialect)),
    );
  }
  return rows.map(jobRowMapper(em)).sort(claimOrder);
}

/** The claim's ORDER BY, for the rows RETURNING hands back in no particular order. */
export function claimOrder(a: Job, b: Job): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id;
}
