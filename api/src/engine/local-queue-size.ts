/**
 * How many claimed jobs a worker keeps waiting beside its running ones while a backlog exists: about
 * `windowMs` of work at the handlers' recent pace, between `concurrency` and `max`.
 *
 * Short jobs want a deep local queue: every claim and every end-state write is a durable commit, so
 * the more jobs each one carries, the fewer commits per job (figures in docs/decisions.md). Long jobs want almost none: a job held here waits for this worker's slots while
 * another worker may be idle, so a 1 s job at concurrency 4 keeps only the 4 jobs that start next.
 */
export class LocalQueueSize {
  /** Exponential moving average of handler run time; starts at one window (prefetch = concurrency). */
  private avgRunMs: number;

  constructor(
    private readonly concurrency: number,
    private readonly windowMs = 100,
    private readonly max = 500,
  ) {
    this.avgRunMs = windowMs;
  }

  /** A handler ran for `ms` (noop jobs take microseconds: a floor keeps the ratio finite). */
  observe(ms: number): void {
    this.avgRunMs += 0.2 * (Math.max(ms, 0.001) - this.avgRunMs);
  }

  /** Jobs to hold ahead of the running ones. */
  get prefetch(): number {
    const c = this.concurrency;
    const ahead = Math.ceil((c * this.windowMs) / this.avgRunMs);
    return Math.max(c, Math.min(this.max, ahead));
  }
}
