import { beforeAll, describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const TOKEN = 'playground-admin-token-0123456789';

describe('the playground', () => {
  const suite = browserSuite({ API_TOKENS: `ops:admin:${TOKEN}` });

  beforeAll(async () => {
    await createParkedJob(suite.app, { taskName: 'visible-in-graphiql' }, { authorization: `Bearer ${TOKEN}` });
  });

  it('serves GraphiQL from our own build and runs a query with the dashboard token', async () => {
    const { page, context, errors } = await suite.openPage();
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith(suite.app.url) && !request.url().startsWith('blob:') && !request.url().startsWith('data:'))
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
