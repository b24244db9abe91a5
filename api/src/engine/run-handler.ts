import type { Job } from '../jobs/job.entity.js';
import type { TaskContext, TaskHandler } from '../tasks/task.js';

/** Why a handler's AbortSignal fired; `signal.reason` carries it to the handler too. */
export class StopReason extends Error {
  private constructor(
    readonly kind: 'cancelled' | 'lost' | 'shutdown' | 'timeout',
    message: string,
  ) {
    super(message);
    this.name = 'AbortError';
  }
  static cancelled = () => new StopReason('cancelled', 'the job was cancelled');
  static lost = () => new StopReason('lost', 'the job is no longer held by this worker (cancelled or taken back)');
  static shutdown = () => new StopReason('shutdown', 'the worker is shutting down');
  static timeout = (ms: number) => new StopReason('timeout', `timed out after ${ms} ms (timeoutMs)`);
}

export type HandlerOutcome =
  | { kind: 'completed'; result: unknown }
  | { kind: 'failed'; error: string; stack: string | null; retryable: boolean }
  | { kind: 'snoozed'; ms: number }
  | { kind: 'stopped'; reason: string };

const MAX_ERROR_CHARS = 4000;
/** A stack is kept up to this many bytes of UTF-8; a longer one is cut, not dropped. */
export const MAX_STACK_BYTES = 8 * 1024;
/** The longest snooze a handler may ask for. */
const MAX_SNOOZE_MS = 24 * 60 * 60 * 1000;

export function stackText(error: unknown): string | null {
  const stack = error instanceof Error ? error.stack : (error as { stack?: unknown } | null)?.stack;
  if (typeof stack !== 'string' || stack.length === 0) return null;
  const bytes = Buffer.from(stack, 'utf8');
  if (bytes.length <= MAX_STACK_BYTES) return stack;
  // Cut on a character boundary: decoding the cut bytes drops a split character's tail.
  return `${bytes
    .subarray(0, MAX_STACK_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD$/, '')}…`;
}

/** Recognised by shape, not class: a task module need not import NonRetryableError or Snooze. */
export function snoozeMsOf(error: unknown): number | null {
  const ms = (error as { snoozeMs?: unknown } | null)?.snoozeMs;
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.min(MAX_SNOOZE_MS, Math.max(0, Math.round(ms))) : null;
}

const isNonRetryable = (error: unknown): boolean => (error as { retryable?: unknown } | null)?.retryable === false;

export function errorText(error: unknown): string {
  const text =
    error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/**
 * Node's timers and `Date` round separately, so a timer can fire a millisecond before `startedAt +
 * timeoutMs` by the clock the run's duration is measured with: it re-arms for what is left instead.
 */
function armTimeout(ms: number, startedAt: number, controller: AbortController): () => void {
  let timer: NodeJS.Timeout;
  const check = () => {
    const left = startedAt + ms - Date.now();
    if (left > 0) timer = setTimeout(check, left);
    else controller.abort(StopReason.timeout(ms));
  };
  timer = setTimeout(check, ms);
  return () => clearTimeout(timer);
}

/**
 * Runs a handler until it settles or its signal fires, whichever is first: a handler that ignores its
 * signal cannot keep a slot (or a cancelled job) busy. A timeout counts as a failed run; a cancel,
 * a lost lease or a shutdown stop the run without an outcome of its own.
 */
export async function runHandler(
  handler: TaskHandler,
  job: Job,
  controller: AbortController,
  context: Omit<TaskContext, 'signal'>,
): Promise<HandlerOutcome> {
  const { signal } = controller;
  const disarm = job.timeoutMs ? armTimeout(job.timeoutMs, job.startedAt?.getTime() ?? Date.now(), controller) : undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // settled by the race below or never looked at
  try {
    job.payload ??= {};
    const ctx: TaskContext = { ...context, signal };
    const raw = await Promise.race([
      Promise.resolve().then(() => handler(job as Job & { payload: Record<string, unknown> }, ctx)),
      aborted,
    ]);
    // The result goes into a JSON column: refuse what JSON cannot hold before it reaches the database.
    const result = raw === undefined ? null : JSON.parse(JSON.stringify(raw) ?? 'null');
    return { kind: 'completed', result };
  } catch (error) {
    const reason = signal.aborted ? signal.reason : undefined;
    if (reason instanceof StopReason && reason.kind !== 'timeout') return { kind: 'stopped', reason: reason.message };
    if (reason instanceof StopReason) return { kind: 'failed', error: reason.message, stack: null, retryable: true };
    const snoozeMs = snoozeMsOf(error);
    if (snoozeMs !== null) return { kind: 'snoozed', ms: snoozeMs };
    return { kind: 'failed', error: errorText(error), stack: stackText(error), retryable: !isNonRetryable(error) };
  } finally {
    disarm?.();
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
