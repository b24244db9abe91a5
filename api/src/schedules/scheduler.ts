import type { Orm } from '../db/orm.js';
import type { JobEvents } from '../jobs/job.events.js';
import { loopBackoffMs } from '../engine/backoff.js';
import type { EngineLog } from '../log.js';
import { WakeableSleep } from '../loop/wakeable-sleep.js';
import { parseCronRule } from './cron.js';
import { dueSchedules, fireTick, nextTickAt, parkSchedule, type DueSchedule } from './sql/fire-tick.js';

/**
 * - `idle`: created, not started
 * - `firing`: turning due ticks into jobs
 * - `sleeping`: until the next tick, at most `maxSleepMs` (so changes made by other processes are seen)
 * - `backingOff`: the database failed; waiting (capped exponential) before trying again
 * - `stopping` / `stopped`
 */
/** How overdue a tick may be and still be caught up one by one rather than collapsed. */
export const CATCH_UP_MS = 5_000;

export type SchedulerState = 'idle' | 'firing' | 'sleeping' | 'backingOff' | 'stopping' | 'stopped';

export interface SchedulerOptions {
  orm: Orm;
  /** Jobs it creates are announced here (live updates, and the runner's wake-up). */
  events: JobEvents;
  log: EngineLog;
  /** @default 1_000 // 1 second: how stale another process's schedule change may be seen */
  maxSleepMs?: number;
}

/**
 * Any number of schedulers may run on one database: each wakes at the next tick and the
 * compare-and-set in `fireTick` lets exactly one of them create the job. Cron timers are not used —
 * the database's `next_run_at` is the clock every process agrees on, and a crashed timer callback
 * cannot take the process down.
 */
export class Scheduler {
  state: SchedulerState = 'idle';
  private readonly sleeper = new WakeableSleep();
  private loopDone: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    if (this.state !== 'idle') return;
    this.loopDone = this.loop();
  }

  /** A schedule changed in this process: look at the next tick again now. */
  notify(): void {
    this.sleeper.wake();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.sleeper.wake();
    await this.loopDone;
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    const maxSleepMs = this.o.maxSleepMs ?? 1000;
    let failures = 0;
    while (!this.stopping) {
      try {
        this.state = 'firing';
        const now = new Date();
        for (const due of await dueSchedules(this.o.orm, now)) {
          if (this.stopping) break;
          await this.fire(due, now);
        }
        const next = await nextTickAt(this.o.orm);
        failures = 0;
        if (this.stopping) break;
        this.state = 'sleeping';
        // Never a zero wait: timers may fire a hair early, and a tick due "now" is fired next round.
        await this.sleeper.sleep(next ? Math.min(maxSleepMs, Math.max(5, next.getTime() - Date.now())) : maxSleepMs);
      } catch (error) {
        failures++;
        const waitMs = loopBackoffMs(failures);
        this.o.log.warn({ err: error, failures, waitMs }, 'scheduler round failed; backing off');
        if (this.stopping) break;
        this.state = 'backingOff';
        await this.sleeper.sleep(waitMs);
      }
    }
  }

  private async fire(due: DueSchedule, now: Date): Promise<void> {
    let following: Date | null;
    try {
      const rule = parseCronRule(due.cron, due.timezone);
      // A scheduler a little late (a busy event loop, a slow commit) still creates every tick; ticks
      // overdue by more than CATCH_UP_MS were missed while no scheduler ran and collapse into this one.
      following = rule.next(due.tick);
      if (following && following.getTime() < now.getTime() - CATCH_UP_MS) following = rule.next(now);
    } catch (error) {
      this.o.log.error({ err: error, scheduleId: due.id }, 'a stored schedule rule no longer parses; it will not run until it is updated');
      await parkSchedule(this.o.orm, due.id);
      return;
    }
    const job = await fireTick(this.o.orm, due, following, now);
    if (!job) return;
    this.o.log.info({ scheduleId: due.id, jobId: job.id, tick: due.tick.toISOString() }, 'schedule fired');
    try {
      this.o.events.created([job]);
    } catch (error) {
      this.o.log.error({ err: error, jobId: job.id }, 'publishing a created job failed');
    }
  }
}
