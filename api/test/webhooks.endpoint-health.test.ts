import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { eventually, receiverForSuite, type Hit } from './support/webhooks.js';

const CREATE = `mutation($in: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $in) { secret endpoint { id enabled disableAfterFailures disableAfterMs disabledReason disabledAt } }
}`;
const ENDPOINT = `query($id: ID!) { webhookEndpoint(id: $id) {
  id enabled disabledReason disabledAt
  health { successRate latencyP50Ms latencyP95Ms lastError consecutiveFailures deliveredCount failedCount }
  healthSeries { hour delivered failed }
} }`;
const UPDATE = `mutation($id: ID!, $in: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $in) { id enabled disabledReason } }`;
const DELIVERIES = `query($id: ID, $status: WebhookDeliveryStatus) {
  webhookDeliveries(endpointId: $id, status: $status, first: 100) { edges { node { id jobId messageId status attempts lastError } } }
}`;
const REPLAY = 'mutation($id: ID!) { replayWebhookDeliveries(endpointId: $id) }';
const ALERTS = 'query($state: AlertState) { alerts(state: $state) { kind state endpointId value rule { id } } }';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Delivery {
  id: string;
  jobId: string;
  messageId: string;
  status: string;
  attempts: number;
  lastError: string | null;
}

const verifies = (secret: string, hit: Hit) => {
  try {
    new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('webhook endpoint health, auto-disable and replay on $name', (db) => {
  /** The flaky receiver answers 500 until the test makes it healthy. */
  let healthy = false;
  const receiver = receiverForSuite({
    '/flaky': () => ({ status: healthy ? 200 : 500 }),
    '/alerts': () => ({ status: 200 }),
  });
  // One retry 20 ms after the first attempt: a message fails for good within a few dozen ms.
  const server = serverForSuite(db, () => ({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_RETRIES: '1', WEBHOOK_RETRY_BASE_MS: '20' }));

  async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
    const res = await server().gql(query, variables);
    expect(res.errors).toBeUndefined();
    return res.data;
  }

  async function deliveries(endpointId: string, status?: string): Promise<Delivery[]> {
    return (await gql(DELIVERIES, { id: endpointId, status })).webhookDeliveries.edges.map((e: { node: Delivery }) => e.node);
  }

  async function runJob(s: TestServer): Promise<string> {
    const res = await s.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'noop', payload: { durationMs: 1 } },
    });
    expect(res.errors).toBeUndefined();
    return res.data.createJob.id;
  }

  /** Runs a job and waits for its message to the endpoint to end in `status`. */
  async function messageFor(endpointId: string, status: string): Promise<Delivery> {
    const jobId = await runJob(server());
    return eventually(
      async () => (await deliveries(endpointId, status)).find((d) => d.jobId === jobId),
      20_000,
      `job ${jobId}'s message ${status}`,
    );
  }

  it('disables an endpoint answering 500 after 3 failed messages, alerts, records further events unsent, replays each once after re-enabling', async () => {
    const alerts = (await gql(CREATE, { in: { url: `${receiver().url}/alerts`, eventTypes: ['alert.fired', 'alert.resolved'] } }))
      .createWebhookEndpoint;
    const off = (await gql(CREATE, { in: { url: `${receiver().url}/off`, eventTypes: ['alert.fired'], enabled: false } }))
      .createWebhookEndpoint.endpoint;
    const created = (
      await gql(CREATE, {
        in: { url: `${receiver().url}/flaky`, eventTypes: ['job.completed'], disableAfterFailures: 3, disableAfterMs: 150 },
      })
    ).createWebhookEndpoint;
    const id = created.endpoint.id;
    expect(created.endpoint).toMatchObject({ enabled: true, disableAfterFailures: 3, disableAfterMs: 150, disabledReason: null });
    expect(
      (await gql(CREATE, { in: { url: `${receiver().url}/alerts`, eventTypes: ['job.failed'] } })).createWebhookEndpoint.endpoint,
    ).toMatchObject({ disableAfterFailures: 20, disableAfterMs: 86_400_000 });

    const failed = [await messageFor(id, 'FAILED'), await messageFor(id, 'FAILED')];
    // Two failed messages: the streak is 2, below the threshold.
    expect((await gql(ENDPOINT, { id })).webhookEndpoint).toMatchObject({ enabled: true, health: { consecutiveFailures: 2 } });
    // The third fails more than disableAfterMs after the first: both thresholds are met.
    await sleep(200);
    failed.push(await messageFor(id, 'FAILED'));
    expect(failed.map((d) => d.attempts)).toEqual([2, 2, 2]);

    // The alert reaches the other endpoint subscribed to alert.fired, signed with that endpoint's secret.
    const [fired] = await eventually(() => {
      const hits = receiver()
        .on('/alerts')
        .filter((h) => JSON.parse(h.body).type === 'alert.fired');
      return hits.length > 0 ? hits : undefined;
    });
    expect(JSON.parse(fired.body)).toMatchObject({ kind: 'ENDPOINT_DISABLED', endpointId: id, ruleId: null, value: 3, threshold: 3 });
    expect(verifies(alerts.secret, fired)).toBe(true);
    expect(await gql(ALERTS, { state: 'FIRING' })).toEqual({
      alerts: [{ kind: 'ENDPOINT_DISABLED', state: 'FIRING', endpointId: id, value: 3, rule: null }],
    });

    // A subscriber disabled by hand gets its copy FAILED unsent.
    expect(await deliveries(off.id)).toEqual([expect.objectContaining({ status: 'FAILED', attempts: 0, lastError: 'endpoint disabled' })]);
    expect(receiver().on('/off')).toEqual([]);

    const disabled = (await gql(ENDPOINT, { id })).webhookEndpoint;
    expect(disabled).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/^3 consecutive failed messages since /) });
    expect(Date.parse(disabled.disabledAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(disabled.health).toMatchObject({
      successRate: 0,
      lastError: 'HTTP 500',
      consecutiveFailures: 3,
      deliveredCount: 0,
      failedCount: 3,
    });
    expect(disabled.health.latencyP50Ms).toBeGreaterThanOrEqual(0);
    expect(disabled.health.latencyP95Ms).toBeGreaterThanOrEqual(disabled.health.latencyP50Ms);
    expect(disabled.healthSeries).toHaveLength(24);
    expect(disabled.healthSeries.at(-1)).toMatchObject({ delivered: 0, failed: 3 });

    // A replay is refused while the endpoint is disabled.
    const refused = await server().gql(REPLAY, { id });
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endpointId' });

    // A further event is recorded FAILED unsent and never reaches the endpoint.
    const unsent = await messageFor(id, 'FAILED');
    expect(unsent).toMatchObject({ attempts: 0, lastError: 'endpoint disabled' });
    await sleep(500);
    expect(receiver().on('/flaky')).toHaveLength(6);
    expect((await gql(ENDPOINT, { id })).webhookEndpoint.health).toMatchObject({ lastError: 'endpoint disabled', failedCount: 4 });

    // Re-enabled by hand: the streak starts again and the alert resolves.
    healthy = true;
    expect((await gql(UPDATE, { id, in: { enabled: true } })).updateWebhookEndpoint).toEqual({ id, enabled: true, disabledReason: null });
    await eventually(() =>
      receiver()
        .on('/alerts')
        .find((h) => JSON.parse(h.body).type === 'alert.resolved'),
    );
    expect(await gql(ALERTS, { state: 'FIRING' })).toEqual({ alerts: [] });

    // The replay sends every failed message once more, with its own webhook-id and its exact body.
    const messages = [...failed, unsent];
    const before = receiver().on('/flaky').length;
    const bodies = new Map(
      receiver()
        .on('/flaky')
        .map((h) => [h.headers['webhook-id'], h.body]),
    );
    expect((await gql(REPLAY, { id })).replayWebhookDeliveries).toBe(4);
    const replayed = await eventually(() => {
      const hits = receiver().on('/flaky').slice(before);
      return hits.length >= 4 ? hits : undefined;
    });
    await eventually(async () => ((await deliveries(id, 'DELIVERED')).length === 4 ? true : undefined));
    await sleep(500);
    const after = receiver().on('/flaky').slice(before);
    expect(after).toHaveLength(4);
    expect(after.map((h) => h.headers['webhook-id']).sort()).toEqual(messages.map((m) => m.messageId).sort());
    for (const hit of replayed) {
      const original = bodies.get(hit.headers['webhook-id']);
      if (original !== undefined) expect(hit.body).toBe(original);
      expect(verifies(created.secret, hit)).toBe(true);
    }
    expect(JSON.parse(after.find((h) => h.headers['webhook-id'] === unsent.messageId)!.body)).toMatchObject({
      type: 'job.completed',
      jobId: Number(unsent.jobId),
    });

    // Nothing left to replay; health counts the messages by their status now.
    expect((await gql(REPLAY, { id })).replayWebhookDeliveries).toBe(0);
    const recovered = (await gql(ENDPOINT, { id })).webhookEndpoint;
    expect(recovered).toMatchObject({
      enabled: true,
      disabledAt: null,
      health: { successRate: 1, consecutiveFailures: 0, deliveredCount: 4, failedCount: 0, lastError: 'HTTP 500' },
    });
    expect(recovered.healthSeries.at(-1)).toMatchObject({ delivered: 4, failed: 0 });
  });

  it('the built-in endpoint has no health and is never auto-disabled; disabled by hand, its replay is refused', async () => {
    expect((await gql(ENDPOINT, { id: 'outbound' })).webhookEndpoint).toMatchObject({ health: null, healthSeries: [] });
    expect((await gql(REPLAY, { id: 'outbound' })).replayWebhookDeliveries).toBe(0);
    await gql(UPDATE, { id: 'outbound', in: { enabled: false } });
    try {
      const refused = await server().gql(REPLAY, { id: 'outbound' });
      expect(refused.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'endpointId' });
      const thresholds = await server().gql(UPDATE, { id: 'outbound', in: { disableAfterFailures: 5 } });
      expect(thresholds.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.disableAfterFailures' });
    } finally {
      await gql(UPDATE, { id: 'outbound', in: { enabled: true } });
    }
  });

  it('refuses bad thresholds by field', async () => {
    for (const [input, field] of [
      [{ disableAfterFailures: 0 }, 'input.disableAfterFailures'],
      [{ disableAfterMs: -1 }, 'input.disableAfterMs'],
    ] as const) {
      const res = await server().gql(CREATE, { in: { url: `${receiver().url}/alerts`, eventTypes: ['job.failed'], ...input } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});
