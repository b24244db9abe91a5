import type { Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import { copyJob } from '../jobs/job-record.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { Log } from '../log.js';
import { every, PollLoop, type LoopState } from '../loop/poll-loop.js';
import type { FinishHook } from './finish-hooks.js';
import { Finisher } from './finisher.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import type { TaskLog } from '../tasks/task.js';
import { LocalQueueSize } from './local-queue-size.js';
import { runLabelOf, type EngineMetrics } from './metrics.js';
import { ProgressWriter } from './progress.js';
import type { QueueService } from '../queues/queue.service.js';
import { ClaimPlan } from './claim-plan.js';
import { isLimited } from '../queues/queue-state.sql.js';
import { QueueDirectory } from './queue-directory.js';
import { ReadyQueue } from './ready-queue.js';
import { backoffDelayMs, failureOf, nextState } from './retry.js';
import { runHandler, StopReason, type HandlerOutcome } from './run-handler.js';
import { claimJobs, claimLimited, queuesWithDueJobs } from './sql/claim-jobs.js';
import { recoverExpiredLeases, releaseJobs, renewLeases, stillOwned, type RecoveredLease } from './sql/leases.js';

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
  tasks: TaskCatalog;
  queue: QueueService;
  /** WORKER_QUEUES: the queues this worker claims from; null: every queue. */
  queues: readonly string[] | null;
  /** Every job transition is published here after its commit. */
  events: JobEvents;
  /** Run inside the transaction that writes COMPLETED or a final FAILED. */
  finishHooks: readonly FinishHook[];
  log: Log;
  retryDelayMs?: (attempts: number) => number;
  /** Claim latency and run time for /metrics. */
  metrics?: EngineMetrics;
  /** Where `ctx.log` lines go (stored with the job, published live); default: nowhere. */
  logs?: { forRun(job: Job): TaskLog };
  /** After commit: leases this process took back from stalled workers, with the owner each was taken from. */
  onLeasesTaken?: (taken: readonly RecoveredLease[]) => void;
}

const silent = () => {};
const SILENT_TASK_LOG: TaskLog = Object.assign(silent, { debug: silent, info: silent, warn: silent, error: silent });

interface Held {
  job: Job;
  controller: AbortController;
  /** True while the handler runs; false while its end state is being written. */
  active: boolean;
  /** A rate-limited admission: the handler must start by then (ms), else the job goes back unstarted. */
  startBy?: number;
}

/**
 * How much later than its admission a rate-limited job's handler may start. The claim books the
 * admission; the handler starts a few milliseconds later, after the commit. Windows are widened by
 * this margin so starts (what `startedAt` shows) stay within the limit in every window.
 */
export const RATE_START_GUARD_MS = 50;

/** How often, during a backlog, queues with nothing held here are checked for due jobs. */
const QUIET_PROBE_MS = 10;

/** The worker loop: claims due jobs into free slots, runs their handlers, writes how they ended. */
export class Runner {
  private readonly held = new Map<number, Held>();
  /** Claimed and leased, waiting for a free slot (per queue in claim order); not started, so no attempt yet. */
  private readonly ready = new ReadyQueue<Held>();
  private readonly directory: QueueDirectory;
  private readonly plan = new ClaimPlan();
  /** A limited queue had due jobs but no slot was free: an end here should claim again. */
  private limitedWaiting = false;
  private probing = false;
  /** The last claim came back full: more jobs are due than this process asked for. */
  private backlog = false;
  private readonly claims: PollLoop;
  private readonly finisher: Finisher;
  private readonly progress: ProgressWriter;
  private active = 0;
  /** How many jobs `ready` holds while a backlog exists (graphile-worker's `localQueue`). */
  private readonly prefetchSize: LocalQueueSize;
  private dueTimer: NodeJS.Timeout | null = null;
  private dueAt = Infinity;
  private stopTimers: (() => Promise<void>)[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: RunnerOptions) {
    const { orm, owner, finishHooks, events, log, concurrency } = options;
    this.finisher = new Finisher(orm, owner, finishHooks, events, log);
    this.progress = new ProgressWriter(orm, owner, events, log);
    this.prefetchSize = new LocalQueueSize(concurrency);
    this.directory = new QueueDirectory(orm, options.queues, options.pollMs);
    this.claims = new PollLoop({ name: 'claiming jobs', log, step: () => this.claimStep() });
  }

  get state(): LoopState {
    return this.claims.state;
  }

  start(): void {
    if (this.claims.state !== 'idle') return;
    const { leaseMs, pollMs, log } = this.options;
    // A pause or a limit changed in this process applies at once; from another process within one poll.
    this.options.queue.onChange(() => {
      this.directory.invalidate();
      this.notify();
    });
    // Renewing three times per lease survives two missed renewals before a job is taken back.
    this.stopTimers.push(
      every(Math.floor(leaseMs / 3), 'lease renewal', log, () => this.renew()),
      every(Math.floor(leaseMs / 3), 'lease recovery', log, () => this.recover()),
      every(pollMs, 'lease check', log, () => this.checkOwnership()),
      every(QUIET_PROBE_MS, 'quiet queue probe', log, () => this.probeQuietQueues()),
    );
    this.claims.start();
  }

  /** Wakes the loop now: a job was created or became due in this process, or a slot freed. */
  notify(): void {
    this.claims.wake();
  }

  /** Wakes the loop when a job created in this process becomes due, if that is before the next poll. */
  notifyAt(when: Date, queue?: string): void {
    if (this.stopping) return;
    if (queue !== undefined && !this.directory.serves(queue)) return;
    // A queue this worker has not seen yet: read the settings again rather than wait for the next poll.
    if (queue !== undefined && !this.directory.settingsOf(queue)) this.directory.invalidate();
    const at = when.getTime();
    if (at <= Date.now()) {
      if (queue !== undefined) this.plan.wake(queue);
      return this.notify();
    }
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
   * Graceful shutdown: stop claiming, return jobs claimed ahead, give running handlers `graceMs` to
   * finish, return the rest to PENDING, wait for the last end states to be written.
   */
  stop(): Promise<void> {
    return (this.stopping ??= this.shutdown());
  }

  private async shutdown(): Promise<void> {
    if (this.claims.state === 'idle') {
      await this.claims.stop();
      return;
    }
    const { graceMs, orm, owner, log } = this.options;
    await this.claims.halt();
    if (this.dueTimer) clearTimeout(this.dueTimer);
    await this.releaseReady();
    await this.claims.settle(graceMs);

    const unfinished = [...this.held.values()].filter((h) => h.active);
    if (unfinished.length > 0) {
      try {
        const released = await releaseJobs(
          orm,
          owner,
          unfinished.map((h) => h.job.id),
          new Date(),
          `the worker shut down before the job finished (grace period ${graceMs} ms); returned to the queue`,
        );
        for (const job of released) this.publish(job);
        log.info({ jobs: released.map((j) => j.id) }, 'returned unfinished jobs to PENDING');
      } catch (error) {
        log.error({ err: error }, 'returning unfinished jobs failed; their leases will expire and another worker takes them');
      }
      for (const h of unfinished) h.controller.abort(StopReason.shutdown());
    }
    // Writes still waiting for the database are left to lease recovery.
    await Promise.all([this.finisher.close(), this.progress.close()]);
    await this.claims.stop(Number.POSITIVE_INFINITY);
    await Promise.all(this.stopTimers.map((stop) => stop()));
  }

  /** One round: start what waits, claim into free slots; at once again while a backlog exists. */
  private async claimStep(): Promise<number> {
    const { concurrency, owner, leaseMs, pollMs, metrics, orm } = this.options;
    if (this.claims.stopping) return pollMs;
    // Without a backlog nothing is claimed ahead: jobs are not held back from other workers when
    // there is no queue to speak of.
    const prefetch = this.backlog ? this.prefetchSize.prefetch : 0;
    // A handler slot is free when fewer than `concurrency` handlers run. Claiming the next jobs while
    // the last ones' end states are still being written overlaps the two commits, but at most
    // `2 × (concurrency + prefetch)` jobs are held: a slow database slows claiming down instead of
    // piling up finished-but-RUNNING jobs.
    const cap = 2 * (concurrency + prefetch);
    const claimStarted = performance.now();
    let claimed = 0;
    let more = false;

    // Limited queues are never claimed ahead (a job held here would hold a slot of the limit idle):
    // they take handler slots free now, before the jobs claimed ahead do, which would otherwise take
    // every slot that frees while another queue has a backlog.
    const startable = Math.max(0, Math.min(concurrency - this.active, cap - this.held.size));
    // Settings are read again once per poll interval; each read starts a sweep that asks every queue.
    if (await this.directory.refresh()) this.plan.sweep();
    const eligible = this.directory.eligible();
    const round = this.plan.limitedRound(eligible, startable, Date.now());
    // Limited queues had due jobs but no slot was free: the next end here should claim again.
    this.limitedWaiting = round.starved;
    for (const share of round.limited) {
      const claim = await claimLimited(orm, { owner, leaseMs, queue: share.queue, limit: share.limit, startGuardMs: RATE_START_GUARD_MS });
      this.plan.claimedLimited(share, claim);
      const startBy = claim.settings?.rateLimit ? claim.admittedAt.getTime() + RATE_START_GUARD_MS : undefined;
      for (const job of claim.jobs) this.ready.pushFirst(this.hold(job, startBy));
      claimed += claim.jobs.length;
      more ||= claim.jobs.length === share.limit && claim.limitedBy === null;
    }
    this.startReady();

    // Refill the local queue once it is half empty, not job by job (that would be a claim per job).
    const refill = this.ready.length <= prefetch / 2 ? prefetch - this.ready.length : 0;
    const free = Math.min(concurrency - this.active + refill, cap - this.held.size);
    const shares = this.plan.openRound(eligible, free);
    if (shares.length > 0) {
      const jobs = await claimJobs(orm, { owner, leaseMs, now: new Date(), shares });
      for (const job of jobs) this.ready.push(this.hold(job));
      const perQueue = new Map<string, number>();
      if (shares.length === 1) perQueue.set(shares[0].queue, jobs.length);
      else for (const job of jobs) perQueue.set(job.queue, (perQueue.get(job.queue) ?? 0) + 1);
      // A full share means more may be due there: claim again at once (or when a slot frees). Only
      // a round that asked says whether the backlog is over; with no slot free it stays as it was.
      let full = false;
      for (const share of shares) {
        const got = perQueue.get(share.queue) ?? 0;
        this.plan.claimed(share, got);
        full ||= got === share.limit;
      }
      this.backlog = full;
      more ||= full;
      claimed += jobs.length;
    }
    metrics?.observeClaim(performance.now() - claimStarted, claimed);
    this.startReady();
    const unblock = this.plan.nextUnblock();
    if (unblock !== null) this.notifyAt(new Date(unblock));
    return more ? 0 : pollMs;
  }

  /**
   * While one queue's backlog keeps this worker busy, every few milliseconds: do the queues that ran
   * dry have a due job? One non-locking read answers for all of them; only a queue that has one
   * is claimed from (a job each). A job due in a quiet queue then starts within milliseconds instead
   * of waiting for the backlog's next claim round, whose claim and end-state writes take far longer.
   */
  private async probeQuietQueues(): Promise<void> {
    if (!this.backlog || this.claims.stopping || this.probing) return;
    // The queues whose last claim came back short: the backlog's own queue keeps coming back full.
    const quiet = this.directory
      .eligible()
      .filter((q) => !isLimited(q) && this.plan.isDry(q.name))
      .map((q) => q.name);
    if (quiet.length === 0) return;
    this.probing = true;
    try {
      const { orm, owner, leaseMs } = this.options;
      const due = await queuesWithDueJobs(orm, quiet, new Date());
      if (due.length === 0) return;
      const jobs = await claimJobs(orm, { owner, leaseMs, now: new Date(), shares: due.map((queue) => ({ queue, limit: 1 })) });
      for (const job of jobs) this.ready.push(this.hold(job));
      for (const queue of due) this.plan.wake(queue);
      this.startReady();
    } finally {
      this.probing = false;
    }
  }

  /** A claimed job this process now holds (its lease is renewed from here on), not started yet. */
  private hold(job: Job, startBy?: number): Held {
    const held: Held = { job, controller: new AbortController(), active: false, startBy };
    this.held.set(job.id, held);
    return held;
  }

  /** Starts waiting jobs while slots are free; one cancelled while it waited is dropped (its state is written). */
  private startReady(): void {
    while (this.active < this.options.concurrency && this.ready.length > 0 && !this.stopping) {
      const held = this.ready.shift()!;
      if (held.controller.signal.aborted) this.held.delete(held.job.id);
      else if (held.startBy !== undefined && Date.now() > held.startBy) this.returnLate(held);
      else this.execute(held);
    }
  }

  /** Shutdown: jobs claimed ahead that never started go back to the queue at once (not an attempt). */
  private async releaseReady(): Promise<void> {
    const waiting = this.ready.drain();
    if (waiting.length === 0) return;
    for (const h of waiting) this.held.delete(h.job.id);
    try {
      const released = await releaseJobs(
        this.options.orm,
        this.options.owner,
        waiting.map((h) => h.job.id),
        new Date(),
        'the worker shut down before the job started; returned to the queue',
      );
      for (const job of released) this.publish(job);
    } catch (error) {
      this.options.log.error({ err: error }, 'returning jobs claimed ahead failed; their leases will expire and another worker takes them');
    }
  }

  /** A rate-limited job that could not start within its admission's margin goes back unstarted (no attempt). */
  private returnLate(held: Held): void {
    this.held.delete(held.job.id);
    this.options.log.info(
      { jobId: held.job.id, queue: held.job.queue },
      `returned to the queue: not started within ${RATE_START_GUARD_MS} ms of its rate-limit admission`,
    );
    const release = releaseJobs(this.options.orm, this.options.owner, [held.job.id], new Date(), null).then(
      (released) => {
        for (const job of released) this.publish(job);
        this.plan.slotFreed(held.job.queue);
        this.notify();
      },
      (error) => this.options.log.error({ err: error, jobId: held.job.id }, 'returning a late job failed; its lease will expire'),
    );
    void this.claims.track(release);
  }

  private execute(held: Held): void {
    const { job } = held;
    held.active = true;
    this.active++;
    // The attempt and the run time count from here, not from the claim: a job claimed ahead waited
    // in this process first, and one whose worker dies before this point costs no attempt.
    job.attempts++;
    job.startedAt = new Date();
    this.options.metrics?.observeWait(job.queue, Math.max(0, job.startedAt.getTime() - job.runAt.getTime()));
    this.finisher.started(job);
    this.publish(job);
    this.options.log.info({ jobId: job.id, taskName: job.taskName, attempt: job.attempts }, 'job started');
    void this.claims.track(this.runToEnd(held));
  }

  private async runToEnd(held: Held): Promise<void> {
    const { job } = held;
    const started = performance.now();
    const { tasks, owner } = this.options;
    const handler = tasks.handlerFor(job.taskName, job.simulated);
    const outcome: HandlerOutcome = handler
      ? await runHandler(handler, job, held.controller, {
          progress: (share) => this.progress.report(job, share),
          log: this.options.logs?.forRun(job) ?? SILENT_TASK_LOG,
          attempt: job.attempts,
          worker: owner,
        })
      : // Removed or renamed since the job was made: retrying on this worker cannot help.
        {
          kind: 'failed',
          error: `task "${job.taskName}" is not known to worker ${owner} (it knows ${tasks.localNames().join(', ')})`,
          stack: null,
          retryable: false,
        };
    this.prefetchSize.observe(performance.now() - started);
    const endedAt = new Date();
    held.active = false;
    this.active--;
    this.notifyIfMoreWait();
    if (outcome.kind === 'stopped') {
      // Cancelled or taken back: whoever did that wrote the job's state already.
      this.options.log.info({ jobId: job.id, reason: outcome.reason }, 'job handler stopped');
    } else {
      await this.progress.settle(job);
      const delay = this.options.retryDelayMs ?? ((attempts: number) => backoffDelayMs(tasks.backoffOf(job.taskName), attempts));
      const next = nextState({ ...outcome, job, endedAt }, delay);
      await this.finisher.ended(next, failureOf(job, next, outcome.kind === 'failed' ? outcome.stack : null, owner));
      this.options.metrics?.observeRun(next.runDurationMs ?? 0, runLabelOf(next.status));
      this.options.log.info(
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
    // A slot of a limited queue freed here: that queue may be claimed from again.
    if (this.plan.slotFreed(job.queue) || this.limitedWaiting) this.notify();
    else this.notifyIfMoreWait();
  }

  /**
   * A freed slot (or a written end state, which lifts the cap on held jobs) is worth a claim only while
   * more jobs wait: claimed ahead here, or due in the database (the last claim came back full). Other
   * new jobs wake the loop themselves (created in this process) or the next poll finds them; waking
   * on every end would cost empty claims at low rates.
   */
  private notifyIfMoreWait(): void {
    if (this.backlog || this.ready.length > 0) this.notify();
  }

  private async renew(): Promise<void> {
    const ids = [...this.held.keys()];
    await renewLeases(this.options.orm, this.options.owner, ids, new Date(Date.now() + this.options.leaseMs));
  }

  /** Stops handlers whose job was cancelled elsewhere or taken back after this worker stalled. */
  private async checkOwnership(): Promise<void> {
    const active = [...this.held.values()].filter((h) => h.active);
    if (active.length === 0) return;
    const owned = await stillOwned(
      this.options.orm,
      this.options.owner,
      active.map((h) => h.job.id),
    );
    for (const h of active) if (h.active && !owned.has(h.job.id)) h.controller.abort(StopReason.lost());
  }

  private async recover(): Promise<void> {
    const taken = await recoverExpiredLeases(this.options.orm, new Date(), this.options.finishHooks);
    const recovered = taken.map((r) => r.job);
    for (const job of recovered) this.publish(job);
    if (taken.length > 0) this.options.onLeasesTaken?.(taken);
    if (recovered.length > 0) {
      this.options.log.warn({ jobs: recovered.map((j) => j.id) }, 'took back jobs whose worker stopped responding');
      // Their queues have due jobs again, and limited ones have their slots back.
      for (const job of recovered) this.plan.wake(job.queue);
      this.notify();
    }
  }

  private publish(job: Job): void {
    try {
      this.options.events.updated(copyJob(job));
    } catch (error) {
      this.options.log.error({ err: error, jobId: job.id }, 'publishing a job update failed');
    }
  }
}
