import type { Job } from '../jobs/job.entity.js';
import type { TaskHandler } from './handlers/task.js';

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
  { kind: 'completed'; result: unknown } | { kind: 'failed'; error: string } | { kind: 'stopped'; reason: string };

const MAX_ERROR_CHARS = 4000;

function errorText(error: unknown): string {
  const text =
    error instanceof Error ? error.message || error.name : typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error));
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
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
  progress: (share: number) => void,
): Promise<HandlerOutcome> {
  const { signal } = controller;
  const timer = job.timeoutMs ? setTimeout(() => controller.abort(StopReason.timeout(job.timeoutMs!)), job.timeoutMs) : undefined;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  aborted.catch(() => {}); // settled by the race below or never looked at
  try {
    const raw = await Promise.race([Promise.resolve().then(() => handler(job, { signal, progress })), aborted]);
    // The result goes into a JSON column: refuse what JSON cannot hold before it reaches the database.
    const result = raw === undefined ? null : JSON.parse(JSON.stringify(raw) ?? 'null');
    return { kind: 'completed', result };
  } catch (error) {
    const reason = signal.aborted ? signal.reason : undefined;
    if (reason instanceof StopReason && reason.kind !== 'timeout') return { kind: 'stopped', reason: reason.message };
    if (reason instanceof StopReason) return { kind: 'failed', error: reason.message };
    return { kind: 'failed', error: errorText(error) };
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
