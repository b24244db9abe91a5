import { describe, expect, it } from 'vitest';
import { waitUntil } from './support/engine.js';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { dialectOf, insertRows, toDbTime } from '../src/db/sql.js';
import { backfillFailureSignatures } from '../src/jobs/failures/backfill.js';
import type { Em } from '../src/db/orm.js';
import { admin, ADMIN, NO_RATE_LIMITS, tasksDirForSuite, TOKENS, viewer } from './support/task-modules.js';

/**
 * failureGroups over the real engine: 3,000 jobs fail through the finish path in 3 error shapes whose
 * messages carry varying numbers, ids, UUIDs, hex, quoted strings and URLs, and come back as exactly
 * 3 groups; retryFailureGroup and deleteFailureGroup act on one group only, and admins only.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

/** Fails every run, in the shape its payload names, with the payload's values in the message. */
const FAIL_MJS = `
class PaymentDeclined extends Error {
  constructor(message) {
    super(message);
    this.name = 'PaymentDeclined';
  }
}
export default {
  name: 'fg.fail',
  defaults: { maxAttempts: 1, queue: 'fg' },
  handler(job) {
    const { shape, n } = job.payload;
    if (shape === 'ok') return { n };
    if (shape === 'card') throw new PaymentDeclined('card ending ' + (1000 + n) + ' declined for order ' + job.payload.uuid);
    if (shape === 'fetch') throw new TypeError('GET https://api.example.com/users/' + n + '?page=' + (n % 7) + ' returned no "user_' + n + '"');
    throw new Error('lock 0x' + (n * 7919).toString(16) + ' held by node_' + n + 'xkq for ' + (n * 13) + ' ms');
  },
};
`;

/** The three shapes and their jobs: different sizes, so the order by count is seen too. */
const SHAPES = [
  { shape: 'card', jobs: 1200, signature: 'PaymentDeclined: card ending <n> declined for order <uuid>' },
  { shape: 'fetch', jobs: 1000, signature: 'TypeError: GET <url> returned no <str>' },
  { shape: 'lock', jobs: 800, signature: 'Error: lock <hex> held by <id> for <n> ms' },
] as const;

const GROUPS = `query($since: DateTime, $queue: String, $taskName: String) {
  failureGroups(since: $since, queue: $queue, taskName: $taskName) { signature sampleMessage count firstSeen lastSeen taskNames sampleJobIds }
}`;
const BULK = '{ matched changed skipped { id reason } }';
const RETRY = `mutation($s: String!, $since: DateTime) { retryFailureGroup(signature: $s, since: $since) ${BULK} }`;
const DELETE = `mutation($s: String!, $since: DateTime) { deleteFailureGroup(signature: $s, since: $since) ${BULK} }`;

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables, admin);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

const uuid = (n: number) => `${n.toString(16).padStart(8, '0')}-9d4a-4b7e-8f00-${(n * 31).toString(16).padStart(12, '0')}`;

async function countBy(server: TestServer, shape: string, status: string): Promise<number> {
  const rows = (await server.orm.em
    .fork()
    .getConnection()
    .execute(`select count(*) as n from jobs where status = ? and payload like ?`, [status, `%"shape":"${shape}"%`])) as { n: unknown }[];
  return Number(rows[0].n);
}

describe.each(testDatabases())('failure groups on $name', (db) => {
  const dir = tasksDirForSuite({ 'fail.mjs': FAIL_MJS });
  const server = serverForSuite(db, () => ({ TASKS_DIR: dir(), API_TOKENS: TOKENS, ...NO_RATE_LIMITS, WORKER_CONCURRENCY: '50' }));
  let started: Date;

  it('3,000 failures of 3 shapes with varying values are exactly 3 groups with their counts', { timeout: 180_000 }, async () => {
    const s = server();
    started = new Date(Date.now() - 1000);
    // Jobs that complete are mixed in, so finish batches hold both ends: theirs must stay unsigned.
    const inputs = SHAPES.flatMap(({ shape, jobs }) =>
      Array.from({ length: jobs }, (_, n) => ({ taskName: 'fg.fail', payload: { shape, n, uuid: uuid(n) } })),
    ).flatMap((input, i) => (i % 6 === 0 ? [{ taskName: 'fg.fail', payload: { shape: 'ok', n: i } }, input] : [input]));
    for (let i = 0; i < inputs.length; i += 1000) {
      await data(s, 'mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }', { inputs: inputs.slice(i, i + 1000) });
    }
    await waitUntil(
      'the 3,000 jobs to fail',
      async () => {
        const stats = (await data(s, '{ jobStats { failed } }')).jobStats;
        return stats.failed === 3000;
      },
      150_000,
      250,
    );

    await waitUntil('the 500 others to complete', async () => (await countBy(s, 'ok', 'COMPLETED')) === 500, 30_000, 250);
    const signed = (await s.orm.em
      .fork()
      .getConnection()
      .execute(`select count(*) as n from jobs where status = 'COMPLETED' and failure_signature is not null`)) as { n: unknown }[];
    expect(Number(signed[0].n)).toBe(0);

    const groups = (await data(s, GROUPS)).failureGroups;
    expect(groups.map((g: any) => [g.signature, g.count])).toEqual(SHAPES.map((x) => [x.signature, x.jobs]));
    for (const g of groups) {
      expect(g.taskNames).toEqual(['fg.fail']);
      expect(g.sampleJobIds).toHaveLength(5);
      expect(new Date(g.firstSeen).getTime()).toBeLessThanOrEqual(new Date(g.lastSeen).getTime());
      expect(new Date(g.firstSeen).getTime()).toBeGreaterThanOrEqual(started.getTime());
    }
    expect(groups[0].sampleMessage).toMatch(/^card ending \d+ declined for order [0-9a-f-]{36}$/);
    expect(groups[1].sampleMessage).toMatch(/^GET https:\/\/api\.example\.com\/users\/\d+\?page=\d returned no "user_\d+"$/);

    expect((await data(s, GROUPS, { taskName: 'fg.fail', queue: 'fg' })).failureGroups).toHaveLength(3);
    expect((await data(s, GROUPS, { queue: 'default' })).failureGroups).toEqual([]);
    expect((await data(s, GROUPS, { since: new Date(Date.now() + 60_000).toISOString() })).failureGroups).toEqual([]);
  });

  it('a viewer reads the groups but may not retry or delete one', async () => {
    const s = server();
    const read = await s.gql(GROUPS, {}, viewer);
    expect(read.errors).toBeUndefined();
    expect((read.data as any).failureGroups).toHaveLength(3);
    for (const mutation of [RETRY, DELETE]) {
      const res = await s.gql(mutation, { s: SHAPES[1].signature }, viewer);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await countBy(s, 'fetch', 'FAILED')).toBe(1000);
  });

  it('a signature that no group can have is BAD_USER_INPUT naming signature', async () => {
    const res = await server().gql(RETRY, { s: '' }, admin);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'signature' });
  });

  it(
    'retryFailureGroup re-queues that group only; its jobs fail again into the same group, seen with since',
    { timeout: 120_000 },
    async () => {
      const s = server();
      await data(s, 'mutation { pauseQueue(name: "fg") { name } }');
      const retried = (await data(s, RETRY, { s: SHAPES[1].signature, since: started.toISOString() })).retryFailureGroup;
      expect(retried).toEqual({ matched: 1000, changed: 1000, skipped: [] });
      expect(await countBy(s, 'fetch', 'PENDING')).toBe(1000);
      expect(await countBy(s, 'card', 'FAILED')).toBe(1200);
      expect(await countBy(s, 'lock', 'FAILED')).toBe(800);
      const rest = (await data(s, GROUPS)).failureGroups;
      expect(rest.map((g: any) => [g.signature, g.count])).toEqual([
        [SHAPES[0].signature, 1200],
        [SHAPES[2].signature, 800],
      ]);

      const again = new Date();
      await data(s, 'mutation { resumeQueue(name: "fg") { name } }');
      await waitUntil('the retried group to fail again', async () => (await countBy(s, 'fetch', 'FAILED')) === 1000, 100_000, 250);
      const recent = (await data(s, GROUPS, { since: again.toISOString() })).failureGroups;
      expect(recent.map((g: any) => [g.signature, g.count])).toEqual([[SHAPES[1].signature, 1000]]);
      expect((await data(s, GROUPS)).failureGroups).toHaveLength(3);
    },
  );

  it('deleteFailureGroup deletes that group only', async () => {
    const s = server();
    const deleted = (await data(s, DELETE, { s: SHAPES[2].signature })).deleteFailureGroup;
    expect(deleted).toEqual({ matched: 800, changed: 800, skipped: [] });
    expect(await countBy(s, 'lock', 'FAILED')).toBe(0);
    expect(await countBy(s, 'card', 'FAILED')).toBe(1200);
    expect((await data(s, GROUPS)).failureGroups.map((g: any) => g.count)).toEqual([1200, 1000]);
  });
});

const WORKER = 'failure-groups-worker-token';
const asWorker = { authorization: `Bearer ${WORKER}` };

describe.each(testDatabases())('the other paths to FAILED sign the job, and a retry clears it, on $name', (db) => {
  const server = serverForSuite(db, { API_TOKENS: `ops:admin:${ADMIN},svc:worker:${WORKER}`, ...NO_RATE_LIMITS, LEASE_MS: '3000' });
  const worker = async (query: string, variables?: Record<string, unknown>) => {
    const res = await server().gql<any>(query, variables, asWorker);
    if (res.errors) throw new Error(JSON.stringify(res.errors));
    return res.data;
  };
  const groupsOf = async (taskName: string) =>
    (await data(server(), GROUPS, { taskName })).failureGroups.map((g: any) => [g.signature, g.count, g.sampleJobIds]);

  it('a remote failJob with a stack: the class from the stack; runJob clears the signature', async () => {
    const s = server();
    const workerId = (await worker('mutation { registerWorker(input: { name: "fg", tasks: [{ name: "fg.remote" }] }) }')).registerWorker;
    const { id } = (await data(s, 'mutation { createJob(input: { taskName: "fg.remote", maxAttempts: 1 }) { id } }')).createJob;
    const [lease] = (await worker(`mutation { claimJobs(workerId: "${workerId}") { token } }`)).claimJobs;
    const failed = await worker('mutation($t: String!, $e: JobFailureInput!) { failJob(token: $t, error: $e) { status } }', {
      t: lease.token,
      e: {
        message: 'quota 17 of 20 exceeded for tenant "acme"',
        stack: 'QuotaExceeded: quota 17 of 20 exceeded\n    at charge (svc.ts:3:9)',
      },
    });
    expect(failed.failJob.status).toBe('FAILED');
    expect(await groupsOf('fg.remote')).toEqual([['QuotaExceeded: quota <n> of <n> exceeded for tenant <str>', 1, [id]]]);

    await data(s, 'mutation($id: ID!) { runJob(id: $id) { status } }', { id });
    expect(await groupsOf('fg.remote')).toEqual([]);
    const rows = (await s.orm.em
      .fork()
      .getConnection()
      .execute('select failure_signature from jobs where id = ?', [Number(id)])) as any[];
    expect(rows[0].failure_signature).toBeNull();
  });

  it('a lease that expires on the last attempt ends FAILED with a signature', { timeout: 30_000 }, async () => {
    const s = server();
    await worker('mutation { registerWorker(input: { name: "fg-stuck", tasks: [{ name: "fg.stuck" }] }) }');
    const { id } = (await data(s, 'mutation { createJob(input: { taskName: "fg.stuck", maxAttempts: 1 }) { id } }')).createJob;
    const em = s.orm.em.fork() as Em;
    const t = (ms: number) => toDbTime(dialectOf(em), new Date(Date.now() + ms));
    // A run that started on a worker which then died: RUNNING, its one attempt counted, the lease over.
    await em
      .getConnection()
      .execute(
        "update jobs set status = 'RUNNING', attempts = 1, started_at = ?, lease_owner = 'gone:4242:a3f9c1', lease_expires_at = ? where id = ?",
        [t(-5000), t(-1000), Number(id)],
      );
    await waitUntil('the lease to be recovered', async () => (await groupsOf('fg.stuck')).length > 0, 20_000, 100);
    expect(await groupsOf('fg.stuck')).toEqual([
      ['Error: worker gone:<n>:<hex> stopped responding: its lease expired at <time> during attempt <n>', 1, [id]],
    ]);
  });

  it("the migration's backfill signs FAILED jobs that have no signature, more than one batch of them, and leaves the rest", async () => {
    const s = server();
    const em = s.orm.em.fork() as Em;
    const at = toDbTime(dialectOf(em), new Date());
    const columns = [
      'task_name',
      'queue',
      'status',
      'max_attempts',
      'attempts',
      'last_error',
      'run_at',
      'created_at',
      'updated_at',
      'completed_at',
    ];
    const row = (status: string, n: number) => ['fg.old', 'default', status, 1, 1, `user ${n} not found`, at, at, at, at];
    await insertRows(em, 'jobs', columns, [
      ...Array.from({ length: 1000 }, (_, n) => row('FAILED', n)),
      ...Array.from({ length: 5 }, (_, n) => row('COMPLETED', n)),
    ]);
    await insertRows(
      em,
      'jobs',
      columns,
      Array.from({ length: 234 }, (_, n) => row('FAILED', 1000 + n)),
    );
    const connection = em.getConnection();
    const signed = await backfillFailureSignatures((sql, params) => connection.execute(sql, params));
    expect(signed).toBe(1234);
    expect(await groupsOf('fg.old')).toEqual([['Error: user <n> not found', 1234, expect.any(Array)]]);
    const unsigned = (await connection.execute(
      "select count(*) as n from jobs where task_name = 'fg.old' and status = 'COMPLETED' and failure_signature is null",
    )) as { n: unknown }[];
    expect(Number(unsigned[0].n)).toBe(5);
    expect(await backfillFailureSignatures((sql, params) => connection.execute(sql, params))).toBe(0);
  });
});
