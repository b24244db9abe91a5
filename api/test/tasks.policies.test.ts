import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import {
  finished,
  firstError,
  countJobs,
  newRunsFile,
  NO_RATE_LIMITS,
  TOKENS,
  admin,
  readRuns,
  RECORD_RUN,
  tasksDirForSuite,
  waitForJobWith,
} from './support/task-modules.js';

/**
 * Per-task policy (issue 16): unknown task names refused in production unless simulated, the
 * simulation in development, NonRetryableError and snoozes recognised by shape, and a module's
 * defaults (maxAttempts, timeoutMs, backoff) applied where the input leaves them out.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const dbs = testDatabases().filter((db) => db.name !== 'mysql');
const later = () => new Date(Date.now() + 3_600_000).toISOString();
/** The api package's task module API, imported by a module outside the repository through a file URL. */
const TASK_API = pathToFileURL(fileURLToPath(new URL('../src/tasks/task.ts', import.meta.url))).href;

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id taskName simulated maxAttempts timeoutMs status } }';
const CREATE_MANY = 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }';
const CREATE_SCHEDULE = 'mutation($in: CreateScheduleInput!) { createSchedule(input: $in) { id taskName } }';
const JOB = 'id status attempts maxAttempts timeoutMs lastError simulated result runAt errors { attempt at message stack worker }';

const KNOWN_MJS = `export default { name: 'known.task', payload: { type: 'object' }, handler: () => ({ ran: true }) };\n`;

async function create(server: TestServer, input: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await server.gql(CREATE, { in: input }, headers);
  if (res.errors) throw new Error(`createJob(${JSON.stringify(input)}) failed: ${JSON.stringify(res.errors)}`);
  return res.data.createJob;
}

describe.each(dbs)('unknown task names with NODE_ENV=production on $name', (db) => {
  const dir = tasksDirForSuite({ 'known.mjs': KNOWN_MJS });
  const server = serverForSuite(db, () => ({ NODE_ENV: 'production', API_TOKENS: TOKENS, TASKS_DIR: dir(), ...NO_RATE_LIMITS }));

  const expectUnknownRefused = (res: Parameters<typeof firstError>[0], field: string) => {
    const e = firstError(res);
    expect(e.code, `expected BAD_USER_INPUT, saw ${JSON.stringify(res.errors ?? res)}`).toBe('BAD_USER_INPUT');
    expect(e.field, `expected extensions.field ${field}, saw ${JSON.stringify(res.errors)}`).toBe(field);
    for (const known of ['noop', 'http.request', 'known.task']) {
      expect(e.message, `expected the message to list the known task ${known}, saw ${JSON.stringify(e.message)}`).toContain(known);
    }
    expect(e.message, `expected the message to quote the unknown name, saw ${JSON.stringify(e.message)}`).toContain('send-email');
  };

  it('createJob for an unknown task is BAD_USER_INPUT at input.taskName listing the known tasks; nothing is written', async () => {
    const res = await server().gql(CREATE, { in: { taskName: 'send-email', payload: { to: 'a@example.com' } } }, admin);
    expectUnknownRefused(res, 'input.taskName');
    const total = await countJobs(server(), admin);
    expect(total, `expected no job written, saw ${total}`).toBe(0);
  });

  it('createJobs with one unknown task among valid ones is BAD_USER_INPUT at inputs[3].taskName and writes none', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => ({ taskName: i === 3 ? 'send-email' : 'known.task', runAt: later() }));
    const res = await server().gql(CREATE_MANY, { in: inputs }, admin);
    expectUnknownRefused(res, 'inputs[3].taskName');
    const total = await countJobs(server(), admin);
    expect(total, `expected no job written, saw ${total}`).toBe(0);
  });

  it('createSchedule for an unknown task is BAD_USER_INPUT at input.taskName listing the known tasks', async () => {
    const res = await server().gql(CREATE_SCHEDULE, { in: { name: 'mail-daily', cron: '0 8 * * *', taskName: 'send-email' } }, admin);
    expectUnknownRefused(res, 'input.taskName');
    const list = await server().gql('{ schedules { name } }', {}, admin);
    expect(list.data?.schedules, `expected no schedule written, saw ${JSON.stringify(list)}`).toEqual([]);
  });

  it('a known task is accepted, runs, and reports simulated: false', async () => {
    const job = await create(server(), { taskName: 'known.task' }, admin);
    expect(job.simulated, `expected simulated false for a known task, saw ${JSON.stringify(job)}`).toBe(false);
    const done = await waitForJobWith(server(), job.id, JOB, finished, admin);
    expect(done, `expected the known task COMPLETED with its own result, saw ${JSON.stringify(done)}`).toMatchObject({
      status: 'COMPLETED',
      result: { ran: true },
      simulated: false,
    });
  });
});

describe.each(dbs)('NODE_ENV=production with SIMULATE_UNKNOWN_TASKS=true on $name', (db) => {
  const server = serverForSuite(db, { NODE_ENV: 'production', API_TOKENS: TOKENS, SIMULATE_UNKNOWN_TASKS: 'true', ...NO_RATE_LIMITS });

  it('createJob for an unknown task is accepted and simulated (Job.simulated true, the simulation result)', async () => {
    const job = await create(server(), { taskName: 'send-email', payload: { durationMs: 20 } }, admin);
    expect(job.simulated, `expected simulated true, saw ${JSON.stringify(job)}`).toBe(true);
    const done = await waitForJobWith(server(), job.id, JOB, finished, admin);
    expect(done, `expected the simulation to complete the job, saw ${JSON.stringify(done)}`).toMatchObject({
      status: 'COMPLETED',
      simulated: true,
      result: { simulated: true, durationMs: 20 },
    });
  });

  it('createSchedule for an unknown task is accepted', async () => {
    const res = await server().gql(CREATE_SCHEDULE, { in: { name: 'mail-daily', cron: '0 8 * * *', taskName: 'send-email' } }, admin);
    expect(res.errors, `expected the schedule accepted, saw ${JSON.stringify(res.errors)}`).toBeUndefined();
    expect(res.data.createSchedule.taskName, `expected the schedule's task, saw ${JSON.stringify(res.data)}`).toBe('send-email');
  });
});

describe.each(dbs)('NODE_ENV=development on $name', (db) => {
  const server = serverForSuite(db, { NODE_ENV: 'development', ...NO_RATE_LIMITS });

  it('an unknown task runs the seed simulation and says so; a known one (noop) reports simulated false', async () => {
    const unknown = await create(server(), { taskName: 'send-email', payload: { durationMs: 20 } });
    const known = await create(server(), { taskName: 'noop' });
    expect(unknown.simulated, `expected simulated true for an unknown task, saw ${JSON.stringify(unknown)}`).toBe(true);
    expect(known.simulated, `expected simulated false for noop, saw ${JSON.stringify(known)}`).toBe(false);
    const [u, k] = await Promise.all([
      waitForJobWith(server(), unknown.id, JOB, finished),
      waitForJobWith(server(), known.id, JOB, finished),
    ]);
    expect(u, `expected the simulation's result, saw ${JSON.stringify(u)}`).toMatchObject({
      status: 'COMPLETED',
      simulated: true,
      result: { simulated: true, durationMs: 20 },
    });
    expect(k, `expected noop COMPLETED, not simulated, saw ${JSON.stringify(k)}`).toMatchObject({
      status: 'COMPLETED',
      simulated: false,
      result: null,
    });
  });

  it('a simulated job asked to fail still fails as in the seed', async () => {
    const job = await create(server(), { taskName: 'resize-image', payload: { durationMs: 10, fail: true }, maxAttempts: 1 });
    const done = await waitForJobWith(server(), job.id, JOB, finished);
    expect(done, `expected FAILED with the simulated failure, saw ${JSON.stringify(done)}`).toMatchObject({
      status: 'FAILED',
      simulated: true,
    });
    expect(done.lastError, `expected the simulated failure message, saw ${JSON.stringify(done.lastError)}`).toMatch(/simulated failure/);
  });
});

/** Modules recording each run in `payload.runsFile`, to count runs across attempts and snoozes. */
const POLICY_MODULES = () => ({
  'fatal-shape.mjs': `${RECORD_RUN}
export default {
  name: 'fatal.shape',
  handler(job, ctx) {
    record(job, ctx);
    throw Object.assign(new Error('the account is closed'), { retryable: false });
  },
};
`,
  'fatal-class.ts': `import { NonRetryableError } from '${TASK_API}';
${RECORD_RUN}
export default {
  name: 'fatal.class',
  handler(job: { payload: { runsFile?: string } }, ctx: { attempt: number }): never {
    record(job, ctx);
    throw new NonRetryableError('no such customer');
  },
};
`,
  'snoozy.ts': `import { Snooze } from '${TASK_API}';
import { readFileSync } from 'node:fs';
${RECORD_RUN}
/** Snoozes 300 ms three times (each in another shape), then succeeds. */
export default {
  name: 'snoozy',
  handler(job: { id: number; payload: { runsFile: string; style: string; times?: number; ms?: number } }, ctx: { attempt: number }) {
    record(job, ctx);
    const runs = readFileSync(job.payload.runsFile, 'utf8').split('\\n').filter(Boolean).length;
    const times = job.payload.times ?? 3;
    const ms = job.payload.ms ?? 300;
    if (runs <= times) {
      if (job.payload.style === 'object') throw { snoozeMs: ms };
      if (job.payload.style === 'error') throw Object.assign(new Error('rate limited'), { snoozeMs: ms });
      throw new Snooze(ms);
    }
    return { runs };
  },
};
`,
  'flaky-defaults.mjs': `${RECORD_RUN}
export default {
  name: 'flaky.defaults',
  defaults: { maxAttempts: 2, timeoutMs: 4000, backoff: { kind: 'fixed', baseMs: 200 } },
  handler(job, ctx) {
    record(job, ctx);
    throw new Error('flaky failure ' + ctx.attempt);
  },
};
`,
  'slow-defaults.mjs': `
export default {
  name: 'slow.defaults',
  defaults: { maxAttempts: 1, timeoutMs: 200 },
  async handler(job, { signal }) {
    await new Promise((resolve) => setTimeout(resolve, 5000));
    return 'too late';
  },
};
`,
});

describe.each(dbs)('NonRetryableError, snoozes and task defaults on $name', (db) => {
  const dir = tasksDirForSuite(POLICY_MODULES);
  const server = serverForSuite(db, () => ({ TASKS_DIR: dir(), WORKER_CONCURRENCY: '8', ...NO_RATE_LIMITS }));

  for (const [taskName, how, message] of [
    ['fatal.shape', 'an error with retryable: false', 'the account is closed'],
    ['fatal.class', 'NonRetryableError (imported from the api package)', 'no such customer'],
  ] as const) {
    it(`${how} with maxAttempts 5 → FAILED after 1 attempt`, async () => {
      const runsFile = newRunsFile();
      const job = await create(server(), { taskName, payload: { runsFile }, maxAttempts: 5 });
      const done = await waitForJobWith(server(), job.id, JOB, finished);
      expect(done, `expected FAILED after 1 attempt with the error, saw ${JSON.stringify(done)}`).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        maxAttempts: 5,
        lastError: message,
      });
      await new Promise((r) => setTimeout(r, 300)); // a wrongly scheduled retry would run within its backoff (~1 s) — look a bit
      const runs = readRuns(runsFile);
      expect(runs.length, `expected exactly 1 run, saw ${runs.length}: ${JSON.stringify(runs)}`).toBe(1);
      expect(done.errors.length, `expected 1 error in the history, saw ${JSON.stringify(done.errors)}`).toBe(1);
      expect(done.errors[0], `expected the error of attempt 1, saw ${JSON.stringify(done.errors[0])}`).toMatchObject({
        attempt: 1,
        message,
      });
    });
  }

  for (const style of ['object', 'error', 'class'] as const) {
    it(`three snoozes of 300 ms (${style === 'object' ? 'a thrown { snoozeMs }' : style === 'error' ? 'an Error with snoozeMs' : 'Snooze'}), then success → COMPLETED, attempts 1, after 4 runs`, async () => {
      const runsFile = newRunsFile();
      const job = await create(server(), { taskName: 'snoozy', payload: { runsFile, style }, maxAttempts: 1 });
      const done = await waitForJobWith(server(), job.id, JOB, finished);
      const runs = readRuns<{ at: number; attempt: number }>(runsFile);
      expect(done, `expected COMPLETED with attempts 1, saw ${JSON.stringify(done)}; runs ${JSON.stringify(runs)}`).toMatchObject({
        status: 'COMPLETED',
        attempts: 1,
        result: { runs: 4 },
      });
      expect(runs.length, `expected 4 runs, saw ${runs.length}`).toBe(4);
      expect(
        runs.map((r) => r.attempt),
        `expected every run to be attempt 1 (a snooze gives its attempt back), saw ${JSON.stringify(runs.map((r) => r.attempt))}`,
      ).toEqual([1, 1, 1, 1]);
      const gaps = runs.slice(1).map((r, i) => r.at - runs[i].at);
      for (const gap of gaps)
        expect(gap, `expected each snooze to wait ~300 ms (≥ 280), saw gaps ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(280);
      expect(done.errors, `expected no error history for snoozes, saw ${JSON.stringify(done.errors)}`).toEqual([]);
    });
  }

  it('snoozes are bounded: past the limit a snooze counts as an attempt and the job fails', async () => {
    const runsFile = newRunsFile();
    const job = await create(server(), { taskName: 'snoozy', payload: { runsFile, style: 'error', times: 1000, ms: 0 }, maxAttempts: 1 });
    const done = await waitForJobWith(server(), job.id, JOB, finished, {}, 20_000);
    const runs = readRuns(runsFile).length;
    expect(done.status, `expected FAILED once snoozes ran out, saw ${JSON.stringify({ ...done, errors: done.errors.length })}`).toBe(
      'FAILED',
    );
    expect(runs, `expected at least 21 runs (≥ 20 snoozes allowed), saw ${runs}`).toBeGreaterThanOrEqual(21);
    expect(done.lastError, `expected lastError to name the snooze limit, saw ${JSON.stringify(done.lastError)}`).toMatch(/snooze/i);
  });

  it("a module's defaults (maxAttempts 2, timeoutMs 4000) apply where the input leaves them out; the input's own win", async () => {
    const defaulted = await create(server(), { taskName: 'flaky.defaults', runAt: later() });
    expect(defaulted, `expected maxAttempts 2 and timeoutMs 4000 from the task, saw ${JSON.stringify(defaulted)}`).toMatchObject({
      maxAttempts: 2,
      timeoutMs: 4000,
    });
    const own = await create(server(), { taskName: 'flaky.defaults', maxAttempts: 7, timeoutMs: 900, runAt: later() });
    expect(own, `expected the input's maxAttempts 7 and timeoutMs 900, saw ${JSON.stringify(own)}`).toMatchObject({
      maxAttempts: 7,
      timeoutMs: 900,
    });
    const batch = await server().gql(`mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { maxAttempts timeoutMs } }`, {
      in: [{ taskName: 'flaky.defaults', runAt: later() }],
    });
    expect(batch.data?.createJobs, `expected createJobs to apply the defaults too, saw ${JSON.stringify(batch)}`).toEqual([
      { maxAttempts: 2, timeoutMs: 4000 },
    ]);
    const schedule = await server().gql(CREATE_SCHEDULE, {
      in: { name: 'flaky', cron: '0 0 1 1 *', taskName: 'flaky.defaults', enabled: false },
    });
    const fired = await server().gql('mutation($id: ID!) { triggerSchedule(id: $id) { maxAttempts timeoutMs } }', {
      id: schedule.data?.createSchedule?.id,
    });
    expect(fired.data?.triggerSchedule, `expected triggerSchedule's job to get the defaults, saw ${JSON.stringify(fired)}`).toEqual({
      maxAttempts: 2,
      timeoutMs: 4000,
    });
    const task = await server().gql(
      '{ task(name: "flaky.defaults") { defaults { maxAttempts timeoutMs queue backoff { kind baseMs maxMs jitter } } } }',
    );
    expect(task.data?.task?.defaults, `expected the catalog to show the defaults and backoff, saw ${JSON.stringify(task)}`).toEqual({
      maxAttempts: 2,
      timeoutMs: 4000,
      queue: 'default',
      backoff: { kind: 'fixed', baseMs: 200, maxMs: 600000, jitter: true },
    });
  });

  it('the default maxAttempts 2 ends the job FAILED after 2 runs, the retry ~200 ms after the failure (fixed backoff)', async () => {
    const runsFile = newRunsFile();
    const job = await create(server(), { taskName: 'flaky.defaults', payload: { runsFile } });
    const done = await waitForJobWith(server(), job.id, JOB, finished);
    const runs = readRuns<{ attempt: number; runAt: string; at: number }>(runsFile);
    expect(done, `expected FAILED after 2 attempts, saw ${JSON.stringify(done)}`).toMatchObject({
      status: 'FAILED',
      attempts: 2,
      maxAttempts: 2,
    });
    expect(
      runs.map((r) => r.attempt),
      `expected runs of attempts [1, 2], saw ${JSON.stringify(runs)}`,
    ).toEqual([1, 2]);
    expect(done.errors.length, `expected 2 errors, saw ${JSON.stringify(done.errors)}`).toBe(2);
    // The second run's job carries the runAt the retry was given; the first error's `at` is the failure time.
    const delay = Date.parse(runs[1].runAt) - Date.parse(done.errors[0].at);
    expect(delay, `expected runAt − failure time ≈ 200 ms (100..300), saw ${delay} ms`).toBeGreaterThanOrEqual(100);
    expect(delay, `expected runAt − failure time ≈ 200 ms (100..300), saw ${delay} ms`).toBeLessThanOrEqual(300);
    const gap = runs[1].at - runs[0].at;
    expect(
      gap,
      `expected the retry to start ≥ 100 ms and well under the default backoff after the first run, saw ${gap} ms`,
    ).toBeGreaterThanOrEqual(100);
    expect(gap, `expected the retry to start ≥ 100 ms and well under the default backoff after the first run, saw ${gap} ms`).toBeLessThan(
      900,
    );
  });

  it("a module's default timeoutMs (200) fails a run that takes longer", async () => {
    const job = await create(server(), { taskName: 'slow.defaults' });
    expect(job, `expected the task's timeoutMs 200 and maxAttempts 1, saw ${JSON.stringify(job)}`).toMatchObject({
      timeoutMs: 200,
      maxAttempts: 1,
    });
    const done = await waitForJobWith(server(), job.id, JOB, finished);
    expect(done, `expected FAILED by the timeout, saw ${JSON.stringify(done)}`).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(done.lastError, `expected a timeout message, saw ${JSON.stringify(done.lastError)}`).toMatch(/timed out after 200 ms/);
  });
});

describe.each(dbs)('a worker without the task (removed since the job was made), NODE_ENV=production on $name', (db) => {
  const dir = tasksDirForSuite({ 'known.mjs': KNOWN_MJS });
  const empty = tasksDirForSuite({});
  // The API knows known.task; the worker on the same database has only the built-ins and does not simulate.
  const api = serverForSuite(db, () => ({ NODE_ENV: 'production', API_TOKENS: TOKENS, TASKS_DIR: dir(), ROLE: 'api', ...NO_RATE_LIMITS }));
  const worker = serverForSuite(db, () => ({
    NODE_ENV: 'production',
    API_TOKENS: TOKENS,
    ROLE: 'worker',
    TASKS_DIR: empty(),
    DATABASE_URL: api().databaseUrl,
  }));

  it('fails the job at once (1 attempt of 5, not simulated) with lastError naming the task and the worker', async () => {
    const job = await create(api(), { taskName: 'known.task', maxAttempts: 5 }, admin);
    const done = await waitForJobWith(api(), job.id, JOB, finished, admin);
    expect(done, `expected FAILED after 1 attempt, saw ${JSON.stringify(done)}`).toMatchObject({ status: 'FAILED', attempts: 1 });
    expect(done.lastError, `expected lastError to name known.task, saw ${JSON.stringify(done.lastError)}`).toContain('known.task');
    expect(done.errors?.[0]?.worker, `expected the error to name a worker, saw ${JSON.stringify(done.errors)}`).toBeTruthy();
    expect(
      done.lastError,
      `expected lastError to name the worker ${done.errors?.[0]?.worker}, saw ${JSON.stringify(done.lastError)}`,
    ).toContain(done.errors?.[0]?.worker);
    expect(worker().url, 'expected the worker server up').toBeTruthy();
  });
});
