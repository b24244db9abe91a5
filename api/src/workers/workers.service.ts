import { setMaxListeners } from 'node:events';
import type { Config } from '../config.js';
import { BadUserInputError, NotFoundError } from '../graphql/errors.js';
import type { Job } from '../jobs/job.entity.js';
import { Topic, type EventBus } from '../live/pubsub.js';
import type { Log } from '../log.js';
import { checkQueueName } from '../queues/queue-name.js';
import { markRemoteQueues } from '../queues/queue-state.sql.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import { newRemoteWorkerId, parseToken, tokenOf, workerOfOwner } from './lease-token.js';
import { parseRegistration } from './registration.js';
import { RemoteClaims, type Lease } from './remote-claims.js';
import { RemoteLeases, type RemoteLeasesOptions } from './remote-leases.js';
import type { RemoteTasks } from './remote-tasks.js';
import { LeaseState, WorkerKind, type RegisterWorkerInput, type WorkerInfo } from './worker.types.js';
import {
  deleteWorkers,
  readWorker,
  readWorkers,
  runningJobsByWorker,
  touchWorkers,
  upsertWorker,
  type WorkerRecord,
} from './worker-rows.sql.js';

/** A worker silent this many leases is removed from `workers` (and its announcements from `tasks`). */
export const FORGET_AFTER_LEASES = 10;
const MAX_WAIT_MS = 30_000;
const MIN_LEASE_MS = 1000;
const MAX_LEASE_MS = 10 * 60 * 1000;
const MAX_CLAIM = 500;

export interface ClaimArgs {
  workerId: string;
  queues?: string[] | null;
  tasks?: string[] | null;
  limit?: number | null;
  leaseMs?: number | null;
  waitMs?: number | null;
}

export interface WorkersServiceOptions extends Omit<RemoteLeasesOptions, 'leaseMsOf'> {
  config: Pick<Config, 'LEASE_MS' | 'WORKER_POLL_MS'>;
  bus: EventBus;
  remoteTasks: RemoteTasks;
  log: Log;
}

const wholeIn = (field: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new BadUserInputError(field, `expected a whole number ${min}..${max}, got ${value}`);
  return value;
};

/** Remote workers' registrations, claims and leases, and the list of every worker process. */
export class WorkersService {
  readonly leases: RemoteLeases;
  private readonly claims: RemoteClaims;
  /** Aborted at shutdown: long polls answer at once instead of holding the server open. */
  private readonly closing = new AbortController();

  constructor(private readonly options: WorkersServiceOptions) {
    const { orm, bus, config } = options;
    // Every waiting claim listens on it: hundreds are expected, not a leak.
    setMaxListeners(0, this.closing.signal);
    this.leases = new RemoteLeases({ ...options, leaseMsOf: (id) => this.leaseMsOf(id) });
    this.claims = new RemoteClaims(orm, bus, config.WORKER_POLL_MS, (id) => this.beat([id]).then(() => {}), config.LEASE_MS / 3);
  }

  private get catalog(): TaskCatalog {
    return this.options.catalog;
  }

  private get forgetAfterMs(): number {
    return FORGET_AFTER_LEASES * this.options.config.LEASE_MS;
  }

  async register(input: RegisterWorkerInput): Promise<string> {
    await this.options.remoteTasks.refresh();
    const parsed = parseRegistration(input, this.catalog);
    for (const task of parsed.tasks) {
      const known = this.catalog.get(task.name);
      if (known?.source === 'REMOTE' && JSON.stringify(known.definition.payload ?? null) !== JSON.stringify(task.payloadSchema)) {
        this.options.log.warn(
          { taskName: task.name, worker: parsed.name },
          'a worker announced another payload schema for a remote task; the latest registration wins',
        );
      }
    }
    const em = this.options.orm.em.fork();
    const now = new Date();
    const id = newRemoteWorkerId();
    await markRemoteQueues(em, parsed.remoteQueues);
    await upsertWorker(em, { id, kind: 'REMOTE', ...parsed, leaseMs: this.options.config.LEASE_MS, startedAt: now, lastHeartbeatAt: now });
    await deleteWorkers(em, new Date(now.getTime() - this.forgetAfterMs));
    await this.options.remoteTasks.refresh();
    this.options.log.info(
      { workerId: id, worker: parsed.name, tasks: parsed.tasks.map((t) => t.name), queues: parsed.queues },
      'remote worker registered',
    );
    return id;
  }

  /** True when the worker is known (it is live again if it was lost); false once it was removed: register again. */
  async heartbeat(workerId: string): Promise<boolean> {
    return (await this.beat([workerId])) > 0;
  }

  /** `gone`: the caller's connection closed; a waiting claim stops there (and stops counting as a heartbeat). */
  async claim(args: ClaimArgs, gone?: AbortSignal): Promise<Lease[]> {
    const worker = await this.requireRemote(args.workerId);
    const taskNames = args.tasks ?? worker.tasks.map((t) => (typeof t === 'string' ? t : t.name));
    const registered = new Set(worker.tasks.map((t) => (typeof t === 'string' ? t : t.name)));
    taskNames.forEach((name, i) => {
      if (!registered.has(name))
        throw new BadUserInputError(
          `tasks[${i}]`,
          `worker ${worker.id} did not register task ${JSON.stringify(name)} (it registered ${[...registered].join(', ')})`,
        );
    });
    const queues = args.queues ? args.queues.map((q, i) => checkQueueName(`queues[${i}]`, q)) : worker.queues;
    const limit = wholeIn('limit', args.limit ?? 1, 1, MAX_CLAIM);
    const leaseMs = wholeIn('leaseMs', args.leaseMs ?? this.options.config.LEASE_MS, MIN_LEASE_MS, MAX_LEASE_MS);
    const waitMs = wholeIn('waitMs', args.waitMs ?? 0, 0, MAX_WAIT_MS);
    // A claim is a heartbeat; written only when the last one is a third of a lease old (or the lease changes), not per claim.
    if (Date.now() - worker.lastHeartbeatAt.getTime() >= this.options.config.LEASE_MS / 3 || leaseMs !== worker.leaseMs) {
      await this.beat([worker.id], leaseMs);
    }
    if (taskNames.length === 0) return [];
    const stop = gone ? AbortSignal.any([this.closing.signal, gone]) : this.closing.signal;
    return this.claims.claim({ workerId: worker.id, concurrency: worker.concurrency, queues, taskNames, limit, leaseMs, waitMs }, stop);
  }

  /** Every worker heard from within 10 × LEASE_MS, with the jobs it runs now. */
  async list(): Promise<WorkerInfo[]> {
    const em = this.options.orm.em.fork();
    const now = Date.now();
    const [workers, running] = await Promise.all([readWorkers(em, new Date(now - this.forgetAfterMs)), runningJobsByWorker(em)]);
    return workers.map((w) => ({
      id: w.id,
      name: w.name,
      host: w.host,
      kind: w.kind === 'REMOTE' ? WorkerKind.REMOTE : WorkerKind.LOCAL,
      queues: w.queues,
      tasks: w.tasks.map((t) => (typeof t === 'string' ? t : t.name)),
      concurrency: w.concurrency,
      runningJobIds: running.get(w.id) ?? [],
      startedAt: w.startedAt,
      lastHeartbeatAt: w.lastHeartbeatAt,
      lost: now - w.lastHeartbeatAt.getTime() > this.options.config.LEASE_MS,
      version: w.version,
    }));
  }

  /** After `cancelJob` stopped a RUNNING job: its remote worker hears it on `leaseEvents` at once. */
  leaseCancelled(job: Pick<Job, 'id' | 'leaseOwner'>): void {
    const owner = job.leaseOwner;
    if (!owner || !parseToken(tokenOf(job.id, owner))) return;
    this.options.bus.publish(Topic.LEASE_EVENT, {
      workerId: workerOfOwner(owner),
      token: tokenOf(job.id, owner),
      status: LeaseState.CANCEL_REQUESTED,
      expiresAt: null,
    });
  }

  /** Shutdown: waiting claims answer now (empty). */
  close(): void {
    this.closing.abort();
  }

  private async requireRemote(workerId: string): Promise<WorkerRecord> {
    const worker = await readWorker(this.options.orm.em.fork(), String(workerId));
    // A worker silent past the forget horizon was removed from `workers`: it registers again.
    if (!worker || worker.kind !== 'REMOTE' || Date.now() - worker.lastHeartbeatAt.getTime() > this.forgetAfterMs) {
      throw new NotFoundError('worker', workerId);
    }
    return worker;
  }

  private beat(ids: readonly string[], leaseMs?: number): Promise<number> {
    return touchWorkers(this.options.orm.em.fork(), ids, new Date(), leaseMs);
  }

  private async leaseMsOf(workerId: string): Promise<number> {
    const worker = await readWorker(this.options.orm.em.fork(), workerId);
    await this.beat([workerId]);
    return worker?.leaseMs ?? this.options.config.LEASE_MS;
  }
}
