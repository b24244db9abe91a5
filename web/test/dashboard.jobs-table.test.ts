import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const rowIds = (page: Page) => page.locator('tbody tr[data-job-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-job-id')));
const stat = (page: Page, key: string) => page.locator(`[data-stat="${key}"] [data-stat-value]`).textContent();

describe('the dashboard', () => {
  const suite = browserSuite();
  const ids: Record<string, string[]> = { high: [], emails: [], all: [] };

  beforeAll(async () => {
    // 25 parked jobs: 3 HIGH "send-email", 22 LOW "resize-image"; one of them cancelled.
    for (let i = 0; i < 3; i++) {
      const job = await createParkedJob(suite.app, { taskName: 'send-email', priority: 'HIGH', payload: { to: `user${i}@example.com` } });
      ids.high.push(job.id);
      ids.emails.push(job.id);
    }
    for (let i = 0; i < 22; i++)
      ids.all.push((await createParkedJob(suite.app, { taskName: 'resize-image', payload: { image: `photo-${i}.png` } })).id);
    await suite.app.gql(`mutation { cancelJob(id: "${ids.all[0]}") { id } }`);
  });

  it('filters by status, priority and search, keeps the filters in the URL across a reload, and pages', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/');
    await expect.poll(() => page.getByTestId('page-range').textContent()).toBe('1–20 of 25');
    expect(await rowIds(page)).toHaveLength(20);

    await page.getByRole('link', { name: 'Next' }).click();
    await expect.poll(() => page.getByTestId('page-range').textContent()).toBe('21–25 of 25');
    expect(await rowIds(page)).toHaveLength(5);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');

    await page.getByLabel('Priority', { exact: true }).selectOption('HIGH');
    await expect.poll(() => rowIds(page).then((r) => r.sort())).toEqual([...ids.high].sort());
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();

    await page.getByLabel('Priority', { exact: true }).selectOption('');
    await page.getByLabel('Status', { exact: true }).selectOption('CANCELLED');
    await expect.poll(() => rowIds(page)).toEqual([ids.all[0]]);

    await page.getByLabel('Status', { exact: true }).selectOption('PENDING');
    await page.getByLabel('Search', { exact: true }).fill('photo-7');
    await expect.poll(() => rowIds(page)).toEqual([ids.all[7]]);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toEqual({ status: 'PENDING', q: 'photo-7' });

    await page.reload();
    await expect.poll(() => rowIds(page)).toEqual([ids.all[7]]);
    expect(await page.getByLabel('Search', { exact: true }).inputValue()).toBe('photo-7');
    expect(await page.getByLabel('Status', { exact: true }).inputValue()).toBe('PENDING');

    await page.getByLabel('Search', { exact: true }).fill('no such job anywhere');
    await page.getByText('No jobs match these filters').waitFor();
    expect(errors).toEqual([]);
  });

  it('shows a job created by another client and the changed stat cards without a reload', async () => {
    const { page } = await suite.openPage();
    await page.goto('/?q=send-email');
    await expect.poll(() => rowIds(page).then((r) => r.length)).toBe(3);
    await page.locator('[data-connection="live"]').waitFor();
    const pendingBefore = Number(await stat(page, 'pending'));
    const cancelledBefore = Number(await stat(page, 'cancelled'));
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));

    const created = await createParkedJob(suite.app, { taskName: 'send-email', priority: 'MEDIUM' });
    await expect.poll(() => rowIds(page)).toContain(created.id);
    await expect.poll(async () => Number(await stat(page, 'pending'))).toBe(pendingBefore + 1);

    await suite.app.gql(`mutation { cancelJob(id: "${created.id}") { id } }`);
    await expect.poll(() => page.locator(`tr[data-job-id="${created.id}"]`).getAttribute('data-status')).toBe('CANCELLED');
    await expect.poll(async () => Number(await stat(page, 'cancelled'))).toBe(cancelledBefore + 1);
    // Same document all along: no reload happened.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });
});
