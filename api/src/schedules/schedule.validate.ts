import { BadUserInputError, describe } from '../graphql/errors.js';
import { Priority } from '../jobs/job.enums.js';
import { checkPayload, checkTaskName } from '../jobs/job.validate.js';
import { checkQueueName } from '../queues/queue-name.js';
import { parseCronRule, type CronRule } from './cron.js';
import { MisfirePolicy, OverlapPolicy } from './schedule.policies.js';
import type { CreateScheduleInput, UpdateScheduleInput } from './schedule.input.js';

/** A schedule after validation: the rule parsed, every field present. */
export interface NewSchedule {
  name: string;
  rule: CronRule;
  taskName: string;
  payload: Record<string, unknown>;
  /** Left out: the task's default queue. */
  queue?: string;
  priority: Priority;
  enabled: boolean;
  overlap: OverlapPolicy;
  misfire: MisfirePolicy;
}

export function checkScheduleName(field: string, name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 255) {
    throw new BadUserInputError(field, `expected a name of 1–255 characters, got ${describe(name)}`);
  }
  return name.trim();
}

export function parseCreateSchedule(input: CreateScheduleInput): NewSchedule {
  return {
    name: checkScheduleName('input.name', input.name),
    rule: parseCronRule(input.cron, input.timezone ?? 'UTC', { cron: 'input.cron', timezone: 'input.timezone' }),
    taskName: checkTaskName('input.taskName', input.taskName),
    payload: checkPayload('input.payload', input.payload),
    queue: input.queue === undefined || input.queue === null ? undefined : checkQueueName('input.queue', input.queue),
    priority: input.priority ?? Priority.LOW,
    enabled: input.enabled ?? true,
    overlap: input.overlap ?? OverlapPolicy.ALLOW,
    misfire: input.misfire ?? MisfirePolicy.RUN_ONCE,
  };
}

/** The fields an update changes; the cron rule is re-checked with the schedule's current values filled in. */
export interface ScheduleChanges {
  rule?: CronRule;
  taskName?: string;
  payload?: Record<string, unknown>;
  /** null: back to the task's default queue. */
  queue?: string | null;
  priority?: Priority;
  enabled?: boolean;
  overlap?: OverlapPolicy;
  misfire?: MisfirePolicy;
}

export function parseUpdateSchedule(input: UpdateScheduleInput, current: { cron: string; timezone: string }): ScheduleChanges {
  const changes: ScheduleChanges = {};
  if (input.cron != null || input.timezone != null) {
    changes.rule = parseCronRule(input.cron ?? current.cron, input.timezone ?? current.timezone, {
      cron: 'input.cron',
      timezone: 'input.timezone',
    });
  }
  if (input.taskName != null) changes.taskName = checkTaskName('input.taskName', input.taskName);
  if (input.payload !== undefined) changes.payload = checkPayload('input.payload', input.payload);
  if (input.queue !== undefined) changes.queue = input.queue === null ? null : checkQueueName('input.queue', input.queue);
  if (input.priority != null) changes.priority = input.priority;
  if (input.enabled != null) changes.enabled = input.enabled;
  if (input.overlap != null) changes.overlap = input.overlap;
  if (input.misfire != null) changes.misfire = input.misfire;
  return changes;
}

/** How many upcoming ticks `Schedule.nextRuns` computes at most, and fire rows `Schedule.fires` returns. */
export const MAX_NEXT_RUNS = 100;
export const MAX_FIRES = 500;

export function checkCount(field: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new BadUserInputError(field, `expected a whole number 1..${max}, got ${describe(value)}`);
  }
  return value;
}
