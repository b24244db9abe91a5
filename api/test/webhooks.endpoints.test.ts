import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_REFRESH_MS } from '../src/webhooks/endpoints/endpoint-directory.js';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, testDatabases, type TestServer } from './support/server.js';
import { eventually, logsOf, receiverForSuite, type Hit, type Receiver } from './support/webhooks.js';

const CREATE_JOB = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';
const CREATE = `mutation($in: CreateWebhookEndpointInput!) {
  createWebhookEndpoint(input: $in) { secret endpoint { id url description eventTypes queues taskNames enabled builtIn createdAt } }
}`;
const UPDATE = `mutation($id: ID!, $in: UpdateWebhookEndpointInput!) {
  updateWebhookEndpoint(id: $id, input: $in) { id url eventTypes queues taskNames enabled builtIn }
}`;
const LIST = '{ webhookEndpoints { id url eventTypes enabled builtIn } }';
const ROTATE = 'mutation($id: ID!, $grace: Int!) { rotateWebhookSecret(id: $id, graceMs: $grace) { secret } }';

const ok = (path: string) => ({ [path]: () => ({ status: 200 }) });

async function createEndpoint(server: TestServer, input: Record<string, unknown>): Promise<{ id: string; secret: string }> {
  const res = await server.gql(CREATE, { in: input });
  expect(res.errors).toBeUndefined();
  return { id: res.data.createWebhookEndpoint.endpoint.id, secret: res.data.createWebhookEndpoint.secret };
}

async function runJob(server: TestServer, input: Record<string, unknown>): Promise<string> {
  const res = await server.gql(CREATE_JOB, { in: { payload: { durationMs: 5 }, ...input } });
  expect(res.errors).toBeUndefined();
  return res.data.createJob.id;
}

/** The hits on `path` for one job, once `count` have arrived. */
function hitsFor(receiver: Receiver, path: string, jobId: string, count = 1): Promise<Hit[]> {
  return eventually(
    () => {
      const hits = receiver.on(path).filter((h) => JSON.parse(h.body).jobId === Number(jobId));
      return hits.length >= count ? hits : undefined;
    },
    25_000,
    `${count} hit(s) on ${path} for job ${jobId}`,
  );
}

const seedHex = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');
const verifies = (secret: string, hit: Hit) => {
  try {
    new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('webhook endpoints: fan-out on $name', (db) => {
  const receiver = receiverForSuite({ ...ok('/outbound'), ...ok('/failures'), ...ok('/imports') });
  const server = serverForSuite(db, () => ({
    OUTBOUND_WEBHOOK: `${receiver().url}/outbound`,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  }));

  it('two endpoints with different event and queue filters each receive exactly their events, each signed with its own secret', async () => {
    const failures = await createEndpoint(server(), { url: `${receiver().url}/failures`, eventTypes: ['job.failed'] });
    const imports = await createEndpoint(server(), {
      url: `${receiver().url}/imports`,
      eventTypes: ['job.completed', 'job.failed'],
      queues: ['imports'],
    });
    expect(failures.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(imports.secret).not.toBe(failures.secret);

    const completedDefault = await runJob(server(), { taskName: 'noop' });
    const failedDefault = await runJob(server(), { taskName: 'simulate-failure', payload: { fail: true, durationMs: 5 }, maxAttempts: 1 });
    const completedImport = await runJob(server(), { taskName: 'noop', queue: 'imports' });

    // OUTBOUND_WEBHOOK keeps getting every job's message, signed with WEBHOOK_SECRET.
    for (const id of [completedDefault, failedDefault, completedImport]) {
      const [hit] = await hitsFor(receiver(), '/outbound', id);
      expect(hit.headers['x-signature']).toBe(seedHex(server().config.WEBHOOK_SECRET, hit.body));
    }
    const [failure] = await hitsFor(receiver(), '/failures', failedDefault);
    const [imported] = await hitsFor(receiver(), '/imports', completedImport);
    expect(JSON.parse(failure.body)).toMatchObject({ type: 'job.failed', jobId: Number(failedDefault) });
    expect(JSON.parse(imported.body)).toMatchObject({ type: 'job.completed', jobId: Number(completedImport) });

    // X-Signature: hex HMAC keyed with the secret string as given; Standard Webhooks: its base64 part.
    expect(failure.headers['x-signature']).toBe(seedHex(failures.secret, failure.body));
    expect(imported.headers['x-signature']).toBe(seedHex(imports.secret, imported.body));
    expect(verifies(failures.secret, failure)).toBe(true);
    expect(verifies(imports.secret, imported)).toBe(true);
    expect(verifies(imports.secret, failure)).toBe(false);

    // Nothing else: the outbound messages settled, so any extra fan-out would have been written with them.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(
      receiver()
        .on('/failures')
        .map((h) => JSON.parse(h.body).jobId),
    ).toEqual([Number(failedDefault)]);
    expect(
      receiver()
        .on('/imports')
        .map((h) => JSON.parse(h.body).jobId),
    ).toEqual([Number(completedImport)]);
  });

  it('the built-in endpoint is listed first; disabling it stops OUTBOUND_WEBHOOK messages, registered endpoints go on', async () => {
    const [builtIn] = (await server().gql(LIST)).data.webhookEndpoints;
    expect(builtIn).toEqual({
      id: 'outbound',
      url: `${receiver().url}/outbound`,
      eventTypes: ['job.completed', 'job.failed'],
      enabled: true,
      builtIn: true,
    });
    const off = await server().gql(UPDATE, { id: 'outbound', in: { enabled: false } });
    expect(off.data.updateWebhookEndpoint).toMatchObject({ id: 'outbound', enabled: false, builtIn: true });
    try {
      const id = await runJob(server(), { taskName: 'noop', queue: 'imports' });
      await hitsFor(receiver(), '/imports', id);
      await new Promise((r) => setTimeout(r, 500));
      expect(
        receiver()
          .on('/outbound')
          .filter((h) => JSON.parse(h.body).jobId === Number(id)),
      ).toHaveLength(0);
    } finally {
      await server().gql(UPDATE, { id: 'outbound', in: { enabled: true } });
    }
    const id = await runJob(server(), { taskName: 'noop' });
    await hitsFor(receiver(), '/outbound', id);
  });
});

describe('webhook endpoints: the API', () => {
  const ADMIN = 'admin-token-0123456789';
  const VIEWER = 'viewer-token-9876543210';
  const admin = { authorization: `Bearer ${ADMIN}` };
  const viewer = { authorization: `Bearer ${VIEWER}` };
  const server = serverForSuite(sqlite, {
    ROLE: 'api',
    API_TOKENS: `ops:admin:${ADMIN},dash:viewer:${VIEWER}`,
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  });
  const url = 'http://127.0.0.1:9/hook';

  it('create answers the secret once; list, get and update never show it; delete removes the endpoint', async () => {
    const res = await server().gql(
      CREATE,
      { in: { url, description: 'billing', eventTypes: ['job.completed', 'job.cancelled'], taskNames: ['invoice'] } },
      admin,
    );
    expect(res.errors).toBeUndefined();
    const { endpoint, secret } = res.data.createWebhookEndpoint;
    expect(secret).toMatch(/^whsec_/);
    expect(endpoint).toMatchObject({
      url,
      description: 'billing',
      eventTypes: ['job.completed', 'job.cancelled'],
      queues: null,
      taskNames: ['invoice'],
      enabled: true,
      builtIn: false,
    });
    // The type has no secret field at all: asking for it is a validation error.
    const asked = await server().gql('{ webhookEndpoints { id secret } }', {}, admin);
    expect(asked.errors?.[0].message).toMatch(/Cannot query field "secret"/);

    const changed = await server().gql(UPDATE, { id: endpoint.id, in: { enabled: false, queues: ['mail'], taskNames: null } }, admin);
    expect(changed.data.updateWebhookEndpoint).toMatchObject({ enabled: false, queues: ['mail'], taskNames: null });
    const got = await server().gql('query($id: ID!) { webhookEndpoint(id: $id) { id enabled queues } }', { id: endpoint.id }, admin);
    expect(got.data.webhookEndpoint).toEqual({ id: endpoint.id, enabled: false, queues: ['mail'] });

    const del = await server().gql('mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }', { id: endpoint.id }, admin);
    expect(del.data.deleteWebhookEndpoint).toBe(true);
    const list = (await server().gql(LIST, {}, admin)).data.webhookEndpoints;
    expect(list.map((e: { id: string }) => e.id)).not.toContain(endpoint.id);
  });

  it.each([
    [{ url, eventTypes: [] }, 'input.eventTypes'],
    [{ url, eventTypes: ['job.started'] }, 'input.eventTypes'],
    [{ url, eventTypes: ['job.failed'], queues: ['Not A Queue'] }, 'input.queues[0]'],
    [{ url, eventTypes: ['job.failed'], queues: [] }, 'input.queues'],
    [{ url, eventTypes: ['job.failed'], description: 'x'.repeat(501) }, 'input.description'],
    [{ url: 'ftp://example.com/x', eventTypes: ['job.failed'] }, 'input.url'],
    [{ url: 'http://10.0.0.7/hook', eventTypes: ['job.failed'] }, 'input.url'],
    [{ url: 'http://169.254.169.254/latest/meta-data/', eventTypes: ['job.failed'] }, 'input.url'],
  ])('create refuses %j with BAD_USER_INPUT on %s', async (input, field) => {
    const res = await server().gql(CREATE, { in: input }, admin);
    expect(res.status).toBe(200);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('the built-in endpoint: only enabled changes; it cannot be deleted or rotated', async () => {
    const url = await server().gql(UPDATE, { id: 'outbound', in: { url: 'https://93.184.216.34/x' } }, admin);
    expect(url.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.url' });
    const del = await server().gql('mutation { deleteWebhookEndpoint(id: "outbound") }', {}, admin);
    expect(del.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const rotate = await server().gql(ROTATE, { id: 'outbound', grace: 0 }, admin);
    expect(rotate.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    const grace = await server().gql(ROTATE, { id: '1', grace: -5 }, admin);
    expect(grace.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'graceMs' });
    const missing = await server().gql(UPDATE, { id: '99999', in: { enabled: false } }, admin);
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a viewer is FORBIDDEN to list, read, create or rotate; nothing is created', async () => {
    for (const [query, variables] of [
      [LIST, {}],
      ['{ webhookEndpoint(id: "outbound") { id } }', {}],
      [CREATE, { in: { url, eventTypes: ['job.failed'] } }],
      [ROTATE, { id: '1', grace: 0 }],
    ] as const) {
      const res = await server().gql(query, variables, viewer);
      expect(res.errors?.[0].extensions?.code, query).toBe('FORBIDDEN');
    }
    const list = (await server().gql(LIST, {}, admin)).data.webhookEndpoints;
    expect(list.filter((e: { builtIn: boolean }) => !e.builtIn)).toHaveLength(0);
  });
});

describe('webhook endpoints: secret rotation', () => {
  const receiver = receiverForSuite(ok('/rotating'));
  const server = serverForSuite(sqlite, () => ({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }));

  it('during the grace both secrets verify with the standardwebhooks library, X-Signature uses the new one; after it only the new one', async () => {
    const { id, secret: old } = await createEndpoint(server(), { url: `${receiver().url}/rotating`, eventTypes: ['job.completed'] });
    const graceMs = 4_000;
    const rotated = await server().gql(ROTATE, { id, grace: graceMs });
    const fresh: string = rotated.data.rotateWebhookSecret.secret;
    const graceEnds = Date.now() + graceMs;
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(old);

    const [during] = await hitsFor(receiver(), '/rotating', await runJob(server(), { taskName: 'noop' }));
    expect(during.at).toBeLessThan(graceEnds);
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifies(old, during)).toBe(true);
    expect(verifies(fresh, during)).toBe(true);
    expect(during.headers['x-signature']).toBe(seedHex(fresh, during.body));

    await new Promise((r) => setTimeout(r, Math.max(0, graceEnds - Date.now()) + 200));
    const [after] = await hitsFor(receiver(), '/rotating', await runJob(server(), { taskName: 'noop' }));
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifies(fresh, after)).toBe(true);
    expect(verifies(old, after)).toBe(false);
  });
});

describe('webhook endpoints: SSRF at connect time', () => {
  const receiver = receiverForSuite(ok('/inward'));
  // The endpoint was allowed when it was created; the worker restarts without WEBHOOK_ALLOWED_HOSTS.
  const api = serverForSuite(sqlite, { ROLE: 'api', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });
  const worker = serverForSuite(sqlite, () => ({ DATABASE_URL: api().databaseUrl, WEBHOOK_MAX_RETRIES: '0' }));

  it('a stored endpoint URL that points inward is refused when sending, from the allow-list in force', async () => {
    await createEndpoint(api(), { url: `${receiver().url}/inward`, eventTypes: ['job.completed'] });
    // The worker process sees another process's new endpoint at its next reload.
    await new Promise((r) => setTimeout(r, ENDPOINT_REFRESH_MS + 1_000));
    const id = await runJob(worker(), { taskName: 'noop' });
    const logs = await eventually(
      async () => {
        const all = await logsOf(worker(), id);
        return all.find((l) => l.url === `${receiver().url}/inward`);
      },
      20_000,
      'the refused attempt',
    );
    expect(logs.error).toMatch(/^refused to connect to 127\.0\.0\.1:\d+: 127\.0\.0\.1 is a loopback address/);
    expect(receiver().on('/inward')).toHaveLength(0);
  });
});
