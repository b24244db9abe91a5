import { randomBytes } from 'node:crypto';
import type { Em, Orm } from '../db/orm.js';
import { isDatabaseUnavailable } from '../db/unavailable.js';
import type { Log } from '../log.js';
import { BatchWriter } from '../loop/batch-writer.js';
import { PollLoop } from '../loop/poll-loop.js';
import { Agent } from 'undici';
import { guardedDispatcher, type Allowed, type GuardedDispatcher, type ResolveHost } from '../net/ssrf.js';
import { nextStep, type RetryPolicy } from './retry-policy.js';
import { sendAttempt, type AttemptOutcome } from './send-attempt.js';
import { signingKeys, type SigningKeys } from './signatures.js';
import { EndpointThrottle, type EndpointLimits } from './endpoint-throttle.js';
import { claimDeliveries, type ClaimedDelivery } from './sql/claim-deliveries.js';
import type { DeliveryLease } from './outbox.js';
import type { DisabledEndpoint } from './sql/endpoint-streak.js';
import { ENDPOINT_DISABLED_ERROR } from './endpoints/disabled-deliveries.js';
import { DeliveryStatus } from './webhook-delivery.entity.js';
import { recordAttempts, releaseDelivery, type AttemptRecord } from './sql/record-attempt.js';
import type { WebhookEvents } from './webhook.events.js';
import type { WebhookLog } from './webhook-log.entity.js';

export interface DeliveryLoopOptions {
  secret: string;
  retry: RetryPolicy;
  /** Per attempt, until the response headers and the first 4 KiB arrive. @default 10_000 (WEBHOOK_TIMEOUT_MS) */
  timeoutMs: number;
  /** Attempts in flight at once in this process. @default 64 (WEBHOOK_CONCURRENCY) */
  concurrency: number;
  /** Longest sleep between looks for due deliveries; a retry due sooner wakes the loop at its time. @default 500 (WORKER_POLL_MS) */
  pollMs: number;
  /** How long a claim is held. Must exceed `timeoutMs`: an expired lease means the sender crashed. */
  leaseMs: number;
  /** WEBHOOK_ALLOWED_HOSTS: opt-ins for per-job URLs (trusted targets skip the guard). */
  allowed: Allowed;
  /** Name resolution for the connect-time SSRF check (tests point names anywhere). */
  resolve?: ResolveHost;
  /** A registered endpoint's keys at the attempt's time; null when the endpoint no longer exists. */
  endpointKeys?: (endpointId: number) => Promise<SigningKeys | null>;
  /** False for a registered endpoint disabled since its message was written: the message fails unsent. */
  endpointEnabled?: (endpointId: number) => boolean;
  /** A registered endpoint's own concurrency and rate; null (or absent): none. */
  endpointLimits?: (endpointId: number) => EndpointLimits | null;
  /** Endpoints a recorded failure disabled (their streak crossed the thresholds), after the commit. */
  endpointsDisabled?: (endpoints: DisabledEndpoint[]) => void;
}

/** A claimed delivery waiting for a free slot; `waiting` while its endpoint's own concurrency holds it. */
interface Queued {
  delivery: ClaimedDelivery;
  leaseUntil: number;
  waiting: boolean;
}

const MAX_KNOWN_DUE = 256;
const MAX_RECORD_BATCH = 200;
/** Claims stop while this many finished attempts wait for their write: a slow database slows sending down. */
const MAX_UNRECORDED = MAX_RECORD_BATCH;
/** Deliveries claimed ahead of free slots: about this much of the recent pace of attempts, at most MAX_AHEAD (as the engine's local queue). */
const AHEAD_MS = 100;
const MAX_AHEAD = 500;

/**
 * Sends due outbox deliveries; runs in every worker process. Claims like the job engine (SKIP LOCKED
 * on MySQL, one atomic UPDATE on SQLite, a lease a crash lets expire), sends each attempt, writes its
 * WebhookLog with the delivery's next state in one transaction, then announces the log.
 * A slot (one of `concurrency` requests to receivers) is free again once the response is in: the
 * attempt's write joins the next batch meanwhile, and deliveries claimed ahead (~100 ms of work)
 * wait for the next free slot, so neither commit sits between two requests and each claim is large.
 */
export class DeliveryLoop {
  private readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private claims = 0;
  private readonly abort = new AbortController();
  /** Per-job URLs: keep-alive pools per origin whose every new connection passes the SSRF check. */
  private readonly guarded: GuardedDispatcher;
  /** The operator's trusted targets: keep-alive pools per origin, no checks. */
  private readonly direct: Agent;
  private readonly keys: SigningKeys;
  /** While attempts are in flight, claim only once this many deliveries fit: fewer, larger claims. */
  private readonly minClaim: number;
  private loop: PollLoop | null = null;
  /** Writes finished attempts in batches: one commit covers many when busy. */
  private recorder: BatchWriter<AttemptRecord, WebhookLog | null> | null = null;
  private log: Log | null = null;
  private stopped = false;
  private stopping: Promise<void> | null = null;
  /** Retries this process scheduled: the loop wakes at their time instead of waiting out a full poll. */
  private knownDue: number[] = [];
  /** Claimed, in due order, waiting for a free slot. */
  private queue: Queued[] = [];
  /** Endpoints' own concurrency and rate in this process. */
  private readonly throttle = new EndpointThrottle();
  /** Requests in flight. */
  private sending = 0;
  /** The last claim came back full: more may be due, so room for more wakes the loop. */
  private backlog = false;
  /** Counts `notify` calls: one during a claim may have come after the claim looked. */
  private notified = 0;
  /** Recent attempt duration (ms, moving average); null until one finished. */
  private paceMs: number | null = null;
  /** Room promised to finishes writing deliveries leased to this sender, until they commit or not. */
  private reserved = 0;

  constructor(
    private readonly orm: Orm,
    private readonly options: DeliveryLoopOptions,
    private readonly events: WebhookEvents,
  ) {
    // At most one connection per slot and origin: a request sent the moment the previous one's response
    // ended waits for that connection instead of opening another.
    const connections = options.concurrency;
    this.guarded = guardedDispatcher(options.allowed, { resolve: options.resolve, connections });
    this.direct = new Agent({ connections });
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
      write: (records) => recordAttempts(this.orm, records, this.options.endpointsDisabled),
    });
    this.loop = new PollLoop({ name: 'webhook delivery claim', log, step: () => this.claimStep() });
    this.loop.start();
  }

  /** Something became due (a job finished, a redelivery was asked for): look now rather than at the next poll. */
  notify(): void {
    if (!this.loop || this.loop.stopping) return;
    this.backlog = true;
    this.notified++;
    this.loop.wake();
  }

  /**
   * Stops claiming and gives back what waits for a slot (due at once, for any worker); lets attempts in
   * flight finish for up to `graceMs`, then cuts them short and gives them back too.
   */
  stop(graceMs: number): Promise<void> {
    this.stopping ??= this.shutDown(graceMs);
    return this.stopping;
  }

  private async shutDown(graceMs: number): Promise<void> {
    this.stopped = true;
    if (!this.loop) return;
    await this.loop.halt();
    const waiting = this.queue.splice(0);
    for (const { delivery } of waiting) await this.giveBack(delivery);
    await this.loop.stop(graceMs);
    this.abort.abort();
    await this.loop.settle(Number.POSITIVE_INFINITY);
    await this.recorder?.close();
    await Promise.all([this.direct.close(), this.guarded.dispatcher.close()]);
  }

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  /** How many deliveries to hold beyond the free slots: ~AHEAD_MS of the recent pace, none before one finished. */
  private ahead(): number {
    const { concurrency } = this.options;
    if (this.paceMs === null) return 0;
    return Math.min(MAX_AHEAD, Math.floor((concurrency * AHEAD_MS) / Math.max(1, this.paceMs)));
  }

  /** Deliveries a claim may take now: free slots plus those to hold ahead, minus what waits already. */
  private room(): number {
    return this.options.concurrency + this.ahead() - this.sending - this.queue.length - this.reserved;
  }

  /**
   * A lease for up to `wanted` deliveries a finish in this process is about to write, as much as there
   * is room for; null when there is none or this process does not send. The caller then `adopt`s what it
   * wrote once its transaction committed, or `unreserve`s the lease when it did not.
   */
  lease(wanted: number): DeliveryLease | null {
    if (!this.loop || this.loop.stopping || this.stopped) return null;
    const count = Math.min(wanted, this.room());
    if (count <= 0) return null;
    this.reserved += count;
    return { token: `${this.owner}#${++this.claims}`, until: new Date(Date.now() + this.options.leaseMs), count };
  }

  /** The committed deliveries written under `lease`: queued for a slot like claimed ones, without a claim. */
  adopt(lease: DeliveryLease, deliveries: readonly ClaimedDelivery[]): void {
    this.reserved -= lease.count;
    // Stopped meanwhile (the engine stops first, so hardly ever): their lease runs out and any sender takes them.
    if (this.stopped) return;
    const leaseUntil = lease.until.getTime();
    for (const delivery of deliveries) this.queue.push({ delivery, leaseUntil, waiting: false });
    this.startQueued();
    this.roomChanged();
  }

  /** The finish that asked for `lease` did not commit: its room is free again. */
  unreserve(lease: DeliveryLease): void {
    this.reserved -= lease.count;
    this.roomChanged();
  }

  /** One round: claim into free slots and the few ahead; resolves with how long to wait before the next look. */
  private async claimStep(): Promise<number> {
    const { pollMs, leaseMs } = this.options;
    const now = Date.now();
    if (this.knownDue.length > 0 && this.knownDue[0] <= now) {
      // Retries came due: the claim below takes them, or the next room for one does.
      this.knownDue = this.knownDue.filter((due) => due > now);
      this.backlog = true;
    }
    const room = this.room();
    const held = this.sending + this.queue.length;
    if (room > 0 && (held === 0 || room >= this.minClaim) && this.unrecorded() < MAX_UNRECORDED) {
      const notified = this.notified;
      const leaseUntil = Date.now() + leaseMs;
      const claimed = await claimDeliveries(this.em(), `${this.owner}#${++this.claims}`, room, leaseMs);
      // A full claim may have left more due rows behind, as may a notification during the claim.
      this.backlog = claimed.length === room || this.notified !== notified;
      for (const delivery of claimed) this.queue.push({ delivery, leaseUntil, waiting: false });
      this.startQueued();
      if (this.backlog && this.room() >= this.minClaim) return 0;
    }
    // Otherwise room for a claim wakes the loop while more is due (`roomChanged`), as do new deliveries.
    return Math.min(pollMs, Math.max(0, (this.knownDue[0] ?? Infinity) - Date.now()));
  }

  private unrecorded(): number {
    return this.recorder?.pending ?? 0;
  }

  /**
   * Fills free slots from the queue, in claim (due) order. An attempt starts only while its lease
   * outlasts the attempt's timeout (the receiver slowed down while it waited): else it is given back
   * unsent, so no attempt is ever in flight past its lease. A delivery over its endpoint's own rate, or
   * behind too many of its endpoint's at its concurrency, is given back due when it may start, unsent
   * and without counting an attempt; a few wait here instead, skipped over while other endpoints' start.
   */
  private startQueued(): void {
    const loop = this.loop!;
    const { concurrency, timeoutMs } = this.options;
    const now = Date.now();
    let i = 0;
    while (!this.stopped && this.sending < concurrency && i < this.queue.length) {
      const entry = this.queue[i];
      const { delivery } = entry;
      const endpointId = delivery.endpointId;
      const limits = endpointId === null ? null : (this.options.endpointLimits?.(endpointId) ?? null);
      if (entry.waiting) {
        entry.waiting = false;
        this.throttle.unwaited(endpointId!);
      }
      if (entry.leaseUntil - now <= timeoutMs) {
        this.queue.splice(i, 1);
        void loop.track(this.giveBack(delivery));
        continue;
      }
      if (limits) {
        const admission = this.throttle.admit(endpointId!, limits, now, this.paceMs ?? 0);
        if (admission.kind === 'wait') {
          entry.waiting = true;
          i++;
          continue;
        }
        if (admission.kind === 'defer') {
          this.queue.splice(i, 1);
          this.expectDue(admission.untilMs);
          void loop.track(this.giveBack(delivery, new Date(admission.untilMs)));
          continue;
        }
      }
      this.queue.splice(i, 1);
      this.sending++;
      void loop.track(this.attempt(delivery, limits !== null));
    }
  }

  /** Room for a claim while more is due: look again now. */
  private roomChanged(): void {
    if (this.backlog && this.room() >= this.minClaim && this.unrecorded() < MAX_UNRECORDED) this.loop?.wake();
  }

  private async attempt(delivery: ClaimedDelivery, throttled: boolean): Promise<void> {
    const log = this.log!;
    let outcome: AttemptOutcome;
    const disabled = delivery.endpointId !== null && this.options.endpointEnabled?.(delivery.endpointId) === false;
    try {
      const keys = disabled ? null : await this.keysOf(delivery);
      outcome = disabled
        ? { ok: false, status: null, responseBody: null, error: ENDPOINT_DISABLED_ERROR, durationMs: 0, retryAfter: null }
        : !keys
          ? {
              ok: false,
              status: null,
              responseBody: null,
              error: `webhook endpoint ${delivery.endpointId} no longer exists`,
              durationMs: 0,
              retryAfter: null,
            }
          : await sendAttempt(delivery.url, delivery.messageId, delivery.body, {
              secret: keys,
              timeoutMs: this.options.timeoutMs,
              dispatcher: delivery.trusted ? this.direct : this.guarded.dispatcher,
              check: delivery.trusted ? undefined : this.guarded.check,
              signal: this.abort.signal,
            });
    } finally {
      // The slot is free once the response is in; the write goes on beside the next request.
      this.sending--;
      if (throttled) this.throttle.finished(delivery.endpointId!);
      this.startQueued();
      this.roomChanged();
    }
    try {
      if (this.abort.signal.aborted && outcome.status === null) {
        // Cut short by shutdown, not failed: give it back unlogged, due at once for the next worker.
        await releaseDelivery(this.em(), delivery);
        return;
      }
      this.paceMs = this.paceMs === null ? outcome.durationMs : this.paceMs * 0.9 + outcome.durationMs * 0.1;
      const at = new Date();
      const next = disabled
        ? { status: DeliveryStatus.FAILED as const, nextAttemptAt: at }
        : nextStep(delivery.attempts + 1, outcome, this.options.retry, at);
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
    } finally {
      this.roomChanged();
    }
  }

  /** The delivery's signing keys: its endpoint's, else WEBHOOK_SECRET's; null for an endpoint deleted since. */
  private async keysOf(delivery: ClaimedDelivery): Promise<SigningKeys | null> {
    if (delivery.endpointId === null) return this.keys;
    return (await this.options.endpointKeys?.(delivery.endpointId)) ?? null;
  }

  /** A claimed delivery that was never sent, back to due at once (or at `dueAt`); a failure leaves it to its lease. */
  private async giveBack(delivery: ClaimedDelivery, dueAt?: Date): Promise<void> {
    try {
      await releaseDelivery(this.em(), delivery, new Date(), dueAt);
    } catch (error) {
      this.log!.warn({ err: error, deliveryId: delivery.id }, 'webhook delivery could not be given back; its lease will expire');
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
