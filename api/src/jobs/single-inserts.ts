import type { Job } from './job.entity.js';
import { INSERT_ROWS_PER_STATEMENT } from './insert-jobs.sql.js';

interface Waiting {
  job: Job;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Inserts jobs created one per request (`createJob`, a schedule's tick) together when they arrive
 * while an insert is out: the first goes at once, alone; what queues meanwhile goes next in one
 * multi-row INSERT. Idle it adds no wait; under concurrent requests one statement and one commit cover
 * many jobs. A failed batch is tried again one job at a time, so a bad row fails only its own request;
 * while the database is unreachable the whole batch fails at once.
 */
export class SingleInserts {
  private waiting: Waiting[] = [];
  private busy = false;

  /** `insert` writes the jobs (setting their ids) with one `createdAt` for all: their creation instant. */
  constructor(
    private readonly insert: (jobs: Job[], createdAt: Date) => Promise<void>,
    /** Errors that fail every job of the batch at once (the database is unreachable). */
    private readonly isUnavailable: (error: unknown) => boolean,
  ) {}

  add(job: Job): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      if (!this.busy) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.busy = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0, INSERT_ROWS_PER_STATEMENT);
      try {
        await this.write(batch.map((w) => w.job));
        for (const w of batch) w.resolve();
      } catch (error) {
        // Without a database every try would fail the same way, each after its own timeout.
        if (batch.length === 1 || this.isUnavailable(error)) for (const w of batch) w.reject(error);
        else for (const w of batch) await this.write([w.job]).then(w.resolve, w.reject);
      }
    }
    this.busy = false;
  }

  /** The jobs of one statement share its instant, as `createJobs`'s do. */
  private write(jobs: Job[]): Promise<void> {
    const now = new Date();
    for (const job of jobs) {
      if (job.runAt.getTime() === job.createdAt.getTime()) job.runAt = now;
      job.createdAt = job.updatedAt = now;
    }
    return this.insert(jobs, now);
  }
}
