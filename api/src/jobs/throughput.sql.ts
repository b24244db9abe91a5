import type { Em } from '../db/orm.js';
import { dialectOf, query, toDbTime } from '../db/sql.js';
import { JobStatus } from './job.enums.js';

const MINUTE_MS = 60_000;

export interface ThroughputRow {
  /** Minutes since the window start, 0-based. */
  bucket: number;
  status: JobStatus;
  n: number;
}

/**
 * Jobs that ended COMPLETED or (finally) FAILED since `since`, counted per minute in the database:
 * the dashboard asks for 60 numbers, not for thousands of rows. A job run again is counted at its
 * latest end only, because `completed_at` holds the latest end.
 */
export async function countEndedPerMinute(em: Em, since: Date): Promise<ThroughputRow[]> {
  const dialect = dialectOf(em);
  // SQLite keeps epoch milliseconds (integer division floors); MySQL keeps DATETIME(3) in UTC.
  const bucket = dialect === 'sqlite' ? '(completed_at - ?) / 60000' : 'timestampdiff(minute, ?, completed_at)';
  const start = toDbTime(dialect, since);
  const rows = await query<{ bucket: number; status: JobStatus; n: number }>(
    em,
    `select ${bucket} as bucket, status, count(*) as n from jobs
      where status in (?, ?) and completed_at >= ?
      group by ${bucket}, status`,
    [start, JobStatus.COMPLETED, JobStatus.FAILED, start, start],
  );
  return rows.map((r) => ({ bucket: Number(r.bucket), status: r.status, n: Number(r.n) }));
}

export { MINUTE_MS };
