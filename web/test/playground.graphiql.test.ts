import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob, startApp, type TestApp } from './support/app.ts';
import { launchBrowser, openPage } from './support/browser.ts';

const TOKEN = 'playground-admin-token-0123456789';

describe('the playground', () => {
  let app: TestApp;
  let browser: Browser;

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp({ API_TOKENS: `ops:admin:${TOKEN}` }), launchBrowser()]);
    await createParkedJob(app, { taskName: 'visible-in-graphiql' }, { authorization: `Bearer ${TOKEN}` });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('serves GraphiQL from our own build and runs a query with the dashboard token', async () => {
    const { page, context, errors } = await openPage(browser, { baseURL: app.url });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(app.url) && !request.url().startsWith('blob:') && !request.url().startsWith('data:'))
        external.push(request.url());
    });
    await context.addInitScript((token) => localStorage.setItem('jobs.apiToken', token), TOKEN);
    await page.goto('/playground');
    await page.locator('.graphiql-container').waitFor({ timeout: 60_000 });
    await page.getByText('Requests carry your API token.').waitFor();

    // Monaco fills the editor after GraphiQL mounts; a click before that runs nothing, as it would for a person.
    await page.locator('.graphiql-query-editor .view-lines', { hasText: 'query RecentJobs' }).waitFor();
    await page.getByRole('button', { name: /Execute query/ }).click();
    await expect.poll(() => page.locator('.result-window').textContent(), { timeout: 30_000 }).toContain('visible-in-graphiql');
    expect(external).toEqual([]);
    expect(errors).toEqual([]);
  });
});
