import { describe, expect, it } from 'vitest';
import { formatDuration, formatRetention } from './format.ts';

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

describe('formatRetention', () => {
  it('shows the largest whole unit, and forever for 0', () => {
    expect(formatRetention(604_800_000)).toBe('7 d');
    expect(formatRetention(43_200_000)).toBe('12 h');
    expect(formatRetention(900_000)).toBe('15 min');
    expect(formatRetention(90_000)).toBe('90 s');
    expect(formatRetention(1500)).toBe('1.50 s');
    expect(formatRetention(0)).toBe('forever');
  });
});
