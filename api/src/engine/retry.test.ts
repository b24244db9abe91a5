import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './retry.js';

describe('retryDelayMs', () => {
  it('doubles per attempt with jitter between half and the full step', () => {
    expect(retryDelayMs(1, 1000, 60_000, () => 0)).toBe(500);
    expect(retryDelayMs(1, 1000, 60_000, () => 1)).toBe(1000);
    expect(retryDelayMs(3, 1000, 60_000, () => 0)).toBe(2000);
    expect(retryDelayMs(3, 1000, 60_000, () => 1)).toBe(4000);
  });

  it('never exceeds the cap, even for huge attempt counts', () => {
    expect(retryDelayMs(100, 1000, 60_000, () => 1)).toBe(60_000);
    expect(retryDelayMs(100, 1000, 60_000, () => 0)).toBe(30_000);
  });
});
