import type { Em } from '../db/orm.js';
import { dialectOf, query } from '../db/sql.js';
import type { JobStatus } from './job.enums.js';

/**
 * Locks a job's row for the rest of `tx` and returns its status as committed now, or null when the job
 * is gone. Work that spans a job and its webhook rows (a redelivery, a delete) takes this first, so
 * two of them on one job run one after the other, and in the order a finish batch locks (job, then
 * its outbox rows). SQLite runs one write transaction at a time: there the read is enough.
 */
export async function lockJob(tx: Em, id: number): Promise<JobStatus | null> {
  const lock = dialectOf(tx) === 'sqlite' ? '' : ' for update';
  const [row] = await query<{ status: JobStatus }>(tx, `select status from jobs where id = ?${lock}`, [id]);
  return row?.status ?? null;
}
