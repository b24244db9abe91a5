import type { Orm } from '../../db/orm.js';
import { dialectOf, run, toDbTime } from '../../db/sql.js';
import { JobStatus } from '../../jobs/job.enums.js';

/** Records a running job's progress (0..1) while this worker still holds it; false when it does not. */
export async function writeProgress(orm: Orm, owner: string, id: number, progress: number, at: Date): Promise<boolean> {
  const em = orm.em.fork();
  const n = await run(
    em,
    `update jobs set progress = ?, updated_at = ? where id = ? and status = '${JobStatus.RUNNING}' and lease_owner = ?`,
    [progress, toDbTime(dialectOf(em), at), id, owner],
  );
  return n > 0;
}
