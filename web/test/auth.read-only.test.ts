import { describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const ADMIN = 'read-only-test-admin-token-0123456789';
const VIEWER = 'read-only-test-viewer-token-0123456789';

describe('the job list with a viewer token', () => {
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });
  const admin = { authorization: `Bearer ${ADMIN}` };

  const openAs = async (token: string) => {
    const opened = await suite.openPage();
    await opened.context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), token);
    await opened.page.goto('/');
    return opened;
  };

  it('says it is read-only and shows no action button, checkbox or New job link; an admin sees them', async () => {
    const job = await createParkedJob(suite.app, { taskName: 'watch-only' }, admin);
    const { page, errors } = await openAs(VIEWER);
    await page.locator(`tr[data-job-id="${job.id}"]`).waitFor();
    await page.getByTestId('read-only').waitFor();
    expect(await page.getByTestId('read-only').textContent()).toContain('the token “wall” is a viewer');
    const table = page.getByTestId('job-table');
    expect(await table.getByRole('button', { name: /^(Run|Cancel|Delete) job/ }).count()).toBe(0);
    expect(await table.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'New job', exact: true }).and(page.locator('main a')).count()).toBe(0);
    expect(errors).toEqual([]);

    const asAdmin = await openAs(ADMIN);
    await asAdmin.page.getByRole('button', { name: `Run job ${job.id} now` }).waitFor();
    expect(await asAdmin.page.getByTestId('read-only').count()).toBe(0);
    expect(await asAdmin.page.getByTestId('job-table').getByRole('checkbox').count()).toBeGreaterThan(0);
  });
});
