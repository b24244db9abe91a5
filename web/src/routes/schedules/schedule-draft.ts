import type { MisfirePolicy, OverlapPolicy, Priority } from '#lib/graphql/generated/graphql.ts';

/** What the schedule form hands back; the page decides whether it becomes a create or an update. */
export interface ScheduleDraft {
  name: string;
  cron: string;
  timezone: string;
  taskName: string;
  payload: unknown;
  /** Null: left out (a new schedule takes the task's default queue; an edited one keeps its queue). */
  queue: string | null;
  priority: Priority;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
  enabled: boolean;
}
