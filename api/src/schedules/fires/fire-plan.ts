import type { CronRule } from '../cron.js';
import { MisfirePolicy } from '../schedule.policies.js';
import { FireOutcome } from './schedule-fire.entity.js';

/** How overdue a tick may be and still be fired as usual; a tick later than that was missed (an outage). */
export const CATCH_UP_MS = 5_000;

/** Per outage: at most this many jobs under misfire RUN_ALL, and at most this many MISSED rows recorded. */
export const MAX_CATCH_UP = 100;

export interface PlannedTick {
  tickAt: Date;
  /** CREATED and CAUGHT_UP create a job (unless overlap SKIP turns them into SKIPPED_OVERLAP). */
  outcome: FireOutcome.CREATED | FireOutcome.CAUGHT_UP | FireOutcome.MISSED;
  reason: string | null;
}

export interface FirePlan {
  /** Oldest first. */
  ticks: PlannedTick[];
  /** The schedule's next tick after this round, or null when its rule never fires again. */
  following: Date | null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * What the due tick (the earliest one not yet handled) turns into at `now`. A tick at most CATCH_UP_MS
 * late fires as usual and the next tick follows it, so a busy scheduler still creates every tick. A
 * later one means no scheduler ran: every tick from it up to now is missed, and the misfire policy
 * decides which of them get a job; counting resumes after now.
 */
export function planFire(rule: CronRule, tick: Date, now: Date, misfire: MisfirePolicy): FirePlan {
  const overdue = now.getTime() - tick.getTime();
  if (overdue <= CATCH_UP_MS) return { ticks: [{ tickAt: tick, outcome: FireOutcome.CREATED, reason: null }], following: rule.next(tick) };

  // Latest first from croner; enough to fill both the catch-up and the MISSED allowance.
  const missed = rule
    .previous(2 * MAX_CATCH_UP, now)
    .filter((t) => t.getTime() >= tick.getTime())
    .reverse();
  if (missed.length === 0) missed.push(tick);
  const many = missed.length === 2 * MAX_CATCH_UP ? `at least ${missed.length}` : String(missed.length);
  const down = `no scheduler ran at this tick (the outage's first missed tick was ${seconds(overdue)} overdue)`;
  const following = rule.next(now);
  const asMissed = (ticks: Date[], reason: string): PlannedTick[] =>
    ticks.slice(-MAX_CATCH_UP).map((tickAt) => ({ tickAt, outcome: FireOutcome.MISSED, reason }));

  switch (misfire) {
    case MisfirePolicy.SKIP:
      return { ticks: asMissed(missed, `${down}; misfire SKIP creates no job for it`), following };
    case MisfirePolicy.RUN_ALL: {
      const run = missed.slice(-MAX_CATCH_UP);
      return {
        ticks: [
          ...asMissed(missed.slice(0, -MAX_CATCH_UP), `${down}; misfire RUN_ALL catches up the latest ${MAX_CATCH_UP} ticks only`),
          ...run.map((tickAt): PlannedTick => ({
            tickAt,
            outcome: FireOutcome.CREATED,
            reason: `caught up late (misfire RUN_ALL, ${many} missed ticks)`,
          })),
        ],
        following,
      };
    }
    case MisfirePolicy.RUN_ONCE: {
      const last = missed[missed.length - 1];
      return {
        ticks: [
          ...asMissed(missed.slice(0, -1), `${down}; misfire RUN_ONCE runs the outage's last tick only`),
          { tickAt: last, outcome: FireOutcome.CAUGHT_UP, reason: `one job for ${many} missed ticks (misfire RUN_ONCE)` },
        ],
        following,
      };
    }
  }
}
