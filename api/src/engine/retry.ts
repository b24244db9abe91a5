import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import { JobStatus } from '../jobs/job.enums.js';
import { backoffDelayMs } from '../loop/backoff.js';
import { MAX_SNOOZES, type TaskBackoff } from '../tasks/task.js';
import type { FailedAttempt } from './sql/finish-jobs.js';

export { backoffDelayMs };

const SECOND = 1000;

/** First retry after about a second, doubling per attempt. */
export const RETRY_BASE_MS = SECOND;
/** No retry waits longer than this, however many attempts a job is allowed. */
export const RETRY_MAX_MS = 10 * 60 * SECOND;

/** A task's backoff where it sets none: 1 s doubling per attempt, capped at 10 min, half of it random. */
export const DEFAULT_BACKOFF: TaskBackoff = { kind: 'exponential', baseMs: RETRY_BASE_MS, maxMs: RETRY_MAX_MS, jitter: true };

/** The default backoff with its base and cap given. */
export function retryDelayMs(attempts: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS, random = Math.random): number {
  return backoffDelayMs({ kind: 'exponential', baseMs, maxMs, jitter: true }, attempts, random);
}

/** How one run ended, as the runner saw it. */
export type RunEnd =
  | { kind: 'completed'; job: Job; result: unknown; endedAt: Date }
  | {
      kind: 'failed';
      job: Job;
      error: string;
      endedAt: Date;
      /** false: FAILED at once (NonRetryableError). @default true */ retryable?: boolean;
    }
  | { kind: 'snoozed'; job: Job; ms: number; endedAt: Date };

/**
 * Decides the job's next state: COMPLETED, PENDING again (a retry at now + backoff, or a snooze that
 * gives its attempt back) or finally FAILED.
 */
export function nextState(outcome: RunEnd, retryDelayMs: (attempts: number) => number): Job {
  const { job, endedAt } = outcome;
  const next = copyJob(job, { updatedAt: endedAt, leaseOwner: null, leaseExpiresAt: null });
  next.runDurationMs = job.startedAt ? Math.max(0, endedAt.getTime() - job.startedAt.getTime()) : null;
  if (outcome.kind === 'completed') {
    return Object.assign(next, { status: JobStatus.COMPLETED, progress: 1, result: outcome.result ?? null, completedAt: endedAt });
  }
  if (outcome.kind === 'snoozed') {
    if (job.snoozes < MAX_SNOOZES) {
      return Object.assign(next, {
        status: JobStatus.PENDING,
        attempts: Math.max(0, job.attempts - 1),
        snoozes: job.snoozes + 1,
        progress: 0,
        completedAt: null,
        runAt: new Date(endedAt.getTime() + outcome.ms),
      });
    }
    return nextState(
      { kind: 'failed', job, endedAt, error: `snoozed more than ${MAX_SNOOZES} times; further snoozes count as attempts` },
      retryDelayMs,
    );
  }
  next.lastError = outcome.error;
  if (outcome.retryable !== false && job.attempts < job.maxAttempts) {
    return Object.assign(next, {
      status: JobStatus.PENDING,
      progress: 0,
      completedAt: null,
      runAt: new Date(endedAt.getTime() + retryDelayMs(job.attempts)),
    });
  }
  return Object.assign(next, { status: JobStatus.FAILED, completedAt: endedAt });
}

/**
 * The error-history entry of a run that ended in `next`: a failed run has one, and so does a snooze
 * past the limit, which counts as a failure; a completion or a snooze within the limit has none.
 */
export function failureOf(job: Job, next: Job, stack: string | null, worker: string): FailedAttempt | undefined {
  const failed = next.status === JobStatus.FAILED || (next.status === JobStatus.PENDING && next.snoozes === job.snoozes);
  if (!failed) return undefined;
  return { jobId: job.id, attempt: job.attempts, at: next.updatedAt, message: next.lastError ?? '', stack, worker };
}
