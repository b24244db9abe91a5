/**
 * `npm run bench` — our engine side by side with BullMQ (Redis), graphile-worker and pg-boss
 * (PostgreSQL) and the raw database, on this machine, in one run. Prints one table with every figure and
 * the ratio ours/peer, checks the must-hold targets, writes JSON to bench/results/.
 *
 *   npm run bench                 full: 10,000-job enqueues, 20,000-job drains (3,000 at c = 1), 1,000 arrivals, median of 3 (< 20 min)
 *   npm run bench -- --quick      smaller sizes, one run each (< 3 min): a smoke check, not the published figures
 *   npm run bench -- --only=bullmq,ours-mariadb   a subset of systems (keys below)
 *
 * Every system runs in its own process (bench/lib/driver.ts), one after another, never two at once.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { sleep } from './lib/measure.mjs';
import { median } from './lib/stats.mjs';
import { formatTable, checkTargets } from './lib/report.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

const S = quick
  ? { enqOne: 1_000, enqBatch: 5_000, drainOne: 500, drain: 3_000, arrivals: 300, httpSec: 3, runs: 1, settleMs: 300, timeoutMs: 60_000 }
  : {
      enqOne: 10_000,
      enqBatch: 10_000,
      // At concurrency 1 every system is bound by per-job round trips, not by the backlog's size: 3,000
      // jobs measure the same rate as 20,000 and keep the full run under 20 minutes.
      drainOne: 3_000,
      drain: 20_000,
      arrivals: 1_000,
      httpSec: 10,
      runs: 3,
      settleMs: 500,
      timeoutMs: 180_000,
    };

const ENQUEUE = [
  { id: 'enqueue.1', workload: 'enqueue', n: S.enqOne, batch: 1 },
  { id: 'enqueue.100', workload: 'enqueue', n: S.enqBatch, batch: 100 },
  { id: 'enqueue.1000', workload: 'enqueue', n: S.enqBatch, batch: 1000 },
];
const DRAIN = [
  { id: 'drain.1', workload: 'drain', n: S.drainOne, concurrency: 1 },
  { id: 'drain.10', workload: 'drain', n: S.drain, concurrency: 10 },
  { id: 'drain.50', workload: 'drain', n: S.drain, concurrency: 50 },
];
const LATENCY = [{ id: 'latency', workload: 'latency', n: S.arrivals, rate: 100, concurrency: 10 }];

/** Column order of the table; `module` runs under bench/lib/driver.ts. */
export const SYSTEMS = [
  {
    key: 'ours-mariadb',
    label: 'ours MariaDB',
    module: 'engine/ours.ts',
    options: { db: 'mariadb', via: 'internal' },
    tasks: [...ENQUEUE, ...DRAIN, ...LATENCY],
  },
  {
    key: 'ours-graphql',
    label: 'ours GraphQL (MariaDB)',
    module: 'engine/ours.ts',
    options: { db: 'mariadb', via: 'graphql' },
    tasks: ENQUEUE,
  },
  {
    key: 'ours-sqlite',
    label: 'ours SQLite',
    module: 'engine/ours.ts',
    options: { db: 'sqlite', via: 'internal' },
    tasks: [...ENQUEUE, ...DRAIN, ...LATENCY],
  },
  { key: 'bullmq', label: 'BullMQ (Redis)', module: 'peers/bullmq.mjs', tasks: [...ENQUEUE, ...DRAIN, ...LATENCY] },
  { key: 'graphile', label: 'graphile-worker (PG)', module: 'peers/graphile-worker.mjs', tasks: [...ENQUEUE, ...DRAIN, ...LATENCY] },
  { key: 'pgboss', label: 'pg-boss (PG)', module: 'peers/pg-boss.mjs', tasks: [...ENQUEUE, ...DRAIN, ...LATENCY] },
  { key: 'raw', label: 'raw MariaDB', module: 'raw/mysql.ts', tasks: [...ENQUEUE, ...DRAIN] },
];

/**
 * Every system runs as it does in production (our Dockerfile and compose file set NODE_ENV=production):
 * graphql-js, for one, reads it once at load and otherwise runs its development checks on every type
 * test (measured: ~10 % of a `createJobs` of 1,000).
 */
const PRODUCTION = { NODE_ENV: 'production' };

function spawnTsx(script, argv, env = {}) {
  return spawn(TSX, ['--tsconfig', join(ROOT, 'api', 'tsconfig.json'), script, ...argv], {
    cwd: ROOT,
    env: { ...process.env, ...PRODUCTION, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** Runs one system's plan in a child process; collects its RESULT lines. */
function runSystem(system) {
  const plan = {
    module: system.module,
    options: system.options,
    tasks: system.tasks,
    runs: S.runs,
    settleMs: S.settleMs,
    timeoutMs: S.timeoutMs,
  };
  const child = spawnTsx(join(HERE, 'lib', 'driver.ts'), [JSON.stringify(plan)]);
  const out = { info: null, samples: [], errors: [] };
  let buffer = '';
  child.stdout.on('data', (d) => {
    buffer += d;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('RESULT ')) continue;
      const r = JSON.parse(line.slice(7));
      if (r.kind === 'info') out.info = r;
      else if (r.kind === 'sample') {
        out.samples.push(r);
        const shown = r.value !== undefined ? `${Math.round(r.value)} jobs/s` : `p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`;
        process.stderr.write(`  ${system.key} ${r.id} run ${r.run}: ${shown}\n`);
      } else {
        out.errors.push(r);
        process.stderr.write(`  ${system.key} ${r.id} run ${r.run}: ERROR ${r.message}\n`);
      }
    }
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ ...out, exitCode: code })));
}

/** Starts a server process and waits for the lines it prints ("DB …", "URL …"). */
function startServer(command, argv, env, keys) {
  const child =
    command === 'tsx'
      ? spawnTsx(argv[0], argv.slice(1), env)
      : spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...PRODUCTION, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const found = {};
    let buffer = '';
    child.on('exit', (code) => reject(new Error(`${argv[0]} exited with ${code} before it was ready`)));
    child.stdout.on('data', (d) => {
      buffer += d;
      for (const line of buffer.split('\n')) {
        const [key, value] = line.split(' ');
        if (keys.includes(key)) found[key] = value;
      }
      if (keys.every((k) => found[k]))
        resolve({
          ...found,
          stop: () =>
            new Promise((r) => {
              child.removeAllListeners('exit');
              child.on('exit', r);
              child.kill('SIGTERM');
            }),
        });
    });
  });
}

const JOBS_QUERY = '{ jobs(limit: 20) { total jobs { id taskName status priority attempts progress runAt createdAt updatedAt } } }';

async function postJobs(url) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: JOBS_QUERY }),
  });
  return res.json();
}

function cannon(url, seconds) {
  return autocannon({
    url,
    method: 'POST',
    connections: 50,
    duration: seconds,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: JOBS_QUERY }),
  }).then((r) => ({
    value: r.requests.total / ((r.finish - r.start) / 1000 || seconds),
    non2xx: r.non2xx,
    errors: r.errors,
  }));
}

/** Our jobs(limit: 20) against the bare Fastify route, on the same seeded database, alternating runs. */
async function runHttp() {
  const ours = await startServer('tsx', [join(HERE, 'engine', 'jobs-server.ts')], {}, ['DB', 'URL']);
  const bare = await startServer('node', [join(HERE, 'raw', 'jobs-route.mjs')], { BENCH_HTTP_DB: ours.DB }, ['URL']);
  const result = { ours: [], bare: [], sameJson: false };
  try {
    const [a, b] = await Promise.all([postJobs(ours.URL), postJobs(bare.URL)]);
    result.sameJson = JSON.stringify(a) === JSON.stringify(b);
    if (!result.sameJson)
      process.stderr.write(
        `  http: the two bodies differ!\n  ours ${JSON.stringify(a).slice(0, 300)}\n  bare ${JSON.stringify(b).slice(0, 300)}\n`,
      );
    // Warm-up: JIT, connection pools, InnoDB buffer pool.
    await cannon(ours.URL, 1);
    await cannon(bare.URL, 1);
    for (let run = 1; run <= S.runs; run++) {
      for (const [key, url] of [
        ['ours', ours.URL],
        ['bare', bare.URL],
      ]) {
        await sleep(S.settleMs);
        const r = await cannon(url, S.httpSec);
        if (r.non2xx || r.errors) process.stderr.write(`  http ${key}: ${r.non2xx} non-2xx, ${r.errors} errors\n`);
        result[key].push(r.value);
        process.stderr.write(`  http ${key} run ${run}: ${Math.round(r.value)} req/s\n`);
      }
    }
  } finally {
    await bare.stop();
    await ours.stop();
  }
  return result;
}

const started = Date.now();
const machine = {
  cpus: cpus().length,
  cpuModel: cpus()[0]?.model,
  node: process.version,
  loadAvgAtStart: loadavg().map((x) => +x.toFixed(2)),
};
process.stderr.write(
  `bench (${quick ? 'quick' : 'full'}): ${S.runs === 1 ? 'one run' : `median of ${S.runs}`} per figure; load average ${machine.loadAvgAtStart.join(' ')}\n`,
);

const results = {};
for (const system of SYSTEMS) {
  if (only && !only.includes(system.key)) continue;
  process.stderr.write(`${system.label}\n`);
  const r = await runSystem(system);
  const figures = {};
  for (const task of system.tasks) {
    const samples = r.samples.filter((s) => s.id === task.id);
    if (task.workload === 'latency') {
      figures['latency.p50'] = median(samples.map((s) => s.p50));
      figures['latency.p99'] = median(samples.map((s) => s.p99));
    } else figures[task.id] = median(samples.map((s) => s.value));
  }
  results[system.key] = {
    label: system.label,
    version: r.info?.version,
    settings: r.info?.settings,
    figures,
    samples: r.samples,
    errors: r.errors,
  };
}
let http = null;
if (!only || only.includes('http')) {
  process.stderr.write('jobs(limit: 20) over HTTP\n');
  http = await runHttp();
  results['ours-graphql'] ??= { label: 'ours GraphQL (MariaDB)', figures: {} };
  results.raw ??= { label: 'raw MariaDB', figures: {} };
  results['ours-graphql'].figures.http = median(http.ours);
  results.raw.figures.http = median(http.bare);
}

const report = {
  mode: quick ? 'quick' : 'full',
  startedAt: new Date(started).toISOString(),
  durationSec: Math.round((Date.now() - started) / 1000),
  machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => +x.toFixed(2)) },
  sizes: S,
  results,
  http,
};
report.targets = checkTargets(results);
const table = formatTable(
  SYSTEMS.filter((s) => results[s.key]),
  results,
  S,
);
console.log(`\n${table}\n`);
for (const t of report.targets) console.log(`${t.ok ? 'PASS' : t.ok === false ? 'MISS' : 'n/a '}  ${t.text}`);
console.log(
  `\n${report.mode} run, ${report.durationSec} s, load average ${machine.loadAvgAtStart.join(' ')} → ${report.machine.loadAvgAtEnd.join(' ')}`,
);

const dir = join(HERE, 'results');
mkdirSync(dir, { recursive: true });
const stamp = report.startedAt.replace(/[:.]/g, '-');
writeFileSync(join(dir, `engine-${report.mode}-${stamp}.json`), JSON.stringify({ ...report, table }, null, 2));
writeFileSync(join(dir, `engine-${report.mode}-latest.json`), JSON.stringify({ ...report, table }, null, 2));
process.exit(0);
