// Frame budget of the largest lab at the traffic slider's maximum (64 servers, 1,000 users,
// 2,000 requests/s), in headless Chromium: prints the p50/p95/p99 frame time (the main-thread
// work of a frame: callback, microtasks, style, layout, paint), the interval between frames
// with the frames that missed their vsync, and the long tasks (> 50 ms) the browser reported.
// A benchmark that prints figures, not a test.
//
//   node scripts/bench-frames.mjs [seconds=20]
//
//   node scripts/bench-frames.mjs 20 '?servers=4'   (another URL query, for comparison)
//
//   node scripts/bench-frames.mjs 20 '' .diagram   (scrolled so that this element is in view;
//                                                   the default keeps the top of the page)
//
// Targets: p95 frame time <= 16.7 ms, no task over 50 ms. The interval between frames is
// printed too; it cannot go below one vsync (16.7 ms at 60 Hz), so it shows dropped frames. Headless Chromium here runs with
// --disable-gpu (software compositing) on a shared machine, so the figures are a floor for a
// desktop browser, not a promise.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const SECONDS = Number(process.argv[2] ?? 20);
const QUERY = process.argv[3] || '?servers=64&users=1000&rate=2000&speed=1';
const SCROLL = process.argv[4];

// Runs in the page before any of its scripts: every rAF callback is timed, and long tasks are
// collected from the moment the page starts.
function instrument() {
  const s = (window.__bench = { on: false, frames: [], callbacks: [], work: [], longtasks: [] });
  // A message posted from inside a frame callback is delivered as the first task after that
  // frame's rendering update (microtasks, style, layout, paint): callback start -> delivery is
  // the main-thread work the frame cost.
  const channel = new MessageChannel();
  const pending = [];
  channel.port1.onmessage = () => {
    const start = pending.shift();
    if (start !== undefined && s.on) s.work.push(performance.now() - start);
  };
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) =>
    raf((t) => {
      const start = performance.now();
      pending.push(start);
      channel.port2.postMessage(0);
      try {
        cb(t);
      } finally {
        if (s.on) {
          s.frames.push(t);
          s.callbacks.push(performance.now() - start);
        }
      }
    });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (s.on) s.longtasks.push({ start: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const f = (n) => n.toFixed(2).padStart(8);

const server = await serveDist();
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async () =>
    Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
  await page.goto(server.url + QUERY);
  if (SCROLL) await page.locator(SCROLL).scrollIntoViewIfNeeded();
  await page.waitForFunction(() => Number(document.querySelector('.clock')?.textContent.match(/[\d.]+/)?.[0]) > 0.5);
  const clock0 = await page.locator('.clock').textContent();
  await page.evaluate(() => (window.__bench.on = true));
  const m0 = await metrics();
  await page.waitForTimeout(SECONDS * 1000);
  const m1 = await metrics();
  const r = await page.evaluate(() => {
    window.__bench.on = false;
    return window.__bench;
  });
  const clock1 = await page.locator('.clock').textContent();
  const trace = await page.evaluate(() => document.querySelector('#trace-hash')?.textContent);

  // One frame timestamp can carry several callbacks (the app's loop plus any other): intervals
  // are between distinct frame timestamps, callback time is summed per frame.
  const perFrame = new Map();
  r.frames.forEach((t, i) => perFrame.set(t, (perFrame.get(t) ?? 0) + r.callbacks[i]));
  const stamps = [...perFrame.keys()].sort((a, b) => a - b);
  const intervals = stamps.slice(1).map((t, i) => t - stamps[i]).sort((a, b) => a - b);
  const cbs = [...perFrame.values()].sort((a, b) => a - b);
  const work = [...r.work].sort((a, b) => a - b);
  // Main-thread time per wall second, from Chromium's own counters [ms/s].
  const busy = (k) => (((m1[k] - m0[k]) * 1000) / SECONDS).toFixed(0).padStart(5);
  const longest = r.longtasks.reduce((m, e) => Math.max(m, e.ms), 0);
  const over = intervals.filter((d) => d > 16.7 * 1.5).length;

  console.log(`bench-frames: ${QUERY}${SCROLL ? `, scrolled to ${SCROLL}` : ''}, ${SECONDS} s of wall time, ${clock0} -> ${clock1} (trace ${trace})`);
  console.log(`  chromium ${browser.version()}, headless, --disable-gpu`);
  console.log(`  frames                ${stamps.length} (${(stamps.length / SECONDS).toFixed(1)} per s)`);
  console.log(`  frame interval   p50 ${f(pct(intervals, 50))} ms  p95 ${f(pct(intervals, 95))} ms  p99 ${f(pct(intervals, 99))} ms  max ${f(intervals.at(-1))} ms`);
  console.log(`  callback time    p50 ${f(pct(cbs, 50))} ms  p95 ${f(pct(cbs, 95))} ms  p99 ${f(pct(cbs, 99))} ms  max ${f(cbs.at(-1))} ms`);
  console.log(`  frame time       p50 ${f(pct(work, 50))} ms  p95 ${f(pct(work, 95))} ms  p99 ${f(pct(work, 99))} ms  max ${f(work.at(-1))} ms  (callback + microtasks + style/layout/paint)`);
  console.log(`  main thread per s     task ${busy('TaskDuration')} ms  script ${busy('ScriptDuration')} ms  style ${busy('RecalcStyleDuration')} ms  layout ${busy('LayoutDuration')} ms`);
    console.log(`  long tasks (> 50 ms)  ${r.longtasks.length}, longest ${longest.toFixed(1)} ms`);
  const p95 = pct(work, 95);
  console.log(`  target p95 frame time <= 16.7 ms: ${p95 <= 16.7 ? 'met' : 'NOT met'} (${p95.toFixed(2)} ms); no task over 50 ms: ${r.longtasks.length === 0 ? 'met' : 'NOT met'}`);
  console.log(`  frames that missed their vsync: ${over} of ${intervals.length} (${((100 * over) / intervals.length).toFixed(1)} %)`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
