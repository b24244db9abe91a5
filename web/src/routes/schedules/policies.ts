import type { MisfirePolicy, OverlapPolicy, ScheduleFireOutcome } from '#lib/graphql/generated/graphql.ts';

/** Short names of the policies, as the list and the schedule page show them. */
export const OVERLAP_LABELS: Record<OverlapPolicy, string> = { ALLOW: 'Overlap allowed', SKIP: 'Skip while running' };
export const MISFIRE_LABELS: Record<MisfirePolicy, string> = {
  RUN_ONCE: 'Catch up once',
  SKIP: 'Skip missed',
  RUN_ALL: 'Run all missed',
};

export const OUTCOME_LABELS: Record<ScheduleFireOutcome, string> = {
  CREATED: 'Created',
  SKIPPED_OVERLAP: 'Skipped (overlap)',
  MISSED: 'Missed',
  CAUGHT_UP: 'Caught up',
};
