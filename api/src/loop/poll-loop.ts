import type { Log } from '../log.js';
import { LOOP_BACKOFF, loopBackoffMs, type BackoffPolicy } from './backoff.js';
import { WakeableSleep } from './wakeable-sleep.js';

/**
 * - `idle`: created, not started
 * - `working`: running a step
 * - `sleeping`: until the step's wait is over or `wake()` cuts it short
 * - `backingOff`: the last step failed; waiting (capped exponential, jittered) before the next
 * - `stopping`: no new steps; tracked work gets the grace period
 * - `stopped`
 */
export type LoopState = 'idle' | 'working' | 'sleeping' | 'backingOff' | 'stopping' | 'stopped';

/** Sleep until woken: a step with nothing to do until someone calls `wake()`. */
export const UNTIL_WOKEN = Number.POSITIVE_INFINITY;

/** The longest a timer can wait (setTimeout's limit); an "until woken" sleep is re-armed after it. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A failing loop at its backoff cap repeats its warning at most this often. */
const REPEAT_WARNING_MS = 5_000;

export interface PollLoopOptions {
  /** Names the loop in its log lines ("claiming jobs", "webhook delivery claim"). */
  name: string;
  log: Log;
  /** One round of work; resolves with how long to sleep before the next (0: at once; `UNTIL_WOKEN`). */
  step: () => Promise<number>;
  /** Waits before the first step (a periodic task runs first after one interval). @default 0 */
  initialDelayMs?: number;
  backoff?: BackoffPolicy;
  /** Writes waiting on this loop, for its warnings while it fails. */
  pending?: () => number;
}

/**
 * The one loop every background task of the product runs on: the runner's claims, the scheduler,
 * the webhook sender, the batch writers and the lease timers. A failed step never stops the loop and
 * never throws out of a timer: it backs off, logs one warning per backoff step, and one info line
 * when a step succeeds again.
 */
export class PollLoop {
  state: LoopState = 'idle';
  private readonly sleeper = new WakeableSleep();
  private readonly tracked = new Set<Promise<unknown>>();
  private done: Promise<void> = Promise.resolve();
  private stopRequested = false;
  private failures = 0;
  private failingSince = 0;
  private lastWarningAt = 0;
  private immediateSteps = 0;

  constructor(private readonly options: PollLoopOptions) {}

  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'sleeping';
    this.done = this.run();
  }

  /** Runs the next step now (or right after the one in progress): something to do arrived. */
  wake(): void {
    this.sleeper.wake();
  }

  /** True once `stop()` was called: a step should wind down instead of taking new work. */
  get stopping(): boolean {
    return this.stopRequested;
  }

  /** Consecutive failed steps (0 while healthy). */
  get failing(): number {
    return this.failures;
  }

  /** Work that outlives a step (a running job, a webhook attempt): `stop` waits for it up to its grace period. */
  track<T>(work: Promise<T>): Promise<T> {
    this.tracked.add(work);
    const untrack = () => this.tracked.delete(work);
    work.then(untrack, untrack);
    return work;
  }

  /** Tracked work not settled yet. */
  get inFlight(): number {
    return this.tracked.size;
  }

  /** No new steps; resolves once the step in progress is over. Tracked work goes on. */
  async halt(): Promise<void> {
    this.stopRequested = true;
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.sleeper.wake();
    await this.done;
    if (this.state !== 'stopped') this.state = 'stopping';
  }

  /**
   * `halt()`, then up to `graceMs` for tracked work. Resolves with whether all tracked work settled
   * in time (the owner cuts the rest short).
   */
  async stop(graceMs = 0): Promise<boolean> {
    await this.halt();
    const settled = await this.settle(graceMs);
    this.state = 'stopped';
    return settled;
  }

  /** Waits up to `ms` for tracked work (work tracked meanwhile included); true when none is left. */
  async settle(ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (this.tracked.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(left, MAX_TIMER_MS))));
      await Promise.race([Promise.allSettled([...this.tracked]), timeUp]);
      clearTimeout(timer);
    }
    return true;
  }

  private async run(): Promise<void> {
    if (this.options.initialDelayMs) await this.sleep(this.options.initialDelayMs);
    while (!this.stopRequested) {
      let waitMs: number;
      try {
        this.state = 'working';
        waitMs = await this.options.step();
        this.recovered();
      } catch (error) {
        waitMs = this.failed(error);
        if (this.stopRequested) break;
        this.state = 'backingOff';
        await this.sleep(waitMs);
        continue;
      }
      if (this.stopRequested) break;
      this.state = 'sleeping';
      await this.sleep(waitMs);
    }
  }

  private async sleep(ms: number): Promise<void> {
    if (this.stopRequested) return;
    if (ms <= 0) {
      // Back-to-back steps go on at once (a macrotask hop per claim cost the busy drain a fifth,
      // docs/decisions.md); every so often one yields, so a step that never waits cannot starve I/O.
      if (++this.immediateSteps % 256 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      return;
    }
    await this.sleeper.sleep(Math.min(ms, MAX_TIMER_MS));
  }

  private failed(error: unknown): number {
    const now = Date.now();
    if (this.failures === 0) this.failingSince = now;
    this.failures++;
    const policy = this.options.backoff ?? LOOP_BACKOFF;
    const waitMs = loopBackoffMs(this.failures, policy);
    // One warning per backoff step while the wait grows; at the cap, one every few seconds.
    const growing = policy.baseMs * 2 ** (this.failures - 1) <= policy.maxMs;
    if (growing || now - this.lastWarningAt >= REPEAT_WARNING_MS) {
      this.lastWarningAt = now;
      const pending = this.options.pending?.();
      this.options.log.warn(
        { err: error, loop: this.options.name, failures: this.failures, waitMs, ...(pending === undefined ? {} : { pending }) },
        `${this.options.name} failed; retrying in ${waitMs} ms`,
      );
    }
    return waitMs;
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.options.log.info(
      { loop: this.options.name, failures: this.failures, downMs: Date.now() - this.failingSince },
      `${this.options.name} works again`,
    );
    this.failures = 0;
    this.lastWarningAt = 0;
  }
}

/**
 * Runs `task` every `intervalMs`, never overlapping itself, first after one interval; a failure backs
 * off like any loop. Returns the stop function.
 */
export function every(intervalMs: number, name: string, log: Log, task: () => Promise<void>): () => Promise<void> {
  const loop = new PollLoop({
    name,
    log,
    initialDelayMs: intervalMs,
    step: async () => {
      await task();
      return intervalMs;
    },
  });
  loop.start();
  return async () => {
    await loop.stop();
  };
}
