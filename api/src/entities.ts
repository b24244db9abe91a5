/** Every entity of the product, for the ORM: the composition root names the domains, so `db/` need not. */
import { Alert, AlertRule } from './alerts/alert.entity.js';
import { Job } from './jobs/job.entity.js';
import { JobError } from './jobs/job-error.entity.js';
import { JobLogLine } from './jobs/job-log.entity.js';
import { ThroughputMinute } from './jobs/throughput-minute.entity.js';
import { QueueStart, QueueState } from './queues/queue-state.entity.js';
import { Lease } from './retention/lease.entity.js';
import { Schedule } from './schedules/schedule.entity.js';
import { ScheduleFire } from './schedules/fires/schedule-fire.entity.js';
import { WebhookDelivery } from './webhooks/webhook-delivery.entity.js';
import { WebhookLog } from './webhooks/webhook-log.entity.js';
import { WebhookEndpoint } from './webhooks/endpoints/webhook-endpoint.entity.js';
import { WorkerRow } from './workers/worker.entity.js';

export const entities = [
  Job,
  JobError,
  JobLogLine,
  WebhookLog,
  WebhookDelivery,
  WebhookEndpoint,
  Schedule,
  ScheduleFire,
  QueueState,
  QueueStart,
  ThroughputMinute,
  WorkerRow,
  Lease,
  AlertRule,
  Alert,
];
