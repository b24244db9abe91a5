import { Job } from '../jobs/job.entity.js';
import { JobStatus, Priority } from '../jobs/job.enums.js';

/** What a receiver gets: the SPEC's keys, in this order. `lastError` only on `job.failed`. */
export interface WebhookBody {
  type: 'job.completed' | 'job.failed';
  jobId: number;
  taskName: string;
  priority: keyof typeof Priority;
  status: JobStatus.COMPLETED | JobStatus.FAILED;
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
 * Serializes a finished job's message once. The string is stored in the outbox and is exactly
 * the bytes signed and sent on every attempt. It is plain `JSON.stringify` output, so
 * `JSON.stringify(JSON.parse(body)) === body` and the seed's `verifySignature` (which re-serializes
 * the parsed body) computes the same HMAC as a receiver hashing the raw bytes.
 */
export function serializeWebhookBody(job: Job): string {
  const failed = job.status === JobStatus.FAILED;
  const body: WebhookBody = {
    type: failed ? 'job.failed' : 'job.completed',
    jobId: Number(job.id),
    taskName: job.taskName,
    priority: priorityName(job.priority),
    status: failed ? JobStatus.FAILED : JobStatus.COMPLETED,
    payload: job.payload ?? {},
    completedAt: (job.completedAt ?? new Date()).toISOString(),
    runDurationMs: job.runDurationMs ?? null,
    attempts: job.attempts,
    ...(failed ? { lastError: job.lastError ?? null } : {}),
  };
  return JSON.stringify(body);
}
