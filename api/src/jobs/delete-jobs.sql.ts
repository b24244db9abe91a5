import type { Em } from '../db/orm.js';
import { placeholders, run } from '../db/sql.js';

/**
 * Deletes jobs and everything tied to them — webhook attempts, outbox rows, error history, log lines —
 * inside `tx`, which has locked the job rows first (see lockJob) so a finish or a redelivery of one of
 * them cannot write a child row in between. Returns the jobs deleted.
 */
export async function deleteJobRows(tx: Em, ids: readonly number[]): Promise<number> {
  if (ids.length === 0) return 0;
  const list = placeholders(ids.length);
  // Outbox rows before attempt logs: a sender records an attempt's log only while its delivery row is
  // there, so once that row is gone (after any attempt in flight committed) no new log can appear.
  for (const table of ['webhook_deliveries', 'webhook_logs', 'job_errors', 'job_logs']) {
    await run(tx, `delete from ${table} where job_id in (${list})`, ids);
  }
  return run(tx, `delete from jobs where id in (${list})`, ids);
}
