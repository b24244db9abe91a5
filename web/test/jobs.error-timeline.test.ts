import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { TASK_MODULES, writeTasksDir } from './support/tasks.ts';

describe("a failed job's attempts timeline", () => {
  const suite = browserSuite({ TASKS_DIR: writeTasksDir(TASK_MODULES) });

  it('lists each failed attempt with its time, worker and message, the stack folded until asked for', async () => {
    const created = await suite.app.gql('mutation { createJob(input: { taskName: "flaky" }) { id maxAttempts } }');
    expect(created.data.createJob.maxAttempts).toBe(2);
    const { page, errors } = await suite.openPage();
    await page.goto(`/jobs/${created.data.createJob.id}`);

    // Live: the page was open before the attempts failed.
    await page.locator('[data-status="FAILED"]').waitFor({ timeout: 30_000 });
    const timeline = page.getByRole('list', { name: 'Failed attempts, oldest first' });
    await expect.poll(() => timeline.locator('[data-error-attempt]').count()).toBe(2);
    const items = timeline.locator('[data-error-attempt]');
    expect(await items.evaluateAll((els) => els.map((el) => el.getAttribute('data-error-attempt')))).toEqual(['1', '2']);
    expect(await items.nth(0).getByTestId('error-message').textContent()).toBe('flaky failed on attempt 1');
    expect(await items.nth(1).getByTestId('error-message').textContent()).toBe('flaky failed on attempt 2');
    expect(await items.nth(0).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await items.nth(0).textContent()).toMatch(/on \S+/);

    const stack = items.nth(1).getByTestId('error-stack');
    expect(await stack.locator('pre').isVisible()).toBe(false);
    await stack.getByText('Stack trace').click();
    expect(await stack.locator('pre').isVisible()).toBe(true);
    expect(await stack.locator('pre').textContent()).toContain('failDeep');
    await stack.getByText('Stack trace').press('Enter');
    expect(await stack.locator('pre').isVisible()).toBe(false);

    // What the handler logged before each failure is on the same page.
    await expect.poll(() => page.locator('[data-log-level="WARN"]').count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
