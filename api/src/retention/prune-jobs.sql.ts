import type { Em } from '../db/orm.js';
import { dialectOf, fromDbTime, placeholders, query, toDbTime, type BoundValue } from '../db/sql.js';
import { deleteJobRows } from '../jobs/delete-jobs.sql.js';
import type { JobStatus } from '../jobs/job.enums.js';

/** Where a scan of one status stopped: the next one goes on after this (created_at, id). */
export interface ScanCursor {
  createdAt: Date;
  id: number;
}

/** Which finished jobs of one status may go. */
export interface PrunePlan {
  status: JobStatus;
  /** Only jobs created before this are candidates: completedAt ≥ createdAt, so no later job can be past its cutoff. */
  createdBefore: Date;
  /** A job's cutoff by its queue: it goes when its completedAt is before it; null keeps the queue's jobs. */
  cutoffOf: (queue: string) => Date | null;
  /** Only these queues' jobs. */
  queues?: readonly string[];
  /** Queues whose jobs are kept forever, left out of the scan. */
  keptQueues?: readonly string[];
}

export interface PruneStep {
  /** The jobs deleted (with their webhook rows, errors and logs). */
  deleted: number[];
  /** Where the next step goes on; null: this status has no candidates left. */
  cursor: ScanCursor | null;
}

/**
 * One bounded step: reads up to `limit` candidates along jobs_status_created_idx (no index on
 * completed_at: every finish would write it), then deletes those past their cutoff in one short
 * transaction that locks them first, in the order a finish batch or a delete locks (job, then children).
 */
export async function pruneStep(em: Em, plan: PrunePlan, after: ScanCursor | null, limit: number): Promise<PruneStep> {
  if (plan.queues?.length === 0) return { deleted: [], cursor: null };
  const dialect = dialectOf(em);
  const where = ['status = ?', 'created_at < ?'];
  const params: BoundValue[] = [plan.status, toDbTime(dialect, plan.createdBefore)];
  if (after) {
    const at = toDbTime(dialect, after.createdAt);
    where.push('(created_at > ? or (created_at = ? and id > ?))');
    params.push(at, at, after.id);
  }
  if (plan.queues) where.push(`queue in (${placeholders(plan.queues.length)})`) && params.push(...plan.queues);
  if (plan.keptQueues?.length) where.push(`queue not in (${placeholders(plan.keptQueues.length)})`) && params.push(...plan.keptQueues);
  const rows = await query<{ id: unknown; queue: string; created_at: unknown; completed_at: unknown }>(
    em,
    `select id, queue, created_at, completed_at from jobs where ${where.join(' and ')} order by created_at, id limit ?`,
    [...params, limit],
  );
  const last = rows.at(-1);
  const cursor = rows.length < limit || !last ? null : { createdAt: fromDbTime(last.created_at)!, id: Number(last.id) };
  const due = rows
    .filter((r) => {
      const cutoff = plan.cutoffOf(r.queue);
      const completedAt = fromDbTime(r.completed_at);
      return cutoff !== null && completedAt !== null && completedAt < cutoff;
    })
    .map((r) => Number(r.id));
  if (due.length === 0) return { deleted: [], cursor };
  const deleted = await em.fork().transactional(async (tx) => {
    // A job queued again since the read (runJob) is no longer this status: it stays, and so do its rows.
    const lock = dialect === 'sqlite' ? '' : ' for update';
    const held = await query<{ id: unknown }>(
      tx as Em,
      `select id from jobs where id in (${placeholders(due.length)}) and status = ?${lock}`,
      [...due, plan.status],
    );
    const ids = held.map((r) => Number(r.id));
    await deleteJobRows(tx as Em, ids);
    return ids;
  });
  return { deleted, cursor };
}
