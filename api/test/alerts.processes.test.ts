import { describe, expect, it } from 'vitest';
import { mariadb, MYSQL_SKIP_REASON, startedByTests } from './support/server.js';
import { eventually } from './support/webhooks.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** This process's `alert_evaluations_total`, from its /metrics. */
async function evaluations(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('alert_evaluations_total '));
  return Number(line?.split(' ')[1] ?? 0);
}

describe.skipIf(!!MYSQL_SKIP_REASON)('alert evaluation across worker processes on mariadb', () => {
  const started = startedByTests();

  it('with 3 worker processes exactly one evaluates, and a rule fires once', async () => {
    const url = await mariadb.create();
    const api = await started.server(mariadb, { ROLE: 'api', DATABASE_URL: url });
    const rule = await api.gql('mutation($in: AlertRuleInput!) { createAlertRule(input: $in) { id } }', {
      in: { kind: 'QUEUE_DEPTH', queue: 'later', threshold: 3 },
    });
    expect(rule.errors).toBeUndefined();
    // Pending, not due: nobody runs them, so the depth holds at 3 while the workers evaluate.
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    for (let i = 0; i < 3; i++) {
      const res = await api.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
        in: { taskName: 'noop', queue: 'later', runAt },
      });
      expect(res.errors).toBeUndefined();
    }
    const env = { DATABASE_URL: url, ROLE: 'worker', ALERT_EVALUATION_INTERVAL_MS: '200', WORKER_POLL_MS: '200' };
    const workers = [started.process(env), started.process(env), started.process(env)];
    const urls = await Promise.all(workers.map((w) => w.ready));

    await eventually(
      async () => {
        const res = await api.gql('{ alerts { id state value } }');
        return res.data.alerts.length === 1 ? true : undefined;
      },
      20_000,
      'the alert fired',
    );
    await sleep(3000);
    const counts = await Promise.all(urls.map(evaluations));
    expect(
      counts.filter((n) => n > 0),
      `evaluations per process: ${counts}`,
    ).toHaveLength(1);
    expect(Math.max(...counts)).toBeGreaterThanOrEqual(5);
    const alerts = (await api.gql('{ alerts { kind state value rule { id } } }')).data.alerts;
    expect(alerts).toEqual([{ kind: 'QUEUE_DEPTH', state: 'FIRING', value: 3, rule: { id: rule.data.createAlertRule.id } }]);
  });
});
