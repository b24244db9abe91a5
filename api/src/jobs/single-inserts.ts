import { CoalescedWrites } from '../loop/coalesced-writes.js';
import type { Job } from './job.entity.js';
import { INSERT_ROWS_PER_STATEMENT } from './insert-jobs.sql.js';

/**
 * Inserts jobs created one per request (`createJob`, a schedule's tick) together when they arrive
 * while an insert is out (CoalescedWrites): one multi-row INSERT and one commit cover many jobs, and
 * a bad row fails only its own request.
 */
export class SingleInserts {
  private readonly writes: CoalescedWrites<Job, void>;

  /** `insert` writes the jobs (setting their ids) with one `createdAt` for all: their creation instant. */
  constructor(
    private readonly insert: (jobs: Job[], createdAt: Date) => Promise<void>,
    /** Errors that fail every job of the batch at once (the database is unreachable). */
    isUnavailable: (error: unknown) => boolean,
  ) {
    this.writes = new CoalescedWrites({ maxBatch: INSERT_ROWS_PER_STATEMENT, isUnavailable, write: (jobs) => this.write(jobs) });
  }

  add(job: Job): Promise<void> {
    return this.writes.add(job);
  }

  /** The jobs of one statement share its instant, as `createJobs`'s do. */
  private async write(jobs: Job[]): Promise<void[]> {
    const now = new Date();
    for (const job of jobs) {
      if (job.runAt.getTime() === job.createdAt.getTime()) job.runAt = now;
      job.createdAt = job.updatedAt = now;
    }
    await this.insert(jobs, now);
    return jobs.map(() => undefined);
  }
}
