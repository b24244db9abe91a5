import type { Em } from '../db/orm.js';
import { fromDbTime, jsonColumnReader } from '../db/sql.js';
import type { Job } from './job.entity.js';
import { JobStatus, type Priority } from './job.enums.js';
import type { NewJob } from './job.validate.js';

/*
 * `Job` is the ORM entity and the GraphQL type, and a class of plain fields: an object literal with
 * those fields is a Job to TypeScript and to GraphQL, with no cast. Jobs as plain objects on the hot paths (engine claims and end states, live events, bulk inserts):
 * a MikroORM entity instance is far dearer to build, since each property installs its own accessor
 * on first assignment (figures in docs/decisions.md). None of these objects is handed to the ORM,
 * and GraphQL reads Job fields as plain properties.
 */

/** A plain copy of a job (an entity or a plain one) with some fields changed. */
export function copyJob(job: Job, changes: Partial<Job> = {}): Job {
  return { ...job, ...changes };
}

/**
 * A job about to be inserted: the entity's defaults, the validated input, no id yet; due at `now`
 * unless the input says when. Fields listed one by one: a spread of the input is the dearer part
 * of a large batch.
 */
export function newJobRecord(input: NewJob, now: Date): Job {
  return {
    id: 0,
    taskName: input.taskName,
    queue: input.queue,
    concurrencyKey: input.concurrencyKey,
    payload: input.payload,
    priority: input.priority,
    status: JobStatus.PENDING,
    attempts: 0,
    maxAttempts: input.maxAttempts,
    snoozes: 0,
    simulated: input.simulated ?? false,
    lastError: null,
    progress: 0,
    result: null,
    runAt: input.runAt ?? now,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    completedAt: null,
    runDurationMs: null,
    timeoutMs: input.timeoutMs,
    webhookUrl: input.webhookUrl,
    idempotencyKey: input.idempotencyKey,
    scheduleId: input.scheduleId ?? null,
    scheduleTickAt: input.scheduleTickAt ?? null,
    worker: null,
    leaseOwner: null,
    leaseExpiresAt: null,
  };
}

/** Whether a job is in a final state a finish hook runs for (COMPLETED, or FAILED with no attempts left). */
export const isFinal = (job: Job): boolean => job.status === JobStatus.COMPLETED || job.status === JobStatus.FAILED;

/** A `jobs` row as the drivers return it: snake_case columns, dialect-specific dates and JSON. */
export type JobRow = Record<string, unknown>;

/** Maps rows of a hand-written `select * from jobs` read through `em` (JSON columns as its driver hands them over). */
export function jobRowMapper(em: Em): (row: JobRow) => Job {
  const json = jsonColumnReader(em);
  return (row) => rowToJob(row, json);
}

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Maps a raw row to a full Job (every GraphQL field), so the engine can publish it without a re-read. */
function rowToJob(row: JobRow, json: (value: unknown) => unknown): Job {
  return {
    id: Number(row.id),
    taskName: String(row.task_name),
    queue: String(row.queue ?? 'default'),
    concurrencyKey: row.concurrency_key == null ? null : String(row.concurrency_key),
    payload: json(row.payload) as Record<string, unknown> | null,
    priority: Number(row.priority) as Priority,
    status: String(row.status) as JobStatus,
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    snoozes: Number(row.snoozes ?? 0),
    simulated: row.simulated === true || Number(row.simulated) === 1,
    lastError: (row.last_error as string | null) ?? null,
    progress: Number(row.progress ?? 0),
    result: json(row.result),
    runAt: fromDbTime(row.run_at)!,
    createdAt: fromDbTime(row.created_at)!,
    updatedAt: fromDbTime(row.updated_at)!,
    startedAt: fromDbTime(row.started_at),
    completedAt: fromDbTime(row.completed_at),
    runDurationMs: num(row.run_duration_ms),
    timeoutMs: num(row.timeout_ms),
    webhookUrl: (row.webhook_url as string | null) ?? null,
    idempotencyKey: (row.idempotency_key as string | null) ?? null,
    scheduleId: num(row.schedule_id),
    scheduleTickAt: fromDbTime(row.schedule_tick_at),
    worker: (row.worker as string | null) ?? null,
    leaseOwner: (row.lease_owner as string | null) ?? null,
    leaseExpiresAt: fromDbTime(row.lease_expires_at),
  };
}

/** Serializes a handler's result for a JSON column; `undefined` becomes SQL NULL. */
export function resultToDb(result: unknown): string | null {
  return result === undefined || result === null ? null : JSON.stringify(result);
}
