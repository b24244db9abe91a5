import type { Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Job } from '../jobs/job.entity.js';
import type { JobEvents } from '../jobs/job.events.js';
import { loopBackoffMs } from './backoff.js';
import type { FinishHook } from './finish-hooks.js';
import type { EngineLog } from '../log.js';
import { writeEndStates } from './sql/finish-jobs.js';

// Large enough for a full local queue of short jobs (LocalQueueSize caps it at 500) plus the running ones.
const MAX_BATCH = 500;
const MAX_TRIES = 5;

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
 * A batch that fails is split at once, so one bad job (a throwing finish hook, say) cannot hold the
 * others back; a single job is retried later with capped backoff while the next writes go on. While
 * the database is unreachable it keeps retrying; any other error gives up after MAX_TRIES with an
 * error log — the job then stays RUNNING until its lease expires and lease recovery queues it
 * again (at-least-once).
 */
export class Finisher {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private readonly delayed = new Map<NodeJS.Timeout, Pending>();
  private closed = false;

  constructor(
    private readonly orm: Orm,
    private readonly owner: string,
    private readonly hooks: readonly FinishHook[],
    private readonly events: JobEvents,
    private readonly log: EngineLog,
  ) {}

  /** Resolves once the state is written (or given up); never rejects. */
  write(next: Job): Promise<void> {
    return new Promise((done) => this.enqueue([{ next, tries: 0, alone: false, done }]));
  }

  /** Shutdown: writes waiting for a retry are given up (their leases expire and recovery takes over). */
  close(): void {
    this.closed = true;
    for (const [timer, p] of this.delayed) {
      clearTimeout(timer);
      p.done();
    }
    this.delayed.clear();
  }

  private enqueue(items: Pending[]): void {
    this.queue.push(...items);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
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
        const written = await writeEndStates(
          this.orm,
          this.owner,
          batch.map((p) => p.next),
          this.hooks,
        );
        for (const job of written) this.publish(job);
        for (const p of batch) p.done();
      } catch (error) {
        this.failed(batch, error);
      }
    }
  }

  private failed(batch: Pending[], error: unknown): void {
    if (batch.length > 1) {
      this.log.warn({ err: error, jobs: batch.length }, 'writing a batch of job end states failed; writing them one by one');
      for (const p of batch) p.alone = true;
      this.queue.unshift(...batch);
      return;
    }
    const [p] = batch;
    const unavailable = isDatabaseUnavailable(error);
    if (!unavailable) p.tries++;
    if (this.closed || p.tries >= MAX_TRIES) {
      this.log.error({ err: error, jobId: p.next.id }, 'giving up writing a job end state; lease recovery will queue the job again');
      p.done();
      return;
    }
    const waitMs = loopBackoffMs(Math.max(p.tries, 1));
    this.log.warn({ err: error, jobId: p.next.id, tries: p.tries, waitMs }, 'writing a job end state failed; retrying');
    const timer = setTimeout(() => {
      this.delayed.delete(timer);
      this.enqueue([p]);
    }, waitMs);
    this.delayed.set(timer, p);
  }

  private publish(job: Job): void {
    try {
      this.events.updated(job);
    } catch (error) {
      this.log.error({ err: error, jobId: job.id }, 'publishing a job update failed');
    }
  }
}
