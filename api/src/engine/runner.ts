import type { Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import type { JobEvents } from '../jobs/job.events.js';
import { loopBackoffMs, retryDelayMs } from './backoff.js';
import type { FinishHook } from './finish-hooks.js';
import { Finisher } from './finisher.js';
import type { TaskRegistry } from './handlers/index.js';
import { runOutcomeOf, type EngineMetrics } from '../http/metrics.js';
import type { EngineLog } from '../log.js';
import { LocalQueueSize } from './local-queue-size.js';
import { ProgressReporter } from './progress-reporter.js';
import type { QueueService } from './queue.service.js';
import { repeat } from './repeat.js';
import { WakeableSleep } from '../loop/wakeable-sleep.js';
import { claimJobs } from './sql/claim-jobs.js';
import { nextState } from './sql/finish-jobs.js';
import { recoverExpiredLeases, releaseJobs, renewLeases, stillOwned } from './sql/leases.js';
import { runHandler, StopReason } from './run-handler.js';

/**
 * - `idle`: created, not started
 * - `claiming`: asking the database for due jobs
 * - `sleeping`: every slot busy, queue paused or nothing due; a notify or the poll interval wakes it
 * - `backingOff`: the database failed; waiting (capped exponential) before trying again
 * - `stopping`: no more claims; running jobs get the grace period
 * - `stopped`
 */
export type RunnerState = 'idle' | 'claiming' | 'sleeping' | 'backingOff' | 'stopping' | 'stopped';

export interface RunnerOptions {
  orm: Orm;
  /** Lease owner written on claimed jobs; unique per process. */
  owner: string;
  /** WORKER_CONCURRENCY: handlers running at once in this process. */
  concurrency: number;
  /** WORKER_POLL_MS: how often to look for due jobs when nothing woke the loop. */
  pollMs: number;
  /** LEASE_MS: a job whose lease is not renewed for this long is taken back by any worker. */
  leaseMs: number;
  /** SHUTDOWN_GRACE_MS: how long stop() lets running jobs finish before returning them to PENDING. */
  graceMs: number;
  tasks: TaskRegistry;
  queue: QueueService;
  /** Every job transition is published here after its commit. */
  events: JobEvents;
  /** Run inside the transaction that writes COMPLETED or a final FAILED. */
  finishHooks: readonly FinishHook[];
  log: EngineLog;
  retryDelayMs?: (attempts: number) => number;
  /** Claim latency and run time for /metrics. */
  metrics?: EngineMetrics;
}

interface Held {
  job: Job;
  controller: AbortController;
  progress: ProgressReporter;
  /** True while the handler runs; false while its end state is being written. */
  active: boolean;
}

/** The worker loop: claims due jobs into free slots, runs their handlers, writes how they ended. */
export class Runner {
  state: RunnerState = 'idle';
  private readonly held = new Map<number, Held>();
  /** Claimed and leased, waiting for a free slot (in claim order). */
  private readonly ready: Held[] = [];
  /** The last claim came back full: more jobs are due than this process asked for. */
  private backlog = false;
  private readonly executions = new Set<Promise<void>>();
  private readonly finisher: Finisher;
  private active = 0;
  /** How many jobs `ready` holds while a backlog exists (graphile-worker's `localQueue`). */
  private readonly prefetchSize: LocalQueueSize;
  private readonly sleeper = new WakeableSleep();
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt = Infinity;
  private paused = { value: false, readAt: 0 };
  private loopDone: Promise<void> = Promise.resolve();
  private stopTimers: (() => void)[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly o: RunnerOptions) {
    this.finisher = new Finisher(o.orm, o.owner, o.finishHooks, o.events, o.log);
    this.prefetchSize = new LocalQueueSize(o.concurrency);
  }

  start(): void {
    if (this.state !== 'idle') return;
    const { leaseMs, pollMs, log } = this.o;
    this.o.queue.onChange((paused) => {
      this.paused = { value: paused, readAt: Date.now() };
      this.notify();
    });
    // Renewing three times per lease survives two missed renewals before a job is taken back.
    this.stopTimers.push(
      repeat(Math.floor(leaseMs / 3), () => this.renew(), log, 'lease renewal'),
      repeat(Math.floor(leaseMs / 3), () => this.recover(), log, 'lease recovery'),
      repeat(pollMs, () => this.checkOwnership(), log, 'lease check'),
    );
    this.loopDone = this.loop();
  }

  /** Wakes the loop now: a job was created or became due in this process, or a slot freed. */
  notify(): void {
    this.sleeper.wake();
  }

  /** Wakes the loop when a job created in this process becomes due, if that is before the next poll. */
  notifyAt(when: Date): void {
    if (this.isStopping()) return;
    const at = when.getTime();
    if (at <= Date.now()) return this.notify();
    if (at >= this.dueAt || at - Date.now() > 24 * 3600_000) return;
    if (this.dueTimer) clearTimeout(this.dueTimer);
    this.dueAt = at;
    this.dueTimer = setTimeout(() => {
      this.dueAt = Infinity;
      this.dueTimer = null;
      this.notify();
    }, at - Date.now());
    this.dueTimer.unref(); // an optimization only: polling finds the job too
  }

  /** Handlers running now in this process. */
  get runningCount(): number {
    return this.active;
  }

  /** Aborts this process's handler of a job (after the job was cancelled in the database). */
  abort(jobId: number, reason: StopReason): void {
    this.held.get(jobId)?.controller.abort(reason);
  }

  /**
   * Graceful shutdown: stop claiming, give running handlers `graceMs` to finish, return the rest to
   * PENDING, wait for the last end states to be written.
   */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    if (this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopping';
    this.notify();
    await this.loopDone;
    this.state = 'stopping';
    if (this.dueTimer) clearTimeout(this.dueTimer);
    await this.releaseReady();

    let graceTimer: NodeJS.Timeout | undefined;
    const grace = new Promise((r) => (graceTimer = setTimeout(r, this.o.graceMs)));
    await Promise.race([Promise.all(this.executions), grace]);
    clearTimeout(graceTimer);

    const unfinished = [...this.held.values()].filter((h) => h.active);
    if (unfinished.length > 0) {
      try {
        const released = await releaseJobs(
          this.o.orm,
          this.o.owner,
          unfinished.map((h) => h.job.id),
          new Date(),
          `the worker shut down before the job finished (grace period ${this.o.graceMs} ms); returned to the queue`,
        );
        for (const job of released) this.publish(job);
        this.o.log.info({ jobs: released.map((j) => j.id) }, 'returned unfinished jobs to PENDING');
      } catch (error) {
        this.o.log.error({ err: error }, 'returning unfinished jobs failed; their leases will expire and another worker takes them');
      }
      for (const h of unfinished) h.controller.abort(StopReason.shutdown());
    }
    // End states still waiting for a retry (the database is failing) are left to lease recovery.
    this.finisher.close();
    await Promise.all(this.executions);
    for (const stopTimer of this.stopTimers) stopTimer();
    this.state = 'stopped';
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.isStopping()) {
      try {
        // A handler slot is free when fewer than `concurrency` handlers run. Claiming the next jobs
        // while the last ones' end states are still being written overlaps the two commits, but at
        // most `concurrency + prefetch` ended jobs may wait for their write: a slow database slows
        // claiming down instead of piling up finished-but-RUNNING jobs (a bound of `concurrency` alone
        // kept claims tiny while one finish batch was being written: c = 10 drained ~650 vs ~1,200 jobs/s).
        this.startReady();
        const c = this.o.concurrency;
        // Without a backlog nothing is claimed ahead: jobs are not held back from other workers when
        // there is no queue to speak of.
        const prefetch = this.backlog ? this.prefetchSize.prefetch : 0;
        // Refill the local queue once it is half empty, not job by job (that would be a claim per job).
        const refill = this.ready.length <= prefetch / 2 ? prefetch - this.ready.length : 0;
        const free = Math.min(c - this.active + refill, 2 * (c + prefetch) - this.held.size);
        if (free > 0 && !(await this.isPaused())) {
          this.state = 'claiming';
          const claimStarted = performance.now();
          const jobs = await claimJobs(this.o.orm, { owner: this.o.owner, limit: free, leaseMs: this.o.leaseMs, now: new Date() });
          this.o.metrics?.observeClaim(performance.now() - claimStarted, jobs.length);
          failures = 0;
          for (const job of jobs) this.ready.push(this.hold(job));
          this.startReady();
          // A full batch means more may be due: claim again at once (or when a slot frees).
          this.backlog = jobs.length === free;
          if (this.backlog) continue;
        }
        failures = 0;
        if (this.isStopping()) break;
        this.state = 'sleeping';
        await this.sleep(this.o.pollMs);
      } catch (error) {
        failures++;
        const waitMs = loopBackoffMs(failures);
        this.o.log.warn({ err: error, failures, waitMs }, 'claiming jobs failed; backing off');
        if (this.isStopping()) break;
        this.state = 'backingOff';
        await this.sleep(waitMs);
      }
    }
  }

  private isStopping(): boolean {
    return this.stopping !== null;
  }

  private sleep(ms: number): Promise<void> {
    return this.sleeper.sleep(ms);
  }

  private async isPaused(): Promise<boolean> {
    // Read at most once per poll interval: pausing from another process takes effect within one poll.
    if (Date.now() - this.paused.readAt >= this.o.pollMs) {
      this.paused = { value: await this.o.queue.isPaused(), readAt: Date.now() };
    }
    return this.paused.value;
  }

  /** A claimed job this process now holds (its lease is renewed from here on), not started yet. */
  private hold(job: Job): Held {
    const { orm, owner, events, log } = this.o;
    const held: Held = {
      job,
      controller: new AbortController(),
      progress: new ProgressReporter(job, orm, owner, events, log),
      active: false,
    };
    this.held.set(job.id, held);
    return held;
  }

  /** Starts waiting jobs while slots are free; one cancelled while it waited is dropped (its state is written). */
  private startReady(): void {
    while (this.active < this.o.concurrency && this.ready.length > 0) {
      const held = this.ready.shift()!;
      if (held.controller.signal.aborted) this.held.delete(held.job.id);
      else this.execute(held);
    }
  }

  /** Shutdown: jobs claimed ahead that never started go back to the queue at once (not an attempt). */
  private async releaseReady(): Promise<void> {
    const waiting = this.ready.splice(0);
    if (waiting.length === 0) return;
    for (const h of waiting) this.held.delete(h.job.id);
    try {
      const released = await releaseJobs(
        this.o.orm,
        this.o.owner,
        waiting.map((h) => h.job.id),
        new Date(),
        'the worker shut down before the job started; returned to the queue',
      );
      for (const job of released) this.publish(job);
    } catch (error) {
      this.o.log.error({ err: error }, 'returning jobs claimed ahead failed; their leases will expire and another worker takes them');
    }
  }

  private execute(held: Held): void {
    const { job } = held;
    const { log } = this.o;
    held.active = true;
    this.active++;
    // Run time counts from here, not from the claim: a job claimed ahead waited in this process first.
    job.startedAt = new Date();
    this.publish(job);
    log.info({ jobId: job.id, taskName: job.taskName, attempt: job.attempts }, 'job started');
    const execution = this.runToEnd(held).finally(() => this.executions.delete(execution));
    this.executions.add(execution);
  }

  private async runToEnd(held: Held): Promise<void> {
    const { job } = held;
    const started = performance.now();
    const outcome = await runHandler(this.o.tasks.handlerFor(job.taskName), job, held.controller, (share) => held.progress.report(share));
    this.prefetchSize.observe(performance.now() - started);
    const endedAt = new Date();
    held.active = false;
    this.active--;
    this.notifyIfMoreWait();
    if (outcome.kind === 'stopped') {
      // Cancelled or taken back: whoever did that wrote the job's state already.
      this.o.log.info({ jobId: job.id, reason: outcome.reason }, 'job handler stopped');
    } else {
      await held.progress.settle();
      const next = nextState({ ...outcome, job, endedAt }, this.o.retryDelayMs ?? retryDelayMs);
      await this.finisher.write(next);
      this.o.metrics?.observeRun(next.runDurationMs ?? 0, runOutcomeOf(next.status));
      this.o.log.info(
        {
          jobId: job.id,
          status: next.status,
          attempt: job.attempts,
          runDurationMs: next.runDurationMs,
          error: next.lastError ?? undefined,
        },
        'job ended',
      );
    }
    this.held.delete(job.id);
    this.notifyIfMoreWait();
  }

  /**
   * A freed slot (or a written end state, which lifts the cap on held jobs) is worth a claim only while
   * more jobs wait: claimed ahead here, or due in the database (the last claim came back full). Other
   * new jobs wake the loop themselves (created in this process) or the next poll finds them. Waking on
   * every end cost two empty claims per job at low rates: 20 statements per job at 100 jobs/s.
   */
  private notifyIfMoreWait(): void {
    if (this.backlog || this.ready.length > 0) this.notify();
  }

  private async renew(): Promise<void> {
    const ids = [...this.held.keys()];
    await renewLeases(this.o.orm, this.o.owner, ids, new Date(Date.now() + this.o.leaseMs));
  }

  /** Stops handlers whose job was cancelled elsewhere or taken back after this worker stalled. */
  private async checkOwnership(): Promise<void> {
    const active = [...this.held.values()].filter((h) => h.active);
    if (active.length === 0) return;
    const owned = await stillOwned(
      this.o.orm,
      this.o.owner,
      active.map((h) => h.job.id),
    );
    for (const h of active) if (h.active && !owned.has(h.job.id)) h.controller.abort(StopReason.lost());
  }

  private async recover(): Promise<void> {
    const recovered = await recoverExpiredLeases(this.o.orm, new Date(), this.o.finishHooks);
    for (const job of recovered) this.publish(job);
    if (recovered.length > 0) {
      this.o.log.warn({ jobs: recovered.map((j) => j.id) }, 'took back jobs whose worker stopped responding');
      this.notify();
    }
  }

  private publish(job: Job): void {
    try {
      this.o.events.updated(copyJob(job));
    } catch (error) {
      this.o.log.error({ err: error, jobId: job.id }, 'publishing a job update failed');
    }
  }
}
