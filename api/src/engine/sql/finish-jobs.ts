import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime, type BoundValue, type SqlDialect } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { isFinal, resultToDb } from '../../jobs/job-record.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { FinishOutcome, type FinishHook } from '../finish-hooks.js';
import { failureSignature } from '../../jobs/failures/signature.js';
import { insertRows, placeholders } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';

/**
 * Writes a job's end state if this worker still holds its lease (a cancel or a lease recovery may
 * have taken it meanwhile: then nothing is written). Returns whether it was written.
 */
export async function writeEndState(tx: Em, dialect: SqlDialect, owner: string, next: Job, stacks: Stacks): Promise<boolean> {
  const [id, ...values] = endStateValues(dialect, next, stacks);
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
  // Set on a final failure, cleared on any other end: failureGroups reads it by its index.
  'failure_signature',
] as const;

/** The stack of each failed run of a batch, by job id: a signature's error class comes from it. */
type Stacks = ReadonlyMap<number, string | null>;

function endStateValues(dialect: SqlDialect, next: Job, stacks: Stacks): BoundValue[] {
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
    next.status === JobStatus.FAILED ? failureSignature(next.lastError, stacks.get(next.id)) : null,
  ];
}

/** One lease owner's share of a write: its end states and the start marks of its runs. */
export interface OwnedWrites {
  owner: string;
  states: readonly Job[];
  starts?: readonly Job[];
}

type RecordFailures = (tx: Em, written: readonly Job[]) => Promise<void>;

/**
 * MySQL/MariaDB: each owner's end states in one `UPDATE … JOIN` over a derived table of the new
 * values — one statement instead of one per job, whose round trips dominated a batch's commit. The
 * UPDATE's own WHERE skips rows the owner no longer holds; when one changed fewer rows than it was
 * given (a job cancelled or recovered meanwhile, rare), the transaction is rolled back and written
 * again after locking the rows still held, to learn which they are.
 */
async function writeBatchMysql(
  orm: Orm,
  groups: readonly Required<OwnedWrites>[],
  hooks: readonly FinishHook[],
  recordFailures: RecordFailures,
  stacks: Stacks,
): Promise<Job[]> {
  const all = await FinishOutcome.of((outcome) =>
    orm.em.fork().transactional(async (tx) => {
      const written: Job[] = [];
      for (const { owner, states, starts } of groups) {
        await markStarted(tx as Em, 'mysql', owner, starts);
        if (states.length === 0) continue;
        if ((await updateBatchMysql(tx as Em, owner, states, stacks)) < states.length) throw NOT_ALL_HELD;
        written.push(...states);
      }
      await recordFailures(tx as Em, written);
      await runHooks(tx as Em, written, hooks, outcome);
      return written;
    }),
  ).catch((error: unknown) => {
    if (error === NOT_ALL_HELD) return null;
    throw error;
  });
  if (all) return all;
  return FinishOutcome.of((outcome) =>
    orm.em.fork().transactional(async (tx) => {
      const written: Job[] = [];
      for (const { owner, states, starts } of groups) {
        await markStarted(tx as Em, 'mysql', owner, starts);
        if (states.length === 0) continue;
        const ids = states.map((j) => j.id);
        const held = await query<{ id: number }>(
          tx as Em,
          `select id from jobs where id in (${placeholders(ids.length)}) and status = '${JobStatus.RUNNING}' and lease_owner = ? order by id for update`,
          [...ids, owner],
        );
        const mine = new Set(held.map((r) => Number(r.id)));
        const writable = states.filter((j) => mine.has(j.id));
        if (writable.length > 0) await updateBatchMysql(tx as Em, owner, writable, stacks);
        written.push(...writable);
      }
      await recordFailures(tx as Em, written);
      await runHooks(tx as Em, written, hooks, outcome);
      return written;
    }),
  );
}

/** Thrown inside the optimistic transaction to roll it back; never leaves this module. */
const NOT_ALL_HELD = new Error('a job of the batch is no longer held by this worker');

/** Returns how many rows it changed: the batch's jobs this worker still holds. */
async function updateBatchMysql(tx: Em, owner: string, jobs: readonly Job[], stacks: Stacks): Promise<number> {
  const row = (first: boolean) => `select ${END_COLUMNS.map((c) => (first ? `? as ${c}` : '?')).join(', ')}`;
  const values = jobs.map((_, i) => row(i === 0)).join(' union all ');
  return run(
    tx,
    `update jobs j join (${values}) v on j.id = v.id
     set ${END_COLUMNS.filter((c) => c !== 'id')
       .map((c) => `j.${c} = v.${c}`)
       .join(', ')}, j.lease_owner = null, j.lease_expires_at = null
     where j.status = '${JobStatus.RUNNING}' and j.lease_owner = ?`,
    [...jobs.flatMap((j) => endStateValues('mysql', j, stacks)), owner],
  );
}

async function runHooks(tx: Em, written: readonly Job[], hooks: readonly FinishHook[], outcome: FinishOutcome): Promise<void> {
  const finals = written.filter(isFinal);
  if (finals.length > 0) for (const hook of hooks) await hook(tx, finals, outcome);
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
export function writeEndStates(
  orm: Orm,
  owner: string,
  states: readonly Job[],
  hooks: readonly FinishHook[],
  starts: readonly Job[] = [],
  failures: readonly FailedAttempt[] = [],
): Promise<Job[]> {
  return writeOwnedEndStates(orm, [{ owner, states, starts }], hooks, failures);
}

/** `writeEndStates` for the leases of several owners (remote claims each have their own) in one transaction. */
export async function writeOwnedEndStates(
  orm: Orm,
  owned: readonly OwnedWrites[],
  hooks: readonly FinishHook[],
  failures: readonly FailedAttempt[] = [],
): Promise<Job[]> {
  const dialect = dialectOf(orm.em);
  // Primary-key order: two batches that touch the same rows lock them in the same order.
  const groups = owned.map((g) => ({ owner: g.owner, states: [...g.states].sort((a, b) => a.id - b.id), starts: g.starts ?? [] }));
  const count = groups.reduce((n, g) => n + g.states.length, 0);
  const stacks: Stacks = new Map(failures.map((f) => [f.jobId, f.stack]));
  // A failed run's error is kept when its end state is: after the written jobs are known, in the same transaction.
  const recordFailures: RecordFailures = async (tx, written) => {
    if (failures.length === 0) return;
    const ids = new Set(written.map((j) => j.id));
    await insertFailedAttempts(
      tx,
      dialect,
      failures.filter((f) => ids.has(f.jobId)),
    );
  };
  if (dialect === 'mysql' && count > 1) return withLockRetry(() => writeBatchMysql(orm, groups, hooks, recordFailures, stacks));
  if (count === 0) {
    await withLockRetry(async () => {
      for (const { owner, starts } of groups) await markStarted(orm.em.fork() as Em, dialect, owner, starts);
    });
    return [];
  }
  return withLockRetry(() =>
    FinishOutcome.of((outcome) =>
      orm.em.fork().transactional(async (tx) => {
        const written: Job[] = [];
        for (const { owner, states, starts } of groups) {
          await markStarted(tx as Em, dialect, owner, starts);
          for (const next of states) if (await writeEndState(tx as Em, dialect, owner, next, stacks)) written.push(next);
        }
        await recordFailures(tx as Em, written);
        await runHooks(tx as Em, written, hooks, outcome);
        return written;
      }),
    ),
  );
}
