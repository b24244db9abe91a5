import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, startedByTests, testDatabases, type TestServer } from './support/server.js';
import { collect, settle, wsClient } from './support/ws.js';
import {
  eventually,
  finished,
  firstError,
  NO_RATE_LIMITS,
  TOKENS,
  admin,
  viewer,
  rowsOfJob,
  stderrOf,
  tasksDirForSuite,
  waitForJobWith,
} from './support/task-modules.js';

/**
 * A job's history (issue 16): every failed attempt's error (message, stack — hidden from viewers in
 * production — and worker), and the lines its handler logs: stored up to 1,000 per job with a marker
 * counting the dropped ones, paged with `logs(after, limit)`, published live on `jobLogAdded`, and
 * deleted with the job.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const dbs = testDatabases().filter((db) => db.name !== 'mysql');
const ERRORS = 'id status attempts lastError errors { attempt at message stack worker }';

const MODULES = {
  'always-fails.mjs': `
export default {
  name: 'always.fails',
  defaults: { maxAttempts: 3, backoff: { kind: 'fixed', baseMs: 20, jitter: false } },
  handler(job, ctx) {
    throw new Error('failure ' + ctx.attempt + ' of job ' + job.id);
  },
};
`,
  'long-stack.mjs': `
export default {
  name: 'long.stack',
  defaults: { maxAttempts: 1 },
  handler() {
    const error = new Error('a very deep failure');
    // 20,000 characters of 3-byte UTF-8: far past the 8 KiB a stack keeps.
    error.stack = 'Error: a very deep failure\\n' + '€'.repeat(20000);
    throw error;
  },
};
`,
  'chatty.mjs': `
export default {
  name: 'chatty',
  payload: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } },
  handler(job, ctx) {
    for (let i = 1; i <= job.payload.n; i++) {
      const message = 'line ' + i;
      if (i % 5 === 0) ctx.log(message, { i });
      else if (i % 5 === 1) ctx.log.debug(message, { i });
      else if (i % 5 === 2) ctx.log.info(message, { i });
      else if (i % 5 === 3) ctx.log.warn(message, { i });
      else ctx.log.error(message, { i });
    }
    return { logged: job.payload.n };
  },
};
`,
  'log-and-fail.mjs': `
export default {
  name: 'log.and.fail',
  defaults: { maxAttempts: 2, backoff: { kind: 'fixed', baseMs: 20, jitter: false } },
  handler(job, ctx) {
    ctx.log('starting attempt ' + ctx.attempt);
    ctx.log.warn('about to fail', { attempt: ctx.attempt });
    ctx.log.error('failing');
    throw new Error('log.and.fail attempt ' + ctx.attempt);
  },
};
`,
};

const LEVEL_OF = (i: number) => ['INFO', 'DEBUG', 'INFO', 'WARN', 'ERROR'][i % 5];

async function create(server: TestServer, input: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await server.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', { in: input }, headers);
  if (res.errors) throw new Error(`createJob(${JSON.stringify(input)}) failed: ${JSON.stringify(res.errors)}`);
  return res.data.createJob as { id: string };
}

describe.each(dbs)('error history with NODE_ENV=production on $name', (db) => {
  const dir = tasksDirForSuite(MODULES);
  const server = serverForSuite(db, () => ({ NODE_ENV: 'production', API_TOKENS: TOKENS, TASKS_DIR: dir(), ...NO_RATE_LIMITS }));
  let failedId = '';

  it('a job failing 3 times has 3 errors in order, with messages, stacks and the worker (admin)', async () => {
    const job = await create(server(), { taskName: 'always.fails' }, admin);
    failedId = job.id;
    const done = await waitForJobWith(server(), job.id, ERRORS, finished, admin);
    expect(done, `expected FAILED after 3 attempts, saw ${JSON.stringify(done)}`).toMatchObject({ status: 'FAILED', attempts: 3 });
    const errors = done.errors as { attempt: number; at: string; message: string; stack: string | null; worker: string | null }[];
    expect(
      errors.map((e) => e.attempt),
      `expected errors of attempts [1, 2, 3], saw ${JSON.stringify(errors)}`,
    ).toEqual([1, 2, 3]);
    expect(
      errors.map((e) => e.message),
      `expected each attempt's message, saw ${JSON.stringify(errors.map((e) => e.message))}`,
    ).toEqual([1, 2, 3].map((n) => `failure ${n} of job ${job.id}`));
    const times = errors.map((e) => Date.parse(e.at));
    expect(times, `expected error times in order, saw ${JSON.stringify(errors.map((e) => e.at))}`).toEqual(
      [...times].sort((a, b) => a - b),
    );
    for (const e of errors) {
      expect(e.stack, `expected admin to get a stack with the message and the module's file, saw ${JSON.stringify(e.stack)}`).toMatch(
        new RegExp(`^Error: ${e.message}[\\s\\S]*always-fails\\.mjs`),
      );
      expect(e.worker, `expected the worker (lease owner) of each attempt, saw ${JSON.stringify(e.worker)}`).toMatch(/\S+:\d+:[0-9a-f]+/);
    }
    expect(done.lastError, `expected lastError = the last attempt's message, saw ${JSON.stringify(done.lastError)}`).toBe(
      errors[2].message,
    );
  });

  it('a viewer token gets the same messages with stack: null', async () => {
    const seen = await waitForJobWith(server(), failedId, ERRORS, finished, viewer);
    const errors = seen.errors as { attempt: number; message: string; stack: string | null }[];
    expect(
      errors.map((e) => [e.attempt, e.message]),
      `expected the viewer to see the 3 attempts and messages, saw ${JSON.stringify(errors)}`,
    ).toEqual([1, 2, 3].map((n) => [n, `failure ${n} of job ${failedId}`]));
    expect(
      errors.map((e) => e.stack),
      `expected every stack null for a viewer, saw ${JSON.stringify(errors.map((e) => e.stack))}`,
    ).toEqual([null, null, null]);
  });

  it('a stack longer than 8 KiB is cut to at most 8 KiB of UTF-8, not dropped', async () => {
    const job = await create(server(), { taskName: 'long.stack' }, admin);
    const done = await waitForJobWith(server(), job.id, ERRORS, finished, admin);
    const stack = done.errors?.[0]?.stack as string | null;
    expect(stack, `expected a (cut) stack, saw ${JSON.stringify(done.errors)}`).toBeTypeOf('string');
    const bytes = Buffer.byteLength(stack!, 'utf8');
    expect(bytes, `expected at most 8192 bytes of UTF-8, saw ${bytes}`).toBeLessThanOrEqual(8192);
    expect(bytes, `expected the stack cut near 8 KiB rather than much shorter, saw ${bytes}`).toBeGreaterThan(8000);
    expect(
      stack!.startsWith('Error: a very deep failure\n€€€'),
      `expected the stack's start kept, saw ${JSON.stringify(stack!.slice(0, 60))}`,
    ).toBe(true);
    expect(stack!.includes('\uFFFD'), 'expected no broken character where the stack was cut').toBe(false);
  });

  it('a successful job has no errors', async () => {
    const job = await create(server(), { taskName: 'chatty', payload: { n: 1 } }, admin);
    const done = await waitForJobWith(server(), job.id, ERRORS, finished, admin);
    expect(done, `expected COMPLETED with errors [], saw ${JSON.stringify(done)}`).toMatchObject({ status: 'COMPLETED', errors: [] });
  });
});

describe.each(dbs)('job log lines on $name', (db) => {
  const dir = tasksDirForSuite(MODULES);
  const server = serverForSuite(db, () => ({ TASKS_DIR: dir(), WORKER_CONCURRENCY: '4', ...NO_RATE_LIMITS }));
  let chattyId = '';

  const logs = async (id: string, args: string) => {
    const res = await server().gql(`query($id: ID!) { job(id: $id) { logs${args} { seq level message data } } }`, { id });
    if (res.errors) throw new Error(`logs${args} failed: ${JSON.stringify(res.errors)}`);
    return res.data.job.logs as { seq: number; level: string; message: string; data: any }[];
  };

  it('a jobLogAdded subscriber receives all 2,000 lines of one run live and in order (and none of another job)', async () => {
    const runAt = new Date(Date.now() + 1_500).toISOString();
    const job = await create(server(), { taskName: 'chatty', payload: { n: 2000 }, runAt });
    const other = await create(server(), { taskName: 'chatty', payload: { n: 5 }, runAt });
    chattyId = job.id;
    const client = wsClient(server().url);
    try {
      const sub = collect<{ jobId: string; seq: number; level: string; message: string; data: any }>(
        client,
        'subscription($id: ID!) { jobLogAdded(jobId: $id) { jobId seq level message data } }',
        { id: job.id },
      );
      await settle();
      expect(sub.items.length, `expected no line before the job ran, saw ${sub.items.length}`).toBe(0);
      const lines = await sub.waitFor(2000, 10_000);
      await settle(300); // anything extra would arrive now
      expect(sub.errors, `expected no subscription errors, saw ${JSON.stringify(sub.errors)}`).toEqual([]);
      expect(lines.length, `expected exactly 2000 lines, saw ${lines.length}`).toBe(2000);
      const foreign = lines.filter((l) => l.jobId !== job.id);
      expect(
        foreign.length,
        `expected only job ${job.id}'s lines, saw ${foreign.length} of others (e.g. ${JSON.stringify(foreign[0])})`,
      ).toBe(0);
      const seqs = lines.map((l) => l.seq);
      const firstOut = seqs.findIndex((s, i) => s !== i + 1);
      expect(
        firstOut,
        `expected seq 1..2000 in order; first out of place at index ${firstOut}: ${JSON.stringify(seqs.slice(Math.max(0, firstOut - 2), firstOut + 3))}`,
      ).toBe(-1);
      const badLine = lines.find((l, i) => l.message !== `line ${i + 1}` || l.level !== LEVEL_OF(i + 1) || l.data?.i !== i + 1);
      expect(badLine, `expected line i = { message "line i", its level, data { i } }, saw ${JSON.stringify(badLine)}`).toBeUndefined();
      sub.stop();
    } finally {
      await client.dispose();
    }
    await waitForJobWith(server(), other.id, 'status', finished);
  });

  it('afterwards the job keeps the last 1,000 lines plus the marker (seq 0, first) counting the 1,000 dropped', async () => {
    const done = await waitForJobWith(server(), chattyId, 'status result', finished);
    expect(done, `expected the chatty job COMPLETED, saw ${JSON.stringify(done)}`).toMatchObject({
      status: 'COMPLETED',
      result: { logged: 2000 },
    });
    // Lines are written off the hot path: wait for the last one.
    await eventually(
      'line 2000 stored',
      async () => ((await logs(chattyId, '(after: 1999, limit: 1)'))[0]?.seq === 2000 ? true : undefined),
      10_000,
    );

    const page = await logs(chattyId, '(limit: 1000)');
    expect(page[0], `expected the marker first: seq 0 saying 1000 lines were dropped, saw ${JSON.stringify(page[0])}`).toMatchObject({
      seq: 0,
      data: { dropped: 1000 },
    });
    expect(page[0].message, `expected the marker to say 1000 were dropped, saw ${JSON.stringify(page[0].message)}`).toMatch(
      /\b1,?000\b.*dropped/,
    );
    expect(page.length, `expected limit 1000 to return 1000 rows (the marker and 999 lines), saw ${page.length}`).toBe(1000);
    expect(page[1].seq, `expected the oldest kept line to be seq 1001, saw ${JSON.stringify(page[1])}`).toBe(1001);

    const kept = await logs(chattyId, '(after: 0, limit: 1000)');
    const keptSeqs = kept.map((l) => l.seq);
    expect(kept.length, `expected exactly 1000 kept lines after the marker, saw ${kept.length}`).toBe(1000);
    expect(
      [keptSeqs[0], keptSeqs[999]],
      `expected the kept lines to be seq 1001..2000, saw ${keptSeqs[0]}..${keptSeqs[keptSeqs.length - 1]}`,
    ).toEqual([1001, 2000]);
    expect(keptSeqs, 'expected kept seqs strictly consecutive').toEqual(Array.from({ length: 1000 }, (_, i) => 1001 + i));
    const badLine = kept.find((l) => l.message !== `line ${l.seq}` || l.level !== LEVEL_OF(l.seq) || l.data?.i !== l.seq);
    expect(badLine, `expected each kept line's message, level and data intact, saw ${JSON.stringify(badLine)}`).toBeUndefined();
    const rows = await rowsOfJob(server().orm, 'job_logs', chattyId);
    expect(rows, `expected 1001 job_logs rows (1000 lines + the marker), saw ${rows}`).toBe(1001);
  });

  it('logs(after: N) pages; the default limit is 100; past the last line is empty', async () => {
    const middle = await logs(chattyId, '(after: 1500, limit: 10)');
    expect(
      middle.map((l) => l.seq),
      `expected seq 1501..1510, saw ${JSON.stringify(middle.map((l) => l.seq))}`,
    ).toEqual(Array.from({ length: 10 }, (_, i) => 1501 + i));
    const tail = await logs(chattyId, '(after: 1995)');
    expect(
      tail.map((l) => l.seq),
      `expected seq 1996..2000, saw ${JSON.stringify(tail.map((l) => l.seq))}`,
    ).toEqual([1996, 1997, 1998, 1999, 2000]);
    expect(await logs(chattyId, '(after: 2000)'), 'expected no line after the last one').toEqual([]);
    const first = await logs(chattyId, '');
    expect(first.length, `expected the default limit of 100 lines, saw ${first.length}`).toBe(100);
    expect(first[0].seq, `expected the marker first by default, saw ${JSON.stringify(first[0])}`).toBe(0);
    // Walking pages with `after` visits every stored line once.
    const seen: number[] = [];
    let after = -1;
    for (let i = 0; i < 20; i++) {
      const pageOf = await logs(chattyId, `(after: ${after}, limit: 300)`);
      if (pageOf.length === 0) break;
      seen.push(...pageOf.map((l) => l.seq));
      after = pageOf[pageOf.length - 1].seq;
    }
    expect(seen.length, `expected paging to visit 1001 rows, saw ${seen.length}`).toBe(1001);
    expect(new Set(seen).size, 'expected no row twice while paging').toBe(1001);
  });

  it('logs(limit: 1001) and logs(limit: 0) are BAD_USER_INPUT', async () => {
    for (const limit of [1001, 0]) {
      const res = await server().gql(`query($id: ID!) { job(id: $id) { logs(limit: ${limit}) { seq } } }`, { id: chattyId });
      const e = firstError(res);
      expect(e.code, `expected BAD_USER_INPUT for limit ${limit}, saw ${JSON.stringify(res.errors ?? res.data)}`).toBe('BAD_USER_INPUT');
      expect(e.field, `expected field limit for limit ${limit}, saw ${JSON.stringify(res.errors)}`).toBe('limit');
    }
  });

  it('lines continue their numbering across attempts; deleting the job removes its errors and log lines', async () => {
    const job = await create(server(), { taskName: 'log.and.fail' });
    const done = await waitForJobWith(server(), job.id, ERRORS, finished);
    expect(done, `expected FAILED after 2 attempts, saw ${JSON.stringify(done)}`).toMatchObject({ status: 'FAILED', attempts: 2 });
    expect(done.errors.length, `expected 2 errors, saw ${JSON.stringify(done.errors)}`).toBe(2);
    const lines = await eventually('6 log lines stored', async () => {
      const got = await logs(job.id, '');
      return got.length >= 6 ? got : undefined;
    });
    expect(
      lines.map((l) => [l.seq, l.level, l.message]),
      `expected 3 lines per attempt numbered 1..6, saw ${JSON.stringify(lines)}`,
    ).toEqual([
      [1, 'INFO', 'starting attempt 1'],
      [2, 'WARN', 'about to fail'],
      [3, 'ERROR', 'failing'],
      [4, 'INFO', 'starting attempt 2'],
      [5, 'WARN', 'about to fail'],
      [6, 'ERROR', 'failing'],
    ]);
    expect(lines[1].data, `expected the warn line's data, saw ${JSON.stringify(lines[1])}`).toEqual({ attempt: 1 });
    expect(lines[0].data, `expected null data where none was given, saw ${JSON.stringify(lines[0])}`).toBeNull();

    const orm = server().orm;
    const before = { errors: await rowsOfJob(orm, 'job_errors', job.id), logs: await rowsOfJob(orm, 'job_logs', job.id) };
    expect(before, `expected the rows in the database before the delete, saw ${JSON.stringify(before)}`).toEqual({ errors: 2, logs: 6 });
    const deleted = await server().gql('mutation($id: ID!) { deleteJob(id: $id) }', { id: job.id });
    expect(deleted.data?.deleteJob, `expected deleteJob true, saw ${JSON.stringify(deleted)}`).toBe(true);
    const after = {
      jobs: await rowsOfJob(orm, 'jobs', job.id),
      errors: await rowsOfJob(orm, 'job_errors', job.id),
      logs: await rowsOfJob(orm, 'job_logs', job.id),
    };
    expect(after, `expected no job, job_errors or job_logs rows left, saw ${JSON.stringify(after)}`).toEqual({
      jobs: 0,
      errors: 0,
      logs: 0,
    });

    // The big one too: 1,001 log rows go with it.
    const big = await server().gql('mutation($id: ID!) { deleteJob(id: $id) }', { id: chattyId });
    expect(big.data?.deleteJob, `expected deleteJob true, saw ${JSON.stringify(big)}`).toBe(true);
    const left = await rowsOfJob(orm, 'job_logs', chattyId);
    expect(left, `expected the chatty job's log rows gone, saw ${left}`).toBe(0);
  });
});

describe('a src/main.ts process with a jobLogAdded subscriber and a 2,000-line burst (SQLite)', () => {
  const dir = tasksDirForSuite(MODULES);
  const started = startedByTests('all');

  it('keeps running and delivers every line', async () => {
    const p = started.process({ TASKS_DIR: dir(), DATABASE_URL: await sqlite.create(), LOG_LEVEL: 'warn', ...NO_RATE_LIMITS });
    const stderr = stderrOf(p);
    const url = await p.ready;
    const gql = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data: any; errors?: unknown[] };
    };
    const made = await gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'chatty', payload: { n: 2000 }, runAt: new Date(Date.now() + 1_500).toISOString() },
    });
    const id = made.data.createJob.id as string;
    const client = wsClient(url);
    try {
      const sub = collect<{ seq: number }>(client, 'subscription($id: ID!) { jobLogAdded(jobId: $id) { seq } }', { id });
      await settle();
      const status = await eventually(
        'the chatty job to finish (or the process to exit)',
        async () => {
          if (p.child.exitCode !== null || p.child.signalCode !== null) return 'process exited';
          const res = await gql('query($id: ID!) { job(id: $id) { status } }', { id }).catch(() => undefined);
          const s = res?.data?.job?.status;
          return s === 'COMPLETED' || s === 'FAILED' ? s : undefined;
        },
        15_000,
      );
      await settle(1_000);
      const alive = p.child.exitCode === null && p.child.signalCode === null;
      expect(
        { status, alive },
        `expected the job COMPLETED and the process alive; saw ${JSON.stringify({ status, alive, exitCode: p.child.exitCode })}; stderr: ${stderr().slice(-1500)}`,
      ).toEqual({ status: 'COMPLETED', alive: true });
      expect(sub.items.length, `expected the subscriber to receive 2000 lines, saw ${sub.items.length}`).toBe(2000);
      sub.stop();
    } finally {
      await client.dispose();
    }
  });
});
