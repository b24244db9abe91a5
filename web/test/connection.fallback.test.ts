import type { WebSocketRoute } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createParkedJob } from './support/app.ts';
import { browserSuite } from './support/suite.ts';

describe('when the WebSocket drops', () => {
  const suite = browserSuite();

  it('shows polling, keeps refreshing over HTTP every 5 s, then reconnects and is live again', async () => {
    const { page, errors } = await suite.openPage();
    // Every socket goes through this route: connected to the real server while allowed, refused while not.
    let allowSockets = true;
    const open: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!allowSockets) return void ws.close({ code: 1011, reason: 'test: server unavailable' });
      ws.connectToServer();
      open.push(ws);
    });

    await page.goto('/');
    const indicator = page
      .getByRole('status')
      .filter({ has: page.locator('[data-connection]') })
      .or(page.locator('[data-connection]'));
    await page.locator('[data-connection="live"]').waitFor();
    expect(await indicator.first().textContent()).toContain('Live');

    // The server side goes away: close the open socket and refuse reconnects for a while.
    allowSockets = false;
    for (const ws of open.splice(0)) await ws.close({ code: 1001, reason: 'test: server going away' });
    await page.locator('[data-connection="polling"]').waitFor();
    expect(await page.locator('[data-connection]').textContent()).toContain('Polling every 5 s');

    // A job created meanwhile still shows up, through HTTP polling alone.
    const job = await createParkedJob(suite.app, { taskName: 'created-while-polling' });
    await page.locator(`tr[data-job-id="${job.id}"]`).waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-connection]').getAttribute('data-connection')).toBe('polling');

    // The server is back: the client reconnects by itself (backoff) and returns to live.
    allowSockets = true;
    await page.locator('[data-connection="live"]').waitFor({ timeout: 45_000 });
    const live = await createParkedJob(suite.app, { taskName: 'created-after-reconnect' });
    await page.locator(`tr[data-job-id="${live.id}"]`).waitFor({ timeout: 4_000 });
    expect(errors).toEqual([]);
  });

  it('shows offline when HTTP cannot reach the server either, keeps the last data, and recovers', async () => {
    const { page } = await suite.openPage();
    let reachable = true;
    const open: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/graphql$/, (ws) => {
      if (!reachable) return void ws.close({ code: 1006, reason: 'test: unreachable' });
      ws.connectToServer();
      open.push(ws);
    });
    await page.route('**/graphql', (route) => (reachable ? route.continue() : route.abort('connectionrefused')));
    await page.goto('/');
    await page.locator('[data-connection="live"]').waitFor();
    const rows = await page.locator('tbody tr').count();

    reachable = false;
    for (const ws of open.splice(0)) await ws.close({ code: 1006, reason: 'test: network gone' });
    await page.locator('[data-connection="offline"]').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-connection]').textContent()).toContain('Offline');
    expect(await page.locator('tbody tr').count()).toBe(rows);

    reachable = true;
    await page.locator('[data-connection="live"]').waitFor({ timeout: 45_000 });
  });
});
