import { registerEnumType } from 'type-graphql';

/** What a tick does while the schedule's previous job has not finished. */
export enum OverlapPolicy {
  /** Create the tick's job anyway (jobs of one schedule may run side by side). */
  ALLOW = 'ALLOW',
  /** Create no job while the previous one is PENDING or RUNNING; the tick is recorded as SKIPPED_OVERLAP. */
  SKIP = 'SKIP',
}

/** What ticks missed while no scheduler ran (overdue by more than CATCH_UP_MS) turn into. */
export enum MisfirePolicy {
  /** One job, at the last missed tick (CAUGHT_UP); the others are recorded as MISSED. */
  RUN_ONCE = 'RUN_ONCE',
  /** No job for missed ticks: each is recorded as MISSED. */
  SKIP = 'SKIP',
  /** One job per missed tick, for at most the latest MAX_CATCH_UP of them. */
  RUN_ALL = 'RUN_ALL',
}

registerEnumType(OverlapPolicy, {
  name: 'OverlapPolicy',
  description: 'ALLOW: a tick creates its job regardless; SKIP: no new job while the previous one is PENDING or RUNNING',
});
registerEnumType(MisfirePolicy, {
  name: 'MisfirePolicy',
  description: 'Missed ticks after downtime: RUN_ONCE one job at the last one; SKIP none; RUN_ALL one per tick (at most 100)',
});
