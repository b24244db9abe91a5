import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Config } from '../config.js';
import type { Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import { JobStatus } from '../jobs/job.enums.js';
import type { JobEvents } from '../jobs/job.events.js';
import type { FinishHook } from './finish-hooks.js';
import type { CancelHook } from '../jobs/cancel-hooks.js';
import { TaskCatalog } from '../tasks/catalog.js';
import type { TaskDefinition } from '../tasks/task.js';
import type { Log } from '../log.js';
import type { EngineMetrics } from './metrics.js';
import { QueueService } from '../queues/queue.service.js';
import { StopReason } from './run-handler.js';
import { Runner, type RunnerOptions } from './runner.js';
import { cancelRunningJob } from './sql/cancel-running.js';

export interface EngineOptions {
  orm: Orm;
  config: Pick<
    Config,
    | 'ROLE'
    | 'WORKER_CONCURRENCY'
    | 'WORKER_POLL_MS'
    | 'WORKER_QUEUES'
    | 'LEASE_MS'
    | 'SHUTDOWN_GRACE_MS'
    | 'SIMULATE_JOB_FAILURE'
    | 'allowList'
    | 'NODE_ENV'
    | 'SIMULATE_UNKNOWN_TASKS'
  >;
  /** Where job transitions are published (live updates). */
  events: JobEvents;
  /** Run inside the transaction that writes COMPLETED or a final FAILED; filled by other domains (webhook outbox). */
  finishHooks: readonly FinishHook[];
  /** Run inside the transaction that cancels a RUNNING job (the webhook outbox's `job.cancelled`). */
  cancelHooks?: readonly CancelHook[];
  log: Log;
  /** The tasks this process runs (built-ins and TASKS_DIR modules); default: the built-ins only. */
  catalog?: TaskCatalog;
  /** Where handlers' `ctx.log` lines go; default: nowhere. */
  logs?: RunnerOptions['logs'];
  /** Tasks added to the catalog by name (tests, benchmarks, embedding). */
  tasks?: Record<string, Omit<TaskDefinition, 'name'>>;
  /** Claim latency and run time for /metrics. */
  metrics?: EngineMetrics;
  onLeasesTaken?: RunnerOptions['onLeasesTaken'];
}

/** The built-in tasks, with unknown names simulated outside production (or with SIMULATE_UNKNOWN_TASKS=true). */
export function catalogFor(
  config: Pick<Config, 'SIMULATE_JOB_FAILURE' | 'allowList' | 'NODE_ENV' | 'SIMULATE_UNKNOWN_TASKS'>,
): TaskCatalog {
  return new TaskCatalog({
    allowed: config.allowList,
    simulateFailureShare: config.SIMULATE_JOB_FAILURE,
    simulateUnknown: config.NODE_ENV !== 'production' || config.SIMULATE_UNKNOWN_TASKS,
  });
}

/** A lease owner that tells operators which process holds a job. */
function workerId(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

/**
 * The job engine of one process: the runner (ROLE=all and ROLE=worker; with ROLE=api it does not
 * run, and jobs are run by worker processes on the same database), plus what the
 * API needs from it in every role: task payload checks, pause/resume, cancelling running jobs.
 */
export class Engine {
  readonly owner = workerId();
  readonly tasks: TaskCatalog;
  readonly queue: QueueService;
  readonly runner: Runner | null;
  /** Give these to JobsService: they publish, and wake this process's runner when a job is due. */
  readonly events: JobEvents;

  constructor(private readonly options: EngineOptions) {
    const { config, orm, log } = options;
    this.tasks = options.catalog ?? catalogFor(config);
    for (const [name, task] of Object.entries(options.tasks ?? {})) this.tasks.add({ ...task, name }, 'BUILT_IN', `embedded task ${name}`);
    this.queue = new QueueService(orm, config.WORKER_CONCURRENCY);
    this.events = this.wakingEvents(options.events);
    const works = config.ROLE !== 'api';
    this.runner = works
      ? new Runner({
          orm,
          owner: this.owner,
          concurrency: config.WORKER_CONCURRENCY,
          pollMs: config.WORKER_POLL_MS,
          leaseMs: config.LEASE_MS,
          graceMs: config.SHUTDOWN_GRACE_MS,
          tasks: this.tasks,
          queue: this.queue,
          queues: config.WORKER_QUEUES.length > 0 ? config.WORKER_QUEUES : null,
          events: this.events,
          finishHooks: options.finishHooks,
          log,
          metrics: options.metrics,
          logs: options.logs,
          onLeasesTaken: options.onLeasesTaken,
        })
      : null;
  }

  start(): void {
    this.runner?.start();
  }

  /** Graceful: the runner stops claiming and lets running jobs finish within the grace period. */
  async stop(): Promise<void> {
    await this.runner?.stop();
  }

  /**
   * RUNNING → CANCELLED, then the handler is aborted: at once when it runs in this process, at the
   * owning worker's next lease check (WORKER_POLL_MS) otherwise. Null when the job was no longer RUNNING.
   */
  async cancelRunning(job: Job): Promise<Job | null> {
    const cancelled = await cancelRunningJob(this.options.orm, job, new Date(), this.options.cancelHooks);
    if (!cancelled) return null;
    this.runner?.abort(job.id, StopReason.cancelled());
    this.events.updated(cancelled);
    return cancelled;
  }

  private wakingEvents(inner: JobEvents): JobEvents {
    const due = (job: Job) => {
      if (job.status === JobStatus.PENDING) this.runner?.notifyAt(job.runAt, job.queue);
    };
    return {
      created: (jobs) => {
        inner.created(jobs);
        for (const job of jobs) due(job);
      },
      updated: (job) => {
        inner.updated(job);
        due(job);
      },
    };
  }
}
