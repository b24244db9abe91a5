import 'reflect-metadata';
import type { Socket } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { Config } from './config.js';
import { migrate, openOrm, type Orm } from './db/orm.js';
import { createApollo } from './graphql/apollo.js';
import { createDirectExecution } from './graphql/direct-execution.js';
import type { Context, Services } from './graphql/context.js';
import { buildAppSchema } from './graphql/schema.js';
import { attachGraphqlWs } from './graphql/ws.js';
import { DEFAULT_LIMITS, limitValidationRules } from './graphql/limits.js';
import { operationGuardPlugin, wsAuthorizer } from './graphql/operation-guard.js';
import { authenticate, clientIdOf, requireViewer } from './http/auth.js';
import { registerHealth } from './http/health.js';
import { countingWebhookAttempts, createMetrics, registerMetrics } from './http/metrics.js';
import { registerHttpSecurity } from './http/security.js';
import { createFastify, fastifyApolloDrainPlugin, registerGraphql } from './http/server.js';
import { defaultWebDist, registerDashboard } from './http/static.js';
import type { Job } from './jobs/job.entity.js';
import { JobLogWriter } from './jobs/job-logs.js';
import { JobsService } from './jobs/jobs.service.js';
import { catalogFor, Engine } from './engine/engine.js';
import { loadTaskModules, tasksDirOf } from './tasks/load-modules.js';
import type { FinishHook } from './engine/finish-hooks.js';
import type { CancelHook } from './jobs/cancel-hooks.js';
import { Scheduler } from './schedules/scheduler.js';
import { Pruner } from './retention/pruner.js';
import { AlertEvaluator } from './alerts/evaluator.js';
import { AlertsService } from './alerts/alerts.service.js';
import { retentionDefaults, type FinalStatus } from './retention/retention.js';
import { RetentionService } from './retention/retention.service.js';
import { BulkJobsService } from './jobs/bulk/bulk-jobs.service.js';
import { FailuresService } from './jobs/failures/failures.service.js';
import { JobsChangedAction } from './jobs/bulk/bulk.types.js';
import { SchedulesService } from './schedules/schedules.service.js';
import { ThroughputService } from './jobs/throughput.service.js';
import { recordEnds } from './jobs/throughput.sql.js';
import { createLive } from './live/live.js';
import { wakeOnJobsCreated } from './live/wake-workers.js';
import { assertSafeUrl } from './net/ssrf.js';
import { createWebhooks } from './webhooks/webhooks.js';
import { every } from './loop/poll-loop.js';
import { LocalPresence } from './workers/local-presence.js';
import { RemoteTasks } from './workers/remote-tasks.js';
import { publishLeasesLost } from './workers/lease-events.js';
import { FORGET_AFTER_LEASES, WorkersService } from './workers/workers.service.js';

/** How often each process re-reads the tasks remote workers announced (a miss reads at once). */
const REMOTE_TASKS_REFRESH_MS = 2000;

export interface App {
  url: string;
  orm: Orm;
  services: Services;
  stop: () => Promise<void>;
}

const closedSignals = new WeakMap<Socket, AbortSignal>();

/** One signal per connection (a keep-alive socket carries many requests), aborted when it closes. */
function connectionClosed(socket: Socket): AbortSignal {
  let signal = closedSignals.get(socket);
  if (!signal) {
    const controller = new AbortController();
    socket.once('close', () => controller.abort());
    closedSignals.set(socket, (signal = controller.signal));
  }
  return signal;
}

/** Starts the whole product for one config: database, GraphQL over HTTP, dashboard. Tests call it too. */
export async function bootstrap(config: Config): Promise<App> {
  // Task modules first: one that does not load stops the start before anything else is opened.
  const catalog = catalogFor(config);
  const tasksDir = tasksDirOf(config.TASKS_DIR);
  if (tasksDir) await loadTaskModules(catalog, tasksDir);
  const orm = await openOrm(config.database, config.DB_POOL_MAX);
  if (config.MIGRATE_ON_START ?? config.database.dialect === 'sqlite') await migrate(orm);

  const live = await createLive(orm, config.REDIS_URL, config.REDIS_CHANNEL_PREFIX);
  const metrics = createMetrics(orm);
  const webhooks = createWebhooks(orm, config, countingWebhookAttempts(live.events, metrics));
  // Run inside the transaction that writes COMPLETED or a final FAILED: the webhook outbox row and the
  // throughput counters commit with it. Counters last: their rows are the ones finish batches share.
  const finishHooks: FinishHook[] = [(em, jobs, outcome) => webhooks.recordOnFinish(em, jobs, outcome), recordEnds];
  // Run inside the transaction that writes CANCELLED, on every cancel path: `job.cancelled` for endpoints.
  const cancelHooks: CancelHook[] = [(em, ids) => webhooks.recordOnCancel(em, ids)];
  const http = createFastify(config);
  // Runner and scheduler run with ROLE=all and ROLE=worker; ROLE=api leaves running jobs to worker processes.
  const logs = new JobLogWriter(orm, live.events, http.log);
  const engine = new Engine({
    orm,
    config,
    events: live.events,
    finishHooks,
    cancelHooks,
    log: http.log,
    metrics,
    catalog,
    logs,
    onLeasesTaken: (taken) => publishLeasesLost(live.bus, taken),
  });
  const scheduler =
    config.ROLE === 'api'
      ? null
      : new Scheduler({
          orm,
          events: engine.events,
          log: http.log,
          defaultsOf: (name) => ({ ...catalog.defaultsOf(name), simulated: catalog.simulates(name) }),
        });
  const pruned = (status: FinalStatus, ids: readonly number[]) => {
    metrics.countPruned(status, ids.length);
    live.events.jobsChanged(JobsChangedAction.DELETED, ids, []);
  };
  // Every worker process runs a pruner; a lease in the database lets one of them prune at a time.
  const pruner =
    config.ROLE === 'api'
      ? null
      : new Pruner({
          orm,
          log: http.log,
          owner: engine.owner,
          defaults: retentionDefaults(config),
          batch: config.PRUNE_BATCH,
          maxPerSecond: config.PRUNE_MAX_PER_SECOND,
          intervalMs: config.PRUNE_INTERVAL_MS,
          pruned,
        });
  const alerts = new AlertsService(orm, live.bus, () => webhooks.wake());
  webhooks.alertWith(alerts);
  // Every worker process runs an evaluator; its own lease lets one of them evaluate at a time.
  const evaluator =
    config.ROLE === 'api'
      ? null
      : new AlertEvaluator({
          orm,
          log: http.log,
          owner: engine.owner,
          alerts,
          intervalMs: config.ALERT_EVALUATION_INTERVAL_MS,
          evaluated: () => metrics.countAlertEvaluation(),
        });
  const jobs = new JobsService(orm, engine.events, engine.queue.registry, cancelHooks);
  const remoteTasks = new RemoteTasks(orm, catalog, FORGET_AFTER_LEASES * config.LEASE_MS, http.log);
  await remoteTasks.refresh();
  const workers = new WorkersService({
    orm,
    config,
    bus: live.bus,
    remoteTasks,
    log: http.log,
    catalog,
    finishHooks,
    events: engine.events,
    logs,
  });
  const presence = engine.runner
    ? new LocalPresence({
        orm,
        log: http.log,
        id: engine.owner,
        queues: config.WORKER_QUEUES,
        tasks: () => catalog.localNames(),
        concurrency: config.WORKER_CONCURRENCY,
        leaseMs: config.LEASE_MS,
        version: process.env.npm_package_version ?? null,
      })
    : null;
  const cancelRunning = async (job: Job): Promise<Job> => {
    const cancelled = await engine.cancelRunning(job);
    if (!cancelled) return jobs.cancel(job.id, cancelRunning);
    workers.leaseCancelled(job);
    return cancelled;
  };
  const schedules = new SchedulesService(orm, jobs, engine.tasks, engine.queue.registry, () => scheduler?.notify());
  const services: Services = {
    config,
    jobs,
    checkUrl: (field, url) => assertSafeUrl(field, url, config.allowList),
    throughput: new ThroughputService(orm),
    live,
    webhooks: webhooks.service,
    webhookEndpoints: webhooks.endpoints,
    webhookDeliveries: webhooks.deliveries,
    queue: engine.queue,
    schedules,
    bulk: new BulkJobsService(orm, live.events, cancelRunning, cancelHooks),
    failures: new FailuresService(orm),
    retention: new RetentionService(orm, retentionDefaults(config), config.PRUNE_BATCH, pruned),
    tasks: engine.tasks,
    workers,
    remoteTasks,
    cancelRunning,
    alerts,
  };

  const security = await registerHttpSecurity(http, config);
  registerMetrics(http, metrics);
  const guard = { config, runJobLimiter: security.runJobLimiter };
  const schema = await buildAppSchema();
  const logResolverError = (err: unknown) => http.log.error({ err }, 'graphql resolver failed');
  const apollo = createApollo(schema, config, logResolverError, [fastifyApolloDrainPlugin(http), operationGuardPlugin(guard)]);
  await apollo.start();

  const context = async (req: FastifyRequest): Promise<Context> => {
    const viewer = requireViewer(config, req.headers.authorization);
    return { services, viewer, clientId: clientIdOf(viewer, req.ip, config), gone: connectionClosed(req.raw.socket) };
  };
  const direct = createDirectExecution({ schema, guard, context, log: logResolverError });
  registerGraphql(http, apollo, context, direct, (executor) => metrics.countGraphqlRequest(executor));
  registerHealth(http, orm);
  await webhooks.registerReceiver(http);
  await registerDashboard(http, config.WEB_DIST ?? defaultWebDist());

  const ws = attachGraphqlWs(http.server, {
    schema,
    services,
    log: (err) => http.log.warn({ err }, 'graphql-ws error'),
    // No or unknown token → the socket closes with 4403; then the HTTP rules, operation by operation.
    authenticate: (authorization) => {
      const viewer = authenticate(config, authorization);
      return viewer === 'invalid' ? null : viewer;
    },
    authorize: wsAuthorizer(guard, (viewer, address) => clientIdOf(viewer, address, config)),
    validationRules: limitValidationRules(),
    maxTokens: DEFAULT_LIMITS.maxTokens,
  });
  metrics.watchSubscriptions(ws.fanout);

  await http.listen({ port: config.PORT, host: config.HOST });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://127.0.0.1:${port}`;
  await webhooks.start(url, http.log);
  engine.start();
  await presence?.start();
  const stopRemoteTasks = every(REMOTE_TASKS_REFRESH_MS, 'remote task refresh', http.log, () => remoteTasks.refresh());
  scheduler?.start();
  pruner?.start();
  evaluator?.start();
  const wake = engine.runner && live.bus.transport === 'redis' ? wakeOnJobsCreated(live.bus, engine.runner) : null;

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      // Long polls answer at once; then the engine: running jobs finish (writing their outbox rows) while webhooks still send.
      workers.close();
      await stopRemoteTasks();
      await Promise.all([scheduler?.stop(), pruner?.stop(), evaluator?.stop(), engine.stop()]);
      await presence?.stop();
      await wake?.stop();
      await logs.close();
      await webhooks.stop(config.SHUTDOWN_GRACE_MS);
      await ws.close();
      await http.close();
      await security.close();
      await live.close();
      await orm.close(true);
    })());
  return { url, orm, services, stop };
}
