import type { Em, Orm } from '../db/orm.js';
import type { Log } from '../log.js';
import { PollLoop } from '../loop/poll-loop.js';
import { holdLease, releaseLease } from '../retention/lease.sql.js';
import type { AlertsService } from './alerts.service.js';

const LEASE = 'alert-evaluator';
/** A held lease outlives this many intervals, so a healthy evaluator keeps it between passes. */
const LEASE_INTERVALS = 3;
const LEASE_SLACK_MS = 5_000;

export interface EvaluatorOptions {
  orm: Orm;
  log: Log;
  owner: string;
  alerts: AlertsService;
  intervalMs: number;
  /** Counted once per pass this process ran (the alert_evaluations_total counter). */
  evaluated: () => void;
}

/**
 * Evaluates alert rules every interval. Every worker process runs one; the lease the pruner uses
 * (its own name) lets exactly one of them evaluate at a time, the others stand by to take over.
 */
export class AlertEvaluator {
  private readonly loop: PollLoop;
  private holding = false;

  constructor(private readonly options: EvaluatorOptions) {
    this.loop = new PollLoop({ name: 'evaluating alert rules', log: options.log, step: () => this.step(), initialDelayMs: 0 });
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
    const { owner, intervalMs } = this.options;
    this.holding = await holdLease(this.em(), LEASE, owner, intervalMs * LEASE_INTERVALS + LEASE_SLACK_MS);
    if (this.holding) {
      await this.options.alerts.evaluate();
      this.options.evaluated();
    }
    return intervalMs;
  }
}
