import type { Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Job } from '../jobs/job.entity.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { Log } from '../log.js';
import { BatchWriter } from '../loop/batch-writer.js';
import type { FinishHook } from './finish-hooks.js';
import { writeEndStates, type FailedAttempt } from './sql/finish-jobs.js';

// Items, not jobs: a job has a start mark and an end state. Large enough for a full local queue of short
// jobs (LocalQueueSize caps it at 500) plus the running ones.
const MAX_BATCH = 1000;
const MAX_TRIES = 5;

/** A run that started (its attempt counts from now) or the state a run ended in. */
type RunWrite = { start: Job } | { end: Job; failure?: FailedAttempt };

/**
 * Writes what runs did, in batches: start marks and end states share one transaction per batch.
 * A batch that fails is split (one bad job, a throwing finish hook say, cannot hold the others back);
 * while the database is unreachable the batch waits on the writer's backoff. Any other error gives up
 * a job after MAX_TRIES with an error log — it then stays RUNNING until its lease expires and lease
 * recovery queues it again (at-least-once).
 */
export class Finisher {
  private readonly writer: BatchWriter<RunWrite, boolean>;

  constructor(
    private readonly orm: Orm,
    private readonly owner: string,
    private readonly hooks: readonly FinishHook[],
    private readonly events: JobEvents,
    private readonly log: Log,
  ) {
    this.writer = new BatchWriter({
      name: 'job run states',
      log,
      maxBatch: MAX_BATCH,
      maxTries: MAX_TRIES,
      isTransient: isDatabaseUnavailable,
      write: (items) => this.writeBatch(items),
    });
  }

  /** Records that a job's handler started; not awaited by the runner (the next batch carries it). */
  started(job: Job): void {
    this.writer.write({ start: job }).catch(() => {
      // Lost only with the process or the database: recovery then returns the job without an attempt.
    });
  }

  /** Resolves once the end state (and a failed run's error) is written, or given up; never rejects. */
  async ended(next: Job, failure?: FailedAttempt): Promise<void> {
    try {
      await this.writer.write({ end: next, failure });
    } catch (error) {
      this.log.error({ err: error, jobId: next.id }, 'giving up writing a job end state; lease recovery will queue the job again');
    }
  }

  /** Shutdown: writes still waiting are given up (their leases expire and recovery takes over). */
  close(): Promise<void> {
    return this.writer.close();
  }

  private async writeBatch(items: RunWrite[]): Promise<boolean[]> {
    const starts: Job[] = [];
    const ends: Job[] = [];
    const failures: FailedAttempt[] = [];
    for (const item of items) {
      if ('start' in item) starts.push(item.start);
      else {
        ends.push(item.end);
        if (item.failure) failures.push(item.failure);
      }
    }
    // A run that started and ended within one batch needs no mark: its end state writes attempts and startedAt.
    const ending = new Set(ends.map((j) => j.id));
    const marks = starts.filter((j) => !ending.has(j.id));
    const written = await writeEndStates(this.orm, this.owner, ends, this.hooks, marks, failures);
    for (const job of written) this.publish(job);
    const ids = new Set(written.map((j) => j.id));
    return items.map((item) => 'start' in item || ids.has(item.end.id));
  }

  private publish(job: Job): void {
    try {
      this.events.updated(job);
    } catch (error) {
      this.log.error({ err: error, jobId: job.id }, 'publishing a job update failed');
    }
  }
}
