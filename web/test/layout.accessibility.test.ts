import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { horizontalOverflow } from './support/browser.ts';
import { browserSuite } from './support/suite.ts';
import { TASK_MODULES, writeTasksDir } from './support/tasks.ts';

describe('layout, accessibility and theme', () => {
  const suite = browserSuite({ WEBHOOK_MAX_RETRIES: '0', TASKS_DIR: writeTasksDir(TASK_MODULES) });
  let detailPath = '';
  let failedPath = '';
  let loggedPath = '';

  beforeAll(async () => {
    // A finished job with a long task name, a nested payload, a result and a webhook attempt: the widest detail page.
    const done = await createParkedJob(suite.app, {
      taskName: 'a-rather-long-task-name-that-could-push-a-phone-layout-sideways',
      priority: 'HIGH',
      payload: { durationMs: 150, customer: { id: 'cus_0123456789abcdef', tags: ['priority', 'enterprise'] } },
    });
    await suite.app.gql(`mutation { runJob(id: "${done.id}") { id } }`);
    const failed = await createParkedJob(suite.app, { taskName: 'import-csv', maxAttempts: 1, payload: { durationMs: 50, fail: true } });
    await suite.app.gql(`mutation { runJob(id: "${failed.id}") { id } }`);
    failedPath = `/jobs/${failed.id}`;
    // Log lines of every level, for the colours' contrast in both themes.
    const logged = await createParkedJob(suite.app, { taskName: 'chatty', payload: { lines: 4, intervalMs: 0 } });
    await suite.app.gql(`mutation { runJob(id: "${logged.id}") { id } }`);
    loggedPath = `/jobs/${logged.id}`;
    for (let i = 0; i < 6; i++) await createParkedJob(suite.app, { taskName: `task-${i}`, priority: i % 2 ? 'MEDIUM' : 'LOW' });
    for (;;) {
      const { data } = await suite.app.gql(`{ job(id: "${done.id}") { status webhookLogs { id } } }`);
      const logs = (await suite.app.gql(`{ job(id: "${logged.id}") { logs { seq } } }`)).data.job.logs;
      if (data.job.status === 'COMPLETED' && data.job.webhookLogs.length > 0 && logs.length === 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    detailPath = `/jobs/${done.id}`;
  });

  async function settle(page: Page, path: string) {
    await page.goto(path);
    await page.locator('[data-connection="live"]').waitFor();
    await page.locator('[data-state="loading"]').waitFor({ state: 'detached' });
  }

  it('never scrolls sideways at 360 × 740', async () => {
    const { page, errors } = await suite.openPage({ width: 360, height: 740 });
    for (const path of ['/', '/jobs/new', detailPath, '/schedules', '/queues', '/tasks', '/webhooks', '/?status=FAILED']) {
      await settle(page, path);
      expect({ path, overflow: await horizontalOverflow(page) }).toEqual({ path, overflow: 0 });
    }
    await page.goto('/playground');
    await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
    expect({ path: '/playground', overflow: await horizontalOverflow(page) }).toEqual({ path: '/playground', overflow: 0 });
    expect(errors).toEqual([]);
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    it(`has no serious or critical axe violations on /, /jobs/new, /jobs/[id], a failed and a logging /jobs/[id], /tasks, /queues and /webhooks (${colorScheme})`, async () => {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 360, height: 740 },
      ]) {
        const { page, context } = await suite.openPage({ colorScheme, ...viewport });
        for (const path of ['/', '/jobs/new', detailPath, failedPath, loggedPath, '/tasks', '/queues', '/webhooks']) {
          await settle(page, path);
          expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(colorScheme === 'dark');
          const { violations } = await new AxeBuilder({ page }).analyze();
          const serious = violations
            .filter((v) => v.impact === 'serious' || v.impact === 'critical')
            .map((v) => ({ path, width: viewport.width, rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
          expect(serious).toEqual([]);
        }
        await context.close();
      }
    });
  }

  it('toggles the theme and remembers the choice across a reload', async () => {
    const { page } = await suite.openPage({ colorScheme: 'light' });
    await settle(page, '/');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await page.reload();
    await page.getByRole('button', { name: 'Switch to light theme' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
  });

  it('is usable from the keyboard: skip link, filters and a confirmed delete without a mouse', async () => {
    const { page } = await suite.openPage();
    await settle(page, '/?q=task-5');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const row = page.locator('tbody tr[data-job-id]');
    await expect.poll(() => row.count()).toBe(1);
    const id = await row.getAttribute('data-job-id');
    await page.getByRole('button', { name: `Delete job ${id}` }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Delete job #${id}?` });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: `Delete job ${id}` }).focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: 'Delete job' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('No jobs match these filters').waitFor();
  });
});
