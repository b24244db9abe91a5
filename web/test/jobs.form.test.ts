import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

describe('the new-job form', () => {
  const suite = browserSuite();

  const jobCount = async () => (await suite.app.gql('{ jobStats { total } }')).data.jobStats.total as number;

  it('shows the JSON parse error as you type and blocks submit until it parses', async () => {
    const { page } = await suite.openPage();
    await page.goto('/jobs/new');
    await page.getByLabel('Task name').fill('send-email');
    const editor = page.getByLabel('Payload (JSON)');
    await editor.fill('{\n  "to": "a@example.com",\n  "retry": tru\n}');

    const error = page.locator('[data-field-error="job-payload"]');
    await expect.poll(() => error.textContent()).toMatch(/^Line 3, column \d+: /);
    expect(await editor.getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Create job' }).isDisabled()).toBe(true);
    await editor.press('Enter'); // pressing keys in the editor never submits
    expect(await jobCount()).toBe(0);

    await editor.fill('["not", "an", "object"]');
    await expect.poll(() => error.textContent()).toContain('must be a JSON object');
    expect(await page.getByRole('button', { name: 'Create job' }).isDisabled()).toBe(true);

    await editor.fill('{"to": "a@example.com", "retry": true}');
    await error.waitFor({ state: 'detached' });
    expect(await page.getByRole('button', { name: 'Create job' }).isEnabled()).toBe(true);
  });

  it('puts a server BAD_USER_INPUT on its field and creates nothing', async () => {
    const { page } = await suite.openPage();
    await page.goto('/jobs/new');
    await page.getByLabel('Task name').fill('send-email');
    await page.getByLabel('Max attempts').fill('500');
    await page.getByRole('button', { name: 'Create job' }).click();

    const error = page.locator('[data-field-error="job-maxAttempts"]');
    await expect.poll(() => error.textContent()).toContain('1..100');
    expect(await page.getByLabel('Max attempts').getAttribute('aria-invalid')).toBe('true');
    // Focus moves to the field the server named.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('job-maxAttempts');
    expect(new URL(page.url()).pathname).toBe('/jobs/new');
    expect(await jobCount()).toBe(0);

    await page.getByLabel('Max attempts').fill('5');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    expect(await jobCount()).toBe(1);
  });

  it('creates a job in a chosen queue with a concurrency key, the server’s queue error on its field first', async () => {
    await suite.app.gql('mutation { updateQueue(name: "emails", input: { keyConcurrency: 1 }) { name } }');
    const { page, errors } = await suite.openPage();
    await page.goto('/jobs/new');
    const queue = page.getByLabel('Queue', { exact: true });
    // The known queues are offered as suggestions; empty means the task's default.
    await expect
      .poll(() => page.locator('#job-queue-options option').evaluateAll((options) => options.map((o) => (o as HTMLOptionElement).value)))
      .toEqual(['default', 'emails']);
    expect(await queue.inputValue()).toBe('');
    expect(await queue.getAttribute('placeholder')).toBe('default');

    await page.getByLabel('Task name').fill('send-email');
    await queue.fill('Not A Queue');
    await page.getByLabel('Concurrency key').fill('customer-42');
    const before = await jobCount();
    await page.getByRole('button', { name: 'Create job' }).click();
    const error = page.locator('[data-field-error="job-queue"]');
    await expect.poll(() => error.textContent()).toContain('[a-z0-9._-]');
    expect(await queue.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('job-queue');
    expect(await jobCount()).toBe(before);

    await queue.fill('emails');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    const id = /\/jobs\/(\d+)$/.exec(page.url())![1];
    const { data } = await suite.app.gql(`{ job(id: "${id}") { queue concurrencyKey taskName } }`);
    expect(data.job).toEqual({ queue: 'emails', concurrencyKey: 'customer-42', taskName: 'send-email' });
    // The detail page shows both.
    await expect.poll(() => page.getByTestId('job-queue').textContent()).toContain('emails');
    expect((await page.getByTestId('job-concurrency-key').textContent())?.trim()).toBe('customer-42');

    // Left empty: the task's default queue.
    await page.goto('/jobs/new');
    await page.getByLabel('Task name').fill('send-email');
    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    await expect.poll(() => page.getByTestId('job-queue').textContent()).toContain('default');
    expect((await page.getByTestId('job-concurrency-key').textContent())?.trim()).toBe('none');
    expect(errors).toEqual([]);
  });

  it('starts in the queue a link names', async () => {
    const { page } = await suite.openPage();
    await page.goto('/jobs/new?queue=emails');
    expect(await page.getByLabel('Queue', { exact: true }).inputValue()).toBe('emails');
  });
});
