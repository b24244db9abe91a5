import { describe, expect, it } from 'vitest';
import { dialectOf, insertRows, toDbTime } from '../src/db/sql.js';
import type { Em } from '../src/db/orm.js';
import { waitUntil } from './support/engine.js';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, testDatabases, type TestServer } from './support/server.js';
import { admin, NO_RATE_LIMITS, TOKENS, viewer } from './support/task-modules.js';
import { collect, settle, wsClient } from './support/ws.js';

/**
 * retryJobs, cancelJobs and deleteJobs over the real server: by filter or ids, the single actions'
 * state rules, at most 10,000 jobs per call, admins only, and live events coalesced into jobsChanged
 * summaries (jobUpdated without an id gets nothing per job; one job's subscribers still get its change).
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const sql = async <T = any>(server: TestServer, text: string, params: unknown[] = []) =>
  (await server.orm.em.fork().getConnection().execute(text, params)) as T[];

/** `n` FAILED jobs of `taskName` in `queue`, written directly (a thousand per statement). */
async function insertFailed(server: TestServer, n: number, taskName: string, queue: string): Promise<void> {
  const em = server.orm.em.fork() as Em;
  const at = toDbTime(dialectOf(em), new Date());
  const columns = [
    'task_name',
    'queue',
    'status',
    'priority',
    'attempts',
    'max_attempts',
    'simulated',
    'payload',
    'last_error',
    'progress',
    'run_at',
    'created_at',
    'updated_at',
    'completed_at',
  ];
  for (let done = 0; done < n; done += 1000) {
    const rows = Array.from({ length: Math.min(1000, n - done) }, () => [
      taskName,
      queue,
      'FAILED',
      0,
      3,
      3,
      1,
      '{"durationMs":1}',
      'boom',
      1,
      at,
      at,
      at,
      at,
    ]);
    await insertRows(em, 'jobs', columns, rows);
  }
}

const BULK = '{ matched changed skipped { id reason } }';
const RETRY = `mutation($f: JobFilter, $ids: [ID!]) { retryJobs(filter: $f, ids: $ids) ${BULK} }`;
const CANCEL = `mutation($f: JobFilter, $ids: [ID!]) { cancelJobs(filter: $f, ids: $ids) ${BULK} }`;
const DELETE = `mutation($f: JobFilter, $ids: [ID!]) { deleteJobs(filter: $f, ids: $ids) ${BULK} }`;

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables, admin);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

describe.each(testDatabases())('bulk actions on $name', (db) => {
  const server = serverForSuite(db, { API_TOKENS: TOKENS, ...NO_RATE_LIMITS, WORKER_CONCURRENCY: '50' });

  it(
    'retryJobs by filter over 5,000 FAILED jobs: all matched and changed, a few summary events, then they run again',
    { timeout: 120_000 },
    async () => {
      const s = server();
      await data(s, 'mutation { pauseQueue(name: "bulk") { name } }');
      await insertFailed(s, 5000, 'bulk.retry', 'bulk');
      await insertFailed(s, 10, 'bulk.other', 'bulk');
      const [first] = await sql(s, "select min(id) as id from jobs where task_name = 'bulk.retry'");
      const client = wsClient(s.url, admin);
      const summaries = collect(client, 'subscription { jobsChanged { action count ids } }');
      const everyJob = collect(client, 'subscription { jobUpdated { id status } }');
      const oneJob = collect(client, 'subscription($id: ID) { jobUpdated(id: $id) { id status } }', { id: String(first.id) });
      const stats = collect(client, 'subscription { jobStats { pending failed } }');
      await settle();

      const result = (await data(s, RETRY, { f: { status: 'FAILED', taskName: 'bulk.retry' } })).retryJobs;
      expect(result).toEqual({ matched: 5000, changed: 5000, skipped: [] });
      const rows = await sql(
        s,
        "select status, attempts, last_error from jobs where task_name = 'bulk.retry' group by status, attempts, last_error",
      );
      expect(rows).toEqual([{ status: 'PENDING', attempts: 0, last_error: null }]);
      expect(Number((await sql(s, "select count(*) as n from jobs where task_name = 'bulk.other' and status = 'FAILED'"))[0].n)).toBe(10);

      await waitUntil('the summaries to cover 5,000 jobs', async () =>
        summaries.items.reduce((n, e) => n + e.count, 0) === 5000 ? true : null,
      );
      await waitUntil('fresh stats', async () => (stats.items.some((st) => st.pending === 5000) ? true : null));
      await oneJob.waitFor(1);
      await settle();
      expect(summaries.items.length).toBeLessThanOrEqual(10);
      expect(summaries.items.every((e) => e.action === 'RETRIED' && e.ids.length <= 100)).toBe(true);
      expect(summaries.items[0].ids[0]).toBe(String(first.id));
      expect(everyJob.items).toEqual([]);
      expect(oneJob.items).toEqual([{ id: String(first.id), status: 'PENDING' }]);
      summaries.stop();
      everyJob.stop();
      oneJob.stop();
      stats.stop();
      await client.dispose();

      await data(s, 'mutation { resumeQueue(name: "bulk") { name } }');
      await waitUntil(
        'the 5,000 to run again',
        async () =>
          Number((await sql(s, "select count(*) as n from jobs where task_name = 'bulk.retry' and status = 'COMPLETED'"))[0].n) === 5000
            ? true
            : null,
        90_000,
        200,
      );
    },
  );

  it('a filter matching more than 10,000 jobs is BAD_USER_INPUT naming the filter; nothing changes', { timeout: 60_000 }, async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "wide") { name } }');
    await insertFailed(s, 20_000, 'bulk.wide', 'wide');
    const res = await s.gql(RETRY, { f: { taskName: 'bulk.wide' } }, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter' });
    expect(res.errors?.[0].message).toMatch(/more than 10000 jobs; narrow the filter/);
    expect(Number((await sql(s, "select count(*) as n from jobs where task_name = 'bulk.wide' and status = 'FAILED'"))[0].n)).toBe(20_000);
    const tooMany = await s.gql(DELETE, { ids: Array.from({ length: 10_001 }, (_, i) => String(i + 1)) }, admin);
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    await sql(s, "delete from jobs where task_name = 'bulk.wide'");
  });

  it('a viewer is FORBIDDEN and changes nothing', async () => {
    const s = server();
    for (const query of [RETRY, CANCEL, DELETE]) {
      const res = await s.gql(query, { f: { status: 'FAILED' } }, viewer);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('cancelJobs and deleteJobs by ids follow the single actions: matched counts ids that exist, the rest are skipped with why', async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "mixed") { name } }');
    const created = (
      await data(s, 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
        in: [
          { taskName: 'x', queue: 'mixed' },
          { taskName: 'x', queue: 'mixed' },
        ],
      })
    ).createJobs.map((j: { id: string }) => j.id);
    await insertFailed(s, 1, 'bulk.mixed', 'mixed');
    const [failed] = await sql(s, "select id from jobs where task_name = 'bulk.mixed'");
    const ids = [...created, String(failed.id), '99999999'];
    const cancelled = (await data(s, CANCEL, { ids })).cancelJobs;
    expect(cancelled).toEqual({
      matched: 3,
      changed: 2,
      skipped: [{ id: String(failed.id), reason: 'FAILED: only PENDING or RUNNING jobs can be cancelled' }],
    });
    const statuses = await sql(s, `select status from jobs where id in (${created.join(',')})`);
    expect(statuses.map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED']);
    await sql(s, "insert into job_errors (job_id, attempt, at, message) values (?, 1, ?, 'x')", [
      Number(failed.id),
      toDbTime(dialectOf(s.orm.em.fork() as Em), new Date()),
    ]);
    const deleted = (await data(s, DELETE, { ids })).deleteJobs;
    expect(deleted).toEqual({ matched: 3, changed: 3, skipped: [] });
    expect(await sql(s, `select id from jobs where id in (${ids.join(',')})`)).toEqual([]);
    expect(await sql(s, 'select * from job_errors where job_id = ?', [Number(failed.id)])).toEqual([]);

    for (const [variables, field] of [
      [{}, 'filter'],
      [{ ids: ['1'], f: { status: 'FAILED' } }, 'ids'],
      [{ ids: ['1', 'abc'] }, 'ids[1]'],
    ] as const) {
      const res = await s.gql(RETRY, variables, admin);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
  });
});

describe('bulk retries and the runJob rate limit', () => {
  const server = serverForSuite(sqlite, { RATE_LIMIT_MAX: '2', ROLE: 'api' });

  it('a retryJobs call counts once, however many jobs it retries', async () => {
    const s = server();
    await insertFailed(s, 5, 'bulk.limited', 'default');
    for (let call = 0; call < 2; call++) {
      expect((await s.gql(RETRY, { f: { taskName: 'bulk.limited' } })).errors).toBeUndefined();
    }
    const third = await s.gql(RETRY, { f: { taskName: 'bulk.limited' } });
    expect(third.errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });
});
