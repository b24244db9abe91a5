import { failureSignature } from './signature.js';

/** Runs one statement inside a migration (its `execute`). */
export type Execute = (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;

/** FAILED jobs signed per statement: a table of millions is signed in short steps, never in one long UPDATE. */
export const BACKFILL_BATCH = 1000;

/**
 * Signs the FAILED jobs that have no signature yet (jobs that failed before the column existed), in
 * id order, BACKFILL_BATCH at a time; the class comes from the stack of the job's latest error.
 * Returns how many jobs it signed.
 */
export async function backfillFailureSignatures(execute: Execute): Promise<number> {
  let after = 0;
  let signed = 0;
  for (;;) {
    const rows = await execute(
      `select j.id as id, j.last_error as message,
         (select e.stack from job_errors e where e.job_id = j.id
          order by e.attempt desc, e.id desc limit 1) as stack
       from jobs j where j.status = 'FAILED' and j.failure_signature is null and j.id > ?
       order by j.id limit ${BACKFILL_BATCH}`,
      [after],
    );
    if (rows.length === 0) return signed;
    const ids = rows.map((r) => Number(r.id));
    const cases = rows.map(() => 'when ? then ?').join(' ');
    const params = rows.flatMap((r) => [Number(r.id), failureSignature(r.message as string | null, r.stack as string | null)]);
    await execute(`update jobs set failure_signature = case id ${cases} end where id in (${ids.map(() => '?').join(', ')})`, [
      ...params,
      ...ids,
    ]);
    signed += rows.length;
    after = ids[ids.length - 1];
  }
}
