import { BadUserInputError, describe } from '../graphql/errors.js';
import { DEFAULT_MAX_ATTEMPTS, Priority } from './job.enums.js';
import type { CreateJobInput } from './job.input.js';
import { checkQueueName, DEFAULT_QUEUE } from '../queues/queue-name.js';

export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const MAX_TASK_NAME = 255;

/** A create request after validation: every field present and in range. */
export interface NewJob {
  taskName: string;
  queue: string;
  concurrencyKey: string | null;
  payload: Record<string, unknown>;
  priority: Priority;
  /** When it becomes due; absent: the instant it is created. */
  runAt?: Date;
  maxAttempts: number;
  timeoutMs: number | null;
  webhookUrl: string | null;
  idempotencyKey: string | null;
  scheduleId?: number | null;
  scheduleTickAt?: Date | null;
  /** Made for a task name no task has: the run is the seed simulation. */
  simulated?: boolean;
}

/** Checks the URL's form only; where it may point is the webhooks SSRF guard's decision. */
export type UrlCheck = (field: string, url: string) => void | Promise<void>;

export function checkTaskName(field: string, taskName: unknown): string {
  if (typeof taskName !== 'string' || taskName.trim().length === 0 || taskName.length > MAX_TASK_NAME) {
    throw new BadUserInputError(field, `expected a name of 1–${MAX_TASK_NAME} characters, got ${describe(taskName)}`);
  }
  return taskName;
}

export const MAX_CONCURRENCY_KEY = 128;

export function checkConcurrencyKey(field: string, key: unknown): string | null {
  if (key === undefined || key === null) return null;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_CONCURRENCY_KEY) {
    throw new BadUserInputError(field, `expected 1–${MAX_CONCURRENCY_KEY} characters, got ${describe(key)}`);
  }
  return key;
}

export function checkPayload(field: string, payload: unknown): Record<string, unknown> {
  if (payload === undefined || payload === null) return {};
  if (typeof payload !== 'object' || Array.isArray(payload)) {
    throw new BadUserInputError(field, `expected a JSON object, got ${describe(payload)}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new BadUserInputError(field, `expected at most ${MAX_PAYLOAD_BYTES} bytes of JSON, got ${bytes} bytes`);
  }
  const depth = jsonDepth(payload, MAX_PAYLOAD_DEPTH + 1);
  if (depth > MAX_PAYLOAD_DEPTH) {
    throw new BadUserInputError(field, `expected JSON nested at most ${MAX_PAYLOAD_DEPTH} levels deep, got more`);
  }
  return payload as Record<string, unknown>;
}

/** MariaDB's JSON check refuses 32 levels of nesting (MySQL: 100); a bound below both holds on every database. */
export const MAX_PAYLOAD_DEPTH = 30;

/** Nesting depth of objects and arrays (`{}` is 1), counted no further than `stopAt`. */
function jsonDepth(value: unknown, stopAt: number, depth = 0): number {
  if (value === null || typeof value !== 'object' || depth >= stopAt) return depth;
  let deepest = depth + 1;
  for (const child of Object.values(value as object)) {
    deepest = Math.max(deepest, jsonDepth(child, stopAt, depth + 1));
    if (deepest >= stopAt) break;
  }
  return deepest;
}

function checkInt(field: string, value: number | undefined | null, min: number, max: number, fallback: number): number;
function checkInt(field: string, value: number | undefined | null, min: number, max: number, fallback: number | null): number | null;
function checkInt(field: string, value: number | undefined | null, min: number, max: number, fallback: number | null) {
  if (value === undefined || value === null) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(field, `expected a whole number ${min}..${max}, got ${describe(value)}`);
  }
  return value;
}

/** The checks of a create input that may need I/O (DNS for URLs); each throws `BadUserInputError`. */
export interface CreateChecks {
  checkUrl: UrlCheck;
  /** The task's own payload check (`TaskCatalog.validate`). */
  checkTask: (job: NewJob, path: string) => void | Promise<void>;
  /** The task's defaults for what an input leaves out. */
  defaultsOf?: (taskName: string) => { maxAttempts?: number; timeoutMs?: number; queue?: string };
}

/** Every field of one input checked and defaulted, except what needs I/O. */
function parseFields(input: CreateJobInput, path: string, defaultsOf?: CreateChecks['defaultsOf']): NewJob {
  const runAt = input.runAt ?? undefined;
  if (runAt !== undefined && (!(runAt instanceof Date) || Number.isNaN(runAt.getTime()))) {
    throw new BadUserInputError(`${path}.runAt`, `expected an ISO-8601 date, got ${describe(input.runAt)}`);
  }
  const key = input.idempotencyKey ?? null;
  if (key !== null && (key.length === 0 || key.length > 255)) {
    throw new BadUserInputError(`${path}.idempotencyKey`, `expected 1–255 characters, got ${describe(key)}`);
  }
  const url = input.webhookUrl;
  const taskName = checkTaskName(`${path}.taskName`, input.taskName);
  const defaults = defaultsOf?.(taskName);
  return {
    taskName,
    queue: checkQueueName(`${path}.queue`, input.queue, defaults?.queue ?? DEFAULT_QUEUE),
    concurrencyKey: checkConcurrencyKey(`${path}.concurrencyKey`, input.concurrencyKey),
    payload: checkPayload(`${path}.payload`, input.payload),
    priority: input.priority ?? Priority.LOW,
    runAt,
    maxAttempts: checkInt(`${path}.maxAttempts`, input.maxAttempts, 1, 100, defaults?.maxAttempts ?? DEFAULT_MAX_ATTEMPTS),
    timeoutMs: checkInt(`${path}.timeoutMs`, input.timeoutMs, 1, 2_147_483_647, defaults?.timeoutMs ?? null),
    webhookUrl: url === undefined || url === null || url === '' ? null : url,
    idempotencyKey: key,
  };
}

/**
 * Parses create inputs in one pass; `pathOf(i)` names input i in errors (`input`, `inputs[3]`). A bad
 * input fails with the error of the first bad input in order, as if they had been checked one by one,
 * but checks that need I/O run side by side, and inputs that need none cost no await (awaiting every
 * input in turn showed up in a `createJobs` profile).
 */
export async function parseCreateJobs(
  inputs: readonly CreateJobInput[],
  pathOf: (i: number) => string,
  checks: CreateChecks,
): Promise<NewJob[]> {
  const parsed: NewJob[] = [];
  // Each settles to its input's error or undefined, so none rejects unobserved if a later input throws.
  const pending: Promise<unknown>[] = [];
  const firstPendingError = async () => {
    for (const error of await Promise.all(pending)) if (error !== undefined) return error;
    return undefined;
  };
  const settle = (p: void | Promise<void>) => {
    if (p)
      pending.push(
        p.then(
          () => undefined,
          (error: unknown) => error ?? new Error('check failed'),
        ),
      );
  };
  for (let i = 0; i < inputs.length; i++) {
    const path = pathOf(i);
    let job: NewJob;
    try {
      job = parseFields(inputs[i], path, checks.defaultsOf);
      if (job.webhookUrl !== null) settle(checks.checkUrl(`${path}.webhookUrl`, job.webhookUrl));
      settle(checks.checkTask(job, path));
    } catch (error) {
      throw (await firstPendingError()) ?? error;
    }
    parsed.push(job);
  }
  const error = pending.length > 0 ? await firstPendingError() : undefined;
  if (error !== undefined) throw error;
  return parsed;
}

export function checkPage(limit: number, offset: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new BadUserInputError('limit', `expected a whole number 1..100, got ${describe(limit)}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new BadUserInputError('offset', `expected a whole number ≥ 0, got ${describe(offset)}`);
  }
}

/** GraphQL IDs arrive as strings; ours are positive integers. */
export function parseId(field: string, id: string | number): number {
  const n = typeof id === 'number' ? id : /^\d{1,15}$/.test(id) ? Number(id) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new BadUserInputError(field, `expected a positive integer id, got ${describe(id)}`);
  return n;
}
