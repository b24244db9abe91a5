import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['1500', 1500],
    ['2000ms', 2000],
    ['0', 0],
    [' 1s ', 1000],
  ])('%s → %d ms', (raw, ms) => expect(parseDuration(raw)).toBe(ms));

  it.each(['', '7 days', '-1s', '1.5h', 'abc', '7w'])('refuses %j with what it expected', (raw) => {
    expect(parseDuration(raw)).toMatch(/expected a duration such as 90s, 15m, 12h, 7d/);
  });

  it('refuses less than a second, except 0', () => {
    expect(parseDuration('999')).toMatch(/at least 1s/);
    expect(parseDuration('0s')).toBe(0);
  });
});

describe('formatDuration', () => {
  it('uses the largest unit that divides', () => {
    expect(formatDuration(604_800_000)).toBe('7d');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('kept forever');
  });
});
