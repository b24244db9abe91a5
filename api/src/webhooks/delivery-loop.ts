import { randomBytes } from 'node:crypto';
import type { Em, Orm } from '../db/orm.js';
import { nextStep, type RetryPolicy } from './retry-policy.js';
import { sendAttempt } from './send-attempt.js';
import { claimDeliveries, type ClaimedDelivery } from './sql/claim-deliveries.js';
import { AttemptRecorder } from './attempt-recorder.js';
import { releaseDelivery } from './sql/record-attempt.js';
import { directFetch, guardedFetch, type ResolveHost } from '../net/ssrf.js';
import type { WebhookEvents } from './webhook.events.js';
import type { WebhookLog } from './webhook-log.entity.js';

export interface DeliveryLoopOptions {
  secret: string;
  retry: RetryPolicy;
  /** Per attempt, until the response headers and the first 4 KiB arrive. @default 10_000 (WEBHOOK_TIMEOUT_MS) */
  timeoutMs: number;
  /** Attempts in flight at once in this process. @default 16 (WEBHOOK_CONCURRENCY) */
  concurrency: number;
  /** Longest sleep between looks for due deliveries; a retry due sooner wakes the loop at its time. @default 500 (WORKER_POLL_MS) */
  pollMs: number;
  /** How long a claim is held. Must exceed `timeoutMs`: an expired lease means the sender crashed. */
  leaseMs: number;
  /** WEBHOOK_ALLOWED_HOSTS: opt-ins for per-job URLs (trusted targets skip the guard). */
  allowedHosts: string[];
  /** Name resolution for the connect-time SSRF check (tests point names anywhere). */
  resolve?: ResolveHost;
}

export interface LoopLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

type LoopState = 'idle' | 'running' | 'stopping' | 'stopped';

const MAX_KNOWN_DUE = 256;

/**
 * Sends due outbox deliveries; runs in every worker process. Claims like the job engine (SKIP LOCKED
 * on MySQL, one atomic UPDATE on SQLite, a lease a crash lets expire), sends each attempt, writes its
 * WebhookLog with the delivery's next state in one transaction, then announces the log.
 */
export class DeliveryLoop {
  private state: LoopState = 'idle';
  private readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private claims = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly guarded: typeof fetch;
  private readonly recorder: AttemptRecorder;
  /** While attempts are in flight, claim only once this many slots are free: fewer, larger claims. */
  private readonly minClaim: number;
  private wake: (() => void) | undefined;
  private log: LoopLogger = console;
  private running: Promise<void> | undefined;
  /** Retries this process scheduled: the loop wakes at their time instead of waiting out a full poll. */
  private knownDue: number[] = [];

  constructor(
    private readonly orm: Orm,
    private readonly options: DeliveryLoopOptions,
    private readonly events: WebhookEvents,
  ) {
    this.guarded = guardedFetch(options.allowedHosts, { resolve: options.resolve });
    this.recorder = new AttemptRecorder(orm);
    this.minClaim = Math.max(1, Math.floor(options.concurrency / 4));
  }

  start(log: LoopLogger = console): void {
    if (this.state !== 'idle') return;
    this.log = log;
    this.state = 'running';
    this.running = this.loop();
  }

  /** Something became due (a job finished, a redelivery was asked for): look now rather than at the next poll. */
  notify(): void {
    if (this.state !== 'running') return;
    this.expectDue(0);
    this.wake?.();
  }

  /** Stops claiming, lets attempts in flight finish for up to `graceMs`, then cuts them short and gives them back. */
  async stop(graceMs: number): Promise<void> {
    if (this.state === 'idle') this.state = 'stopped';
    if (this.state !== 'running') return this.running;
    this.state = 'stopping';
    this.wake?.();
    await this.running;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((r) => (timer = setTimeout(r, graceMs)));
    await Promise.race([Promise.allSettled([...this.inFlight]), graceOver]);
    clearTimeout(timer);
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
    this.state = 'stopped';
  }

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  private async loop(): Promise<void> {
    while (this.state === 'running') {
      const free = this.options.concurrency - this.inFlight.size;
      let claimed: ClaimedDelivery[] = [];
      if (free > 0 && (this.inFlight.size === 0 || free >= this.minClaim)) {
        try {
          const now = Date.now();
          this.knownDue = this.knownDue.filter((due) => due > now);
          claimed = await claimDeliveries(this.em(), `${this.owner}#${++this.claims}`, free, this.options.leaseMs);
        } catch (error) {
          if (this.state === 'running') this.log.error({ err: error }, 'webhook delivery claim failed; retrying at the next poll');
        }
        for (const delivery of claimed) this.track(this.attempt(delivery));
      }
      // A full claim may have left more due rows behind: claim again as soon as a slot is free.
      if (claimed.length > 0 && claimed.length === free)
        await this.sleep(this.inFlight.size < this.options.concurrency ? 0 : this.options.pollMs);
      else await this.sleep(Math.min(this.options.pollMs, Math.max(0, (this.knownDue[0] ?? Infinity) - Date.now())));
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.state !== 'running') return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.wake?.(); // a slot is free
    });
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    try {
      const outcome = await sendAttempt(delivery.url, delivery.messageId, delivery.body, {
        secret: this.options.secret,
        timeoutMs: this.options.timeoutMs,
        fetch: delivery.trusted ? directFetch : this.guarded,
        signal: this.abort.signal,
      });
      if (this.abort.signal.aborted && outcome.status === null) {
        // Cut short by shutdown, not failed: give it back unlogged, due at once for the next worker.
        await releaseDelivery(this.em(), delivery);
        return;
      }
      const at = new Date();
      const next = nextStep(delivery.attempts + 1, outcome, this.options.retry, at);
      const log = await this.recorder.record({ delivery, outcome, next, at });
      if (!log) {
        this.log.warn(
          { deliveryId: delivery.id, jobId: delivery.jobId },
          'webhook delivery lease lost during the attempt; another sender owns it now',
        );
        return;
      }
      if (next.status === 'PENDING') this.expectDue(next.nextAttemptAt.getTime());
      this.publish(log);
    } catch (error) {
      // The lease expires and another pass retries the attempt: at least once, nothing lost.
      this.log.error({ err: error, deliveryId: delivery.id, jobId: delivery.jobId }, 'webhook attempt could not be recorded');
    }
  }

  /** Keeps the earliest few due times, sorted; later ones are found by the regular poll anyway. */
  private expectDue(atMs: number): void {
    const i = this.knownDue.findIndex((due) => due > atMs);
    if (i === -1) this.knownDue.push(atMs);
    else this.knownDue.splice(i, 0, atMs);
    if (this.knownDue.length > MAX_KNOWN_DUE) this.knownDue.length = MAX_KNOWN_DUE;
  }

  private publish(log: WebhookLog): void {
    try {
      this.events.logAdded(log);
    } catch (error) {
      this.log.error({ err: error, jobId: log.jobId }, 'publishing a webhook attempt failed');
    }
  }
}
