import type { Em } from '../../db/orm.js';
import { dialectOf, placeholders, query, run, toDbTime } from '../../db/sql.js';
import type { JobFilter } from '../job.input.js';
import { JobStatus } from '../job.enums.js';
import { whereClause } from '../list-jobs.sql.js';

/** The ids of the jobs matching `filter`, at most `limit` (oldest first): the caller asks for one more than it allows. */
export async function matchingIds(em: Em, filter: JobFilter, limit: number): Promise<number[]> {
  const where = whereClause(filter);
  const rows = await query<{ id: unknown }>(em, `select id from jobs ${where.sql} order by id limit ?`, [...where.params, limit]);
  return rows.map((r) => Number(r.id));
}

/** Locks these jobs for the rest of `tx` (in id order, as deletes do) and returns their status now. */
export async function lockStatuses(tx: Em, ids: readonly number[]): Promise<Map<number, JobStatus>> {
  const lock = dialectOf(tx) === 'sqlite' ? '' : ' for update';
  const rows = await query<{ id: unknown; status: JobStatus }>(
    tx,
    `select id, status from jobs where id in (${placeholders(ids.length)}) order by id${lock}`,
    [...ids],
  );
  return new Map(rows.map((r) => [Number(r.id), r.status]));
}

/** runJob's rules for many: PENDING jobs become due now, finished ones are queued again from scratch. */
export async function requeue(tx: Em, pending: readonly number[], finished: readonly number[], now: Date): Promise<void> {
  const at = toDbTime(dialectOf(tx), now);
  if (pending.length > 0)
    await run(tx, `update jobs set run_at = ?, updated_at = ? where id in (${placeholders(pending.length)})`, [at, at, ...pending]);
  if (finished.length === 0) return;
  await run(
    tx,
    `update jobs set status = ?, run_at = ?, updated_at = ?, attempts = 0, snoozes = 0, progress = 0, last_error = null, failure_signature = null, result = null,
       started_at = null, completed_at = null, run_duration_ms = null
     where id in (${placeholders(finished.length)})`,
    [JobStatus.PENDING, at, at, ...finished],
  );
}

/** cancelJob's rule for PENDING jobs: CANCELLED now. */
export async function cancelPending(tx: Em, ids: readonly number[], now: Date): Promise<void> {
  if (ids.length === 0) return;
  const at = toDbTime(dialectOf(tx), now);
  await run(tx, `update jobs set status = ?, completed_at = ?, updated_at = ? where id in (${placeholders(ids.length)})`, [
    JobStatus.CANCELLED,
    at,
    at,
    ...ids,
  ]);
}
