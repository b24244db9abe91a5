import { describe, expect, it } from 'vitest';
import { LocalQueueSize } from './local-queue-size.js';

describe('LocalQueueSize', () => {
  it('holds as many jobs as run at once until handlers have been timed', () => {
    expect(new LocalQueueSize(4).prefetch).toBe(4);
  });

  it('grows to the cap for jobs that take microseconds', () => {
    const size = new LocalQueueSize(1, 100, 200);
    for (let i = 0; i < 100; i++) size.observe(0.02);
    expect(size.prefetch).toBe(200);
  });

  it('keeps about one window of work for medium jobs', () => {
    const size = new LocalQueueSize(10, 100, 200);
    for (let i = 0; i < 100; i++) size.observe(20);
    expect(size.prefetch).toBe(50);
  });

  it('never holds fewer than the concurrency, however long jobs run', () => {
    const size = new LocalQueueSize(4, 100, 200);
    for (let i = 0; i < 100; i++) size.observe(5_000);
    expect(size.prefetch).toBe(4);
  });

  it('shrinks again when jobs get slower', () => {
    const size = new LocalQueueSize(2, 100, 200);
    for (let i = 0; i < 100; i++) size.observe(0.01);
    for (let i = 0; i < 100; i++) size.observe(1_000);
    expect(size.prefetch).toBe(2);
  });
});
