// Shared by the end-to-end tests: a static server for dist/ on 127.0.0.1 and Debian's Chromium
// driven by playwright-core. Nothing here downloads a browser.
import { createServer } from 'node:http';
import { readFile, mkdir } from 'node:fs/promises';
import { join, extname, normalize } from 'node:path';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

const DIST = new URL('../../dist/', import.meta.url).pathname;
export const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** Serves a build (dist/ unless told) on an ephemeral loopback port, under `base` if given;
 *  `cors` adds the header a sandboxed, opaque-origin frame needs. Resolves to { url, close }. */
export async function serveDist({ root = DIST, base = '/', cors = false } = {}) {
  const server = createServer(async (req, res) => {
    const full = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (full === '/favicon.ico') {
      // Browsers ask for it on pages without an icon (a bare host page); the app has its own.
      res.writeHead(204).end();
      return;
    }
    if (!full.startsWith(base)) {
      res.writeHead(404).end('not found');
      return;
    }
    const path = `/${full.slice(base.length)}`;
    const file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      const headers = { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' };
      if (cors) headers['access-control-allow-origin'] = '*';
      res.writeHead(200, headers);
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}${base}`, close: () => new Promise((r) => server.close(r)) };
}

/** Debian's Chromium, headless, with the flags this closed network needs. */
export function launch() {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
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

/** Opens a page that records console errors and uncaught exceptions into `errors`. */
export async function openPage(browser, url, options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  // No request may leave the page's origin.
  const origin = new URL(url).origin;
  page.on('request', (req) => {
    const target = new URL(req.url());
    if (!['data:', 'blob:'].includes(target.protocol) && target.origin !== origin) errors.push(`request left the origin: ${req.url()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  await page.locator('#trace-hash').waitFor({ state: 'attached' });
  return { page, errors, context };
}

/** A full-page screenshot into the artifacts folder. The viewport grows to the page's height
 *  first: panels far below the fold skip rendering (`content-visibility: auto`) until they are
 *  near the viewport, as they would be for a reader who scrolls there. */
export async function screenshot(page, name) {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({ width: viewport.width, height: Math.max(viewport.height, height) });
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.screenshot({ path, fullPage: true });
  await page.setViewportSize(viewport);
  return path;
}

/** Runs the tour step on show with real clicks: answers its prediction (the first choice) if
 *  it asks one, presses "Run this step" and waits until the step is done. */
export async function runShownStep(page, timeout) {
  const prediction = page.locator('fieldset.prediction');
  if (await prediction.count()) {
    await prediction.getByRole('radio').first().check();
    await prediction.getByRole('button', { name: 'Check my answer' }).click();
    await page.locator('.feedback').getByText(/^(Right|Not quite)/).waitFor();
  }
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout });
}

/** Presses the Step shortcut (S) `n` times in one task of the page: the run advances by
 *  exactly n tenths of a second before any timer of the page fires, however slow the machine. */
export function steps(page, n) {
  return page.evaluate((n) => {
    for (let i = 0; i < n; i++) window.dispatchEvent(new KeyboardEvent('keydown', { key: 's' }));
  }, n);
}

/** A count as the page shows it ("3,605,697", or in Spanish with narrow no-break spaces). */
/// Asks `check` again until it holds or `timeout` ms have passed, and returns its last answer:
/// for what the page does a frame or a timer after an action, on a machine of any speed.
export async function eventually(check, timeout = 5_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const ok = await check();
    if (ok || Date.now() > end) return ok;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const figure = (text) => Number(text.replace(/[,\u202f]/g, ''));

/** The number shown by the metric card `name` in `where` (a page or a frame). */
export async function card(where, name) {
  return figure(await where.getByRole('group', { name }).locator('output').textContent());
}

/** The number shown by the "Users logged out" metric. */
export async function loggedOut(page) {
  return card(page, 'Users logged out');
}

/** The "Stateful" or "Stateless" radio of the page's Session mode switch. */
export function sessionMode(page, name) {
  return page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name });
}

/** Starts the static server and the browser before a test file's tests, and stops them after.
 *  Read `lab.server` and `lab.browser` inside the tests. */
export function setup() {
  const lab = { server: null, browser: null };
  before(async () => {
    lab.server = await serveDist();
    lab.browser = await launch();
  });
  after(async () => {
    await lab.browser?.close();
    await lab.server?.close();
  });
  return lab;
}
