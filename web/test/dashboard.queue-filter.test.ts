import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const rowIds = (page: Page) => page.locator('tbody tr[data-job-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
const rowQueues = (page: Page) =>
  page.locator('tbody tr[data-job-id] [data-queue]').evaluateAll((cells) => cells.map((c) => c.getAttribute('data-queue')));

describe('the job list by queue', () => {
  const suite = browserSuite();
  const ids: Record<string, string[]> = { emails: [], reports: [], default: [] };

  beforeAll(async () => {
    for (let i = 0; i < 3; i++) ids.emails.push((await createParkedJob(suite.app, { taskName: 'send-email', queue: 'emails' })).id);
    for (let i = 0; i < 2; i++) ids.reports.push((await createParkedJob(suite.app, { taskName: 'build-report', queue: 'reports' })).id);
    ids.default.push((await createParkedJob(suite.app, { taskName: 'send-email' })).id);
  });

  it('shows each job’s queue, filters by the queue picked (kept in the URL) and clears it', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/');
    await expect.poll(() => page.getByTestId('page-range').textContent()).toBe('1–6 of 6');
    expect((await rowQueues(page)).sort()).toEqual(['default', 'emails', 'emails', 'emails', 'reports', 'reports']);

    const select = page.getByLabel('Queue', { exact: true });
    await expect
      .poll(() => select.locator('option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)))
      .toEqual(['', 'default', 'emails', 'reports']);
    expect(await select.locator('option').first().textContent()).toBe('All queues');

    await select.selectOption('emails');
    await expect.poll(() => rowIds(page).then((r) => r.sort())).toEqual([...ids.emails].sort());
    expect(await rowQueues(page)).toEqual(['emails', 'emails', 'emails']);
    expect(new URL(page.url()).searchParams.get('queue')).toBe('emails');

    // With another filter, and across a reload.
    await page.getByLabel('Search', { exact: true }).fill('send-email');
    await expect.poll(() => new URL(page.url()).searchParams.get('q')).toBe('send-email');
    await page.reload();
    await expect.poll(() => rowIds(page).then((r) => r.sort())).toEqual([...ids.emails].sort());
    await expect.poll(() => select.inputValue()).toBe('emails');

    // A job created elsewhere in another queue stays out; one in this queue comes in live.
    await page.locator('[data-connection="live"]').waitFor();
    const other = await createParkedJob(suite.app, { taskName: 'send-email', queue: 'reports' });
    const mine = await createParkedJob(suite.app, { taskName: 'send-email', queue: 'emails' });
    await expect.poll(() => rowIds(page)).toContain(mine.id);
    expect(await rowIds(page)).not.toContain(other.id);

    await page.getByRole('button', { name: 'Clear filters' }).click();
    await expect.poll(() => page.getByTestId('page-range').textContent()).toBe('1–8 of 8');
    expect(new URL(page.url()).search).toBe('');
    expect(await select.inputValue()).toBe('');
    expect(errors).toEqual([]);
  });

  it('offers a queue that first appears while the page is open', async () => {
    const { page } = await suite.openPage();
    await page.goto('/');
    await page.locator('[data-connection="live"]').waitFor();
    const select = page.getByLabel('Queue', { exact: true });
    await expect.poll(() => select.locator('option[value="reports"]').count()).toBe(1);
    expect(await select.locator('option[value="thumbnails"]').count()).toBe(0);
    await createParkedJob(suite.app, { taskName: 'resize-image', queue: 'thumbnails' });
    await expect.poll(() => select.locator('option[value="thumbnails"]').count()).toBe(1);
  });
});
