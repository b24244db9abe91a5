/**
 * Where a drained job's cost goes: `npm run bench:cost -w bench` drains noop jobs through the product's
 * engine (with the webhook outbox and throughput-counter hooks, as `npm run bench`) and reports, per job, the worker's CPU, the
 * MariaDB server's CPU (read from /proc, so only for a server on this machine), statements sent, and
 * jobs carried per commit. The harness's throughput tables say how fast; this says why, and is how the
 * engine changes in the README's performance section were measured.
 *
 *   npm run bench:cost -w bench -- --jobs=20000 --concurrency=1,10,50
 *
 * `--limited=concurrency|rate|key` gives the default queue a limit that never binds (a concurrency
 * limit of 100,000, a rate of 1,000,000 per second, or one job per concurrency key, the jobs having
 * none), so the drain takes the limited claim path: what a limit costs when it is not the bottleneck.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../../api/src/config.js';
import type { Em, Orm } from '../../api/src/db/orm.js';
import { query, run } from '../../api/src/db/sql.js';
import { silentJobEvents } from '../../api/src/jobs/job.events.js';
import { JobsService } from '../../api/src/jobs/jobs.service.js';
import { unlimited, writeSettings, type QueueSettings } from '../../api/src/queues/queue-state.sql.js';
import { chunks, handlerCounter, sleep, timeDrain } from '../lib/measure.mjs';
import { freshMariaDb, migratedOrm } from './database.js';
import { noopEngine, noopJob, outboxOnly, type Webhooks } from './product.js';

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '1,10,50' },
    limited: { type: 'string', default: 'none' },
  },
});
const LIMITS: Record<string, Partial<QueueSettings>> = {
  none: {},
  concurrency: { concurrencyLimit: 100_000 },
  rate: { rateLimit: { max: 1_000_000, perMs: 1000 } },
  key: { keyConcurrency: 1 },
};
if (!(args.limited in LIMITS)) throw new Error(`--limited expects none, concurrency, rate or key, got ${args.limited}`);
const jobs = Number(args.jobs);
const levels = args.concurrency.split(',').map(Number);
if (!Number.isInteger(jobs) || jobs < 1 || levels.some((c) => !Number.isInteger(c) || c < 1)) {
  throw new Error(`--jobs and --concurrency expect positive whole numbers, got ${args.jobs} and ${args.concurrency}`);
}

/** CPU time (ms) the local mariadbd has used so far, or null when it does not run on this machine. */
function serverCpuMs(): number | null {
  try {
    const pid = execFileSync('pgrep', ['-x', 'mariadbd']).toString().trim().split('\n')[0];
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function serverCounters(em: Em): Promise<Record<string, number>> {
  const rows = await query<{ Variable_name: string; Value: string }>(
    em,
    "show global status where Variable_name in ('Questions', 'Com_commit')",
  );
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

async function drainOnce(orm: Orm, base: Config, webhooks: Webhooks, concurrency: number) {
  const em = () => orm.em.fork() as Em;
  for (const table of ['webhook_logs', 'webhook_deliveries', 'jobs']) await run(em(), `truncate table ${table}`);
  const service = new JobsService(orm, silentJobEvents);
  for (const chunk of chunks(jobs, 1000)) await service.create(chunk.map(noopJob));
  const counter = handlerCounter(jobs);
  const engine = noopEngine(orm, base, webhooks, concurrency, () => counter.hit());
  const before = { counters: await serverCounters(em()), server: serverCpuMs(), worker: process.cpuUsage() };
  engine.start();
  try {
    const finished = async () =>
      Number((await query<{ n: number }>(em(), "select count(*) as n from jobs where status = 'COMPLETED'"))[0].n) === jobs;
    const { ms } = await timeDrain(counter, finished, 300_000);
    const worker = process.cpuUsage(before.worker);
    const server = serverCpuMs();
    const counters = await serverCounters(em());
    return {
      concurrency,
      jobsPerSec: Math.round((jobs / ms) * 1000),
      workerCpuUsPerJob: Math.round((worker.user + worker.system) / jobs),
      serverCpuUsPerJob: server === null || before.server === null ? null : Math.round(((server - before.server) * 1000) / jobs),
      statementsPerJob: +((counters.Questions - before.counters.Questions) / jobs).toFixed(2),
      jobsPerCommit: +(jobs / (counters.Com_commit - before.counters.Com_commit)).toFixed(1),
    };
  } finally {
    await engine.stop();
  }
}

const url = await freshMariaDb('jobs_bench_cost');
const orm = await migratedOrm(url);
const base = loadConfig({
  DATABASE_URL: url,
  LOG_LEVEL: 'silent',
  NODE_ENV: 'production',
  AUTH_DISABLED: 'true',
  WEBHOOK_SECRET: 'bench-webhook-secret',
});
const webhooks = outboxOnly(orm, base);
try {
  await writeSettings(orm.em.fork() as Em, { ...unlimited('default'), ...LIMITS[args.limited] });
  const limit = args.limited === 'none' ? '' : ` (the default queue with a ${args.limited} limit that does not bind)`;
  console.log(`${jobs} noop jobs per drain on MariaDB${limit}; CPU and statements count the drain only, not the enqueue before it`);
  const rows = [];
  for (const c of levels) {
    // Let InnoDB purge the previous drain's history before the next one is counted.
    await sleep(1000);
    rows.push(await drainOnce(orm, base, webhooks, c));
  }
  console.table(rows);
} finally {
  await orm.close(true);
}
