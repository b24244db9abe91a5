import { describe, expect, it } from 'vitest';
import { waitUntil } from './support/engine.js';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { tasksDirForSuite } from './support/task-modules.js';

/**
 * Retention over the real server: the pruner deletes finished jobs past their status's retention
 * (RETENTION_*), with their webhook attempts, outbox rows, errors and logs; a queue's own retention
 * overrides the default; `pruneJobs` deletes on demand; jobs_pruned_total counts by status.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

/** Logs a line each run and fails its first attempt: a job of it leaves a log line, an error and a webhook. */
const LOGGER_MJS = `export default {
  name: 'logger',
  defaults: { maxAttempts: 2, backoff: { kind: 'fixed', baseMs: 10, jitter: false } },
  handler(job, ctx) {
    ctx.log('attempt ' + ctx.attempt);
    if (ctx.attempt === 1) throw new Error('the first attempt fails');
    return { ok: true };
  },
};\n`;

const CHILD_TABLES = ['webhook_logs', 'webhook_deliveries', 'job_errors', 'job_logs'];

const sql = async <T = any>(server: TestServer, text: string, params: unknown[] = []) =>
  (await server.orm.em.fork().getConnection().execute(text, params)) as T[];

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

/** Rows of each child table whose job is gone. */
async function orphans(server: TestServer): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of CHILD_TABLES) {
    const [row] = await sql(server, `select count(*) as n from ${table} t where not exists (select 1 from jobs j where j.id = t.job_id)`);
    out[table] = Number(row.n);
  }
  return out;
}

async function prunedMetric(server: TestServer, status: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const m = new RegExp(`^jobs_pruned_total\\{status="${status}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const CREATE = 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }';
const UPDATE_QUEUE =
  'mutation($name: String!, $in: UpdateQueueInput!) { updateQueue(name: $name, input: $in) { name retention { completedMs failedMs cancelledMs } } }';

describe.each(testDatabases())('retention on $name', (db) => {
  const tasksDir = tasksDirForSuite({ 'logger.mjs': LOGGER_MJS });
  const server = serverForSuite(db, () => ({
    TASKS_DIR: tasksDir(),
    RETENTION_COMPLETED: '1s',
    RETENTION_FAILED: '0',
    RETENTION_CANCELLED: '7d',
    PRUNE_INTERVAL_MS: '100',
  }));

  it('prunes COMPLETED jobs after 1s with everything tied to them; keeps FAILED (0), a queue that keeps its own, and counts by status', async () => {
    const s = server();
    const kept = await data(s, UPDATE_QUEUE, { name: 'keep', in: { retention: { completed: '0' } } });
    expect(kept.updateQueue.retention).toEqual({ completedMs: 0, failedMs: 0, cancelledMs: 604_800_000 });
    const pruned = (await data(s, CREATE, { in: Array.from({ length: 5 }, () => ({ taskName: 'logger' })) })).createJobs;
    const keptJobs = (await data(s, CREATE, { in: Array.from({ length: 3 }, () => ({ taskName: 'noop', queue: 'keep' })) })).createJobs;
    const failed = (await data(s, CREATE, { in: [{ taskName: 'sim', payload: { fail: true, durationMs: 1 }, maxAttempts: 1 }] }))
      .createJobs;
    const ids = pruned.map((j: { id: string }) => Number(j.id));

    // Each pruned job had its rows of every kind before it went.
    for (const table of CHILD_TABLES) {
      await waitUntil(
        `${table} rows of the jobs`,
        async () => ((await sql(s, `select job_id from ${table} where job_id = ?`, [ids[0]])).length > 0 ? true : null),
        20_000,
      );
    }
    await waitUntil(
      'the 5 jobs to be pruned',
      async () => ((await sql(s, `select id from jobs where id in (${ids.join(',')})`)).length === 0 ? true : null),
      20_000,
    );
    for (const table of CHILD_TABLES) expect(await sql(s, `select * from ${table} where job_id in (${ids.join(',')})`)).toEqual([]);
    expect(await orphans(s)).toEqual({ webhook_logs: 0, webhook_deliveries: 0, job_errors: 0, job_logs: 0 });

    const left = await sql<{ id: unknown; status: string }>(s, 'select id, status from jobs order by id');
    expect(left.map((r) => Number(r.id))).toEqual([...keptJobs, ...failed].map((j: { id: string }) => Number(j.id)));
    expect(left.map((r) => r.status)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED']);
    // The failed job keeps its error history and webhook log.
    expect((await sql(s, 'select * from job_errors where job_id = ?', [Number(failed[0].id)])).length).toBe(1);
    expect(await prunedMetric(s, 'COMPLETED')).toBe(5);
    expect(await prunedMetric(s, 'FAILED')).toBe(0);

    const shown = await data(s, '{ retention { completedMs failedMs cancelledMs } queue(name: "default") { retention { completedMs } } }');
    expect(shown).toEqual({
      retention: { completedMs: 1000, failedMs: 0, cancelledMs: 604_800_000 },
      queue: { retention: { completedMs: 1000 } },
    });
  });

  it('pruneJobs deletes the finished jobs of the given statuses and queue that completed before olderThan', async () => {
    const s = server();
    await waitUntil('earlier jobs to finish', async () =>
      (await sql(s, "select id from jobs where status in ('PENDING', 'RUNNING')")).length === 0 ? true : null,
    );
    const before = await sql<{ id: unknown }>(s, "select id from jobs where status = 'FAILED'");
    expect(before.length).toBeGreaterThan(0);
    const cut = new Date(Date.now() + 1000).toISOString();
    expect((await data(s, 'mutation($t: DateTime!) { pruneJobs(olderThan: $t, statuses: [CANCELLED]) }', { t: cut })).pruneJobs).toBe(0);
    expect(
      (await data(s, 'mutation($t: DateTime!) { pruneJobs(olderThan: $t, statuses: [FAILED], queue: "keep") }', { t: cut })).pruneJobs,
    ).toBe(0);
    expect((await data(s, 'mutation($t: DateTime!) { pruneJobs(olderThan: $t, statuses: [FAILED]) }', { t: cut })).pruneJobs).toBe(
      before.length,
    );
    expect(await sql(s, "select id from jobs where status = 'FAILED'")).toEqual([]);
    expect(await orphans(s)).toEqual({ webhook_logs: 0, webhook_deliveries: 0, job_errors: 0, job_logs: 0 });
    expect(await prunedMetric(s, 'FAILED')).toBe(before.length);
    // The keep queue's COMPLETED jobs go only when asked for by name.
    expect((await data(s, 'mutation($t: DateTime!) { pruneJobs(olderThan: $t, queue: "keep") }', { t: cut })).pruneJobs).toBe(3);
  });

  it('refuses bad input naming the field', async () => {
    const s = server();
    const unfinished = await s.gql('mutation { pruneJobs(olderThan: "2026-01-01T00:00:00.000Z", statuses: [PENDING]) }');
    expect(unfinished.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'statuses' });
    for (const bad of ['7 days', '500', '-1s']) {
      const res = await s.gql(UPDATE_QUEUE, { name: 'keep', in: { retention: { failed: bad } } });
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.retention.failed' });
      expect(res.status).toBeLessThan(500);
    }
    const queue = await s.gql('mutation { pruneJobs(olderThan: "2026-01-01T00:00:00.000Z", queue: "Bad Name") }');
    expect(queue.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'queue' });
    // null returns a status to the default; the others stay.
    const reset = await data(s, UPDATE_QUEUE, { name: 'keep', in: { retention: { completed: null, cancelled: '12h' } } });
    expect(reset.updateQueue.retention).toEqual({ completedMs: 1000, failedMs: 0, cancelledMs: 43_200_000 });
  });
});
