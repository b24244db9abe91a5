import { Repeater } from '@repeaterjs/repeater';
import type { Orm } from '../db/orm.js';
import type { Em } from '../db/orm.js';
import { Topic, type EventBus } from './pubsub.js';
import { countByStatus, type StatusCounts } from '../jobs/job-stats.sql.js';

/** jobStats pushes at most this often. */
export const STATS_INTERVAL_MS = 250;

/**
 * One stats computation per process however many clients subscribe: it listens to every job event
 * on the bus (from any process), recounts at most every 250 ms, and pushes only when counts changed.
 * It runs only while someone is subscribed.
 */
export class StatsFeed {
  private readonly sinks = new Set<(stats: StatusCounts) => void>();
  private last?: string;
  private lastRunAt = 0;
  private timer?: NodeJS.Timeout;
  private running = false;
  private dirty = false;
  private stopListening?: () => void;

  constructor(
    private readonly orm: Orm,
    private readonly bus: EventBus,
  ) {}

  subscribe(): AsyncIterable<StatusCounts> {
    return new Repeater<StatusCounts>(async (push, stop) => {
      const sink = (stats: StatusCounts) => void push(stats);
      this.sinks.add(sink);
      if (this.sinks.size === 1) await this.start();
      await stop;
      this.sinks.delete(sink);
      if (this.sinks.size === 0) this.halt();
    });
  }

  private async start(): Promise<void> {
    this.last = JSON.stringify(await this.count().catch(() => undefined));
    // Single changes and bulk summaries (retryJobs, pruning) both move the counts.
    const streams = [this.bus.subscribe(Topic.JOB_UPDATED), this.bus.subscribe(Topic.JOBS_CHANGED)];
    this.stopListening = () => streams.forEach((s) => void s.return?.());
    for (const events of streams) {
      void (async () => {
        for await (const _ of events) this.changed();
      })().catch(() => {});
    }
  }

  private halt(): void {
    this.stopListening?.();
    this.stopListening = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer || this.sinks.size === 0) return;
    const wait = Math.max(0, this.lastRunAt + STATS_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => void this.recount(), wait);
  }

  private async recount(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.dirty = false;
    this.lastRunAt = Date.now();
    try {
      const stats = await this.count();
      const key = JSON.stringify(stats);
      if (key !== this.last) {
        this.last = key;
        for (const sink of this.sinks) sink(stats);
      }
    } catch {
      // Database briefly unreachable: the next event triggers another recount.
    } finally {
      this.running = false;
      this.timer = undefined;
      // Events that arrived during the count may have changed it again.
      if (this.dirty) this.changed();
    }
  }

  private count(): Promise<StatusCounts> {
    return countByStatus(this.orm.em.fork() as Em);
  }
}
