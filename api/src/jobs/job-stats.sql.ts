import type { Em } from '../db/orm.js';
import { dialectOf, query, toDbTime } from '../db/sql.js';
import { JobStatus } from './job.enums.js';

export interface StatusCounts {
  pending: number;
  running: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

/** One grouped scan of the status index. */
export async function countByStatus(em: Em): Promise<StatusCounts> {
  const rows = await query<{ status: JobStatus; n: number }>(em, 'select status, count(*) as n from jobs group by status');
  const counts: StatusCounts = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
  for (const row of rows) {
    const key = row.status.toLowerCase() as Exclude<keyof StatusCounts, 'total'>;
    if (key in counts) counts[key] = Number(row.n);
    counts.total += Number(row.n);
  }
  return counts;
}

/** One task's PENDING and RUNNING jobs, and those that ended FAILED since `failedSince` (the task index bounds the scan). */
export async function countTask(
  em: Em,
  taskName: string,
  failedSince: Date,
): Promise<{ pending: number; running: number; failedLastHour: number }> {
  const dialect = dialectOf(em);
  const rows = await query<{ status: JobStatus; n: number }>(
    em,
    `select status, count(*) as n from jobs
      where task_name = ? and (status in ('${JobStatus.PENDING}', '${JobStatus.RUNNING}') or (status = '${JobStatus.FAILED}' and completed_at >= ?))
      group by status`,
    [taskName, toDbTime(dialect, failedSince)],
  );
  const count = (status: JobStatus) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { pending: count(JobStatus.PENDING), running: count(JobStatus.RUNNING), failedLastHour: count(JobStatus.FAILED) };
}
