import type { Em } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';

/**
 * Runs inside the transaction that writes jobs' COMPLETED or final FAILED states, with that
 * transaction's EntityManager: whatever a hook writes commits or rolls back together with the jobs
 * (the webhook outbox relies on this). A hook that throws rolls the finish back; the jobs stay
 * RUNNING until they are written again or their leases expire.
 *
 * It gets every job one finish batch ended at once, so it can write for all of them in a round trip
 * or two instead of two round trips per job inside the finishing transaction.
 */
export type FinishHook = (em: Em, jobs: readonly Job[]) => Promise<void>;
