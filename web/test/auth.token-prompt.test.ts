import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob, startApp, type TestApp } from './support/app.ts';
import { launchBrowser, openPage } from './support/browser.ts';

const TOKEN = 'web-test-admin-token-0123456789';

describe('with API tokens configured', () => {
  let app: TestApp;
  let browser: Browser;
  let jobId = '';

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ API_TOKENS: `ops:admin:${TOKEN}` }), launchBrowser()]);
    jobId = (await createParkedJob(app, { taskName: 'secret-job' }, { authorization: `Bearer ${TOKEN}` })).id;
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('asks for a token on UNAUTHENTICATED, then uses it over HTTP and the WebSocket', async () => {
    const { page } = await openPage(browser, { baseURL: app.url });
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'API token needed' });
    await dialog.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);

    await dialog.getByLabel('API token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use token' }).click();
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
    // The socket authenticates with connectionParams: live updates arrive.
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    const created = await createParkedJob(app, { taskName: 'live-with-token' }, { authorization: `Bearer ${TOKEN}` });
    await page.locator(`tr[data-job-id="${created.id}"]`).waitFor();

    // Remembered: a reload does not ask again.
    await page.reload();
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it('asks again when the saved token is rejected', async () => {
    const { page, context } = await openPage(browser, { baseURL: app.url });
    await context.addInitScript(() => localStorage.setItem('jobs.apiToken', 'revoked-token'));
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'API token needed' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('rejected the saved token');
  });
});
