import type { Em, Orm } from '../../db/orm.js';
import { runCancelHooks, type CancelHook } from '../../jobs/cancel-hooks.js';
import { dialectOf, query, run, toDbTime } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { jobRowMapper } from '../../jobs/job-record.js';

/**
 * RUNNING → CANCELLED, written directly whichever process runs the job: the owning worker finds the
 * job gone from its lease at its next check and aborts the handler (at once when it is this process).
 * The cancel hooks run in the same transaction. Returns null when the job was no longer RUNNING.
 */
export async function cancelRunningJob(orm: Orm, job: Job, now: Date, hooks: readonly CancelHook[] = []): Promise<Job | null> {
  const em = orm.em.fork() as Em;
  const dialect = dialectOf(em);
  const t = toDbTime(dialect, now);
  const durationMs = job.startedAt ? Math.max(0, now.getTime() - job.startedAt.getTime()) : null;
  return em.transactional(async (tx) => {
    const n = await run(
      tx as Em,
      `update jobs set status = '${JobStatus.CANCELLED}', completed_at = ?, run_duration_ms = ?, updated_at = ?,
           lease_owner = null, lease_expires_at = null
         where id = ? and status = '${JobStatus.RUNNING}'`,
      [t, durationMs, t, job.id],
    );
    if (n === 0) return null;
    await runCancelHooks(tx as Em, hooks, [job.id]);
    const rows = await query(tx as Em, 'select * from jobs where id = ?', [job.id]);
    return rows.length ? jobRowMapper(tx as Em)(rows[0]) : null;
  });
}
