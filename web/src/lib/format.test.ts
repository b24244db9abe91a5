import { describe, expect, it } from 'vitest';
import { formatDuration } from './format.ts';

describe('formatDuration', () => {
  it('reads milliseconds, seconds, minutes and hours', () => {
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(250)).toBe('250 ms');
    expect(formatDuration(2_345)).toBe('2.35 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
    // Rounding never shows "60 s" or "60 min".
    expect(formatDuration(119_600)).toBe('2 min 0 s');
    expect(formatDuration(7_199_999)).toBe('2 h 0 min');
    expect(formatDuration(5_400_000)).toBe('1 h 30 min');
    expect(formatDuration(90_000_000)).toBe('25 h 0 min');
  });
});
