/**
 * Writes the README's screenshots (docs/screenshots/): `/`, `/jobs/new`, `/jobs/[id]` and `/schedules/[id]`
 * in light and dark, on a desktop and a phone. The data is real: the sample seed (two days of history) plus a burst
 * of jobs run by the engine while the script waits, and one long job caught mid-run.
 *
 * Run: npm run screenshots -w web   (builds the dashboard first when it is missing or stale)
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Em } from '../../api/src/db/orm.ts';
import { seed } from '../../api/src/jobs/seed.ts';
import { createParkedJob, startApp } from '../test/support/app.ts';
import { launchBrowser } from '../test/support/browser.ts';
import { ensureBuild } from '../test/support/build.ts';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 },
  phone: { viewport: { width: 360, height: 740 }, deviceScaleFactor: 2 },
} as const;

ensureBuild();
mkdirSync(OUT, { recursive: true });
const app = await startApp({ WORKER_CONCURRENCY: '8' });
const browser = await launchBrowser();
try {
  await seed(app.orm.em.fork() as Em, 48, `${app.url}/api/webhook-test`);

  // A burst the engine runs now: most complete, some fail for good, so the chart and the cards move.
  const tasks = ['send-email', 'resize-image', 'generate-report', 'sync-crm'];
  for (let i = 0; i < 36; i++) {
    const fail = i % 7 === 3;
    const job = await createParkedJob(app, {
      taskName: tasks[i % tasks.length],
      priority: (['LOW', 'MEDIUM', 'HIGH'] as const)[i % 3],
      maxAttempts: fail ? 1 : 3,
      payload: { durationMs: 200 + (i % 5) * 250, ...(fail ? { fail: true } : {}), batch: i },
    });
    await app.gql(`mutation { runJob(id: "${job.id}") { id } }`);
  }
  const detail = await createParkedJob(app, {
    taskName: 'generate-report',
    priority: 'HIGH',
    payload: { format: 'PDF', month: '2026-10', durationMs: 1800, recipients: ['finance@example.com', 'ops@example.com'] },
  });
  await app.gql(`mutation { runJob(id: "${detail.id}") { id } }`);
  const long = await createParkedJob(app, {
    taskName: 'sync-crm',
    priority: 'MEDIUM',
    payload: { account: 'acct_512', full: true, durationMs: 300_000 },
  });
  await app.gql(`mutation { runJob(id: "${long.id}") { id } }`);
  // Every second in Tokyo with jobs of 2.5 s and overlap SKIP: the fire history mixes created and skipped ticks.
  const schedule = await app.gql<{ createSchedule: { id: string } }>(
    'mutation($input: CreateScheduleInput!) { createSchedule(input: $input) { id } }',
    {
      input: {
        name: 'tokyo-digest',
        cron: '* * * * * *',
        timezone: 'Asia/Tokyo',
        taskName: 'generate-report',
        payload: { durationMs: 2500, format: 'digest' },
        overlap: 'SKIP',
        misfire: 'RUN_ONCE',
      },
    },
  );

  // Wait for the detail job's webhook to be delivered and the burst to drain.
  for (;;) {
    const { data } = await app.gql(`{ job(id: "${detail.id}") { status webhookLogs { id } } jobStats { running pending } }`);
    if (data.job.status === 'COMPLETED' && data.job.webhookLogs.length > 0 && data.jobStats.running <= 1) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  await new Promise((r) => setTimeout(r, 3_000)); // the long job shows some progress

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const [device, options] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ baseURL: app.url, colorScheme, reducedMotion: 'reduce', ...options });
      const page = await context.newPage();
      const shots = [
        { name: 'dashboard', path: '/' },
        { name: 'new-job', path: '/jobs/new' },
        { name: 'job-detail', path: `/jobs/${detail.id}` },
        { name: 'schedule-detail', path: `/schedules/${schedule.data.createSchedule.id}` },
      ];
      for (const shot of shots) {
        await page.goto(shot.path);
        await page.locator('[data-connection="live"]').waitFor();
        await page.locator('[data-state="loading"]').waitFor({ state: 'detached' });
        if (shot.name === 'dashboard') await page.locator('tbody tr[data-job-id]').first().waitFor();
        if (shot.name === 'job-detail') await page.locator('[data-webhook-attempt]').first().waitFor();
        if (shot.name === 'schedule-detail') await page.locator('[data-fire="SKIPPED_OVERLAP"]').first().waitFor();
        await page.waitForTimeout(300);
        const file = `${OUT}${shot.name}-${device}-${colorScheme}.png`;
        // The schedule page's fire history sits below its settings and next runs: take the whole page.
        await page.screenshot({ path: file, fullPage: shot.name === 'schedule-detail' });
        console.log(`wrote ${file}`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
  await app.stop();
}
