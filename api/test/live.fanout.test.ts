import { describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { serverForSuite, sqlite } from './support/server.js';
import { collect, rawSocket, settle, wsClient } from './support/ws.js';

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const UPDATED = 'subscription($id: ID) { jobUpdated(id: $id) { id status priority } }';

/** A raw graphql-transport-ws connection that records every frame it receives, as text. */
async function frames(url: string, init: Record<string, unknown> = {}) {
  const { socket, opened } = rawSocket(url);
  const received: string[] = [];
  socket.on('message', (data: WebSocket.RawData) => received.push(data.toString()));
  await opened;
  socket.send(JSON.stringify({ type: 'connection_init', payload: init }));
  await until(() => received.some((f) => f.includes('connection_ack')));
  return {
    socket,
    received,
    subscribe: (id: string, query: string, variables: Record<string, unknown>) =>
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    complete: (id: string) => socket.send(JSON.stringify({ id, type: 'complete' })),
    nexts: (id: string) => received.filter((f) => f.startsWith(`{"id":"${id}","type":"next"`)),
  };
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Subscriptions that share one execution: what each subscriber receives, byte for byte. */
describe('subscription fan-out', () => {
  const server = serverForSuite(sqlite, { ROLE: 'api', RATE_LIMIT_MAX: '100000' });
  const later = () => new Date(Date.now() + 3_600_000).toISOString();
  const createJob = async () => (await server().gql(CREATE, { in: { taskName: 'fan', runAt: later() } })).data.createJob.id as string;
  const cancel = (id: string) => server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id });
  const rerun = (id: string) => server().gql('mutation($id: ID!) { runJob(id: $id) { id } }', { id });

  it('identical subscriptions get the same payload bytes, each in a frame with its own id, in order', async () => {
    const id = await createJob();
    const sockets = await Promise.all(Array.from({ length: 25 }, () => frames(server().url)));
    sockets.forEach((s, i) => s.subscribe(`sub-${i}`, UPDATED, { id }));
    await settle();
    await cancel(id);
    await rerun(id);
    await cancel(id);
    await until(() => sockets.every((s, i) => s.nexts(`sub-${i}`).length === 3));

    // One execution serves all 25 (graphql/fanout.ts): the process reports one group.
    const metrics = await (await fetch(`${server().url}/metrics`)).text();
    expect(metrics).toMatch(/^graphql_ws_subscriptions 25$/m);
    expect(metrics).toMatch(/^graphql_ws_subscription_groups 1$/m);

    const payloads = sockets.map((s, i) => s.nexts(`sub-${i}`).map((f) => f.slice(`{"id":"sub-${i}","type":"next","payload":`.length)));
    for (const p of payloads) expect(p).toEqual(payloads[0]);
    expect(payloads[0].map((p) => JSON.parse(p.slice(0, -1)).data.jobUpdated.status)).toEqual(['CANCELLED', 'PENDING', 'CANCELLED']);
    // Each frame is a whole graphql-transport-ws message.
    for (const f of sockets[0].nexts('sub-0')) expect(JSON.parse(f)).toMatchObject({ id: 'sub-0', type: 'next' });
    for (const s of sockets) s.socket.close();
  });

  it('different variables, fields or documents do not share: each subscriber sees only what it asked for', async () => {
    const [a, b] = [await createJob(), await createJob()];
    const s = await frames(server().url);
    s.subscribe('a', UPDATED, { id: a });
    s.subscribe('b', UPDATED, { id: b });
    s.subscribe('few', 'subscription($id: ID) { jobUpdated(id: $id) { id } }', { id: a });
    await settle();
    await cancel(a);
    await cancel(b);
    await until(() => s.nexts('a').length === 1 && s.nexts('b').length === 1 && s.nexts('few').length === 1);
    expect(JSON.parse(s.nexts('a')[0]).payload.data.jobUpdated.id).toBe(a);
    expect(JSON.parse(s.nexts('b')[0]).payload.data.jobUpdated.id).toBe(b);
    expect(JSON.parse(s.nexts('few')[0]).payload.data.jobUpdated).toEqual({ id: a });
    s.socket.close();
  });

  it('a subscriber that completes or disconnects leaves the others subscribed, and the group ends with its last member', async () => {
    const id = await createJob();
    const stays = await frames(server().url);
    const goes = await frames(server().url);
    const drops = await frames(server().url);
    for (const s of [stays, goes, drops]) s.subscribe('x', UPDATED, { id });
    await settle();
    await cancel(id);
    await until(() => [stays, goes, drops].every((s) => s.nexts('x').length === 1));

    goes.complete('x');
    drops.socket.terminate();
    await settle();
    await rerun(id);
    await until(() => stays.nexts('x').length === 2);
    await settle(200);
    expect(goes.nexts('x')).toHaveLength(1);

    stays.complete('x');
    await settle();
    // A new subscriber after the group ended starts a new one and gets the next change.
    const fresh = wsClient(server().url);
    const seen = collect(fresh, UPDATED, { id });
    await settle();
    await cancel(id);
    expect((await seen.waitFor(1))[0]).toMatchObject({ id, status: 'CANCELLED' });
    expect(stays.nexts('x')).toHaveLength(2);
    await fresh.dispose();
    for (const s of [stays, goes]) s.socket.close();
  });

  it('a subscription refused at subscribe time (a bad variable) answers every subscriber with the same masked error', async () => {
    const s = await frames(server().url);
    s.subscribe('bad', 'subscription($id: ID) { jobUpdated(id: $id) { id } }', { id: { not: 'an id' } });
    await until(() => s.received.some((f) => f.includes('"id":"bad"') && !f.includes('connection_ack')));
    const frame = JSON.parse(s.received.find((f) => f.includes('"id":"bad"'))!);
    const errors = frame.payload.errors ?? frame.payload;
    expect(errors[0].extensions.code).toBe('BAD_USER_INPUT');
    s.socket.close();
  });
});
