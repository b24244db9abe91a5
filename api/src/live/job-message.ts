import type { Job } from '../jobs/job.entity.js';
import type { JobMessage, WebhookLogMessage } from './pubsub.js';
import type { WebhookLog } from '../webhooks/webhook-log.entity.js';

/** The GraphQL-visible fields of a Job, as plain data (lease columns stay private). */
export function toJobMessage(job: Job): JobMessage {
  return {
    id: job.id,
    taskName: job.taskName,
    payload: job.payload ?? null,
    priority: job.priority,
    status: job.status,
    attempts: job.attempts,
    maxAttempts: job.maxAttempts,
    simulated: job.simulated,
    lastError: job.lastError ?? null,
    progress: job.progress,
    result: job.result ?? null,
    runAt: job.runAt,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    startedAt: job.startedAt ?? null,
    completedAt: job.completedAt ?? null,
    runDurationMs: job.runDurationMs ?? null,
    timeoutMs: job.timeoutMs ?? null,
    webhookUrl: job.webhookUrl ?? null,
    idempotencyKey: job.idempotencyKey ?? null,
    scheduleId: job.scheduleId ?? null,
  };
}

export function toWebhookLogMessage(log: WebhookLog): WebhookLogMessage {
  return {
    id: log.id,
    jobId: log.jobId,
    url: log.url,
    requestBody: log.requestBody ?? null,
    responseStatus: log.responseStatus ?? null,
    responseBody: log.responseBody ?? null,
    attempt: log.attempt,
    error: log.error ?? null,
    durationMs: log.durationMs ?? null,
    createdAt: log.createdAt,
  };
}
