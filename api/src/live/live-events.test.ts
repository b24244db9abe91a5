import 'reflect-metadata';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '../jobs/job.entity.js';
import { JobStatus } from '../jobs/job.enums.js';
import { LiveEvents, PROGRESS_INTERVAL_MS } from './live-events.js';
import { createEventBus } from './pubsub.js';

const job = (id: number, status: JobStatus, progress = 0): Job =>
  ({ id, status, progress, taskName: 'noop', queue: 'default', updatedAt: new Date() }) as unknown as Job;

/** A worker process publishes every job's transitions and creates none: what it keeps per job must stay bounded. */
describe('LiveEvents in a process that only runs jobs', () => {
  afterEach(() => vi.useRealTimers());

  it('keeps the coalescing state of running jobs only, however many jobs pass through', async () => {
    const bus = await createEventBus();
    // The clock stands still while the loops run, so "within the progress interval" does not depend on the machine's speed.
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const events = new LiveEvents(bus);
    // What was sent, in order (the bus gets the same messages).
    const sent: { id: number; progress: number }[] = [];
    events.onChange((j) => j && sent.push({ id: j.id, progress: j.progress }));

    for (let id = 1; id <= 50_000; id++) {
      events.updated(job(id, JobStatus.RUNNING));
      events.updated(job(id, JobStatus.COMPLETED, 1));
    }
    expect(sent).toHaveLength(100_000);
    expect(events.tracked).toBeLessThanOrEqual(10_000);

    // A job still running keeps its state through a clean-up: its next progress report is still held back.
    events.updated(job(60_001, JobStatus.RUNNING));
    for (let id = 60_002; id <= 70_001; id++) events.updated(job(id, JobStatus.COMPLETED, 1));
    expect(events.tracked).toBeLessThan(10_000);
    events.updated(job(60_001, JobStatus.RUNNING, 0.5));
    expect(sent.filter((s) => s.id === 60_001).map((s) => s.progress)).toEqual([0]);
    vi.advanceTimersByTime(PROGRESS_INTERVAL_MS * 2);
    expect(sent.filter((s) => s.id === 60_001).map((s) => s.progress)).toEqual([0, 0.5]);
    events.close();
    await bus.close();
  });
});
