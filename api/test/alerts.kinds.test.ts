import { Ajv2020 } from 'ajv/dist/2020.js';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../src/webhooks/event-types.js';
import { MYSQL_SKIP_REASON, serverForSuite, testDatabases, type TestServer } from './support/server.js';
import { eventually, receiverForSuite, type Receiver } from './support/webhooks.js';

/**
 * The QUEUE_BACKLOG_AGE and NO_WORKERS kinds over the real server: each fires once while its condition
 * holds and resolves when it stops, and both events reach the subscribed endpoint signed and matching
 * their documented schemas.
 */

if (MYSQL_SKIP_REASON) console.warn(MYSQL_SKIP_REASON);

const INTERVAL_MS = 200;
const CREATE_ENDPOINT = `mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { secret endpoint { id } } }`;
const CREATE_RULE = `mutation($in: AlertRuleInput!) { createAlertRule(input: $in) { id } }`;
const ALERTS = `{ alerts { id kind state value firedAt resolvedAt rule { id } } }`;
const CREATE_JOB = 'mutation($in: CreateJobInput!) { createJob(input: $in) { id } }';

const ok = () => ({ status: 200 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const ajv = new Ajv2020({ strict: true, validateFormats: false });
const validators = new Map(WEBHOOK_EVENT_TYPES.map((t) => [t.name, ajv.compile(t.schema)]));

async function data<T = any>(server: TestServer, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await server.gql<T>(query, variables);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return res.data;
}

async function alertsOfRule(server: TestServer, ruleId: string): Promise<any[]> {
  return (await data(server, ALERTS)).alerts.filter((a: any) => a.rule?.id === ruleId);
}

/** Waits for the rule's alert to reach `state`, and answers it. */
function alertIn(server: TestServer, ruleId: string, state: 'FIRING' | 'RESOLVED'): Promise<any> {
  return eventually(
    async () => (await alertsOfRule(server, ruleId)).find((a) => a.state === state),
    15_000,
    `rule ${ruleId}'s alert ${state}`,
  );
}

/** The fired and resolved bodies of one alert at `path`, each verified with `secret` and checked against its schema. */
async function deliveredPair(receiver: Receiver, path: string, alertId: string, secret: string): Promise<any[]> {
  const hits = await eventually(
    () => {
      const h = receiver.on(path).filter((hit) => JSON.parse(hit.body).alertId === alertId);
      return h.length >= 2 ? h : undefined;
    },
    10_000,
    `alert ${alertId}'s two deliveries on ${path}`,
  );
  return hits.map((hit) => {
    const body = new Webhook(secret).verify(hit.body, hit.headers as Record<string, string>) as { type: string };
    const validate = validators.get(body.type)!;
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true);
    return body;
  });
}

describe.each(testDatabases())('alert kinds on $name', (db) => {
  const receiver = receiverForSuite({ '/alerts': ok });
  // This process's worker claims the default and the backlog queue only: the orphans queue has no worker.
  const server = serverForSuite(db, () => ({
    ALERT_EVALUATION_INTERVAL_MS: String(INTERVAL_MS),
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    WORKER_QUEUES: 'default,backlog',
  }));
  let secret = '';

  async function subscribe(s: TestServer): Promise<void> {
    if (secret) return;
    const created = await data(s, CREATE_ENDPOINT, {
      in: { url: `${receiver().url}/alerts`, eventTypes: ['alert.fired', 'alert.resolved'] },
    });
    secret = created.createWebhookEndpoint.secret;
  }

  it('QUEUE_BACKLOG_AGE fires once the oldest due job of a paused queue has waited past the threshold, and resolves once it ran', async () => {
    const s = server();
    await subscribe(s);
    await data(s, 'mutation { pauseQueue(name: "backlog") { name } }');
    const ruleId = (await data(s, CREATE_RULE, { in: { kind: 'QUEUE_BACKLOG_AGE', queue: 'backlog', threshold: 1000 } })).createAlertRule
      .id;
    const createdAt = Date.now();
    await data(s, CREATE_JOB, { in: { taskName: 'noop', queue: 'backlog' } });

    const fired = await alertIn(s, ruleId, 'FIRING');
    expect(Date.parse(fired.firedAt) - createdAt).toBeGreaterThanOrEqual(1000);
    expect(fired).toMatchObject({ kind: 'QUEUE_BACKLOG_AGE', resolvedAt: null });
    expect(fired.value).toBeGreaterThanOrEqual(1000);
    // Still holding over more passes: one alert, not one per pass.
    await sleep(INTERVAL_MS * 4);
    expect(await alertsOfRule(s, ruleId)).toHaveLength(1);

    await data(s, 'mutation { resumeQueue(name: "backlog") { name } }');
    const resolved = await alertIn(s, ruleId, 'RESOLVED');
    expect(resolved.id).toBe(fired.id);
    expect((await data(s, '{ jobs(filter: { queue: "backlog" }) { jobs { status } } }')).jobs.jobs).toEqual([{ status: 'COMPLETED' }]);

    const [firedBody, resolvedBody] = await deliveredPair(receiver(), '/alerts', fired.id, secret);
    expect(firedBody).toMatchObject({
      type: 'alert.fired',
      kind: 'QUEUE_BACKLOG_AGE',
      ruleId,
      queue: 'backlog',
      threshold: 1000,
      resolvedAt: null,
    });
    expect(resolvedBody).toMatchObject({ type: 'alert.resolved', kind: 'QUEUE_BACKLOG_AGE', ruleId, resolvedAt: resolved.resolvedAt });
  });

  it('NO_WORKERS fires for due work in a queue no live worker claims, and resolves once that work is gone', async () => {
    const s = server();
    await subscribe(s);
    const ruleId = (await data(s, CREATE_RULE, { in: { kind: 'NO_WORKERS', queue: 'orphans', threshold: 1 } })).createAlertRule.id;
    // Work due later is not due work: nothing fires for it.
    await data(s, CREATE_JOB, { in: { taskName: 'noop', queue: 'orphans', runAt: new Date(Date.now() + 3_600_000).toISOString() } });
    await sleep(INTERVAL_MS * 4);
    expect(await alertsOfRule(s, ruleId)).toEqual([]);

    const due = (await data(s, CREATE_JOB, { in: { taskName: 'noop', queue: 'orphans' } })).createJob.id;
    const fired = await alertIn(s, ruleId, 'FIRING');
    expect(fired).toMatchObject({ kind: 'NO_WORKERS', value: 1, resolvedAt: null });
    await sleep(INTERVAL_MS * 4);
    expect(await alertsOfRule(s, ruleId)).toHaveLength(1);

    await data(s, 'mutation($id: ID!) { cancelJob(id: $id) { status } }', { id: due });
    const resolved = await alertIn(s, ruleId, 'RESOLVED');
    expect(resolved.id).toBe(fired.id);

    const [firedBody, resolvedBody] = await deliveredPair(receiver(), '/alerts', fired.id, secret);
    expect(firedBody).toMatchObject({ type: 'alert.fired', kind: 'NO_WORKERS', ruleId, queue: 'orphans', value: 1, threshold: 1 });
    expect(resolvedBody).toMatchObject({ type: 'alert.resolved', kind: 'NO_WORKERS', ruleId, resolvedAt: resolved.resolvedAt });
  });

  it('NO_WORKERS does not fire for a paused queue that a live worker claims', async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "default") { name } }');
    try {
      const ruleId = (await data(s, CREATE_RULE, { in: { kind: 'NO_WORKERS', queue: 'default', threshold: 1 } })).createAlertRule.id;
      await data(s, CREATE_JOB, { in: { taskName: 'noop' } });
      await sleep(INTERVAL_MS * 6);
      expect(await alertsOfRule(s, ruleId)).toEqual([]);
    } finally {
      await data(s, 'mutation { resumeQueue(name: "default") { name } }');
    }
  });
});

describe.each(testDatabases())('NO_WORKERS with a worker that claims every queue, on $name', (db) => {
  const server = serverForSuite(db, { ALERT_EVALUATION_INTERVAL_MS: String(INTERVAL_MS) });

  it('does not fire for due work in a paused queue: a worker without WORKER_QUEUES claims from every queue', async () => {
    const s = server();
    await data(s, 'mutation { pauseQueue(name: "anything") { name } }');
    const ruleId = (await data(s, CREATE_RULE, { in: { kind: 'NO_WORKERS', queue: 'anything', threshold: 1 } })).createAlertRule.id;
    await data(s, CREATE_JOB, { in: { taskName: 'noop', queue: 'anything' } });
    await sleep(INTERVAL_MS * 6);
    expect(await alertsOfRule(s, ruleId)).toEqual([]);
  });
});
