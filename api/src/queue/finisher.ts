import type { Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import type { JobEvents } from '../jobs/job.events.js';
import { loopBackoffMs } from './backoff.js';
import type { FinishHook } from './finish-hooks.js';
import type { EngineLog } from './log.js';
import { writeEndStates } from './sql/finish-jobs.js';

const MAX_BATCH = 200;
const MAX_TRIES = 6;

interface Pending {
  next: Job;
  tries: number;
  /** Written in a batch of its own after its batch kept failing. */
  alone: boolean;
  done: () => void;
}

/**
 * Writes end states in batches without waiting for a batch to fill: a write starts as soon as the
 * previous one is done, taking everything that queued meanwhile (graphile-worker's
 * `completeJobBatchDelay: 0`). Idle it costs nothing; under load one commit covers many jobs.
 *
 * A batch that fails is retried with capped backoff, then split into single jobs; a single job that
 * still cannot be written is given up with an error log — it stays RUNNING until its lease expires
 * and lease recovery queues it again (at-least-once).
 */
export class Finisher {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly orm: Orm,
    private readonly owner: string,
    private readonly hooks: readonly FinishHook[],
    private readonly events: JobEvents,
    private readonly log: EngineLog,
  ) {}

  /** Resolves once the state is written (or given up); never rejects. */
  write(next: Job): Promise<void> {
    return new Promise((done) => {
      this.queue.push({ next, tries: 0, alone: false, done });
      this.flushing ??= this.flush().finally(() => (this.flushing = null));
    });
  }

  /** Waits for every queued write. */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private takeBatch(): Pending[] {
    if (this.queue[0].alone) return this.queue.splice(0, 1);
    const n = this.queue.findIndex((p) => p.alone);
    return this.queue.splice(0, Math.min(MAX_BATCH, n === -1 ? this.queue.length : n));
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      try {
        const written = await writeEndStates(this.orm, this.owner, batch.map((p) => p.next), this.hooks);
        for (const job of written) this.publish(job);
        for (const p of batch) p.done();
      } catch (error) {
        await this.failed(batch, error);
      }
    }
  }

  private async failed(batch: Pending[], error: unknown): Promise<void> {
    const tries = ++batch[0].tries;
    for (const p of batch) p.tries = tries;
    if (tries < MAX_TRIES) {
      this.log.warn({ err: error, jobs: batch.length, tries }, 'writing job end states failed; retrying');
      await new Promise((r) => setTimeout(r, loopBackoffMs(tries)));
      this.queue.unshift(...batch);
    } else if (batch.length > 1) {
      // One bad job (a throwing finish hook, say) must not hold back the others: try each alone.
      for (const p of batch) Object.assign(p, { alone: true, tries: MAX_TRIES - 2 });
      this.queue.unshift(...batch);
    } else {
      this.log.error({ err: error, jobId: batch[0].next.id }, 'giving up writing a job end state; lease recovery will queue the job again');
      batch[0].done();
    }
  }

  private publish(job: Job): void {
    try {
      this.events.updated(job);
    } catch (error) {
      this.log.error({ err: error, jobId: job.id }, 'publishing a job update failed');
    }
  }
}
