import type { Em, Orm } from '../db/orm.js';
import { JobStatus } from './job.enums.js';
import { countEndedPerMinute, MINUTE_MS } from './throughput.sql.js';
import type { ThroughputPoint } from './throughput.types.js';

/** Completed and failed jobs per minute, one point for every minute of the window (zeros included). */
export class ThroughputService {
  constructor(private readonly orm: Orm) {}

  async lastMinutes(minutes: number, now = new Date()): Promise<ThroughputPoint[]> {
    // Whole minutes, so a point's minute does not shift between two refreshes within the same minute.
    const currentMinute = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS;
    const since = new Date(currentMinute - (minutes - 1) * MINUTE_MS);
    const points: ThroughputPoint[] = Array.from({ length: minutes }, (_, i) => ({
      minute: new Date(since.getTime() + i * MINUTE_MS),
      completed: 0,
      failed: 0,
    }));
    for (const row of await countEndedPerMinute(this.orm.em.fork() as Em, since)) {
      const point = points[Math.round((row.minute.getTime() - since.getTime()) / MINUTE_MS)];
      if (!point) continue; // ended after `now` (clock skew between processes): not part of this window
      if (row.status === JobStatus.COMPLETED) point.completed += row.n;
      else point.failed += row.n;
    }
    return points;
  }
}
