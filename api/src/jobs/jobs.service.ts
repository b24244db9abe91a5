import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Em, Orm } from '../db/orm.js';
import { ConflictError, NotFoundError } from '../graphql/errors.js';
import { WebhookLog } from '../webhooks/webhook-log.entity.js';
import { Job } from './job.entity.js';
import { JobError } from './job-error.entity.js';
import { JobLogLine } from './job-log.entity.js';
import { readLogLines } from './job-logs.sql.js';
import { JobSort, JobStatus } from './job.enums.js';
import type { JobEvents } from './job.events.js';
import type { JobFilter } from './job.input.js';
import type { NewJob } from './job.validate.js';
import { newJobRecord } from './job-record.js';
import { insertJobs, INSERT_ROWS_PER_STATEMENT } from './insert-jobs.sql.js';
import { SingleInserts } from './single-inserts.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import { listJobIds, loadJobs } from './list-jobs.sql.js';
import { encodeCursor } from './connection/cursor.js';
import { countJobs, readWindow, type Window } from './connection/keyset.sql.js';
import type { JobEdge } from './connection/job-connection.types.js';
import type { PageInfo } from '../webhooks/deliveries/delivery.types.js';
import { countByStatus, countTask, type StatusCounts } from './job-stats.sql.js';
import { lockJob } from './lock-job.sql.js';
import { deleteJobRows } from './delete-jobs.sql.js';
import { QueueRegistry } from '../queues/queue-registry.js';
import { runCancelHooks, type CancelHook } from './cancel-hooks.js';

export interface JobPageResult {
  jobs: Job[];
  total: number;
  limit: number;
  offset: number;
}

/** Job lifecycle operations a user can ask for; the engine owns RUNNING transitions. */
export class JobsService {
  constructor(
    private readonly orm: Orm,
    private readonly events: JobEvents,
    /** Where new queue names get their row (see QueueRegistry); the engine's in the app. */
    private readonly queues: QueueRegistry = new QueueRegistry(orm),
    /** Run in the transaction that cancels a PENDING job (the webhook outbox's `job.cancelled`). */
    private readonly cancelHooks: readonly CancelHook[] = [],
  ) {}

  private readonly singles = new SingleInserts((jobs, createdAt) => insertJobs(this.em(), jobs, createdAt), isDatabaseUnavailable);

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  /** Creates all or none; a job whose idempotency key exists already is returned instead of created. */
  async create(inputs: readonly NewJob[]): Promise<Job[]> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.createOnce(inputs);
      } catch (error) {
        // A concurrent create took one of our keys between the lookup and the insert: look again.
        if (error instanceof UniqueConstraintViolationException && attempt < 3) continue;
        throw error;
      }
    }
  }

  private async createOnce(inputs: readonly NewJob[]): Promise<Job[]> {
    const em = this.em();
    const keys = inputs.map((i) => i.idempotencyKey).filter((k): k is string => k !== null);
    const existing = new Map<string, Job>();
    if (keys.length > 0) {
      for (const job of await em.find(Job, { idempotencyKey: { $in: keys } })) existing.set(job.idempotencyKey!, job);
    }
    const created: Job[] = [];
    const now = new Date();
    const result: Job[] = [];
    for (const input of inputs) {
      const found = input.idempotencyKey ? existing.get(input.idempotencyKey) : undefined;
      if (found) {
        result.push(found);
        continue;
      }
      const job = newJobRecord(input, now);
      if (input.idempotencyKey) existing.set(input.idempotencyKey, job);
      created.push(job);
      result.push(job);
    }
    if (created.length > 0) await this.queues.register(created.map((j) => j.queue));
    // One statement per 1,000 jobs without the ORM's unit of work (see insertJobs); more than one
    // statement needs a transaction to stay all-or-nothing.
    if (created.length > INSERT_ROWS_PER_STATEMENT) await em.transactional((tx) => insertJobs(tx as Em, created, now));
    else if (created.length === 1 && inputs.length === 1) await this.singles.add(created[0]);
    else if (created.length > 0) await insertJobs(em, created, now);
    if (created.length > 0) this.events.created(created);
    return result;
  }

  async get(id: number): Promise<Job | null> {
    return this.em().findOne(Job, { id });
  }

  /** The jobs of these ids that exist, in one query. */
  async byIds(ids: readonly number[]): Promise<Map<number, Job>> {
    return new Map((await loadJobs(this.em(), ids)).map((job) => [Number(job.id), job]));
  }

  async require(id: number, em: Em = this.em()): Promise<Job> {
    const job = await em.findOne(Job, { id });
    if (!job) throw new NotFoundError('job', id);
    return job;
  }

  async list(filter: JobFilter, sort: JobSort, limit: number, offset: number): Promise<JobPageResult> {
    const em = this.em();
    const { ids, total } = await listJobIds(em, filter, sort, limit, offset);
    return { jobs: await loadJobs(em, ids), total, limit, offset };
  }

  /** One keyset page: the window's positions, then their rows (those deleted in between are left out). */
  async connection(filter: JobFilter | undefined, sort: JobSort, window: Window): Promise<{ edges: JobEdge[]; pageInfo: PageInfo }> {
    const em = this.em();
    const { positions, hasNextPage, hasPreviousPage } = await readWindow(em, filter, sort, window);
    const jobs = new Map(
      (
        await loadJobs(
          em,
          positions.map((p) => p.id),
        )
      ).map((job) => [Number(job.id), job]),
    );
    const edges = positions.flatMap((p) => {
      const node = jobs.get(p.id);
      return node ? [{ cursor: encodeCursor(sort, p), node }] : [];
    });
    const startCursor = positions.length ? encodeCursor(sort, positions[0]) : null;
    const endCursor = positions.length ? encodeCursor(sort, positions[positions.length - 1]) : null;
    return { edges, pageInfo: { hasNextPage, hasPreviousPage, startCursor, endCursor } };
  }

  count(filter: JobFilter | undefined): Promise<number> {
    return countJobs(this.em(), filter);
  }

  async stats(): Promise<StatusCounts> {
    return countByStatus(this.em());
  }

  /** A task's jobs now: PENDING, RUNNING, and FAILED in the last hour. */
  countsOfTask(taskName: string): Promise<{ pending: number; running: number; failedLastHour: number }> {
    return countTask(this.em(), taskName, new Date(Date.now() - 3600_000));
  }

  /** A job's log lines after a seq, in order. */
  logs(jobId: number, after: number | null, limit: number): Promise<JobLogLine[]> {
    return readLogLines(this.em(), jobId, after, limit);
  }

  /** The job's failed attempts, oldest first. */
  async errors(jobId: number): Promise<JobError[]> {
    return this.em().find(JobError, { jobId }, { orderBy: { attempt: 'asc', id: 'asc' } });
  }

  async webhookLogs(jobId: number): Promise<WebhookLog[]> {
    return this.em().find(WebhookLog, { jobId }, { orderBy: { attempt: 'asc', id: 'asc' } });
  }

  /** PENDING → due now; finished → queued again as PENDING; RUNNING → CONFLICT. */
  async run(id: number): Promise<Job> {
    const em = this.em();
    const job = await this.require(id, em);
    if (job.status === JobStatus.RUNNING) {
      throw new ConflictError(`job ${id} is RUNNING; wait for it to finish or cancel it first`, job.status);
    }
    const now = new Date();
    const requeue = job.status !== JobStatus.PENDING;
    const changed = await em.nativeUpdate(
      Job,
      { id, status: job.status },
      {
        status: JobStatus.PENDING,
        runAt: now,
        updatedAt: now,
        ...(requeue
          ? {
              attempts: 0,
              snoozes: 0,
              progress: 0,
              lastError: null,
              failureSignature: null,
              result: null,
              startedAt: null,
              completedAt: null,
              runDurationMs: null,
            }
          : {}),
      },
    );
    if (changed === 0) return this.run(id); // the status moved under us: apply the rules to the new one
    const fresh = await this.require(id, this.em());
    this.events.updated(fresh);
    return fresh;
  }

  /** PENDING → CANCELLED here; RUNNING jobs are cancelled by the engine, which aborts the handler. */
  async cancel(id: number, cancelRunning?: (job: Job) => Promise<Job>): Promise<Job> {
    const em = this.em();
    const job = await this.require(id, em);
    if (job.status === JobStatus.RUNNING && cancelRunning) return cancelRunning(job);
    if (job.status !== JobStatus.PENDING) {
      throw new ConflictError(`job ${id} is ${job.status}; only PENDING or RUNNING jobs can be cancelled`, job.status);
    }
    const now = new Date();
    const changed = await em.fork().transactional(async (tx) => {
      const n = await (tx as Em).nativeUpdate(
        Job,
        { id, status: JobStatus.PENDING },
        { status: JobStatus.CANCELLED, completedAt: now, updatedAt: now },
      );
      if (n > 0) await runCancelHooks(tx as Em, this.cancelHooks, [id]);
      return n;
    });
    if (changed === 0) return this.cancel(id, cancelRunning);
    const fresh = await this.require(id, this.em());
    this.events.updated(fresh);
    return fresh;
  }

  async delete(id: number): Promise<boolean> {
    const em = this.em();
    await em.transactional(async (tx) => {
      // The job's row first, as a redelivery or a finish batch locks: a delete racing one of them waits
      // for it instead of deadlocking, and a job claimed meanwhile is not deleted under its worker.
      const job = await lockJob(tx, id);
      if (!job) throw new NotFoundError('job', id);
      if (job.status === JobStatus.RUNNING) throw new ConflictError(`job ${id} is RUNNING; cancel it before deleting it`, job.status);
      await deleteJobRows(tx as Em, [id]);
    });
    return true;
  }
}
