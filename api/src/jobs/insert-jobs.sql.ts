import type { Em } from '../db/orm.js';
import { dialectOf, insertReturningIds, timeLiteral, toDbTime, type BoundValue, type SqlDialect } from '../db/sql.js';
import type { Job } from './job.entity.js';
import { DEFAULT_MAX_ATTEMPTS } from './job.enums.js';

/** Rows per statement: at most 13 parameters each stays far below MySQL's 65,535 and SQLite's 32,766 limits. */
export const INSERT_ROWS_PER_STATEMENT = 1000;

type DbTime = (d: Date | null | undefined) => BoundValue;

interface Column {
  name: string;
  value: (job: Job, t: DbTime) => BoundValue;
  /** Left out of a statement when every row has the column's table default (NULL unless `fallback` says). */
  optional?: true;
  fallback?: BoundValue;
}

// A new job starts PENDING, with no attempts and no progress: the table's defaults, so left out. Its
// createdAt = updatedAt is the batch's one instant, written as a literal (below), not a parameter.
const COLUMNS: readonly Column[] = [
  { name: 'task_name', value: (j) => j.taskName },
  { name: 'queue', value: (j) => j.queue, optional: true, fallback: 'default' },
  { name: 'concurrency_key', value: (j) => j.concurrencyKey ?? null, optional: true },
  { name: 'payload', value: (j) => (j.payload == null ? null : JSON.stringify(j.payload)) },
  { name: 'priority', value: (j) => j.priority, optional: true, fallback: 0 },
  { name: 'max_attempts', value: (j) => j.maxAttempts, optional: true, fallback: DEFAULT_MAX_ATTEMPTS },
  { name: 'run_at', value: (j, t) => t(j.runAt) },
  { name: 'simulated', value: (j) => (j.simulated ? 1 : 0), optional: true, fallback: 0 },
  { name: 'timeout_ms', value: (j) => j.timeoutMs ?? null, optional: true },
  { name: 'webhook_url', value: (j) => j.webhookUrl ?? null, optional: true },
  { name: 'idempotency_key', value: (j) => j.idempotencyKey ?? null, optional: true },
  { name: 'schedule_id', value: (j) => j.scheduleId ?? null, optional: true },
  { name: 'schedule_tick_at', value: (j, t) => t(j.scheduleTickAt), optional: true },
];

/**
 * A batch's jobs mostly share one timestamp (runAt defaults to the batch's now): format each distinct
 * instant once instead of once per row.
 */
function timeFormatter(dialect: SqlDialect): DbTime {
  let lastMs = NaN;
  let last: BoundValue = null;
  return (d) => {
    if (!d) return null;
    const ms = d.getTime();
    if (ms !== lastMs) [lastMs, last] = [ms, toDbTime(dialect, d)];
    return last;
  };
}

/** One INSERT for a chunk of jobs created at `createdAt`: its SQL and its parameters. */
function insertStatement(dialect: SqlDialect, t: DbTime, jobs: readonly Job[], at: Date): { sql: string; params: BoundValue[] } {
  const columns = COLUMNS.filter((c) => !c.optional || jobs.some((j) => c.value(j, t) !== (c.fallback ?? null)));
  // created_at = updated_at: the batch's one instant, as a literal.
  const createdAt = timeLiteral(dialect, at);
  const row = `(${columns.map(() => '?').join(', ')}, ${createdAt}, ${createdAt})`;
  const names = [...columns.map((c) => c.name), 'created_at', 'updated_at'];
  const params: BoundValue[] = [];
  for (const job of jobs) for (const c of columns) params.push(c.value(job, t));
  const rows = jobs.map(() => row).join(', ');
  return { sql: `insert into jobs (${names.join(', ')}) values ${rows}`, params };
}

/**
 * Inserts new jobs (as `newJobRecord(input, createdAt)` builds them: PENDING) with one multi-row
 * INSERT per 1,000 and sets their ids, without the ORM's unit of work: computing change sets and
 * hydrating entities cost more than the INSERT itself for a `createJobs` of 1,000. Parameters are bound by the driver (`executeBound`). A single statement is
 * atomic, so up to 1,000 jobs need no explicit transaction (two round trips fewer for `createJob`);
 * callers that pass more use `em` inside a transaction. Ids as `insertReturningIds` learns them.
 * Constraint violations are thrown as MikroORM's exceptions (UniqueConstraintViolationException).
 */
export async function insertJobs(em: Em, jobs: readonly Job[], createdAt: Date): Promise<void> {
  const dialect = dialectOf(em);
  const t = timeFormatter(dialect);
  for (let start = 0; start < jobs.length; start += INSERT_ROWS_PER_STATEMENT) {
    const chunk = jobs.slice(start, start + INSERT_ROWS_PER_STATEMENT);
    const { sql, params } = insertStatement(dialect, t, chunk, createdAt);
    const ids = await insertReturningIds(em, sql, params, chunk.length);
    chunk.forEach((job, i) => (job.id = ids[i]));
  }
}
