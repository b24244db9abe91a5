import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

describe('bulk actions from the job list', () => {
  const suite = browserSuite();

  const countIn = async (queue: string, status: string) =>
    (await suite.app.gql(`{ jobs(filter: { queue: "${queue}", status: ${status} }, limit: 1) { total } }`)).data.jobs.total as number;

  it('selects all FAILED jobs matching a filter (more than a page), retries them after a confirmation, and shows the count in a toast', async () => {
    const inputs = Array.from({ length: 30 }, () => ({
      taskName: 'bulk-fail',
      queue: 'bulk-ui',
      maxAttempts: 1,
      payload: { fail: true, durationMs: 1 },
    }));
    const created = await suite.app.gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', { in: inputs });
    expect(created.errors).toBeUndefined();
    await expect.poll(() => countIn('bulk-ui', 'FAILED'), { timeout: 30_000 }).toBe(30);
    // Paused, the retried jobs stay PENDING for the check below.
    await suite.app.gql('mutation { pauseQueue(name: "bulk-ui") { name } }');

    const { page, errors } = await suite.openPage();
    await page.goto('/?status=FAILED&queue=bulk-ui');
    await page.locator('tr[data-job-id]').first().waitFor();
    expect(await page.locator('tr[data-job-id]').count()).toBe(20);

    await page.getByRole('checkbox', { name: 'Select every job on this page' }).check();
    const bar = page.getByRole('region', { name: 'Selected jobs' });
    expect(await bar.getByTestId('bulk-count').textContent()).toBe('20');
    await bar.getByRole('button', { name: 'Select all 30 matching this filter' }).click();
    expect(await bar.getByTestId('bulk-count').textContent()).toBe('30');

    await bar.getByRole('button', { name: 'Retry' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry 30 jobs?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Retry 30 jobs' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Retried 30 of 30 jobs' }).waitFor();
    expect(await countIn('bulk-ui', 'PENDING')).toBe(30);
    expect(await countIn('bulk-ui', 'FAILED')).toBe(0);
    // The list refetches: no FAILED job of the queue is left to show, and the selection is gone.
    await page.locator('tr[data-job-id]').first().waitFor({ state: 'detached' });
    expect(await bar.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('ticks single rows and cancels them; a skipped one is named in the toast', async () => {
    const pending = await suite.app.gql(
      'mutation { createJob(input: { taskName: "bulk-parked", queue: "bulk-two", runAt: "2999-01-01T00:00:00.000Z" }) { id } }',
    );
    const done = await suite.app.gql(
      'mutation { createJob(input: { taskName: "bulk-done", queue: "bulk-two", payload: { durationMs: 1 } }) { id } }',
    );
    const [p, d] = [pending.data.createJob.id as string, done.data.createJob.id as string];
    await expect
      .poll(async () => (await suite.app.gql(`{ job(id: "${d}") { status } }`)).data.job.status, { timeout: 30_000 })
      .toBe('COMPLETED');

    const { page } = await suite.openPage();
    await page.goto('/?queue=bulk-two');
    await page.getByRole('checkbox', { name: `Select job ${p}` }).check();
    await page.getByRole('checkbox', { name: `Select job ${d}` }).check();
    await page.getByRole('region', { name: 'Selected jobs' }).getByRole('button', { name: 'Cancel', exact: true }).click();
    await page.getByRole('dialog', { name: 'Cancel 2 jobs?' }).getByRole('button', { name: 'Cancel 2 jobs' }).click();
    await page
      .locator('[data-toast="info"]', {
        hasText: `Cancelled 1 of 2 jobs; 1 skipped: #${d} COMPLETED: only PENDING or RUNNING jobs can be cancelled`,
      })
      .waitFor();
    expect((await suite.app.gql(`{ job(id: "${p}") { status } }`)).data.job.status).toBe('CANCELLED');
  });
});
