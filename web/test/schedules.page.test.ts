import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

describe('the schedules page', () => {
  const suite = browserSuite();

  const stored = async () =>
    (await suite.app.gql('{ schedules { id name cron timezone queue overlap misfire enabled nextRunAt } }')).data.schedules as Record<
      string,
      any
    >[];

  it('creates (with server errors on their fields), disables, triggers, edits and deletes a schedule', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/schedules');
    await page.getByText('No schedules yet').waitFor();

    await page.getByRole('button', { name: 'New schedule' }).click();
    const form = page.getByRole('form', { name: 'New schedule' });
    await form.getByLabel('Name', { exact: true }).fill('nightly-report');
    await form.getByLabel('Task name', { exact: true }).fill('generate-report');
    await form.getByLabel('Cron expression').fill('every night');
    await form.getByLabel('Time zone').fill('Europe/Paris');
    await form.getByLabel('Queue').fill('reports');
    await form.getByLabel('Overlap').selectOption('SKIP');
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await expect.poll(() => page.locator('[data-field-error="schedule-new-cron"]').textContent()).toBeTruthy();
    expect(await stored()).toEqual([]);

    await form.getByLabel('Cron expression').fill('0 3 * * *');
    await form.getByRole('button', { name: 'Create schedule' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Schedule “nightly-report” created' }).waitFor();
    const [created] = await stored();
    expect(created).toMatchObject({
      name: 'nightly-report',
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      queue: 'reports',
      overlap: 'SKIP',
      misfire: 'RUN_ONCE',
      enabled: true,
    });
    const item = page.locator('[data-schedule="nightly-report"]');
    await expect.poll(() => item.locator('[data-schedule-queue]').textContent()).toBe('reports');
    await expect.poll(() => item.textContent()).toContain('Next run:');
    expect(created.nextRunAt).toBeTruthy();

    await item.getByRole('switch', { name: 'Enabled: nightly-report' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Schedule “nightly-report” disabled' }).waitFor();
    expect((await stored())[0].enabled).toBe(false);
    await expect.poll(() => item.textContent()).toContain('Disabled');

    await item.getByRole('button', { name: 'Trigger now: nightly-report' }).click();
    const toast = page.locator('[data-toast="success"]', { hasText: '“nightly-report” triggered: job #' });
    await toast.waitFor();
    const jobId = /job #(\d+)/.exec((await toast.textContent()) ?? '')![1];
    expect((await suite.app.gql(`{ job(id: "${jobId}") { taskName queue } }`)).data.job).toEqual({
      taskName: 'generate-report',
      queue: 'reports',
    });

    await item.getByRole('button', { name: 'Edit nightly-report' }).click();
    await item.getByLabel('Cron expression').fill('30 4 * * 1');
    // The known queues are suggested; the edit form starts from the schedule's.
    expect(await item.getByLabel('Queue').inputValue()).toBe('reports');
    expect(await item.locator('datalist option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value))).toContain(
      'reports',
    );
    await item.getByLabel('Queue').fill('Bad Queue');
    await item.getByRole('button', { name: 'Save schedule' }).click();
    await expect.poll(() => item.locator(`[data-field-error="schedule-${created.id}-queue"]`).textContent()).toContain('[a-z0-9._-]');
    expect((await stored())[0].queue).toBe('reports');
    await item.getByLabel('Queue').fill('nightly');
    expect(await item.getByLabel('Overlap').inputValue()).toBe('SKIP');
    await item.getByLabel('After downtime').selectOption('SKIP');
    await item.getByRole('button', { name: 'Save schedule' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Schedule “nightly-report” saved' }).waitFor();
    expect((await stored())[0]).toMatchObject({ cron: '30 4 * * 1', queue: 'nightly', overlap: 'SKIP', misfire: 'SKIP' });
    await expect.poll(() => item.locator('[data-schedule-queue]').textContent()).toBe('nightly');

    await item.getByRole('button', { name: 'Delete nightly-report' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete schedule' }).click();
    await page.getByText('No schedules yet').waitFor();
    expect(await stored()).toEqual([]);
    expect(errors).toEqual([]);
  });
});
