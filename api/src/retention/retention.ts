import type { Config } from '../config.js';
import { JobStatus } from '../jobs/job.enums.js';
import type { QueueRetention, QueueSettings } from '../queues/queue-state.sql.js';
import { KEEP } from './duration.js';
import type { PrunePlan } from './prune-jobs.sql.js';

/** The statuses jobs are pruned in: the final ones. */
export const FINAL_STATUSES = [JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELLED] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** Retention in ms per final status; 0 keeps forever. */
export type Retention = Record<FinalStatus, number>;

export const retentionDefaults = (config: Pick<Config, 'RETENTION_COMPLETED' | 'RETENTION_FAILED' | 'RETENTION_CANCELLED'>): Retention => ({
  [JobStatus.COMPLETED]: config.RETENTION_COMPLETED,
  [JobStatus.FAILED]: config.RETENTION_FAILED,
  [JobStatus.CANCELLED]: config.RETENTION_CANCELLED,
});

/** What a queue keeps: its own setting where it has one, else the default. */
export function retentionInForce(defaults: Retention, own: QueueRetention): Retention {
  return {
    [JobStatus.COMPLETED]: own.COMPLETED ?? defaults.COMPLETED,
    [JobStatus.FAILED]: own.FAILED ?? defaults.FAILED,
    [JobStatus.CANCELLED]: own.CANCELLED ?? defaults.CANCELLED,
  };
}

/** Which jobs of `status` are past retention at `now`, given every queue's settings; null: all are kept. */
export function retentionPlan(status: FinalStatus, now: Date, defaults: Retention, queues: readonly QueueSettings[]): PrunePlan | null {
  const own = new Map(queues.filter((q) => q.retention[status] !== null).map((q) => [q.name, q.retention[status]!]));
  const msOf = (queue: string) => own.get(queue) ?? defaults[status];
  const periods = [defaults[status], ...own.values()].filter((ms) => ms !== KEEP);
  if (periods.length === 0) return null;
  const kept = (ms: number) => ms === KEEP;
  return {
    status,
    createdBefore: new Date(now.getTime() - Math.min(...periods)),
    cutoffOf: (queue) => (kept(msOf(queue)) ? null : new Date(now.getTime() - msOf(queue))),
    // Keeping by default, only the queues with a period of their own are read; else every queue but those keeping forever.
    ...(kept(defaults[status])
      ? { queues: [...own].filter(([, ms]) => !kept(ms)).map(([name]) => name) }
      : { keptQueues: [...own].filter(([, ms]) => kept(ms)).map(([name]) => name) }),
  };
}

/** pruneJobs: every job of `status` (of one queue, or any) that completed before `olderThan`. */
export function explicitPlan(status: FinalStatus, olderThan: Date, queue: string | null): PrunePlan {
  return { status, createdBefore: olderThan, cutoffOf: () => olderThan, ...(queue ? { queues: [queue] } : {}) };
}

/** The GraphQL shape of a retention. */
export const toRetentionInfo = (r: Retention) => ({ completedMs: r.COMPLETED, failedMs: r.FAILED, cancelledMs: r.CANCELLED });
