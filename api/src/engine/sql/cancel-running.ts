import type { Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { jobRowMapper } from '../../jobs/job-record.js';

/**
 * RUNNING → CANCELLED, written directly whichever process runs the job: the owning worker finds the
 * job gone from its lease at its next check and aborts the handler (at once when it is this process).
 * Returns null when the job was no longer RUNNING.
 */
export async function cancelRunningJob(orm: Orm, job: Job, now: Date): Promise<Job | null> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const t = toDbTime(dialect, now);
  const durationMs = job.startedAt ? Math.max(0, now.getTime() - job.startedAt.getTime()) : null;
  const n = await run(
    em,
    `update jobs set status = '${JobStatus.CANCELLED}', completed_at = ?, run_duration_ms = ?, updated_at = ?,
       lease_owner = null, lease_expires_at = null
     where id = ? and status = '${JobStatus.RUNNING}'`,
    [t, durationMs, t, job.id],
  );
  if (n === 0) return null;
  const rows = await query(em, 'select * from jobs where id = ?', [job.id]);
  return rows.length ? jobRowMapper(em)(rows[0]) : null;
}
