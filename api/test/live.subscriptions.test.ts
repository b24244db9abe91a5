import { describe, expect, it } from 'vitest';
import { serverForSuite, sqlite, testDatabases } from './support/server.js';
import { collect, rawSocket, settle, wsClient } from './support/ws.js';

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';

describe.each(testDatabases())('live updates over graphql-ws on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api' });
  // Jobs due far in the future: no worker picks them up, so only the mutations below change them.
  const later = () => new Date(Date.now() + 3_600_000).toISOString();

  it('jobCreated and jobUpdated(id) deliver changes in order, filtered by id', async () => {
    const client = wsClient(server().url);
    const created = collect(client, 'subscription { jobCreated { id taskName status queue concurrencyKey } }');
    await settle();
    const { data } = await server().gql(CREATE, { in: { taskName: 'live-a', runAt: later(), queue: 'live', concurrencyKey: 'c-1' } });
    const id = data.createJob.id;
    const [first] = await created.waitFor(1);
    expect(first).toEqual({ id, taskName: 'live-a', status: 'PENDING', queue: 'live', concurrencyKey: 'c-1' });

    const mine = collect(client, 'subscription($id: ID) { jobUpdated(id: $id) { id status queue } }', { id });
    await settle();
    const other = await server().gql(CREATE, { in: { taskName: 'live-b', runAt: later() } });
    await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id });
    await server().gql('mutation($id: ID!) { runJob(id: $id) { id } }', { id });
    await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: other.data.createJob.id });
    await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id });
    const seen = await mine.waitFor(3);
    await settle(200);
    expect(mine.items).toEqual([
      { id, status: 'CANCELLED', queue: 'live' },
      { id, status: 'PENDING', queue: 'live' },
      { id, status: 'CANCELLED', queue: 'live' },
    ]);
    expect(seen.every((j) => j.id === id)).toBe(true);
    await client.dispose();
  });

  it('jobStats pushes new counts when they change', async () => {
    const client = wsClient(server().url);
    const stats = collect<{ pending: number; cancelled: number; total: number }>(
      client,
      'subscription { jobStats { pending cancelled total } }',
    );
    await settle();
    const before = (await server().gql('{ jobStats { total } }')).data.jobStats.total;
    await server().gql(CREATE, { in: { taskName: 'stats', runAt: later() } });
    const [pushed] = await stats.waitFor(1);
    expect(pushed.total).toBe(before + 1);
    await client.dispose();
  });

  it('many subscribers each receive every update in order', async () => {
    const subscribers = 200;
    const updates = 100;
    const { data } = await server().gql(CREATE, { in: { taskName: 'fan-out', runAt: later() } });
    const id = data.createJob.id;
    const clients = Array.from({ length: 10 }, () => wsClient(server().url));
    const streams = Array.from({ length: subscribers }, (_, i) =>
      collect<{ status: string }>(clients[i % clients.length], 'subscription($id: ID) { jobUpdated(id: $id) { status } }', { id }),
    );
    await settle(1000);
    for (let i = 0; i < updates; i++) {
      await server().gql(`mutation($id: ID!) { ${i % 2 === 0 ? 'cancelJob' : 'runJob'}(id: $id) { id } }`, { id });
    }
    const expected = Array.from({ length: updates }, (_, i) => (i % 2 === 0 ? 'CANCELLED' : 'PENDING'));
    for (const stream of streams) {
      await stream.waitFor(updates, 30_000);
      expect(stream.items.map((j) => j.status)).toEqual(expected);
    }
    await Promise.all(clients.map((c) => c.dispose()));
  });
});

describe('graphql-ws hardening', () => {
  const server = serverForSuite(sqlite, { ROLE: 'api' });

  it('closes a client that never sends connection_init with 4408, and keeps others working', async () => {
    const healthy = wsClient(server().url);
    const silent = rawSocket(server().url);
    await silent.opened;
    const { code } = await silent.closed;
    expect(code).toBe(4408);
    const stats = collect(healthy, 'subscription { jobCreated { id } }');
    await settle();
    await server().gql(CREATE, { in: { taskName: 'still-live' } });
    await stats.waitFor(1);
    await healthy.dispose();
  });

  it('closes a malformed message with 4400', async () => {
    const raw = rawSocket(server().url);
    await raw.opened;
    raw.socket.send('{"type": "connection_init"');
    expect((await raw.closed).code).toBe(4400);
  });

  it('refuses a 2 MiB message by closing that socket only', async () => {
    const healthy = wsClient(server().url);
    const created = collect(healthy, 'subscription { jobCreated { id } }');
    await settle();
    const raw = rawSocket(server().url);
    await raw.opened;
    raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(2 * 1024 * 1024) } }));
    expect((await raw.closed).code).toBe(1009);
    await server().gql(CREATE, { in: { taskName: 'after-big' } });
    await created.waitFor(1);
    await healthy.dispose();
  });
});
