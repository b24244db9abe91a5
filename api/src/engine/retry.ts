import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import { JobStatus } from '../jobs/job.enums.js';

const SECOND = 1000;

/** First retry after about a second, doubling per attempt. */
export const RETRY_BASE_MS = SECOND;
/** No retry waits longer than this, however many attempts a job is allowed. */
export const RETRY_MAX_MS = 10 * 60 * SECOND;

/**
 * Delay before the next attempt after `attempts` failed runs: exponential, capped, with "equal
 * jitter" (half fixed, half random) so a burst of failures does not retry in lockstep while the
 * delay still never drops below half the exponential step.
 */
export function retryDelayMs(attempts: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS, random = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

/** How one run ended, as the runner saw it. */
export type RunEnd =
  { kind: 'completed'; job: Job; result: unknown; endedAt: Date } | { kind: 'failed'; job: Job; error: string; endedAt: Date };

/** Decides the job's next state: COMPLETED, PENDING again (retry at now + backoff) or finally FAILED. */
export function nextState(outcome: RunEnd, retryDelayMs: (attempts: number) => number): Job {
  const { job, endedAt } = outcome;
  const next = copyJob(job, { updatedAt: endedAt, leaseOwner: null, leaseExpiresAt: null });
  next.runDurationMs = job.startedAt ? Math.max(0, endedAt.getTime() - job.startedAt.getTime()) : null;
  if (outcome.kind === 'completed') {
    return Object.assign(next, { status: JobStatus.COMPLETED, progress: 1, result: outcome.result ?? null, completedAt: endedAt });
  }
  next.lastError = outcome.error;
  if (job.attempts < job.maxAttempts) {
    return Object.assign(next, {
      status: JobStatus.PENDING,
      progress: 0,
      completedAt: null,
      runAt: new Date(endedAt.getTime() + retryDelayMs(job.attempts)),
    });
  }
  return Object.assign(next, { status: JobStatus.FAILED, completedAt: endedAt });
}
