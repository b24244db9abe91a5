import { DeliveryStatus } from './webhook-delivery.entity.js';

const SECOND = 1000;

export interface RetryPolicy {
  /** Retries after the first attempt. @default 3 (WEBHOOK_MAX_RETRIES) */
  maxRetries: number;
  /** Delay before the first retry; doubles for each one after. @default 1_000 (WEBHOOK_RETRY_BASE_MS) */
  baseMs: number;
  /** Up to this share is added at random, so receivers recovering from an outage are not hit in lockstep. @default 0.2 */
  jitter?: number;
  /** A receiver's `Retry-After` (on 429/503) is honoured up to this. @default 60_000 */
  maxRetryAfterMs?: number;
}

/** Backoff after `attemptsMade` attempts: base, 2·base, 4·base, … each plus up to 20 % jitter. */
export function backoffMs(attemptsMade: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const plain = policy.baseMs * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(plain * (1 + (policy.jitter ?? 0.2) * random()));
}

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; null when absent or unreadable. */
export function parseRetryAfterMs(value: string | null | undefined, nowMs: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * SECOND;
  // An HTTP-date names its month ("Wed, 21 Oct 2015 07:28:00 GMT"); Date.parse alone takes "-5" as a year.
  const at = /[a-z]{3}/i.test(text) ? Date.parse(text) : NaN;
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  retryAfter: string | null;
}

export interface NextStep {
  status: DeliveryStatus.DELIVERED | DeliveryStatus.PENDING | DeliveryStatus.FAILED;
  nextAttemptAt: Date;
}

/** What happens to a delivery after its attempt number `attemptsMade` (1-based within this delivery). */
export function nextStep(attemptsMade: number, result: AttemptResult, policy: RetryPolicy, now = new Date()): NextStep {
  if (result.ok) return { status: DeliveryStatus.DELIVERED, nextAttemptAt: now };
  if (attemptsMade > policy.maxRetries) return { status: DeliveryStatus.FAILED, nextAttemptAt: now };
  let delay = backoffMs(attemptsMade, policy);
  if (result.status === 429 || result.status === 503) {
    const asked = parseRetryAfterMs(result.retryAfter, now.getTime());
    if (asked !== null) delay = Math.min(asked, policy.maxRetryAfterMs ?? 60 * SECOND);
  }
  return { status: DeliveryStatus.PENDING, nextAttemptAt: new Date(now.getTime() + delay) };
}
