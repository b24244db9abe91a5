import type { OptionalProps } from '@mikro-orm/core';
import type { Job } from '../jobs/job.entity.js';
import type { JobMessage, WebhookLogMessage } from './pubsub.js';
import type { WebhookLog } from '../webhooks/webhook-log.entity.js';

/** Job fields with no GraphQL field: they stay out of live messages. */
type PrivateField = 'snoozes' | 'scheduleTickAt' | 'leaseOwner' | 'leaseExpiresAt' | 'failureSignature';

let lastTime = Number.NaN;
let lastIso = '';

/**
 * A message's instants as ISO strings, as they arrive through Redis anyway: `JSON.stringify` calls each
 * Date's `toJSON`, several times slower than copying a string, and the jobs of one `createJobs` or finish
 * batch mostly share their instants, so the last one's text is kept.
 */
export function isoOf(date: Date | string | null | undefined): string | null {
  if (typeof date === 'string') return date;
  const time = date ? date.getTime() : Number.NaN;
  if (Number.isNaN(time)) return null;
  if (time !== lastTime) {
    lastTime = time;
    lastIso = date!.toISOString();
  }
  return lastIso;
}

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
    runAt: isoOf(job.runAt),
    createdAt: isoOf(job.createdAt),
    updatedAt: isoOf(job.updatedAt),
    startedAt: isoOf(job.startedAt),
    completedAt: isoOf(job.completedAt),
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
    createdAt: isoOf(log.createdAt),
  };
}
