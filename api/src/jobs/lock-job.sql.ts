import type { Em } from '../db/orm.js';
import { dialectOf, query } from '../db/sql.js';
import { jobRowMapper } from '../jobs/job-record.js';
import type { Job } from './job.entity.js';

/**
 * Locks a job's row for the rest of `tx` and returns the job as committed now, or null when it is
 * gone. Work that spans a job and its webhook rows (a redelivery, a delete) takes this first, so two
 * of them on one job run one after the other, and in the order a finish batch locks (job, then its
 * outbox rows). SQLite runs one write transaction at a time: there the read is enough.
 */
export async function lockJob(tx: Em, id: number): Promise<Job | null> {
  const lock = dialectOf(tx) === 'sqlite' ? '' : ' for update';
  const [row] = await query(tx, `select * from jobs where id = ?${lock}`, [id]);
  return row ? jobRowMapper(tx)(row) : null;
}
