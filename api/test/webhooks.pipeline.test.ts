import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Kysely } from 'kysely';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Em } from '../src/db/orm.js';
import { query, run } from '../src/db/sql.js';
import { silentLog } from '../src/log.js';
import { DeliveryLoop, type DeliveryLoopOptions } from '../src/webhooks/delivery-loop.js';
import type { WebhookLog } from '../src/webhooks/webhook-log.entity.js';
import { serverForSuite, startedByTests, testDatabases } from './support/server.js';
import { eventually, finishJobWithDelivery } from './support/webhooks.js';

/** A receiver that counts TCP connections and requests; `answer` decides per request. */
class CountingReceiver {
  connections = 0;
  requests = 0;
  private readonly open = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  constructor(private readonly answer: (n: number, req: IncomingMessage, res: ServerResponse) => void) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.open.add(res);
        res.on('close', () => this.open.delete(res));
        this.answer(++this.requests, req, res);
      });
    });
    this.server.on('connection', () => this.connections++);
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

const ok = (_n: number, _req: IncomingMessage, res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

describe.each(testDatabases())('the delivery pipeline on $name', (db) => {
  // ROLE=api runs no delivery loop of its own: each test runs one it configures.
  const server = serverForSuite(db, { ROLE: 'api', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const started = startedByTests('each');
  const em = () => server().orm.em.fork() as Em;
  afterEach(async () => {
    vi.restoreAllMocks();
    await run(em(), 'delete from webhook_deliveries');
    await run(em(), 'delete from webhook_logs');
  });

  function loop(options: Partial<DeliveryLoopOptions>, logs: WebhookLog[]) {
    const delivery = new DeliveryLoop(
      server().orm,
      {
        secret: 'pipeline-secret',
        retry: { maxRetries: 3, baseMs: 1000 },
        timeoutMs: 10_000,
        concurrency: 4,
        pollMs: 20,
        leaseMs: 60_000,
        allowed: ['127.0.0.1'],
        ...options,
      },
      { logAdded: (log) => logs.push(log) },
    );
    return started.add(delivery, (l) => l.stop(0));
  }

  async function outbox(n: number, url: string, trusted: boolean): Promise<void> {
    for (let i = 0; i < n; i++) await finishJobWithDelivery(server().orm.em as Em, { url, trusted });
  }

  it.each([
    ['a trusted target', true],
    ['a guarded per-job URL', false],
  ])('keeps connections to %s alive: the receiver sees at most one per slot', async (_name, trusted) => {
    const receiver = started.add(await new CountingReceiver(ok).start(), (r) => r.close());
    const messages = 100;
    await outbox(messages, `${receiver.url}/hook`, trusted);
    const logs: WebhookLog[] = [];
    loop({ concurrency: 4 }, logs).start(silentLog);
    await eventually(() => logs.length === messages, 20_000, `${messages} attempts`);
    expect(logs.every((l) => l.responseStatus === 200)).toBe(true);
    expect(receiver.requests).toBe(messages);
    expect(receiver.connections).toBeGreaterThan(0);
    expect(receiver.connections).toBeLessThanOrEqual(4);
  });

  it('stopping gives back the deliveries claimed ahead: unsent, unlogged, due at once', async () => {
    // The first answer is quick (the loop learns its pace and claims ahead); every later request hangs.
    const receiver = started.add(
      await new CountingReceiver((n, _req, res) => {
        if (n === 1) ok(n, _req, res);
      }).start(),
      (r) => r.close(),
    );
    const messages = 12;
    await outbox(messages, `${receiver.url}/hook`, true);
    const logs: WebhookLog[] = [];
    const delivery = loop({ concurrency: 2 }, logs);
    delivery.start(silentLog);
    await eventually(() => logs.length === 1, 10_000, 'the first attempt');
    const held = async () =>
      Number((await query<{ n: number }>(em(), "select count(*) as n from webhook_deliveries where status = 'SENDING'"))[0].n);
    // Two requests hang in the two slots; more were claimed to wait for a slot.
    await eventually(async () => receiver.requests === 3 && (await held()) > 2, 10_000, 'deliveries claimed ahead');
    const claimed = await held();

    const stopping = Date.now();
    await delivery.stop(100);
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(receiver.requests).toBe(3);
    const rows = await query<{ status: string; attempts: number; lease_owner: string | null }>(
      em(),
      'select status, attempts, lease_owner from webhook_deliveries order by id',
    );
    expect(rows.map((r) => r.status)).toEqual(['DELIVERED', ...Array(messages - 1).fill('PENDING')]);
    expect(rows.slice(1).every((r) => Number(r.attempts) === 0 && r.lease_owner === null)).toBe(true);
    expect(claimed).toBeGreaterThan(2);
    expect(Number((await query<{ n: number }>(em(), 'select count(*) as n from webhook_logs'))[0].n)).toBe(1);
  });

  // SQLite runs one transaction at a time in the process: a claim waits for the write whatever the loop does.
  it.skipIf(db.name === 'sqlite')('a slot is free once the response is in: a slow write does not hold the next request back', async () => {
    const receiver = started.add(await new CountingReceiver(ok).start(), (r) => r.close());
    const messages = 20;
    await outbox(messages, `${receiver.url}/hook`, true);
    // Every write of attempt logs takes 300 ms longer. One slot that waited for its attempt's write would
    // send one request per write (~6 s for 20); with the writes beside the requests they all go out at once.
    const original = Kysely.prototype.executeQuery;
    vi.spyOn(Kysely.prototype, 'executeQuery').mockImplementation(async function (this: Kysely<unknown>, compiled, ...rest) {
      const sql = (compiled as { sql?: string }).sql;
      if (typeof sql === 'string' && sql.startsWith('insert into webhook_logs')) await new Promise((r) => setTimeout(r, 300));
      return original.call(this, compiled as never, ...(rest as []));
    } as typeof original);
    const logs: WebhookLog[] = [];
    loop({ concurrency: 1 }, logs).start(silentLog);
    const startedAt = Date.now();
    await eventually(() => receiver.requests === messages, 10_000, `${messages} requests`);
    expect(Date.now() - startedAt).toBeLessThan(2_500);
    await eventually(() => logs.length === messages, 20_000, `${messages} logs`);
    expect(new Set(logs.map((l) => l.jobId)).size).toBe(messages);
  });

  it('a delivery that waited ahead until its lease could run out mid-attempt is given back, not sent', async () => {
    // The first answer is quick, so the loop claims ahead; then every request hangs until the 300 ms timeout.
    const hits = new Map<string, number>();
    const receiver = started.add(
      await new CountingReceiver((n, req, res) => {
        const id = String(req.headers['webhook-id']);
        hits.set(id, (hits.get(id) ?? 0) + 1);
        if (n === 1) ok(n, req, res);
      }).start(),
      (r) => r.close(),
    );
    const messages = 6;
    await outbox(messages, `${receiver.url}/hook`, true);
    const logs: WebhookLog[] = [];
    const warnings: string[] = [];
    const log = { ...silentLog, warn: (_obj: unknown, msg?: string) => warnings.push(String(msg)) };
    // A lease of two timeouts: a delivery still waiting one timeout after its claim would outlive its
    // lease, and the second sender, polling for expired leases, would send it too.
    const options = { concurrency: 1, timeoutMs: 300, leaseMs: 600, retry: { maxRetries: 0, baseMs: 100 } };
    loop(options, logs).start(log);
    await eventually(() => logs.length === 1, 10_000, 'the first attempt');
    loop(options, logs).start(log);
    await eventually(() => logs.length === messages, 20_000, `${messages} attempts`);
    expect(warnings).toEqual([]);
    // Each message went out exactly once: none was sent after another claim took it over.
    expect([...hits.values()]).toEqual(Array(messages).fill(1));
    expect(logs.map((l) => l.error).slice(1)).toEqual(Array(messages - 1).fill('timeout after 300 ms'));
  });
});
