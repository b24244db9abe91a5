import type { SqlDialect } from '../db/sql.js';

/**
 * `jobs` read through `jobs_queue_claim_idx` (status, queue, priority DESC, run_at, id,
 * concurrency_key), by order on MySQL/MariaDB: with many queues their optimizer may otherwise pick
 * jobs_queue_created_idx for one queue and sort (and, in a claim, lock) that queue's whole backlog.
 */
export const claimIndexed = (dialect: SqlDialect): string => (dialect === 'sqlite' ? 'jobs' : 'jobs force index (jobs_queue_claim_idx)');
