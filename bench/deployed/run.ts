/**
 * `npm run bench:deployed` — the product as it is deployed, beside the peers in-process: separate API
 * and worker processes (the API built first and `api/dist/src/main.js` run as the image runs it, with
 * NODE_ENV=production, ROLE=api and ROLE=worker, on a fresh MariaDB database, migrated by the API's
 * MIGRATE_ON_START as in docker-compose.yml), Redis for pub/sub and rate limits as in the compose file,
 * a client process creating `bench.noop` jobs over HTTP with an
 * API token, and webhooks (OUTBOUND_WEBHOOK) delivered to a receiver process that verifies every
 * signature. BullMQ, graphile-worker, pg-boss and our internal enqueue run in-process through
 * bench/lib/driver.ts, as `npm run bench` runs them. One table, JSON in bench/results/.
 *
 *   npm run bench:deployed                 full: medians of 3 (< 25 min)
 *   npm run bench:deployed -- --quick      small sizes, one run each (< 2 min): a smoke check
 *   npm run bench:deployed -- --only=ours,bullmq   a subset: ours (deployed), internal, bullmq, graphile, pgboss
 *   npm run bench:deployed -- --no-redis   API and worker without REDIS_URL (in-process pub/sub, per-process limits)
 *   npm run bench:deployed -- --no-dist    api/src/main.ts through tsx instead of the compiled build (no build step)
 *
 * One benchmark process at a time: the phases run one after another, and every process started is
 * stopped (SIGTERM, awaited) before the run ends, whatever happens.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { sleep } from '../lib/measure.mjs';
import { runInProcess, type DriverResult, type DriverTask, type InProcessSystem } from './peers.ts';
import { buildApi, ROOT, startHelper, startProduct, stopAll, type Helper, type Product } from './processes.ts';
import { pidOf, Watch, type Usage } from './procs.ts';
import { formatTable, ratioLines, type Figures, type TableInput } from './report.ts';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    redis: { type: 'boolean', default: true },
    dist: { type: 'boolean', default: true },
  },
  allowNegative: true,
});
const quick = args.quick;
const KEYS = ['ours', 'internal', 'bullmq', 'graphile', 'pgboss'];
const only = args.only?.split(',') ?? KEYS;
const unknownKey = only.find((k) => !KEYS.includes(k));
if (unknownKey) throw new Error(`--only: unknown key ${unknownKey}; expected some of ${KEYS.join(', ')}`);

const S = quick
  ? {
      enqOne: 1_000,
      enqBatch: 5_000,
      drain: 3_000,
      arrivalSec: 4,
      runs: 1,
      settleMs: 300,
      hooksTimeoutMs: 60_000,
      tailMs: 15_000,
      timeoutMs: 60_000,
    }
  : {
      enqOne: 10_000,
      enqBatch: 10_000,
      drain: 20_000,
      arrivalSec: 60,
      runs: 3,
      settleMs: 500,
      hooksTimeoutMs: 240_000,
      tailMs: 60_000,
      timeoutMs: 180_000,
    };
const DRAIN_LEVELS = [10, 50];
const RATES = [500, 2_000];
/** WORKER_CONCURRENCY of the arrival runs (the issue fixes only the drains' 10 and 50). */
const LATENCY_CONCURRENCY = 10;
const MYSQL_BASE = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const DB_NAME = 'jobs_bench_deployed';
const local = (url: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);
const wall = () => performance.timeOrigin + performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);

const ENQUEUE: DriverTask[] = [
  { id: 'enqueue.1', workload: 'enqueue', n: S.enqOne, batch: 1 },
  { id: 'enqueue.100', workload: 'enqueue', n: S.enqBatch, batch: 100 },
  { id: 'enqueue.1000', workload: 'enqueue', n: S.enqBatch, batch: 1000 },
];
const DRAIN: DriverTask[] = DRAIN_LEVELS.map((c) => ({ id: `drain.${c}`, workload: 'drain', n: S.drain, concurrency: c }));
const IN_PROCESS: InProcessSystem[] = [
  {
    key: 'internal',
    label: 'ours in-process (JobsService.create)',
    lacks: 'no HTTP, no GraphQL, no validation',
    module: 'engine/ours.ts',
    options: { db: 'mariadb', via: 'internal' },
    tasks: ENQUEUE,
  },
  {
    key: 'bullmq',
    label: 'BullMQ (Redis; in-process: no HTTP API, no webhooks)',
    lacks: 'no HTTP API, no webhooks',
    module: 'peers/bullmq.mjs',
    tasks: [...ENQUEUE, ...DRAIN],
  },
  {
    key: 'graphile',
    label: 'graphile-worker (PG; in-process: no HTTP API, no webhooks)',
    lacks: 'no HTTP API, no webhooks',
    module: 'peers/graphile-worker.mjs',
    tasks: [...ENQUEUE, ...DRAIN],
  },
  {
    key: 'pgboss',
    label: 'pg-boss (PG; in-process: no HTTP API, no webhooks)',
    lacks: 'no HTTP API, no webhooks',
    module: 'peers/pg-boss.mjs',
    tasks: [...ENQUEUE, ...DRAIN],
  },
];

/** Median that keeps Infinity (a percentile not reached) instead of dropping it. */
function median(values: (number | null | undefined)[]): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && !Number.isNaN(v)).sort((a, b) => a - b);
  if (xs.length === 0) return null;
  const mid = Math.floor(xs.length / 2);
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2;
}

/** Nearest-rank percentile over every job; a job whose webhook never came counts as Infinity. */
function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function freshDatabase(): Promise<string> {
  const conn = await mysql.createConnection(MYSQL_BASE);
  await conn.query(`drop database if exists \`${DB_NAME}\``);
  await conn.query(`create database \`${DB_NAME}\``);
  await conn.end();
  const base = new URL(MYSQL_BASE);
  return `mariadb://${base.username || 'root'}${base.password ? `:${base.password}` : ''}@${base.hostname}:${base.port || 3306}/${DB_NAME}`;
}

async function dropDatabase(): Promise<void> {
  const conn = await mysql.createConnection(MYSQL_BASE);
  await conn.query(`drop database if exists \`${DB_NAME}\``);
  await conn.end();
}

interface Sample {
  id: string;
  run: number;
  [key: string]: unknown;
}

/** Per-job µs and peak MiB of one run, as flat figure keys. */
function costOf(usage: Usage, n: number): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [name, ms] of Object.entries(usage.cpuMs)) out[`cpu.${name}`] = ms === null ? null : (ms * 1000) / n;
  for (const [name, mib] of Object.entries(usage.peakRssMiB)) out[`rss.${name}`] = mib;
  return out;
}

function productEnvOverrides(): Record<string, string> {
  const pairs = (process.env.BENCH_PRODUCT_ENV ?? '').split(',').filter(Boolean);
  return Object.fromEntries(
    pairs.map((pair) => {
      const at = pair.indexOf('=');
      if (at < 1) throw new Error(`BENCH_PRODUCT_ENV: "${pair}" is not NAME=value`);
      return [pair.slice(0, at), pair.slice(at + 1)];
    }),
  );
}

/** The deployed product: everything of the "ours" column. */
async function runDeployed(problems: string[]) {
  const secret = randomBytes(32).toString('hex');
  const token = randomBytes(24).toString('hex');
  const databaseUrl = await freshDatabase();
  const redisUrl = args.redis ? REDIS_URL : undefined;
  const servers = {
    mariadbd: local(MYSQL_BASE) ? pidOf('mariadbd', 'mysqld') : null,
    redis: redisUrl && local(redisUrl) ? pidOf('redis-server') : null,
  };
  const samples: Sample[] = [];
  const logs: Record<string, unknown>[] = [];
  let receiver: Helper | null = null;
  let client: Helper | null = null;
  let api: Product | null = null;
  let db: mysql.Connection | null = null;
  try {
    receiver = await startHelper('receiver', join(import.meta.dirname, 'receiver.ts'), { WEBHOOK_SECRET: secret });
    const common: Record<string, string> = {
      NODE_ENV: 'production',
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      // The compose file's default level: one line per request and per noteworthy event.
      LOG_LEVEL: 'info',
      API_TOKENS: `bench:admin:${token}`,
      WEBHOOK_SECRET: secret,
      OUTBOUND_WEBHOOK: `http://127.0.0.1:${receiver.ready.port}/hook`,
      TASKS_DIR: join(import.meta.dirname, 'tasks'),
      // One client sends everything: the per-IP limit (3,000 a minute) would refuse the benchmark.
      GLOBAL_RATE_LIMIT_MAX: '100000000',
      ...(redisUrl ? { REDIS_URL: redisUrl, REDIS_CHANNEL_PREFIX: `jobs-bench-deployed-${randomBytes(3).toString('hex')}:` } : {}),
      // Experiments: BENCH_PRODUCT_ENV="WEBHOOK_CONCURRENCY=64,LOG_LEVEL=warn" overrides the product's settings.
      ...productEnvOverrides(),
    };
    const started = wall();
    api = await startProduct('api', { ...common, ROLE: 'api', MIGRATE_ON_START: 'true' }, args.dist);
    const ready = (url: string) =>
      fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    for (let i = 0; !(await ready(api.url)); i++) {
      if (i === 240) throw new Error(`the API at ${api.url} did not answer /readyz within 60 s`);
      await sleep(250);
    }
    log(`  api (pid ${api.pid}) ready at ${api.url} in ${Math.round(wall() - started)} ms; receiver pid ${receiver.pid}`);
    client = await startHelper('client', join(import.meta.dirname, 'client.ts'), { API_URL: api.url, API_TOKEN: token });
    db = await mysql.createConnection({ uri: databaseUrl.replace(/^mariadb:/, 'mysql:'), dateStrings: true });
    const sql = async <T>(text: string) => (await db!.query(text))[0] as T;
    const reset = async () => {
      for (const table of ['jobs', 'webhook_deliveries', 'webhook_logs', 'job_logs', 'job_errors', 'job_throughput', 'queue_starts'])
        await sql(`truncate table \`${table}\``);
      await receiver!.ask({ type: 'reset' });
    };
    const statuses = async (table: string) =>
      Object.fromEntries(
        (await sql<{ status: string; n: number }[]>(`select status, count(*) as n from ${table} group by status`)).map((r) => [
          r.status,
          Number(r.n),
        ]),
      );
    const pids = (worker: Product, withClient: boolean) => ({
      worker: worker.pid,
      api: api!.pid,
      ...servers,
      receiver: receiver!.pid,
      ...(withClient ? { client: client!.pid } : {}),
    });
    const receiverStats = (tag: string) =>
      receiver!.ask<{
        tag: { count: number; duplicates: number; first: number | null; last: number | null };
        rejected: Record<string, number>;
      }>({
        type: 'stats',
        tag,
      });
    const startWorker = (concurrency: number) =>
      startProduct('worker', { ...common, ROLE: 'worker', WORKER_CONCURRENCY: String(concurrency) }, args.dist);
    const stopWorker = async (worker: Product, id: string, run: number) => {
      const how = await worker.stop();
      logs.push({ id, run, process: 'worker', ...worker.problems, stopped: how });
      if (how !== 'ok') problems.push(`${id} run ${run}: the worker ${how}`);
      if (worker.problems.errors || worker.problems.warnings)
        problems.push(
          `${id} run ${run}: the worker logged ${worker.problems.errors} errors and ${worker.problems.warnings} warnings, first: ${worker.problems.lines[0]}`,
        );
    };
    /** Waits until the receiver holds `n` webhooks of `tag`, or `deadline` (wall ms) passes. */
    const awaitHooks = async (tag: string, n: number, deadline: number) => {
      let stats = await receiverStats(tag);
      while (stats.tag.count < n && wall() < deadline) {
        await sleep(100);
        stats = await receiverStats(tag);
      }
      return stats;
    };

    for (const task of ENQUEUE) {
      for (let run = 1; run <= S.runs; run++) {
        await reset();
        await sleep(S.settleMs);
        const tag = `${task.id}.${run}`;
        const watch = new Watch({ api: api.pid, ...servers, client: client.pid }).start();
        const r = await client.ask<{ ms: number; errors: number; firstError: string | null }>({
          type: 'enqueue',
          n: task.n,
          batch: task.batch,
          tag,
        });
        const usage = watch.stop();
        const [{ n: stored }] = await sql<{ n: number }[]>('select count(*) as n from jobs');
        if (r.errors || Number(stored) !== task.n)
          problems.push(`${task.id} run ${run}: ${r.errors} failed requests (${r.firstError}), ${stored} of ${task.n} jobs stored`);
        const value = (task.n * 1000) / r.ms;
        samples.push({ id: task.id, run, value, ms: r.ms, errors: r.errors, stored: Number(stored), usage, ...costOf(usage, task.n) });
        log(`  ours ${task.id} run ${run}: ${Math.round(value)} jobs/s`);
      }
    }

    for (const c of DRAIN_LEVELS) {
      const id = `drain.${c}`;
      for (let run = 1; run <= S.runs; run++) {
        await reset();
        const tag = `${id}.${run}`;
        const filled = await client.ask<{ errors: number; firstError: string | null }>({ type: 'enqueue', n: S.drain, batch: 1000, tag });
        if (filled.errors) problems.push(`${id} run ${run}: enqueueing the backlog failed ${filled.errors} times (${filled.firstError})`);
        await sleep(S.settleMs);
        const worker = await startWorker(c);
        const watch = new Watch(pids(worker, false)).start();
        try {
          const deadline = wall() + S.timeoutMs;
          while ((await sql<unknown[]>("select 1 from jobs where status in ('PENDING', 'RUNNING') limit 1")).length > 0) {
            if (wall() > deadline) throw new Error(`${id}: jobs still unfinished after ${S.timeoutMs} ms`);
            await sleep(20);
          }
          const jobsDone = wall();
          const hooks = await awaitHooks(tag, S.drain, wall() + S.hooksTimeoutMs);
          const usage = watch.stop();
          const [{ first }] = await sql<{ first: string }[]>('select min(started_at) as first from jobs');
          const firstStart = Date.parse(`${first.replace(' ', 'T')}Z`);
          const jobs = await statuses('jobs');
          const outbox = await statuses('webhook_deliveries');
          const received = hooks.tag.count;
          const value = (S.drain * 1000) / (jobsDone - firstStart);
          const webhooks = received === S.drain ? (received * 1000) / (hooks.tag.last! - firstStart) : null;
          if (jobs.COMPLETED !== S.drain) problems.push(`${id} run ${run}: jobs by status ${JSON.stringify(jobs)}`);
          if (received !== S.drain)
            problems.push(
              `${id} run ${run}: ${received} of ${S.drain} webhooks arrived within ${S.hooksTimeoutMs} ms; outbox ${JSON.stringify(outbox)}`,
            );
          if (hooks.tag.duplicates) problems.push(`${id} run ${run}: ${hooks.tag.duplicates} webhooks arrived twice`);
          samples.push({
            id,
            run,
            value,
            webhooks,
            drainMs: jobsDone - firstStart,
            webhooksMs: hooks.tag.last === null ? null : hooks.tag.last - firstStart,
            received,
            duplicates: hooks.tag.duplicates,
            jobs,
            outbox,
            usage,
            ...costOf(usage, S.drain),
          });
          log(
            `  ours ${id} run ${run}: ${Math.round(value)} jobs/s, ${webhooks === null ? `${received} webhooks` : `${Math.round(webhooks)} webhooks/s`}`,
          );
        } finally {
          watch.stop();
          await stopWorker(worker, id, run);
        }
      }
    }

    for (const rate of RATES) {
      const id = `latency.${rate}`;
      const n = Math.round(rate * S.arrivalSec);
      for (let run = 1; run <= S.runs; run++) {
        await reset();
        await sleep(S.settleMs);
        const tag = `${id}.${run}`;
        const worker = await startWorker(LATENCY_CONCURRENCY);
        const watch = new Watch(pids(worker, true)).start();
        const backlog: { at: number; deliveries: number; jobs: number }[] = [];
        const t0 = wall();
        const sampler = setInterval(() => {
          void Promise.all([
            sql<{ n: number }[]>("select count(*) as n from webhook_deliveries where status = 'PENDING'"),
            sql<{ n: number }[]>("select count(*) as n from jobs where status = 'PENDING'"),
          ]).then(
            ([d, j]) => backlog.push({ at: Math.round(wall() - t0), deliveries: Number(d[0].n), jobs: Number(j[0].n) }),
            () => {},
          );
        }, 1000);
        try {
          const r = await client.ask<{
            start: number;
            sentMs: number;
            answeredMs: number;
            lagMaxMs: number;
            errors: number;
            firstError: string | null;
          }>({
            type: 'arrive',
            n,
            rate,
            tag,
          });
          if (r.errors) problems.push(`${id} run ${run}: ${r.errors} of ${n} createJob calls failed (${r.firstError})`);
          const lastDue = r.start + ((n - 1) * 1000) / rate;
          const hooks = await awaitHooks(tag, n - r.errors, Math.max(wall(), lastDue + S.tailMs));
          clearInterval(sampler);
          const usage = watch.stop();
          const times = await receiver.ask<{ i: number[]; at: number[] }>({ type: 'times', tag });
          const latency = new Array<number>(n).fill(Infinity);
          for (let k = 0; k < times.i.length; k++) latency[times.i[k]] = times.at[k] - (r.start + (times.i[k] * 1000) / rate);
          latency.sort((a, b) => (a === b ? 0 : a < b ? -1 : 1));
          const p50 = percentile(latency, 50);
          const p99 = percentile(latency, 99);
          const maxBacklog = backlog.length ? Math.max(...backlog.map((b) => b.deliveries)) : null;
          if (hooks.tag.count < n)
            problems.push(
              `${id} run ${run}: ${hooks.tag.count} of ${n} webhooks arrived within ${S.tailMs} ms after the last call was due`,
            );
          if (hooks.tag.duplicates) problems.push(`${id} run ${run}: ${hooks.tag.duplicates} webhooks arrived twice`);
          samples.push({
            id,
            run,
            p50,
            p99,
            n,
            received: hooks.tag.count,
            duplicates: hooks.tag.duplicates,
            maxBacklog,
            backlog,
            client: r,
            jobs: await statuses('jobs'),
            outbox: await statuses('webhook_deliveries'),
            usage,
            ...costOf(usage, n),
          });
          const shown = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : 'not received');
          log(
            `  ours ${id} run ${run}: p50 ${shown(p50)}, p99 ${shown(p99)}, ${hooks.tag.count}/${n} webhooks, most pending deliveries ${maxBacklog}, client late by up to ${Math.round(r.lagMaxMs)} ms`,
          );
        } finally {
          clearInterval(sampler);
          watch.stop();
          await stopWorker(worker, id, run);
        }
      }
    }
    const stats = await receiver.ask<{ rejected: Record<string, number>; unparsable: number; connections: number }>({ type: 'stats' });
    if (Object.keys(stats.rejected).length) problems.push(`the receiver refused deliveries: ${JSON.stringify(stats.rejected)}`);
    if (stats.unparsable) problems.push(`the receiver could not parse ${stats.unparsable} bodies`);
    return { samples, logs, receiver: stats, servers, redis: redisUrl ?? null };
  } finally {
    await db?.end().catch(() => {});
    if (api) {
      const how = await api.stop();
      logs.push({ process: 'api', ...api.problems, stopped: how });
      if (how !== 'ok') problems.push(`the API ${how}`);
      if (api.problems.errors || api.problems.warnings)
        problems.push(
          `the API logged ${api.problems.errors} errors and ${api.problems.warnings} warnings, first: ${api.problems.lines[0]}`,
        );
    }
    await client?.stop();
    await receiver?.stop();
    await stopAll();
    await dropDatabase().catch(() => {});
  }
}

/** Medians of the runs, as the table's figure keys. */
function deployedFigures(samples: Sample[]): Figures {
  const f: Figures = {};
  const of = (id: string) => samples.filter((s) => s.id === id);
  const costs = (id: string, group: string) => {
    const runs = of(id);
    for (const key of new Set(runs.flatMap((s) => Object.keys(s).filter((k) => k.startsWith('cpu.') || k.startsWith('rss.'))))) {
      const name = key.slice(4);
      if (key.startsWith('cpu.')) f[`cpu.${id}.${name}`] = median(runs.map((s) => s[key] as number | null));
      else f[`rss.${group}.${name}`] = Math.max(f[`rss.${group}.${name}`] ?? 0, ...runs.map((s) => (s[key] as number | null) ?? 0)) || null;
    }
  };
  for (const task of ENQUEUE) {
    f[task.id] = median(of(task.id).map((s) => s.value as number));
    costs(task.id, 'enqueue');
  }
  for (const c of DRAIN_LEVELS) {
    f[`drain.${c}`] = median(of(`drain.${c}`).map((s) => s.value as number));
    f[`webhooks.${c}`] = median(of(`drain.${c}`).map((s) => s.webhooks as number | null));
    costs(`drain.${c}`, 'drain');
  }
  for (const rate of RATES) {
    const id = `latency.${rate}`;
    f[`${id}.p50`] = median(of(id).map((s) => s.p50 as number));
    f[`${id}.p99`] = median(of(id).map((s) => s.p99 as number));
    f[`${id}.received`] = of(id).reduce((a, s) => a + (s.received as number), 0);
    f[`${id}.jobs`] = of(id).reduce((a, s) => a + (s.n as number), 0);
    f[`backlog.${rate}.max`] = median(of(id).map((s) => s.maxBacklog as number | null));
    costs(id, 'latency');
  }
  const top = Math.max(...RATES);
  const pace = f[`webhooks.${LATENCY_CONCURRENCY}`];
  const most = f[`backlog.${top}.max`];
  f[`backlog.${top}.seconds`] = most != null && pace ? most / pace : null;
  return f;
}

const started = Date.now();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  node: process.version,
  loadAvgAtStart: loadavg().map((x) => +x.toFixed(2)),
};
log(
  `bench:deployed (${quick ? 'quick' : 'full'}): ${S.runs === 1 ? 'one run' : `median of ${S.runs}`} per figure; ${machine.cpus} cores, load average ${machine.loadAvgAtStart.join(' ')}`,
);

const problems: string[] = [];
let deployed: Awaited<ReturnType<typeof runDeployed>> | null = null;
const inProcess: Record<string, DriverResult> = {};
let failure: unknown = null;
const interrupted = (signal: string) => () => {
  log(`${signal}: stopping every process started`);
  void stopAll().finally(() => process.exit(130));
};
process.once('SIGINT', interrupted('SIGINT'));
process.once('SIGTERM', interrupted('SIGTERM'));
try {
  if (only.includes('ours')) {
    log(
      `ours deployed (API and worker processes, ${args.dist ? 'api/dist' : 'api/src through tsx'}, ${args.redis ? 'Redis' : 'no Redis'})`,
    );
    if (args.dist) buildApi();
    deployed = await runDeployed(problems);
  }
  for (const system of IN_PROCESS) {
    if (!only.includes(system.key)) continue;
    log(system.label);
    const r = await runInProcess(system, S);
    inProcess[system.key] = r;
    for (const e of r.errors) problems.push(`${system.key} ${e.id} run ${e.run}: ${e.message}`);
    if (r.exitCode !== 0) problems.push(`${system.key}: the driver exited with ${r.exitCode}`);
  }
} catch (error) {
  failure = error;
  problems.push(`the run failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  await stopAll();
}

const figures = deployed ? deployedFigures(deployed.samples) : {};
const input: TableInput = {
  deployed: figures,
  inProcess: IN_PROCESS.filter((s) => inProcess[s.key]).map((s) => ({
    key: s.key,
    label: s.label,
    peer: s.key !== 'internal',
    figures: inProcess[s.key].figures,
  })),
  latencyRates: RATES,
  drainLevels: DRAIN_LEVELS,
  latencyConcurrency: LATENCY_CONCURRENCY,
};
const table = formatTable(input);
const ratios = ratioLines(input);
const report = {
  mode: quick ? 'quick' : 'full',
  startedAt: new Date(started).toISOString(),
  durationSec: Math.round((Date.now() - started) / 1000),
  machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => +x.toFixed(2)) },
  sizes: { ...S, drainLevels: DRAIN_LEVELS, rates: RATES, latencyConcurrency: LATENCY_CONCURRENCY },
  setup: {
    product: args.dist ? 'node api/dist/src/main.js' : 'node --import tsx api/src/main.ts',
    env:
      'NODE_ENV=production, ROLE=api (MIGRATE_ON_START=true) and ROLE=worker, LOG_LEVEL=info, API_TOKENS, WEBHOOK_SECRET, OUTBOUND_WEBHOOK → receiver, TASKS_DIR=bench/deployed/tasks, GLOBAL_RATE_LIMIT_MAX raised' +
      (process.env.BENCH_PRODUCT_ENV ? `, overrides: ${process.env.BENCH_PRODUCT_ENV}` : ''),
    redis: deployed?.redis ?? null,
    servers: deployed?.servers ?? null,
  },
  figures,
  deployed: deployed ? { samples: deployed.samples, logs: deployed.logs, receiver: deployed.receiver } : null,
  inProcess: Object.fromEntries(
    IN_PROCESS.filter((s) => inProcess[s.key]).map((s) => [s.key, { label: s.label, lacks: s.lacks, ...inProcess[s.key] }]),
  ),
  ratios,
  problems,
};
console.log(`\n${table}\n`);
for (const line of ratios) console.log(line);
console.log(
  problems.length
    ? `\nproblems:\n${problems.map((p) => `- ${p}`).join('\n')}`
    : '\nno problems: every request answered, every webhook verified, no warnings or errors logged',
);
console.log(
  `\n${report.mode} run, ${report.durationSec} s, ${machine.cpus} cores, load average ${machine.loadAvgAtStart.join(' ')} → ${report.machine.loadAvgAtEnd.join(' ')}`,
);
const dir = join(ROOT, 'bench', 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `deployed-${report.mode}-${report.startedAt.replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ ...report, table }, (_, v) => (v === Infinity ? 'Infinity' : v), 2),
);
console.log(`JSON: ${file.slice(ROOT.length + 1)}`);
process.exit(failure ? 1 : 0);
