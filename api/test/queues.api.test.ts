import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type GqlResult, type TestServer } from './support/server.js';
import { admin, NO_RATE_LIMITS, tasksDirForSuite, TOKENS, viewer } from './support/task-modules.js';

/**
 * Named queues over the HTTP GraphQL API (commit 8153d4d): a job's queue and concurrencyKey, a task's
 * default queue, the jobs filter, `queues` / `queue` with their counts and wait, `updateQueue`,
 * `pauseQueue` / `resumeQueue` per queue and for all, and the queue of schedules and their jobs.
 * ROLE=api everywhere: no worker runs, so jobs stay as the mutations leave them.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

/** A task module whose defaults put its jobs in the `mail` queue. */
const MAILER_MJS = `export default { name: 'mailer', payload: { type: 'object' }, defaults: { queue: 'mail' }, handler: () => ({ sent: true }) };\n`;

const JOB = 'id taskName queue concurrencyKey status runAt';
const CREATE = `mutation($in: CreateJobInput!) { createJob(input: $in) { ${JOB} } }`;
const CREATE_MANY = `mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { ${JOB} } }`;
const READ_JOB = `query($id: ID!) { job(id: $id) { ${JOB} } }`;
const QUEUE =
  'name paused concurrency running pending concurrencyLimit rateLimit { max perMs } keyConcurrency ' +
  'counts { pending running completed failed cancelled total } oldestPendingWaitMs throughputPerMinute waitP50Ms waitP95Ms';
const READ_QUEUE = `query($name: String) { queue(name: $name) { ${QUEUE} } }`;
const LIST_QUEUES = `{ queues { ${QUEUE} } }`;
const UPDATE_QUEUE = `mutation($name: String!, $in: UpdateQueueInput!) { updateQueue(name: $name, input: $in) { ${QUEUE} } }`;
const PAUSE = `mutation($name: String) { pauseQueue(name: $name) { ${QUEUE} } }`;
const RESUME = `mutation($name: String) { resumeQueue(name: $name) { ${QUEUE} } }`;
const SCHEDULE = 'id name taskName queue';
const CREATE_SCHEDULE = `mutation($in: CreateScheduleInput!) { createSchedule(input: $in) { ${SCHEDULE} } }`;
const UPDATE_SCHEDULE = `mutation($id: ID!, $in: UpdateScheduleInput!) { updateSchedule(id: $id, input: $in) { ${SCHEDULE} } }`;
const TRIGGER = `mutation($id: ID!) { triggerSchedule(id: $id) { ${JOB} scheduleId } }`;

const later = (minutes = 60) => new Date(Date.now() + minutes * 60_000).toISOString();
const ZERO_COUNTS = { pending: 0, running: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
const BAD_QUEUE_NAMES = ['', 'UPPER', 'has space', 'q'.repeat(65), 'a/b'];

type Gql = TestServer['gql'];

/** The data of a result that must have no errors. */
function ok<T = any>(res: GqlResult<T>, what: string): T {
  expect(res.errors, `${what}: expected no errors, saw ${JSON.stringify(res.errors)}`).toBeUndefined();
  return res.data;
}

/** A result refused as BAD_USER_INPUT at this field. */
function expectBadInput(res: GqlResult<unknown>, field: string, what: string): void {
  expect(
    res.errors?.[0]?.extensions,
    `${what}: expected BAD_USER_INPUT at ${field}, saw ${JSON.stringify(res.errors ?? res.data)}`,
  ).toMatchObject({ code: 'BAD_USER_INPUT', field });
}

/** Reads and writes against one server, with the given headers on every request. */
function client(gql: () => Gql, headers: Record<string, string> = {}) {
  const call = (query: string, variables?: Record<string, unknown>) => gql()(query, variables, headers);
  return {
    call,
    total: async () => ok(await call('{ jobStats { total } }'), 'jobStats').jobStats.total as number,
    createJob: async (input: Record<string, unknown>) =>
      ok(await call(CREATE, { in: input }), `createJob ${JSON.stringify(input)}`).createJob,
    queue: async (name?: string) => ok(await call(READ_QUEUE, name === undefined ? {} : { name }), `queue(${name})`).queue,
    queues: async () => ok(await call(LIST_QUEUES), 'queues').queues as { name: string; [k: string]: any }[],
    names: async () => (ok(await call(LIST_QUEUES), 'queues').queues as { name: string }[]).map((q) => q.name),
    update: (name: string, input: Record<string, unknown>) => call(UPDATE_QUEUE, { name, in: input }),
  };
}

describe.each(testDatabases())('queues API on $name', (db) => {
  const dir = tasksDirForSuite({ 'mailer.mjs': MAILER_MJS });
  const server = serverForSuite(db, () => ({ ROLE: 'api', TASKS_DIR: dir(), ...NO_RATE_LIMITS }));
  const api = client(() => server().gql);

  describe('a job’s queue and concurrencyKey', () => {
    it('createJob stores and returns queue and concurrencyKey; left out (or null) they are "default" and null', async () => {
      const made = await api.createJob({ taskName: 'noop', queue: 'imports', concurrencyKey: 'customer-42', runAt: later() });
      expect(made, 'createJob answer').toMatchObject({ queue: 'imports', concurrencyKey: 'customer-42', status: 'PENDING' });
      expect(ok(await api.call(READ_JOB, { id: made.id }), 'job').job, 'the stored job').toMatchObject({
        queue: 'imports',
        concurrencyKey: 'customer-42',
      });

      const plain = await api.createJob({ taskName: 'noop', runAt: later() });
      expect(plain, 'a job without queue or key').toMatchObject({ queue: 'default', concurrencyKey: null });
      expect(ok(await api.call(READ_JOB, { id: plain.id }), 'job').job).toMatchObject({ queue: 'default', concurrencyKey: null });
      const nulls = await api.createJob({ taskName: 'noop', queue: null, concurrencyKey: null, runAt: later() });
      expect(nulls, 'a job with queue and key null').toMatchObject({ queue: 'default', concurrencyKey: null });

      // The edges of what is allowed: 64 characters of [a-z0-9._-], a key of 1 and of 128 characters.
      const edge = 'a.b_c-9'.padEnd(64, 'z');
      const long = await api.createJob({ taskName: 'noop', queue: edge, concurrencyKey: 'k'.repeat(128), runAt: later() });
      expect(long).toMatchObject({ queue: edge, concurrencyKey: 'k'.repeat(128) });
      expect(await api.createJob({ taskName: 'noop', queue: 'imports', concurrencyKey: 'k', runAt: later() })).toMatchObject({
        concurrencyKey: 'k',
      });
    });

    it('createJobs stores each input’s queue and key, "default" where left out', async () => {
      const res = await api.call(CREATE_MANY, {
        in: [
          { taskName: 'noop', queue: 'batch-a', concurrencyKey: 'x', runAt: later() },
          { taskName: 'noop', runAt: later() },
          { taskName: 'noop', queue: 'batch-b', runAt: later() },
        ],
      });
      const created = ok(res, 'createJobs').createJobs;
      expect(
        created.map((j: any) => [j.queue, j.concurrencyKey]),
        'createJobs answer',
      ).toEqual([
        ['batch-a', 'x'],
        ['default', null],
        ['batch-b', null],
      ]);
      const stored = await Promise.all(created.map(async (j: any) => ok(await api.call(READ_JOB, { id: j.id }), 'job').job));
      expect(stored, 'the stored jobs').toEqual(created);
    });

    it('createJob with a bad queue name is BAD_USER_INPUT at input.queue and creates nothing', async () => {
      const before = await api.total();
      for (const queue of BAD_QUEUE_NAMES) {
        const res = await api.call(CREATE, { in: { taskName: 'noop', queue, runAt: later() } });
        expectBadInput(res, 'input.queue', `createJob queue ${JSON.stringify(queue)}`);
        expect(res.errors![0].message, 'the message says what is allowed').toContain('[a-z0-9._-]');
      }
      expect(await api.total(), 'jobs after the refused creates').toBe(before);
      const names = await api.names();
      for (const queue of BAD_QUEUE_NAMES) expect(names, 'a refused name is no queue').not.toContain(queue);
    });

    it('createJobs with a bad queue at index 1 is BAD_USER_INPUT at inputs[1].queue; no job and no queue of the batch is created', async () => {
      const before = await api.total();
      for (const queue of BAD_QUEUE_NAMES) {
        const res = await api.call(CREATE_MANY, {
          in: [
            { taskName: 'noop', queue: 'refused-batch-ok', runAt: later() },
            { taskName: 'noop', queue, runAt: later() },
            { taskName: 'noop', runAt: later() },
          ],
        });
        expectBadInput(res, 'inputs[1].queue', `createJobs inputs[1].queue ${JSON.stringify(queue)}`);
      }
      expect(await api.total(), 'jobs after the refused batches').toBe(before);
      expect(await api.names(), 'the valid queue of a refused batch').not.toContain('refused-batch-ok');
    });

    it('a concurrencyKey of "" or 129 characters is BAD_USER_INPUT at input.concurrencyKey (inputs[1].concurrencyKey in a batch)', async () => {
      const before = await api.total();
      for (const concurrencyKey of ['', 'k'.repeat(129)]) {
        const one = await api.call(CREATE, { in: { taskName: 'noop', concurrencyKey, runAt: later() } });
        expectBadInput(one, 'input.concurrencyKey', `createJob concurrencyKey of ${concurrencyKey.length} characters`);
        expect(one.errors![0].message).toContain('1–128 characters');
        const many = await api.call(CREATE_MANY, {
          in: [
            { taskName: 'noop', runAt: later() },
            { taskName: 'noop', concurrencyKey, runAt: later() },
          ],
        });
        expectBadInput(many, 'inputs[1].concurrencyKey', `createJobs concurrencyKey of ${concurrencyKey.length} characters`);
      }
      expect(await api.total(), 'jobs after the refused creates').toBe(before);
    });
  });

  describe('a task’s default queue', () => {
    it('a job of a task with defaults.queue lands in that queue unless the input names one', async () => {
      const defaulted = await api.createJob({ taskName: 'mailer', runAt: later() });
      expect(defaulted, 'mailer job without queue').toMatchObject({ taskName: 'mailer', queue: 'mail' });
      const explicit = await api.createJob({ taskName: 'mailer', queue: 'urgent-mail', runAt: later() });
      expect(explicit, 'mailer job with queue urgent-mail').toMatchObject({ taskName: 'mailer', queue: 'urgent-mail' });
      const explicitDefault = await api.createJob({ taskName: 'mailer', queue: 'default', runAt: later() });
      expect(explicitDefault, 'mailer job with queue default').toMatchObject({ queue: 'default' });
      expect(ok(await api.call(READ_JOB, { id: defaulted.id }), 'job').job.queue, 'the stored queue').toBe('mail');

      const batch = ok(
        await api.call(CREATE_MANY, {
          in: [
            { taskName: 'mailer', runAt: later() },
            { taskName: 'noop', runAt: later() },
            { taskName: 'mailer', queue: 'urgent-mail', runAt: later() },
          ],
        }),
        'createJobs',
      ).createJobs;
      expect(
        batch.map((j: any) => j.queue),
        'createJobs queues',
      ).toEqual(['mail', 'default', 'urgent-mail']);
      expect(await api.names(), 'queues after mailer jobs').toEqual(expect.arrayContaining(['mail', 'urgent-mail']));
    });
  });

  describe('jobs(filter: { queue })', () => {
    it('returns only that queue’s jobs and total counts them', async () => {
      const inputs = [
        ...Array.from({ length: 5 }, () => ({ taskName: 'noop', queue: 'filter-a', runAt: later() })),
        ...Array.from({ length: 3 }, () => ({ taskName: 'noop', queue: 'filter-b', runAt: later() })),
      ];
      const created = ok(await api.call(CREATE_MANY, { in: inputs }), 'createJobs').createJobs as { id: string; queue: string }[];
      const idsOf = (q: string) =>
        created
          .filter((j) => j.queue === q)
          .map((j) => j.id)
          .sort();
      const list = async (filter: string, page = 'limit: 100') =>
        ok(await api.call(`{ jobs(filter: { ${filter} }, ${page}) { total jobs { id queue } } }`), `jobs(${filter})`).jobs as {
          total: number;
          jobs: { id: string; queue: string }[];
        };

      for (const q of ['filter-a', 'filter-b']) {
        const page = await list(`queue: "${q}"`);
        expect(page.total, `total of ${q}`).toBe(idsOf(q).length);
        expect(page.jobs.map((j) => j.id).sort(), `jobs of ${q}`).toEqual(idsOf(q));
        expect(new Set(page.jobs.map((j) => j.queue)), `queues in the page of ${q}`).toEqual(new Set([q]));
      }
      const paged = await list('queue: "filter-a"', 'limit: 2, offset: 0');
      expect(paged.total, 'total does not depend on the page').toBe(5);
      expect(paged.jobs).toHaveLength(2);

      // With other filters: a cancelled job of filter-a is counted under CANCELLED only.
      ok(await api.call('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: idsOf('filter-a')[0] }), 'cancelJob');
      expect((await list('queue: "filter-a", status: PENDING')).total).toBe(4);
      expect((await list('queue: "filter-a", status: CANCELLED')).jobs.map((j) => j.id)).toEqual([idsOf('filter-a')[0]]);
      expect((await list('queue: "filter-b", status: CANCELLED')).total).toBe(0);
      expect(await list('queue: "no-such-queue"'), 'a queue without jobs').toEqual({ total: 0, jobs: [] });

      const defaults = await list('queue: "default"');
      expect(defaults.total, 'default has jobs from earlier tests').toBeGreaterThan(0);
      expect(
        defaults.jobs.every((j) => j.queue === 'default'),
        'only default jobs',
      ).toBe(true);
    });
  });

  describe('queue and queues', () => {
    it('queue without a name answers for default; an unknown valid name is an empty unlimited queue; a bad name is BAD_USER_INPUT at name', async () => {
      const d = await api.queue();
      expect(d.name).toBe('default');
      const named = await api.queue('default');
      expect(d, 'queue() and queue(name: "default")').toEqual({ ...named, oldestPendingWaitMs: d.oldestPendingWaitMs });

      const nope = await api.queue('nope');
      expect(nope, 'queue(name: "nope")').toEqual({
        name: 'nope',
        paused: false,
        concurrency: server().config.WORKER_CONCURRENCY,
        running: 0,
        pending: 0,
        concurrencyLimit: null,
        rateLimit: null,
        keyConcurrency: null,
        counts: ZERO_COUNTS,
        oldestPendingWaitMs: null,
        throughputPerMinute: 0,
        waitP50Ms: null,
        waitP95Ms: null,
      });
      expect(await api.names(), 'reading a queue does not create it').not.toContain('nope');

      for (const name of ['BAD', '', 'has space', 'q'.repeat(65)]) {
        const res = await api.call(READ_QUEUE, { name });
        expectBadInput(res, 'name', `queue(name: ${JSON.stringify(name)})`);
      }
    });

    it('counts per queue match its jobs per status; queue and queues agree', async () => {
      const created = ok(
        await api.call(CREATE_MANY, {
          in: [
            ...Array.from({ length: 4 }, () => ({ taskName: 'noop', queue: 'counted', runAt: later() })),
            { taskName: 'noop', queue: 'counted-other', runAt: later() },
          ],
        }),
        'createJobs',
      ).createJobs as { id: string }[];
      for (const job of created.slice(0, 2))
        ok(await api.call('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: job.id }), 'cancelJob');
      const one = await api.queue('counted');
      expect(one, 'queue(name: "counted")').toMatchObject({
        name: 'counted',
        pending: 2,
        running: 0,
        counts: { ...ZERO_COUNTS, pending: 2, cancelled: 2, total: 4 },
      });
      const listed = (await api.queues()).find((q) => q.name === 'counted');
      expect(listed, 'counted in queues').toEqual(one);
      expect(await api.queue('counted-other'), 'the other queue').toMatchObject({
        pending: 1,
        counts: { ...ZERO_COUNTS, pending: 1, total: 1 },
      });
    });
  });

  describe('updateQueue', () => {
    it('sets concurrencyLimit, rateLimit, keyConcurrency and paused; a new name creates the queue', async () => {
      expect(await api.names()).not.toContain('limited');
      const res = await api.update('limited', {
        concurrencyLimit: 5,
        rateLimit: { max: 10, perMs: 1000 },
        keyConcurrency: 2,
        paused: true,
      });
      const set = ok(res, 'updateQueue').updateQueue;
      expect(set, 'updateQueue answer').toMatchObject({
        name: 'limited',
        paused: true,
        concurrencyLimit: 5,
        rateLimit: { max: 10, perMs: 1000 },
        keyConcurrency: 2,
        counts: ZERO_COUNTS,
      });
      expect(await api.queue('limited'), 'queue(name: "limited") after the update').toEqual(set);
      const listed = (await api.queues()).find((q) => q.name === 'limited');
      expect(listed, 'the new queue in queues').toEqual(set);

      // The edges of each range are accepted.
      const edges = ok(
        await api.update('limited-edges', { concurrencyLimit: 100000, rateLimit: { max: 1000000, perMs: 86400000 }, keyConcurrency: 1 }),
        'updateQueue at the edges',
      ).updateQueue;
      expect(edges).toMatchObject({
        paused: false,
        concurrencyLimit: 100000,
        rateLimit: { max: 1000000, perMs: 86400000 },
        keyConcurrency: 1,
      });
      const low = ok(
        await api.update('limited-edges', { concurrencyLimit: 1, rateLimit: { max: 1, perMs: 1 } }),
        'updateQueue at 1',
      ).updateQueue;
      expect(low).toMatchObject({ concurrencyLimit: 1, rateLimit: { max: 1, perMs: 1 }, keyConcurrency: 1 });
    });

    it('a field left out stays as it was; explicit null clears it', async () => {
      ok(
        await api.update('partial', { concurrencyLimit: 3, rateLimit: { max: 4, perMs: 500 }, keyConcurrency: 6, paused: true }),
        'set all',
      );
      const full = { concurrencyLimit: 3, rateLimit: { max: 4, perMs: 500 }, keyConcurrency: 6, paused: true };

      const steps: [Record<string, unknown>, Record<string, unknown>][] = [
        [{}, full],
        [{ concurrencyLimit: 8 }, { ...full, concurrencyLimit: 8 }],
        [{ paused: false }, { ...full, concurrencyLimit: 8, paused: false }],
        [{ rateLimit: { max: 9, perMs: 2000 } }, { ...full, concurrencyLimit: 8, paused: false, rateLimit: { max: 9, perMs: 2000 } }],
        [{ concurrencyLimit: null }, { ...full, concurrencyLimit: null, paused: false, rateLimit: { max: 9, perMs: 2000 } }],
        [{ rateLimit: null }, { ...full, concurrencyLimit: null, paused: false, rateLimit: null }],
        [{ keyConcurrency: null }, { concurrencyLimit: null, paused: false, rateLimit: null, keyConcurrency: null }],
        [
          { keyConcurrency: 2, paused: true },
          { concurrencyLimit: null, paused: true, rateLimit: null, keyConcurrency: 2 },
        ],
      ];
      for (const [input, expected] of steps) {
        const answer = ok(await api.update('partial', input), `updateQueue ${JSON.stringify(input)}`).updateQueue;
        expect(answer, `answer to updateQueue ${JSON.stringify(input)}`).toMatchObject(expected);
        expect(await api.queue('partial'), `stored after updateQueue ${JSON.stringify(input)}`).toMatchObject(expected);
      }
    });

    it('out-of-range values are BAD_USER_INPUT naming the field; the stored settings stay; a refused new name is not created', async () => {
      const settings = { concurrencyLimit: 4, rateLimit: { max: 5, perMs: 1000 }, keyConcurrency: 3, paused: false };
      ok(await api.update('guarded-range', settings), 'set');
      const before = await api.queue('guarded-range');
      const cases: [Record<string, unknown>, string][] = [];
      for (const v of [0, -1, 100001]) {
        cases.push([{ concurrencyLimit: v }, 'input.concurrencyLimit']);
        cases.push([{ keyConcurrency: v }, 'input.keyConcurrency']);
      }
      cases.push([{ rateLimit: { max: 0, perMs: 1000 } }, 'input.rateLimit.max']);
      cases.push([{ rateLimit: { max: -1, perMs: 1000 } }, 'input.rateLimit.max']);
      cases.push([{ rateLimit: { max: 1000001, perMs: 1000 } }, 'input.rateLimit.max']);
      cases.push([{ rateLimit: { max: 5, perMs: 0 } }, 'input.rateLimit.perMs']);
      cases.push([{ rateLimit: { max: 5, perMs: 86400001 } }, 'input.rateLimit.perMs']);
      // A good field next to a bad one is not written either.
      cases.push([{ concurrencyLimit: 9, paused: true, keyConcurrency: 0 }, 'input.keyConcurrency']);
      cases.push([{ concurrencyLimit: 9, rateLimit: { max: 5, perMs: 0 } }, 'input.rateLimit.perMs']);

      for (const [input, field] of cases) {
        expectBadInput(await api.update('guarded-range', input), field, `updateQueue ${JSON.stringify(input)}`);
        expect(await api.queue('guarded-range'), `settings after the refused ${JSON.stringify(input)}`).toEqual(before);
        expectBadInput(await api.update('refused-new', input), field, `updateQueue of a new queue ${JSON.stringify(input)}`);
      }
      expect(await api.names(), 'a new queue whose update was refused').not.toContain('refused-new');

      for (const name of ['BAD', '', 'a/b'])
        expectBadInput(await api.update(name, { concurrencyLimit: 1 }), 'name', `updateQueue(name: ${JSON.stringify(name)})`);
    });
  });

  describe('pauseQueue and resumeQueue', () => {
    it('with a name they pause and resume only that queue', async () => {
      ok(await api.update('b', { concurrencyLimit: 2 }), 'create b');
      const paused = ok(await api.call(PAUSE, { name: 'a' }), 'pauseQueue(a)').pauseQueue;
      expect(paused, 'pauseQueue(name: "a") answer').toMatchObject({ name: 'a', paused: true });
      expect((await api.queue('a')).paused, 'a').toBe(true);
      expect((await api.queue('b')).paused, 'b stays running').toBe(false);
      expect((await api.queue('b')).concurrencyLimit, 'b keeps its settings').toBe(2);
      expect((await api.queue()).paused, 'default stays running').toBe(false);
      expect(await api.names(), 'pausing a new name creates the queue').toContain('a');

      ok(await api.call(PAUSE, { name: 'b' }), 'pauseQueue(b)');
      const resumed = ok(await api.call(RESUME, { name: 'a' }), 'resumeQueue(a)').resumeQueue;
      expect(resumed, 'resumeQueue(name: "a") answer').toMatchObject({ name: 'a', paused: false });
      expect((await api.queue('a')).paused, 'a after resume').toBe(false);
      expect((await api.queue('b')).paused, 'b stays paused').toBe(true);
      ok(await api.call(RESUME, { name: 'b' }), 'resumeQueue(b)');
      expect((await api.queue('b')).paused).toBe(false);

      for (const m of [PAUSE, RESUME]) expectBadInput(await api.call(m, { name: 'BAD' }), 'name', 'pause/resume of a bad name');
    });

    it('without a name they pause a queue that has jobs but no settings row yet', async () => {
      await server()
        .orm.em.fork()
        .getConnection()
        .execute(
          "insert into jobs (task_name, queue, status, priority, attempts, max_attempts, progress, run_at, created_at, updated_at) values ('x', 'rowless', 'PENDING', 0, 0, 3, 0, ?, ?, ?)",
          [0, 0, 0].map(() => (db.name === 'sqlite' ? Date.now() : new Date().toISOString().slice(0, 23).replace('T', ' '))),
        );
      ok(await api.call('mutation { pauseQueue { paused } }'), 'pause all');
      expect((await api.queue('rowless')).paused).toBe(true);
      ok(await api.call('mutation { resumeQueue { paused } }'), 'resume all');
      expect((await api.queue('rowless')).paused).toBe(false);
    });

    it('while every queue is paused, a queue first named later starts paused, until every queue is resumed', async () => {
      ok(await api.call(PAUSE), 'pause all');
      ok(await api.createJob({ taskName: 'noop', queue: 'named-after-pause', runAt: later() }), 'a job in a new queue');
      expect((await api.queue('named-after-pause')).paused, 'the new queue').toBe(true);
      ok(await api.call(RESUME, { name: 'named-after-pause' }), 'resume that one');
      expect((await api.queue('named-after-pause')).paused).toBe(false);
      ok(await api.createJob({ taskName: 'noop', queue: 'named-after-resume-of-one', runAt: later() }), 'another new queue');
      expect((await api.queue('named-after-resume-of-one')).paused, 'resuming one queue leaves the others paused').toBe(true);
      ok(await api.call(RESUME), 'resume all');
      ok(await api.createJob({ taskName: 'noop', queue: 'named-after-resume', runAt: later() }), 'a queue after resume');
      const queues = await api.queues();
      expect(queues.filter((q) => q.paused).map((q) => q.name)).toEqual([]);
      expect(
        queues.map((q) => q.name),
        'the pause-all switch is no queue',
      ).not.toContain('*');
    });

    it('without a name they pause and resume every queue', async () => {
      ok(await api.createJob({ taskName: 'noop', queue: 'pause-all-jobs', runAt: later() }), 'a queue with jobs');
      ok(await api.update('pause-all-settings', { keyConcurrency: 4 }), 'a queue with settings');
      const all = ok(await api.call(PAUSE), 'pauseQueue').pauseQueue;
      expect(all, 'pauseQueue answers for default').toMatchObject({ name: 'default', paused: true });
      const queues = await api.queues();
      expect(queues.length).toBeGreaterThan(3);
      expect(
        queues.filter((q) => !q.paused).map((q) => q.name),
        'queues still running after pauseQueue',
      ).toEqual([]);
      expect((await api.queue('pause-all-settings')).keyConcurrency, 'settings kept').toBe(4);

      const resumed = ok(await api.call(RESUME), 'resumeQueue').resumeQueue;
      expect(resumed, 'resumeQueue answers for default').toMatchObject({ name: 'default', paused: false });
      expect(
        (await api.queues()).filter((q) => q.paused).map((q) => q.name),
        'queues still paused after resumeQueue',
      ).toEqual([]);
    });
  });

  describe('schedules', () => {
    const trigger = async (id: string) => ok(await api.call(TRIGGER, { id }), 'triggerSchedule').triggerSchedule;

    it('createSchedule stores its queue; left out it is the task’s default queue, else "default"; a bad name is BAD_USER_INPUT at input.queue', async () => {
      const named = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-reports', cron: '0 0 1 1 *', taskName: 'noop', queue: 'reports' } }),
        'createSchedule',
      ).createSchedule;
      expect(named.queue, 'schedule with queue reports').toBe('reports');
      expect(ok(await api.call(`query($id: ID!) { schedule(id: $id) { ${SCHEDULE} } }`, { id: named.id }), 'schedule').schedule.queue).toBe(
        'reports',
      );
      expect(await api.names(), 'a schedule’s queue is listed').toContain('reports');

      const taskDefault = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-mailer', cron: '0 0 1 1 *', taskName: 'mailer' } }),
        'createSchedule mailer',
      ).createSchedule;
      expect(taskDefault.queue, 'schedule of the mailer task without queue').toBe('mail');
      const overridden = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-mailer-2', cron: '0 0 1 1 *', taskName: 'mailer', queue: 'bulk-mail' } }),
        'createSchedule mailer with queue',
      ).createSchedule;
      expect(overridden.queue, 'schedule of the mailer task with queue bulk-mail').toBe('bulk-mail');
      const plain = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-plain', cron: '0 0 1 1 *', taskName: 'noop' } }),
        'createSchedule noop',
      ).createSchedule;
      expect(plain.queue, 'schedule of noop without queue').toBe('default');

      for (const queue of BAD_QUEUE_NAMES) {
        const res = await api.call(CREATE_SCHEDULE, {
          in: { name: `q-bad-${queue.length}-${queue.slice(0, 3)}`, cron: '0 0 1 1 *', taskName: 'noop', queue },
        });
        expectBadInput(res, 'input.queue', `createSchedule queue ${JSON.stringify(queue)}`);
      }
      const names = (ok(await api.call('{ schedules { name } }'), 'schedules').schedules as { name: string }[]).map((s) => s.name);
      expect(
        names.filter((n) => n.startsWith('q-bad')),
        'refused schedules',
      ).toEqual([]);
    });

    it('triggerSchedule creates its job in the schedule’s queue; updateSchedule changes the queue', async () => {
      const s = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-trigger', cron: '0 0 1 1 *', taskName: 'noop', queue: 'nightly' } }),
        'createSchedule',
      ).createSchedule;
      const first = await trigger(s.id);
      expect(first, 'triggered job').toMatchObject({ queue: 'nightly', scheduleId: s.id, concurrencyKey: null });
      expect(ok(await api.call(READ_JOB, { id: first.id }), 'job').job.queue).toBe('nightly');

      const mailer = ok(
        await api.call(CREATE_SCHEDULE, { in: { name: 'q-trigger-mailer', cron: '0 0 1 1 *', taskName: 'mailer' } }),
        'create',
      ).createSchedule;
      expect((await trigger(mailer.id)).queue, 'triggered job of a mailer schedule').toBe('mail');

      const moved = ok(await api.call(UPDATE_SCHEDULE, { id: s.id, in: { queue: 'morning' } }), 'updateSchedule').updateSchedule;
      expect(moved.queue, 'updateSchedule answer').toBe('morning');
      expect(ok(await api.call(`query($id: ID!) { schedule(id: $id) { queue } }`, { id: s.id }), 'schedule').schedule.queue).toBe(
        'morning',
      );
      expect((await trigger(s.id)).queue, 'job triggered after the move').toBe('morning');
      expect(await api.names(), 'the new queue of a schedule is listed').toContain('morning');

      const untouched = ok(
        await api.call(UPDATE_SCHEDULE, { id: s.id, in: { priority: 'HIGH' } }),
        'updateSchedule priority',
      ).updateSchedule;
      expect(untouched.queue, 'queue left out of updateSchedule stays').toBe('morning');

      const bad = await api.call(UPDATE_SCHEDULE, { id: s.id, in: { queue: 'Not Valid' } });
      expectBadInput(bad, 'input.queue', 'updateSchedule with a bad queue');
      expect(ok(await api.call(`query($id: ID!) { schedule(id: $id) { queue } }`, { id: s.id }), 'schedule').schedule.queue).toBe(
        'morning',
      );
      // null: back to the task's default queue (the mailer task's is `mail`, noop has none).
      const reset = ok(await api.call(UPDATE_SCHEDULE, { id: mailer.id, in: { queue: 'elsewhere' } }), 'move').updateSchedule;
      expect(reset.queue).toBe('elsewhere');
      const back = ok(await api.call(UPDATE_SCHEDULE, { id: mailer.id, in: { queue: null } }), 'reset').updateSchedule;
      expect(back.queue, 'queue: null gives the task default').toBe('mail');
      const noopBack = ok(await api.call(UPDATE_SCHEDULE, { id: s.id, in: { queue: null } }), 'reset noop').updateSchedule;
      expect(noopBack.queue, 'queue: null without a task default').toBe('default');
    });
  });

  describe('oldestPendingWaitMs', () => {
    it('is null when nothing is due, counts a PENDING job due 5 s ago, and ignores jobs due later', async () => {
      expect((await api.queue('waits')).oldestPendingWaitMs, 'a queue without jobs').toBeNull();

      await api.createJob({ taskName: 'noop', queue: 'waits', runAt: later(60), priority: 'HIGH' });
      await api.createJob({ taskName: 'noop', queue: 'waits', runAt: later(1) });
      expect((await api.queue('waits')).oldestPendingWaitMs, 'only jobs due later').toBeNull();

      const dueAt = Date.now() - 5_000;
      const due = await api.createJob({ taskName: 'noop', queue: 'waits', runAt: new Date(dueAt).toISOString(), priority: 'MEDIUM' });
      const q = await api.queue('waits');
      expect(q.oldestPendingWaitMs, 'a job due 5 s ago').toBeGreaterThanOrEqual(4_500);
      expect(q.oldestPendingWaitMs, 'not more than it waited').toBeLessThanOrEqual(Date.now() - dueAt + 1_000);
      expect(q.pending).toBe(3);
      expect((await api.queues()).find((x) => x.name === 'waits')?.oldestPendingWaitMs, 'in queues too').toBeGreaterThanOrEqual(4_500);
      expect((await api.queue('waits-other')).oldestPendingWaitMs, 'another queue').toBeNull();

      // The oldest of several due jobs, whatever their priority.
      const older = Date.now() - 20_000;
      await api.createJob({ taskName: 'noop', queue: 'waits', runAt: new Date(older).toISOString(), priority: 'LOW' });
      expect((await api.queue('waits')).oldestPendingWaitMs, 'a LOW job due 20 s ago').toBeGreaterThanOrEqual(19_500);

      // A cancelled job no longer waits.
      const cancelled = ok(
        await api.call(CREATE_MANY, {
          in: [{ taskName: 'noop', queue: 'waits-cancel', runAt: new Date(Date.now() - 5_000).toISOString() }],
        }),
        'createJobs',
      ).createJobs[0];
      expect((await api.queue('waits-cancel')).oldestPendingWaitMs).toBeGreaterThanOrEqual(4_500);
      ok(await api.call('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: cancelled.id }), 'cancelJob');
      expect((await api.queue('waits-cancel')).oldestPendingWaitMs, 'only a cancelled job').toBeNull();
      expect(due.status).toBe('PENDING');
    });
  });
});

describe.each(testDatabases())('the queue list on a fresh database on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api', ...NO_RATE_LIMITS });
  const api = client(() => server().gql);

  it('lists default always plus every queue with jobs or settings (default first, then by name), each with its counts', async () => {
    const fresh = await api.queues();
    expect(
      fresh.map((q) => q.name),
      'queues of a fresh database',
    ).toEqual(['default']);
    expect(fresh[0]).toMatchObject({ paused: false, pending: 0, running: 0, counts: ZERO_COUNTS, concurrencyLimit: null, rateLimit: null });

    const created = ok(
      await api.call(CREATE_MANY, {
        in: [
          { taskName: 'noop', queue: 'zulu', runAt: later() },
          { taskName: 'noop', queue: 'alpha', runAt: later() },
          { taskName: 'noop', queue: 'alpha', runAt: later() },
          { taskName: 'noop', queue: 'alpha', runAt: later() },
          { taskName: 'noop', runAt: later() },
        ],
      }),
      'createJobs',
    ).createJobs as { id: string; queue: string }[];
    ok(await api.call('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: created[1].id }), 'cancelJob');
    ok(await api.update('mike', { concurrencyLimit: 3 }), 'a queue with settings only');
    ok(await api.call(PAUSE, { name: 'kilo' }), 'a queue paused before it has jobs');
    ok(
      await api.call(CREATE_SCHEDULE, { in: { name: 'listed', cron: '0 0 1 1 *', taskName: 'noop', queue: 'echo', enabled: false } }),
      'a schedule’s queue',
    );
    await api.queue('never-written'); // reading is not writing

    const queues = await api.queues();
    expect(
      queues.map((q) => q.name),
      'queues',
    ).toEqual(['default', 'alpha', 'echo', 'kilo', 'mike', 'zulu']);
    const byName = Object.fromEntries(queues.map((q) => [q.name, q]));
    expect(byName.default, 'default').toMatchObject({ pending: 1, counts: { ...ZERO_COUNTS, pending: 1, total: 1 } });
    expect(byName.alpha, 'alpha').toMatchObject({ pending: 2, running: 0, counts: { ...ZERO_COUNTS, pending: 2, cancelled: 1, total: 3 } });
    expect(byName.zulu, 'zulu').toMatchObject({ pending: 1, counts: { ...ZERO_COUNTS, pending: 1, total: 1 } });
    for (const name of ['echo', 'kilo', 'mike']) expect(byName[name].counts, `${name} has no jobs`).toEqual(ZERO_COUNTS);
    expect(byName.mike.concurrencyLimit).toBe(3);
    expect(byName.kilo.paused).toBe(true);
    expect(
      queues.filter((q) => q.paused).map((q) => q.name),
      'paused queues',
    ).toEqual(['kilo']);
    for (const q of queues) expect(await api.queue(q.name), `queue(name: ${q.name}) agrees with queues`).toEqual(q);
  });
});

describe.each(testDatabases())('queue mutations with API tokens on $name', (db) => {
  const server = serverForSuite(db, { ROLE: 'api', API_TOKENS: TOKENS, ...NO_RATE_LIMITS });
  const asAdmin = client(() => server().gql, admin);
  const asViewer = client(() => server().gql, viewer);

  it('a viewer reads queues but updateQueue, pauseQueue and resumeQueue are FORBIDDEN and change nothing', async () => {
    ok(await asAdmin.update('guarded', { concurrencyLimit: 3, rateLimit: { max: 2, perMs: 1000 } }), 'admin updateQueue');
    const before = await asAdmin.queue('guarded');
    expect(before).toMatchObject({ concurrencyLimit: 3, rateLimit: { max: 2, perMs: 1000 }, paused: false });

    const attempts: [string, Record<string, unknown>][] = [
      [UPDATE_QUEUE, { name: 'guarded', in: { concurrencyLimit: 9, paused: true } }],
      [UPDATE_QUEUE, { name: 'viewer-made', in: { concurrencyLimit: 1 } }],
      [PAUSE, { name: 'guarded' }],
      [PAUSE, {}],
      [RESUME, { name: 'guarded' }],
    ];
    for (const [query, variables] of attempts) {
      const res = await asViewer.call(query, variables);
      expect(
        res.errors?.[0]?.extensions?.code,
        `viewer ${query.slice(9, 40)} ${JSON.stringify(variables)}: ${JSON.stringify(res.errors)}`,
      ).toBe('FORBIDDEN');
      expect(res.status).toBe(403);
    }
    expect(await asAdmin.queue('guarded'), 'guarded after the viewer’s attempts').toEqual(before);
    expect((await asAdmin.queue()).paused, 'default after the viewer’s pauseQueue').toBe(false);
    expect(await asViewer.names(), 'the viewer reads queues').toEqual(['default', 'guarded']);

    // The admin's pause works, and the viewer's resume does not undo it.
    ok(await asAdmin.call(PAUSE, { name: 'guarded' }), 'admin pauseQueue');
    expect((await asViewer.call(RESUME, { name: 'guarded' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await asViewer.queue('guarded')).paused, 'still paused').toBe(true);
  });
});
