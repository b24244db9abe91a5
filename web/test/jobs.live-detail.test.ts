import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

/** "2026-01-02T03:04:05" in the browser's local time, for <input type="datetime-local" step="1">. */
function localInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

describe('a job created through the form', () => {
  const suite = browserSuite();

  it('moves PENDING → RUNNING → COMPLETED on its detail page without a reload, with progress and a 200 webhook attempt', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/jobs/new');
    await page.getByLabel('Task name').fill('generate-report');
    await page.getByLabel('Payload (JSON)').fill('{"durationMs": 2500, "report": "weekly"}');
    // Due a few seconds from now, so the PENDING state is on screen before a worker takes it.
    await page.getByLabel('Run at (local time)').fill(localInput(new Date(Date.now() + 6_000)));
    await page.getByRole('button', { name: 'Create job' }).click();

    await page.waitForURL(/\/jobs\/\d+$/);
    const id = page.url().split('/').pop()!;
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('generate-report');

    // Record every status and progress value the page shows, from inside the page; a reload would wipe the record.
    await page.evaluate(() => {
      const w = window as unknown as { seen: { statuses: string[]; progress: number[] } };
      w.seen = { statuses: [], progress: [] };
      const sample = () => {
        const status = document.querySelector('[data-status]')?.getAttribute('data-status');
        if (status && w.seen.statuses.at(-1) !== status) w.seen.statuses.push(status);
        const progress = Number(document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow'));
        if (w.seen.progress.at(-1) !== progress) w.seen.progress.push(progress);
      };
      sample();
      new MutationObserver(sample).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });

    await page.locator('[data-status="COMPLETED"]').waitFor({ timeout: 30_000 });
    const seen = await page.evaluate(() => (window as unknown as { seen: { statuses: string[]; progress: number[] } }).seen);
    expect(seen.statuses).toEqual(['PENDING', 'RUNNING', 'COMPLETED']);
    // Progress moved through intermediate values while running, ending at 100 %.
    expect(seen.progress.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(2);
    expect(seen.progress.at(-1)).toBe(100);

    // The completion webhook goes to the server's own test receiver, which answers 200.
    await page.locator('[data-webhook-status="200"]').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByRole('list', { name: /Webhook attempts/ }).textContent()).toContain('Attempt 1');

    const stored = await suite.app.gql(`{ job(id: "${id}") { status payload } }`);
    expect(stored.data.job).toEqual({ status: 'COMPLETED', payload: { durationMs: 2500, report: 'weekly' } });
    expect(errors).toEqual([]);
  });
});
