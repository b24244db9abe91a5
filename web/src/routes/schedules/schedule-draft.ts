import type { MisfirePolicy, OverlapPolicy, Priority, UpdateScheduleInput } from '#lib/graphql/generated/graphql.ts';

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

/** The update of an edited schedule: everything but its name, and its queue only when one was given. */
export function updateInput(draft: ScheduleDraft): UpdateScheduleInput {
  return {
    cron: draft.cron,
    timezone: draft.timezone,
    taskName: draft.taskName,
    payload: draft.payload ?? null,
    ...(draft.queue ? { queue: draft.queue } : {}),
    priority: draft.priority,
    overlap: draft.overlap,
    misfire: draft.misfire,
    enabled: draft.enabled,
  };
}
