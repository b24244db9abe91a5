import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/** Debian's Chromium; never a downloaded browser. */
export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(`Chromium not found at ${path}: install it with "apt-get install -y chromium" or set CHROMIUM_PATH`);
  }
  return path;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PageOptions {
  baseURL: string;
  width?: number;
  height?: number;
  colorScheme?: 'light' | 'dark';
  /** The browser's time zone (IANA name), e.g. to see a page from another zone than the machine's. */
  timezoneId?: string;
  locale?: string;
}

/** A fresh context per test: no shared localStorage (token, theme) between tests. */
export async function openPage(browser: Browser, options: PageOptions): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({
    baseURL: options.baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
    ...(options.locale ? { locale: options.locale } : {}),
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (process.env.DEBUG_BROWSER) {
    page.on('console', (m) => console.log(`[browser] ${m.type()}: ${m.text()}`));
    page.on('response', async (r) => {
      if (r.status() >= 400)
        console.log(
          `[browser] ${r.status()} ${r.request().method()} ${r.url()} ${r.request().postData() ?? ''} → ${await r.text().catch(() => '')}`,
        );
    });
  }
  return { context, page, errors };
}

/** Width the document can scroll sideways, in CSS pixels (0 when nothing overflows). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
