import { hostname } from 'node:os';
import { runHandler, StopReason, type HandlerOutcome } from '@jobs/api/run-handler';
import type { TaskDefinition, TaskHandler, TaskLog } from '@jobs/api/tasks';
import type { Client } from 'graphql-ws';
import {
  AppendJobLogsDocument,
  ClaimJobsDocument,
  CompleteAndClaimJobsDocument,
  CompleteJobsDocument,
  FailJobDocument,
  LeaseEventsDocument,
  RegisterWorkerDocument,
  RenewJobLeasesDocument,
  ReportJobProgressDocument,
  type ClaimJobsMutation,
  type JobLogLevel,
} from './generated/graphql.js';
import { GraphQLRequestError, request, type Endpoint } from './graphql.js';
import { CompletionBatches, MAX_PER_REQUEST, type Waiting } from './completions.js';
import { subscribe, subscriptions } from './jobs-client.js';

export interface WorkerOptions extends Endpoint {
  /** Task modules, as in-process ones are written (`defineTask` from `@jobs/api/tasks`). */
  tasks: readonly TaskDefinition<never>[];
  /** Jobs run at once. @default 4 */
  concurrency?: number;
  /** Shown on the workers page. @default `<host> (pid <pid>)` */
  name?: string;
  /** Queues to claim from. @default the queues of its tasks' defaults */
  queues?: string[];
  /** The lease each claim asks for; renewed every third of it. @default the server's LEASE_MS */
  leaseMs?: number;
  /** How long a claim waits on the server for a job before asking again. @default 30_000 */
  waitMs?: number;
  /** After SIGTERM (or `stop()`), how long running jobs may finish before they are handed back. @default 30_000 */
  graceMs?: number;
  /** Stop on SIGTERM and SIGINT. @default true */
  handleSignals?: boolean;
  /** Where the worker reports trouble. @default console.warn */
  warn?: (message: string, error?: unknown) => void;
}

type Lease = ClaimJobsMutation['claimJobs'][number];

interface Running {
  lease: Lease;
  controller: AbortController;
  done: Promise<void>;
}

const LOG_FLUSH_MS = 50;
const PROGRESS_FLUSH_MS = 100;
const MAX_BACKOFF_MS = 5000;
const CLAIM_GATHER_MS = 5;

/**
 * Runs jobs of its tasks in this process against a scheduler server: registers, claims over a long
 * poll (no polling while idle), renews its leases, hears cancellations at once on `leaseEvents`
 * (AbortSignal), reports progress and logs, finishes each job, and drains on SIGTERM. Network
 * trouble backs off and retries; a server that forgot it gets a new registration.
 */
export class Worker {
  private readonly tasks = new Map<string, TaskDefinition<never>>();
  private readonly running = new Map<string, Running>();
  private readonly concurrency: number;
  private workerId: string | null = null;
  private stopping = false;
  private readonly claimAbort = new AbortController();
  private ws: Client | null = null;
  private wake: (() => void) | null = null;
  private stopped: Promise<void> | null = null;
  private registered!: (id: string) => void;
  private readonly completions = new CompletionBatches(async (completions) => {
    const { completeJobs } = await request(this.options, CompleteJobsDocument, { completions });
    return completeJobs;
  });
  /** Completions that ride with the next claim; while a long poll waits they are sent on their own. */
  private finished: Waiting[] = [];
  private longPolling = false;
  /** Resolves with the worker's id once the server registered it (its tasks are known there from then on). */
  readonly ready = new Promise<string>((resolve) => (this.registered = resolve));

  constructor(private readonly options: WorkerOptions) {
    for (const task of options.tasks) this.tasks.set(task.name, task);
    this.concurrency = options.concurrency ?? 4;
  }

  /** The id the server gave it (after `run()` registered). */
  get id(): string | null {
    return this.workerId;
  }

  /** Runs until `stop()` or SIGTERM; resolves once every running job finished or was handed back. */
  async run(): Promise<void> {
    const onSignal = () => void this.stop();
    if (this.options.handleSignals !== false) {
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    const renewTimer = setInterval(() => void this.renew(), Math.max(100, Math.floor((this.options.leaseMs ?? 30_000) / 3)));
    try {
      let backoffMs = 100;
      while (!this.stopping) {
        try {
          if (!this.workerId) await this.register();
          if (this.running.size - this.finished.length >= this.concurrency) {
            await new Promise<void>((resolve) => (this.wake = resolve));
            // A few more slots free meanwhile: one claim carries them all instead of one claim per slot.
            await sleep(CLAIM_GATHER_MS);
            continue;
          }
          await this.claim();
          backoffMs = 100;
        } catch (error) {
          if (this.stopping) break;
          if (error instanceof GraphQLRequestError && error.code === 'NOT_FOUND') this.workerId = null;
          else this.warn(`claiming failed; retrying in ${backoffMs} ms`, error);
          await sleep(backoffMs * (0.5 + Math.random() / 2));
          backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
        }
      }
      // Completions that were waiting for a claim go on their own now.
      for (const w of this.finished.splice(0)) this.completions.complete(w.completion.token, w.completion.result).then(w.resolve, w.reject);
      await this.drain();
    } finally {
      clearInterval(renewTimer);
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await this.ws?.dispose();
    }
  }

  /** Stops claiming; running jobs get `graceMs` to finish. */
  stop(): Promise<void> {
    this.stopping = true;
    this.claimAbort.abort();
    this.wake?.();
    return (this.stopped ??= new Promise((resolve) => {
      const check = setInterval(() => {
        if (this.running.size === 0) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    }));
  }

  private async register(): Promise<void> {
    const { options } = this;
    const { registerWorker } = await request(options, RegisterWorkerDocument, {
      input: {
        name: options.name ?? `${hostname()} (pid ${process.pid})`,
        host: hostname(),
        concurrency: this.concurrency,
        queues: options.queues ?? null,
        tasks: [...this.tasks.values()].map((t) => ({
          name: t.name,
          description: t.description ?? null,
          payloadSchema: t.payload ?? null,
          defaults: t.defaults ?? null,
        })),
      },
    });
    this.workerId = registerWorker;
    this.registered(registerWorker);
    // Cancellations arrive here the moment they happen; renewals report them too, as a fallback.
    this.ws ??= subscriptions(options);
    subscribe(this.ws, LeaseEventsDocument, { workerId: registerWorker }, ({ leaseEvents }) => {
      const run = this.running.get(leaseEvents.token);
      if (run) run.controller.abort(leaseEvents.status === 'CANCEL_REQUESTED' ? StopReason.cancelled() : StopReason.lost());
    });
  }

  /**
   * Claims for the free slots. Jobs that finished since the last claim are completed in the same request,
   * and their slots claimed again there without waiting (one round trip per round of a busy drain); with
   * none, the claim waits on the server for work (the long poll).
   */
  private async claim(): Promise<void> {
    const batch = this.finished.splice(0, MAX_PER_REQUEST);
    // The finished jobs still hold their slots here until their completions are answered.
    const limit = this.concurrency - this.running.size + batch.length;
    const leaseMs = this.options.leaseMs ?? null;
    try {
      if (batch.length === 0) {
        this.longPolling = true;
        const { claimJobs } = await request(
          this.options,
          ClaimJobsDocument,
          { workerId: this.workerId!, limit, leaseMs, waitMs: this.options.waitMs ?? 30_000 },
          this.claimAbort.signal,
        );
        for (const lease of claimJobs) this.start(lease);
        return;
      }
      let answer;
      try {
        answer = await request(this.options, CompleteAndClaimJobsDocument, {
          completions: batch.map((w) => w.completion),
          workerId: this.workerId!,
          limit,
          leaseMs,
        });
      } catch (error) {
        for (const w of batch) w.reject(error);
        throw error;
      }
      batch.forEach((w, i) => w.resolve(answer.completeJobs[i]?.error ?? null));
      for (const lease of answer.claimJobs) this.start(lease);
    } finally {
      this.longPolling = false;
    }
  }

  /** A completed job's result: with the next claim, or in a completeJobs request of its own while a long poll waits. */
  private complete(token: string, result: unknown): Promise<string | null> {
    if (this.longPolling || this.stopping) return this.completions.complete(token, result);
    return new Promise((resolve, reject) => {
      this.finished.push({ completion: { token, result }, resolve, reject });
      this.wake?.();
      this.wake = null;
    });
  }

  private start(lease: Lease): void {
    const controller = new AbortController();
    const run: Running = { lease, controller, done: Promise.resolve() };
    this.running.set(lease.token, run);
    run.done = this.execute(run).finally(() => {
      this.running.delete(lease.token);
      this.wake?.();
      this.wake = null;
    });
  }

  private async execute(run: Running): Promise<void> {
    const { lease, controller } = run;
    const task = this.tasks.get(lease.job.taskName);
    const job = {
      ...lease.job,
      id: Number(lease.job.id),
      runAt: new Date(lease.job.runAt),
      createdAt: new Date(lease.job.createdAt),
      updatedAt: new Date(lease.job.updatedAt),
      startedAt: lease.job.startedAt ? new Date(lease.job.startedAt) : null,
    };
    const logs = this.logSender(lease.token);
    const progress = this.progressSender(lease.token);
    const outcome: HandlerOutcome = task
      ? await runHandler(task.handler as TaskHandler, job as never, controller, {
          progress: progress.report,
          log: logs.log,
          attempt: lease.job.attempts,
          worker: this.workerId ?? 'remote',
        })
      : { kind: 'failed', error: `task "${lease.job.taskName}" is not in this worker`, stack: null, retryable: false };
    await Promise.all([logs.flush(), progress.flush()]);
    try {
      // A stale lease (cancelled or taken back meanwhile) answers why; the server kept its state, as for CONFLICT below.
      if (outcome.kind === 'completed') await this.complete(lease.token, outcome.result);
      else if (outcome.kind === 'failed') {
        await request(this.options, FailJobDocument, {
          token: lease.token,
          error: { message: outcome.error, stack: outcome.stack },
          retry: outcome.retryable,
        });
      } else if (outcome.kind === 'snoozed') {
        await request(this.options, FailJobDocument, { token: lease.token, error: { message: 'snoozed' }, snoozeMs: outcome.ms });
      } else if (controller.signal.reason instanceof StopReason && controller.signal.reason.kind === 'shutdown') {
        // Handed back due now, without counting the attempt, as a local worker's shutdown does.
        await request(this.options, FailJobDocument, {
          token: lease.token,
          error: { message: 'the worker shut down before the job finished' },
          snoozeMs: 0,
        });
      }
    } catch (error) {
      // CONFLICT: cancelled or taken back meanwhile, and the server kept its state; anything else: the lease expires and the job runs again.
      if (!(error instanceof GraphQLRequestError && error.code === 'CONFLICT')) this.warn(`finishing job ${lease.job.id} failed`, error);
    }
  }

  private async renew(): Promise<void> {
    const tokens = [...this.running.keys()];
    if (tokens.length === 0) return;
    try {
      const { renewJobLeases } = await request(this.options, RenewJobLeasesDocument, { tokens });
      for (const status of renewJobLeases) {
        if (status.status === 'OK') continue;
        this.running.get(status.token)?.controller.abort(status.status === 'CANCEL_REQUESTED' ? StopReason.cancelled() : StopReason.lost());
      }
    } catch (error) {
      this.warn('renewing leases failed; retrying at the next renewal', error);
    }
  }

  private async drain(): Promise<void> {
    const graceMs = this.options.graceMs ?? 30_000;
    const all = Promise.all([...this.running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
    if ((await Promise.race([all, late])) === 'late') for (const r of this.running.values()) r.controller.abort(StopReason.shutdown());
    clearTimeout(timer);
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  /** ctx.log: lines are sent in batches, at most every LOG_FLUSH_MS. */
  private logSender(token: string) {
    let lines: { level: JobLogLevel; message: string; data: unknown }[] = [];
    let timer: NodeJS.Timeout | null = null;
    let sending: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (lines.length === 0) return sending;
      const batch = lines;
      lines = [];
      sending = sending.then(() =>
        request(this.options, AppendJobLogsDocument, { token, lines: batch }).then(
          () => {},
          (e: unknown) => this.warn('sending log lines failed', e),
        ),
      );
      return sending;
    };
    const at = (level: JobLogLevel) => (message: string, data?: unknown) => {
      lines.push({ level, message: String(message), data: data ?? null });
      timer ??= setTimeout(() => void flush(), LOG_FLUSH_MS);
    };
    const log: TaskLog = Object.assign(at('INFO'), { debug: at('DEBUG'), info: at('INFO'), warn: at('WARN'), error: at('ERROR') });
    return { log, flush };
  }

  /** ctx.progress: only the latest share is sent, at most every PROGRESS_FLUSH_MS. */
  private progressSender(token: string) {
    let latest: number | null = null;
    let timer: NodeJS.Timeout | null = null;
    let sending: Promise<void> = Promise.resolve();
    const flush = (): Promise<void> => {
      if (timer) clearTimeout(timer);
      timer = null;
      if (latest === null) return sending;
      const progress = latest;
      latest = null;
      sending = sending.then(() =>
        request(this.options, ReportJobProgressDocument, { token, progress }).then(
          () => {},
          () => {},
        ),
      );
      return sending;
    };
    const report = (share: number) => {
      if (typeof share !== 'number' || !(share >= 0 && share <= 1)) return;
      latest = share;
      timer ??= setTimeout(() => void flush(), PROGRESS_FLUSH_MS);
    };
    return { report, flush };
  }

  private warn(message: string, error?: unknown): void {
    (this.options.warn ?? ((m, e) => console.warn(`[worker] ${m}`, e instanceof Error ? e.message : (e ?? ''))))(message, error);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
