import AxeBuilder from '@axe-core/playwright';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

describe('the Failures page', () => {
  const suite = browserSuite();

  const countIn = async (queue: string, status: string) =>
    (await suite.app.gql(`{ jobs(filter: { queue: "${queue}", status: ${status} }, limit: 1) { total } }`)).data.jobs.total as number;

  it('shows jobs failing in 2 shapes as 2 groups with their counts; retrying one removes it and leaves the other', async () => {
    // Shape 1: simulated failures whose messages differ by task name and duration. Shape 2: timeouts of different lengths.
    const simulated = Array.from({ length: 6 }, (_, i) => ({
      taskName: `fg-import-${i}`,
      queue: 'fg-ui',
      maxAttempts: 1,
      payload: { fail: true, durationMs: 1 + i },
    }));
    const timeouts = Array.from({ length: 4 }, (_, i) => ({
      taskName: 'fg-slow',
      queue: 'fg-ui',
      maxAttempts: 1,
      timeoutMs: 50 + 10 * i,
      payload: { durationMs: 5000 },
    }));
    const created = await suite.app.gql('mutation($in: [CreateJobInput!]!) { createJobs(inputs: $in) { id } }', {
      in: [...simulated, ...timeouts],
    });
    expect(created.errors).toBeUndefined();
    await expect.poll(() => countIn('fg-ui', 'FAILED'), { timeout: 30_000 }).toBe(10);
    // Paused, the retried jobs stay PENDING (and out of every group) for the checks below.
    await suite.app.gql('mutation { pauseQueue(name: "fg-ui") { name } }');

    const { page, errors } = await suite.openPage();
    await page.goto('/failures');
    const groups = page.getByTestId('failure-group');
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(2);
    const shown = async () =>
      groups.evaluateAll((items) =>
        items.map((li) => [
          li.querySelector('[data-testid="failure-signature"]')?.textContent?.trim(),
          li.querySelector('[data-testid="failure-count"]')?.textContent?.trim(),
        ]),
      );
    expect(await shown()).toEqual([
      ['Error: simulated failure of <str> after <n> ms', '6'],
      ['Error: timed out after <n> ms (timeoutMs)', '4'],
    ]);
    const first = groups.first();
    expect(await first.getByRole('link', { name: /^#\d+$/ }).count()).toBe(5);

    await first.getByRole('button', { name: 'Retry group' }).click();
    const dialog = page.getByRole('dialog', { name: 'Retry 6 failed jobs?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Retry 6 failed jobs' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Retried 6 of 6 jobs' }).waitFor();
    await expect.poll(() => groups.count(), { timeout: 10_000 }).toBe(1);
    expect(await shown()).toEqual([['Error: timed out after <n> ms (timeoutMs)', '4']]);
    expect(await countIn('fg-ui', 'PENDING')).toBe(6);
    expect(await countIn('fg-ui', 'FAILED')).toBe(4);
    expect(errors).toEqual([]);
  });

  it('has no serious or critical axe violations, light and dark, wide and narrow', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 360, height: 740 },
      ]) {
        const { page, context } = await suite.openPage({ colorScheme, ...viewport });
        await page.goto('/failures');
        await page.getByTestId('failure-group').first().waitFor();
        const { violations } = await new AxeBuilder({ page }).analyze();
        const serious = violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => ({ colorScheme, width: viewport.width, rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
        expect(serious).toEqual([]);
        await context.close();
      }
    }
  });
});

describe('the Failures page with a viewer token', () => {
  const ADMIN = 'failures-page-admin-token-0123456789';
  const VIEWER = 'failures-page-viewer-token-0123456789';
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });
  const admin = { authorization: `Bearer ${ADMIN}` };

  it('shows the groups and no Retry or Delete button', async () => {
    const created = await suite.app.gql(
      'mutation { createJob(input: { taskName: "fg-watched", maxAttempts: 1, payload: { fail: true, durationMs: 1 } }) { id } }',
      {},
      admin,
    );
    expect(created.errors).toBeUndefined();
    await expect
      .poll(async () => (await suite.app.gql('{ failureGroups { count } }', {}, admin)).data?.failureGroups.length, { timeout: 30_000 })
      .toBe(1);

    const { page, context, errors } = await suite.openPage();
    await context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), VIEWER);
    await page.goto('/failures');
    await page.getByTestId('read-only').waitFor();
    await page.getByTestId('failure-group').waitFor();
    expect(await page.getByTestId('failure-count').textContent()).toBe('1');
    expect(
      await page
        .locator('main')
        .getByRole('button', { name: /^(Retry|Delete)/ })
        .count(),
    ).toBe(0);
    expect(errors).toEqual([]);
  });
});
