import type { Em } from '../db/orm.js';

/**
 * Runs inside the transaction that writes jobs' CANCELLED state (cancelJob, cancelJobs, a running job's
 * cancel), with that transaction's EntityManager and the ids it cancelled: what a hook writes commits or
 * rolls back with the cancel (the webhook outbox relies on this). Ids, not rows: a hook with nothing to
 * do for cancels (no endpoint subscribed) returns without reading the jobs.
 */
export type CancelHook = (em: Em, jobIds: readonly number[]) => Promise<void>;

/** Runs every hook in order inside `em`'s transaction. */
export async function runCancelHooks(em: Em, hooks: readonly CancelHook[], jobIds: readonly number[]): Promise<void> {
  if (jobIds.length === 0) return;
  for (const hook of hooks) await hook(em, jobIds);
}
