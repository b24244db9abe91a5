import { describe, expect, it } from 'vitest';
import { RECONNECT_MAX_MS, reconnectDelayMs } from './backoff.ts';

describe('reconnectDelayMs', () => {
  it('doubles from 1 s with ±20 % jitter and stops growing at 30 s', () => {
    expect([0, 1, 2, 3].map((n) => reconnectDelayMs(n, () => 0.5))).toEqual([1000, 2000, 4000, 8000]);
    expect(reconnectDelayMs(0, () => 0)).toBe(800);
    expect(reconnectDelayMs(0, () => 1)).toBe(1200);
    expect(reconnectDelayMs(20, () => 0.5)).toBe(RECONNECT_MAX_MS);
  });
});
