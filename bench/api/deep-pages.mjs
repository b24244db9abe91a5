#!/usr/bin/env node
/**
 * Deep pages on a million jobs (MariaDB/MySQL): fills `jobs_bench_deep` once with 1,000,000 rows
 * (status, priority and task spread like a busy installation), starts the API on it (ROLE=api, so
 * nothing runs), and times `jobs(limit: 20, offset: 990000)` with and without filters, `jobStats` and
 * the dashboard's throughput chart, through GraphQL. Prints each query's median of 5 and the database's plan for it.
 *
 *   npm run bench:deep-pages -w bench          (MYSQL_URL=mysql://root@127.0.0.1:3306 by default)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const base = new URL(process.env.MYSQL_URL ?? 'mysql://root@127.0.0.1:3306');
const DB = 'jobs_bench_deep';
const ROWS = 1_000_000;
const root = fileURLToPath(new URL('../..', import.meta.url));
const conn = await mysql.createConnection({
  host: base.hostname,
  port: Number(base.port || 3306),
  user: base.username || 'root',
  password: base.password,
  multipleStatements: true,
});
await conn.query(`create database if not exists ${DB}`);
await conn.query(`use ${DB}`);
const databaseUrl = `mariadb://${base.username || 'root'}${base.password ? `:${base.password}` : ''}@${base.hostname}:${base.port || 3306}/${DB}`;

const run = (cmd, args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}`))));
  });
await run('npm', ['run', 'migrate', '--silent'], { DATABASE_URL: databaseUrl });

const [[{ n }]] = await conn.query(`select count(*) as n from ${DB}.jobs`);
if (Number(n) < ROWS) {
  console.log(`filling ${DB}.jobs with ${ROWS.toLocaleString()} rows…`);
  await conn.query(`delete from ${DB}.jobs`);
  // MariaDB's sequence engine generates the rows server-side; ~30 s on 2 cores.
  await conn.query(`insert into ${DB}.jobs (task_name, payload, priority, status, attempts, max_attempts, progress, run_at, created_at, updated_at)
    select elt(1 + seq % 6, 'send-email','generate-report','resize-image','sync-crm','cleanup-temp-files','noop'),
      concat('{"n":', seq, ',"to":"user', seq % 997, '@example.com"}'), seq % 3,
      elt(1 + (seq * 7) % 10, 'COMPLETED','COMPLETED','COMPLETED','COMPLETED','COMPLETED','FAILED','PENDING','PENDING','CANCELLED','RUNNING'),
      1, 3, 1, timestamp('2026-01-01') + interval seq second, timestamp('2026-01-01') + interval seq second,
      timestamp('2026-01-01') + interval seq second + interval (seq % 50) second
    from seq_1_to_${ROWS}`);
  // Finished jobs carry their end, as the engine writes it (runJob clears it again).
  await conn.query(`update ${DB}.jobs set completed_at = updated_at where status in ('COMPLETED', 'FAILED', 'CANCELLED')`);
  await conn.query(`analyze table ${DB}.jobs`);
}
// The throughput chart reads per-minute counters: a full day of them, in all 16 worker shards (the most
// there can be: 46,080 rows), 1,000 ends a second in all.
await conn.query('delete from job_throughput');
await conn.query(`insert into job_throughput (minute, status, shard, jobs)
  select date_format(utc_timestamp() - interval (seq div 32) minute, '%Y-%m-%d %H:%i:00'),
    if(seq % 2 = 0, 'COMPLETED', 'FAILED'), (seq div 2) % 16, if(seq % 2 = 0, 3600, 150)
  from seq_0_to_${24 * 60 * 32 - 1}`);

const port = 5400 + Math.floor(Math.random() * 500);
// tsx reads api/tsconfig.json (legacy decorators) from its working directory. One node process with
// tsx as a loader, not `npx tsx` (two wrappers deep): a signal to npx never reached the server, which
// outlived the benchmark.
const api = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: `${root}/api`,
  env: {
    ...process.env,
    NODE_ENV: 'production',
    WEBHOOK_SECRET: 'bench-webhook-secret',
    AUTH_DISABLED: 'true',
    DATABASE_URL: databaseUrl,
    ROLE: 'api',
    PORT: String(port),
    LOG_LEVEL: 'warn',
  },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 120; i++) {
  if (
    await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  await new Promise((r) => setTimeout(r, 500));
}

const cases = [
  [
    'jobs(limit: 20, offset: 990000)',
    '{ jobs(limit: 20, offset: 990000) { total jobs { id } } }',
    'select id from jobs order by created_at desc, id desc limit 20 offset 990000',
  ],
  [
    '  filter status PENDING, offset 190000',
    '{ jobs(filter: { status: PENDING }, limit: 20, offset: 190000) { total jobs { id } } }',
    "select id from jobs where status = 'PENDING' order by created_at desc, id desc limit 20 offset 190000",
  ],
  [
    '  filter priority HIGH, offset 300000',
    '{ jobs(filter: { priority: HIGH }, limit: 20, offset: 300000) { total jobs { id } } }',
    'select id from jobs where priority = 2 order by created_at desc, id desc limit 20 offset 300000',
  ],
  [
    '  filter status + priority, offset 100000',
    '{ jobs(filter: { status: COMPLETED, priority: HIGH }, limit: 20, offset: 100000) { total jobs { id } } }',
    "select id from jobs where status = 'COMPLETED' and priority = 2 order by created_at desc, id desc limit 20 offset 100000",
  ],
  [
    '  filter taskName, offset 150000',
    '{ jobs(filter: { taskName: "noop" }, limit: 20, offset: 150000) { total jobs { id } } }',
    "select id from jobs where task_name = 'noop' order by created_at desc, id desc limit 20 offset 150000",
  ],
  [
    '  sort PRIORITY_DESC, offset 990000',
    '{ jobs(sort: PRIORITY_DESC, limit: 20, offset: 990000) { total jobs { id } } }',
    'select id from jobs order by priority desc, created_at desc, id desc limit 20 offset 990000',
  ],
  [
    '  search "user42@", first page',
    '{ jobs(filter: { search: "user42@" }, limit: 20) { total jobs { id } } }',
    "select id from jobs where (task_name like '%user42@%' or payload like '%user42@%') order by created_at desc, id desc limit 20",
  ],
  ['jobStats', '{ jobStats { pending running completed failed cancelled total } }', 'select status, count(*) from jobs group by status'],
  [
    'throughput, last hour',
    '{ throughput { minute completed failed } }',
    'select minute, status, sum(jobs) from job_throughput where minute >= utc_timestamp() - interval 1 hour group by minute, status',
  ],
  [
    'throughput, last 24 hours',
    '{ throughput(minutes: 1440) { minute completed failed } }',
    'select minute, status, sum(jobs) from job_throughput where minute >= utc_timestamp() - interval 1 day group by minute, status',
  ],
];

const rows = [];
for (const [name, query, sql] of cases) {
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = await res.json();
    if (body.errors) throw new Error(`${name}: ${JSON.stringify(body.errors)}`);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const [plan] = await conn.query(`explain ${sql.replace(/from jobs/, `from ${DB}.jobs`)}`);
  const p = plan[0];
  rows.push({ query: name, medianMs: Math.round(times[2]), plan: `${p.type} ${p.key ?? '-'} ${p.Extra ?? ''}`.trim() });
}
api.kill('SIGTERM');
await new Promise((resolve) => api.once('exit', resolve));
await conn.end();
console.log(`\n| query (1,000,000 jobs, MariaDB) | median ms | plan (type, index, extra) |\n| --- | ---: | --- |`);
for (const r of rows) console.log(`| ${r.query.trim()} | ${r.medianMs} | ${r.plan} |`);
