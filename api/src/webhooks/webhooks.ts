import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Em, Orm } from '../db/orm.js';
import type { FinishOutcome } from '../engine/finish-hooks.js';
import type { Job } from '../jobs/job.entity.js';
import type { Log } from '../log.js';
import { DeliveryLoop } from './delivery-loop.js';
import { nextAttemptNumbers, recordDeliveries, WebhookTargets, type DeliveryTarget } from './outbox.js';
import { serializeWebhookBody } from './webhook-body.js';
import { newMessageId } from './signatures.js';
import { recordUnsent, type UnsentMessage } from './endpoints/disabled-deliveries.js';
import type { DisabledEndpoint } from './sql/endpoint-streak.js';
import { ReceivedWebhooks } from './received-webhooks.js';
import { registerWebhookReceiver } from './receiver.js';
import type { WebhookEvents } from './webhook.events.js';
import { WebhooksService } from './webhooks.service.js';
import { EndpointDirectory } from './endpoints/endpoint-directory.js';
import { EndpointsService } from './endpoints/endpoints.service.js';
import { DeliveriesService } from './deliveries/deliveries.service.js';
import { assertSafeUrl } from '../net/ssrf.js';
import { loadJobs } from '../jobs/list-jobs.sql.js';

/** The webhooks part of the app, built once in bootstrap. */
export interface Webhooks {
  service: WebhooksService;
  endpoints: EndpointsService;
  deliveries: DeliveriesService;
  /** Wakes the sender: outbox rows written outside a finish (alerts) are sent at once. */
  wake(): void;
  /** Finish hook: records the finished jobs' deliveries in the transaction that finishes them. */
  recordOnFinish(em: Em, jobs: readonly Job[], outcome: FinishOutcome): Promise<void>;
  /**
   * Cancel hook: records `job.cancelled` for the registered endpoints subscribed to it, in the cancelling
   * transaction. OUTBOUND_WEBHOOK and per-job URLs get no cancel messages (the seed's contract).
   */
  recordOnCancel(em: Em, jobIds: readonly number[]): Promise<void>;
  registerReceiver(http: FastifyInstance): Promise<void>;
  /** Who hears that an endpoint disabled itself or was enabled again (the alerts, built after webhooks). */
  alertWith(alerts: EndpointAlerts): void;
  /** After listen: the own receiver becomes the default target; worker processes start sending. */
  start(baseUrl: string, log: Log): Promise<void>;
  stop(graceMs: number): Promise<void>;
}

/** The alerting side of auto-disable: an ENDPOINT_DISABLED alert fires, and resolves on re-enabling. */
export interface EndpointAlerts {
  endpointDisabled(endpoint: DisabledEndpoint): Promise<unknown>;
  endpointReenabled(endpointId: number): Promise<unknown>;
}

export function createWebhooks(orm: Orm, config: Config, events: WebhookEvents): Webhooks {
  const directory = new EndpointDirectory(orm);
  let alerts: EndpointAlerts | null = null;
  let log: Log | null = null;
  /** After the commit that disabled them: this process stops recording for them at once, then the alert fires. */
  const disabled = (endpoints: DisabledEndpoint[]) => {
    void (async () => {
      await directory.refresh();
      for (const endpoint of endpoints) await alerts?.endpointDisabled(endpoint);
    })().catch((error: unknown) => log?.error({ err: error }, 'an auto-disabled endpoint could not be announced'));
  };
  const targets = new WebhookTargets(config.OUTBOUND_WEBHOOK, () => directory.builtInEnabled);
  const received = new ReceivedWebhooks();
  const sends = config.ROLE !== 'api';
  const loop = new DeliveryLoop(
    orm,
    {
      secret: config.WEBHOOK_SECRET,
      retry: { maxRetries: config.WEBHOOK_MAX_RETRIES, baseMs: config.WEBHOOK_RETRY_BASE_MS },
      timeoutMs: config.WEBHOOK_TIMEOUT_MS,
      concurrency: config.WEBHOOK_CONCURRENCY,
      pollMs: config.WORKER_POLL_MS,
      leaseMs: config.WEBHOOK_TIMEOUT_MS + config.LEASE_MS,
      allowed: config.allowList,
      endpointKeys: (id) => directory.keysFor(id),
      endpointEnabled: (id) => directory.isEnabled(id),
      endpointLimits: (id) => directory.limitsOf(id),
      endpointsDisabled: disabled,
    },
    events,
  );
  const service = new WebhooksService(orm, targets, received, () => loop.notify());
  const endpoints = new EndpointsService(
    orm,
    directory,
    (field, url) => assertSafeUrl(field, url, config.allowList),
    () => targets.builtInUrl(),
    { disableAfterFailures: config.WEBHOOK_DISABLE_AFTER_FAILURES, disableAfterMs: config.WEBHOOK_DISABLE_AFTER_MS },
    async (id) => {
      await alerts?.endpointReenabled(id);
    },
  );
  const deliveries = new DeliveriesService(
    orm,
    (id) => endpoints.targetOf(id),
    (id) => endpoints.isEnabled(id),
    () => loop.notify(),
  );
  /**
   * The jobs' messages, in the caller's transaction: to OUTBOUND_WEBHOOK or the job's own URL when
   * `ownTargets` (finishes), and to the registered endpoints that want them — recorded FAILED, unsent,
   * for the disabled ones. A finish (`outcome`) in a sending process writes as many as its sender has
   * room for leased to it and hands them over once they commit: no claim, no wait for the next look.
   */
  const recordFor = async (em: Em, jobs: readonly Job[], ownTargets: boolean, outcome?: FinishOutcome) => {
    const items: { job: Job; target: DeliveryTarget }[] = [];
    const unsent: { job: Job; endpoint: { id: number; url: string } }[] = [];
    for (const job of jobs) {
      const target = ownTargets ? targets.forJob(job) : null;
      if (target) items.push({ job, target });
      // Registered endpoints are user-supplied URLs: SSRF-guarded on every connect, as per-job ones.
      for (const endpoint of directory.matching(job))
        items.push({ job, target: { url: endpoint.url, trusted: false, endpointId: endpoint.id } });
      for (const endpoint of directory.disabledMatching(job)) unsent.push({ job, endpoint });
    }
    if (unsent.length > 0) await recordUnsentFor(em, unsent);
    if (items.length === 0) return;
    const lease = outcome && sends ? loop.lease(items.length) : null;
    if (lease) outcome!.onAbandon(() => loop.unreserve(lease));
    const claimed = await recordDeliveries(em, items, lease);
    if (lease) outcome!.onCommit(() => loop.adopt(lease, claimed));
    // The rows are visible once the caller commits; a short delay lets that happen before we look.
    if (sends && claimed.length < items.length) setTimeout(() => loop.notify(), 5).unref();
  };
  return {
    service,
    endpoints,
    deliveries,
    wake: () => loop.notify(),
    recordOnFinish: (em, jobs, outcome) => recordFor(em, jobs, true, outcome),
    async recordOnCancel(em, jobIds) {
      if (!directory.subscribed('job.cancelled')) return;
      await recordFor(em, await loadJobs(em, jobIds), false);
    },
    registerReceiver: (http) => registerWebhookReceiver(http, config.WEBHOOK_SECRET, received),
    alertWith(endpointAlerts) {
      alerts = endpointAlerts;
    },
    async start(baseUrl, startLog) {
      log = startLog;
      targets.useOwnReceiver(baseUrl);
      await directory.start(startLog);
      if (sends) loop.start(startLog);
    },
    stop: (graceMs) => {
      directory.stop();
      return loop.stop(graceMs);
    },
  };
}

/** Messages for disabled endpoints, FAILED unsent, with the body and attempt numbering a replay will use. */
async function recordUnsentFor(em: Em, unsent: readonly { job: Job; endpoint: { id: number; url: string } }[]): Promise<void> {
  const firstAttempts = await nextAttemptNumbers(
    em,
    unsent.map(({ job }) => Number(job.id)),
  );
  const messages: UnsentMessage[] = unsent.map(({ job, endpoint }) => ({
    jobId: Number(job.id),
    endpointId: endpoint.id,
    url: endpoint.url,
    messageId: newMessageId(),
    body: serializeWebhookBody(job),
    firstAttempt: firstAttempts.get(Number(job.id)) ?? 1,
  }));
  await recordUnsent(em, messages);
}
