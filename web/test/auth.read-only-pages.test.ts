import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

const ADMIN = 'read-only-pages-admin-token-0123456789';
const VIEWER = 'read-only-pages-viewer-token-0123456789';

/** Every button or link that would change something, by the names the pages give them. */
const ACTION = /^(Run|Cancel|Delete|Redeliver|Pause|Resume|New|Edit|Trigger|Send test|Rotate|Retry|Create|Save)\b/;

async function actionsOn(page: Page): Promise<string[]> {
  const main = page.locator('main');
  const named = [
    ...(await main.getByRole('button', { name: ACTION }).allTextContents()),
    // Every way to the new-job form: the navigation, the list's button and empty state, queue and task cards.
    ...(await page.locator('a[href^="/jobs/new"]').allTextContents()),
    ...(await main.getByRole('switch').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? 'switch'))),
    // Forms that write; the jobs list's filter bar only reads.
    ...(await main
      .locator('form:not([aria-label="Filter jobs"])')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? 'form'))),
  ];
  return named.map((n) => n.trim());
}

describe('every page with a viewer token', () => {
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });
  const admin = { authorization: `Bearer ${ADMIN}` };

  const openAs = async (token: string) => {
    const opened = await suite.openPage();
    await opened.context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), token);
    return opened;
  };

  it('says it is read-only and shows no action on any page; an admin sees the actions on each', { timeout: 120_000 }, async () => {
    const { page, errors } = await openAs(VIEWER);
    // An empty list invites admins to create the first job; a viewer only reads that jobs will appear.
    await page.goto('/');
    await page.getByText('Jobs appear here as they are created').waitFor();
    expect(await actionsOn(page)).toEqual([]);

    const job = await createParkedJob(suite.app, { taskName: 'watch-only' }, admin);
    const schedule = await suite.app.gql(
      'mutation { createSchedule(input: { name: "nightly", cron: "0 3 * * *", taskName: "noop" }) { id } }',
      {},
      admin,
    );
    expect(schedule.errors).toBeUndefined();

    // Each page, the element that says it has loaded its data, and an action an admin sees there.
    const pages: {
      path: string;
      loaded: (p: Page) => ReturnType<Page['locator']>;
      adminAction: (p: Page) => ReturnType<Page['locator']>;
    }[] = [
      {
        path: '/',
        loaded: (p) => p.locator(`tr[data-job-id="${job.id}"]`),
        adminAction: (p) => p.getByRole('button', { name: `Run job ${job.id} now` }),
      },
      {
        path: `/jobs/${job.id}`,
        loaded: (p) => p.getByRole('heading', { name: 'watch-only' }),
        adminAction: (p) => p.getByRole('button', { name: 'Run now' }),
      },
      {
        path: '/jobs/new',
        loaded: (p) => p.getByRole('heading', { name: 'New job' }),
        adminAction: (p) => p.getByRole('button', { name: 'Create job' }),
      },
      {
        path: '/queues',
        loaded: (p) => p.locator('[data-queue-state]').first(),
        adminAction: (p) => p.getByRole('button', { name: 'Edit limits of queue default' }),
      },
      {
        path: '/schedules',
        loaded: (p) => p.locator('[data-schedule="nightly"]'),
        adminAction: (p) => p.getByRole('button', { name: 'Trigger now: nightly' }),
      },
      {
        path: '/tasks',
        loaded: (p) => p.getByRole('heading', { name: 'noop' }),
        adminAction: (p) => p.getByRole('link', { name: 'New job for noop' }),
      },
      {
        path: '/workers',
        loaded: (p) => p.locator('[data-worker-state="live"]').first(),
        adminAction: (p) => p.locator('[data-worker]').first(),
      },
      {
        path: '/webhooks',
        loaded: (p) => p.getByText('Endpoints and deliveries are shown to admin tokens only'),
        adminAction: (p) => p.getByRole('button', { name: /^Send test to/ }),
      },
    ];

    for (const { path, loaded } of pages) {
      await page.goto(path);
      await page.getByTestId('read-only').waitFor();
      await loaded(page).waitFor();
      expect(await page.getByTestId('read-only').textContent()).toContain('the token “wall” is a viewer');
      expect(await actionsOn(page), path).toEqual([]);
    }
    expect(await page.getByTestId('new-job-read-only').count()).toBe(0);
    await page.goto('/jobs/new');
    await page.getByTestId('new-job-read-only').waitFor();
    expect(await page.getByTestId('new-job-read-only').textContent()).toContain('needs an admin token');
    expect(errors).toEqual([]);

    const asAdmin = await openAs(ADMIN);
    for (const { path, adminAction } of pages) {
      await asAdmin.page.goto(path);
      await adminAction(asAdmin.page).waitFor();
      expect(await asAdmin.page.getByTestId('read-only').count()).toBe(0);
      if (path !== '/workers') expect((await actionsOn(asAdmin.page)).length, path).toBeGreaterThan(0);
    }
    expect(await asAdmin.page.getByRole('link', { name: 'New job', exact: true }).count()).toBeGreaterThan(0);
    expect(asAdmin.errors).toEqual([]);
  });
});
