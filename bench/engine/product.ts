/** The product's engine as the benchmarks run it: a noop job and a worker with the webhook outbox hook. */
import type { Config } from '../../api/src/config.js';
import type { Orm } from '../../api/src/db/orm.js';
import { Priority } from '../../api/src/jobs/job.enums.js';
import { recordEnds } from '../../api/src/jobs/throughput.sql.js';
import { silentJobEvents } from '../../api/src/jobs/job.events.js';
import type { NewJob } from '../../api/src/jobs/job.validate.js';
import { Engine } from '../../api/src/engine/engine.js';
import { silentLog } from '../../api/src/log.js';
import { createWebhooks } from '../../api/src/webhooks/webhooks.js';
import { silentWebhookEvents } from '../../api/src/webhooks/webhook.events.js';

export type Webhooks = ReturnType<typeof createWebhooks>;

/** A validated `bench.noop` job, as `JobsService.create` receives it after `createJob`'s checks. */
export const noopJob = (i: number): NewJob => ({
  taskName: 'bench.noop',
  queue: 'default',
  concurrencyKey: null,
  payload: { i },
  priority: Priority.LOW,
  runAt: new Date(),
  maxAttempts: 3,
  timeoutMs: null,
  webhookUrl: null,
  idempotencyKey: null,
});

/**
 * One `Engine` as in a ROLE=worker process, with the product's finish hooks: every completion writes its
 * webhook outbox row and its throughput count in the same transaction. `handler` gets each job's payload.
 */
export function noopEngine(
  orm: Orm,
  base: Config,
  webhooks: Webhooks,
  concurrency: number,
  handler: (payload: Record<string, unknown>) => void,
): Engine {
  return new Engine({
    orm,
    config: { ...base, ROLE: 'worker', WORKER_CONCURRENCY: concurrency } as Config,
    events: silentJobEvents,
    finishHooks: [(tx, finished, outcome) => webhooks.recordOnFinish(tx, finished, outcome), recordEnds],
    log: silentLog,
    tasks: { 'bench.noop': { handler: (job) => handler(job.payload ?? {}) } },
  });
}

/** The webhooks part with ROLE=api: it records outbox rows on finish; its delivery loop never starts. */
export function outboxOnly(orm: Orm, base: Config): Webhooks {
  const webhooks = createWebhooks(orm, { ...base, ROLE: 'api' }, silentWebhookEvents);
  webhooks.start('http://127.0.0.1:5000', silentLog);
  return webhooks;
}
