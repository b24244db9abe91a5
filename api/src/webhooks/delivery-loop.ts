import { randomBytes } from 'node:crypto';
import type { Em, Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Log } from '../log.js';
import { BatchWriter } from '../loop/batch-writer.js';
import { PollLoop } from '../loop/poll-loop.js';
import { Agent } from 'undici';
import { guardedDispatcher, type Allowed, type GuardedDispatcher, type ResolveHost } from '../net/ssrf.js';
import { nextStep, type RetryPolicy } from './retry-policy.js';
import { sendAttempt } from './send-attempt.js';
import { signingKeys, type SigningKeys } from './signatures.js';
import { claimDeliveries, type ClaimedDelivery } from './sql/claim-deliveries.js';
import { recordAttempts, releaseDelivery, type AttemptRecord } from './sql/record-attempt.js';
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
  allowed: Allowed;
  /** Name resolution for the connect-time SSRF check (tests point names anywhere). */
  resolve?: ResolveHost;
}

const MAX_KNOWN_DUE = 256;
const MAX_RECORD_BATCH = 200;

/**
 * Sends due outbox deliveries; runs in every worker process. Claims like the job engine (SKIP LOCKED
 * on MySQL, one atomic UPDATE on SQLite, a lease a crash lets expire), sends each attempt, writes its
 * WebhookLog with the delivery's next state in one transaction, then announces the log.
 */
export class DeliveryLoop {
  private readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private claims = 0;
  private readonly abort = new AbortController();
  /** Per-job URLs: keep-alive pools per origin whose every new connection passes the SSRF check. */
  private readonly guarded: GuardedDispatcher;
  /** The operator's trusted targets: keep-alive pools per origin, no checks. */
  private readonly direct = new Agent();
  private readonly keys: SigningKeys;
  /** While attempts are in flight, claim only once this many slots are free: fewer, larger claims. */
  private readonly minClaim: number;
  private loop: PollLoop | null = null;
  /** Writes finished attempts in batches: one commit covers many when busy. */
  private recorder: BatchWriter<AttemptRecord, WebhookLog | null> | null = null;
  private log: Log | null = null;
  private stopped = false;
  /** Retries this process scheduled: the loop wakes at their time instead of waiting out a full poll. */
  private knownDue: number[] = [];

  constructor(
    private readonly orm: Orm,
    private readonly options: DeliveryLoopOptions,
    private readonly events: WebhookEvents,
  ) {
    this.guarded = guardedDispatcher(options.allowed, { resolve: options.resolve });
    this.keys = signingKeys(options.secret);
    this.minClaim = Math.max(1, Math.floor(options.concurrency / 4));
  }

  start(log: Log): void {
    if (this.loop || this.stopped) return;
    this.log = log;
    this.recorder = new BatchWriter({
      name: 'webhook attempts',
      log,
      maxBatch: MAX_RECORD_BATCH,
      isTransient: isDatabaseUnavailable,
      write: (records) => recordAttempts(this.orm, records),
    });
    this.loop = new PollLoop({ name: 'webhook delivery claim', log, step: () => this.claimStep() });
    this.loop.start();
  }

  /** Something became due (a job finished, a redelivery was asked for): look now rather than at the next poll. */
  notify(): void {
    if (!this.loop || this.loop.stopping) return;
    this.expectDue(0);
    this.loop.wake();
  }

  /** Stops claiming, lets attempts in flight finish for up to `graceMs`, then cuts them short and gives them back. */
  async stop(graceMs: number): Promise<void> {
    this.stopped = true;
    if (!this.loop) return;
    await this.loop.stop(graceMs);
    this.abort.abort();
    await this.loop.settle(Number.POSITIVE_INFINITY);
    await this.recorder?.close();
    await Promise.all([this.direct.close(), this.guarded.dispatcher.close()]);
  }

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  /** One round: claim into free slots; resolves with how long to wait before the next look. */
  private async claimStep(): Promise<number> {
    const loop = this.loop!;
    const { concurrency, pollMs, leaseMs } = this.options;
    const free = concurrency - loop.inFlight;
    let claimed: ClaimedDelivery[] = [];
    if (free > 0 && (loop.inFlight === 0 || free >= this.minClaim)) {
      const now = Date.now();
      this.knownDue = this.knownDue.filter((due) => due > now);
      claimed = await claimDeliveries(this.em(), `${this.owner}#${++this.claims}`, free, leaseMs);
      for (const delivery of claimed) {
        // A slot is free again once the attempt is recorded.
        void loop.track(this.attempt(delivery)).finally(() => loop.wake());
      }
    }
    // A full claim may have left more due rows behind: claim again as soon as a slot is free.
    if (claimed.length > 0 && claimed.length === free) return loop.inFlight < concurrency ? 0 : pollMs;
    return Math.min(pollMs, Math.max(0, (this.knownDue[0] ?? Infinity) - Date.now()));
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const log = this.log!;
    try {
      const outcome = await sendAttempt(delivery.url, delivery.messageId, delivery.body, {
        secret: this.keys,
        timeoutMs: this.options.timeoutMs,
        dispatcher: delivery.trusted ? this.direct : this.guarded.dispatcher,
        check: delivery.trusted ? undefined : this.guarded.check,
        signal: this.abort.signal,
      });
      if (this.abort.signal.aborted && outcome.status === null) {
        // Cut short by shutdown, not failed: give it back unlogged, due at once for the next worker.
        await releaseDelivery(this.em(), delivery);
        return;
      }
      const at = new Date();
      const next = nextStep(delivery.attempts + 1, outcome, this.options.retry, at);
      const written = await this.recorder!.write({ delivery, outcome, next, at });
      if (!written) {
        log.warn(
          { deliveryId: delivery.id, jobId: delivery.jobId },
          'webhook delivery lease lost during the attempt; another sender owns it now',
        );
        return;
      }
      if (next.status === 'PENDING') this.expectDue(next.nextAttemptAt.getTime());
      this.publish(written);
    } catch (error) {
      // The lease expires and another pass retries the attempt: at least once, nothing lost.
      log.error({ err: error, deliveryId: delivery.id, jobId: delivery.jobId }, 'webhook attempt could not be recorded');
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
      this.log!.error({ err: error, jobId: log.jobId }, 'publishing a webhook attempt failed');
    }
  }
}
