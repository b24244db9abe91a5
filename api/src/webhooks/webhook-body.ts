import { Job } from '../jobs/job.entity.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';

/** The job events, by the status a job ended in. */
export const JOB_EVENT_OF_STATUS = {
  [JobStatus.COMPLETED]: 'job.completed',
  [JobStatus.FAILED]: 'job.failed',
  [JobStatus.CANCELLED]: 'job.cancelled',
} as const;

export type EndedStatus = keyof typeof JOB_EVENT_OF_STATUS;
export type JobEventType = (typeof JOB_EVENT_OF_STATUS)[EndedStatus];

/** What a receiver gets: the SPEC's keys, in this order. `lastError` only on `job.failed`. */
export interface WebhookBody {
  type: JobEventType;
  jobId: number;
  taskName: string;
  priority: keyof typeof Priority;
  status: EndedStatus;
  payload: Record<string, unknown>;
  completedAt: string;
  runDurationMs: number | null;
  attempts: number;
  lastError?: string | null;
}

function priorityName(priority: Priority | string): keyof typeof Priority {
  return (typeof priority === 'number' ? Priority[priority] : priority) as keyof typeof Priority;
}

/**
 * Serializes an ended job's message once (COMPLETED, FAILED or CANCELLED; `completedAt` is when it
 * ended). The string is stored in the outbox and is exactly the bytes signed and sent on every
 * attempt. It is plain `JSON.stringify` output, so `JSON.stringify(JSON.parse(body)) === body` and the
 * seed's `verifySignature` (which re-serializes the parsed body) computes the same HMAC as a receiver
 * hashing the raw bytes.
 */
export function serializeWebhookBody(job: Job): string {
  const failed = job.status === JobStatus.FAILED;
  const status: EndedStatus = failed ? JobStatus.FAILED : job.status === JobStatus.CANCELLED ? JobStatus.CANCELLED : JobStatus.COMPLETED;
  const body: WebhookBody = {
    type: JOB_EVENT_OF_STATUS[status],
    jobId: Number(job.id),
    taskName: job.taskName,
    priority: priorityName(job.priority),
    status,
    payload: job.payload ?? {},
    completedAt: (job.completedAt ?? new Date()).toISOString(),
    runDurationMs: job.runDurationMs ?? null,
    attempts: job.attempts,
    ...(failed ? { lastError: job.lastError ?? null } : {}),
  };
  return JSON.stringify(body);
}

/** The `webhook.test` body sendTestWebhook writes; `endpointId` as the caller named it ("outbound" for the built-in one). */
export function serializeTestBody(endpointId: string, sentAt: Date): string {
  return JSON.stringify({ type: 'webhook.test', endpointId, sentAt: sentAt.toISOString() });
}
