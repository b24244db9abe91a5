import { describe, expect, it } from 'vitest';
import { healthOf, seriesOf, type AttemptRow } from './endpoint-health.js';

const at = (iso: string) => new Date(iso);
/** One attempt of a delivery; a delivery without attempts has `logId` null. */
const row = (deliveryId: number, status: string, logId: number | null, attempt: Partial<AttemptRow> = {}): AttemptRow => ({
  deliveryId,
  status,
  deliveryError: null,
  endedAt: at('2026-12-03T10:30:00Z'),
  logId,
  durationMs: logId === null ? null : 10,
  responseStatus: logId === null ? null : 200,
  error: null,
  ...attempt,
});

describe('healthOf', () => {
  it('counts messages by their status, attempts for latency, and names the newest failure', () => {
    const rows = [
      row(1, 'DELIVERED', 1, { durationMs: 5 }),
      row(2, 'FAILED', 2, { durationMs: 40, responseStatus: 500, error: 'HTTP 500' }),
      row(2, 'FAILED', 3, { durationMs: 60, responseStatus: null, error: 'timeout after 50 ms' }),
      row(3, 'DELIVERED', 4, { durationMs: 20 }),
      row(4, 'PENDING', 5, { durationMs: 30, responseStatus: 503, error: 'HTTP 503' }),
    ];
    expect(healthOf(rows, 0)).toEqual({
      successRate: 2 / 3,
      latencyP50Ms: 30,
      latencyP95Ms: 60,
      lastError: 'HTTP 503',
      consecutiveFailures: 0,
      deliveredCount: 2,
      failedCount: 1,
    });
  });

  it('a message failed unsent after the last attempt is the last error; nothing yet gives nulls', () => {
    const rows = [
      row(1, 'FAILED', 1, { responseStatus: 500, error: 'HTTP 500' }),
      row(2, 'FAILED', null, { deliveryError: 'endpoint disabled' }),
    ];
    expect(healthOf(rows, 2)).toMatchObject({ lastError: 'endpoint disabled', successRate: 0, failedCount: 2, consecutiveFailures: 2 });
    expect(healthOf([], 0)).toEqual({
      successRate: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      lastError: null,
      consecutiveFailures: 0,
      deliveredCount: 0,
      failedCount: 0,
    });
  });
});

describe('seriesOf', () => {
  it('24 hourly points ending with the current hour, each message counted once in the hour it ended', () => {
    const now = at('2026-12-03T10:45:00Z');
    const rows = [
      row(1, 'DELIVERED', 1, { endedAt: at('2026-12-03T10:05:00Z') }),
      row(1, 'DELIVERED', 2, { endedAt: at('2026-12-03T10:05:00Z') }),
      row(2, 'FAILED', 3, { endedAt: at('2026-12-03T09:59:59Z') }),
      row(3, 'FAILED', 4, { endedAt: at('2026-12-02T11:00:00Z') }),
      row(4, 'FAILED', 5, { endedAt: at('2026-12-02T10:59:59Z') }),
      row(5, 'PENDING', 6, { endedAt: at('2026-12-03T10:10:00Z') }),
    ];
    const points = seriesOf(rows, now);
    expect(points).toHaveLength(24);
    expect(points[0]).toEqual({ hour: at('2026-12-02T11:00:00Z'), delivered: 0, failed: 1 });
    expect(points.at(-2)).toEqual({ hour: at('2026-12-03T09:00:00Z'), delivered: 0, failed: 1 });
    expect(points.at(-1)).toEqual({ hour: at('2026-12-03T10:00:00Z'), delivered: 1, failed: 0 });
    expect(points.reduce((n, p) => n + p.delivered + p.failed, 0)).toBe(3);
  });
});
