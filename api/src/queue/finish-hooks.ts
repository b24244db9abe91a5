import type { Em } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';

/**
 * Runs inside the transaction that writes a job's COMPLETED or final FAILED state, with that
 * transaction's EntityManager: whatever a hook writes commits or rolls back together with the job
 * (the webhook outbox relies on this). A hook that throws rolls the finish back; the job stays
 * RUNNING until it is written again or its lease expires.
 */
export type FinishHook = (em: Em, job: Job) => Promise<void>;
