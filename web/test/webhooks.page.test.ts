import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { receiverForFile } from './support/receiver.ts';

/** A receiver outside the app: it keeps what arrives and answers 200, so the signature can be checked here. */
const receiver = receiverForFile('/hook');

describe('the webhooks page', () => {
  // The endpoint points at the app's own test receiver, on this machine: allowed for the test.
  const suite = browserSuite({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });

  const stored = async () =>
    (await suite.app.gql('{ webhookEndpoints { id url description eventTypes queues enabled builtIn } }')).data.webhookEndpoints as Record<
      string,
      any
    >[];

  it('creates an endpoint, copies its secret, sends a test that shows in the delivery log, edits, disables, rotates and deletes it', async () => {
    const { context, page, errors } = await suite.openPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.goto('/webhooks');
    // The built-in endpoint (here: the app's own receiver) is listed from the start.
    await page.locator('[data-endpoint="outbound"]', { hasText: 'Built-in' }).waitFor();

    const url = receiver.url;
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    await form.getByLabel('URL').fill('http://10.0.0.7/hook');
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    await expect.poll(() => page.locator('[data-field-error="endpoint-new-url"]').textContent()).toContain('public http(s) address');
    expect((await stored()).filter((e) => !e.builtIn)).toEqual([]);

    await form.getByLabel('URL').fill(url);
    await form.getByLabel('Description').fill('billing');
    await form.getByLabel('job.completed').uncheck();
    await form.getByLabel('Queues').fill('invoices, mail');
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    const reveal = page.locator('[data-secret-reveal]');
    await reveal.waitFor();
    const secret = (await reveal.locator('[data-secret]').textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    await reveal.getByRole('button', { name: 'Copy secret' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Secret copied' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const [created] = (await stored()).filter((e) => !e.builtIn);
    expect(created).toMatchObject({ url, description: 'billing', eventTypes: ['job.failed'], queues: ['invoices', 'mail'], enabled: true });
    await reveal.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('[data-secret]').count()).toBe(0);

    const item = page.locator(`[data-endpoint="${created.id}"]`);
    await item.getByRole('button', { name: `Send test to ${url}` }).click();
    const delivered = page.locator('[data-event-type="webhook.test"]', { has: page.locator('[data-delivery-status="DELIVERED"]') });
    await delivered.waitFor({ timeout: 15_000 });
    await delivered.getByRole('button').click();
    await expect.poll(() => delivered.textContent()).toContain('Attempt 1: 200');
    // What the receiver got verifies with the secret the page showed (and copied).
    expect(receiver.hits).toHaveLength(1);
    const body = new Webhook(secret).verify(receiver.hits[0].body, receiver.hits[0].headers as Record<string, string>);
    expect(body).toMatchObject({ type: 'webhook.test', endpointId: created.id });

    await item.getByRole('button', { name: `Edit ${url}` }).click();
    await item.getByLabel('Queues').fill('');
    await item.getByRole('button', { name: 'Save endpoint' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Endpoint ${url} saved` }).waitFor();
    expect((await stored()).find((e) => e.id === created.id)?.queues).toBeNull();

    await item.getByRole('switch', { name: `Enabled: ${url}` }).click();
    await page.locator('[data-toast="success"]', { hasText: `Endpoint ${url} disabled` }).waitFor();
    expect((await stored()).find((e) => e.id === created.id)?.enabled).toBe(false);
    await expect.poll(() => item.textContent()).toContain('Disabled');

    await item.getByRole('button', { name: `Rotate secret of ${url}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = (await page.locator('[data-secret]').textContent())!.trim();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
    await expect.poll(() => item.textContent()).toContain('The previous secret signs too until');

    await item.getByRole('button', { name: `Delete ${url}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete endpoint' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Endpoint ${url} deleted` }).waitFor();
    expect((await stored()).filter((e) => !e.builtIn)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
