import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { collect, settle, wsClient } from './support/ws.js';
import { eventually, logsOf, receiverForSuite } from './support/webhooks.js';

function verifySignature(payload: unknown, signature: string, secret: string): boolean {
  const hmac = createHmac('sha256', secret);
  hmac.update(JSON.stringify(payload));
  return signature === hmac.digest('hex');
}

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('webhooks with the engine on $name', (db) => {
  const receiver = receiverForSuite({
    '/outbound': () => ({ status: 200 }),
    '/per-job': () => ({ status: 200 }),
    '/api': () => ({ status: 200, body: '{"pong":true}', headers: { 'content-type': 'application/json' } }),
  });
  // Defaults: no OUTBOUND_WEBHOOK, so deliveries go to this server's own /api/webhook-test.
  const server = serverForSuite(db);
  const routed = serverForSuite(db, () => ({ OUTBOUND_WEBHOOK: `${receiver().url}/outbound`, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }));

  const finished = (s: TestServer, id: string, attempts = 1) =>
    eventually(
      async () => {
        const logs = await logsOf(s, id);
        return logs.length >= attempts ? logs : undefined;
      },
      25_000,
      `webhook attempts of job ${id}`,
    );

  it('a fresh server delivers to its own test receiver, which accepts it (200 in the log)', async () => {
    const id = (await server().gql(CREATE, { in: { taskName: 'noop', priority: 'HIGH', payload: { hello: 'wörld' } } })).data.createJob.id;
    const [log] = await finished(server(), id);
    expect(log).toMatchObject({
      attempt: 1,
      responseStatus: 200,
      error: null,
      url: `${server().url}/api/webhook-test`,
      responseBody: '{"ok":true}',
    });
    const received = (await server().gql('{ receivedWebhooks { valid reason jobId type webhookId body } }')).data.receivedWebhooks;
    const mine = received.find((r: { jobId: string }) => r.jobId === id);
    expect(mine).toMatchObject({ valid: true, reason: null, type: 'job.completed' });
    expect(mine.body).toMatchObject({
      jobId: Number(id),
      taskName: 'noop',
      priority: 'HIGH',
      status: 'COMPLETED',
      payload: { hello: 'wörld' },
      attempts: 1,
    });
    expect(mine.webhookId).toMatch(/^msg_[0-9a-f]{32}$/);
  });

  it('a finally failed job sends job.failed with its last error', async () => {
    const id = (
      await server().gql(CREATE, { in: { taskName: 'simulate-failure', payload: { fail: true, durationMs: 10 }, maxAttempts: 1 } })
    ).data.createJob.id;
    await finished(server(), id);
    const job = (await server().gql('query($id: ID!) { job(id: $id) { status lastError } }', { id })).data.job;
    expect(job.status).toBe('FAILED');
    const mine = (await server().gql('{ receivedWebhooks { jobId valid body } }')).data.receivedWebhooks.find(
      (r: { jobId: string }) => r.jobId === id,
    );
    expect(mine.valid).toBe(true);
    expect(mine.body).toMatchObject({ type: 'job.failed', status: 'FAILED', attempts: 1, lastError: job.lastError });
  });

  it('a per-job webhookUrl wins over OUTBOUND_WEBHOOK', async () => {
    const withUrl = (await routed().gql(CREATE, { in: { taskName: 'noop', webhookUrl: `${receiver().url}/per-job` } })).data.createJob.id;
    const without = (await routed().gql(CREATE, { in: { taskName: 'noop' } })).data.createJob.id;
    await finished(routed(), withUrl);
    await finished(routed(), without);
    const perJob = receiver()
      .on('/per-job')
      .map((h) => JSON.parse(h.body).jobId);
    const outbound = receiver()
      .on('/outbound')
      .map((h) => JSON.parse(h.body).jobId);
    expect(perJob).toContain(Number(withUrl));
    expect(outbound).toContain(Number(without));
    expect(outbound).not.toContain(Number(withUrl));
    const hit = receiver()
      .on('/per-job')
      .find((h) => JSON.parse(h.body).jobId === Number(withUrl))!;
    expect(verifySignature(JSON.parse(hit.body), hit.headers['x-signature'] as string, routed().config.WEBHOOK_SECRET)).toBe(true);
    expect(new Webhook(routed().config.WEBHOOK_SECRET, { format: 'raw' }).verify(hit.body, hit.headers as Record<string, string>)).toEqual(
      JSON.parse(hit.body),
    );
  });

  it('announces each attempt on webhookLogAdded', async () => {
    const client = wsClient(server().url);
    try {
      const sub = collect(client, 'subscription { webhookLogAdded { jobId attempt responseStatus url } }');
      await settle();
      const id = (await server().gql(CREATE, { in: { taskName: 'noop' } })).data.createJob.id;
      const items = await eventually(() => sub.items.find((i: { jobId: string }) => i.jobId === id), 20_000, 'the webhookLogAdded event');
      expect(items).toMatchObject({ jobId: id, attempt: 1, responseStatus: 200 });
      sub.stop();
    } finally {
      await client.dispose();
    }
  });

  it('http.request is SSRF-guarded the same way', async () => {
    const refused = await server().gql(CREATE, {
      in: { taskName: 'http.request', payload: { url: 'http://169.254.169.254/latest/meta-data/' } },
    });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.payload.url' });
    expect(refused.errors?.[0].message).toMatch(/metadata/);
    const local = await server().gql(CREATE, { in: { taskName: 'http.request', payload: { url: `${receiver().url}/api` } } });
    expect(local.errors?.[0].message).toMatch(/loopback/);
    const allowed = (await routed().gql(CREATE, { in: { taskName: 'http.request', payload: { url: `${receiver().url}/api` } } })).data
      .createJob.id;
    const job = await eventually(
      async () => {
        const j = (await routed().gql('query($id: ID!) { job(id: $id) { status result } }', { id: allowed })).data.job;
        return j.status === 'COMPLETED' ? j : undefined;
      },
      20_000,
      'the allowed http.request',
    );
    expect(job.result).toMatchObject({ status: 200, body: { pong: true } });
  });
});
