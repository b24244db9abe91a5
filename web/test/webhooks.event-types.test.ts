import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';
import { receiverForFile } from './support/receiver.ts';

/** Keeps what arrives, so the job.cancelled message can be verified here. */
const receiver = receiverForFile('/cancels');

describe('the endpoint form’s event types', () => {
  const suite = browserSuite({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' });

  it('offers the subscribable types of webhookEventTypes; an endpoint for job.cancelled gets a cancelled job’s message', async () => {
    const { page, errors } = await suite.openPage();
    await page.goto('/webhooks');
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const form = page.getByRole('form', { name: 'New endpoint' });
    const boxes = form.getByRole('group', { name: 'Event types' }).getByRole('checkbox');
    await expect.poll(() => boxes.count()).toBe(5);
    expect(await boxes.evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual([
      'job.completed',
      'job.failed',
      'job.cancelled',
      'alert.fired',
      'alert.resolved',
    ]);

    await form.getByLabel('URL').fill(receiver.url);
    await form.getByLabel('job.completed').uncheck();
    await form.getByLabel('job.failed').uncheck();
    await form.getByLabel('job.cancelled').check();
    await form.getByRole('button', { name: 'Create endpoint' }).click();
    const secret = (await page.locator('[data-secret-reveal] [data-secret]').textContent())!.trim();
    const endpoints = (await suite.app.gql('{ webhookEndpoints { url eventTypes } }')).data.webhookEndpoints;
    expect(endpoints).toContainEqual({ url: receiver.url, eventTypes: ['job.cancelled'] });
    await page.locator('[data-secret-reveal]').getByRole('button', { name: 'Done' }).click();

    const runAt = new Date(Date.now() + 3_600_000).toISOString();
    const created = await suite.app.gql(`mutation { createJob(input: { taskName: "generate-report", runAt: "${runAt}" }) { id } }`);
    const jobId = created.data.createJob.id as string;
    await suite.app.gql(`mutation { cancelJob(id: "${jobId}") { status } }`);

    const delivered = page.locator('[data-event-type="job.cancelled"]', { has: page.locator('[data-delivery-status="DELIVERED"]') });
    await delivered.waitFor({ timeout: 15_000 });
    expect(receiver.hits).toHaveLength(1);
    expect(new Webhook(secret).verify(receiver.hits[0].body, receiver.hits[0].headers as Record<string, string>)).toMatchObject({
      type: 'job.cancelled',
      jobId: Number(jobId),
      status: 'CANCELLED',
    });
    expect(errors).toEqual([]);
  });
});
