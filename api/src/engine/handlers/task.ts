import type { Job } from '../../jobs/job.entity.js';

/** What a running handler gets besides its job. */
export interface TaskContext {
  /** Aborted when the job is cancelled, times out, or the worker shuts down past its grace period. */
  signal: AbortSignal;
  /** Reports the share done, 0..1; published live. Cheap to call often: writes are coalesced. */
  progress(share: number): void;
}

/** Runs one job; what it returns becomes `job.result` (JSON), what it throws becomes `lastError`. */
export type TaskHandler = (job: Job, ctx: TaskContext) => unknown | Promise<unknown>;

/** A handler plus an optional payload check that `createJob` runs, so bad payloads fail at creation. */
export interface Task {
  handler: TaskHandler;
  /** Throw `BadUserInputError` naming `${field}.<key>`; `field` is e.g. `input.payload`. */
  validatePayload?(payload: Record<string, unknown>, field: string): void | Promise<void>;
}
