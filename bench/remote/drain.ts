/**
 * `npm run bench:remote` — a remote drain beside a local one: N no-op jobs on MariaDB, drained once by the
 * product's own worker (WORKER_CONCURRENCY 50, `noop`) and once by one remote worker process using the
 * client package (concurrency 50, a remote-only no-op task), alternating, medians of the rounds. A drain
 * counts from the first start to the last end as the jobs' rows say (`started_at`, `completed_at`).
 *
 * Then the long poll: a worker waiting in `claimJobs(waitMs: 30000)`, a job created 50 ms later, the
 * time from sending `createJob` to the claim's answer, over --polls rounds (p50, p95, p99).
 *
 *   npm run bench:remote [-- --jobs=5000 --rounds=3 --polls=200]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { bootstrap } from '../../api/src/app.ts';
import { loadConfig } from '../../api/src/config.ts';
import { migrate, openOrm } from '../../api/src/db/orm.ts';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
    polls: { type: 'string', default: '200' },
  },
});
const JOBS = Number(values.jobs);
const POLLS = Number(values.polls);
const ROUNDS = Number(values.rounds);
const CONCURRENCY = 50;
const BASE = (process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306').replace(/\/+$/, '');
const DB = 'jobs_bench_remote';

const admin = await mysql.createConnection(`${BASE}/`);
await admin.query(`drop database if exists ${DB}`);
await admin.query(`create database ${DB}`);
const url = `${BASE.replace(/^mysql:/, 'mariadb:')}/${DB}`;
const orm = await openOrm(loadConfig({ DATABASE_URL: url }).database);
await migrate(orm);
await orm.close(true);

const app = await bootstrap(
  loadConfig({
    NODE_ENV: 'production',
    AUTH_DISABLED: 'true',
    WEBHOOK_SECRET: 'bench-remote-webhook-secret',
    LOG_LEVEL: 'warn',
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    // A remote worker sends about two requests per job; the per-IP default (3,000 a minute) would cap it near 25 jobs/s.
    GLOBAL_RATE_LIMIT_MAX: '100000000',
  }),
);
const db = await mysql.createConnection(`${BASE}/${DB}`);
const gql = async (query: string, variables: Record<string, unknown> = {}): Promise<any> => {
  const res = await fetch(`${app.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
};

/** createJob sent → the waiting claim answered, in ms, once per poll. */
async function longPolls(): Promise<number[]> {
  const { registerWorker: id } = await gql(
    'mutation { registerWorker(input: { name: "bench-poll", tasks: [{ name: "bench.poll" }], concurrency: 1 }) }',
  );
  const latencies: number[] = [];
  for (let i = 0; i < POLLS; i++) {
    const claim = gql(`mutation { claimJobs(workerId: "${id}", waitMs: 30000) { token } }`).then((data) => ({
      data,
      at: performance.now(),
    }));
    await new Promise((r) => setTimeout(r, 50));
    const sent = performance.now();
    await gql('mutation { createJob(input: { taskName: "bench.poll" }) { id } }');
    const { data, at } = await claim;
    latencies.push(at - sent);
    await gql('mutation($t: String!) { completeJob(token: $t) { id } }', { t: data.claimJobs[0].token });
  }
  return latencies;
}

/** Creates the jobs, waits until all are COMPLETED, returns jobs/s from the first start to the last end. */
async function drain(taskName: string): Promise<number> {
  await db.query('delete from jobs');
  for (let i = 0; i < JOBS; i += 1000) {
    await gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: Array.from({ length: Math.min(1000, JOBS - i) }, () => ({ taskName })),
    });
  }
  for (;;) {
    const [[row]] = (await db.query("select count(*) as n from jobs where status = 'COMPLETED'")) as unknown as [[{ n: number }]];
    if (Number(row.n) === JOBS) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const [[span]] = (await db.query('select timestampdiff(microsecond, min(started_at), max(completed_at)) as us from jobs')) as unknown as [
    [{ us: number }],
  ];
  return JOBS / (Number(span.us) / 1e6);
}

async function remoteWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=development', 'remote/worker.ts'], {
    env: { ...process.env, JOBS_URL: app.url, CONCURRENCY: String(CONCURRENCY), NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('registered') && resolve()));
  return child;
}

const worker = await remoteWorker();
const local: number[] = [];
const remote: number[] = [];
const polls: number[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    local.push(await drain('noop'));
    remote.push(await drain('bench.remote-noop'));
    process.stderr.write(`round ${round + 1}: local ${local.at(-1)!.toFixed(0)} jobs/s, remote ${remote.at(-1)!.toFixed(0)} jobs/s\n`);
  }
  worker.kill('SIGTERM');
  await once(worker, 'exit');
  // With the remote worker gone nothing else runs: the figure is the long poll's own path (event, claim, answer).
  polls.push(...(await longPolls()));
} finally {
  if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGTERM');
  await db.end();
  await app.stop();
  await admin.query(`drop database if exists ${DB}`);
  await admin.end();
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
polls.sort((a, b) => a - b);
const at = (q: number) => polls[Math.min(polls.length - 1, Math.ceil(polls.length * q) - 1)].toFixed(1);
console.log(
  `noop drain at concurrency ${CONCURRENCY}, ${JOBS} jobs, MariaDB, medians of ${ROUNDS}: local ${median(local).toFixed(0)} jobs/s, remote ${median(remote).toFixed(0)} jobs/s (${(median(remote) / median(local)).toFixed(2)}× local)`,
);
console.log(
  `long poll, createJob sent → waiting claim answered, ${POLLS} polls: p50 ${at(0.5)} ms, p95 ${at(0.95)} ms, p99 ${at(0.99)} ms`,
);
