import type { Em } from '../db/orm.js';
import { dialectOf, fromDbTime, placeholders, query, run, toDbTime, type BoundValue } from '../db/sql.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';
import type { StatusCounts } from '../jobs/job-stats.sql.js';
import { DEFAULT_QUEUE } from './queue-name.js';
import { claimIndexed } from '../jobs/claim-index.js';

export interface RateLimit {
  max: number;
  perMs: number;
}

/** A queue's own retention per final status, in ms (0: kept forever); null: the RETENTION_* default. */
export interface QueueRetention {
  COMPLETED: number | null;
  FAILED: number | null;
  CANCELLED: number | null;
}

/** A queue's stored switches and limits; null is no limit. */
export interface QueueSettings {
  name: string;
  paused: boolean;
  concurrencyLimit: number | null;
  rateLimit: RateLimit | null;
  keyConcurrency: number | null;
  retention: QueueRetention;
}

/** A queue with any limit is claimed under its row lock; one without takes the SKIP LOCKED fast path. */
export const isLimited = (s: QueueSettings): boolean => s.concurrencyLimit !== null || s.rateLimit !== null || s.keyConcurrency !== null;

export const unlimited = (name: string): QueueSettings => ({
  name,
  paused: false,
  concurrencyLimit: null,
  rateLimit: null,
  keyConcurrency: null,
  retention: { COMPLETED: null, FAILED: null, CANCELLED: null },
});

const intOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export function rowToSettings(row: Record<string, unknown>): QueueSettings {
  const max = intOrNull(row.rate_max);
  const perMs = intOrNull(row.rate_per_ms);
  return {
    name: String(row.name),
    paused: Boolean(Number(row.paused)),
    concurrencyLimit: intOrNull(row.concurrency_limit),
    rateLimit: max !== null && perMs !== null ? { max, perMs } : null,
    keyConcurrency: intOrNull(row.key_concurrency),
    retention: {
      COMPLETED: intOrNull(row.retention_completed_ms),
      FAILED: intOrNull(row.retention_failed_ms),
      CANCELLED: intOrNull(row.retention_cancelled_ms),
    },
  };
}

/** Every queue with settings or jobs (each has a row), by name; `default` always. */
export async function readAllSettings(em: Em): Promise<QueueSettings[]> {
  const rows = await query(em, 'select * from queue_state order by name');
  const settings = rows.map(rowToSettings);
  if (!settings.some((s) => s.name === DEFAULT_QUEUE)) settings.unshift(unlimited(DEFAULT_QUEUE));
  return settings;
}

export async function readSettings(em: Em, name: string): Promise<QueueSettings | null> {
  const rows = await query(em, 'select * from queue_state where name = ?', [name]);
  return rows.length > 0 ? rowToSettings(rows[0]) : null;
}

/** Writes a queue's whole row (created when missing). */
export async function writeSettings(em: Em, s: QueueSettings): Promise<void> {
  const dialect = dialectOf(em);
  const columns = [
    'name',
    'paused',
    'concurrency_limit',
    'rate_max',
    'rate_per_ms',
    'key_concurrency',
    'retention_completed_ms',
    'retention_failed_ms',
    'retention_cancelled_ms',
    'updated_at',
  ];
  const values: BoundValue[] = [
    s.name,
    s.paused ? 1 : 0,
    s.concurrencyLimit,
    s.rateLimit?.max ?? null,
    s.rateLimit?.perMs ?? null,
    s.keyConcurrency,
    s.retention.COMPLETED,
    s.retention.FAILED,
    s.retention.CANCELLED,
    toDbTime(dialect, new Date()),
  ];
  const updates = columns.slice(1);
  const upsert =
    dialect === 'sqlite'
      ? `on conflict (name) do update set ${updates.map((c) => `${c} = excluded.${c}`).join(', ')}`
      : `on duplicate key update ${updates.map((c) => `${c} = values(${c})`).join(', ')}`;
  await run(em, `insert into queue_state (${columns.join(', ')}) values (${placeholders(columns.length)}) ${upsert}`, values);
}

/** Pauses or resumes one queue (created when missing), or every queue that has a row. */
export async function writePaused(em: Em, paused: boolean, name: string | null): Promise<void> {
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, new Date());
  if (name === null) {
    // Every queue with jobs gets a row first (one written before queues had rows would be missed).
    const verb = dialect === 'sqlite' ? 'insert or ignore' : 'insert ignore';
    await run(em, `${verb} into queue_state (name, paused, updated_at) select distinct queue, 0, ? from jobs`, [now]);
    await run(em, 'update queue_state set paused = ?, updated_at = ?', [paused ? 1 : 0, now]);
    return;
  }
  const upsert =
    dialect === 'sqlite'
      ? 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at'
      : 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on duplicate key update paused = values(paused), updated_at = values(updated_at)';
  await run(em, upsert, [name, paused ? 1 : 0, now]);
}

/** Gives each of these queues a row when it has none, so workers serving every queue find them. */
export async function registerQueues(em: Em, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, new Date());
  const verb = dialect === 'sqlite' ? 'insert or ignore' : 'insert ignore';
  await run(
    em,
    `${verb} into queue_state (name, paused, updated_at) values ${names.map(() => '(?, 0, ?)').join(', ')}`,
    names.flatMap((n) => [n, now]),
  );
}

const STATUSES = Object.values(JobStatus);

/** Jobs per status of each queue: one grouped scan of the claim index, whose prefix is (status, queue). */
export async function countByQueue(em: Em, names: readonly string[] | null): Promise<Map<string, StatusCounts>> {
  const where = names ? `where status in (${placeholders(STATUSES.length)}) and queue in (${placeholders(names.length)})` : '';
  const rows = await query<{ queue: string; status: JobStatus; n: unknown }>(
    em,
    `select queue, status, count(*) as n from jobs ${where} group by status, queue`,
    names ? [...STATUSES, ...names] : [],
  );
  const counts = new Map<string, StatusCounts>();
  for (const row of rows) {
    const c = counts.get(row.queue) ?? { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    const key = row.status.toLowerCase() as Exclude<keyof StatusCounts, 'total'>;
    if (key in c) c[key] = Number(row.n);
    c.total += Number(row.n);
    counts.set(row.queue, c);
  }
  return counts;
}

/**
 * When the queue's oldest due PENDING job became due, or null when none is due. One probe per
 * priority (the claim index orders run_at within a priority), each reading one index entry.
 */
export async function oldestDueRunAt(em: Em, name: string, now: Date): Promise<Date | null> {
  const priorities = [Priority.HIGH, Priority.MEDIUM, Priority.LOW];
  const probe = `select run_at from ${claimIndexed(dialectOf(em))} where status = '${JobStatus.PENDING}' and queue = ? and priority = ? order by run_at limit 1`;
  const sql =
    dialectOf(em) === 'sqlite'
      ? priorities.map(() => `select * from (${probe})`).join(' union all ')
      : priorities.map(() => `(${probe})`).join(' union all ');
  const rows = await query<{ run_at: unknown }>(
    em,
    sql,
    priorities.flatMap((p) => [name, p]),
  );
  const due = rows.map((r) => fromDbTime(r.run_at)!).filter((d) => d.getTime() <= now.getTime());
  return due.length === 0 ? null : new Date(Math.min(...due.map((d) => d.getTime())));
}

/** How long the queue's most recently created jobs that have started waited from due to start, in ms. */
export async function recentWaits(em: Em, name: string, sample: number): Promise<number[]> {
  const rows = await query<{ run_at: unknown; started_at: unknown }>(
    em,
    'select run_at, started_at from jobs where queue = ? order by created_at desc limit ?',
    [name, sample],
  );
  const waits: number[] = [];
  for (const row of rows) {
    const started = fromDbTime(row.started_at);
    if (started) waits.push(Math.max(0, started.getTime() - fromDbTime(row.run_at)!.getTime()));
  }
  return waits;
}
