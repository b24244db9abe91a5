import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { dialectOf, insertRows, query, toDbTime } from '../src/db/sql.js';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { eventually, receiverForSuite, type Hit, type Receiver } from './support/webhooks.js';

/**
 * `job.cancelled` reaches the registered endpoints subscribed to it on every cancel path — a PENDING job,
 * a RUNNING one, a bulk cancel — once per job, signed with the endpoint's secret; endpoints not subscribed
 * and the built-in OUTBOUND_WEBHOOK get nothing for a cancel.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const CREATE_ENDPOINT = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { id } } }`;
const CREATE_JOB = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const CANCEL = 'mutation($id: ID!) { cancelJob(id: $id) { id status } }';
const CANCEL_MANY = 'mutation($ids: [ID!], $f: JobFilter) { cancelJobs(ids: $ids, filter: $f) { matched changed skipped { id reason } } }';
const JOB = 'query($id: ID!) { job(id: $id) { status } }';

const ok = (...paths: string[]) => Object.fromEntries(paths.map((path) => [path, () => ({ status: 200 })]));

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();
const pendingJob = async (server: TestServer) =>
  (await data(server, CREATE_JOB, { in: { taskName: 'generate-report', runAt: inAnHour(), payload: { format: 'PDF' } } })).createJob
    .id as string;

const jobIdOf = (hit: Hit) => String(JSON.parse(hit.body).jobId);
const typeOf = (hit: Hit) => String(JSON.parse(hit.body).type);

/** Waits until `path` has at least one hit for each of `ids`, then answers the hits of those jobs. */
function hitsFor(receiver: Receiver, path: string, ids: readonly string[]): Promise<Hit[]> {
  return eventually(
    () => {
      const hits = receiver.on(path).filter((h) => ids.includes(jobIdOf(h)));
      return ids.every((id) => hits.some((h) => jobIdOf(h) === id)) ? hits : undefined;
    },
    25_000,
    `job.cancelled on ${path} for jobs ${ids.join(', ')}`,
  );
}

describe.each(testDatabases())('job.cancelled deliveries on $name', (db) => {
  const receiver = receiverForSuite(ok('/outbound', '/cancels', '/ends', '/bulk'));
  const server = serverForSuite(db, () => ({
    OUTBOUND_WEBHOOK: `${receiver().url}/outbound`,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  }));

  it('a pending, a running and three bulk-cancelled jobs: one signed job.cancelled each to the subscribed endpoint, none elsewhere', async () => {
    const s = server();
    const cancels = (
      await data(s, CREATE_ENDPOINT, { in: { url: `${receiver().url}/cancels`, eventTypes: ['job.cancelled', 'job.failed'] } })
    ).createWebhookEndpoint;
    await data(s, CREATE_ENDPOINT, { in: { url: `${receiver().url}/ends`, eventTypes: ['job.completed', 'job.failed'] } });

    const pending = await pendingJob(s);
    expect((await data(s, CANCEL, { id: pending })).cancelJob.status).toBe('CANCELLED');

    const running = (await data(s, CREATE_JOB, { in: { taskName: 'generate-report', payload: { durationMs: 30_000 } } })).createJob
      .id as string;
    await eventually(async () => (await data(s, JOB, { id: running })).job.status === 'RUNNING', 10_000, 'the job to run');
    expect((await data(s, CANCEL, { id: running })).cancelJob.status).toBe('CANCELLED');

    const bulk = [await pendingJob(s), await pendingJob(s), await pendingJob(s)];
    expect((await data(s, CANCEL_MANY, { ids: bulk })).cancelJobs).toEqual({ matched: 3, changed: 3, skipped: [] });

    const ids = [pending, running, ...bulk];
    const hits = await hitsFor(receiver(), '/cancels', ids);
    // Whatever was written came with the cancels' commits; a second's wait shows nothing more arrives.
    await new Promise((r) => setTimeout(r, 1_000));
    const all = receiver().on('/cancels');
    expect(all.map(jobIdOf).sort()).toEqual([...ids].sort());
    expect(all.map(typeOf)).toEqual(ids.map(() => 'job.cancelled'));
    const wh = new Webhook(cancels.secret);
    for (const hit of hits) {
      expect(() => wh.verify(hit.body, hit.headers as Record<string, string>)).not.toThrow();
      const body = JSON.parse(hit.body);
      expect(Object.keys(body)).toEqual([
        'type',
        'jobId',
        'taskName',
        'priority',
        'status',
        'payload',
        'completedAt',
        'runDurationMs',
        'attempts',
      ]);
      expect(body).toMatchObject({ type: 'job.cancelled', taskName: 'generate-report', status: 'CANCELLED' });
    }
    const runningBody = JSON.parse(hits.find((h) => jobIdOf(h) === running)!.body);
    expect(runningBody.attempts).toBe(1);
    expect(runningBody.runDurationMs).toBeGreaterThanOrEqual(0);
    expect(JSON.parse(hits.find((h) => jobIdOf(h) === pending)!.body)).toMatchObject({
      attempts: 0,
      runDurationMs: null,
      payload: { format: 'PDF' },
    });

    // The other endpoint and OUTBOUND_WEBHOOK (the seed's job.completed / job.failed only) got nothing.
    expect(receiver().on('/ends')).toEqual([]);
    expect(
      receiver()
        .on('/outbound')
        .filter((h) => ids.includes(jobIdOf(h))),
    ).toEqual([]);
  });

  it('the built-in endpoint keeps getting a completed job’s message; the cancel-only subscriber gets none for it', async () => {
    const s = server();
    const job = (await data(s, CREATE_JOB, { in: { taskName: 'noop' } })).createJob.id as string;
    const [hit] = await hitsFor(receiver(), '/outbound', [job]);
    expect(typeOf(hit)).toBe('job.completed');
    const [end] = await hitsFor(receiver(), '/ends', [job]);
    expect(typeOf(end)).toBe('job.completed');
    expect(
      receiver()
        .on('/cancels')
        .filter((h) => jobIdOf(h) === job),
    ).toEqual([]);
  });

  it(
    'cancelJobs over 2,500 pending jobs writes one job.cancelled row per job for the endpoint whose queue filter matches',
    { timeout: 60_000 },
    async () => {
      const s = server();
      const bulk = (
        await data(s, CREATE_ENDPOINT, { in: { url: `${receiver().url}/bulk`, eventTypes: ['job.cancelled'], queues: ['bulk-cancel'] } })
      ).createWebhookEndpoint.endpoint.id as string;
      const em = s.orm.em.fork() as Em;
      const at = toDbTime(dialectOf(em), new Date(Date.now() + 3_600_000));
      const columns = [
        'task_name',
        'queue',
        'status',
        'priority',
        'attempts',
        'max_attempts',
        'simulated',
        'payload',
        'progress',
        'run_at',
        'created_at',
        'updated_at',
      ];
      const row = ['generate-report', 'bulk-cancel', 'PENDING', 1, 0, 3, 1, '{"n":1}', 0, at, at, at];
      for (let done = 0; done < 2_500; done += 1_000)
        await insertRows(
          em,
          'jobs',
          columns,
          Array.from({ length: Math.min(1_000, 2_500 - done) }, () => row),
        );

      const result = (await data(s, CANCEL_MANY, { f: { queue: 'bulk-cancel' } })).cancelJobs;
      expect(result).toEqual({ matched: 2_500, changed: 2_500, skipped: [] });
      const [counts] = await query<{ n: unknown; jobs: unknown; cancelled: unknown }>(
        em,
        `select count(*) as n, count(distinct job_id) as jobs, sum(case when body like '{"type":"job.cancelled",%' then 1 else 0 end) as cancelled
       from webhook_deliveries where endpoint_id = ?`,
        [Number(bulk)],
      );
      expect([Number(counts.n), Number(counts.jobs), Number(counts.cancelled)]).toEqual([2_500, 2_500, 2_500]);
      await eventually(() => receiver().on('/bulk').length >= 2_500, 45_000, 'the 2,500 job.cancelled messages on /bulk');
      // /ends is not subscribed to job.cancelled: it got none of them.
      expect(
        receiver()
          .on('/ends')
          .filter((h) => typeOf(h) === 'job.cancelled'),
      ).toEqual([]);
    },
  );
});
