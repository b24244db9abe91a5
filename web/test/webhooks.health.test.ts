import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { receiverForFile } from './support/receiver.ts';

/** Answers 500 until the test makes it healthy, keeping what arrives. */
let healthy = false;
const receiver = receiverForFile('/hook', () => (healthy ? 200 : 500));

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('endpoint health on the webhooks page', () => {
  // No retries: each message fails for good on its first 500.
  const suite = browserSuite({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_MAX_RETRIES: '0' });

  it('shows a disabled endpoint with its health and reason, re-enables it, and replays its failed messages after a confirmation', async () => {
    const created = await suite.app.gql(
      'mutation($in: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $in) { endpoint { id } } }',
      { in: { url: receiver.url, eventTypes: ['job.completed'], disableAfterFailures: 2, disableAfterMs: 0 } },
    );
    const id: string = created.data.createWebhookEndpoint.endpoint.id;
    for (let i = 0; i < 2; i++) {
      const job = await suite.app.gql('mutation($in: CreateJobInput!) { createJob(input: $in) { id } }', {
        in: { taskName: 'noop', payload: { durationMs: 1 } },
      });
      expect(job.errors).toBeUndefined();
      await until(() => (receiver.hits.length > i ? true : undefined), `message ${i + 1}`);
    }
    const endpointOf = async () =>
      (await suite.app.gql('query($id: ID!) { webhookEndpoint(id: $id) { enabled disabledReason } }', { id })).data.webhookEndpoint;
    await until(async () => ((await endpointOf()).enabled === false ? true : undefined), 'the endpoint to disable itself');

    const { page, errors } = await suite.openPage();
    await page.goto('/webhooks');
    const item = page.locator(`[data-endpoint="${id}"]`);
    await item.locator('[data-disabled-reason]').waitFor();
    expect(await item.locator('[data-disabled-reason]').textContent()).toContain('2 consecutive failed messages since');
    expect(await item.locator('[data-health-rate]').textContent()).toBe('0 %');
    expect(await item.locator('[data-health-counts]').textContent()).toBe('0 delivered · 2 failed');
    expect(await item.locator('[data-health-streak]').textContent()).toBe('2');
    expect(await item.locator('[data-health-error]').textContent()).toBe('HTTP 500');
    expect(await item.locator('[data-health-p50]').textContent()).toMatch(/^\d+ ms$/);
    expect(await item.locator('[data-sparkline]').getAttribute('aria-label')).toBe(
      `Messages to ${receiver.url}: 0 delivered, 2 failed over the last 24 hours`,
    );
    expect(await item.getByRole('button', { name: `Replay failed messages to ${receiver.url}` }).isDisabled()).toBe(true);

    healthy = true;
    await item.getByRole('button', { name: `Re-enable ${receiver.url}` }).click();
    await page.locator('[data-toast="success"]', { hasText: `Endpoint ${receiver.url} enabled again` }).waitFor();
    expect(await endpointOf()).toEqual({ enabled: true, disabledReason: null });
    await expect.poll(() => item.locator('[data-disabled-reason]').count()).toBe(0);
    await expect.poll(() => item.locator('[data-health-streak]').textContent()).toBe('0');

    await item.getByRole('button', { name: `Replay failed messages to ${receiver.url}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Replay failed' }).click();
    await page.locator('[data-toast="success"]', { hasText: `2 failed messages queued again for ${receiver.url}` }).waitFor();
    const failedIds = receiver.hits.filter((h) => h.status === 500).map((h) => h.headers['webhook-id']);
    await until(() => (receiver.hits.filter((h) => h.status === 200).length >= 2 ? true : undefined), 'the replayed messages');
    expect(
      receiver.hits
        .filter((h) => h.status === 200)
        .map((h) => h.headers['webhook-id'])
        .sort(),
    ).toEqual(failedIds.sort());

    await page.reload();
    await expect.poll(() => item.locator('[data-health-rate]').textContent()).toBe('100 %');
    expect(await item.locator('[data-health-counts]').textContent()).toBe('2 delivered · 0 failed');

    // The thresholds are edited in the endpoint's form; a bad one is named beside its field.
    await item.getByRole('button', { name: `Edit ${receiver.url}` }).click();
    expect(await item.getByLabel('Disable after failed messages').inputValue()).toBe('2');
    await item.getByLabel('Disable after failed messages').fill('0');
    await item.getByRole('button', { name: 'Save endpoint' }).click();
    await expect
      .poll(() => item.locator('[data-field-error="endpoint-' + id + '-disableAfterFailures"]').textContent())
      .toContain('expected a whole number 1..');
    await item.getByLabel('Disable after failed messages').fill('5');
    await item.getByLabel('…spanning at least (hours)').fill('1.5');
    await item.getByRole('button', { name: 'Save endpoint' }).click();
    await page.locator('[data-toast="success"]', { hasText: `Endpoint ${receiver.url} saved` }).waitFor();
    expect(
      (await suite.app.gql('query($id: ID!) { webhookEndpoint(id: $id) { disableAfterFailures disableAfterMs } }', { id })).data
        .webhookEndpoint,
    ).toEqual({ disableAfterFailures: 5, disableAfterMs: 5_400_000 });

    // Its own delivery limits: a concurrency and a rate, shown on the endpoint; blank clears them.
    await item.getByRole('button', { name: `Edit ${receiver.url}` }).click();
    await item.getByLabel('Concurrency').fill('3');
    await item.getByLabel('Rate: at most').fill('10');
    await item.getByLabel('…per (seconds)').fill('2');
    await item.getByRole('button', { name: 'Save endpoint' }).click();
    await expect.poll(() => item.locator('[data-endpoint-limits]').textContent()).toContain('3 at once · at most 10 per 2 s');
    const limits = 'query($id: ID!) { webhookEndpoint(id: $id) { concurrency rateLimit { max perMs } } }';
    expect((await suite.app.gql(limits, { id })).data.webhookEndpoint).toEqual({ concurrency: 3, rateLimit: { max: 10, perMs: 2000 } });
    await item.getByRole('button', { name: `Edit ${receiver.url}` }).click();
    await item.getByLabel('Concurrency').fill('');
    await item.getByLabel('Rate: at most').fill('');
    await item.getByRole('button', { name: 'Save endpoint' }).click();
    await expect.poll(() => item.locator('[data-endpoint-limits]').count()).toBe(0);
    expect((await suite.app.gql(limits, { id })).data.webhookEndpoint).toEqual({ concurrency: null, rateLimit: null });
    expect(errors).toEqual([]);
  });
});
