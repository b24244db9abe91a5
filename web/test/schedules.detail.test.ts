import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ScheduleFire, FireOutcome } from '../../api/src/schedules/fires/schedule-fire.entity.ts';
import { horizontalOverflow } from './support/browser.ts';
import { browserSuite } from './support/suite.ts';

const ADMIN = 'schedule-detail-admin-token-0123456789';
const VIEWER = 'schedule-detail-viewer-token-0123456789';
const SCHEDULE_ZONE = 'Asia/Tokyo';
const BROWSER_ZONE = 'America/New_York';

/** What the page should print for `iso` in `timeZone` (the options of formatInZone, in the forced en-US locale). */
const expected = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-US', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'short',
    timeZone,
  }).format(new Date(iso));

describe('the schedule page', () => {
  const suite = browserSuite({ API_TOKENS: `ops:admin:${ADMIN},wall:viewer:${VIEWER}` });
  const admin = { authorization: `Bearer ${ADMIN}` };

  const openAs = async (token: string) => {
    const opened = await suite.openPage({ timezoneId: BROWSER_ZONE, locale: 'en-US' });
    await opened.context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), token);
    return opened;
  };

  const createSchedule = async (input: Record<string, unknown>) => {
    const res = await suite.app.gql<{ createSchedule: { id: string } }>(
      'mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }',
      { input },
      admin,
    );
    if (res.errors) throw new Error(`createSchedule failed: ${JSON.stringify(res.errors)}`);
    return res.data.createSchedule.id;
  };

  it(
    'shows next runs in both zones and CREATED fires arriving live with their jobs; a viewer sees no action',
    { timeout: 90_000 },
    async () => {
      const id = await createSchedule({
        name: 'every-second',
        cron: '* * * * * *',
        timezone: SCHEDULE_ZONE,
        taskName: 'tick',
        payload: { from: 'schedule' },
        overlap: 'ALLOW',
        misfire: 'SKIP',
      });
      const { page, errors } = await openAs(ADMIN);

      // The list links each schedule to its page, and names its policies.
      await page.goto('/schedules');
      const row = page.locator('[data-schedule="every-second"]');
      expect(await row.locator('[data-schedule-policies]').textContent()).toMatch(/Overlap allowed\s*Skip missed/);
      await row.getByRole('link', { name: 'every-second' }).click();
      await page.waitForURL(`**/schedules/${id}`);
      await page.getByRole('heading', { name: 'every-second', level: 1 }).waitFor();

      const settings = page.getByTestId('schedule-settings');
      await expect.poll(() => settings.textContent()).toContain('* * * * * *');
      expect(await settings.textContent()).toContain(SCHEDULE_ZONE);
      expect(await page.getByTestId('schedule-overlap').textContent()).toBe('Overlap allowed');
      expect(await page.getByTestId('schedule-misfire').textContent()).toBe('Skip missed');
      expect(await page.locator('section[aria-labelledby="settings-title"]').textContent()).toMatch(/from\W*schedule/);

      // Ten next runs, one second apart, each in Tokyo and in the browser's New York, labelled with both zones.
      const runs = page.locator('[data-next-run]');
      await expect.poll(() => runs.count()).toBe(10);
      const header = await page.getByTestId('next-runs').locator('thead').textContent();
      expect(header).toContain(`(${SCHEDULE_ZONE})`);
      expect(header).toContain(`(${BROWSER_ZONE})`);
      const first = await runs.first().getAttribute('data-next-run');
      const second = await runs.nth(1).getAttribute('data-next-run');
      expect(new Date(second!).getTime() - new Date(first!).getTime()).toBe(1000);
      const tokyo = await runs.first().locator(`time[data-zone="${SCHEDULE_ZONE}"]`).textContent();
      const newYork = await runs.first().locator(`time[data-zone="${BROWSER_ZONE}"]`).textContent();
      expect(tokyo).toBe(expected(first!, SCHEDULE_ZONE));
      expect(newYork).toBe(expected(first!, BROWSER_ZONE));
      // Tokyo is UTC+9 all year; New York is UTC-5 or UTC-4: the same instant reads 13 or 14 hours apart.
      expect(tokyo).toContain('GMT+9');
      expect(newYork).toMatch(/E[SD]T/);
      const wallClock = (text: string) => Date.parse(text.replace(/\s*(GMT\+9|E[SD]T)$/, '').replace(',', '') + ' UTC');
      expect([13, 14]).toContain((wallClock(tokyo!) - wallClock(newYork!)) / 3_600_000);

      // Fires arrive without a reload: CREATED rows, each linking to its job with the job's status.
      const created = page.locator('[data-fire="CREATED"]');
      await expect.poll(() => created.count(), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
      const seen = await created.count();
      await expect.poll(() => created.count(), { timeout: 20_000 }).toBeGreaterThan(seen);
      const link = created.first().locator('a[data-fire-job]');
      const href = await link.getAttribute('href');
      const jobId = /^\/jobs\/(\d+)$/.exec(href ?? '')![1];
      const job = (await suite.app.gql(`{ job(id: "${jobId}") { scheduleId status } }`, {}, admin)).data.job;
      expect(job.scheduleId).toBe(id);
      await expect.poll(() => created.first().locator('[data-status]').count(), { timeout: 10_000 }).toBe(1);
      const stored = (await suite.app.gql(`{ schedule(id: "${id}") { fires(limit: 500) { outcome jobId } } }`, {}, admin)).data.schedule
        .fires;
      expect(stored.some((f: { jobId: string | null }) => f.jobId === jobId)).toBe(true);

      // An admin disables it from the page: no more ticks, and the next runs say what they are.
      await page.getByRole('switch', { name: 'Enabled: every-second' }).click();
      await page.locator('[data-toast="success"]', { hasText: 'Schedule “every-second” disabled' }).waitFor();
      await page.getByTestId('next-runs-disabled').waitFor();
      expect(await page.getByTestId('schedule-enabled').textContent()).toBe('Disabled');

      // The job link opens the job.
      await link.click();
      await page.waitForURL(`**/jobs/${jobId}`);
      expect(errors).toEqual([]);

      // A viewer reads the same page without a single action.
      const asViewer = await openAs(VIEWER);
      await asViewer.page.goto(`/schedules/${id}`);
      await asViewer.page.getByRole('heading', { name: 'every-second', level: 1 }).waitFor();
      await expect.poll(() => asViewer.page.locator('[data-fire="CREATED"]').count()).toBeGreaterThan(0);
      expect(await asViewer.page.getByTestId('schedule-actions').count()).toBe(0);
      expect(await asViewer.page.getByRole('switch').count()).toBe(0);
      for (const name of ['Trigger now', 'Edit', 'Delete']) {
        expect(await asViewer.page.getByRole('button', { name }).count()).toBe(0);
      }
      expect(asViewer.errors).toEqual([]);
    },
  );

  it('edits and deletes from the page, and says when a schedule does not exist', async () => {
    const id = await createSchedule({ name: 'weekly', cron: '0 9 * * 1', timezone: 'Europe/Paris', taskName: 'report' });
    const { page, errors } = await openAs(ADMIN);
    await page.goto(`/schedules/${id}`);
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const form = page.getByRole('form', { name: 'Edit schedule weekly' });
    await form.getByLabel('Cron expression').fill('30 8 * * 2');
    await form.getByLabel('Overlap').selectOption('SKIP');
    await form.getByRole('button', { name: 'Save schedule' }).click();
    await page.locator('[data-toast="success"]', { hasText: 'Schedule “weekly” saved' }).waitFor();
    await expect.poll(() => page.getByTestId('schedule-settings').textContent()).toContain('30 8 * * 2');
    expect(await page.getByTestId('schedule-overlap').textContent()).toBe('Skip while running');
    const stored = (await suite.app.gql(`{ schedule(id: "${id}") { cron overlap } }`, {}, admin)).data.schedule;
    expect(stored).toEqual({ cron: '30 8 * * 2', overlap: 'SKIP' });

    await page.getByRole('button', { name: 'Trigger now' }).click();
    const toast = page.locator('[data-toast="success"]', { hasText: '“weekly” triggered: job #' });
    await toast.waitFor();
    const jobId = /job #(\d+)/.exec((await toast.textContent()) ?? '')![1];
    expect((await suite.app.gql(`{ job(id: "${jobId}") { scheduleId taskName } }`, {}, admin)).data.job).toEqual({
      scheduleId: id,
      taskName: 'report',
    });

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete schedule' }).click();
    await page.waitForURL('**/schedules');
    expect((await suite.app.gql(`{ schedule(id: "${id}") { id } }`, {}, admin)).data.schedule).toBeNull();

    for (const unknown of [id, '999999', 'not-a-number']) {
      await page.goto(`/schedules/${unknown}`);
      await page.getByTestId('schedule-not-found').waitFor();
      expect(await page.getByTestId('schedule-not-found').textContent()).toContain(`“${unknown}”`);
    }
    expect(errors).toEqual([]);
  });

  /** No serious or critical axe violation, and nothing to scroll sideways. */
  const expectClean = async (page: Page, where: string) => {
    const { violations } = await new AxeBuilder({ page }).analyze();
    const serious = violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ rule: v.id, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
    expect({ where, serious, overflow: await horizontalOverflow(page) }).toEqual({ where, serious: [], overflow: 0 });
  };

  it(
    'has no serious axe violations and never scrolls sideways on a phone, list and page, in light and dark',
    { timeout: 90_000 },
    async () => {
      const id = await createSchedule({
        name: 'a-rather-long-schedule-name-that-could-push-a-phone-layout-sideways',
        cron: '* * * * * *',
        timezone: SCHEDULE_ZONE,
        taskName: 'slow',
        payload: { durationMs: 1500 },
        overlap: 'SKIP',
      });
      for (const colorScheme of ['light', 'dark'] as const) {
        for (const viewport of [
          { width: 1280, height: 900 },
          { width: 360, height: 740 },
        ]) {
          const opened = await suite.openPage({ colorScheme, ...viewport, timezoneId: BROWSER_ZONE });
          await opened.context.addInitScript((t) => localStorage.setItem('jobs.apiToken', t), ADMIN);
          const { page } = opened;
          await page.goto(`/schedules/${id}`);
          await page.locator('[data-connection="live"]').waitFor();
          await expect.poll(() => page.locator('[data-fire="SKIPPED_OVERLAP"]').count(), { timeout: 20_000 }).toBeGreaterThan(0);
          await page.locator('[data-fire="CREATED"] [data-status]').first().waitFor();
          await expectClean(page, `/schedules/${id} ${colorScheme} ${viewport.width}`);
          // The list, with its policy badges and the link to the page, in the same conditions.
          await page.goto('/schedules');
          await page.locator('[data-schedule-policies]').first().waitFor();
          await expectClean(page, `/schedules ${colorScheme} ${viewport.width}`);
          await opened.context.close();
        }
      }
    },
  );

  it('shows the newest 100 fires, then 100 more per "Show more" up to the 500 kept', { timeout: 60_000 }, async () => {
    const id = await createSchedule({ name: 'long-history', cron: '0 * * * *', timezone: 'UTC', taskName: 'hourly', enabled: false });
    // 520 missed hourly ticks, written as the scheduler would: more than one page, more than the page ever asks for.
    const em = suite.app.orm.em.fork();
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 520; i++) {
      em.create(ScheduleFire, {
        scheduleId: Number(id),
        tickAt: new Date(start + i * 3_600_000),
        outcome: FireOutcome.MISSED,
        reason: `tick ${i}`,
      });
    }
    await em.flush();

    const { page, errors } = await openAs(ADMIN);
    await page.goto(`/schedules/${id}`);
    const rows = page.locator('[data-fire]');
    await expect.poll(() => rows.count()).toBe(100);
    expect(await rows.first().textContent()).toContain('tick 519');
    expect(await rows.last().textContent()).toContain('tick 420');
    for (const shown of [200, 300, 400, 500]) {
      await page.getByRole('button', { name: 'Show more' }).click();
      await expect.poll(() => rows.count()).toBe(shown);
    }
    expect(await rows.last().textContent()).toContain('tick 20');
    expect(await page.getByRole('button', { name: 'Show more' }).count()).toBe(0);
    expect(await rows.first().locator('[data-outcome="MISSED"]').textContent()).toBe('Missed');
    expect(errors).toEqual([]);
  });
});
