import { describe, expect, it } from 'vitest';
import { browserSuite } from './support/suite.ts';

const LEASE_MS = 3000;

describe('the workers page', () => {
  const suite = browserSuite({ LEASE_MS: String(LEASE_MS) });

  it('shows the local worker and a remote one with the job it runs, flags the remote one lost once it goes quiet, and the job page names it', async () => {
    const { app } = suite;
    const registered = await app.gql(
      'mutation { registerWorker(input: { name: "billing-service", concurrency: 3, tasks: [{ name: "invoice.render", defaults: { queue: "invoices" } }] }) }',
    );
    const remoteId: string = registered.data.registerWorker;
    const job = (await app.gql('mutation { createJob(input: { taskName: "invoice.render" }) { id } }')).data.createJob;
    const claimed = await app.gql(`mutation { claimJobs(workerId: "${remoteId}", leaseMs: 60000) { token job { id } } }`);
    expect(claimed.data.claimJobs[0].job.id).toBe(job.id);

    const { page, errors } = await suite.openPage();
    await app.gql(`mutation { workerHeartbeat(workerId: "${remoteId}") }`);
    await page.goto('/workers');
    const remote = page.locator(`[data-worker="${remoteId}"]`);
    await remote.waitFor();
    expect(await remote.locator('[data-worker-kind]').textContent()).toBe('Remote');
    expect(await remote.locator('[data-worker-state]').textContent()).toBe('Live');
    expect((await remote.locator('[data-metric="running"]').textContent())?.trim()).toBe('1 / 3');
    expect((await remote.locator('[data-metric="queues"]').textContent())?.trim()).toBe('invoices');
    expect((await remote.locator('[data-metric="tasks"]').textContent())?.trim()).toBe('invoice.render');
    expect(await remote.locator('[data-metric="jobs"] a').getAttribute('href')).toBe(`/jobs/${job.id}`);

    const local = page.locator('[data-worker]').filter({ has: page.locator('[data-worker-kind]', { hasText: 'Local' }) });
    expect(await local.count()).toBe(1);
    expect(await local.locator('[data-worker-state]').textContent()).toBe('Live');
    expect((await local.locator('[data-metric="queues"]').textContent())?.trim()).toBe('every queue');

    // No heartbeat from the remote worker: the page flags it lost by itself, one lease later.
    await remote.locator('[data-worker-state="lost"]').waitFor({ timeout: LEASE_MS + 6000 });
    expect(await page.locator('[data-lost-count]').textContent()).toContain('1 lost worker');
    expect(await local.locator('[data-worker-state]').textContent()).toBe('Live');

    await page.goto(`/jobs/${job.id}`);
    await page.getByTestId('job-worker').getByText(remoteId).waitFor();
    expect(errors).toEqual([]);
  });
});
