import { beforeAll, describe, expect, it } from 'vitest';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, testDatabases } from './support/server.js';

const JOB_FIELDS = 'id taskName priority status payload runAt createdAt updatedAt attempts maxAttempts timeoutMs idempotencyKey';
const PRIORITY_RANK = { LOW: 0, MEDIUM: 1, HIGH: 2 } as const;

type JobRow = {
  id: string;
  taskName: string;
  priority: keyof typeof PRIORITY_RANK;
  status: string;
  payload: Record<string, unknown>;
  runAt: string;
  createdAt: string;
  updatedAt: string;
};

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('jobs API on $name', (db) => {
  // ROLE=api: no worker runs in this process, so statuses change only through the mutations below.
  const server = serverForSuite(db, { ROLE: 'api' });
  let all: JobRow[] = [];
  const far = (minutes: number) => new Date(Date.UTC(2099, 0, 1) + minutes * 60_000).toISOString();

  const total = async () => (await server().gql('{ jobStats { total } }')).data.jobStats.total as number;
  const list = async (args: string) => {
    const res = await server().gql(`{ jobs(${args}) { total limit offset jobs { id } } }`);
    expect(res.errors).toBeUndefined();
    return res.data.jobs as { total: number; limit: number; offset: number; jobs: { id: string }[] };
  };

  beforeAll(async () => {
    const tasks = ['send-email', 'resize-image', 'sync-crm'];
    const priorities = ['LOW', 'MEDIUM', 'HIGH'];
    const inputs = Array.from({ length: 15 }, (_, i) => ({
      taskName: tasks[i % 3],
      priority: priorities[(i * 2) % 3],
      payload: { n: i, note: i % 4 === 0 ? 'needle in payload' : 'hay' },
      runAt: far(60 - ((i * 7) % 15)),
    }));
    const created = await server().gql(`mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { ${JOB_FIELDS} } }`, {
      inputs,
    });
    expect(created.errors).toBeUndefined();
    all = created.data.createJobs;
    // Give some jobs other statuses and distinct updatedAt values.
    for (const job of all.filter((_, i) => i % 5 === 1)) {
      await server().gql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id: job.id });
    }
    all = (await server().gql(`{ jobs(limit: 100, sort: CREATED_AT_ASC) { jobs { ${JOB_FIELDS} } } }`)).data.jobs.jobs;
  });

  it('creates a job with defaults and timestamps in ISO-8601 with milliseconds', async () => {
    const res = await server().gql(
      `mutation { createJob(input: { taskName: "defaults", runAt: "${far(1)}" }) { ${JOB_FIELDS} progress webhookLogs { id } } }`,
    );
    const job = res.data.createJob;
    expect(job).toMatchObject({
      taskName: 'defaults',
      priority: 'LOW',
      status: 'PENDING',
      attempts: 0,
      maxAttempts: 3,
      payload: {},
      runAt: far(1),
      webhookLogs: [],
    });
    expect(job.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const fetched = await server().gql(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: job.id });
    expect(fetched.data.job).toEqual({ ...job, progress: undefined, webhookLogs: undefined, ...fetched.data.job });
    expect(fetched.data.job.createdAt).toBe(job.createdAt);
    await server().gql('mutation($id: ID!) { deleteJob(id: $id) }', { id: job.id });
  });

  const cases: { name: string; args: string; keep: (j: JobRow) => boolean }[] = [
    { name: 'no filter', args: '', keep: () => true },
    { name: 'status', args: 'filter: { status: CANCELLED }', keep: (j) => j.status === 'CANCELLED' },
    { name: 'priority', args: 'filter: { priority: HIGH }', keep: (j) => j.priority === 'HIGH' },
    { name: 'taskName', args: 'filter: { taskName: "sync-crm" }', keep: (j) => j.taskName === 'sync-crm' },
    { name: 'search in payload', args: 'filter: { search: "needle" }', keep: (j) => String(j.payload.note).includes('needle') },
    { name: 'search in task name', args: 'filter: { search: "resize" }', keep: (j) => j.taskName.includes('resize') },
    {
      name: 'all filters combined',
      args: 'filter: { status: PENDING, priority: LOW, taskName: "send-email", search: "hay" }',
      keep: (j) => j.status === 'PENDING' && j.priority === 'LOW' && j.taskName === 'send-email' && j.payload.note === 'hay',
    },
  ];
  const sorts: { sort: string; compare: (a: JobRow, b: JobRow) => number }[] = [
    { sort: 'CREATED_AT_DESC', compare: (a, b) => b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id) },
    { sort: 'CREATED_AT_ASC', compare: (a, b) => a.createdAt.localeCompare(b.createdAt) || Number(a.id) - Number(b.id) },
    {
      sort: 'PRIORITY_DESC',
      compare: (a, b) =>
        PRIORITY_RANK[b.priority] - PRIORITY_RANK[a.priority] || b.createdAt.localeCompare(a.createdAt) || Number(b.id) - Number(a.id),
    },
    { sort: 'RUN_AT_ASC', compare: (a, b) => a.runAt.localeCompare(b.runAt) || Number(a.id) - Number(b.id) },
    { sort: 'UPDATED_AT_DESC', compare: (a, b) => b.updatedAt.localeCompare(a.updatedAt) || Number(b.id) - Number(a.id) },
  ];

  for (const c of cases) {
    for (const s of sorts) {
      it(`lists with ${c.name}, sorted ${s.sort}, page by page`, async () => {
        const expected = all
          .filter(c.keep)
          .sort(s.compare)
          .map((j) => j.id);
        const pageSize = 4;
        const seen: string[] = [];
        for (let offset = 0; offset < expected.length + pageSize; offset += pageSize) {
          const page = await list(`${c.args ? `${c.args}, ` : ''}sort: ${s.sort}, limit: ${pageSize}, offset: ${offset}`);
          expect(page).toMatchObject({ total: expected.length, limit: pageSize, offset });
          seen.push(...page.jobs.map((j) => j.id));
        }
        expect(seen).toEqual(expected);
      });
    }
  }

  it('createJobs with one invalid input writes nothing and names the field', async () => {
    const before = await total();
    const res = await server().gql('mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }', {
      inputs: [{ taskName: 'ok-1' }, { taskName: 'x'.repeat(300) }, { taskName: 'ok-3' }],
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].taskName' });
    expect(res.errors?.[0].message).toContain('1–255 characters');
    expect(await total()).toBe(before);
  });

  it('createJobs stores each input as given when only some inputs set the optional fields', async () => {
    // One INSERT leaves out columns no row of it sets: every row must still get its own values.
    const inputs = [
      { taskName: 'mixed-a', payload: { n: 1 } },
      {
        taskName: 'mixed-b',
        priority: 'HIGH',
        runAt: far(30),
        maxAttempts: 7,
        timeoutMs: 1500,
        webhookUrl: 'https://93.184.216.34/hook',
        idempotencyKey: 'mixed-key-b',
      },
      { taskName: 'mixed-c', payload: { quote: `it's "quoted" ? \\ ${'x'.repeat(20)}` }, idempotencyKey: 'mixed-key-c' },
    ];
    const fields =
      'id taskName priority status payload runAt attempts maxAttempts timeoutMs webhookUrl idempotencyKey progress createdAt updatedAt';
    const res = await server().gql(`mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { ${fields} } }`, { inputs });
    expect(res.errors).toBeUndefined();
    const created = res.data.createJobs;
    const stored = await Promise.all(
      created.map(
        async (j: { id: string }) => (await server().gql(`query($id: ID!) { job(id: $id) { ${fields} } }`, { id: j.id })).data.job,
      ),
    );
    expect(stored).toEqual(created);
    expect(new Set(created.map((j: { id: string }) => j.id)).size).toBe(3);
    expect(stored[0]).toMatchObject({ taskName: 'mixed-a', priority: 'LOW', status: 'PENDING', attempts: 0, progress: 0, maxAttempts: 3 });
    expect(stored[0]).toMatchObject({ timeoutMs: null, webhookUrl: null, idempotencyKey: null, payload: { n: 1 } });
    expect(stored[1]).toMatchObject({ taskName: 'mixed-b', priority: 'HIGH', runAt: far(30), maxAttempts: 7, timeoutMs: 1500 });
    expect(stored[1]).toMatchObject({ webhookUrl: 'https://93.184.216.34/hook', idempotencyKey: 'mixed-key-b', payload: {} });
    expect(stored[2]).toMatchObject({ taskName: 'mixed-c', timeoutMs: null, webhookUrl: null, idempotencyKey: 'mixed-key-c' });
    expect(stored[2].payload).toEqual(inputs[2].payload);
    // Jobs created together share their creation instant, and runAt defaults to it.
    expect(stored[0].runAt).toBe(stored[0].createdAt);
    expect(new Set(stored.map((j: { createdAt: string; updatedAt: string }) => [j.createdAt, j.updatedAt]).flat()).size).toBe(1);
    for (const job of created) await server().gql('mutation($id: ID!) { deleteJob(id: $id) }', { id: job.id });
  });

  it('createJobs reports the first bad input in order, also when an earlier one fails a URL check', async () => {
    const before = await total();
    const res = await server().gql('mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }', {
      inputs: [{ taskName: 'ok-1' }, { taskName: 'ok-2', webhookUrl: 'http://127.0.0.1:9/private' }, { taskName: '' }],
    });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].webhookUrl' });
    const later = await server().gql('mutation($inputs: [CreateJobInput!]!) { createJobs(inputs: $inputs) { id } }', {
      inputs: [
        { taskName: 'ok-1', webhookUrl: 'https://93.184.216.34/hook' },
        { taskName: 'ok-2', maxAttempts: 0 },
      ],
    });
    expect(later.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs[1].maxAttempts' });
    expect(await total()).toBe(before);
  });

  it('returns the existing job for a repeated idempotencyKey', async () => {
    const create = () =>
      server().gql(`mutation { createJob(input: { taskName: "once", idempotencyKey: "key-1", runAt: "${far(5)}" }) { id } }`);
    const first = await create();
    const before = await total();
    const second = await create();
    expect(second.data.createJob.id).toBe(first.data.createJob.id);
    expect(await total()).toBe(before);
  });

  it('applies the state rules with NOT_FOUND and CONFLICT naming the status', async () => {
    const { data } = await server().gql(`mutation { createJob(input: { taskName: "rules", runAt: "${far(9)}" }) { id runAt } }`);
    const id = data.createJob.id;
    const run = await server().gql('mutation($id: ID!) { runJob(id: $id) { status runAt } }', { id });
    expect(run.data.runJob.status).toBe('PENDING');
    expect(new Date(run.data.runJob.runAt).getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    const cancelled = await server().gql('mutation($id: ID!) { cancelJob(id: $id) { status completedAt } }', { id });
    expect(cancelled.data.cancelJob.status).toBe('CANCELLED');
    const again = await server().gql('mutation($id: ID!) { cancelJob(id: $id) { status } }', { id });
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', status: 'CANCELLED' });
    expect(again.errors?.[0].message).toContain('CANCELLED');
    const requeued = await server().gql('mutation($id: ID!) { runJob(id: $id) { status attempts } }', { id });
    expect(requeued.data.runJob).toEqual({ status: 'PENDING', attempts: 0 });
    expect((await server().gql('mutation($id: ID!) { deleteJob(id: $id) }', { id })).data.deleteJob).toBe(true);
    expect((await server().gql('query($id: ID!) { job(id: $id) { id } }', { id })).data.job).toBeNull();
    for (const op of ['runJob(id: $id) { id }', 'cancelJob(id: $id) { id }', 'deleteJob(id: $id)']) {
      const res = await server().gql(`mutation($id: ID!) { ${op} }`, { id });
      expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    }
  });
});

describe('bad input on the jobs API', () => {
  const server = serverForSuite(sqlite, { ROLE: 'api' });

  const post = (body: string, contentType = 'application/json') =>
    fetch(`${server().url}/graphql`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const total = async () => (await server().gql('{ jobStats { total } }')).data.jobStats.total as number;
  const CREATE = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';

  const badInputs: { name: string; input: Record<string, unknown>; field: string; says: string }[] = [
    { name: 'a 300-character task name', input: { taskName: 'x'.repeat(300) }, field: 'input.taskName', says: '1–255 characters' },
    { name: 'an empty task name', input: { taskName: '' }, field: 'input.taskName', says: '1–255 characters' },
    { name: 'a string payload', input: { taskName: 't', payload: 'a string' }, field: 'input.payload', says: 'JSON object' },
    { name: 'an array payload', input: { taskName: 't', payload: [1, 2] }, field: 'input.payload', says: 'JSON object' },
    {
      name: 'a 65 KiB payload',
      input: { taskName: 't', payload: { blob: 'x'.repeat(65 * 1024) } },
      field: 'input.payload',
      says: '65536 bytes',
    },
    { name: 'maxAttempts 0', input: { taskName: 't', maxAttempts: 0 }, field: 'input.maxAttempts', says: '1..100' },
    { name: 'maxAttempts 101', input: { taskName: 't', maxAttempts: 101 }, field: 'input.maxAttempts', says: '1..100' },
    { name: 'timeoutMs 0', input: { taskName: 't', timeoutMs: 0 }, field: 'input.timeoutMs', says: 'whole number' },
  ];
  for (const bad of badInputs) {
    it(`refuses ${bad.name} with BAD_USER_INPUT on ${bad.field} and writes nothing`, async () => {
      const before = await total();
      const res = await server().gql(CREATE, { in: bad.input });
      expect(res.status).toBeLessThan(500);
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: bad.field });
      expect(res.errors?.[0].message).toContain(bad.says);
      expect(await total()).toBe(before);
    });
  }

  it('refuses a 1 MiB payload (request body over the limit) with a 4xx and writes nothing', async () => {
    const before = await total();
    const res = await post(
      JSON.stringify({ query: CREATE, variables: { in: { taskName: 't', payload: { blob: 'x'.repeat(1024 * 1024) } } } }),
    );
    expect(res.status).toBe(413);
    expect(await res.text()).toMatch(/too large/i);
    expect(await total()).toBe(before);
  });

  it('refuses an invalid runAt, limit 1000, a negative offset and an unknown sort', async () => {
    const runAt = await server().gql(CREATE, { in: { taskName: 't', runAt: 'tomorrow' } });
    expect(runAt.status).toBe(400);
    expect(runAt.errors?.[0].message).toContain('ISO-8601');
    const limit = await server().gql('{ jobs(limit: 1000) { total } }');
    expect(limit.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    expect(limit.errors?.[0].message).toContain('1..100');
    const offset = await server().gql('{ jobs(offset: -1) { total } }');
    expect(offset.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'offset' });
    const sort = await server().gql('{ jobs(sort: NEWEST) { total } }');
    expect(sort.status).toBe(400);
    expect(sort.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(sort.errors?.[0].message).toContain('JobSort');
  });

  it('answers a malformed JSON body with 400 and a reason', async () => {
    const res = await post('{"query": "{ jobStats { total } }"');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/JSON/);
  });

  it('answers a missing or malformed id clearly', async () => {
    const missing = await server().gql('{ job { id } }');
    expect(missing.status).toBe(400);
    expect(missing.errors?.[0].message).toMatch(/argument "id"/);
    const malformed = await server().gql('{ job(id: "abc") { id } }');
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect((await server().gql('{ job(id: 987654) { id } }')).data.job).toBeNull();
  });

  it('refuses an empty or oversized createJobs batch', async () => {
    const empty = await server().gql('mutation { createJobs(inputs: []) { id } }');
    expect(empty.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'inputs' });
  });
});
