import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases } from './support/server.js';
import { eventually, receiverForSuite, type Hit } from './support/webhooks.js';

const CREATE = `mutation($in: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $in) { endpoint { id concurrency rateLimit { max perMs } } }
}`;
const UPDATE = `mutation($id: ID!, $in: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $in) { id concurrency rateLimit { max perMs } }
}`;
const DELIVERIES = `query($id: ID) {
  webhookDeliveries(endpointId: $id, first: 100) { edges { node { status attempts } } }
}`;
const SLOW_MS = 300;

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

/** The most requests of `hits` that arrived within any `windowMs`. */
function busiestWindow(hits: readonly Hit[], windowMs: number): number {
  const at = hits.map((h) => h.at).sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; j < at.length; j++) {
    while (at[j] - at[i] >= windowMs) i++;
    most = Math.max(most, j - i + 1);
  }
  return most;
}

describe.each(testDatabases())('per-endpoint delivery limits on $name', (db) => {
  let open = 0;
  let mostOpen = 0;
  const receiver = receiverForSuite({
    '/rated': () => ({ status: 200 }),
    '/free': () => ({ status: 200 }),
    '/slow': async () => {
      mostOpen = Math.max(mostOpen, ++open);
      await new Promise((r) => setTimeout(r, SLOW_MS));
      open--;
      return { status: 200 };
    },
  });
  const server = serverForSuite(db, () => ({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }));

  async function gql(query: string, variables?: Record<string, unknown>): Promise<any> {
    const res = await server().gql(query, variables);
    expect(res.errors).toBeUndefined();
    return res.data;
  }

  const endpoint = async (path: string, limits: Record<string, unknown> = {}) =>
    (await gql(CREATE, { in: { url: `${receiver().url}${path}`, eventTypes: ['job.completed'], queues: [path.slice(1)], ...limits } }))
      .createWebhookEndpoint.endpoint;

  const createJobs = (queue: string, n: number) =>
    gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: Array.from({ length: n }, () => ({ taskName: 'noop', queue })),
    });

  const deliveredOnce = async (endpointId: string, n: number) => {
    const nodes = (await gql(DELIVERIES, { id: endpointId })).webhookDeliveries.edges.map((e: { node: unknown }) => e.node);
    expect(nodes).toHaveLength(n);
    for (const node of nodes) expect(node).toEqual({ status: 'DELIVERED', attempts: 1 });
  };

  it('bad limits are BAD_USER_INPUT naming the field; null clears a limit; the built-in endpoint takes none', async () => {
    const url = `${receiver().url}/free`;
    for (const [limits, field] of [
      [{ concurrency: 0 }, 'input.concurrency'],
      [{ concurrency: 1001 }, 'input.concurrency'],
      [{ rateLimit: { max: 0, perMs: 1000 } }, 'input.rateLimit.max'],
      [{ rateLimit: { max: 5, perMs: 86_400_001 } }, 'input.rateLimit.perMs'],
    ] as const) {
      const res = await server().gql(CREATE, { in: { url, eventTypes: ['job.completed'], ...limits } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    const made = await endpoint('/free', { concurrency: 3, rateLimit: { max: 10, perMs: 1000 } });
    expect(made).toMatchObject({ concurrency: 3, rateLimit: { max: 10, perMs: 1000 } });
    const kept = (await gql(UPDATE, { id: made.id, in: { concurrency: null } })).updateWebhookEndpoint;
    expect(kept).toMatchObject({ concurrency: null, rateLimit: { max: 10, perMs: 1000 } });
    const cleared = (await gql(UPDATE, { id: made.id, in: { rateLimit: null } })).updateWebhookEndpoint;
    expect(cleared).toMatchObject({ concurrency: null, rateLimit: null });
    await gql('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: made.id });
  });

  it('a rate of 5 per second: 20 messages start at most 5 in any second and take over 3 s; an unlimited endpoint is not held back', async () => {
    const rated = await endpoint('/rated', { rateLimit: { max: 5, perMs: 1000 } });
    const free = await endpoint('/free');
    await createJobs('rated', 20);
    await createJobs('free', 20);
    await eventually(() => receiver().on('/rated').length >= 20 || undefined, 30_000, '20 rated messages');
    const hits = receiver().on('/rated');
    expect(hits).toHaveLength(20);
    // Arrival times carry the network's jitter (a first connection's setup most) on top of the sender's start times.
    const offsets = hits.map((h) => h.at - hits[0].at).join(', ');
    expect(busiestWindow(hits, 800), `arrivals at +${offsets} ms`).toBeLessThanOrEqual(5);
    expect(hits[19].at - hits[0].at, `arrivals at +${offsets} ms`).toBeGreaterThanOrEqual(2_500);
    const freeHits = receiver().on('/free');
    expect(freeHits).toHaveLength(20);
    expect(freeHits[19].at).toBeLessThan(hits[19].at - 1_000);
    // Held back is not an attempt: each message went out once, delivered on its first attempt.
    await eventually(async () => {
      const nodes = (await gql(DELIVERIES, { id: rated.id })).webhookDeliveries.edges;
      return nodes.every((e: { node: { status: string } }) => e.node.status === 'DELIVERED') || undefined;
    });
    await deliveredOnce(rated.id, 20);
    await deliveredOnce(free.id, 20);
  });

  it('concurrency 2 against a receiver taking 300 ms: never more than 2 at once, and 2 side by side', async () => {
    const slow = await endpoint('/slow', { concurrency: 2 });
    await createJobs('slow', 10);
    await eventually(() => receiver().on('/slow').length >= 10 || undefined, 30_000, '10 slow messages');
    await eventually(async () => {
      const nodes = (await gql(DELIVERIES, { id: slow.id })).webhookDeliveries.edges;
      return (nodes.length === 10 && nodes.every((e: { node: { status: string } }) => e.node.status === 'DELIVERED')) || undefined;
    });
    expect(mostOpen).toBe(2);
    const hits = receiver().on('/slow');
    expect(hits[9].at - hits[0].at).toBeGreaterThanOrEqual(4 * SLOW_MS - 50);
    await deliveredOnce(slow.id, 10);
  });
});
