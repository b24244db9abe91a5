import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, run, toDbTime } from '../../db/sql.js';
import { JobStatus } from '../../jobs/job.enums.js';

export interface ProgressWrite {
  id: number;
  /** 0..1 */
  progress: number;
  at: Date;
}

/** Records running jobs' progress in one transaction, where this worker still holds them; per item, whether it did. */
export async function writeProgress(orm: Orm, owner: string, writes: readonly ProgressWrite[]): Promise<boolean[]> {
  return orm.em.fork().transactional(async (tx) => {
    const dialect = dialectOf(tx as Em);
    const written: boolean[] = [];
    for (const w of writes) {
      const n = await run(
        tx as Em,
        `update jobs set progress = ?, updated_at = ? where id = ? and status = '${JobStatus.RUNNING}' and lease_owner = ?`,
        [w.progress, toDbTime(dialect, w.at), w.id, owner],
      );
      written.push(n > 0);
    }
    return written;
  });
}
