import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { query } from '../src/db/sql.js';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases } from './support/server.js';
import { deliveriesOf, eventually, finishJobWithDelivery, logsOf, receiverForSuite, type Hit } from './support/webhooks.js';

/** The seed README's receiver snippet: HMAC of the re-serialized parsed body. */
function verifySignature(payload: unknown, signature: string, secret: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(JSON.stringify(payload));
  return signature === hmac.digest('hex');
}

const SECRET = 'dev-webhook-secret';
const BASE_MS = 1000;
const TIMEOUT_MS = 1000;
/** The machine is shared and loaded: upper bounds get this much on top of the policy's maximum. */
const SLACK_MS = 1500;

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('webhook delivery on $name', (db) => {
  const jobs: Record<string, number> = {};
  const receiver = receiverForSuite({
    '/ok': () => ({ status: 200, body: 'thanks' }),
    '/flaky': (n) => ({ status: n < 4 ? 500 : 200 }),
    '/down': () => ({ status: 500, body: 'still down' }),
    '/redirect': () => ({ status: 302, headers: { location: '/landed' } }),
    '/landed': () => ({ status: 200 }),
    '/hang': () => 'hang',
    '/busy': (n) => (n === 1 ? { status: 503, headers: { 'retry-after': '2' } } : { status: 200 }),
    '/big': () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'é'.repeat(5000) }),
  });
  const server = serverForSuite(db, {
    WEBHOOK_SECRET: SECRET,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WEBHOOK_RETRY_BASE_MS: String(BASE_MS),
    WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  beforeAll(async () => {
    const refusedUrl = `http://127.0.0.1:${await closedPort()}/nobody-home`;
    for (const path of ['/ok', '/flaky', '/down', '/redirect', '/hang', '/busy', '/big']) {
      jobs[path] = (await finishJobWithDelivery(server().orm.em as Em, { url: `${receiver().url}${path}`, trusted: false })).id;
    }
    jobs.refused = (await finishJobWithDelivery(server().orm.em as Em, { url: refusedUrl, trusted: false })).id;
  });

  const settled = (jobId: number) =>
    eventually(
      async () => {
        const [d] = (await deliveriesOf(server(), jobId)).slice(-1);
        return d && (d.status === 'DELIVERED' || d.status === 'FAILED') ? d : undefined;
      },
      25_000,
      `delivery of job ${jobId} to settle`,
    );

  it('sends the stored bytes, signed both ways, and logs the attempt', async () => {
    const delivery = await settled(jobs['/ok']);
    const [hit] = receiver().on('/ok');
    expect(hit.body).toBe(delivery.body);
    const parsed = JSON.parse(hit.body);
    expect(Object.keys(parsed)).toEqual([
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
    expect(parsed).toMatchObject({
      type: 'job.completed',
      jobId: jobs['/ok'],
      priority: 'MEDIUM',
      status: 'COMPLETED',
      payload: { note: 'Grüße ✓' },
    });
    expect(hit.headers['content-type']).toBe('application/json');
    expect(verifySignature(parsed, hit.headers['x-signature'] as string, SECRET)).toBe(true);
    expect(new Webhook(SECRET, { format: 'raw' }).verify(hit.body, hit.headers as Record<string, string>)).toEqual(parsed);
    expect(hit.headers['webhook-id']).toBe(delivery.message_id);
    expect(Math.abs(Number(hit.headers['webhook-timestamp']) - hit.at / 1000)).toBeLessThan(5);

    const logs = await logsOf(server(), jobs['/ok']);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      attempt: 1,
      responseStatus: 200,
      responseBody: 'thanks',
      error: null,
      url: `${receiver().url}/ok`,
      requestBody: parsed,
    });
    expect(logs[0].durationMs).toBeGreaterThanOrEqual(0);
  });

  it('500, 500, 500, 200: four attempts at about 1 s, 2 s and 4 s, one webhook-id', async () => {
    const delivery = await settled(jobs['/flaky']);
    expect(delivery).toMatchObject({ status: 'DELIVERED', attempts: 4 });
    const hits = receiver().on('/flaky');
    expect(hits).toHaveLength(4);
    expect(new Set(hits.map((h) => h.headers['webhook-id']))).toEqual(new Set([delivery.message_id]));
    for (const h of hits) expect(h.body).toBe(delivery.body);
    const gaps = hits.slice(1).map((h, i) => h.at - hits[i].at);
    gaps.forEach((gap, i) => {
      const backoff = BASE_MS * 2 ** i;
      expect(gap, `gap before attempt ${i + 2}`).toBeGreaterThanOrEqual(backoff);
      expect(gap, `gap before attempt ${i + 2}`).toBeLessThanOrEqual(backoff * 1.2 + SLACK_MS);
    });
    const logs = await logsOf(server(), jobs['/flaky']);
    expect(logs.map((l) => [l.attempt, l.responseStatus, l.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 500, 'HTTP 500'],
      [4, 200, null],
    ]);
  });

  it('four 500s: four attempts, the delivery failed, the job still COMPLETED', async () => {
    const delivery = await settled(jobs['/down']);
    expect(delivery).toMatchObject({ status: 'FAILED', attempts: 4 });
    // Nothing more comes after the last attempt.
    await new Promise((r) => setTimeout(r, 1500));
    expect(receiver().on('/down')).toHaveLength(4);
    const logs = await logsOf(server(), jobs['/down']);
    expect(logs.map((l) => [l.attempt, l.responseStatus, l.responseBody])).toEqual([1, 2, 3, 4].map((n) => [n, 500, 'still down']));
    const job = await server().gql('query($id: ID!) { job(id: $id) { status } }', { id: String(jobs['/down']) });
    expect(job.data.job.status).toBe('COMPLETED');
  });

  it('a 302 is not followed and counts as a failure', async () => {
    const delivery = await settled(jobs['/redirect']);
    expect(delivery.status).toBe('FAILED');
    expect(receiver().on('/landed')).toHaveLength(0);
    const [first] = await logsOf(server(), jobs['/redirect']);
    expect(first).toMatchObject({ attempt: 1, responseStatus: 302, error: 'HTTP 302 (redirects are not followed)' });
  });

  it('a receiver that hangs: the attempt fails at the timeout and says so', async () => {
    const logs = await eventually(
      async () => {
        const l = await logsOf(server(), jobs['/hang']);
        return l.length >= 2 ? l : undefined;
      },
      25_000,
      'two timed-out attempts',
    );
    expect(logs[0]).toMatchObject({ attempt: 1, responseStatus: null, responseBody: null, error: `timeout after ${TIMEOUT_MS} ms` });
    expect(logs[0].durationMs).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
    expect(logs[0].durationMs).toBeLessThanOrEqual(TIMEOUT_MS + SLACK_MS);
    expect(logs[1]).toMatchObject({ attempt: 2, error: `timeout after ${TIMEOUT_MS} ms` });
  });

  it('a closed port: "connection refused"', async () => {
    const logs = await eventually(
      async () => {
        const l = await logsOf(server(), jobs.refused);
        return l.length >= 1 ? l : undefined;
      },
      10_000,
      'an attempt at a closed port',
    );
    expect(logs[0]).toMatchObject({ attempt: 1, responseStatus: null, error: 'connection refused' });
  });

  it('Retry-After on a 503 is honoured', async () => {
    await settled(jobs['/busy']);
    const [first, second] = receiver().on('/busy');
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000);
    expect(second.at - first.at).toBeLessThanOrEqual(2000 + SLACK_MS);
    const logs = await logsOf(server(), jobs['/busy']);
    expect(logs.map((l) => l.responseStatus)).toEqual([503, 200]);
  });

  it('keeps the first 4 KiB of a response body', async () => {
    await settled(jobs['/big']);
    const [log] = await logsOf(server(), jobs['/big']);
    expect(Buffer.byteLength(log.responseBody!)).toBe(4096);
    expect(log.responseBody).toBe('é'.repeat(2048));
  });

  it('redeliverWebhook sends the last message again with the same webhook-id and the next attempt number', async () => {
    await settled(jobs['/ok']);
    const res = await server().gql('mutation($id: ID!) { redeliverWebhook(jobId: $id) { id status } }', { id: String(jobs['/ok']) });
    expect(res.errors).toBeUndefined();
    expect(res.data.redeliverWebhook).toEqual({ id: String(jobs['/ok']), status: 'COMPLETED' });
    const hits = await eventually(() => (receiver().on('/ok').length === 2 ? receiver().on('/ok') : undefined), 10_000, 'the redelivery');
    expect(hits[1].headers['webhook-id']).toBe(hits[0].headers['webhook-id']);
    expect(hits[1].body).toBe(hits[0].body);
    const logs = await eventually(
      async () => {
        const l = await logsOf(server(), jobs['/ok']);
        return l.length === 2 ? l : undefined;
      },
      10_000,
      'the redelivery log',
    );
    expect(logs.map((l) => [l.attempt, l.responseStatus])).toEqual([
      [1, 200],
      [2, 200],
    ]);
  });

  it('redeliverWebhook continues the attempt numbers after a failed delivery', async () => {
    await settled(jobs['/flaky']);
    await server().gql('mutation($id: ID!) { redeliverWebhook(jobId: $id) { id } }', { id: String(jobs['/flaky']) });
    const logs = await eventually(
      async () => {
        const l = await logsOf(server(), jobs['/flaky']);
        return l.length === 5 ? l : undefined;
      },
      10_000,
      'the fifth attempt',
    );
    expect(logs[4]).toMatchObject({ attempt: 5, responseStatus: 200 });
    const hits: Hit[] = receiver().on('/flaky');
    expect(hits[4].headers['webhook-id']).toBe(hits[0].headers['webhook-id']);
  });

  it('redeliverWebhook refuses unknown jobs, bad ids and jobs without a message', async () => {
    const missing = await server().gql('mutation { redeliverWebhook(jobId: "99999999") { id } }');
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    const bad = await server().gql('mutation { redeliverWebhook(jobId: "abc") { id } }');
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'jobId' });
    const created = await server().gql('mutation { createJob(input: { taskName: "later", runAt: "2099-01-01T00:00:00.000Z" }) { id } }');
    const pending = await server().gql('mutation($id: ID!) { redeliverWebhook(jobId: $id) { id } }', { id: created.data.createJob.id });
    expect(pending.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', status: 'PENDING' });
    expect(pending.errors?.[0].message).toMatch(/has no webhook message yet/);
  });

  it('writes exactly one log row per attempt', async () => {
    await settled(jobs['/down']);
    const [row] = await query<{ n: number }>(server().orm.em.fork() as Em, 'select count(*) as n from webhook_logs where job_id = ?', [
      jobs['/down'],
    ]);
    expect(Number(row.n)).toBe(4);
  });
});
