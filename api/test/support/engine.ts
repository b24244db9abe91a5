import type { NewJob } from '../../src/jobs/job.validate.js';
import type { TestServer } from './server.js';

/** Helpers for engine tests: read jobs back and wait for states, against the real server. */

export const JOB_FIELDS =
  'id taskName status priority attempts maxAttempts lastError progress result runAt startedAt completedAt runDurationMs scheduleId';

export interface JobView {
  id: string;
  taskName: string;
  status: string;
  priority: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  progress: number | null;
  result: unknown;
  runAt: string;
  startedAt: string | null;
  completedAt: string | null;
  runDurationMs: number | null;
  scheduleId: string | null;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits for the next minute when fewer than 15 s of this one are left, so a test counting per minute
 * (or on an every-minute schedule) cannot see the minute roll over; returns the current minute's start.
 */
export async function earlyInAMinute(): Promise<number> {
  const msLeft = 60_000 - (Date.now() % 60_000);
  if (msLeft < 15_000) await sleep(msLeft + 50);
  return Math.floor(Date.now() / 60_000) * 60_000;
}

export async function createJob(server: TestServer, input: Record<string, unknown>): Promise<JobView> {
  const res = await server.gql(`mutation($in: CreateJobInput!) { createJob(input: $in) { ${JOB_FIELDS} } }`, { in: input });
  if (res.errors) throw new Error(`createJob failed: ${JSON.stringify(res.errors)}`);
  return res.data.createJob;
}

export async function getJob(server: TestServer, id: string): Promise<JobView> {
  const res = await server.gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
  if (res.errors) throw new Error(`job failed: ${JSON.stringify(res.errors)}`);
  return res.data.job;
}

/** Polls until `done(job)` holds; fails with the last state seen after `timeoutMs`. */
export async function waitForJob(server: TestServer, id: string, done: (job: JobView) => boolean, timeoutMs = 20_000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  let job = await getJob(server, id);
  while (!done(job)) {
    if (Date.now() > deadline)
      throw new Error(`job ${id} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(job)}`);
    await sleep(25);
    job = await getJob(server, id);
  }
  return job;
}

export const isFinished = (job: JobView) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(job.status);

/** Polls an arbitrary condition. */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/**
 * A job as `JobsService.create` receives it after `createJob`'s checks, for suites that build the engine
 * themselves. Flagged simulated as the API flags names with no task module: these tasks only simulate.
 */
export const serviceJob = (taskName: string, payload: Record<string, unknown> = {}, maxAttempts = 3): NewJob => ({
  taskName,
  payload,
  priority: 0,
  runAt: new Date(),
  maxAttempts,
  timeoutMs: null,
  webhookUrl: null,
  idempotencyKey: null,
  queue: 'default',
  concurrencyKey: null,
  simulated: true,
});
