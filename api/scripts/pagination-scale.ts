/**
 * jobsConnection at scale on MariaDB (docs/pagination.md): loads 1,000,000 jobs with a few multi-row
 * INSERT … SELECT statements from MariaDB's sequence engine, then times the first, a deep and the last
 * keyset page against `jobs`' offset page at the same depth, and prints EXPLAIN for each statement.
 *
 *   DATABASE_URL=mariadb://root@127.0.0.1:3306/jobs_pagination npx tsx scripts/pagination-scale.ts
 *
 * The database is created and migrated when missing; the rows are loaded once (a rerun measures again).
 */
import 'reflect-metadata';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../src/config.js';
import { migrate, openOrm, type Em } from '../src/db/orm.js';
import { dialectOf, query } from '../src/db/sql.js';
import { windowQuery, readWindow, countJobs, type Window } from '../src/jobs/connection/keyset.sql.js';
import { listJobIds } from '../src/jobs/list-jobs.sql.js';
import { JobSort, JobStatus } from '../src/jobs/job.enums.js';
import type { JobFilter } from '../src/jobs/job.input.js';

const ROWS = 1_000_000;
const CHUNK = 100_000;
const PAGE = 20;

const url = new URL(process.env.DATABASE_URL ?? 'mariadb://root@127.0.0.1:3306/jobs_pagination');
const name = url.pathname.slice(1);
const server = await createConnection({
  host: url.hostname,
  port: Number(url.port || 3306),
  user: url.username || 'root',
  password: url.password,
});
await server.query(`create database if not exists \`${name}\``);
await server.end();

const orm = await openOrm(loadConfig({ DATABASE_URL: url.toString() }).database);
await migrate(orm);
const em = orm.em.fork() as Em;

async function load(): Promise<void> {
  const [{ n }] = await query<{ n: number }>(em, 'select count(*) as n from jobs');
  if (Number(n) >= ROWS) return console.log(`${Number(n).toLocaleString('en')} jobs already loaded`);
  const started = performance.now();
  // 100 jobs share each createdAt (as a createJobs batch does): the id has to break those ties.
  for (let from = 1; from <= ROWS; from += CHUNK) {
    await query(
      em,
      `insert into jobs (task_name, queue, status, priority, attempts, max_attempts, simulated, payload, last_error, progress,
         run_at, created_at, updated_at, completed_at)
       select concat('task.', seq % 20), 'default', elt(1 + seq % 5, 'PENDING', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED'),
         seq % 3, 1, 3, 1, '{"n":1}', null, 1, t, t, t, t
       from (select seq, timestamp'2026-01-01 00:00:00.000' + interval (seq div 100) second as t from seq_${from}_to_${from + CHUNK - 1}) s`,
    );
  }
  await query(em, 'analyze table jobs');
  console.log(`loaded ${ROWS.toLocaleString('en')} jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** Median of 7 runs, in ms. */
async function time(run: () => Promise<unknown>): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    await run();
    runs.push(performance.now() - started);
  }
  return runs.sort((a, b) => a - b)[3];
}

async function explain(sql: string, params: readonly (string | number | bigint | null)[]): Promise<string> {
  const rows = await query<Record<string, unknown>>(em, `explain ${sql}`, params);
  return rows.map((r) => `  ${r.table}: type=${r.type} key=${r.key} rows=${r.rows} extra=${r.Extra ?? ''}`).join('\n');
}

async function measure(label: string, filter: JobFilter | undefined, total: number): Promise<void> {
  const sort = JobSort.CREATED_AT_DESC;
  const dialect = dialectOf(em);
  const first: Window = { from: 'start', count: PAGE };
  const last: Window = { from: 'end', count: PAGE };
  // The cursor just before the last page: where paging forward from the first page ends up.
  const tail = await readWindow(em, filter, sort, { from: 'end', count: PAGE + 1 });
  const deep: Window = { from: 'start', count: PAGE, after: tail.positions[0] };
  console.log(`\n## ${label} (${total.toLocaleString('en')} jobs), sort ${sort}, ${PAGE} a page`);
  for (const [what, window] of [
    ['first page (first: 20)', first],
    ['last page by cursor (first: 20, after: the cursor before it)', deep],
    ['last page (last: 20)', last],
  ] as const) {
    const ms = await time(() => readWindow(em, filter, sort, window));
    const q = windowQuery(dialect, filter, sort, window);
    console.log(`${what}: ${ms.toFixed(2)} ms\n${await explain(q.sql, q.params)}`);
  }
  const offset = Math.max(0, total - PAGE);
  const offsetMs = await time(() => listJobIds(em, filter, sort, PAGE, offset));
  console.log(`jobs(offset: ${offset}) for contrast (its ids and its COUNT): ${offsetMs.toFixed(2)} ms`);
  console.log(`totalCount (COUNT over the filter): ${(await time(() => countJobs(em, filter))).toFixed(2)} ms`);
}

await load();
const all = await countJobs(em, undefined);
await measure('every job', undefined, all);
const failed = await countJobs(em, { status: JobStatus.FAILED });
await measure('status FAILED', { status: JobStatus.FAILED }, failed);
await orm.close(true);
