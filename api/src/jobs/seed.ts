import type { Em } from '../db/orm.js';
import { Job } from './job.entity.js';
import { failureSignature } from './failures/signature.js';
import { DEFAULT_MAX_ATTEMPTS, JobStatus, Priority } from './job.enums.js';
import { WebhookLog } from '../webhooks/webhook-log.entity.js';

const TASKS: { name: string; payload: () => Record<string, unknown> }[] = [
  {
    name: 'send-email',
    payload: () => ({ to: pick(['ana@example.com', 'li@example.org', 'sam@example.net']), subject: 'Your weekly report', durationMs: 800 }),
  },
  { name: 'generate-report', payload: () => ({ format: pick(['PDF', 'CSV', 'XLSX']), month: '2026-10', durationMs: 2500 }) },
  {
    name: 'resize-image',
    payload: () => ({ src: `s3://media/uploads/${rand(1000, 9999)}.png`, width: pick([320, 640, 1280]), durationMs: 1200 }),
  },
  { name: 'sync-crm', payload: () => ({ account: `acct_${rand(100, 999)}`, full: Math.random() < 0.2, durationMs: 3000 }) },
  { name: 'cleanup-temp-files', payload: () => ({ olderThanDays: pick([1, 7, 30]), durationMs: 600 }) },
  { name: 'noop', payload: () => ({}) },
];

const ERRORS = ['SMTP 421: service not available', 'timeout after 30000 ms', 'S3 AccessDenied: bucket policy', 'CRM API HTTP 503'];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}
function rand(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}

/**
 * A realistic sample spread over the last two days: every status, priority and task, failed and
 * completed jobs with their webhook attempts (some retried before a 200).
 */
export async function seed(
  em: Em,
  count = 48,
  webhookUrl = 'http://localhost:5000/api/webhook-test',
): Promise<{ jobs: number; webhookLogs: number }> {
  const now = Date.now();
  const statuses = [
    JobStatus.COMPLETED,
    JobStatus.COMPLETED,
    JobStatus.COMPLETED,
    JobStatus.FAILED,
    JobStatus.PENDING,
    JobStatus.PENDING,
    JobStatus.CANCELLED,
    JobStatus.RUNNING,
  ];
  const jobs: Job[] = [];
  for (let i = 0; i < count; i++) {
    const task = TASKS[i % TASKS.length];
    const status = statuses[i % statuses.length];
    const createdAt = new Date(now - (count - i) * 55 * 60_000 + rand(0, 50_000));
    const finished = status === JobStatus.COMPLETED || status === JobStatus.FAILED;
    const runDurationMs = finished ? rand(300, 4800) : null;
    const startedAt = status === JobStatus.PENDING || status === JobStatus.CANCELLED ? null : new Date(createdAt.getTime() + rand(5, 900));
    const completedAt = finished && startedAt ? new Date(startedAt.getTime() + runDurationMs!) : null;
    const lastError = status === JobStatus.FAILED ? pick(ERRORS) : null;
    const job = em.create(Job, {
      taskName: task.name,
      payload: task.payload(),
      priority: pick([Priority.LOW, Priority.LOW, Priority.MEDIUM, Priority.HIGH]),
      status,
      // Sample jobs that look PENDING are due tomorrow so a running worker doesn't pick them all up at once.
      runAt: status === JobStatus.PENDING ? new Date(now + 86_400_000 + i * 60_000) : createdAt,
      attempts: status === JobStatus.FAILED ? DEFAULT_MAX_ATTEMPTS : status === JobStatus.PENDING || status === JobStatus.CANCELLED ? 0 : 1,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      // The sample task names have no task of their own: they run the simulation.
      simulated: true,
      progress: status === JobStatus.COMPLETED ? 1 : status === JobStatus.RUNNING ? 0.4 : 0,
      lastError,
      failureSignature: lastError === null ? null : failureSignature(lastError),
      result: status === JobStatus.COMPLETED ? { ok: true, processed: rand(1, 500) } : null,
      createdAt,
      updatedAt: completedAt ?? startedAt ?? createdAt,
      startedAt,
      completedAt,
      runDurationMs,
      // A RUNNING sample has an expired lease: the engine returns it to PENDING, as after a crash.
      leaseOwner: status === JobStatus.RUNNING ? 'seed' : null,
      leaseExpiresAt: status === JobStatus.RUNNING ? new Date(now - 1000) : null,
    });
    jobs.push(job);
  }
  await em.flush();

  let webhookLogs = 0;
  for (const job of jobs) {
    if (!job.completedAt) continue;
    const body = {
      type: job.status === JobStatus.COMPLETED ? 'job.completed' : 'job.failed',
      jobId: job.id,
      taskName: job.taskName,
      priority: Priority[job.priority],
      status: job.status,
      payload: job.payload,
      completedAt: job.completedAt.toISOString(),
      runDurationMs: job.runDurationMs,
    };
    const failuresFirst = Math.random() < 0.3 ? rand(1, 2) : 0;
    for (let attempt = 1; attempt <= failuresFirst + 1; attempt++) {
      const ok = attempt > failuresFirst;
      em.create(WebhookLog, {
        jobId: job.id,
        url: webhookUrl,
        requestBody: body,
        responseStatus: ok ? 200 : 500,
        responseBody: ok ? '{"ok":true}' : 'Internal Server Error',
        attempt,
        error: ok ? null : 'HTTP 500',
        durationMs: rand(8, 240),
        createdAt: new Date(job.completedAt.getTime() + (2 ** attempt - 2) * 1000 + rand(5, 60)),
      });
      webhookLogs++;
    }
  }
  await em.flush();
  return { jobs: jobs.length, webhookLogs };
}
