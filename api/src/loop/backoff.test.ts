import { describe, expect, it } from 'vitest';
import { loopBackoffMs } from './backoff.js';

describe('loopBackoffMs', () => {
  it('grows and is capped', () => {
    expect(loopBackoffMs(1, undefined, () => 1)).toBe(100);
    expect(loopBackoffMs(2, undefined, () => 1)).toBe(200);
    expect(loopBackoffMs(50, undefined, () => 1)).toBe(1_000);
  });

  it('jitters between half and the full step, so loops of many processes do not retry in lockstep', () => {
    expect(loopBackoffMs(3, undefined, () => 0)).toBe(200);
    expect(loopBackoffMs(3, undefined, () => 0.5)).toBe(300);
    expect(loopBackoffMs(50, { baseMs: 200, maxMs: 10_000 }, () => 0)).toBe(5_000);
  });
});
