import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob, type TestApp } from './support/app.ts';
import { horizontalOverflow } from './support/browser.ts';
import { browserSuite } from './support/suite.ts';

const QUEUE_FIELDS = 'name paused concurrencyLimit rateLimit { max perMs } keyConcurrency pending';

async function stored(app: TestApp, name: string, headers: Record<string, string> = {}) {
  const res = await app.gql(`query($name: String) { queue(name: $name) { ${QUEUE_FIELDS} } }`, { name }, headers);
  return res.data.queue as Record<string, any>;
}

async function updateQueue(app: TestApp, name: string, input: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await app.gql(
    'mutation($name: String!, $input: UpdateQueueInput!) { updateQueue(name: $name, input: $input) { name } }',
    { name, input },
    headers,
  );
  if (res.errors) throw new Error(`updateQueue failed: ${JSON.stringify(res.errors)}`);
}

const card = (page: Page, name: string) => page.locator(`[data-queue="${name}"]`);
const metric = (page: Page, name: string, key: string) => card(page, name).locator(`[data-metric="${key}"]`).textContent();
const badge = (page: Page, name: string) => card(page, name).locator('[data-queue-state]');

describe('the queues page', () => {
  const suite = browserSuite();

  beforeAll(async () => {
    await updateQueue(suite.app, 'emails', {
      concurrencyLimit: 5,
      rateLimit: { max: 20, perMs: 1000 },
      keyConcurrency: 2,
      retention: { completed: '12h', failed: '0' },
    });
    for (let i = 0; i < 3; i++) await createParkedJob(suite.app, { taskName: 'send-email', queue: 'emails' });
    await createParkedJob(suite.app, { taskName: 'build-report', queue: 'reports' });
  });

  it('lists every queue with its limits and counts from the API', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/queues');
    await card(page, 'emails').waitFor();
    expect(await page.locator('[data-queue]').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-queue')))).toEqual([
      'default',
      'emails',
      'reports',
    ]);

    expect(await metric(page, 'emails', 'depth')).toBe('3');
    expect((await metric(page, 'emails', 'running'))?.replace(/\s+/g, ' ')).toBe('0 / 5');
    expect(await metric(page, 'emails', 'rate')).toBe('20 per 1 s');
    expect((await metric(page, 'emails', 'key-concurrency'))?.trim()).toBe('2 per key');
    expect((await metric(page, 'emails', 'oldest-wait'))?.trim()).toBe('nothing due');
    expect(await card(page, 'emails').locator('[data-count="pending"] [data-count-value]').textContent()).toBe('3');
    expect(await badge(page, 'emails').textContent()).toBe('Active');

    expect((await metric(page, 'reports', 'running'))?.replace(/\s+/g, ' ')).toBe('0 / no limit');
    expect(await metric(page, 'reports', 'rate')).toBe('none');
    expect((await metric(page, 'reports', 'key-concurrency'))?.trim()).toBe('no limit');
    // The retention in force: the queue's own where it has one, else the RETENTION_* defaults.
    expect((await metric(page, 'emails', 'retention'))?.replace(/\s+/g, ' ').trim()).toBe(
      'completed 12 h · failed forever · cancelled 7 d',
    );
    expect((await metric(page, 'reports', 'retention'))?.replace(/\s+/g, ' ').trim()).toBe('completed 7 d · failed 30 d · cancelled 7 d');

    // A count links to that queue's jobs on the dashboard.
    await card(page, 'emails').locator('[data-count="pending"]').click();
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('queue') === 'emails');
    expect(new URL(page.url()).searchParams.get('status')).toBe('PENDING');
    expect(errors).toEqual([]);
  });

  it('is live: a job another client creates moves the depth without a reload', async () => {
    const { page } = await suite.openPage();
    await page.goto('/queues');
    await page.locator('[data-connection="live"]').waitFor();
    await card(page, 'reports').waitFor();
    const before = Number(await metric(page, 'reports', 'depth'));
    await createParkedJob(suite.app, { taskName: 'build-report', queue: 'reports' });
    await expect.poll(async () => Number(await metric(page, 'reports', 'depth'))).toBe(before + 1);
  });

  it('puts a bad limit’s server error on its field, then saves a good one (checked through the API)', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/queues');
    await card(page, 'emails').getByRole('button', { name: 'Edit limits of queue emails' }).click();
    const dialog = page.getByRole('dialog', { name: 'Limits of queue emails' });
    await dialog.waitFor();
    // The form starts from the queue's settings, focus on its first field.
    expect(await dialog.getByLabel('Concurrency limit').inputValue()).toBe('5');
    expect(await dialog.getByLabel('Starts per window').inputValue()).toBe('20');
    expect(await dialog.getByLabel('Window (ms)').inputValue()).toBe('1000');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('queue-concurrencyLimit');

    await dialog.getByLabel('Concurrency limit').fill('0');
    await dialog.getByRole('button', { name: 'Save limits' }).click();
    const error = dialog.locator('[data-field-error="queue-concurrencyLimit"]');
    await expect.poll(() => error.textContent()).toContain('1..100000');
    expect(await dialog.getByLabel('Concurrency limit').getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('queue-concurrencyLimit');
    expect((await stored(suite.app, 'emails')).concurrencyLimit).toBe(5);

    // A half-filled rate limit is refused before anything is sent.
    await dialog.getByLabel('Concurrency limit').fill('8');
    await dialog.getByLabel('Starts per window').fill('');
    await dialog.getByRole('button', { name: 'Save limits' }).click();
    await expect.poll(() => dialog.locator('[data-field-error="queue-max"]').textContent()).toContain('starts per window');
    expect((await stored(suite.app, 'emails')).concurrencyLimit).toBe(5);

    // Both halves empty: no rate limit.
    await dialog.getByLabel('Window (ms)').fill('');
    await dialog.getByRole('button', { name: 'Save limits' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Limits of queue “emails” saved' }).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    expect(await stored(suite.app, 'emails')).toMatchObject({ concurrencyLimit: 8, rateLimit: null, keyConcurrency: 2 });
    await expect.poll(async () => (await metric(page, 'emails', 'running'))?.replace(/\s+/g, ' ')).toBe('0 / 8');
    expect(await metric(page, 'emails', 'rate')).toBe('none');
    // Focus is back on the button that opened the form.
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit limits of queue emails');

    // Emptying a limit sends null: no limit.
    await card(page, 'emails').getByRole('button', { name: 'Edit limits of queue emails' }).click();
    await dialog.getByLabel('Key concurrency').fill('');
    await dialog.getByLabel('Starts per window').fill('100');
    await dialog.getByLabel('Window (ms)').fill('60000');
    await dialog.getByRole('button', { name: 'Save limits' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await stored(suite.app, 'emails')).toMatchObject({
      concurrencyLimit: 8,
      rateLimit: { max: 100, perMs: 60000 },
      keyConcurrency: null,
    });
    await expect.poll(() => metric(page, 'emails', 'rate')).toBe('100 per 1 min');
    expect(errors).toEqual([]);
  });

  it('pauses and resumes a queue: the badge follows, and so does the API', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/queues');
    await badge(page, 'reports').waitFor();
    expect(await badge(page, 'reports').textContent()).toBe('Active');

    await card(page, 'reports').getByRole('button', { name: 'Pause queue reports' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Queue “reports” paused' }).waitFor();
    await expect.poll(() => badge(page, 'reports').textContent()).toBe('Paused');
    expect((await stored(suite.app, 'reports')).paused).toBe(true);
    // The others stay as they were.
    expect(await badge(page, 'emails').textContent()).toBe('Active');

    await card(page, 'reports').getByRole('button', { name: 'Resume queue reports' }).click();
    await expect.poll(() => badge(page, 'reports').textContent()).toBe('Active');
    expect((await stored(suite.app, 'reports')).paused).toBe(false);

    // Paused by another client: the page catches up by itself.
    await suite.app.gql('mutation { pauseQueue(name: "reports") { name } }');
    await expect.poll(() => badge(page, 'reports').textContent()).toBe('Paused');
    await suite.app.gql('mutation { resumeQueue(name: "reports") { name } }');
    await expect.poll(() => badge(page, 'reports').textContent()).toBe('Active');

    // Every queue at once, after a confirmation.
    const states = () => page.locator('[data-queue-state]').evaluateAll((badges) => badges.map((b) => b.getAttribute('data-queue-state')));
    await page.getByRole('button', { name: 'Pause all' }).click();
    const confirm = page.getByRole('dialog', { name: 'Pause every queue?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect(await states()).toEqual(['active', 'active', 'active']);
    await page.getByRole('button', { name: 'Pause all' }).click();
    await confirm.getByRole('button', { name: 'Pause all' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Every queue paused' }).waitFor();
    await expect.poll(states).toEqual(['paused', 'paused', 'paused']);
    expect((await suite.app.gql('{ queues { paused } }')).data.queues).toEqual([{ paused: true }, { paused: true }, { paused: true }]);
    expect(await page.getByRole('button', { name: 'Pause all' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Resume all' }).click();
    await expect.poll(states).toEqual(['active', 'active', 'active']);
    expect((await suite.app.gql('{ queues { paused } }')).data.queues).toEqual([{ paused: false }, { paused: false }, { paused: false }]);
    expect(errors).toEqual([]);
  });

  it('creates a queue’s settings under a new name, with the server’s name error on the name field', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/queues');
    await card(page, 'default').waitFor();
    await page.getByRole('button', { name: 'New queue' }).click();
    const dialog = page.getByRole('dialog', { name: 'New queue' });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('queue-name');

    await dialog.getByLabel('Name').fill('Imports!');
    await dialog.getByLabel('Concurrency limit').fill('3');
    await dialog.getByRole('button', { name: 'Create queue' }).click();
    await expect.poll(() => dialog.locator('[data-field-error="queue-name"]').textContent()).toContain('[a-z0-9._-]');
    expect((await suite.app.gql('{ queues { name } }')).data.queues.map((q: { name: string }) => q.name)).not.toContain('Imports!');

    // A name in use is refused here: its card edits it.
    await dialog.getByLabel('Name').fill('emails');
    await dialog.getByRole('button', { name: 'Create queue' }).click();
    await expect.poll(() => dialog.locator('[data-field-error="queue-name"]').textContent()).toContain('exists already');

    await dialog.getByLabel('Name').fill('imports');
    await dialog.getByLabel('Starts per window').fill('20');
    await dialog.getByLabel('Window (ms)').fill('1000');
    await dialog.getByLabel(/Start paused/).check();
    await dialog.getByRole('button', { name: 'Create queue' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Queue “imports” created' }).waitFor();
    await card(page, 'imports').waitFor();
    expect(await stored(suite.app, 'imports')).toMatchObject({
      name: 'imports',
      paused: true,
      concurrencyLimit: 3,
      rateLimit: { max: 20, perMs: 1000 },
      keyConcurrency: null,
    });
    expect(await badge(page, 'imports').textContent()).toBe('Paused');
    expect(await metric(page, 'imports', 'rate')).toBe('20 per 1 s');
    expect(errors).toEqual([]);
  });

  it('works from the keyboard, fits a 360 px phone and has no serious axe violations, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const { page, context } = await suite.openPage({ colorScheme, width: 360, height: 740 });
      await page.goto('/queues');
      await page.locator('[data-connection="live"]').waitFor();
      await card(page, 'emails').waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      const axe = async (where: string) => {
        const { violations } = await new AxeBuilder({ page }).analyze();
        return violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ where, colorScheme, rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
      };
      expect(await axe('page')).toEqual([]);

      await card(page, 'emails').getByRole('button', { name: 'Edit limits of queue emails' }).focus();
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Limits of queue emails' });
      await dialog.waitFor();
      expect(await horizontalOverflow(page)).toBe(0);
      expect(await axe('edit dialog')).toEqual([]);
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'hidden' });
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Edit limits of queue emails');
      await context.close();
    }
  });
});

describe('the queues page with a viewer token', () => {
  const ADMIN = 'queues-test-admin-token-0123456789';
  const VIEWER = 'queues-test-viewer-token-0123456789';
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });
  const admin = { authorization: `Bearer ${ADMIN}` };

  beforeAll(async () => {
    await updateQueue(suite.app, 'emails', { concurrencyLimit: 4 }, admin);
  });

  it('shows the queues read-only: no pause or edit button, and the API refuses a pause anyway', async () => {
    const { page, context, errors } = await suite.openPage();
    await context.addInitScript((token) => localStorage.setItem('jobs.apiToken', token), VIEWER);
    await page.goto('/queues');
    await card(page, 'emails').waitFor();
    await page.getByTestId('read-only').waitFor();
    expect((await metric(page, 'emails', 'running'))?.replace(/\s+/g, ' ')).toBe('0 / 4');
    expect(await badge(page, 'emails').textContent()).toBe('Active');
    expect(await page.getByRole('button', { name: /^(Pause|Resume|Edit limits|New queue)/ }).count()).toBe(0);

    const refused = await suite.app.gql('mutation { pauseQueue(name: "emails") { paused } }', {}, { authorization: `Bearer ${VIEWER}` });
    expect(refused.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await stored(suite.app, 'emails', admin)).paused).toBe(false);
    expect(errors).toEqual([]);
  });
});
