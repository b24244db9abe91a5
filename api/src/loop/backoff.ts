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

/** A backoff of any kind: `exponential` doubles `baseMs` per try, `fixed` waits `baseMs`; never above `maxMs`. */
export interface BackoffShape {
  kind: 'exponential' | 'fixed';
  baseMs: number;
  maxMs: number;
  /** "Equal jitter": half fixed, half random, so many waiters do not retry in lockstep. */
  jitter: boolean;
}

/** Wait before try `tries + 1` after `tries` failed ones. */
export function backoffDelayMs(policy: BackoffShape, tries: number, random = Math.random): number {
  const step = policy.kind === 'fixed' ? policy.baseMs : policy.baseMs * 2 ** Math.max(0, Math.min(tries - 1, 30));
  const capped = Math.min(policy.maxMs, step);
  return Math.round(policy.jitter ? capped / 2 + random() * (capped / 2) : capped);
}

/** Wait before the next try after `failures` consecutive failures of a loop. */
export function loopBackoffMs(failures: number, policy: BackoffPolicy = LOOP_BACKOFF, random = Math.random): number {
  return backoffDelayMs({ kind: 'exponential', jitter: true, ...policy }, failures, random);
}
