import { describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

describe('job actions from the UI', () => {
  const suite = browserSuite();

  const statusOf = async (id: string) => (await suite.app.gql(`{ job(id: "${id}") { status } }`)).data.job?.status ?? null;

  it('runs, cancels and deletes (after confirming) from the table, each with a toast', async () => {
    const toRun = await createParkedJob(suite.app, { taskName: 'quick-task', payload: { durationMs: 200 } });
    const toCancel = await createParkedJob(suite.app, { taskName: 'to-cancel' });
    const toDelete = await createParkedJob(suite.app, { taskName: 'to-delete' });
    const { page, errors } = await suite.openPage();
    await page.goto('/');
    await page.locator(`tr[data-job-id="${toDelete.id}"]`).waitFor();

    await page.getByRole('button', { name: `Run job ${toRun.id} now` }).click();
    await page.locator('[data-toast="success"]', { hasText: `Job #${toRun.id} (quick-task) queued to run now` }).waitFor();
    await expect.poll(() => statusOf(toRun.id)).toBe('COMPLETED');
    await expect.poll(() => page.locator(`tr[data-job-id="${toRun.id}"]`).getAttribute('data-status')).toBe('COMPLETED');

    await page.getByRole('button', { name: `Cancel job ${toCancel.id}` }).click();
    await page.locator('[data-toast="success"]', { hasText: `Job #${toCancel.id} (to-cancel) cancelled` }).waitFor();
    expect(await statusOf(toCancel.id)).toBe('CANCELLED');
    await expect.poll(() => page.locator(`tr[data-job-id="${toCancel.id}"]`).getAttribute('data-status')).toBe('CANCELLED');

    // Backing out of the confirmation deletes nothing.
    await page.getByRole('button', { name: `Delete job ${toDelete.id}` }).click();
    const dialog = page.getByRole('dialog', { name: `Delete job #${toDelete.id}?` });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await statusOf(toDelete.id)).toBe('PENDING');

    await page.getByRole('button', { name: `Delete job ${toDelete.id}` }).click();
    await dialog.getByRole('button', { name: 'Delete job' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Job #${toDelete.id} (to-delete) deleted` }).waitFor();
    await page.locator(`tr[data-job-id="${toDelete.id}"]`).waitFor({ state: 'detached' });
    expect(await statusOf(toDelete.id)).toBeNull();
    expect(errors).toEqual([]);
  });

  it('redelivers the webhook from the detail page: a toast, and a new attempt in the timeline', async () => {
    const job = await createParkedJob(suite.app, { taskName: 'webhook-me', payload: { durationMs: 100 } });
    await suite.app.gql(`mutation { runJob(id: "${job.id}") { id } }`);
    const { page, errors } = await suite.openPage();
    await page.goto(`/jobs/${job.id}`);
    await page.locator('[data-webhook-status="200"]').first().waitFor({ timeout: 30_000 });
    const attemptsBefore = await page.locator('[data-webhook-attempt]').count();

    await page.getByRole('button', { name: 'Redeliver webhook' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Webhook of Job #${job.id} (webhook-me) queued for redelivery` }).waitFor();
    await expect.poll(() => page.locator('[data-webhook-attempt]').count()).toBe(attemptsBefore + 1);
    await expect.poll(() => page.locator('[data-webhook-status="200"]').count()).toBe(attemptsBefore + 1);
    expect(errors).toEqual([]);
  });

  it('tells in an error toast when the server refuses an action', async () => {
    const job = await createParkedJob(suite.app, { taskName: 'gone-soon' });
    const { page } = await suite.openPage();
    // No live socket for this page, so it cannot learn about the delete before the click.
    await page.routeWebSocket(/\/graphql$/, (ws) => ws.close({ code: 1011, reason: 'test: no live updates' }));
    await page.goto(`/jobs/${job.id}`);
    await page.getByRole('button', { name: 'Run now' }).waitFor();
    await suite.app.gql(`mutation { deleteJob(id: "${job.id}") }`);
    await page.getByRole('button', { name: 'Run now' }).click();
    const toast = page.locator('[data-toast="error"]', { hasText: `Could not run Job #${job.id} (gone-soon)` });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Dismiss notification' }).click();
    await toast.waitFor({ state: 'detached' });
  });
});
