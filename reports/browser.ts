// Opens a report file in a real headless Chromium (Debian's `chromium`, driven by playwright-core)
// and says what a person would see: console errors, how many SVG charts rendered, a screenshot.
// Used by the tests of every HTML report.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export interface PageCheck {
  consoleErrors: string[];
  /** Failed requests; a self-contained report makes none. */
  failedRequests: string[];
  svgCount: number;
  title: string;
  /** Visible text of the page (innerText of body). */
  text: string;
  screenshot: Buffer;
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** True when Chromium is installed; tests fail (not skip) with this as the reason when it is not. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function checkHtmlInChromium(htmlPath: string, opts: { waitForSelector?: string; width?: number } = {}): Promise<PageCheck> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: opts.width ?? 1200, height: 900 } });
    const consoleErrors: string[] = [];
    const failedRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    page.on('requestfailed', (r) => failedRequests.push(r.url()));
    // A self-contained report must not reach out: block every non-file request.
    await page.route(/^(?!file:|data:|blob:|about:)/, (route) => {
      failedRequests.push(route.request().url());
      return route.abort();
    });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    if (opts.waitForSelector) await page.waitForSelector(opts.waitForSelector, { timeout: 15000 });
    const svgCount = await page.locator('svg').count();
    const title = await page.title();
    const text = await page.locator('body').innerText();
    const screenshot = await page.screenshot({ fullPage: true });
    return { consoleErrors, failedRequests, svgCount, title, text, screenshot };
  } finally {
    await browser.close();
  }
}
