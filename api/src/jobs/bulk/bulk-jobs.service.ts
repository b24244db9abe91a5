import type { Em, Orm } from '../../db/orm.js';
import { withLockRetry } from '../../db/lock-retry.js';
import { BadUserInputError } from '../../graphql/errors.js';
import { deleteJobRows } from '../delete-jobs.sql.js';
import type { Job } from '../job.entity.js';
import { JobStatus } from '../job.enums.js';
import type { JobFilter } from '../job.input.js';
import { loadJobs } from '../list-jobs.sql.js';
import { runCancelHooks, type CancelHook } from '../cancel-hooks.js';
import { failureGroupIds } from '../failures/failures.sql.js';
import { cancelPending, lockStatuses, matchingIds, requeue } from './bulk-jobs.sql.js';
import { JobsChangedAction, LISTED_IDS, type BulkResult } from './bulk.types.js';

/** Jobs one call may change; more asks for a narrower filter. */
export const MAX_BULK_JOBS = 10_000;
/** Jobs per transaction, and per JobsChanged event. */
export const BULK_CHUNK = 1000;

/** Which jobs a bulk action is about: these ids, the jobs matching a filter, or a failure group's FAILED jobs. */
export type BulkSelection = { ids: number[] } | { filter: JobFilter } | { failureGroup: { signature: string; since: Date | null } };

/** What a bulk change announces: one summary per chunk, and each changed job for subscribers of its id. */
export interface BulkEvents {
  jobsChanged(action: JobsChangedAction, ids: readonly number[], jobs: readonly Job[]): void;
}

/** A chunk's decision: the jobs to change now, RUNNING ones to cancel through the engine, the rest with why. */
interface Sorted {
  change: number[];
  requeuePending: number[];
  cancelRunning: number[];
  skipped: [number, string][];
}

/** The single actions' state rules, for one job in its current status. */
function sort(action: JobsChangedAction, statuses: Map<number, JobStatus>): Sorted {
  const out: Sorted = { change: [], requeuePending: [], cancelRunning: [], skipped: [] };
  for (const [id, status] of statuses) {
    if (action === JobsChangedAction.RETRIED) {
      if (status === JobStatus.RUNNING) out.skipped.push([id, 'RUNNING: wait for it to finish or cancel it first']);
      else if (status === JobStatus.PENDING) out.requeuePending.push(id);
      else out.change.push(id);
    } else if (action === JobsChangedAction.CANCELLED) {
      if (status === JobStatus.PENDING) out.change.push(id);
      else if (status === JobStatus.RUNNING) out.cancelRunning.push(id);
      else out.skipped.push([id, `${status}: only PENDING or RUNNING jobs can be cancelled`]);
    } else if (status === JobStatus.RUNNING) out.skipped.push([id, 'RUNNING: cancel it before deleting it']);
    else out.change.push(id);
  }
  return out;
}

/**
 * retryJobs, cancelJobs, deleteJobs: the rules of runJob, cancelJob and deleteJob for up to 10,000
 * jobs, in transactions of 1,000 that lock their jobs first; each chunk is announced once.
 */
export class BulkJobsService {
  constructor(
    private readonly orm: Orm,
    private readonly events: BulkEvents,
    /** The engine's RUNNING → CANCELLED, aborting the handler wherever it runs. */
    private readonly cancelRunning: (job: Job) => Promise<Job>,
    /** Run in each chunk's transaction with the PENDING jobs it cancelled (the webhook outbox's `job.cancelled`). */
    private readonly cancelHooks: readonly CancelHook[] = [],
  ) {}

  async apply(action: JobsChangedAction, selection: BulkSelection): Promise<BulkResult> {
    const em = this.orm.em.fork() as Em;
    const ids = await this.idsOf(em, selection);
    const result: BulkResult = { matched: 0, changed: 0, skipped: [] };
    for (let start = 0; start < ids.length; start += BULK_CHUNK) {
      const chunk = ids.slice(start, start + BULK_CHUNK);
      const sorted = await withLockRetry(() =>
        em.fork().transactional(async (tx) => {
          const statuses = await lockStatuses(tx as Em, chunk);
          const s = sort(action, statuses);
          const now = new Date();
          if (action === JobsChangedAction.RETRIED) await requeue(tx as Em, s.requeuePending, s.change, now);
          else if (action === JobsChangedAction.CANCELLED) {
            await cancelPending(tx as Em, s.change, now);
            await runCancelHooks(tx as Em, this.cancelHooks, s.change);
          } else await deleteJobRows(tx as Em, s.change);
          result.matched += statuses.size;
          return s;
        }),
      );
      const changed = [...sorted.change, ...sorted.requeuePending];
      for (const job of await loadJobs(em, sorted.cancelRunning)) {
        await this.cancelRunning(job).then(
          () => changed.push(job.id),
          (error: Error) => sorted.skipped.push([job.id, error.message]),
        );
      }
      result.changed += changed.length;
      for (const [id, reason] of sorted.skipped) if (result.skipped.length < LISTED_IDS) result.skipped.push({ id: String(id), reason });
      if (changed.length === 0) continue;
      const jobs = action === JobsChangedAction.DELETED ? [] : await loadJobs(em, changed);
      this.events.jobsChanged(action, changed, jobs);
    }
    return result;
  }

  private async idsOf(em: Em, selection: BulkSelection): Promise<number[]> {
    if ('ids' in selection) {
      if (selection.ids.length > MAX_BULK_JOBS) {
        throw new BadUserInputError('ids', `expected at most ${MAX_BULK_JOBS} ids, got ${selection.ids.length}`);
      }
      return [...new Set(selection.ids)].sort((a, b) => a - b);
    }
    if ('failureGroup' in selection) {
      const { signature, since } = selection.failureGroup;
      const ids = await failureGroupIds(em, signature, since, MAX_BULK_JOBS + 1);
      if (ids.length > MAX_BULK_JOBS) {
        throw new BadUserInputError('since', `the group has more than ${MAX_BULK_JOBS} jobs; give a later since`);
      }
      return ids;
    }
    const ids = await matchingIds(em, selection.filter, MAX_BULK_JOBS + 1);
    if (ids.length > MAX_BULK_JOBS) {
      throw new BadUserInputError(
        'filter',
        `matches more than ${MAX_BULK_JOBS} jobs; narrow the filter (by status, taskName, queue or search)`,
      );
    }
    return ids;
  }
}
