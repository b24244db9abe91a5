import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Em } from '../../src/db/orm.js';
import { query } from '../../src/db/sql.js';
import { Job } from '../../src/jobs/job.entity.js';
import { JobStatus, Priority } from '../../src/jobs/job.enums.js';
import { recordDelivery, type DeliveryTarget } from '../../src/webhooks/outbox.js';
import { forSuite, type TestServer } from './server.js';

/** One request as the receiver saw it: arrival time, headers, exact body bytes. */
export interface Hit {
  path: string;
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What a path answers on its n-th request (1-based): a status (and headers, body), or hang forever. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string };
/** A promise answers when it settles (a slow receiver). */
export type Script = (n: number, hit: Hit) => Answer | 'hang' | Promise<Answer>;

/** A real HTTP receiver on 127.0.0.1 whose answers the test scripts per path. */
export class Receiver {
  readonly hits: Hit[] = [];
  private readonly counts = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  constructor(private readonly scripts: Record<string, Script>) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const hit: Hit = { path, at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.hits.push(hit);
        const n = (this.counts.get(path) ?? 0) + 1;
        this.counts.set(path, n);
        const answer = (this.scripts[path] ?? (() => ({ status: 404 })))(n, hit);
        if (answer === 'hang') {
          this.hanging.add(res);
          return;
        }
        const send = (a: Answer) =>
          res.writeHead(a.status, { 'content-type': 'text/plain', ...a.headers }).end(a.body ?? `answer ${n} from ${path}`);
        if (answer instanceof Promise) {
          this.hanging.add(res);
          void answer.then((a) => this.hanging.delete(res) && send(a));
        } else send(answer);
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  on(path: string): Hit[] {
    return this.hits.filter((h) => h.path === path);
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** A receiver for the enclosing `describe`, started before its first test and closed after its last (see `forSuite`). */
export function receiverForSuite(scripts: Record<string, Script>): () => Receiver {
  return forSuite(
    () => new Receiver(scripts).start(),
    (receiver) => receiver.close(),
  );
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Writes a finished job and its outbox delivery in one transaction, the way the engine's finish does,
 * so the delivery loop can be tested on its own.
 */
export async function finishJobWithDelivery(
  em: Em,
  target: DeliveryTarget,
  job: { status?: JobStatus; payload?: Record<string, unknown>; taskName?: string } = {},
): Promise<Job> {
  return em.fork().transactional(async (tx) => {
    const now = new Date();
    const row = tx.create(Job, {
      taskName: job.taskName ?? 'generate-report',
      payload: job.payload ?? { format: 'PDF', note: 'Grüße ✓' },
      priority: Priority.MEDIUM,
      status: job.status ?? JobStatus.COMPLETED,
      attempts: 1,
      startedAt: new Date(now.getTime() - 1234),
      completedAt: now,
      runDurationMs: 1234,
      lastError: job.status === JobStatus.FAILED ? 'simulated failure' : null,
      webhookUrl: target.trusted ? null : target.url,
      runAt: now,
      createdAt: now,
      updatedAt: now,
    });
    await tx.flush();
    await recordDelivery(tx as Em, row, target);
    return row;
  });
}

export interface DeliveryRow {
  id: number;
  status: string;
  attempts: number;
  message_id: string;
  body: string;
}

export async function deliveriesOf(server: TestServer, jobId: number): Promise<DeliveryRow[]> {
  const rows = await query<DeliveryRow>(
    server.orm.em.fork() as Em,
    'select id, status, attempts, message_id, body from webhook_deliveries where job_id = ? order by id',
    [jobId],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts), body: String(r.body) }));
}

export const LOG_FIELDS = 'id jobId url attempt responseStatus responseBody error durationMs createdAt requestBody';

export interface LogRow {
  id: string;
  jobId: string;
  url: string;
  attempt: number;
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number | null;
  createdAt: string;
  requestBody: unknown;
}

export async function logsOf(server: TestServer, jobId: number | string): Promise<LogRow[]> {
  const res = await server.gql(`query($id: ID!) { job(id: $id) { status webhookLogs { ${LOG_FIELDS} } } }`, { id: String(jobId) });
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data.job.webhookLogs;
}
