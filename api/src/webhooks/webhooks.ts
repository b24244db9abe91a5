import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import type { Em, Orm } from '../db/orm.js';
import type { Job } from '../jobs/job.entity.js';
import type { Log } from '../log.js';
import { DeliveryLoop } from './delivery-loop.js';
import { recordDeliveries, WebhookTargets, type DeliveryTarget } from './outbox.js';
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
  recordOnFinish(em: Em, jobs: readonly Job[]): Promise<void>;
  /**
   * Cancel hook: records `job.cancelled` for the registered endpoints subscribed to it, in the cancelling
   * transaction. OUTBOUND_WEBHOOK and per-job URLs get no cancel messages (the seed's contract).
   */
  recordOnCancel(em: Em, jobIds: readonly number[]): Promise<void>;
  registerReceiver(http: FastifyInstance): Promise<void>;
  /** After listen: the own receiver becomes the default target; worker processes start sending. */
  start(baseUrl: string, log: Log): Promise<void>;
  stop(graceMs: number): Promise<void>;
}

export function createWebhooks(orm: Orm, config: Config, events: WebhookEvents): Webhooks {
  const directory = new EndpointDirectory(orm);
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
    },
    events,
  );
  const service = new WebhooksService(orm, targets, received, () => loop.notify());
  const endpoints = new EndpointsService(
    orm,
    directory,
    (field, url) => assertSafeUrl(field, url, config.allowList),
    () => targets.builtInUrl(),
  );
  const deliveries = new DeliveriesService(
    orm,
    (id) => endpoints.targetOf(id),
    () => loop.notify(),
  );
  const record = async (em: Em, items: readonly { job: Job; target: DeliveryTarget }[]) => {
    if (items.length === 0) return;
    await recordDeliveries(em, items);
    // The row is visible once the caller commits; a short delay lets that happen before we look.
    if (sends) setTimeout(() => loop.notify(), 5).unref();
  };
  return {
    service,
    endpoints,
    deliveries,
    wake: () => loop.notify(),
    async recordOnFinish(em, jobs) {
      const items: { job: Job; target: DeliveryTarget }[] = [];
      for (const job of jobs) {
        const target = targets.forJob(job);
        if (target) items.push({ job, target });
        // Registered endpoints are user-supplied URLs: SSRF-guarded on every connect, as per-job ones.
        for (const endpoint of directory.matching(job))
          items.push({ job, target: { url: endpoint.url, trusted: false, endpointId: endpoint.id } });
      }
      await record(em, items);
    },
    async recordOnCancel(em, jobIds) {
      if (!directory.subscribed('job.cancelled')) return;
      const items: { job: Job; target: DeliveryTarget }[] = [];
      for (const job of await loadJobs(em, jobIds)) {
        for (const endpoint of directory.matching(job))
          items.push({ job, target: { url: endpoint.url, trusted: false, endpointId: endpoint.id } });
      }
      await record(em, items);
    },
    registerReceiver: (http) => registerWebhookReceiver(http, config.WEBHOOK_SECRET, received),
    async start(baseUrl, log) {
      targets.useOwnReceiver(baseUrl);
      await directory.start(log);
      if (sends) loop.start(log);
    },
    stop: (graceMs) => {
      directory.stop();
      return loop.stop(graceMs);
    },
  };
}
