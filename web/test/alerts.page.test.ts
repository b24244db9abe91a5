import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

describe('the alerts page and banner', () => {
  const suite = browserSuite({ ALERT_EVALUATION_INTERVAL_MS: '200' });

  it('creates a rule from the form, and the banner appears live when it fires, linking to the alerts page', async () => {
    const { app } = suite;
    const { page, errors } = await suite.openPage();
    await page.goto('/alerts');
    await page.getByText('No rules yet.').waitFor();
    expect(await page.getByTestId('alert-banner').count()).toBe(0);

    // A bad queue name is refused on its field.
    await page.locator('#rule-kind').selectOption('QUEUE_DEPTH');
    await page.locator('#rule-queue').fill('Not A Queue');
    await page.locator('#rule-threshold').fill('2');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await page.locator('[data-field-error="rule-queue"]').waitFor();

    await page.locator('#rule-queue').fill('later');
    await page.getByRole('button', { name: 'Create rule' }).click();
    const row = page.locator('[data-rule]');
    await row.waitFor();
    expect(await row.textContent()).toContain('QUEUE_DEPTH');
    const rules = (await app.gql('{ alertRules { kind queue threshold } }')).data.alertRules;
    expect(rules).toEqual([{ kind: 'QUEUE_DEPTH', queue: 'later', threshold: 2 }]);

    // Two jobs not yet due: the depth reaches the threshold and the rule fires; the page is not reloaded.
    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    for (let i = 0; i < 2; i++) {
      const res = await app.gql(`mutation { createJob(input: { taskName: "noop", queue: "later", runAt: "${runAt}" }) { id } }`);
      expect(res.errors).toBeUndefined();
    }
    const banner = page.getByTestId('alert-banner');
    await banner.waitFor({ timeout: 10_000 });
    expect(await banner.textContent()).toContain('QUEUE_DEPTH on later');
    await page.locator('[data-alert][data-state="FIRING"]').waitFor();
    await page.locator('[data-rule-state="FIRING"]').waitFor();

    await page.goto('/');
    await banner.waitFor();
    await banner.getByRole('link', { name: 'See alerts' }).click();
    await page.waitForURL('**/alerts');

    // Editing fills the form with the rule; saving changes that rule, not a new one.
    const ruleId = (await app.gql('{ alertRules { id } }')).data.alertRules[0].id;
    await page.getByRole('button', { name: `Edit rule ${ruleId}` }).click();
    await page.locator(`[data-testid="alert-rule-form"][data-editing="${ruleId}"]`).waitFor();
    expect(await page.locator('#rule-queue').inputValue()).toBe('later');
    await page.locator('#rule-threshold').fill('5');
    await page.locator('#rule-task').fill('noop');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.locator('[data-testid="alert-rule-form"][data-editing=""]').waitFor();
    await page.locator('[data-rule]', { hasText: 'task noop' }).waitFor();
    expect((await app.gql('{ alertRules { id queue taskName threshold } }')).data.alertRules).toEqual([
      { id: ruleId, queue: 'later', taskName: 'noop', threshold: 5 },
    ]);
    // Two pending jobs are below the new threshold: the alert resolves and the rule shows OK.
    await page.locator('[data-rule-state="OK"]').waitFor({ timeout: 10_000 });

    // Deleting asks first; the history stays.
    await page.getByRole('button', { name: /^Delete rule / }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete rule' }).click();
    await page.getByText('No rules yet.').waitFor();
    expect((await app.gql('{ alertRules { id } }')).data.alertRules).toEqual([]);
    expect((await app.gql('{ alerts { kind } }')).data.alerts.length).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe('the alerts page with a viewer token', () => {
  const ADMIN = 'alerts-test-admin-token-0123456789';
  const VIEWER = 'alerts-test-viewer-token-0123456789';
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });

  it('lists the rules without the form, switch or delete button', async () => {
    const made = await suite.app.gql(
      'mutation { createAlertRule(input: { kind: QUEUE_DEPTH, threshold: 50 }) { id } }',
      {},
      {
        authorization: `Bearer ${ADMIN}`,
      },
    );
    expect(made.errors).toBeUndefined();
    const { page, context, errors } = await suite.openPage();
    await context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), VIEWER);
    await page.goto('/alerts');
    await page.getByTestId('read-only').waitFor();
    const row = page.locator(`[data-rule="${made.data.createAlertRule.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('QUEUE_DEPTH');
    expect(await page.getByTestId('alert-rule-form').count()).toBe(0);
    expect(await row.getByRole('button').count()).toBe(0);
    expect(await row.getByRole('switch').count()).toBe(0);
    expect(errors).toEqual([]);
  });
});
