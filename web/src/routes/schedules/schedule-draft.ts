import type { Priority } from '#lib/graphql/generated/graphql.ts';

/** What the schedule form hands back; the page decides whether it becomes a create or an update. */
export interface ScheduleDraft {
  name: string;
  cron: string;
  timezone: string;
  taskName: string;
  payload: unknown;
  priority: Priority;
  enabled: boolean;
}
