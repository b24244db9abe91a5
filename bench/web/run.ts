/**
 * Dashboard benchmark (numbers, not pass/fail): the real API on a temporary SQLite database serving the
 * production build of the dashboard, driven by Debian's Chromium.
 *
 *  1. JavaScript transferred on a cold first load of `/`: what the browser fetched, and the gzip size
 *     of the same files (the build's precompressed .gz). Target: under 150 KB gzip.
 *  2. Frame times of the job table with 100 rows while 50 job updates per second arrive over the
 *     subscription. Target: no frame over 50 ms.
 *
 * Run: npm run bench:web -w bench   (builds the dashboard first when it is missing or stale)
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createParkedJob, startApp } from '../../web/test/support/app.ts';
import { launchBrowser, openPage } from '../../web/test/support/browser.ts';
import { ensureBuild, WEB_BUILD } from '../../web/test/support/build.ts';
import { measureFrames } from './frames.ts';

const ROWS = 100;
const UPDATES_PER_SECOND = Number(process.env.BENCH_UPDATES_PER_SECOND ?? 50);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);

ensureBuild();
const app = await startApp();
const browser = await launchBrowser();
try {
  for (let i = 0; i < ROWS; i++)
    await createParkedJob(app, {
      taskName: `bench-task-${i % 7}`,
      priority: (['LOW', 'MEDIUM', 'HIGH'] as const)[i % 3],
      payload: { n: i },
    });

  // 1. First load of `/`, cold cache.
  const { page, context } = await openPage(browser, { baseURL: app.url });
  const scripts: { url: string; transferred: number }[] = [];
  page.on('requestfinished', async (request) => {
    if (request.resourceType() !== 'script') return;
    const sizes = await request.sizes();
    scripts.push({ url: new URL(request.url()).pathname, transferred: sizes.responseBodySize + sizes.responseHeadersSize });
  });
  await page.goto('/');
  await page.locator('[data-connection="live"]').waitFor();
  await page.waitForLoadState('networkidle');
  await context.close();
  const gzipOf = (path: string) => statSync(join(WEB_BUILD, `${path}.gz`), { throwIfNoEntry: false })?.size ?? Number.NaN;
  const load = {
    scripts: scripts.length,
    transferredBytes: scripts.reduce((sum, s) => sum + s.transferred, 0),
    gzipBytes: scripts.reduce((sum, s) => sum + gzipOf(s.url), 0),
    graphiqlLoaded: scripts.some((s) => /playground/i.test(s.url)),
  };

  // 2. Frame times under live updates.
  const frames = await measureFrames(browser, app, { rows: ROWS, updatesPerSecond: UPDATES_PER_SECOND, durationMs: DURATION_MS });

  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log('\nDashboard: first load of / (cold cache)');
  console.log(
    `  JS files: ${load.scripts}, transferred (as negotiated, incl. headers): ${kb(load.transferredBytes)}, gzip size of those files: ${kb(load.gzipBytes)} (target < 150 KB)`,
  );
  console.log(`  GraphiQL on first load: ${load.graphiqlLoaded ? 'yes' : 'no (lazy-loaded on /playground)'}`);
  console.log(
    `\nJob table, ${ROWS} rows, ${frames.updatesSent} updates in ${(frames.durationMs / 1000).toFixed(1)} s (${frames.updatesPerSecond.toFixed(1)}/s applied)`,
  );
  console.log(
    `  frames: ${frames.frames}, mean ${frames.meanMs.toFixed(1)} ms, p95 ${frames.p95Ms.toFixed(1)} ms, p99 ${frames.p99Ms.toFixed(1)} ms, max ${frames.maxMs.toFixed(1)} ms`,
  );
  console.log(
    `  frames over 50 ms: ${frames.over50ms}; long animation frames (>50 ms, Chromium LoAF): ${frames.longAnimationFrames} (target 0)`,
  );
  console.log(`  rows that changed on screen: ${frames.rowsChanged} of ${ROWS}`);
  const busy = frames.mainThreadMsPerSecond;
  console.log(
    `  main thread busy per second: ${busy.task.toFixed(0)} ms (script ${busy.script.toFixed(0)}, style ${busy.style.toFixed(0)}, layout ${busy.layout.toFixed(0)})`,
  );
  console.log(
    `  machine load average at the end: ${loadavg()
      .map((n) => n.toFixed(1))
      .join(', ')} on ${cpus().length} cores`,
  );

  const out = fileURLToPath(new URL('../results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const machine = { cores: cpus().length, loadAverage: loadavg() };
  writeFileSync(join(out, 'web.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, load, frames }, null, 2)}\n`);
} finally {
  await browser.close();
  await app.stop();
}
