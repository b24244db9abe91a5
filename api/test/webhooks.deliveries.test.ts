import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { eventually, receiverForSuite } from './support/webhooks.js';

const CREATE = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { id } } }`;
const SEND_TEST = `mutation($id: ID!) { sendTestWebhook(endpointId: $id) { id endpointId jobId messageId eventType status attempts webhookLogs { id } } }`;
const DELIVERIES = `query($endpointId: ID, $status: WebhookDeliveryStatus, $since: DateTime, $first: Int, $after: String) {
  webhookDeliveries(endpointId: $endpointId, status: $status, since: $since, first: $first, after: $after) {
    edges { cursor node { id endpointId jobId messageId eventType status attempts lastError webhookLogs { responseStatus error attempt } } }
    pageInfo { hasNextPage hasPreviousPage endCursor }
  }
}`;

async function endpoint(server: TestServer, url: string): Promise<{ id: string; secret: string }> {
  const res = await server.gql(CREATE, { in: { url, eventTypes: ['job.failed'] } });
  expect(res.errors).toBeUndefined();
  return { id: res.data.createWebhookEndpoint.endpoint.id, secret: res.data.createWebhookEndpoint.secret };
}

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('webhook test messages and the delivery log on $name', (db) => {
  const receiver = receiverForSuite({ '/ok': () => ({ status: 200 }), '/broken': () => ({ status: 500 }) });
  const server = serverForSuite(db, () => ({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_RETRIES: '0' }));

  it('sendTestWebhook sends a signed webhook.test whatever the event types; the log shows it DELIVERED with its attempt', async () => {
    const { id, secret } = await endpoint(server(), `${receiver().url}/ok`);
    const sent = await server().gql(SEND_TEST, { id });
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendTestWebhook).toMatchObject({
      endpointId: id,
      jobId: null,
      eventType: 'webhook.test',
      status: 'PENDING',
      attempts: 0,
      webhookLogs: [],
    });

    const hit = await eventually(() => receiver().on('/ok')[0], 15_000, 'the test message');
    const body = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', 'endpointId', 'sentAt']);
    expect(body).toMatchObject({ type: 'webhook.test', endpointId: id });
    expect(hit.headers['webhook-id']).toBe(sent.data.sendTestWebhook.messageId);

    const node = await eventually(
      async () => {
        const edges = (await server().gql(DELIVERIES, { endpointId: id })).data.webhookDeliveries.edges;
        return edges[0]?.node.status === 'DELIVERED' ? edges[0].node : undefined;
      },
      15_000,
      'the delivered row',
    );
    expect(node).toMatchObject({
      id: sent.data.sendTestWebhook.id,
      attempts: 1,
      lastError: null,
      webhookLogs: [{ responseStatus: 200, error: null, attempt: 1 }],
    });
  });

  it('a receiver answering 500 leaves a FAILED delivery with its last error; status and since filter, pages follow the cursor', async () => {
    const broken = await endpoint(server(), `${receiver().url}/broken`);
    const started = new Date();
    for (let i = 0; i < 3; i++) await server().gql(SEND_TEST, { id: broken.id });
    const failed = await eventually(
      async () => {
        const edges = (await server().gql(DELIVERIES, { endpointId: broken.id, status: 'FAILED' })).data.webhookDeliveries.edges;
        return edges.length === 3 ? edges : undefined;
      },
      20_000,
      'three failed deliveries',
    );
    expect(failed[0].node).toMatchObject({ status: 'FAILED', attempts: 1, lastError: 'HTTP 500', webhookLogs: [{ responseStatus: 500 }] });
    expect((await server().gql(DELIVERIES, { endpointId: broken.id, status: 'DELIVERED' })).data.webhookDeliveries.edges).toEqual([]);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await server().gql(DELIVERIES, { endpointId: broken.id, since: future })).data.webhookDeliveries.edges).toEqual([]);

    const first = (await server().gql(DELIVERIES, { endpointId: broken.id, since: started.toISOString(), first: 2 })).data
      .webhookDeliveries;
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = (await server().gql(DELIVERIES, { endpointId: broken.id, first: 2, after: first.pageInfo.endCursor })).data
      .webhookDeliveries;
    expect(second.edges).toHaveLength(1);
    expect(second.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    const ids = [...first.edges, ...second.edges].map((e: { node: { id: string } }) => Number(e.node.id));
    expect(ids).toEqual([...failed.map((e: { node: { id: string } }) => Number(e.node.id))]);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ after: 'not-a-cursor' }, 'after'],
    [{ endpointId: 'x' }, 'endpointId'],
  ])('refuses %j with BAD_USER_INPUT on %s', async (variables, field) => {
    const res = await server().gql(DELIVERIES, variables);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('sendTestWebhook to an unknown endpoint is NOT_FOUND and writes nothing', async () => {
    const before = (await server().gql(DELIVERIES, { first: 100 })).data.webhookDeliveries.edges.length;
    const res = await server().gql(SEND_TEST, { id: '99999' });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await server().gql(DELIVERIES, { first: 100 })).data.webhookDeliveries.edges.length).toBe(before);
  });
});
