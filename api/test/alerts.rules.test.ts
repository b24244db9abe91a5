import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_REFRESH_MS } from '../src/webhooks/endpoints/endpoint-directory.js';
import { MYSQL_SKIP_REASON, serverForSuite, sqlite, testDatabases, type TestServer } from './support/server.js';
import { admin, TOKENS, viewer } from './support/task-modules.js';
import { eventually, receiverForSuite, type Hit } from './support/webhooks.js';

const INTERVAL_MS = 200;
const CREATE_ENDPOINT = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { id } } }`;
const CREATE_RULE = `mutation($in: AlertRuleInput!) { createAlertRule(input: $in) { id kind queue threshold windowMs minCount cooldownMs enabled } }`;
const ALERTS = `query($state: AlertState) { alerts(state: $state) { id kind state value firedAt resolvedAt endpointId rule { id } } }`;

const ok = () => ({ status: 200 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runJobs(server: TestServer, queue: string, n: number, fail: boolean): Promise<void> {
  for (let i = 0; i < n; i++) {
    const res = await server.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
      in: { taskName: 'sim', queue, payload: { fail, durationMs: 1 }, maxAttempts: 1 },
    });
    expect(res.errors).toBeUndefined();
  }
  await eventually(
    async () => {
      const count = async (status: string) =>
        (await server.gql('query($f: JobFilter) { jobs(filter: $f) { total } }', { f: { queue, status } })).data?.jobs.total;
      return (await count('PENDING')) === 0 && (await count('RUNNING')) === 0 ? true : undefined;
    },
    20_000,
    `jobs of ${queue} finished`,
  );
}

async function alertsOf(server: TestServer, state?: string): Promise<any[]> {
  const res = await server.gql(ALERTS, { state });
  expect(res.errors).toBeUndefined();
  return res.data.alerts;
}

const verifies = (secret: string, hit: Hit) => {
  try {
    new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

describe.each(testDatabases())('alert rules on $name', (db) => {
  const receiver = receiverForSuite({ '/alerts': ok, '/disabled': ok, '/other': ok, '/jobs': ok });
  const server = serverForSuite(db, () => ({
    ALERT_EVALUATION_INTERVAL_MS: String(INTERVAL_MS),
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  }));

  async function endpoint(path: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const res = await server().gql(CREATE_ENDPOINT, { in: { url: `${receiver().url}${path}`, eventTypes } });
    expect(res.errors).toBeUndefined();
    return { id: res.data.createWebhookEndpoint.endpoint.id, secret: res.data.createWebhookEndpoint.secret };
  }

  it('refuses bad rules with the field named', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: 'FAILURE_RATE', threshold: 1.5 }, 'threshold'],
      [{ kind: 'QUEUE_DEPTH', threshold: 0 }, 'threshold'],
      [{ kind: 'FAILURE_RATE', threshold: 0.5, windowMs: 10 }, 'windowMs'],
      [{ kind: 'QUEUE_DEPTH', threshold: 5, queue: 'Bad Queue!' }, 'queue'],
      [{ kind: 'ENDPOINT_DISABLED', threshold: 1 }, 'kind'],
      [{ threshold: 1 }, 'kind'],
    ];
    for (const [input, field] of cases) {
      const res = await server().gql(CREATE_RULE, { in: input });
      expect(res.errors?.[0]?.extensions?.code, JSON.stringify(input)).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.extensions?.field).toBe(field);
    }
    expect((await server().gql('{ alertRules { id } }')).data.alertRules).toEqual([]);
  });

  it('a FAILURE_RATE rule fires once, resolves when the rate drops, and its cooldown holds; both events arrive signed', async () => {
    const subscribed = await endpoint('/alerts', ['alert.fired', 'alert.resolved']);
    await endpoint('/jobs', ['job.completed']);
    await sleep(ENDPOINT_REFRESH_MS + 200);
    const created = await server().gql(CREATE_RULE, {
      in: { kind: 'FAILURE_RATE', queue: 'alerting', threshold: 0.5, windowMs: 60_000, minCount: 10, cooldownMs: 600_000 },
    });
    expect(created.errors).toBeUndefined();
    const ruleId = created.data.createAlertRule.id;

    // 9 failures: the rate is 100 % but below the minimum count, so nothing fires.
    await runJobs(server(), 'alerting', 9, true);
    await sleep(INTERVAL_MS * 4);
    expect(await alertsOf(server())).toEqual([]);

    await runJobs(server(), 'alerting', 3, true);
    const [fired] = await eventually(
      async () => {
        const a = await alertsOf(server(), 'FIRING');
        return a.length ? a : undefined;
      },
      10_000,
      'the alert fired',
    );
    expect(fired).toMatchObject({ kind: 'FAILURE_RATE', state: 'FIRING', value: 1, rule: { id: ruleId }, resolvedAt: null });
    // Still holding over many more passes and more failures: one alert, not one per job or pass.
    await runJobs(server(), 'alerting', 3, true);
    await sleep(INTERVAL_MS * 5);
    expect(await alertsOf(server())).toHaveLength(1);

    // 15 failed of 45: 33 %, below the threshold → resolved.
    await runJobs(server(), 'alerting', 30, false);
    await eventually(async () => ((await alertsOf(server(), 'RESOLVED')).length === 1 ? true : undefined), 10_000, 'resolved');

    // Failing again past 50 % — but within the 10-minute cooldown, so no second fire.
    await runJobs(server(), 'alerting', 40, true);
    await sleep(INTERVAL_MS * 5);
    const all = await alertsOf(server());
    expect(all).toHaveLength(1);
    expect(all[0].state).toBe('RESOLVED');

    const hits = await eventually(
      () => {
        const h = receiver().on('/alerts');
        return h.length >= 2 ? h : undefined;
      },
      10_000,
      'two alert deliveries',
    );
    const bodies = hits.map((h) => JSON.parse(h.body));
    expect(bodies.map((b) => b.type)).toEqual(['alert.fired', 'alert.resolved']);
    expect(bodies[0]).toEqual({
      type: 'alert.fired',
      alertId: fired.id,
      kind: 'FAILURE_RATE',
      ruleId,
      queue: 'alerting',
      taskName: null,
      endpointId: null,
      value: 1,
      threshold: 0.5,
      firedAt: fired.firedAt,
      resolvedAt: null,
    });
    expect(bodies[1].resolvedAt).toEqual(expect.any(String));
    for (const hit of hits) expect(verifies(subscribed.secret, hit)).toBe(true);
    expect(
      receiver()
        .on('/jobs')
        .some((h) => JSON.parse(h.body).type?.startsWith('alert.')),
    ).toBe(false);
  });

  it('fireSystemAlert records an ENDPOINT_DISABLED alert without a rule and sends it to the other subscribed endpoints', async () => {
    const disabled = await endpoint('/disabled', ['alert.fired']);
    const other = await endpoint('/other', ['alert.fired']);
    const view = await server().services.alerts.fireSystemAlert({
      kind: 'ENDPOINT_DISABLED',
      endpointId: disabled.id,
      value: 20,
      threshold: 20,
    });
    expect(view).toMatchObject({ kind: 'ENDPOINT_DISABLED', rule: null, state: 'FIRING', endpointId: disabled.id });
    const [hit] = await eventually(
      () => {
        const h = receiver().on('/other');
        return h.length ? h : undefined;
      },
      10_000,
      'the alert at the other endpoint',
    );
    expect(JSON.parse(hit.body)).toMatchObject({
      type: 'alert.fired',
      kind: 'ENDPOINT_DISABLED',
      ruleId: null,
      endpointId: disabled.id,
      value: 20,
    });
    expect(verifies(other.secret, hit)).toBe(true);
    await sleep(500);
    expect(receiver().on('/disabled')).toEqual([]);
    const listed = (await alertsOf(server(), 'FIRING')).find((a) => a.id === view.id);
    expect(listed).toMatchObject({ kind: 'ENDPOINT_DISABLED', rule: null, endpointId: disabled.id });
  });
});

describe('alert rules with a viewer token', () => {
  const guarded = serverForSuite(sqlite, { API_TOKENS: TOKENS, ROLE: 'api' });

  it('a viewer reads rules and alerts but may not create, change or delete a rule', async () => {
    const made = await guarded().gql(CREATE_RULE, { in: { kind: 'QUEUE_DEPTH', threshold: 5 } }, admin);
    expect(made.errors).toBeUndefined();
    const id = made.data.createAlertRule.id;
    const refused = [
      await guarded().gql(CREATE_RULE, { in: { kind: 'QUEUE_DEPTH', threshold: 5 } }, viewer),
      await guarded().gql('mutation($id: ID!) { updateAlertRule(id: $id, input: { enabled: false }) { id } }', { id }, viewer),
      await guarded().gql('mutation($id: ID!) { deleteAlertRule(id: $id) }', { id }, viewer),
    ];
    for (const res of refused) expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const read = await guarded().gql('{ alertRules { id enabled } alerts { id } }', {}, viewer);
    expect(read.data).toEqual({ alertRules: [{ id, enabled: true }], alerts: [] });
  });
});
