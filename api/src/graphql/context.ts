import type { Config } from '../config.js';
import type { Job } from '../jobs/job.entity.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { UrlCheck } from '../jobs/job.validate.js';
import type { ThroughputService } from '../jobs/throughput.service.js';
import type { Live } from '../live/live.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import type { EndpointsService } from '../webhooks/endpoints/endpoints.service.js';
import type { DeliveriesService } from '../webhooks/deliveries/deliveries.service.js';
import type { TaskCatalog } from '../tasks/catalog.js';
import type { QueueService } from '../queues/queue.service.js';
import type { SchedulesService } from '../schedules/schedules.service.js';
import type { AlertsService } from '../alerts/alerts.service.js';
import type { RetentionService } from '../retention/retention.service.js';
import type { BulkJobsService } from '../jobs/bulk/bulk-jobs.service.js';
import type { FailuresService } from '../jobs/failures/failures.service.js';
import type { WorkersService } from '../workers/workers.service.js';
import type { RemoteTasks } from '../workers/remote-tasks.js';

/** `worker`: a job-running service (see http/auth.ts for what it may call). */
export type Role = 'admin' | 'viewer' | 'worker';

export interface Viewer {
  name: string;
  role: Role;
}

/** Long-lived collaborators, built once in app.ts and shared by every request. */
export interface Services {
  config: Config;
  jobs: JobsService;
  checkUrl: UrlCheck;
  throughput: ThroughputService;
  live: Live;
  webhooks: WebhooksService;
  webhookEndpoints: EndpointsService;
  webhookDeliveries: DeliveriesService;
  queue: QueueService;
  schedules: SchedulesService;
  retention: RetentionService;
  alerts: AlertsService;
  bulk: BulkJobsService;
  failures: FailuresService;
  /** Task handlers by name; `createJob` checks payloads against them. */
  tasks: TaskCatalog;
  /** Remote workers and the list of every worker process. */
  workers: WorkersService;
  /** The tasks remote workers announced, kept in `tasks`. */
  remoteTasks: RemoteTasks;
  /** The engine's RUNNING → CANCELLED, aborting the handler wherever it runs. */
  cancelRunning: (job: Job) => Promise<Job>;
}

/** Per request (HTTP) or per operation (WebSocket). */
export interface Context {
  services: Services;
  viewer: Viewer;
  clientId: string;
  /** Aborted when the client's connection closes (HTTP): a long poll stops waiting for a client that is gone. */
  gone?: AbortSignal;
}
