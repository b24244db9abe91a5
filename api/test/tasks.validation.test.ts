import { describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases } from './support/server.js';
import { countJobs, firstError, tasksDirForSuite } from './support/task-modules.js';

/**
 * Payloads are checked against the task's JSON Schema wherever a job is made (issue 16):
 * BAD_USER_INPUT naming the field inside the payload, the schema's reason in the message, and
 * nothing written — for createJob, createJobs (all or nothing), createSchedule and triggerSchedule.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const NESTED_MJS = `
export default {
  name: 'nested',
  description: 'A payload with an object inside an object',
  payload: {
    type: 'object',
    required: ['a'],
    properties: {
      a: {
        type: 'object',
        required: ['b'],
        properties: {
          b: { type: 'integer', minimum: 1 },
          tags: { type: 'array', items: { type: 'string' } },
        },
      },
      mode: { enum: ['fast', 'slow'] },
    },
  },
  handler(job) {
    return { b: job.payload.a.b };
  },
};
`;

const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const CREATE_MANY = 'mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }';
const CREATE_SCHEDULE = 'mutation($in: CreateScheduleInput!) { createSchedule(input: $in) { id } }';
const later = () => new Date(Date.now() + 3_600_000).toISOString();

describe.each(testDatabases().filter((db) => db.name !== 'mysql'))('payload schemas on $name', (db) => {
  const dir = tasksDirForSuite({ 'nested.mjs': NESTED_MJS });
  // ROLE=api: nothing runs, so the jobs counted are exactly the jobs written.
  const server = serverForSuite(db, () => ({ TASKS_DIR: dir(), ROLE: 'api' }));

  const expectRefused = (res: Parameters<typeof firstError>[0], field: string, reason: RegExp) => {
    const e = firstError(res);
    expect(e.code, `expected BAD_USER_INPUT, saw ${JSON.stringify(res.errors ?? res)}`).toBe('BAD_USER_INPUT');
    expect(e.field, `expected extensions.field ${field}, saw ${JSON.stringify(res.errors)}`).toBe(field);
    expect(e.message, `expected the schema's reason (${reason}) in the message, saw ${JSON.stringify(e.message)}`).toMatch(reason);
  };

  it('a wrong type two levels deep is BAD_USER_INPUT at input.payload.a.b, and nothing is written', async () => {
    const before = await countJobs(server());
    const res = await server().gql(CREATE, { in: { taskName: 'nested', payload: { a: { b: 'seven' } }, runAt: later() } });
    expectRefused(res, 'input.payload.a.b', /integer/);
    expect(res.data?.createJob ?? null, `expected no job returned, saw ${JSON.stringify(res.data)}`).toBeNull();
    const after = await countJobs(server());
    expect(after, `expected ${before} jobs (none written), saw ${after}`).toBe(before);
  });

  it('a missing required property two levels deep is BAD_USER_INPUT at input.payload.a.b', async () => {
    const res = await server().gql(CREATE, { in: { taskName: 'nested', payload: { a: {} }, runAt: later() } });
    expectRefused(res, 'input.payload.a.b', /required/);
    const below = await server().gql(CREATE, { in: { taskName: 'nested', payload: { a: { b: 0 } }, runAt: later() } });
    expectRefused(below, 'input.payload.a.b', />= 1/);
    const item = await server().gql(CREATE, { in: { taskName: 'nested', payload: { a: { b: 1, tags: ['x', 3] } }, runAt: later() } });
    expectRefused(item, 'input.payload.a.tags[1]', /string/);
    const mode = await server().gql(CREATE, { in: { taskName: 'nested', payload: { a: { b: 1 }, mode: 'medium' }, runAt: later() } });
    expectRefused(mode, 'input.payload.mode', /"fast", "slow"/);
    const none = await server().gql(CREATE, { in: { taskName: 'nested', runAt: later() } });
    expectRefused(none, 'input.payload.a', /required/);
    expect(await countJobs(server()), 'expected no job written by refused inputs').toBe(0);
  });

  it('a valid payload is accepted', async () => {
    const res = await server().gql(CREATE, {
      in: { taskName: 'nested', payload: { a: { b: 3, tags: ['x'] }, mode: 'fast' }, runAt: later() },
    });
    expect(res.errors, `expected the valid payload accepted, saw ${JSON.stringify(res.errors)}`).toBeUndefined();
    expect(res.data.createJob.id, `expected a job id, saw ${JSON.stringify(res.data)}`).toBeTruthy();
  });

  it('createJobs with one bad payload among 100 is BAD_USER_INPUT at inputs[57].payload.a.b and writes none of the 100', async () => {
    const before = await countJobs(server());
    const inputs = Array.from({ length: 100 }, (_, i) => ({
      taskName: 'nested',
      payload: i === 57 ? { a: { b: 'not a number' } } : { a: { b: i + 1 } },
      runAt: later(),
    }));
    const res = await server().gql(CREATE_MANY, { in: inputs });
    expectRefused(res, 'inputs[57].payload.a.b', /integer/);
    const after = await countJobs(server());
    expect(after, `expected ${before} jobs (none of the 100 written), saw ${after}`).toBe(before);

    // The same batch without the bad one writes all 100.
    inputs[57] = { taskName: 'nested', payload: { a: { b: 58 } }, runAt: later() };
    const ok = await server().gql(CREATE_MANY, { in: inputs });
    expect(ok.errors, `expected the fixed batch accepted, saw ${JSON.stringify(ok.errors)}`).toBeUndefined();
    const written = await countJobs(server());
    expect(written, `expected ${before + 100} jobs after the valid batch, saw ${written}`).toBe(before + 100);
  });

  it('createSchedule checks the payload too (input.payload.a.b), and writes no schedule', async () => {
    const res = await server().gql(CREATE_SCHEDULE, {
      in: { name: 'nested-bad', cron: '0 0 1 1 *', taskName: 'nested', payload: { a: { b: 'x' } } },
    });
    expectRefused(res, 'input.payload.a.b', /integer/);
    const list = await server().gql('{ schedules { name } }');
    const names = (list.data?.schedules ?? []).map((s: { name: string }) => s.name);
    expect(names, `expected no schedule named nested-bad, saw ${JSON.stringify(list)}`).not.toContain('nested-bad');
  });

  it('triggerSchedule of a valid schedule makes a job that passed the schema', async () => {
    const made = await server().gql(CREATE_SCHEDULE, {
      in: { name: 'nested-ok', cron: '0 0 1 1 *', taskName: 'nested', payload: { a: { b: 2 } } },
    });
    expect(made.errors, `expected the schedule created, saw ${JSON.stringify(made.errors)}`).toBeUndefined();
    const before = await countJobs(server());
    const fired = await server().gql('mutation($id: ID!) { triggerSchedule(id: $id) { id taskName payload } }', {
      id: made.data.createSchedule.id,
    });
    expect(fired.errors, `expected triggerSchedule to make a job, saw ${JSON.stringify(fired.errors)}`).toBeUndefined();
    expect(fired.data.triggerSchedule, `expected the schedule's job, saw ${JSON.stringify(fired.data)}`).toMatchObject({
      taskName: 'nested',
      payload: { a: { b: 2 } },
    });
    expect(await countJobs(server()), 'expected one more job after the trigger').toBe(before + 1);
  });
});
