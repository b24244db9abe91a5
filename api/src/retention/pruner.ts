import type { Em, Orm } from '../db/orm.js';
import type { Log } from '../log.js';
import { PollLoop } from '../loop/poll-loop.js';
import { readAllSettings } from '../queues/queue-state.sql.js';
import { holdLease, releaseLease } from './lease.sql.js';
import { pruneStep, type ScanCursor } from './prune-jobs.sql.js';
import { FINAL_STATUSES, retentionPlan, type FinalStatus, type Retention } from './retention.js';

const LEASE = 'pruner';
/** A held lease outlives this many idle intervals, so a healthy pruner keeps it between passes. */
const LEASE_INTERVALS = 3;
const LEASE_SLACK_MS = 10_000;

export interface PrunerOptions {
  orm: Orm;
  log: Log;
  /** This process, as the lease names it. */
  owner: string;
  defaults: Retention;
  /** Jobs per statement (PRUNE_BATCH). */
  batch: number;
  /** Jobs deleted per second at most (PRUNE_MAX_PER_SECOND). */
  maxPerSecond: number;
  /** Sleep once a pass found nothing more to prune, and a standby's wait before it looks at the lease again. */
  intervalMs: number;
  /** Jobs of a status deleted (the jobs_pruned_total counter, the stats feed). */
  pruned: (status: FinalStatus, ids: readonly number[]) => void;
}

/**
 * Deletes finished jobs past their retention, continuously and in small steps: one statement of at
 * most `batch` candidates per status per step, paced to `maxPerSecond`. Every worker process runs
 * one; a lease lets one of them prune at a time across the cluster, the others stand by to take over.
 */
export class Pruner {
  private readonly loop: PollLoop;
  private readonly cursors = new Map<FinalStatus, ScanCursor | null>();
  private holding = false;

  constructor(private readonly options: PrunerOptions) {
    this.loop = new PollLoop({ name: 'pruning finished jobs', log: options.log, step: () => this.step(), initialDelayMs: 0 });
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    if (this.holding) await releaseLease(this.em(), LEASE, this.options.owner).catch(() => {});
  }

  private em(): Em {
    return this.options.orm.em.fork() as Em;
  }

  private async step(): Promise<number> {
    const { owner, intervalMs, batch, maxPerSecond } = this.options;
    const em = this.em();
    this.holding = await holdLease(em, LEASE, owner, intervalMs * LEASE_INTERVALS + LEASE_SLACK_MS);
    if (!this.holding) return intervalMs;
    const now = new Date();
    const queues = await readAllSettings(em);
    let deleted = 0;
    let more = false;
    for (const status of FINAL_STATUSES) {
      const plan = retentionPlan(status, now, this.options.defaults, queues);
      if (!plan) continue;
      const step = await pruneStep(em, plan, this.cursors.get(status) ?? null, batch);
      this.cursors.set(status, step.cursor);
      if (step.cursor) more = true;
      if (step.deleted.length > 0) this.options.pruned(status, step.deleted);
      deleted += step.deleted.length;
    }
    if (!more) return intervalMs;
    // Paced: n jobs deleted now buy n / maxPerSecond seconds of rest before the next step.
    return Math.ceil((deleted / maxPerSecond) * 1000);
  }
}
