import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const TOKEN = 'web-test-admin-token-0123456789';

describe('with API tokens configured', () => {
  const suite = browserSuite({ API_TOKENS: `ops:admin:${TOKEN}` });
  let jobId = '';

  beforeAll(async () => {
    jobId = (await createParkedJob(suite.app, { taskName: 'secret-job' }, { authorization: `Bearer ${TOKEN}` })).id;
  });

  it('asks for a token on UNAUTHENTICATED, then uses it over HTTP and the WebSocket', async () => {
    const { page } = await suite.openPage();
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'API token needed' });
    await dialog.waitFor();
    expect(await page.locator('tbody tr').count()).toBe(0);

    await dialog.getByLabel('API token').fill(TOKEN);
    await dialog.getByRole('button', { name: 'Use token' }).click();
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
    // The socket authenticates with connectionParams: live updates arrive.
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    const created = await createParkedJob(suite.app, { taskName: 'live-with-token' }, { authorization: `Bearer ${TOKEN}` });
    await page.locator(`tr[data-job-id="${created.id}"]`).waitFor();

    // Remembered: a reload does not ask again.
    await page.reload();
    await page.locator(`tr[data-job-id="${jobId}"]`).waitFor();
    expect(await dialog.isVisible()).toBe(false);
  });

  it('asks again when the saved token is rejected', async () => {
    const { page, context } = await suite.openPage();
    await context.addInitScript(() => localStorage.setItem('jobs.apiToken', 'revoked-token'));
    await page.goto('/');
    const dialog = page.getByRole('dialog', { name: 'API token needed' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('rejected the saved token');
  });
});
