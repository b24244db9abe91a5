import type { Em, Orm } from '../db/orm.js';
import { BadUserInputError } from '../graphql/errors.js';
import { JobStatus } from '../jobs/job.enums.js';
import { pruneStep, type ScanCursor } from './prune-jobs.sql.js';
import { explicitPlan, FINAL_STATUSES, type FinalStatus, type Retention } from './retention.js';

/** Finished jobs on demand (`pruneJobs`) and the retention defaults in force. */
export class RetentionService {
  constructor(
    private readonly orm: Orm,
    readonly defaults: Retention,
    private readonly batch: number,
    private readonly pruned: (status: FinalStatus, ids: readonly number[]) => void,
  ) {}

  /** Deletes the jobs of these final statuses (all three by default) that completed before `olderThan`, batch by batch. */
  async prune(olderThan: Date, statuses: readonly JobStatus[] | null, queue: string | null): Promise<number> {
    const chosen = statuses ?? FINAL_STATUSES;
    const unfinished = chosen.filter((s) => !(FINAL_STATUSES as readonly JobStatus[]).includes(s));
    if (unfinished.length > 0 || chosen.length === 0) {
      throw new BadUserInputError('statuses', `expected final statuses (COMPLETED, FAILED, CANCELLED), got [${chosen.join(', ')}]`);
    }
    const em = this.orm.em.fork() as Em;
    let total = 0;
    for (const status of new Set(chosen as FinalStatus[])) {
      const plan = explicitPlan(status, olderThan, queue);
      let cursor: ScanCursor | null = null;
      do {
        const step = await pruneStep(em, plan, cursor, this.batch);
        if (step.deleted.length > 0) this.pruned(status, step.deleted);
        total += step.deleted.length;
        cursor = step.cursor;
      } while (cursor);
    }
    return total;
  }
}
