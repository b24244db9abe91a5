import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime, type BoundValue, type SqlDialect } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { isFinal, resultToDb } from '../../jobs/job-record.js';
import { JobStatus } from '../../jobs/job.enums.js';
import type { FinishHook } from '../finish-hooks.js';
import { insertRows, placeholders } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';
import { readCommittedTx } from '../../db/transactions.js';

/**
 * Writes a job's end state if this worker still holds its lease (a cancel or a lease recovery may
 * have taken it meanwhile: then nothing is written). Returns whether it was written.
 */
export async function writeEndState(tx: Em, dialect: SqlDialect, owner: string, next: Job): Promise<boolean> {
  const [id, ...values] = endStateValues(dialect, next);
  const changed = await run(
    tx,
    `update jobs set ${END_COLUMNS.slice(1)
      .map((c) => `${c} = ?`)
      .join(', ')}, lease_owner = null, lease_expires_at = null
     where id = ? and status = '${JobStatus.RUNNING}' and lease_owner = ?`,
    [...values, id, owner],
  );
  return changed > 0;
}

/** Columns an end state sets, in the order `endStateValues` lists them. */
const END_COLUMNS = [
  'id',
  'status',
  // The runner counted the attempt when the handler started; the start mark may not be written yet.
  'attempts',
  'snoozes',
  'progress',
  'result',
  'last_error',
  'run_at',
  'completed_at',
  'run_duration_ms',
  'updated_at',
  // The claim wrote the claim time; a job claimed ahead (the runner's local queue) started later.
  'started_at',
] as const;

function endStateValues(dialect: SqlDialect, next: Job): BoundValue[] {
  const t = (d: Date | null | undefined) => (d ? toDbTime(dialect, d) : null);
  return [
    next.id,
    next.status,
    next.attempts,
    next.snoozes,
    next.progress,
    resultToDb(next.result),
    next.lastError ?? null,
    t(next.runAt),
    t(next.completedAt),
    next.runDurationMs ?? null,
    t(next.updatedAt),
    t(next.startedAt),
  ];
}

/**
 * MySQL/MariaDB: all of a batch's end states in one `UPDATE … JOIN` over a derived table of the new
 * values — one statement instead of one per job, whose round trips dominated a batch's commit. The UPDATE's own WHERE skips rows this worker no longer holds; when it changed
 * fewer rows than the batch (a job cancelled or recovered meanwhile, rare), it is rolled back and the
 * batch is written again after locking the rows still held, to learn which they are.
 */
async function writeBatchMysql(
  orm: Orm,
  owner: string,
  ordered: Job[],
  hooks: readonly FinishHook[],
  starts: readonly Job[],
  recordFailures: (tx: Em, written: readonly Job[]) => Promise<void>,
): Promise<Job[]> {
  const all = await orm.em
    .fork()
    .transactional(async (tx) => {
      await markStarted(tx as Em, 'mysql', owner, starts);
      if ((await updateBatchMysql(tx as Em, owner, ordered)) < ordered.length) throw NOT_ALL_HELD;
      await recordFailures(tx as Em, ordered);
      await runHooks(tx as Em, ordered, hooks);
      return ordered;
    }, readCommittedTx('mysql'))
    .catch((error: unknown) => {
      if (error === NOT_ALL_HELD) return null;
      throw error;
    });
  if (all) return all;
  return orm.em.fork().transactional(async (tx) => {
    await markStarted(tx as Em, 'mysql', owner, starts);
    const ids = ordered.map((j) => j.id);
    const held = await query<{ id: number }>(
      tx as Em,
      `select id from jobs where id in (${placeholders(ids.length)}) and status = '${JobStatus.RUNNING}' and lease_owner = ? order by id for update`,
      [...ids, owner],
    );
    const mine = new Set(held.map((r) => Number(r.id)));
    const writable = ordered.filter((j) => mine.has(j.id));
    if (writable.length > 0) await updateBatchMysql(tx as Em, owner, writable);
    await recordFailures(tx as Em, writable);
    await runHooks(tx as Em, writable, hooks);
    return writable;
  }, readCommittedTx('mysql'));
}

/** Thrown inside the optimistic transaction to roll it back; never leaves this module. */
const NOT_ALL_HELD = new Error('a job of the batch is no longer held by this worker');

/** Returns how many rows it changed: the batch's jobs this worker still holds. */
async function updateBatchMysql(tx: Em, owner: string, jobs: readonly Job[]): Promise<number> {
  const row = (first: boolean) => `select ${END_COLUMNS.map((c) => (first ? `? as ${c}` : '?')).join(', ')}`;
  const values = jobs.map((_, i) => row(i === 0)).join(' union all ');
  return run(
    tx,
    `update jobs j join (${values}) v on j.id = v.id
     set ${END_COLUMNS.filter((c) => c !== 'id')
       .map((c) => `j.${c} = v.${c}`)
       .join(', ')}, j.lease_owner = null, j.lease_expires_at = null
     where j.status = '${JobStatus.RUNNING}' and j.lease_owner = ?`,
    [...jobs.flatMap((j) => endStateValues('mysql', j)), owner],
  );
}

async function runHooks(tx: Em, written: readonly Job[], hooks: readonly FinishHook[]): Promise<void> {
  const finals = written.filter(isFinal);
  if (finals.length > 0) for (const hook of hooks) await hook(tx, finals);
}

/** A failed run, kept in `job_errors` (the job's error history). */
export interface FailedAttempt {
  jobId: number;
  attempt: number;
  at: Date;
  message: string;
  stack: string | null;
  worker: string | null;
}

/** One multi-row INSERT for a batch's failed runs. */
export async function insertFailedAttempts(tx: Em, dialect: SqlDialect, failures: readonly FailedAttempt[]): Promise<void> {
  await insertRows(
    tx,
    'job_errors',
    ['job_id', 'attempt', 'at', 'message', 'stack', 'worker'],
    failures.map((f) => [f.jobId, f.attempt, toDbTime(dialect, f.at), f.message, f.stack, f.worker]),
  );
}

/**
 * Records that these jobs' handlers started: the attempt counts from here, and lease recovery tells a
 * started run (attempt kept) from a claim that never started (returned as it was). Only jobs this
 * worker still holds and not marked yet: a late or repeated mark changes nothing.
 */
async function markStarted(tx: Em, dialect: SqlDialect, owner: string, starts: readonly Job[]): Promise<void> {
  if (starts.length === 0) return;
  const ids = starts.map((j) => j.id).sort((a, b) => a - b);
  const at = starts.reduce((min, j) => (j.startedAt && j.startedAt < min ? j.startedAt : min), starts[0].startedAt ?? new Date());
  await run(
    tx,
    `update jobs set attempts = attempts + 1, started_at = ?
     where id in (${placeholders(ids.length)}) and status = '${JobStatus.RUNNING}' and lease_owner = ? and started_at is null`,
    [toDbTime(dialect, at), ...ids, owner],
  );
}

/**
 * Writes many end states, and the start marks of runs that began since the last write, in one short
 * transaction: one commit (one fsync) per batch instead of per job is what lets completion keep up
 * with claiming, and the marks ride along without a commit of their own. Finish hooks run inside it
 * for every COMPLETED or final FAILED job. Returns the jobs whose end state was written.
 */
export async function writeEndStates(
  orm: Orm,
  owner: string,
  states: readonly Job[],
  hooks: readonly FinishHook[],
  starts: readonly Job[] = [],
  failures: readonly FailedAttempt[] = [],
): Promise<Job[]> {
  const dialect = dialectOf(orm.em);
  // Primary-key order: two batches that touch the same rows lock them in the same order.
  const ordered = [...states].sort((a, b) => a.id - b.id);
  // A failed run's error is kept when its end state is: after the written jobs are known, in the same transaction.
  const recordFailures = async (tx: Em, written: readonly Job[]) => {
    if (failures.length === 0) return;
    const ids = new Set(written.map((j) => j.id));
    await insertFailedAttempts(
      tx,
      dialect,
      failures.filter((f) => ids.has(f.jobId)),
    );
  };
  if (dialect === 'mysql' && ordered.length > 1)
    return withLockRetry(() => writeBatchMysql(orm, owner, ordered, hooks, starts, recordFailures));
  if (ordered.length === 0) {
    await withLockRetry(() => markStarted(orm.em.fork() as Em, dialect, owner, starts));
    return [];
  }
  return withLockRetry(() =>
    orm.em.fork().transactional(async (tx) => {
      await markStarted(tx as Em, dialect, owner, starts);
      const written: Job[] = [];
      for (const next of ordered) if (await writeEndState(tx as Em, dialect, owner, next)) written.push(next);
      await recordFailures(tx as Em, written);
      await runHooks(tx as Em, written, hooks);
      return written;
    }, readCommittedTx(dialect)),
  );
}
