// Does an idle lab cost nothing? Counts the animation frames the app schedules over 3 s while
// (a) paused, (b) its tab is hidden, (c) it sits in an iframe scrolled out of view. Target: 0
// for each. After each case the lab is made active again and must schedule frames again, so a
// zero cannot come from a dead page. A benchmark that prints figures, not a test.
//
//   node scripts/bench-idle.mjs [seconds=3]
//
// How: an init script (it runs in every frame, iframes included) wraps
// window.requestAnimationFrame and counts calls; a probe loop on the unwrapped function counts
// the frames the browser itself served in the same window, so each row shows whether the zero
// is the app's doing or the browser's. Chromium's own main-thread task time is read over CDP.
//
// Hidden for real: Playwright normally enables CDP focus emulation, which keeps every page
// "visible". So this script starts Debian's Chromium itself and attaches with
// connectOverCDP({ noDefaults: true }), whose default context has no focus emulation; opening a
// second tab then really sets document.visibilityState to 'hidden' (and fires visibilitychange).
// A real hidden tab gets no frames from Chromium at all, so an emulated row (visibilityState
// overridden while the browser keeps serving frames) shows the app's own check at work.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { serveDist } from '../tests/e2e/harness.mjs';

const SECONDS = Number(process.argv[2] ?? 3);
const QUERY = '?speed=1';

function instrument() {
  const raf = window.requestAnimationFrame.bind(window);
  const s = (window.__idle = { calls: 0, timers: 0, probe: 0, probing: false });
  window.requestAnimationFrame = (cb) => {
    s.calls++;
    return raf(cb);
  };
  for (const name of ['setTimeout', 'setInterval']) {
    const original = window[name].bind(window);
    window[name] = (...args) => {
      s.timers++;
      return original(...args);
    };
  }
  // One probe loop per generation, so a stale tick left from the last window cannot revive.
  let generation = 0;
  const tick = (gen) => () => {
    if (!s.probing || gen !== generation) return;
    s.probe++;
    raf(tick(gen));
  };
  window.__probeStart = () => {
    s.probe = 0;
    s.probing = true;
    raf(tick(++generation));
  };
  window.__probeStop = () => {
    s.probing = false;
    return s.probe;
  };
}

/** Starts Chromium with a DevTools port on loopback; resolves to { ws, stop }. */
async function startChromium() {
  const dir = mkdtempSync(join(tmpdir(), 'statelab-idle-'));
  const proc = spawn(
    '/usr/bin/chromium',
    [
      '--headless',
      '--remote-debugging-address=127.0.0.1',
      '--remote-debugging-port=0',
      `--user-data-dir=${dir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--no-default-browser-check',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  const ws = await new Promise((resolve, reject) => {
    let log = '';
    proc.stderr.on('data', (d) => {
      log += d;
      const m = log.match(/DevTools listening on (ws:\S+)/);
      if (m) resolve(m[1]);
    });
    exited.then(() => reject(new Error(`chromium exited:\n${log}`)));
  });
  const stop = async () => {
    if (proc.exitCode === null) proc.kill();
    await exited;
    // Chromium may still be writing its profile as it exits: retry until the folder is empty.
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  };
  return { ws, stop };
}

const server = await serveDist();
const chrome = await startChromium();
const browser = await chromium.connectOverCDP(chrome.ws, { noDefaults: true });
const rows = [];
try {
  const context = browser.contexts()[0];
  await context.addInitScript(instrument);
  const page = context.pages()[0] ?? (await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const taskSeconds = async () =>
    (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration').value;

  /** Counts over `seconds` in `frame`: rAF calls by the app, timers set, frames served. */
  async function measure(frame, seconds = SECONDS) {
    const before = await frame.evaluate(() => {
      window.__probeStart();
      return { calls: window.__idle.calls, timers: window.__idle.timers };
    });
    const task0 = await taskSeconds();
    await frame.waitForTimeout(seconds * 1000);
    const task1 = await taskSeconds();
    const after = await frame.evaluate(() => ({
      served: window.__probeStop(),
      calls: window.__idle.calls,
      timers: window.__idle.timers,
      visibility: document.visibilityState,
    }));
    return {
      scheduled: after.calls - before.calls,
      timers: after.timers - before.timers,
      served: after.served,
      visibility: after.visibility,
      busyMs: ((task1 - task0) * 1000) / seconds,
    };
  }
  const record = (name, r, target) => rows.push({ name, ...r, target });
  const clockMoves = (frame) =>
    frame.waitForFunction(
      (t0) => document.querySelector('.clock')?.textContent !== t0,
      null,
      { timeout: 10_000 },
    );

  await page.goto(server.url + QUERY);
  await page.waitForFunction(() => Number(document.querySelector('.clock')?.textContent.match(/[\d.]+/)?.[0]) > 0.3);
  record('playing (reference)', await measure(page), null);

  // (a) Paused.
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.waitForTimeout(300);
  record('(a) paused', await measure(page), 0);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  record('    played again', await measure(page, 1), '> 0');

  // (b) Hidden for real: another tab in front.
  const other = await context.newPage();
  await page.waitForFunction(() => document.visibilityState === 'hidden');
  await page.waitForTimeout(300);
  record('(b) tab hidden (real)', await measure(page), 0);
  await other.close();
  await page.bringToFront();
  await page.waitForFunction(() => document.visibilityState === 'visible');
  record('    shown again', await measure(page, 1), '> 0');

  // (b') Hidden as the app sees it, while Chromium keeps serving frames.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
  await page.waitForTimeout(300);
  record("(b') hidden (emulated)", await measure(page), 0);
  await page.evaluate(() => {
    delete document.visibilityState;
    delete document.hidden;
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  });
  record('    shown again', await measure(page, 1), '> 0');

  // (c) In an iframe far below the fold of a host page made on the fly (same origin).
  const hostUrl = `${server.url}bench-idle-host.html`;
  await context.route(hostUrl, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><title>host</title><body style="margin:0">
        <p style="height:300vh">An article; the embedded lab is far below.</p>
        <iframe id="lab" src="/${QUERY}" width="1000" height="700" style="border:0"></iframe></body>`,
    }),
  );
  await page.goto(hostUrl);
  const frame = page.frames().find((f) => f !== page.mainFrame()) ?? (await (await page.$('#lab')).contentFrame());
  await frame.waitForSelector('.clock');
  await page.waitForTimeout(1000);
  record('(c) iframe below the fold', await measure(frame), 0);
  await page.locator('#lab').scrollIntoViewIfNeeded();
  const t0 = await frame.locator('.clock').textContent();
  await clockMoves(frame).catch(() => {});
  record('    scrolled into view', await measure(frame, 1), '> 0');
  const t1 = await frame.locator('.clock').textContent();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForTimeout(300);
  record('(c) iframe scrolled away', await measure(frame), 0);
  const t2 = await frame.locator('.clock').textContent();

  const v = await browser.version();
  console.log(`bench-idle: ${QUERY}, ${SECONDS} s per case (1 s for the resume checks), chromium ${v} headless`);
  console.log(`  iframe clock: ${t0} when scrolled into view, ${t1} after, ${t2} after being scrolled away`);
  console.log(
    `  ${'case'.padEnd(26)} ${'visibility'.padEnd(10)} ${'rAF by app'.padStart(10)} ${'timers'.padStart(7)} ` +
      `${'frames served'.padStart(13)} ${'main thread'.padStart(12)}  target`,
  );
  let met = true;
  for (const r of rows) {
    if (r.target === 0 && r.scheduled !== 0) met = false;
    if (r.target === '> 0' && r.scheduled === 0) met = false;
    console.log(
      `  ${r.name.padEnd(26)} ${r.visibility.padEnd(10)} ${String(r.scheduled).padStart(10)} ` +
        `${String(r.timers).padStart(7)} ${String(r.served).padStart(13)} ${r.busyMs.toFixed(1).padStart(7)} ms/s  ${r.target ?? ''}`,
    );
  }
  console.log('  (main thread while idle includes the probe loop\'s own frames; rAF by app is the figure)');
  console.log(`  target 0 frames scheduled while idle, and frames again after: ${met ? 'met' : 'NOT met'}`);
} finally {
  await browser.close();
  await chrome.stop();
  await server.close();
}
