import { describe, expect, it } from 'vitest';
import { backoffMs, nextStep, parseRetryAfterMs } from './retry-policy.js';

const policy = { maxRetries: 3, baseMs: 1000 };
const now = new Date('2026-01-01T00:00:00Z');
const failed = (status: number | null, retryAfter: string | null = null) => ({ ok: false, status, retryAfter });

describe('retry policy', () => {
  it('doubles from the base with at most 20 % jitter', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, policy, () => 0))).toEqual([1000, 2000, 4000]);
    expect([1, 2, 3].map((n) => backoffMs(n, policy, () => 0.999999))).toEqual([1200, 2400, 4800]);
  });

  it('retries three times after the first attempt, then gives up', () => {
    expect(nextStep(1, failed(500), policy, now).status).toBe('PENDING');
    expect(nextStep(3, failed(500), policy, now).status).toBe('PENDING');
    expect(nextStep(4, failed(500), policy, now).status).toBe('FAILED');
    expect(nextStep(2, { ok: true, status: 204, retryAfter: null }, policy, now).status).toBe('DELIVERED');
  });

  it('honours Retry-After on 429 and 503 up to 60 s, and ignores it otherwise', () => {
    const at = (step: ReturnType<typeof nextStep>) => step.nextAttemptAt.getTime() - now.getTime();
    expect(at(nextStep(1, failed(429, '7'), policy, now))).toBe(7000);
    expect(at(nextStep(1, failed(503, '3600'), policy, now))).toBe(60_000);
    expect(at(nextStep(1, failed(503, new Date(now.getTime() + 5000).toUTCString()), policy, now))).toBe(5000);
    expect(at(nextStep(1, failed(500, '30'), policy, now))).toBeLessThanOrEqual(1200);
    expect(at(nextStep(1, failed(429, 'soon'), policy, now))).toBeLessThanOrEqual(1200);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfterMs('120', 0)).toBe(120_000);
    expect(parseRetryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 0)).toBe(10_000);
    expect(parseRetryAfterMs(null, 0)).toBeNull();
    expect(parseRetryAfterMs('-5', 0)).toBeNull();
  });
});
