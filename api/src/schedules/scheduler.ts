import type { Orm } from '../db/orm.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { Log } from '../log.js';
import { PollLoop, type LoopState } from '../loop/poll-loop.js';
import { parseCronRule } from './cron.js';
import { planFire, type FirePlan } from './fires/fire-plan.js';
import { dueSchedules, fireTick, nextTickAt, parkSchedule, type DueSchedule, type JobDefaults } from './sql/fire-tick.js';

export interface SchedulerOptions {
  orm: Orm;
  /** Jobs it creates are announced here (live updates, and the runner's wake-up). */
  events: JobEvents;
  log: Log;
  /** @default 1_000 // 1 second: how stale another process's schedule change may be seen */
  maxSleepMs?: number;
  /** The task's defaults for the jobs it fires (maxAttempts, timeoutMs). */
  defaultsOf?: (taskName: string) => JobDefaults;
}

/**
 * Any number of schedulers may run on one database: each wakes at the next tick and the
 * compare-and-set in `fireTick` lets exactly one of them create the job. Cron timers are not used —
 * the database's `next_run_at` is the clock every process agrees on, and a crashed timer callback
 * cannot take the process down.
 */
export class Scheduler {
  private readonly loop: PollLoop;

  constructor(private readonly options: SchedulerOptions) {
    this.loop = new PollLoop({ name: 'firing schedules', log: options.log, step: () => this.fireDue() });
  }

  get state(): LoopState {
    return this.loop.state;
  }

  start(): void {
    this.loop.start();
  }

  /** A schedule changed in this process: look at the next tick again now. */
  notify(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Turns every due tick into its job; resolves with how long to sleep until the next tick. */
  private async fireDue(): Promise<number> {
    const maxSleepMs = this.options.maxSleepMs ?? 1000;
    const now = new Date();
    for (const due of await dueSchedules(this.options.orm, now)) {
      if (this.loop.stopping) return 0;
      await this.fire(due, now);
    }
    const next = await nextTickAt(this.options.orm);
    // Never a zero wait: timers may fire a hair early, and a tick due "now" is fired next round.
    return next ? Math.min(maxSleepMs, Math.max(5, next.getTime() - Date.now())) : maxSleepMs;
  }

  private async fire(due: DueSchedule, now: Date): Promise<void> {
    const { orm, log, events } = this.options;
    let plan: FirePlan;
    try {
      // A tick a little late (a busy event loop, a slow commit) fires as usual; ticks missed while no
      // scheduler ran go to the schedule's misfire policy (see planFire).
      plan = planFire(parseCronRule(due.cron, due.timezone), due.tick, now, due.misfire);
    } catch (error) {
      log.error({ err: error, scheduleId: due.id }, 'a stored schedule rule no longer parses; it will not run until it is updated');
      await parkSchedule(orm, due.id);
      return;
    }
    const fired = await fireTick(orm, due, plan, now, this.options.defaultsOf?.(due.taskName));
    if (!fired) return;
    for (const fire of fired.fires) {
      const tick = fire.tickAt.toISOString();
      if (fire.jobId) log.info({ scheduleId: due.id, jobId: fire.jobId, tick, outcome: fire.outcome }, 'schedule fired');
      else log.info({ scheduleId: due.id, tick, outcome: fire.outcome, reason: fire.reason }, 'schedule tick created no job');
    }
    if (fired.jobs.length === 0) return;
    try {
      events.created(fired.jobs);
    } catch (error) {
      log.error({ err: error, scheduleId: due.id }, 'publishing created jobs failed');
    }
  }
}
