// Timeline jumps in a long, busy run: how long the page is busy for one drag of the timeline.
// Opens a link 50 simulated minutes into a run at 1,000 requests/s (1,000 users, 8 servers),
// then jumps back and forth and prints the time each jump held the main thread (the slider's
// change handler, which rebuilds the run at the new moment) and the wasm memory.
// A benchmark that prints figures, not a test.
//
//   node scripts/bench-scrub.mjs [query]
//
// A jump replays from the latest copy of the run before its moment (`statelab_sim::rewind`),
// never more than the copies' spacing; without copies it replayed from 0 and took seconds.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const QUERY = process.argv[2] ?? '?rate=1000&users=1000&servers=8&t=3000000000&autoplay=0';
/** Moments to jump to [ms]: back near the end, far back, forward past many copies, the middle. */
const JUMPS_MS = [2_900_000, 100_000, 2_999_000, 1_500_000, 1_400_000, 2_000_000, 600_000, 2_999_900];

const server = await serveDist();
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(() =>
    addEventListener('TrunkApplicationStarted', (e) => (window.__wasmMemory = e.detail?.wasm?.memory)),
  );
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const opened = Date.now();
  await page.goto(server.url + QUERY);
  await page.waitForFunction(() => /\d/.test(document.querySelector('.scrubber output')?.textContent ?? ''));
  console.log(`bench-scrub: ${QUERY}, chromium ${browser.version()} headless`);
  console.log(`  opened in ${Date.now() - opened} ms at "${await page.textContent('.scrubber output')}"`);
  const times = [];
  for (const ms of JUMPS_MS) {
    const took = await page.evaluate((ms) => {
      const input = document.querySelector('.scrubber input');
      input.value = String(ms);
      const start = performance.now();
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return performance.now() - start;
    }, ms);
    times.push(took);
    await page.waitForTimeout(300);
    const at = await page.textContent('.scrubber output');
    console.log(`  jump to ${(ms / 1000).toFixed(1).padStart(7)} s: ${took.toFixed(0).padStart(5)} ms  ("${at}")`);
  }
  const memory = await page.evaluate(() => window.__wasmMemory?.buffer.byteLength);
  console.log(`  slowest jump ${Math.max(...times).toFixed(0)} ms; wasm memory ${(memory / 1048576).toFixed(2)} MB`);
  if (errors.length) {
    console.log(`  page errors: ${errors.join('; ')}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  server.close();
}
