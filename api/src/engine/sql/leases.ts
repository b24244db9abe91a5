import type { Em, Orm } from '../../db/orm.js';
import { dialectOf, query, run, toDbTime } from '../../db/sql.js';
import type { Job } from '../../jobs/job.entity.js';
import { failureSignature } from '../../jobs/failures/signature.js';
import { JobStatus } from '../../jobs/job.enums.js';
import { FinishOutcome, type FinishHook } from '../finish-hooks.js';
import { insertFailedAttempts, type FailedAttempt } from './finish-jobs.js';
import { jobRowMapper } from '../../jobs/job-record.js';
import { placeholders } from '../../db/sql.js';
import { withLockRetry } from '../../db/lock-retry.js';

const RUNNING = `'${JobStatus.RUNNING}'`;

/** Pushes the lease of this worker's running jobs forward; jobs it no longer owns are left alone. */
export async function renewLeases(orm: Orm, owner: string, ids: readonly number[], expiresAt: Date): Promise<void> {
  if (ids.length === 0) return;
  const em = orm.em.fork();
  await withLockRetry(() =>
    run(em, `update jobs set lease_expires_at = ? where id in (${placeholders(ids.length)}) and status = ${RUNNING} and lease_owner = ?`, [
      toDbTime(dialectOf(em), expiresAt),
      ...ids,
      owner,
    ]),
  );
}

/**
 * Which of these jobs are still RUNNING under this worker's lease. A job missing from the answer was
 * cancelled (possibly by another process) or recovered after this worker stalled: its handler must stop.
 */
export async function stillOwned(orm: Orm, owner: string, ids: readonly number[]): Promise<Set<number>> {
  if (ids.length === 0) return new Set();
  const rows = await query<{ id: number }>(
    orm.em.fork(),
    `select id from jobs where id in (${placeholders(ids.length)}) and status = ${RUNNING} and lease_owner = ?`,
    [...ids, owner],
  );
  return new Set(rows.map((r) => Number(r.id)));
}

/**
 * Graceful shutdown: jobs claimed ahead and jobs still running past the grace period go back to
 * PENDING, due now. Neither costs an attempt: a started run's mark is taken back (the job did nothing
 * wrong), a job that never started has none.
 */
/** `reason` becomes the job's lastError; null leaves lastError as it was (a return that is no failure). */
export async function releaseJobs(orm: Orm, owner: string, ids: readonly number[], now: Date, reason: string | null): Promise<Job[]> {
  if (ids.length === 0) return [];
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  return withLockRetry(() =>
    em.transactional(async (tx) => {
      const t = toDbTime(dialect, now);
      const list = placeholders(ids.length);
      await run(
        tx,
        `update jobs set status = '${JobStatus.PENDING}',
           attempts = case when started_at is not null and attempts > 0 then attempts - 1 else attempts end, started_at = null,
           progress = 0, last_error = coalesce(?, last_error), run_at = ?, updated_at = ?, lease_owner = null, lease_expires_at = null
         where id in (${list}) and status = ${RUNNING} and lease_owner = ?`,
        [reason, t, t, ...ids, owner],
      );
      const rows = await query(tx, `select * from jobs where id in (${list}) and status = '${JobStatus.PENDING}'`, ids);
      return rows.map(jobRowMapper(tx));
    }),
  );
}

const RECOVER_BATCH = 100;

export interface RecoveredLease {
  job: Job;
  /** `jobs.lease_owner` before the job was taken back. */
  owner: string | null;
}

/**
 * Any worker runs this: RUNNING jobs whose lease expired belong to a process that died or stalled.
 * A job whose handler never started there (claimed ahead, no start mark) goes back to PENDING as it
 * was. A started run counts as an attempt: with attempts left the job is due again now, otherwise it
 * ends FAILED (and the finish hooks run, as for any final failure). Returns the jobs it changed, each
 * with the lease owner it was taken from.
 */
export async function recoverExpiredLeases(orm: Orm, now: Date, hooks: readonly FinishHook[]): Promise<RecoveredLease[]> {
  const em = orm.em.fork();
  const dialect = dialectOf(em);
  const t = toDbTime(dialect, now);
  const lock = dialect === 'sqlite' ? '' : ' for update skip locked';
  return withLockRetry(() =>
    FinishOutcome.of((outcome) =>
      em.transactional(async (tx) => {
        const rows = await query(
          tx,
          `select * from jobs where status = ${RUNNING} and lease_expires_at < ? order by lease_expires_at limit ${RECOVER_BATCH}${lock}`,
          [t],
        );
        const changed: RecoveredLease[] = [];
        const lost: FailedAttempt[] = [];
        for (const job of rows.map(jobRowMapper(tx))) {
          const owner = job.leaseOwner ?? null;
          const worker = owner ?? 'unknown';
          const started = job.startedAt !== null;
          const error = started
            ? `worker ${worker} stopped responding: its lease expired at ${job.leaseExpiresAt?.toISOString()} during attempt ${job.attempts}`
            : `worker ${worker} stopped responding before the job started; returned to the queue`;
          const retry = !started || job.attempts < job.maxAttempts;
          const next = Object.assign(job, {
            status: retry ? JobStatus.PENDING : JobStatus.FAILED,
            lastError: error,
            progress: retry ? 0 : job.progress,
            runAt: retry ? now : job.runAt,
            completedAt: retry ? null : now,
            runDurationMs: job.startedAt ? Math.max(0, now.getTime() - job.startedAt.getTime()) : null,
            startedAt: started ? job.startedAt : null,
            updatedAt: now,
            leaseOwner: null,
            leaseExpiresAt: null,
          });
          const n = await run(
            tx,
            `update jobs set status = ?, last_error = ?, progress = ?, run_at = ?, completed_at = ?, run_duration_ms = ?, updated_at = ?,
             failure_signature = ?, lease_owner = null, lease_expires_at = null
           where id = ? and status = ${RUNNING} and lease_expires_at < ?`,
            [
              next.status,
              error,
              next.progress,
              toDbTime(dialect, next.runAt),
              next.completedAt ? t : null,
              next.runDurationMs,
              t,
              retry ? null : failureSignature(error, null),
              next.id,
              t,
            ],
          );
          if (n === 0) continue;
          changed.push({ job: next, owner });
          if (started) lost.push({ jobId: next.id, attempt: next.attempts, at: now, message: error, stack: null, worker });
        }
        // A started run that was lost is a failed attempt like any other: it joins the job's error history.
        await insertFailedAttempts(tx as Em, dialect, lost);
        const failed = changed.map((r) => r.job).filter((job) => job.status === JobStatus.FAILED);
        if (failed.length > 0) for (const hook of hooks) await hook(tx as Em, failed, outcome);
        return changed;
      }),
    ),
  );
}
