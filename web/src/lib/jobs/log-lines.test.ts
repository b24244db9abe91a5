import { describe, expect, it } from 'vitest';
import { atBottom, lastSeq, mergeLines } from './log-lines.ts';

const line = (seq: number, message = `line ${seq}`) => ({ seq, message });

describe('mergeLines', () => {
  it('appends newer lines and keeps the array when nothing is new', () => {
    const lines = [line(1), line(2)];
    expect(mergeLines(lines, [line(3)])).toEqual([line(1), line(2), line(3)]);
    expect(mergeLines(lines, [line(2), line(1)])).toBe(lines);
    expect(lines).toEqual([line(1), line(2)]);
  });

  it('puts lines that arrive out of order in place, each once', () => {
    const live = mergeLines([], [line(4), line(5)]);
    expect(mergeLines(live, [line(1), line(2), line(3), line(4)]).map((l) => l.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('replaces the dropped-lines marker (seq 0) with its newer count', () => {
    const lines = [line(0, '10 lines dropped'), line(11)];
    expect(mergeLines(lines, [line(0, '20 lines dropped')])).toEqual([line(0, '20 lines dropped'), line(11)]);
    expect(mergeLines([line(5)], [line(0, 'dropped')]).map((l) => l.seq)).toEqual([0, 5]);
  });
});

describe('lastSeq and atBottom', () => {
  it('continues after the newest line, not after the marker', () => {
    expect(lastSeq([])).toBeUndefined();
    expect(lastSeq([line(0)])).toBeUndefined();
    expect(lastSeq([line(0), line(7)])).toBe(7);
  });

  it('counts a box scrolled to within a few pixels of its end as at the bottom', () => {
    expect(atBottom({ scrollTop: 596, scrollHeight: 1000, clientHeight: 400 })).toBe(true);
    expect(atBottom({ scrollTop: 500, scrollHeight: 1000, clientHeight: 400 })).toBe(false);
    expect(atBottom({ scrollTop: 0, scrollHeight: 300, clientHeight: 400 })).toBe(true);
  });
});
