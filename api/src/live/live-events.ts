import type { EventBus } from './pubsub.js';
import { Topic } from './pubsub.js';
import type { Job } from '../jobs/job.entity.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { BulkEvents } from '../jobs/bulk/bulk-jobs.service.js';
import type { JobLogLine } from '../jobs/job-log.entity.js';
import type { JobLogEvents } from '../jobs/job-logs.js';
import type { WebhookEvents } from '../webhooks/webhook.events.js';
import type { WebhookLog } from '../webhooks/webhook-log.entity.js';
import { isoOf, toJobMessage, toWebhookLogMessage } from './job-message.js';
import { LISTED_IDS, type JobsChangedAction } from '../jobs/bulk/bulk.types.js';

/** At most this often per job for updates that only move progress; status changes go out at once. */
export const PROGRESS_INTERVAL_MS = 100;

/** Jobs whose coalescing state is kept before the finished ones' is dropped. */
const FORGET_AT = 10_000;

interface JobState {
  status: string;
  lastSentAt: number;
  pending?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * Turns domain events into bus messages. Callers invoke it after their commit, so nothing is
 * published that a reader could not see yet. Progress-only updates are coalesced per job
 * (leading edge + trailing edge), so a handler reporting progress in a tight loop cannot flood clients.
 */
export class LiveEvents implements JobEvents, WebhookEvents, JobLogEvents, BulkEvents {
  private readonly jobs = new Map<number, JobState>();
  private readonly listeners = new Set<(job: Job | null) => void>();
  /** The size at which `forget` looks next: twice what a look kept, so many running jobs do not make every event scan. */
  private forgetAt = FORGET_AT;

  constructor(private readonly bus: EventBus) {}

  /** In-process observers (the worker's wake-up, the stats feed); `null` means "something changed". */
  onChange(listener: (job: Job | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  created(jobs: readonly Job[]): void {
    for (const job of jobs) {
      this.jobs.set(job.id, { status: job.status, lastSentAt: Date.now() });
      // JOB_UPDATED's subscribers receive it too (the bus delivers JOB_CREATED to them).
      this.bus.publish(Topic.JOB_CREATED, toJobMessage(job));
    }
    this.forget();
    for (const l of this.listeners) for (const job of jobs) l(job);
  }

  updated(job: Job): void {
    const state = this.jobs.get(job.id);
    const now = Date.now();
    const progressOnly = state !== undefined && state.status === job.status;
    if (progressOnly && now - state.lastSentAt < PROGRESS_INTERVAL_MS) {
      state.pending = job;
      state.timer ??= setTimeout(() => this.flush(job.id), PROGRESS_INTERVAL_MS - (now - state.lastSentAt));
      return;
    }
    // A status change first flushes the coalesced progress it supersedes, keeping the stream in order.
    if (state?.pending && state.pending.updatedAt <= job.updatedAt) this.flush(job.id);
    this.send(job);
  }

  /**
   * Many jobs changed at once (a bulk action, pruning): one summary for every subscriber, and each job
   * only for the subscribers of its id, so 10,000 changes are not 10,000 messages to every client.
   */
  jobsChanged(action: JobsChangedAction, ids: readonly number[], jobs: readonly Job[]): void {
    this.bus.publish(Topic.JOBS_CHANGED, { action, count: ids.length, ids: ids.slice(0, LISTED_IDS).map(String) });
    for (const job of jobs) this.bus.publish(Topic.JOB_UPDATED_IN_BULK, toJobMessage(job));
    for (const l of this.listeners) l(null);
  }

  logAdded(log: WebhookLog): void {
    this.bus.publish(Topic.WEBHOOK_LOG_ADDED, toWebhookLogMessage(log));
    for (const l of this.listeners) l(null);
  }

  logged(lines: readonly JobLogLine[]): void {
    for (const line of lines) {
      this.bus.publish(Topic.JOB_LOG_ADDED, {
        jobId: line.jobId,
        seq: line.seq,
        at: isoOf(line.at),
        level: line.level,
        message: line.message,
        data: line.data ?? null,
      });
    }
  }

  /** Jobs whose coalescing state is held now: bounded, whichever process publishes. */
  get tracked(): number {
    return this.jobs.size;
  }

  /**
   * Drops coalescing state of jobs that have finished. Called on every send, not only on creates: a
   * worker process publishes every job's transitions and creates none.
   */
  private forget(): void {
    if (this.jobs.size < this.forgetAt) return;
    for (const [id, s] of this.jobs) if (!s.pending && s.status !== 'RUNNING') this.jobs.delete(id);
    this.forgetAt = Math.max(FORGET_AT, this.jobs.size * 2);
  }

  private flush(id: number): void {
    const state = this.jobs.get(id);
    if (!state) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = undefined;
    const pending = state.pending;
    state.pending = undefined;
    if (pending) this.send(pending);
  }

  private send(job: Job): void {
    const state = this.jobs.get(job.id);
    if (state?.timer) clearTimeout(state.timer);
    this.jobs.set(job.id, { status: job.status, lastSentAt: Date.now() });
    this.forget();
    this.bus.publish(Topic.JOB_UPDATED, toJobMessage(job));
    for (const l of this.listeners) l(job);
  }

  close(): void {
    for (const state of this.jobs.values()) if (state.timer) clearTimeout(state.timer);
    this.jobs.clear();
  }
}
