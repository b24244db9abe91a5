/**
 * Webhook deliveries per second from the outbox to a local receiver, at delivery-loop concurrency
 * 1, 16 and 64 (WEBHOOK_CONCURRENCY). Each round fills the outbox with N signed messages, starts one
 * DeliveryLoop and times it from start until the last 2xx attempt is logged. The receiver (answers
 * 200 at once) runs in its own process so it does not share the sender's event loop.
 * Per delivery it also reports the sender's CPU, the local MariaDB server's CPU (from /proc),
 * statements sent and deliveries per commit, and how many TCP connections the receiver accepted.
 *
 *   npm run bench:webhooks                       SQLite in a temp folder (the embedded default)
 *   DATABASE_URL=mariadb://root@127.0.0.1:3306/jobs_bench_webhooks npm run bench:webhooks
 *   BENCH_DELIVERIES=4000 BENCH_CONCURRENCY=1,16,64 npm run bench:webhooks
 *   BENCH_EVENTS=live [BENCH_REDIS_URL=redis://127.0.0.1:6379] npm run bench:webhooks
 *
 * BENCH_EVENTS=live announces every attempt as the product does (LiveEvents on the in-memory bus, or
 * on Redis with BENCH_REDIS_URL, and the attempt counter of /metrics) instead of only counting it.
 *
 *   BENCH_DRAIN=20000 [BENCH_WORKER_CONCURRENCY=50] npm run bench:webhooks
 *
 * BENCH_DRAIN=N runs a ROLE=worker process's engine and webhooks together instead: N noop jobs drained
 * at WORKER_CONCURRENCY 50 while the same process delivers their webhooks (OUTBOUND_WEBHOOK = the
 * receiver) at each WEBHOOK_CONCURRENCY of BENCH_CONCURRENCY. It reports jobs/s, webhooks/s (N over
 * the time until the last one was delivered), their ratio and the largest outbox backlog seen.
 */
import 'reflect-metadata';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../api/src/config.js';
import { migrate, openOrm, type Em, type Orm } from '../../api/src/db/orm.js';
import { dialectOf, query, run } from '../../api/src/db/sql.js';
import { Job } from '../../api/src/jobs/job.entity.js';
import { JobStatus, Priority } from '../../api/src/jobs/job.enums.js';
import { countingWebhookAttempts, createMetrics } from '../../api/src/http/metrics.js';
import { silentJobEvents } from '../../api/src/jobs/job.events.js';
import { JobsService } from '../../api/src/jobs/jobs.service.js';
import { createWebhooks } from '../../api/src/webhooks/webhooks.js';
import { noopEngine, noopJob } from '../engine/product.js';
import { createLive, type Live } from '../../api/src/live/live.js';
import { silentLog } from '../../api/src/log.js';
import { DeliveryLoop } from '../../api/src/webhooks/delivery-loop.js';
import { recordDelivery } from '../../api/src/webhooks/outbox.js';
import type { WebhookLog } from '../../api/src/webhooks/webhook-log.entity.js';

const DELIVERIES = Number(process.env.BENCH_DELIVERIES ?? 2000);
const LEVELS = (process.env.BENCH_CONCURRENCY ?? '1,16,64').split(',').map(Number);
const EVENTS = process.env.BENCH_EVENTS ?? 'count';
if (EVENTS !== 'count' && EVENTS !== 'live') throw new Error(`BENCH_EVENTS expects count or live, got ${EVENTS}`);
const DRAIN = Number(process.env.BENCH_DRAIN ?? 0);
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 50);

/** A receiver in a child process: 200 with a small JSON body, keep-alive on. Prints its port; counts connections. */
async function startReceiver(): Promise<{ url: string; connections: () => Promise<number>; stop: () => void }> {
  const code = `
    const http = require('node:http');
    let connections = 0;
    const server = http.createServer((req, res) => { req.resume(); req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}')); });
    server.on('connection', () => connections++);
    server.keepAliveTimeout = 60000;
    process.on('message', () => process.send(connections));
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  const connections = () =>
    new Promise<number>((resolve) => {
      child.once('message', (n) => resolve(Number(n)));
      child.send('count');
    });
  child.unref();
  return { url: `http://127.0.0.1:${port}/hook`, connections, stop: () => child.kill() };
}

/** CPU time (ms) the local mariadbd has used so far, or null when it does not run on this machine. */
function serverCpuMs(): number | null {
  try {
    const pid = execFileSync('pgrep', ['-x', 'mariadbd']).toString().trim().split('\n')[0];
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function serverCounters(orm: Orm): Promise<Record<string, number> | null> {
  const em = orm.em.fork() as Em;
  if (dialectOf(em) === 'sqlite') return null;
  const rows = await query<{ Variable_name: string; Value: string }>(
    em,
    "show global status where Variable_name in ('Questions', 'Com_commit')",
  );
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

async function fillOutbox(orm: Orm, url: string, n: number): Promise<void> {
  await run(orm.em.fork() as Em, 'delete from webhook_deliveries');
  await run(orm.em.fork() as Em, 'delete from webhook_logs');
  const now = new Date();
  for (let start = 0; start < n; start += 500) {
    await orm.em.fork().transactional(async (tx) => {
      for (let i = start; i < Math.min(n, start + 500); i++) {
        const job = Object.assign(new Job(), {
          id: i + 1,
          taskName: 'bench',
          payload: { n: i, to: `user${i}@example.com` },
          priority: Priority.LOW,
          status: JobStatus.COMPLETED,
          attempts: 1,
          completedAt: now,
          runDurationMs: 5,
        });
        await recordDelivery(tx as Em, job, { url, trusted: true });
      }
    });
  }
}

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/** The bench's count of attempts, alone or behind the product's announcements of them. */
function announced(live: Live | null, count: (log: WebhookLog) => void) {
  if (!live) return { logAdded: count };
  const events = countingWebhookAttempts(live.events, metrics!);
  return {
    logAdded(log: WebhookLog) {
      events.logAdded(log);
      count(log);
    },
  };
}

async function round(orm: Orm, concurrency: number, receiver: Receiver, config: ReturnType<typeof loadConfig>, live: Live | null) {
  const url = receiver.url;
  await fillOutbox(orm, url, DELIVERIES);
  let delivered = 0;
  const durations: number[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const loop = new DeliveryLoop(
    orm,
    {
      secret: config.WEBHOOK_SECRET,
      retry: { maxRetries: 3, baseMs: 1000 },
      timeoutMs: 10_000,
      concurrency,
      pollMs: 10,
      leaseMs: 40_000,
      allowed: [],
    },
    announced(live, (log: WebhookLog) => {
      durations.push(log.durationMs ?? 0);
      if (log.responseStatus && log.responseStatus < 300 && ++delivered === DELIVERIES) done();
    }),
  );
  const before = {
    counters: await serverCounters(orm),
    server: serverCpuMs(),
    worker: process.cpuUsage(),
    connections: await receiver.connections(),
  };
  const started = performance.now();
  loop.start({ ...silentLog, error: (obj, msg) => console.error(msg, obj) });
  await finished;
  const seconds = (performance.now() - started) / 1000;
  const worker = process.cpuUsage(before.worker);
  const server = serverCpuMs();
  const counters = await serverCounters(orm);
  const connections = (await receiver.connections()) - before.connections;
  await loop.stop(1000);
  durations.sort((a, b) => a - b);
  const pct = (p: number) => durations[Math.min(durations.length - 1, Math.floor((p / 100) * durations.length))];
  return {
    concurrency,
    deliveries: DELIVERIES,
    seconds: seconds.toFixed(2),
    perSecond: Math.round(DELIVERIES / seconds),
    p50Ms: pct(50),
    p95Ms: pct(95),
    workerCpuUs: Math.round((worker.user + worker.system) / DELIVERIES),
    serverCpuUs: server === null || before.server === null ? null : Math.round(((server - before.server) * 1000) / DELIVERIES),
    statements: counters && before.counters ? +((counters.Questions - before.counters.Questions) / DELIVERIES).toFixed(2) : null,
    perCommit: counters && before.counters ? +(DELIVERIES / (counters.Com_commit - before.counters.Com_commit)).toFixed(1) : null,
    connections,
  };
}

/** The engine drains DRAIN noop jobs while the same process's delivery loop sends their webhooks. */
async function drainRound(orm: Orm, concurrency: number, receiver: Receiver, config: ReturnType<typeof loadConfig>, live: Live | null) {
  const em = () => orm.em.fork() as Em;
  for (const table of ['webhook_logs', 'webhook_deliveries', 'jobs']) await run(em(), `delete from ${table}`);
  const service = new JobsService(orm, silentJobEvents);
  for (let start = 0; start < DRAIN; start += 1000)
    await service.create(Array.from({ length: Math.min(1000, DRAIN - start) }, (_, i) => noopJob(start + i)));
  const base = { ...config, ROLE: 'worker', OUTBOUND_WEBHOOK: receiver.url, WEBHOOK_CONCURRENCY: concurrency } as typeof config;
  let delivered = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const webhooks = createWebhooks(
    orm,
    base,
    announced(live, (log) => {
      if (log.responseStatus && log.responseStatus < 300 && ++delivered === DRAIN) done();
    }),
  );
  let handled = 0;
  const engine = noopEngine(orm, base, webhooks, WORKER_CONCURRENCY, () => handled++);
  const before = { server: serverCpuMs(), worker: process.cpuUsage() };
  const started = performance.now();
  webhooks.start('http://127.0.0.1:9', { ...silentLog, error: (obj, msg) => console.error(msg, obj) });
  engine.start();
  let jobsSeconds = 0;
  let maxBacklog = 0;
  const count = async (sql: string) => Number((await query<{ n: number }>(em(), sql))[0].n);
  while (delivered < DRAIN) {
    await Promise.race([finished, new Promise((r) => setTimeout(r, 100))]);
    if (!jobsSeconds && (await count("select count(*) as n from jobs where status = 'COMPLETED'")) === DRAIN)
      jobsSeconds = (performance.now() - started) / 1000;
    if (delivered < DRAIN)
      maxBacklog = Math.max(maxBacklog, await count("select count(*) as n from webhook_deliveries where status <> 'DELIVERED'"));
  }
  const seconds = (performance.now() - started) / 1000;
  jobsSeconds ||= seconds;
  const worker = process.cpuUsage(before.worker);
  const server = serverCpuMs();
  await engine.stop();
  await webhooks.stop(1000);
  return {
    webhookConcurrency: concurrency,
    jobs: DRAIN,
    jobsPerSec: Math.round(DRAIN / jobsSeconds),
    webhooksPerSec: Math.round(DRAIN / seconds),
    ratio: +(jobsSeconds / seconds).toFixed(2),
    maxBacklog,
    workerCpuUsPerJob: Math.round((worker.user + worker.system) / DRAIN),
    serverCpuUsPerJob: server === null || before.server === null ? null : Math.round(((server - before.server) * 1000) / DRAIN),
  };
}

const databaseUrl = process.env.DATABASE_URL ?? join(mkdtempSync(join(tmpdir(), 'bench-webhooks-')), 'jobs.sqlite');
const config = loadConfig({
  DATABASE_URL: databaseUrl,
  LOG_LEVEL: 'silent',
  NODE_ENV: 'production',
  AUTH_DISABLED: 'true',
  WEBHOOK_SECRET: 'bench-webhook-secret',
});
const orm = await openOrm(config.database);
await migrate(orm);
const receiver = await startReceiver();
const live = EVENTS === 'live' ? await createLive(orm, process.env.BENCH_REDIS_URL, 'bench-webhooks:') : null;
const metrics = live ? createMetrics(orm) : null;
console.log(
  `webhook deliveries to a local receiver — ${config.database.dialect}, ${DELIVERIES} deliveries per round, events: ${live ? `live (${live.bus.transport})` : 'counted'}, Node ${process.version}`,
);
console.log('per delivery: sender CPU (µs), MariaDB CPU (µs), statements, deliveries per commit; connections the receiver accepted');
const rows = [];
try {
  for (const c of LEVELS) rows.push(DRAIN ? await drainRound(orm, c, receiver, config, live) : await round(orm, c, receiver, config, live));
} finally {
  receiver.stop();
  await live?.close();
  await orm.close(true);
}
console.table(rows);
