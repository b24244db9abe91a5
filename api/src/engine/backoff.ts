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

/** Capped exponential pause for the engine's own loops after a database error (outage, failover). */
export function loopBackoffMs(consecutiveFailures: number, baseMs = 200, maxMs = 10 * SECOND): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(consecutiveFailures - 1, 16));
}
