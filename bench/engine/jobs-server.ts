/**
 * Our API for the `jobs(limit: 20)` throughput run: a fresh MariaDB database with 10,000 jobs across
 * statuses and priorities, and the real server (bootstrap, ROLE=api: no engine competing for the CPU)
 * on it. Prints "DB <mysql url>" then "URL <graphql url>"; stops on SIGTERM.
 */
import 'reflect-metadata';
import { bootstrap } from '../../api/src/app.js';
import { loadConfig } from '../../api/src/config.js';
import { freshMariaDb, migratedOrm } from './database.js';
import { run } from '../../api/src/db/sql.js';
import type { Em } from '../../api/src/db/orm.js';
import { chunks } from '../lib/measure.mjs';

const ROWS = 10_000;
const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'COMPLETED', 'FAILED', 'CANCELLED'];

const url = await freshMariaDb('jobs_bench_http');
const orm = await migratedOrm(url);
const t0 = Date.parse('2026-01-01T00:00:00Z');
for (const chunk of chunks(ROWS, 1000)) {
  const at = (i: number) => new Date(t0 + i * 1000).toISOString().replace('T', ' ').replace('Z', '');
  await run(
    orm.em.fork() as Em,
    `insert into jobs (task_name, payload, priority, status, attempts, max_attempts, progress, run_at, created_at, updated_at) values ${chunk.map(() => '(?, ?, ?, ?, ?, 3, ?, ?, ?, ?)').join(', ')}`,
    chunk.flatMap((i) => [
      `task-${i % 7}`,
      JSON.stringify({ i }),
      i % 3,
      STATUSES[i % STATUSES.length],
      i % 4,
      (i % 5) / 4,
      at(i),
      at(i),
      at(i + 1),
    ]),
  );
}
await orm.close(true);

const app = await bootstrap(
  loadConfig({
    DATABASE_URL: url,
    ROLE: 'api',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    WEBHOOK_SECRET: 'bench-webhook-secret',
    AUTH_DISABLED: 'true',
    // One client sends everything: the per-IP limit (3,000/min) would answer 429 to the benchmark.
    GLOBAL_RATE_LIMIT_MAX: '100000000',
  }),
);
console.log(`DB ${url.replace(/^mariadb:/, 'mysql:')}`);
console.log(`URL ${app.url}/graphql`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
