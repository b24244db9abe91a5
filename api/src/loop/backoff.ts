/** How long a loop waits after consecutive failures: capped exponential with "equal jitter". */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * The cap is short on purpose: a loop waiting out a database outage must notice the database is back
 * within about a second, and the jitter keeps many processes' loops from retrying in lockstep.
 */
export const LOOP_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 1000 };

/** Wait before the next try after `failures` consecutive failures: half fixed, half random, never above `maxMs`. */
export function loopBackoffMs(failures: number, policy: BackoffPolicy = LOOP_BACKOFF, random = Math.random): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(failures - 1, 30)));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}
