import type { OptionalProps } from '@mikro-orm/core';
import type { Job } from '../jobs/job.entity.js';
import type { JobMessage, WebhookLogMessage } from './pubsub.js';
import type { WebhookLog } from '../webhooks/webhook-log.entity.js';

/** Job fields with no GraphQL field: they stay out of live messages. */
type PrivateField = 'snoozes' | 'scheduleTickAt' | 'leaseOwner' | 'leaseExpiresAt' | 'failureSignature';

/** The GraphQL-visible fields of a Job, as plain data; a field added to Job and not here fails to compile. */
export function toJobMessage(job: Job): JobMessage {
  const message: { [K in Exclude<keyof Job, PrivateField | typeof OptionalProps>]-?: unknown } = {
    id: job.id,
    taskName: job.taskName,
    queue: job.queue,
    concurrencyKey: job.concurrencyKey ?? null,
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
    worker: job.worker ?? null,
  };
  return message as JobMessage;
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
