import type { Em } from '../db/orm.js';
import { fromDbTime, jsonColumnReader } from '../db/sql.js';
import type { Job } from './job.entity.js';
import { emptyJob } from './job-record.js';
import type { JobStatus, Priority } from './job.enums.js';

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
  const job = emptyJob();
  job.id = Number(row.id);
  job.taskName = String(row.task_name);
  job.payload = json(row.payload) as Record<string, unknown> | null;
  job.priority = Number(row.priority) as Priority;
  job.status = String(row.status) as JobStatus;
  job.attempts = Number(row.attempts);
  job.maxAttempts = Number(row.max_attempts);
  job.lastError = (row.last_error as string | null) ?? null;
  job.progress = Number(row.progress ?? 0);
  job.result = json(row.result);
  job.runAt = fromDbTime(row.run_at)!;
  job.createdAt = fromDbTime(row.created_at)!;
  job.updatedAt = fromDbTime(row.updated_at)!;
  job.startedAt = fromDbTime(row.started_at);
  job.completedAt = fromDbTime(row.completed_at);
  job.runDurationMs = num(row.run_duration_ms);
  job.timeoutMs = num(row.timeout_ms);
  job.webhookUrl = (row.webhook_url as string | null) ?? null;
  job.idempotencyKey = (row.idempotency_key as string | null) ?? null;
  job.scheduleId = num(row.schedule_id);
  job.scheduleTickAt = fromDbTime(row.schedule_tick_at);
  job.leaseOwner = (row.lease_owner as string | null) ?? null;
  job.leaseExpiresAt = fromDbTime(row.lease_expires_at);
  return job;
}

/** Serializes a handler's result for a JSON column; `undefined` becomes SQL NULL. */
export function resultToDb(result: unknown): string | null {
  return result === undefined || result === null ? null : JSON.stringify(result);
}

/** `?, ?, ?` for an IN list. */
export const placeholders = (n: number): string => Array.from({ length: n }, () => '?').join(', ');
