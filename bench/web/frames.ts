import type { Browser } from 'playwright-core';
import type { TestApp } from '../../web/test/support/app.ts';
import { openPage } from '../../web/test/support/browser.ts';

export interface FrameResult {
  frames: number;
  durationMs: number;
  updatesSent: number;
  updatesPerSecond: number;
  meanMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  over50ms: number;
  longAnimationFrames: number;
  rowsChanged: number;
  /** Main-thread busy time per second of the run, by kind. */
  mainThreadMsPerSecond: { script: number; layout: number; style: number; task: number };
}

/** Records every requestAnimationFrame gap and Chromium's long-animation-frame entries over 50 ms. */
const FRAME_RECORDER = `(() => {
  const bench = (window.bench = { gaps: [], loaf: 0, running: true });
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.duration > 50) bench.loaf++;
    }).observe({ type: 'long-animation-frame', buffered: false });
  } catch {
    // LoAF is Chromium 123+; the rAF gaps still measure frames.
  }
  let last = performance.now();
  const tick = (now) => {
    bench.gaps.push(now - last);
    last = now;
    if (bench.running) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

const JOB_FIELDS = `id taskName priority status attempts maxAttempts progress runAt createdAt updatedAt completedAt lastError
  payload result startedAt runDurationMs timeoutMs webhookUrl idempotencyKey scheduleId`;

/**
 * Opens `/?limit=100` and, through the page's own WebSocket, delivers `jobUpdated` events at a fixed
 * rate (progress moving on random rows) exactly as the server would send them, so what is measured is
 * the dashboard's rendering, not the engine's pace. Frame gaps come from requestAnimationFrame.
 */
export async function measureFrames(
  browser: Browser,
  app: TestApp,
  { rows, updatesPerSecond, durationMs }: { rows: number; updatesPerSecond: number; durationMs: number },
): Promise<FrameResult> {
  const { data } = await app.gql(`{ jobs(limit: ${rows}) { jobs { ${JOB_FIELDS} } } }`);
  const jobs = data.jobs.jobs as Record<string, unknown>[];
  const { page, context } = await openPage(browser, { baseURL: app.url });

  let sendToPage: ((message: string) => void) | undefined;
  let subscriptionId: string | undefined;
  await page.routeWebSocket(/\/graphql$/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      const parsed = JSON.parse(String(message)) as {
        id?: string;
        type: string;
        payload?: { query?: string; variables?: Record<string, unknown> };
      };
      // The dashboard's all-jobs jobUpdated subscription (no id variable).
      if (parsed.type === 'subscribe' && /subscription JobUpdated\b/.test(parsed.payload?.query ?? '') && !parsed.payload?.variables?.id) {
        subscriptionId = parsed.id;
      }
      server.send(message);
    });
    sendToPage = (message) => ws.send(message);
  });

  await page.goto(`/?limit=${rows}`);
  await page.locator('[data-connection="live"]').waitFor();
  await page
    .locator('tbody tr[data-job-id]')
    .nth(rows - 1)
    .waitFor();
  while (!subscriptionId) await new Promise((r) => setTimeout(r, 20));

  // Main-thread time split by kind over the run (Chrome DevTools Protocol Performance domain).
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries(
      ((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]),
    );
  const before = await metrics();
  // A string, not a function: tsx would wrap named functions in a `__name` helper the page lacks.
  await page.evaluate(FRAME_RECORDER);

  const intervalMs = updatesPerSecond > 0 ? 1000 / updatesPerSecond : Number.POSITIVE_INFINITY;
  const started = Date.now();
  let sent = 0;
  const progress = new Map<string, number>();
  if (updatesPerSecond <= 0) await new Promise((r) => setTimeout(r, durationMs));
  while (updatesPerSecond > 0 && Date.now() - started < durationMs) {
    const job = jobs[Math.floor(Math.random() * jobs.length)];
    const id = String(job.id);
    const next = Math.min(0.99, (progress.get(id) ?? 0) + 0.01 + Math.random() * 0.05);
    progress.set(id, next);
    const update = {
      ...job,
      status: 'RUNNING',
      progress: next,
      attempts: 1,
      updatedAt: new Date().toISOString(),
      startedAt: new Date(started).toISOString(),
    };
    sendToPage!(JSON.stringify({ id: subscriptionId, type: 'next', payload: { data: { jobUpdated: update } } }));
    sent++;
    // Keep the schedule honest: the next update is due at started + sent × interval.
    const wait = started + sent * intervalMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const elapsed = Date.now() - started;
  const after = await metrics();
  const msPerSecond = (name: string) => ((after[name] - before[name]) * 1000 * 1000) / elapsed;

  const result = await page.evaluate(() => {
    const w = window as unknown as { bench: { gaps: number[]; loaf: number; running: boolean } };
    w.bench.running = false;
    return {
      gaps: w.bench.gaps.slice(1),
      loaf: w.bench.loaf,
      running: document.querySelectorAll('tbody tr[data-status="RUNNING"]').length,
    };
  });
  await context.close();

  const sorted = [...result.gaps].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  return {
    frames: sorted.length,
    durationMs: elapsed,
    updatesSent: sent,
    updatesPerSecond: (sent / elapsed) * 1000,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p95Ms: pct(95),
    p99Ms: pct(99),
    maxMs: sorted.at(-1) ?? 0,
    over50ms: sorted.filter((g) => g > 50).length,
    longAnimationFrames: result.loaf,
    rowsChanged: result.running,
    mainThreadMsPerSecond: {
      script: msPerSecond('ScriptDuration'),
      layout: msPerSecond('LayoutDuration'),
      style: msPerSecond('RecalcStyleDuration'),
      task: msPerSecond('TaskDuration'),
    },
  };
}
