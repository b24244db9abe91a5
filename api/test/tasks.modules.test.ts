import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createJob, isFinished, waitForJob } from './support/engine.js';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, startedByTests, testDatabases } from './support/server.js';
import { eventually, stderrOf, tasksDirForSuite, writeTasksDir } from './support/task-modules.js';

/**
 * Task modules from TASKS_DIR (issue 16): a `.ts` and an `.mjs` module in a folder outside the
 * repository run their jobs; the `tasks` catalog lists them with their schemas, defaults, source and
 * counts; a module that does not load, exports no task or repeats a name stops `src/main.ts`, naming
 * the file.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

/** TypeScript only: interfaces and annotations Node (or the test transform) must strip. */
const GREET_TS = `
interface GreetPayload {
  name: string;
  times?: number;
}
type Ctx = { log: (message: string, data?: unknown) => void; attempt: number };

const schema: Record<string, unknown> = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'Who to greet' },
    times: { type: 'integer', minimum: 1, maximum: 5 },
  },
};

export default {
  name: 'greet',
  description: 'Greets someone (a TypeScript task module)',
  payload: schema,
  defaults: { maxAttempts: 4, timeoutMs: 5_000, queue: 'greetings' },
  handler(job: { payload: GreetPayload }, ctx: Ctx): { greeting: string; attempt: number } {
    const times: number = job.payload.times ?? 1;
    return { greeting: Array.from({ length: times }, () => \`hello \${job.payload.name}\`).join(' '), attempt: ctx.attempt };
  },
};
`;

/** Plain ESM, no import: a default export of the task's shape. Sleeps (to be seen RUNNING) or fails on request. */
const ECHO_MJS = `
export default {
  name: 'echo.mjs',
  description: 'Echoes its payload (an .mjs task module)',
  payload: {
    type: 'object',
    properties: {
      value: { type: 'string' },
      sleepMs: { type: 'integer', minimum: 0 },
      fail: { type: 'boolean' },
    },
  },
  async handler(job, { signal }) {
    if (job.payload.sleepMs) await new Promise((resolve) => setTimeout(resolve, job.payload.sleepMs));
    if (job.payload.fail) throw new Error('echo was asked to fail');
    return { echoed: job.payload.value ?? null };
  },
};
`;

const GREET_SCHEMA = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, description: 'Who to greet' },
    times: { type: 'integer', minimum: 1, maximum: 5 },
  },
};

const TASKS_QUERY = `{ tasks { name description payloadSchema source defaults { maxAttempts timeoutMs queue } counts { pending running failedLastHour } } }`;

interface TaskRow {
  name: string;
  description: string | null;
  payloadSchema: unknown;
  source: 'BUILT_IN' | 'MODULE';
  defaults: { maxAttempts: number | null; timeoutMs: number | null; queue: string };
  counts: { pending: number; running: number; failedLastHour: number };
}

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))(
  'task modules from a TASKS_DIR outside the repository on $name',
  (db) => {
    const dir = tasksDirForSuite({ 'greet.ts': GREET_TS, 'nested/echo.mjs': ECHO_MJS });
    const server = serverForSuite(db, () => ({ TASKS_DIR: dir(), WORKER_CONCURRENCY: '4' }));

    const tasks = async (): Promise<TaskRow[]> => {
      const res = await server().gql(TASKS_QUERY);
      expect(res.errors, `expected no errors from tasks, saw ${JSON.stringify(res.errors)}`).toBeUndefined();
      return res.data.tasks;
    };

    it('runs a job of the .ts module and one of the .mjs module (in a subfolder) to COMPLETED with their results', async () => {
      const greet = await createJob(server(), { taskName: 'greet', payload: { name: 'Ada', times: 2 } });
      const echo = await createJob(server(), { taskName: 'echo.mjs', payload: { value: 'ping' } });
      const greetDone = await waitForJob(server(), greet.id, isFinished);
      const echoDone = await waitForJob(server(), echo.id, isFinished);
      expect(greetDone, `expected the greet (.ts) job COMPLETED with its result, saw ${JSON.stringify(greetDone)}`).toMatchObject({
        status: 'COMPLETED',
        attempts: 1,
        result: { greeting: 'hello Ada hello Ada', attempt: 1 },
      });
      expect(echoDone, `expected the echo.mjs job COMPLETED with its result, saw ${JSON.stringify(echoDone)}`).toMatchObject({
        status: 'COMPLETED',
        attempts: 1,
        result: { echoed: 'ping' },
      });
      const simulated = await server().gql('query($a: ID!, $b: ID!) { a: job(id: $a) { simulated } b: job(id: $b) { simulated } }', {
        a: greet.id,
        b: echo.id,
      });
      expect(simulated.data, `expected module jobs to report simulated: false, saw ${JSON.stringify(simulated)}`).toEqual({
        a: { simulated: false },
        b: { simulated: false },
      });
    });

    it('`tasks` lists the built-ins and both modules (source MODULE) with their schemas and defaults; TASKS_DIR replaces the repository tasks/', async () => {
      const list = await tasks();
      const names = list.map((t) => t.name);
      expect(names, `expected exactly the built-ins and the two modules, sorted by name; saw ${JSON.stringify(names)}`).toEqual(
        ['echo.mjs', 'greet', 'http.request', 'noop'].sort((a, b) => a.localeCompare(b)),
      );
      const byName = Object.fromEntries(list.map((t) => [t.name, t]));
      expect(byName.greet, `expected greet's catalog entry, saw ${JSON.stringify(byName.greet)}`).toMatchObject({
        description: 'Greets someone (a TypeScript task module)',
        payloadSchema: GREET_SCHEMA,
        source: 'MODULE',
        defaults: { maxAttempts: 4, timeoutMs: 5000, queue: 'greetings' },
      });
      expect(byName['echo.mjs'], `expected echo.mjs's catalog entry, saw ${JSON.stringify(byName['echo.mjs'])}`).toMatchObject({
        description: 'Echoes its payload (an .mjs task module)',
        source: 'MODULE',
        defaults: { maxAttempts: null, timeoutMs: null, queue: 'default' },
      });
      expect(
        (byName['echo.mjs'].payloadSchema as any)?.properties?.value,
        `expected echo.mjs's payloadSchema with its properties, saw ${JSON.stringify(byName['echo.mjs'].payloadSchema)}`,
      ).toEqual({ type: 'string' });
      for (const builtIn of ['noop', 'http.request']) {
        expect(byName[builtIn]?.source, `expected ${builtIn} to be BUILT_IN, saw ${JSON.stringify(byName[builtIn])}`).toBe('BUILT_IN');
      }
      expect(
        (byName['http.request'].payloadSchema as any)?.type,
        `expected http.request to publish a payload schema, saw ${JSON.stringify(byName['http.request'].payloadSchema)}`,
      ).toBe('object');

      const one = await server().gql('{ greet: task(name: "greet") { name source } missing: task(name: "no-such-task") { name } }');
      expect(one.data, `expected task(name) to find greet and null for an unknown name, saw ${JSON.stringify(one)}`).toEqual({
        greet: { name: 'greet', source: 'MODULE' },
        missing: null,
      });
    });

    it('counts show pending, running and failed-in-the-last-hour jobs of each task', async () => {
      const later = new Date(Date.now() + 3_600_000).toISOString();
      await createJob(server(), { taskName: 'greet', payload: { name: 'later' }, runAt: later });
      await createJob(server(), { taskName: 'greet', payload: { name: 'later too' }, runAt: later });
      const failing = await createJob(server(), { taskName: 'echo.mjs', payload: { fail: true }, maxAttempts: 1 });
      await waitForJob(server(), failing.id, isFinished);
      const running = await createJob(server(), { taskName: 'echo.mjs', payload: { sleepMs: 3_000 } });
      await waitForJob(server(), running.id, (j) => j.status === 'RUNNING');

      const list = await tasks();
      const counts = Object.fromEntries(list.map((t) => [t.name, t.counts]));
      expect(counts.greet, `expected greet counts {pending 2, running 0, failedLastHour 0}, saw ${JSON.stringify(counts.greet)}`).toEqual({
        pending: 2,
        running: 0,
        failedLastHour: 0,
      });
      expect(
        counts['echo.mjs'],
        `expected echo.mjs counts {pending 0, running 1, failedLastHour 1}, saw ${JSON.stringify(counts['echo.mjs'])}`,
      ).toEqual({ pending: 0, running: 1, failedLastHour: 1 });
      expect(counts.noop, `expected noop counts all 0, saw ${JSON.stringify(counts.noop)}`).toEqual({
        pending: 0,
        running: 0,
        failedLastHour: 0,
      });
      await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: running.id });
    });
  },
);

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))(
  'the repository tasks/ folder when TASKS_DIR is unset on $name',
  (db) => {
    const server = serverForSuite(db);

    it('lists the example text.stats (source MODULE, with its schema and defaults) and runs it', async () => {
      const res = await server().gql(TASKS_QUERY);
      expect(res.errors, `expected no errors, saw ${JSON.stringify(res.errors)}`).toBeUndefined();
      const names = (res.data.tasks as TaskRow[]).map((t) => t.name);
      expect(names, `expected noop, http.request and text.stats; saw ${JSON.stringify(names)}`).toEqual(
        expect.arrayContaining(['noop', 'http.request', 'text.stats']),
      );
      const stats = (res.data.tasks as TaskRow[]).find((t) => t.name === 'text.stats')!;
      expect(stats, `expected text.stats's catalog entry, saw ${JSON.stringify(stats)}`).toMatchObject({
        source: 'MODULE',
        defaults: { maxAttempts: 2, timeoutMs: 10000, queue: 'default' },
        payloadSchema: { type: 'object', required: ['text'] },
      });
      const job = await createJob(server(), { taskName: 'text.stats', payload: { text: 'one two\nthree two', watch: ['two'] } });
      expect(job, `expected the task's defaults on the job, saw ${JSON.stringify(job)}`).toMatchObject({ maxAttempts: 2 });
      const done = await waitForJob(server(), job.id, isFinished);
      expect(done, `expected text.stats COMPLETED with its counts, saw ${JSON.stringify(done)}`).toMatchObject({
        status: 'COMPLETED',
        result: { characters: 17, words: 4, lines: 2, watched: { two: 2 } },
      });
    });
  },
);

describe('src/main.ts with task modules', () => {
  const started = startedByTests('each');
  const tasksDir = (files: Record<string, string>) =>
    started.add(writeTasksDir(files), (dir) => rmSync(dir, { recursive: true, force: true }));
  const env = async (dir: string) => ({ TASKS_DIR: dir, DATABASE_URL: await sqlite.create(), LOG_LEVEL: 'warn' });

  /** Starts main.ts, expects it to exit non-zero before listening; returns what it printed. */
  async function failedStart(files: Record<string, string>) {
    const dir = tasksDir(files);
    const p = started.process(await env(dir));
    const stderr = stderrOf(p);
    const listened = await p.ready.then(
      (url) => url,
      () => null,
    );
    const exit = await p.exited;
    const output = `${p.lines.join('\n')}\n${stderr()}`;
    return { dir, listened, exit, output };
  }

  it('starts with a .ts and an .mjs module and runs their jobs (the real process, through tsx)', async () => {
    const dir = tasksDir({ 'greet.ts': GREET_TS, 'echo.mjs': ECHO_MJS });
    const p = started.process(await env(dir));
    const url = await p.ready;
    const gql = async (query: string) => {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await res.json()) as { data: any; errors?: unknown[] };
    };
    const made = await gql(
      'mutation { a: createJob(input: { taskName: "greet", payload: { name: "Bo" } }) { id } b: createJob(input: { taskName: "echo.mjs", payload: { value: "x" } }) { id } }',
    );
    expect(made.errors, `expected both jobs created, saw ${JSON.stringify(made)}`).toBeUndefined();
    const done = await eventually('both jobs COMPLETED', async () => {
      const res = await gql(`{ a: job(id: "${made.data.a.id}") { status result } b: job(id: "${made.data.b.id}") { status result } }`);
      return res.data?.a?.status === 'COMPLETED' && res.data?.b?.status === 'COMPLETED' ? res.data : undefined;
    });
    expect(done, `expected both module jobs' results, saw ${JSON.stringify(done)}`).toEqual({
      a: { status: 'COMPLETED', result: { greeting: 'hello Bo', attempt: 1 } },
      b: { status: 'COMPLETED', result: { echoed: 'x' } },
    });
  });

  it('a module with a syntax error stops the start: exit non-zero, its file name printed', async () => {
    const { listened, exit, output } = await failedStart({
      'good.mjs': ECHO_MJS,
      'broken.mjs': 'export default { name: "broken", handler() { return 1 ;\n',
    });
    expect(listened, `expected no listening server, saw it listen on ${listened}`).toBeNull();
    expect(exit.code, `expected a non-zero exit code, saw ${JSON.stringify(exit)}; output: ${output}`).not.toBe(0);
    expect(exit.code, `expected an exit code (not a signal), saw ${JSON.stringify(exit)}`).not.toBeNull();
    expect(output, `expected the output to name broken.mjs, saw: ${output}`).toMatch(/broken\.mjs/);
  });

  it('a .ts module with a syntax error stops the start naming the file', async () => {
    const { exit, output } = await failedStart({ 'bad-types.ts': 'export default { name: "x", handler(job: { payload: ) {} };\n' });
    expect(exit.code, `expected a non-zero exit code, saw ${JSON.stringify(exit)}; output: ${output}`).not.toBe(0);
    expect(output, `expected the output to name bad-types.ts, saw: ${output}`).toMatch(/bad-types\.ts/);
  });

  it('a module with no default export stops the start naming the file', async () => {
    const { exit, output } = await failedStart({ 'no-default.mjs': 'export const task = { name: "x", handler() {} };\n' });
    expect(exit.code, `expected a non-zero exit code, saw ${JSON.stringify(exit)}; output: ${output}`).not.toBe(0);
    expect(output, `expected the output to name no-default.mjs, saw: ${output}`).toMatch(/no-default\.mjs/);
    expect(output, `expected the output to say the module exports no task, saw: ${output}`).toMatch(/exports no task/);
  });

  it('two modules with one name stop the start naming both files', async () => {
    const dup = (n: number) => `export default { name: 'same.name', handler() { return ${n}; } };\n`;
    const { exit, output } = await failedStart({ 'a-first.mjs': dup(1), 'b-second.mjs': dup(2) });
    expect(exit.code, `expected a non-zero exit code, saw ${JSON.stringify(exit)}; output: ${output}`).not.toBe(0);
    expect(output, `expected the output to name the second file b-second.mjs, saw: ${output}`).toMatch(/b-second\.mjs/);
    expect(output, `expected the output to name the first file a-first.mjs too, saw: ${output}`).toMatch(/a-first\.mjs/);
    expect(output, `expected the output to name the task same.name, saw: ${output}`).toMatch(/same\.name/);
  });

  it('a module reusing a built-in name (noop) stops the start naming the file', async () => {
    const { exit, output } = await failedStart({ 'my-noop.mjs': "export default { name: 'noop', handler() {} };\n" });
    expect(exit.code, `expected a non-zero exit code, saw ${JSON.stringify(exit)}; output: ${output}`).not.toBe(0);
    expect(output, `expected the output to name my-noop.mjs, saw: ${output}`).toMatch(/my-noop\.mjs/);
  });
});
