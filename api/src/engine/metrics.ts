import { JobStatus } from '../jobs/job.enums.js';

/** How a run ended, as `/metrics` labels it: COMPLETED, FAILED with no attempts left, or queued for a retry. */
export type RunLabel = 'completed' | 'failed' | 'retried';

/** What the engine reports; `http/metrics.ts` implements it, and the engine runs without it in unit tests. */
export interface EngineMetrics {
  /** One claim round trip (select + mark RUNNING), in milliseconds, and how many jobs it returned. */
  observeClaim(durationMs: number, claimed: number): void;
  /** One handler run, in milliseconds, labelled by how it ended. */
  observeRun(durationMs: number, label: RunLabel): void;
  /** How long a job waited from due to its handler's start, in milliseconds, by queue. */
  observeWait(queue: string, waitMs: number): void;
}

/** A run's label from the status its end wrote. */
export function runLabelOf(status: JobStatus): RunLabel {
  if (status === JobStatus.COMPLETED) return 'completed';
  if (status === JobStatus.FAILED) return 'failed';
  return 'retried';
}
