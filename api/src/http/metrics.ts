import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Orm } from '../db/orm.js';
import type { EngineMetrics } from '../engine/metrics.js';
import { query, toDbTime, dialectOf } from '../db/sql.js';
import { countByStatus } from '../jobs/job-stats.sql.js';
import type { WebhookLog } from '../webhooks/webhook-log.entity.js';
import type { WebhookEvents } from '../webhooks/webhook.events.js';

/**
 * Prometheus metrics at `/metrics`. One registry per app (not prom-client's global one) so that several
 * servers in one test process keep separate counts. Job counts are read from the database when scraped,
 * so every API replica reports the same, true numbers; latencies are observed where they happen
 * (the engine's `EngineMetrics`, and `countWebhookAttempt` for the webhook sender).
 */

const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;

export type WebhookOutcome = 'success' | 'http_error' | 'timeout' | 'network_error' | 'refused';

export interface Metrics extends EngineMetrics {
  registry: Registry;
  /** Live subscriptions and the shared executions serving them (graphql/fanout.ts). */
  watchSubscriptions(fanout: { size: number; members: number }): void;
  /** One webhook delivery attempt and how it went. */
  countWebhookAttempt(outcome: WebhookOutcome): void;
  /** Finished jobs of a status deleted by retention or pruneJobs in this process. */
  countPruned(status: string, count: number): void;
  /** One pass over the alert rules, run by this process (the one holding the evaluator lease). */
  countAlertEvaluation(): void;
  /** One HTTP GraphQL request and who executed it: graphql-js directly, or Apollo's pipeline. */
  countGraphqlRequest(executor: 'direct' | 'apollo'): void;
}

/** How one recorded webhook attempt went, from its log row (status, or the sender's error text). */
export function webhookOutcomeOf(log: Pick<WebhookLog, 'responseStatus' | 'error'>): WebhookOutcome {
  if (log.responseStatus != null) return log.responseStatus >= 200 && log.responseStatus < 300 ? 'success' : 'http_error';
  const error = log.error ?? '';
  if (/timeout|timed out/i.test(error)) return 'timeout';
  if (/not allowed|refused to|private|loopback|link-local|metadata|reserved/i.test(error)) return 'refused';
  return 'network_error';
}

/** Wraps the webhook sender's events so that every recorded attempt is also counted. */
export function countingWebhookAttempts(events: WebhookEvents, metrics: Pick<Metrics, 'countWebhookAttempt'>): WebhookEvents {
  return {
    logAdded(log) {
      metrics.countWebhookAttempt(webhookOutcomeOf(log));
      events.logAdded(log);
    },
  };
}

export function createMetrics(orm: Orm): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const em = () => orm.em.fork();
  // The per-queue gauges collect side by side in one scrape: they share the query in flight.
  let active: Promise<{ status: string; queue: string; n: number }[] | null> | null = null;
  const activeNow = () =>
    (active ??= activeByQueue(em())
      .catch(() => null)
      .finally(() => (active = null)));
  new Gauge({
    name: 'jobs_by_status',
    help: 'Jobs in the database, by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      // A scrape while the database is down keeps the last values; /readyz reports the outage.
      const counts = await countByStatus(em()).catch(() => null);
      if (!counts) return;
      for (const status of STATUSES) this.set({ status }, counts[status.toLowerCase() as Lowercase<typeof status>]);
    },
  });
  new Gauge({
    name: 'jobs_queue_depth',
    help: 'PENDING jobs that are due now (waiting for a free worker)',
    registers: [registry],
    async collect() {
      const fork = em();
      const rows = await query<{ n: number }>(fork, `select count(*) as n from jobs where status = 'PENDING' and run_at <= ?`, [
        toDbTime(dialectOf(fork), new Date()),
      ]).catch(() => null);
      if (rows) this.set(Number(rows[0]?.n ?? 0));
    },
  });

  /** A per-queue gauge of one status, from the scrape's shared count. */
  const perQueue = (name: string, help: string, status: string) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        const rows = await activeNow();
        if (!rows) return;
        this.reset();
        for (const r of rows) if (r.status === status) this.set({ queue: r.queue }, r.n);
      },
    });
  perQueue('jobs_queue_pending', 'PENDING jobs that are due now, by queue (jobs_queue_depth is their sum)', 'PENDING');
  perQueue('jobs_queue_running', 'RUNNING jobs, by queue, across all workers', 'RUNNING');
  const waitSeconds = new Histogram({
    name: 'jobs_queue_wait_seconds',
    help: 'Time from a job being due to its handler starting, by queue (observed by the worker that ran it)',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });

  const claimSeconds = new Histogram({
    name: 'jobs_claim_duration_seconds',
    help: 'Time one claim (select due jobs and mark them RUNNING) takes',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const claimedJobs = new Counter({ name: 'jobs_claimed_total', help: 'Jobs claimed by workers of this process', registers: [registry] });
  const runSeconds = new Histogram({
    name: 'jobs_run_duration_seconds',
    help: 'Handler run time, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const webhookAttempts = new Counter({
    name: 'webhook_attempts_total',
    help: 'Webhook delivery attempts, by outcome',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });

  const prunedJobs = new Counter({
    name: 'jobs_pruned_total',
    help: 'Finished jobs deleted by this process (retention, pruneJobs), with their webhook attempts, errors and logs, by status',
    labelNames: ['status'] as const,
    registers: [registry],
  });

  const alertEvaluations = new Counter({
    name: 'alert_evaluations_total',
    help: 'Passes over the alert rules run by this process (one process at a time across the cluster)',
    registers: [registry],
  });

  const graphqlRequests = new Counter({
    name: 'graphql_http_requests_total',
    help: 'GraphQL requests over HTTP by executor: direct (a JSON POST of a known document) or apollo (everything else)',
    labelNames: ['executor'] as const,
    registers: [registry],
  });

  return {
    registry,
    countGraphqlRequest(executor) {
      graphqlRequests.inc({ executor });
    },
    countAlertEvaluation() {
      alertEvaluations.inc();
    },
    countPruned(status, count) {
      prunedJobs.inc({ status }, count);
    },
    observeClaim(durationMs, claimed) {
      claimSeconds.observe(durationMs / 1000);
      if (claimed > 0) claimedJobs.inc(claimed);
    },
    observeRun(durationMs, outcome) {
      runSeconds.observe({ outcome }, durationMs / 1000);
    },
    observeWait(queue, waitMs) {
      waitSeconds.observe({ queue }, waitMs / 1000);
    },
    countWebhookAttempt(outcome) {
      webhookAttempts.inc({ outcome });
    },
    watchSubscriptions(fanout) {
      new Gauge({
        name: 'graphql_ws_subscriptions',
        help: 'Live graphql-ws subscriptions on this process',
        registers: [registry],
        collect() {
          this.set(fanout.members);
        },
      });
      new Gauge({
        name: 'graphql_ws_subscription_groups',
        help: 'Distinct subscriptions (operation, variables, viewer): each event is executed once per group',
        registers: [registry],
        collect() {
          this.set(fanout.size);
        },
      });
    },
  };
}

/** Due PENDING and RUNNING jobs per queue: two ranges of the claim index, whose prefix is (status, queue). */
async function activeByQueue(fork: ReturnType<Orm['em']['fork']>): Promise<{ status: string; queue: string; n: number }[]> {
  const rows = await query<{ status: string; queue: string; n: unknown }>(
    fork,
    `select status, queue, count(*) as n from jobs where (status = 'PENDING' and run_at <= ?) or status = 'RUNNING' group by status, queue`,
    [toDbTime(dialectOf(fork), new Date())],
  );
  return rows.map((r) => ({ status: r.status, queue: r.queue, n: Number(r.n) }));
}

/** Serves `/metrics` and times every HTTP request by route (the route pattern, so ids do not explode labels). */
export function registerMetrics(app: FastifyInstance, metrics: Metrics): void {
  const httpSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    httpSeconds.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', async (_req, reply) => {
    const body = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
}
