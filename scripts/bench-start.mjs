// Start-up on a loopback server, cold cache each run: first paint, first contentful paint, when
// the app is mounted, when simulated time first moves and when the first request dot is drawn
// and then moves on the dot layer. Prints every run and the median.
// A benchmark that prints figures, not a test.
//
//   node scripts/bench-start.mjs [runs=5] [query='?speed=10']
//
// Target: first paint <= 400 ms. The default query uses speed 10 so that the clock's 0.1 s
// display step is 10 ms of wall time: at the default speed 0.2 the clock would need 500 ms of
// wall time to show its first tick, which measures the display step and not start-up.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const RUNS = Number(process.argv[2] ?? 5);
const QUERY = process.argv[3] ?? '?speed=10';

// Runs before the page's scripts: records (in performance.now() time, from navigation start)
// when Trunk's loader reports the wasm started, when `.clock` appears and when it first moves.
function instrument() {
  const s = (window.__start = {});
  addEventListener('TrunkApplicationStarted', () => (s.wasmStarted ??= performance.now()));
  const check = () => {
    const clock = document.querySelector('.clock');
    if (!clock) return;
    s.mounted ??= performance.now();
    const t = Number(clock.textContent.match(/[\d.]+/)?.[0]);
    if (t > 0) {
      s.clockMoved ??= performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { subtree: true, childList: true, characterData: true });
  // The dot layer, read once per frame until a drawn dot has moved: a fingerprint of where its
  // opaque pixels are, so a change means a dot went somewhere else.
  let drawnAt;
  const watchDots = () => {
    const canvas = document.getElementById('dots');
    const data = canvas?.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let print = 0;
    for (let i = 3; data && i < data.length; i += 4) if (data[i]) print = (print * 31 + i) % 1_000_000_007;
    if (print && drawnAt === undefined) {
      drawnAt = print;
      s.dotDrawn = performance.now();
    } else if (print && print !== drawnAt) {
      s.dotMoved = performance.now();
      return;
    }
    requestAnimationFrame(watchDots);
  };
  requestAnimationFrame(watchDots);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const ms = (n) => (n === undefined ? '      -' : `${n.toFixed(0).padStart(5)} ms`);

const server = await serveDist();
const browser = await launch();
const rows = [];
try {
  for (let i = 0; i < RUNS; i++) {
    // A fresh context per run: empty HTTP cache, no compiled-wasm cache.
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(instrument);
    const page = await context.newPage();
    await page.goto(server.url + QUERY);
    await page.waitForFunction(() => window.__start.clockMoved !== undefined && window.__start.dotMoved !== undefined, null, {
      timeout: 30_000,
    });
    const r = await page.evaluate(() => {
      const paint = Object.fromEntries(performance.getEntriesByType('paint').map((e) => [e.name, e.startTime]));
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        fp: paint['first-paint'],
        fcp: paint['first-contentful-paint'],
        dcl: nav.domContentLoadedEventEnd,
        ...window.__start,
      };
    });
    rows.push(r);
    console.log(
      `run ${i + 1}: first paint ${ms(r.fp)}  FCP ${ms(r.fcp)}  DOMContentLoaded ${ms(r.dcl)}  ` +
        `wasm started ${ms(r.wasmStarted)}  mounted ${ms(r.mounted)}  clock moves ${ms(r.clockMoved)}  ` +
        `first dot ${ms(r.dotDrawn)}  dot moves ${ms(r.dotMoved)}`,
    );
    await context.close();
  }
  const med = (k) => median(rows.map((r) => r[k]).filter((v) => v !== undefined));
  console.log(`bench-start: ${QUERY}, ${RUNS} runs, cold cache, loopback, chromium ${browser.version()} headless`);
  console.log(`  median first paint              ${ms(med('fp'))}`);
  console.log(`  median first contentful paint   ${ms(med('fcp'))}`);
  console.log(`  median wasm started             ${ms(med('wasmStarted'))}`);
  console.log(`  median app mounted (.clock)     ${ms(med('mounted'))}`);
  console.log(`  median simulated time moves     ${ms(med('clockMoved'))}`);
  console.log(`  median first dot drawn          ${ms(med('dotDrawn'))}`);
  console.log(`  median first dot moves          ${ms(med('dotMoved'))}`);
  console.log(`  target first paint <= 400 ms: ${med('fp') <= 400 ? 'met' : 'NOT met'}`);
} finally {
  await browser.close();
  await server.close();
}
