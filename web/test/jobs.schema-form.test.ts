import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { TASK_MODULES, writeTasksDir } from './support/tasks.ts';

describe('the new-job form generated from a task payload schema', () => {
  const suite = browserSuite({ TASKS_DIR: writeTasksDir(TASK_MODULES) });

  const jobCount = async () => (await suite.app.gql('{ jobStats { total } }')).data.jobStats.total as number;

  it('picks the task from the catalog with the keyboard and refuses a missing required field before submit', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/jobs/new');
    const picker = page.getByRole('combobox', { name: 'Task name' });
    await picker.pressSequentially('order');
    await page.getByRole('option', { name: /order\.place/ }).waitFor();
    expect(await picker.getAttribute('aria-expanded')).toBe('true');
    await picker.press('ArrowDown');
    expect(await picker.getAttribute('aria-activedescendant')).toBe('job-taskName-option-0');
    await picker.press('Enter');
    expect(await picker.inputValue()).toBe('order.place');
    expect(await picker.getAttribute('aria-expanded')).toBe('false');

    // The form: required marks, descriptions as help text, the schema's default filled in.
    const customer = page.getByLabel('customer');
    await customer.waitFor();
    expect(await customer.getAttribute('required')).not.toBeNull();
    expect(await page.locator('#payload-customer-hint').textContent()).toBe('Who the order is for');
    expect(await page.getByLabel('quantity').inputValue()).toBe('1');

    await page.getByRole('button', { name: 'Create job' }).click();
    const customerError = page.locator('[data-field-error="payload-customer"]');
    await expect.poll(() => customerError.textContent()).toBe('is required');
    expect(await customer.getAttribute('aria-invalid')).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('payload-customer');
    await page.getByTestId('payload-refused').waitFor();
    expect(new URL(page.url()).pathname).toBe('/jobs/new');
    expect(await jobCount()).toBe(0);

    // Validated as you type, with the same schema.
    await customer.fill('A');
    await expect.poll(() => customerError.textContent()).toBe('must NOT have fewer than 2 characters');
    await customer.fill('Ada');
    await customerError.waitFor({ state: 'detached' });
    await page.getByLabel('quantity').fill('11');
    await expect.poll(() => page.locator('[data-field-error="payload-quantity"]').textContent()).toBe('must be <= 10');
    await page.getByLabel('quantity').fill('2');

    // Booleans, enums, nested objects and arrays.
    await page.getByLabel('express').check();
    await page.getByLabel('channel').selectOption({ label: 'sms' });
    await page.getByLabel('zip').fill('12');
    await expect.poll(() => page.locator('[data-field-error="payload-address-zip"]').textContent()).toContain('must match pattern');
    await page.getByLabel('zip').fill('75001');
    await page.getByRole('button', { name: 'Create job' }).click();
    // The nested object now exists, so its own required field is reported there.
    await expect.poll(() => page.locator('[data-field-error="payload-address-city"]').textContent()).toBe('is required');
    expect(await jobCount()).toBe(0);
    await page.getByLabel('city').fill('Paris');
    await page.getByRole('button', { name: 'Add tags' }).click();
    await page.getByRole('textbox', { name: 'tags 1' }).fill('gift');

    await page.getByRole('button', { name: 'Create job' }).click();
    await page.waitForURL(/\/jobs\/\d+$/);
    const id = page.url().split('/').pop()!;
    const stored = await suite.app.gql(`{ job(id: "${id}") { taskName payload } }`);
    expect(stored.data.job).toEqual({
      taskName: 'order.place',
      payload: { customer: 'Ada', quantity: 2, express: true, channel: 'sms', address: { zip: '75001', city: 'Paris' }, tags: ['gift'] },
    });
    expect(errors).toEqual([]);
  });

  it('keeps the JSON editor one click away, checked against the same schema, and back', async () => {
    const { page } = await suite.openPage();
    await page.goto('/jobs/new?task=order.place');
    await page.getByLabel('customer').fill('Grace');
    await page.getByRole('button', { name: 'JSON' }).click();
    const editor = page.getByLabel('Payload (JSON)');
    expect(JSON.parse(await editor.inputValue())).toEqual({ quantity: 1, customer: 'Grace' });

    await editor.fill('{"customer": "Grace", "quantity": 50, "gift": true}');
    const error = page.locator('[data-field-error="job-payload"]');
    await expect.poll(() => error.textContent()).toContain('quantity: must be <= 10');
    expect(await error.textContent()).toContain('gift: is not allowed here');
    const before = await jobCount();
    await page.getByRole('button', { name: 'Create job' }).click();
    expect(new URL(page.url()).pathname).toBe('/jobs/new');
    expect(await jobCount()).toBe(before);

    await editor.fill('{"customer": "Grace", "quantity": 7}');
    await page.getByRole('button', { name: 'Form', exact: true }).click();
    expect(await page.getByLabel('quantity').inputValue()).toBe('7');
    expect(await page.getByLabel('customer').inputValue()).toBe('Grace');
  });

  it("shows the server's BAD_USER_INPUT about a payload field at that field", async () => {
    const { page } = await suite.openPage();
    await page.goto('/jobs/new');
    await page.getByRole('combobox', { name: 'Task name' }).fill('http.request');
    // The schema says only "a string"; the task's own check wants an absolute http(s) URL.
    await page.getByRole('textbox', { name: 'url', exact: true }).fill('ftp://example.com/file');
    const before = await jobCount();
    await page.getByRole('button', { name: 'Create job' }).click();
    const error = page.locator('[data-field-error="payload-url"]');
    await expect.poll(() => error.textContent()).toContain('expected an absolute http(s) URL');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('payload-url');
    expect(await jobCount()).toBe(before);
    // Edited, the server's complaint goes: it was about the value sent.
    await page.getByRole('textbox', { name: 'url', exact: true }).fill('https://example.com/');
    await error.waitFor({ state: 'detached' });
  });
});
