import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, fromDbTime, query, run, toDbTime, type BoundValue, type SqlDialect } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { jobRowMapper, type JobRow } from '../../jobs/job-record.js';
import { placeholders } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';
import { rowToSettings, type QueueSettings } from '../../queues/queue-state.sql.js';
import { claimIndexed } from '../../jobs/claim-index.js';

/** How many jobs to take from one queue. */
export interface QueueShare {
  queue: string;
  limit: number;
}

/** What a remote worker's claim adds: only its tasks, and the attempt counted at once (it starts on receipt). */
export interface ClaimScope {
  /** Only jobs of these tasks; absent: any task. */
  taskNames?: readonly string[];
  /** Count the attempt and set started_at in the claim itself. */
  startNow?: boolean;
  /** What `jobs.worker` records (the worker behind the lease owner); default the owner. */
  worker?: string;
}

export interface ClaimRequest extends ClaimScope {
  owner: string;
  leaseMs: number;
  now: Date;
  /** Queues without limits, each with how many jobs it may give this round. */
  shares: readonly QueueShare[];
}

const PENDING = `'${JobStatus.PENDING}'`;
const RUNNING = `'${JobStatus.RUNNING}'`;

// No attempt yet and no start time: the runner records both when a handler starts (`markStarted`),
// so a job claimed ahead whose worker dies before starting it goes back as it was. A remote worker
// starts what it claims at once, so its claim counts the attempt itself.
const setRunning = (startNow: boolean | undefined) =>
  `status = ${RUNNING}, lease_owner = ?, worker = ?, lease_expires_at = ?, updated_at = ?, progress = 0, completed_at = null, run_duration_ms = null, ${
    startNow ? 'started_at = ?, attempts = attempts + 1' : 'started_at = null'
  }`;

/** The values `setRunning` binds, in order. */
interface RunningMark {
  owner: string;
  worker: string;
  expires: BoundValue;
  now: BoundValue;
  startNow?: boolean;
}

const markValues = (m: RunningMark): BoundValue[] =>
  m.startNow ? [m.owner, m.worker, m.expires, m.now, m.now] : [m.owner, m.worker, m.expires, m.now];

/** ` and task_name in (…)` with its values, or nothing: a remote worker gets only jobs of its tasks. */
function taskFilter(scope: ClaimScope): { sql: string; params: string[] } {
  const names = scope.taskNames;
  return names ? { sql: ` and task_name in (${placeholders(names.length)})`, params: [...names] } : { sql: '', params: [] };
}

/**
 * One queue's due jobs in claim order: HIGH first, then earliest run_at, then lowest id. The ORDER BY
 * matches `jobs_queue_claim_idx (status, queue, priority DESC, run_at, id, concurrency_key)` after its
 * two equalities, so MySQL/MariaDB read an index range without a filesort and lock only the rows they
 * return (an index that sorts differently makes every claim sort and lock the whole backlog).
 */
const dueIn = (dialect: SqlDialect, extra = '') =>
  `select * from ${claimIndexed(dialect)} where status = ${PENDING} and queue = ? and run_at <= ?${extra} order by priority desc, run_at, id limit ?`;

/** The claimed rows as the UPDATE left them (they were read before it: no second read). */
function asRunning(rows: JobRow[], mark: RunningMark): JobRow[] {
  return rows.map((r) => ({
    ...r,
    status: JobStatus.RUNNING,
    lease_owner: mark.owner,
    worker: mark.worker,
    lease_expires_at: mark.expires,
    started_at: mark.startNow ? mark.now : null,
    attempts: mark.startNow ? Number(r.attempts) + 1 : r.attempts,
    updated_at: mark.now,
    progress: 0,
    completed_at: null,
    run_duration_ms: null,
  }));
}

async function markRunning(tx: Em, rows: JobRow[], mark: RunningMark): Promise<JobRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  await run(tx, `update jobs set ${setRunning(mark.startNow)} where id in (${placeholders(ids.length)})`, [...markValues(mark), ...ids]);
  return asRunning(rows, mark);
}

/**
 * Takes due PENDING jobs from queues without limits and marks them RUNNING under this worker's
 * lease; the attempt counts only once a handler starts. On MySQL/MariaDB one short transaction: a
 * `SELECT … FOR UPDATE SKIP LOCKED` per queue, joined by UNION ALL into one statement, then one
 * UPDATE. SKIP LOCKED lets concurrent workers pass each other's claims instead of queueing.
 */
export async function claimJobs(orm: Orm, req: ClaimRequest): Promise<Job[]> {
  const shares = req.shares.filter((s) => s.limit > 0);
  if (shares.length === 0) return [];
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const now = toDbTime(dialect, req.now);
  const expires = toDbTime(dialect, new Date(req.now.getTime() + req.leaseMs));
  const mark: RunningMark = { owner: req.owner, worker: req.worker ?? req.owner, expires, now, startNow: req.startNow };
  const tasks = taskFilter(req);

  let rows: JobRow[];
  if (dialect === 'sqlite') {
    // One process owns an SQLite file, and one statement is atomic: no lock dance needed.
    rows = [];
    for (const share of shares) {
      const taken = await query(
        em,
        `update jobs set ${setRunning(req.startNow)} where id in (select id from (${dueIn(dialect, tasks.sql)})) returning *`,
        [...markValues(mark), share.queue, now, ...tasks.params, share.limit],
      );
      rows.push(...taken);
    }
  } else {
    const due = dueIn(dialect, tasks.sql);
    const select =
      shares.length === 1 ? `${due} for update skip locked` : shares.map(() => `(${due} for update skip locked)`).join(' union all ');
    const params = shares.flatMap((s) => [s.queue, now, ...tasks.params, s.limit]);
    rows = await withLockRetry(() => em.fork().transactional(async (tx) => markRunning(tx, await query(tx, select, params), mark)));
  }
  return rows.map(jobRowMapper(em)).sort(claimOrder);
}

/**
 * Which of these queues have a due PENDING job: one non-locking read, an index probe per queue. A
 * read, not a claim: most of the time the answer is none, and then no transaction is spent.
 */
export async function queuesWithDueJobs(orm: Orm, queues: readonly string[], now: Date): Promise<string[]> {
  if (queues.length === 0) return [];
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const probe = `select queue from ${claimIndexed(dialect)} where status = ${PENDING} and queue = ? and run_at <= ? limit 1`;
  const sql = queues.map(() => (dialect === 'sqlite' ? `select * from (${probe})` : `(${probe})`)).join(' union all ');
  const t = toDbTime(dialect, now);
  const rows = await query<{ queue: string }>(
    em,
    sql,
    queues.flatMap((q) => [q, t]),
  );
  return rows.map((r) => String(r.queue));
}

/** What held a limited queue's claim back. */
export type LimitReason = 'concurrency' | 'rate' | 'key';

export interface LimitedClaimRequest extends ClaimScope {
  owner: string;
  leaseMs: number;
  queue: string;
  /** Handler slots this worker can start at once. */
  limit: number;
  /**
   * The rate limit's window is widened by this much: a job is admitted at the claim and its handler
   * starts a moment later, so starts stay within the limit in every window as long as each starts
   * within this margin of its admission (the runner returns one that could not).
   */
  startGuardMs: number;
}

export interface LimitedClaim {
  jobs: Job[];
  /** The settings in force, read under the queue's lock. */
  settings: QueueSettings | null;
  /** Set when a limit (not a lack of due jobs) kept the claim from taking what it asked for. */
  limitedBy: LimitReason | null;
  /** The rate limit's window has room again at this instant. */
  retryAt: Date | null;
  /**
   * The instant the claim was decided, once the queue's lock was held: what the rate limit's ledger
   * books, and what a rate-limited job's start is measured from.
   */
  admittedAt: Date;
}

/**
 * Takes due jobs from a queue with limits, under its queue_state row lock so the limits hold across
 * every worker process: concurrencyLimit counts the queue's RUNNING jobs, keyConcurrency its RUNNING
 * jobs per concurrency key, and the rate limit the ledger of admissions (queue_starts) in the last
 * `perMs`. Nothing is booked that outlives a worker: RUNNING rows of a crashed worker go back with its
 * leases, ledger rows expire with their window. On SQLite the runner is the only claimer (one process),
 * and its claims of one queue run one at a time (`serialized`).
 */
export async function claimLimited(orm: Orm, req: LimitedClaimRequest): Promise<LimitedClaim> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  if (dialect === 'sqlite') return serialized(orm, () => claimLimitedIn(em, dialect, req));
  return withLockRetry(() => em.fork().transactional((tx) => claimLimitedIn(tx, dialect, req)));
}

const MAX_KEY_ROUNDS = 4;

async function claimLimitedIn(tx: Em, dialect: SqlDialect, req: LimitedClaimRequest): Promise<LimitedClaim> {
  const lock = dialect === 'sqlite' ? '' : ' for update';
  const found = await query(tx, `select * from queue_state where name = ?${lock}`, [req.queue]);
  // Taken after the lock: waiting for another worker's claim of this queue does not eat into the
  // margin a rate-limited job has to start in.
  const admittedAt = new Date();
  const settings = found.length > 0 ? rowToSettings(found[0]) : null;
  const none: LimitedClaim = { jobs: [], settings, limitedBy: null, retryAt: null, admittedAt };
  if (settings?.paused || req.limit <= 0) return none;
  const now = toDbTime(dialect, admittedAt);
  const expires = toDbTime(dialect, new Date(admittedAt.getTime() + req.leaseMs));
  const mark: RunningMark = { owner: req.owner, worker: req.worker ?? req.owner, expires, now, startNow: req.startNow };
  const tasks = taskFilter(req);

  let allowed = req.limit;
  let limitedBy: LimitReason | null = null;
  let retryAt: Date | null = null;
  const cut = (n: number, reason: LimitReason) => {
    if (n < allowed) [allowed, limitedBy] = [Math.max(0, n), reason];
  };

  if (settings?.concurrencyLimit != null) {
    const [{ n }] = await query<{ n: unknown }>(
      tx,
      `select count(*) as n from ${claimIndexed(dialect)} where status = ${RUNNING} and queue = ?`,
      [req.queue],
    );
    cut(settings.concurrencyLimit - Number(n), 'concurrency');
  }
  const rate = settings?.rateLimit ?? null;
  const windowStart = rate ? toDbTime(dialect, new Date(admittedAt.getTime() - rate.perMs - req.startGuardMs)) : null;
  if (rate && allowed > 0) {
    const [row] = await query<{ used: unknown; oldest: unknown }>(
      tx,
      'select coalesce(sum(jobs), 0) as used, min(at) as oldest from queue_starts where queue = ? and at > ?',
      [req.queue, windowStart],
    );
    const used = Number(row.used);
    cut(rate.max - used, 'rate');
    if (used >= rate.max && row.oldest != null) {
      retryAt = new Date(fromDbTime(row.oldest)!.getTime() + rate.perMs + req.startGuardMs + 1);
    }
  }
  if (allowed === 0) return { ...none, limitedBy, retryAt };

  const picked = settings?.keyConcurrency != null ? await pickPerKey(tx, dialect, req, now, allowed, settings.keyConcurrency, lock) : null;
  const rows = picked
    ? picked.rows
    : await query(tx, `${dueIn(dialect, tasks.sql)}${lock ? ' for update skip locked' : ''}`, [req.queue, now, ...tasks.params, allowed]);

  const claimed = dialect === 'sqlite' ? await markRunningIfPending(tx, rows, mark) : await markRunning(tx, rows, mark);
  if (rate && claimed.length > 0) {
    await run(tx, 'insert into queue_starts (queue, at, jobs) values (?, ?, ?)', [req.queue, now, claimed.length]);
    await run(tx, 'delete from queue_starts where queue = ? and at <= ?', [req.queue, windowStart]);
    if (claimed.length === allowed && limitedBy === 'rate') {
      // The window is full now; it has room once its oldest admission leaves it.
      const [row] = await query<{ oldest: unknown }>(tx, 'select min(at) as oldest from queue_starts where queue = ?', [req.queue]);
      retryAt = new Date(fromDbTime(row.oldest)!.getTime() + rate.perMs + req.startGuardMs + 1);
    }
  }
  // Fewer than allowed: no more due jobs, apart from those of keys at their limit.
  if (claimed.length < allowed) limitedBy = picked?.keysFull ? 'key' : null;
  return { jobs: claimed.map(jobRowMapper(tx)).sort(claimOrder), settings, limitedBy, retryAt, admittedAt };
}

/**
 * Due jobs in claim order with at most `perKey` RUNNING per concurrency key: keys already at their
 * limit are skipped in the index (the claim index carries the key), and the candidates are cut per
 * key in order. A batch that hit many jobs of one key is read again without that key, a few times.
 */
async function pickPerKey(
  tx: Em,
  dialect: SqlDialect,
  req: LimitedClaimRequest,
  now: BoundValue,
  allowed: number,
  perKey: number,
  lock: string,
): Promise<{ rows: JobRow[]; keysFull: boolean }> {
  const running = await query<{ k: string; n: unknown }>(
    tx,
    `select concurrency_key as k, count(*) as n from ${claimIndexed(dialect)} where status = ${RUNNING} and queue = ? and concurrency_key is not null group by concurrency_key`,
    [req.queue],
  );
  const load = new Map(running.map((r) => [r.k, Number(r.n)]));
  const full = () => [...load].filter(([, n]) => n >= perKey).map(([k]) => k);
  const taken: JobRow[] = [];
  const seen = new Set<number>();
  let keysFull = full().length > 0;
  for (let round = 0; round < MAX_KEY_ROUNDS && taken.length < allowed; round++) {
    const skip = full();
    const tasks = taskFilter(req);
    const keys = skip.length > 0 ? ` and (concurrency_key is null or concurrency_key not in (${placeholders(skip.length)}))` : '';
    const want = allowed - taken.length;
    const rows = await query(tx, `${dueIn(dialect, keys + tasks.sql)}${lock ? ' for update skip locked' : ''}`, [
      req.queue,
      now,
      ...skip,
      ...tasks.params,
      want,
    ]);
    let cutShort = false;
    for (const row of rows) {
      const id = Number(row.id);
      if (seen.has(id)) continue;
      seen.add(id);
      const key = row.concurrency_key == null ? null : String(row.concurrency_key);
      if (key !== null) {
        const n = load.get(key) ?? 0;
        if (n >= perKey) {
          cutShort = keysFull = true;
          continue;
        }
        load.set(key, n + 1);
      }
      taken.push(row);
      if (taken.length === allowed) break;
    }
    // Fewer rows than asked for: the queue has nothing more due outside the skipped keys.
    if (!cutShort || rows.length < want) break;
  }
  return { rows: taken, keysFull };
}

/** SQLite: the rows read are marked only while still PENDING (a cancel may have come between). */
async function markRunningIfPending(tx: Em, rows: JobRow[], mark: RunningMark): Promise<JobRow[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => Number(r.id));
  return query(
    tx,
    `update jobs set ${setRunning(mark.startNow)} where id in (${placeholders(ids.length)}) and status = ${PENDING} returning *`,
    [...markValues(mark), ...ids],
  );
}

const chains = new WeakMap<Orm, Promise<unknown>>();

/** Runs `task` after every earlier one for this ORM (SQLite's limited claims: read, count, write in turn). */
function serialized<T>(orm: Orm, task: () => Promise<T>): Promise<T> {
  const next = (chains.get(orm) ?? Promise.resolve()).then(task, task);
  chains.set(
    orm,
    next.catch(() => {}),
  );
  return next;
}

/** The claim's ORDER BY, for rows of several queues and for RETURNING, which lists rows in no particular order. */
export function claimOrder(a: Job, b: Job): number {
  return b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id;
}
