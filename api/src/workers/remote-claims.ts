import type { Orm } from '../db/orm.js';
import { claimJobs, claimLimited, type QueueShare } from '../engine/sql/claim-jobs.js';
import { RATE_START_GUARD_MS } from '../engine/runner.js';
import type { Job } from '../jobs/job.entity.js';
import { Topic, type EventBus } from '../live/pubsub.js';
import { filtered } from '../live/filtered.js';
import { isLimited, readAllSettings, unlimited, type QueueSettings } from '../queues/queue-state.sql.js';
import { claimOwner, tokenOf } from './lease-token.js';
import { leasesHeld } from './worker-rows.sql.js';

export interface RemoteClaim {
  workerId: string;
  concurrency: number;
  queues: readonly string[];
  taskNames: readonly string[];
  limit: number;
  leaseMs: number;
  /** 0: answer at once. */
  waitMs: number;
}

export interface Lease {
  job: Job;
  token: string;
  expiresAt: Date;
}

/** What a job-created message must match to wake a waiting claim. */
export const matchesClaim = (queues: readonly string[] | null, taskNames: readonly string[] | null) => (job: Record<string, unknown>) =>
  job.status === 'PENDING' &&
  (queues === null || queues.includes(String(job.queue))) &&
  (taskNames === null || taskNames.includes(String(job.taskName))) &&
  new Date(String(job.runAt)).getTime() <= Date.now();

/**
 * claimJobs for remote workers: the engine's own claim statements (SKIP LOCKED per queue, limited
 * queues under their row lock) restricted to the worker's tasks, with the attempt counted in the claim.
 * With `waitMs` it waits for the event bus's job-created message of a matching job (every process's
 * creations reach it with Redis), looking again every `pollMs` for jobs that became due otherwise.
 */
export class RemoteClaims {
  /** One claim at a time per worker in this process, so its concurrency cannot be overrun by its own calls. */
  private readonly perWorker = new Map<string, Promise<unknown>>();
  private next = 0;

  constructor(
    private readonly orm: Orm,
    private readonly bus: EventBus,
    private readonly pollMs: number,
    /** Called while a long poll waits: a waiting worker is alive. */
    private readonly heartbeat: (workerId: string) => Promise<void>,
    private readonly heartbeatMs: number,
  ) {}

  async claim(req: RemoteClaim, stop: AbortSignal): Promise<Lease[]> {
    const deadline = Date.now() + req.waitMs;
    // Subscribed before the first look: a job created between the look and the wait still wakes it.
    const created = req.waitMs > 0 ? filtered(this.bus.subscribe(Topic.JOB_CREATED), matchesClaim(req.queues, req.taskNames)) : null;
    const wait = created ? waiter(created) : null;
    let beatAt = Date.now();
    try {
      for (;;) {
        const leases = await this.serialized(req.workerId, () => this.claimOnce(req));
        if (leases.length > 0 || Date.now() >= deadline || stop.aborted) return leases;
        await wait!(Math.min(this.pollMs, deadline - Date.now()), stop);
        if (Date.now() - beatAt >= this.heartbeatMs) {
          beatAt = Date.now();
          await this.heartbeat(req.workerId);
        }
      }
    } finally {
      await created?.return?.();
    }
  }

  private async claimOnce(req: RemoteClaim): Promise<Lease[]> {
    const held = await leasesHeld(this.orm.em.fork(), req.workerId);
    let free = Math.min(req.limit, req.concurrency - held);
    if (free <= 0) return [];
    const all = await readAllSettings(this.orm.em.fork());
    const settings = req.queues.map((name) => all.find((s) => s.name === name) ?? unlimited(name)).filter((s) => !s.paused);
    if (settings.length === 0) return [];
    const owner = claimOwner(req.workerId);
    const scope = { taskNames: req.taskNames, startNow: true, worker: req.workerId };
    const jobs: Job[] = [];
    for (const queue of settings.filter(isLimited)) {
      if (free <= 0) break;
      const claim = await claimLimited(this.orm, {
        owner,
        leaseMs: req.leaseMs,
        queue: queue.name,
        limit: free,
        startGuardMs: RATE_START_GUARD_MS,
        ...scope,
      });
      jobs.push(...claim.jobs);
      free -= claim.jobs.length;
    }
    const shares = this.shares(
      settings.filter((s) => !isLimited(s)),
      free,
    );
    if (shares.length > 0) jobs.push(...(await claimJobs(this.orm, { owner, leaseMs: req.leaseMs, now: new Date(), shares, ...scope })));
    return jobs.map((job) => ({ job, token: tokenOf(job.id, owner), expiresAt: job.leaseExpiresAt! }));
  }

  /** The free slots split evenly between the queues, the remainder going to a different queue each call. */
  private shares(queues: readonly QueueSettings[], free: number): QueueShare[] {
    if (queues.length === 0 || free <= 0) return [];
    const start = this.next++ % queues.length;
    return queues
      .map((q, i) => {
        const turn = (i - start + queues.length) % queues.length;
        return { queue: q.name, limit: Math.floor(free / queues.length) + (turn < free % queues.length ? 1 : 0) };
      })
      .filter((s) => s.limit > 0);
  }

  private serialized<T>(workerId: string, task: () => Promise<T>): Promise<T> {
    const result = (this.perWorker.get(workerId) ?? Promise.resolve()).then(task, task);
    const tail = result.catch(() => {});
    this.perWorker.set(workerId, tail);
    void tail.then(() => {
      if (this.perWorker.get(workerId) === tail) this.perWorker.delete(workerId);
    });
    return result;
  }
}

/**
 * Waits for a stream's items one wait at a time. A pull that outlived its wait carries over, and an
 * item that arrived between waits (during a claim) ends the next wait at once.
 */
function waiter(stream: AsyncIterator<unknown>) {
  let pull: Promise<void> | null = null;
  let woken = false;
  /** Resolves at the stream's next item, after `ms`, or when `stop` fires, whichever is first. */
  return async (ms: number, stop: AbortSignal): Promise<void> => {
    if (!woken) {
      let timer: NodeJS.Timeout | undefined;
      let onStop: (() => void) | undefined;
      pull ??= stream.next().then(() => {
        pull = null;
        woken = true;
      });
      await Promise.race([
        pull,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, Math.max(0, ms));
          onStop = resolve;
          stop.addEventListener('abort', onStop, { once: true });
        }),
      ]);
      clearTimeout(timer);
      if (onStop) stop.removeEventListener('abort', onStop);
    }
    woken = false;
  };
}
