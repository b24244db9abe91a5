import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startApp, type TestApp } from './app.ts';
import { launchBrowser, openPage, type PageOptions } from './browser.ts';

export interface BrowserSuite {
  /** The real product, started for this `describe` (see `startApp`). */
  readonly app: TestApp;
  readonly browser: Browser;
  /** A fresh context and page on the app (see `openPage`). */
  openPage(options?: Omit<PageOptions, 'baseURL'>): ReturnType<typeof openPage>;
}

/**
 * The shared setup of every browser suite: the app (with this environment) and Chromium, started
 * together before the enclosing `describe`'s first test and closed after its last. Seed data in a
 * `beforeAll` declared after this call: it runs once both are up.
 */
export function browserSuite(env: Record<string, string> = {}): BrowserSuite {
  let app: TestApp | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(env), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });
  const started = () => {
    if (!app || !browser) throw new Error('the browser suite is not started yet: use it inside a test or hook');
    return { app, browser };
  };
  return {
    get app() {
      return started().app;
    },
    get browser() {
      return started().browser;
    },
    openPage: (options = {}) => openPage(started().browser, { ...options, baseURL: started().app.url }),
  };
}
