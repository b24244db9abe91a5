import { describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';
import { TASK_MODULES, writeTasksDir } from './support/tasks.ts';

describe('the Tasks page and simulated jobs', () => {
  const suite = browserSuite({ TASKS_DIR: writeTasksDir(TASK_MODULES) });

  it('lists the catalog with descriptions, sources, defaults and schemas, and keeps the counts live', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL(/\/tasks$/);
    await page.locator('[data-connection="live"]').waitFor();

    const names = await page.locator('[data-task]').evaluateAll((els) => els.map((el) => el.getAttribute('data-task')));
    expect(names).toEqual(expect.arrayContaining(['noop', 'http.request', 'order.place', 'chatty', 'flaky']));
    const order = page.locator('[data-task="order.place"]');
    expect(await order.textContent()).toContain('Places an order for a customer');
    expect(await order.locator('[data-task-source]').textContent()).toBe('Task module');
    expect(await page.locator('[data-task="noop"] [data-task-source]').textContent()).toBe('Built-in');
    expect(await page.locator('[data-task="flaky"]').textContent()).toContain('fixed, 100 ms');

    const schema = order.getByTestId('task-schema');
    expect(await schema.getByText('"customer"').first().isVisible()).toBe(false);
    await schema.locator(':scope > summary').click();
    expect(await schema.getByText('"customer"').first().isVisible()).toBe(true);

    const pending = order.locator('[data-count="pending"]');
    expect(await pending.textContent()).toBe('0');
    await createParkedJob(suite.app, { taskName: 'order.place', payload: { customer: 'Ada', quantity: 1 } });
    await createParkedJob(suite.app, { taskName: 'order.place', payload: { customer: 'Bob', quantity: 2 } });
    await expect.poll(() => pending.textContent()).toBe('2');

    await page.getByLabel('Filter tasks').fill('customer');
    await expect.poll(() => page.locator('[data-task]').count()).toBe(1);
    await order.getByRole('link', { name: 'New job for order.place' }).click();
    await page.waitForURL(/\/jobs\/new\?task=order\.place$/);
    await page.getByLabel('customer').waitFor();
    expect(errors).toEqual([]);
  });

  it('marks jobs of a name outside the catalog as simulated, in the list and on the detail page', async () => {
    const simulated = await createParkedJob(suite.app, { taskName: 'no-such-task' });
    const real = await createParkedJob(suite.app, { taskName: 'noop' });
    const { page } = await suite.openPage();
    await page.goto('/');
    await page.locator(`[data-job-id="${simulated.id}"] [data-simulated]`).waitFor();
    expect(await page.locator(`[data-job-id="${real.id}"] [data-simulated]`).count()).toBe(0);
    await page.goto(`/jobs/${simulated.id}`);
    await page.getByTestId('simulated-badge').waitFor();
    await page.goto(`/jobs/${real.id}`);
    await page.getByRole('heading', { level: 1, name: 'noop' }).waitFor();
    expect(await page.getByTestId('simulated-badge').count()).toBe(0);
  });
});
