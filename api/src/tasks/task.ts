/**
 * What a task module needs: `defineTask` (types only), the handler's context, and the two errors a
 * handler may throw to steer its job. A module may also skip the import: a default export of a plain
 * object of this shape is a task, and the errors are recognised by shape (`retryable: false`,
 * a numeric `snoozeMs`), not by class.
 */
import type { Job } from '../jobs/job.entity.js';

/** What a task's `validate` throws for a bad payload: `new BadUserInputError('input.payload.x', 'expected …')`. */
export { BadUserInputError } from '../graphql/errors.js';

/** A JSON Schema (draft-07, as Ajv reads it by default; `format` is not checked, `default` not applied) for a task's payload. */
export type JsonSchema = Record<string, unknown> | boolean;

/** How long a failed run waits before the next attempt. */
export interface TaskBackoff {
  /** `exponential`: baseMs doubling per attempt; `fixed`: baseMs every time. @default 'exponential' */
  kind: 'exponential' | 'fixed';
  /** @default 1_000 */
  baseMs: number;
  /** @default 600_000 (10 minutes) */
  maxMs: number;
  /** Half the wait random, so failures of many jobs do not retry in lockstep. @default true */
  jitter: boolean;
}

/** Used where a job's input leaves them out. */
export interface TaskDefaults {
  maxAttempts?: number;
  timeoutMs?: number;
  backoff?: Partial<TaskBackoff>;
  /** @default 'default' */
  queue?: string;
}

type LogFn = (message: string, data?: unknown) => void;

/** `ctx.log(message, data?)` logs at info; `ctx.log.warn(…)` and the others pick the level. */
export interface TaskLog extends LogFn {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
}

/** What a running handler gets besides its job. */
export interface TaskContext {
  /** Aborted when the job is cancelled, times out, or the worker shuts down past its grace period. */
  signal: AbortSignal;
  /** Reports the share done, 0..1; published live. Cheap to call often: writes are coalesced. */
  progress(share: number): void;
  /** Lines stored with the job and published live (`jobLogAdded`). */
  log: TaskLog;
  /** This run's attempt number, 1-based. */
  attempt: number;
  /** The worker running it (its lease owner). */
  worker: string;
}

/** Runs one job; what it returns becomes `job.result` (JSON), what it throws becomes `lastError`. */
export type TaskHandler<P = Record<string, unknown>> = (job: Job & { payload: P }, ctx: TaskContext) => unknown;

export interface TaskDefinition<P = Record<string, unknown>> {
  /** What jobs name in `taskName`: 1–255 characters. */
  name: string;
  description?: string;
  /** Checked wherever a job is made; `BAD_USER_INPUT` names the failing field. */
  payload?: JsonSchema;
  defaults?: TaskDefaults;
  handler: TaskHandler<P>;
  /**
   * A check beyond the schema, for what JSON Schema cannot say (the built-in `http.request` refuses
   * private addresses): throw `BadUserInputError` naming `${field}.<key>`.
   */
  validate?(payload: Record<string, unknown>, field: string): void | Promise<void>;
}

/** Only adds types: `export default defineTask({ … })` is the plain object it is given. */
export function defineTask<P = Record<string, unknown>>(definition: TaskDefinition<P>): TaskDefinition<P> {
  return definition;
}

/** Ends the job FAILED at once, whatever attempts are left. Any error with `retryable: false` does the same. */
export class NonRetryableError extends Error {
  readonly retryable = false;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NonRetryableError';
  }
}

/**
 * Puts the job back to PENDING for `ms` without counting the attempt (waiting on a rate limit, say).
 * Any error with a numeric `snoozeMs` does the same. A job may snooze MAX_SNOOZES times; after
 * that a snooze counts as a failed attempt.
 */
export class Snooze extends Error {
  readonly snoozeMs: number;
  constructor(ms: number) {
    super(`snoozed for ${ms} ms`);
    this.name = 'Snooze';
    this.snoozeMs = ms;
  }
}

/** How often one job may snooze before a snooze counts as an attempt. */
export const MAX_SNOOZES = 50;
