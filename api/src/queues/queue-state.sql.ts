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
  /** Holds jobs of tasks only remote workers run: local workers never claim from it. */
  remote: boolean;
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
  remote: false,
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
    remote: Boolean(Number(row.remote ?? 0)),
  };
}

/**
 * The row whose `paused` says that "pause every queue" is in force: a queue first named while it is
 * starts paused. `*` is no queue name (those are `[a-z0-9._-]`), and it is never listed as a queue.
 */
export const ALL_QUEUES = '*';

/** Every queue with settings or jobs (each has a row), by name; `default` always. */
export async function readAllSettings(em: Em): Promise<QueueSettings[]> {
  const rows = await query(em, 'select * from queue_state order by name');
  const all = rows.map(rowToSettings);
  const settings = all.filter((s) => s.name !== ALL_QUEUES);
  const allPaused = all.some((s) => s.name === ALL_QUEUES && s.paused);
  if (!settings.some((s) => s.name === DEFAULT_QUEUE)) settings.unshift({ ...unlimited(DEFAULT_QUEUE), paused: allPaused });
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
  const upsert =
    dialect === 'sqlite'
      ? 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on conflict (name) do update set paused = excluded.paused, updated_at = excluded.updated_at'
      : 'insert into queue_state (name, paused, updated_at) values (?, ?, ?) on duplicate key update paused = values(paused), updated_at = values(updated_at)';
  if (name !== null) return void (await run(em, upsert, [name, paused ? 1 : 0, now]));
  await em.transactional(async (tx) => {
    // The switch first: a queue registered from here on copies it (registerQueues), one registered before is updated below.
    await run(tx as Em, upsert, [ALL_QUEUES, paused ? 1 : 0, now]);
    // Every queue with jobs gets a row (one written before queues had rows would be missed).
    const verb = dialect === 'sqlite' ? 'insert or ignore' : 'insert ignore';
    await run(tx as Em, `${verb} into queue_state (name, paused, updated_at) select distinct queue, 0, ? from jobs`, [now]);
    await run(tx as Em, 'update queue_state set paused = ?, updated_at = ?', [paused ? 1 : 0, now]);
  });
}

/**
 * Marks these queues as remote ones (created when missing): local workers stop claiming from them at
 * their next settings read. A new row is paused while "pause every queue" is in force, as in registerQueues.
 */
export async function markRemoteQueues(em: Em, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, new Date());
  // SQLite needs a WHERE before ON CONFLICT when the rows come from a SELECT.
  const upsert =
    dialect === 'sqlite'
      ? 'where true on conflict (name) do update set remote = 1, updated_at = excluded.updated_at'
      : 'on duplicate key update remote = 1, updated_at = values(updated_at)';
  await run(
    em,
    `insert into queue_state (name, paused, remote, updated_at) select n.name, coalesce(s.paused, 0), 1, ? from (${freshNames(names)}) n left join queue_state s on s.name = ? ${upsert}`,
    [now, ...names, ALL_QUEUES],
  );
}

const freshNames = (names: readonly string[]) => names.map(() => 'select ? as name').join(' union all ');

/**
 * Gives each of these queues a row when it has none, so workers serving every queue find them; a new
 * row is paused while "pause every queue" is in force (one statement, so no pause-all slips between).
 */
export async function registerQueues(em: Em, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, new Date());
  const verb = dialect === 'sqlite' ? 'insert or ignore' : 'insert ignore';
  await run(
    em,
    `${verb} into queue_state (name, paused, updated_at) select n.name, coalesce(s.paused, 0), ? from (${freshNames(names)}) n left join queue_state s on s.name = ?`,
    [now, ...names, ALL_QUEUES],
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
