import { describe, expect, it } from 'vitest';
import { LocalQueueSize } from './local-queue-size.js';

/** `size` after it has seen `runs` handlers of `ms` each. */
function after(size: LocalQueueSize, ms: number, runs = 100): LocalQueueSize {
  for (let i = 0; i < runs; i++) size.observe(ms);
  return size;
}

describe('LocalQueueSize', () => {
  it('holds as many jobs as run at once until handlers have been timed', () => {
    expect(new LocalQueueSize(4).prefetch).toBe(4);
  });

  it('grows to the cap for jobs that take microseconds', () => {
    expect(after(new LocalQueueSize(1, 100, 200), 0.02).prefetch).toBe(200);
  });

  it('keeps about one window of work for medium jobs', () => {
    expect(after(new LocalQueueSize(10, 100, 200), 20).prefetch).toBe(50);
  });

  it('never holds fewer than the concurrency, however long jobs run', () => {
    expect(after(new LocalQueueSize(4, 100, 200), 5_000).prefetch).toBe(4);
  });

  it('shrinks again when jobs get slower', () => {
    expect(after(after(new LocalQueueSize(2, 100, 200), 0.01), 1_000).prefetch).toBe(2);
  });
});
