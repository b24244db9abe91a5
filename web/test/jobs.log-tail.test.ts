import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { TASK_MODULES, writeTasksDir } from './support/tasks.ts';

describe("a job's live log tail", () => {
  const suite = browserSuite({ TASKS_DIR: writeTasksDir(TASK_MODULES) });

  it('shows the log lines of a job created through the form live, in order, levels marked', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/jobs/new?task=chatty');
    await page.getByLabel('lines').waitFor();
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);

    // Count the lines the page shows as they come, from inside the page: a reload would wipe the record.
    await page.getByTestId('log-tail').waitFor();
    await page.evaluate(() => {
      const w = window as unknown as { counts: number[] };
      w.counts = [];
      const sample = () => {
        const n = document.querySelectorAll('[data-log-seq]').length;
        if (w.counts.at(-1) !== n) w.counts.push(n);
      };
      sample();
      new MutationObserver(sample).observe(document.body, { subtree: true, childList: true });
    });

    await expect.poll(() => page.locator('[data-log-seq]').count()).toBe(5);
    const counts = await page.evaluate(() => (window as unknown as { counts: number[] }).counts);
    // Arrived one after another while the job ran, not all at once after it.
    expect(counts.filter((n) => n > 0 && n < 5).length).toBeGreaterThanOrEqual(2);
    const lines = page.locator('[data-log-seq]');
    expect(await lines.evaluateAll((els) => els.map((el) => el.getAttribute('data-log-seq')))).toEqual(['1', '2', '3', '4', '5']);
    expect(await lines.evaluateAll((els) => els.map((el) => el.getAttribute('data-log-level')))).toEqual([
      'INFO',
      'WARN',
      'ERROR',
      'DEBUG',
      'INFO',
    ]);
    expect(await lines.nth(4).textContent()).toContain('chatty line 5');
    expect(await lines.nth(4).textContent()).toContain('{"i":5}');
    await page.locator('[data-status="COMPLETED"]').waitFor();
    expect(errors).toEqual([]);
  });

  it('stops following when scrolled up and follows again on "Follow"', async () => {
    const created = await suite.app.gql(
      'mutation { createJob(input: { taskName: "chatty", payload: { lines: 80, intervalMs: 75 } }) { id } }',
    );
    const { page } = await suite.openPage({ height: 700 });
    await page.goto(`/jobs/${created.data.createJob.id}`);
    const tail = page.getByTestId('log-tail');
    await expect.poll(() => page.locator('[data-log-seq]').count()).toBeGreaterThan(25);
    // Following: the end of the log is in view.
    await expect.poll(() => tail.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(10);

    await tail.evaluate((el) => el.scrollTo({ top: 0 }));
    await expect.poll(() => tail.getAttribute('data-following')).toBe('false');
    const follow = page.getByRole('button', { name: /^Follow/ });
    await expect.poll(() => follow.textContent()).toMatch(/\d+ new/);
    expect(await tail.evaluate((el) => el.scrollTop)).toBe(0);

    await follow.click();
    await expect.poll(() => tail.getAttribute('data-following')).toBe('true');
    await expect.poll(() => page.locator('[data-log-seq]').count(), { timeout: 30_000 }).toBe(80);
    await expect.poll(() => tail.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight)).toBeLessThan(10);
  });
});
