// A learner's walk through a tour: each step answered (first choice) and run, then Next; at the
// end, Back to the first step. Prints, for every press of Next and Back, the time from the press
// until the page has drawn the new step, and the long tasks it ran. Optionally with the CPU
// slowed down as on a phone.
// A benchmark that prints figures, not a test.
//
//   node scripts/bench-tour.mjs [tour=auto-scaling] [cpu-slowdown=1]
//
// Goal: a press answered within 100 ms (RAIL's response budget) at 1×.
import { serveDist, launch, runShownStep } from '../tests/e2e/harness.mjs';

const TOUR = process.argv[2] ?? 'auto-scaling';
const SLOWDOWN = Number(process.argv[3] ?? 1);

const server = await serveDist();
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(`${server.url}?scenario=${TOUR}&autoplay=0&speed=10`);
await page.locator('.tour').waitFor();
await page.evaluate(() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(Math.round(e.duration));
  }).observe({ type: 'longtask' });
});
if (SLOWDOWN > 1) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: SLOWDOWN });
}

const presses = [];
// Presses the tour's `name` button in the page and resolves once the frame after it was drawn.
async function press(name) {
  await page.evaluate(() => (window.__long = []));
  const ms = await page.evaluate(
    (name) =>
      new Promise((resolve) => {
        const button = [...document.querySelectorAll('.tour button')].find((b) => b.textContent.trim() === name);
        const t0 = performance.now();
        button.click();
        requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - t0)));
      }),
    name,
  );
  await page.waitForTimeout(300);
  const long = await page.evaluate(() => window.__long);
  presses.push({ name, ms });
  console.log(`${name.padEnd(5)} ${ms.toFixed(0).padStart(5)} ms   long tasks ${JSON.stringify(long)}`);
}

console.log(`tour ${TOUR}, CPU ${SLOWDOWN}× slower`);
while (await page.getByRole('button', { name: 'Run this step' }).count()) {
  await runShownStep(page, 600_000);
  await press('Next');
}
while (await page.locator('.tour').getByRole('button', { name: 'Back', exact: true }).isEnabled()) {
  await press('Back');
}
const sorted = presses.map((p) => p.ms).sort((a, b) => a - b);
console.log(`presses ${sorted.length}: median ${sorted[sorted.length >> 1].toFixed(0)} ms, slowest ${sorted.at(-1).toFixed(0)} ms`);
if (errors.length) console.log('page errors:', errors);
await browser.close();
await server.close();
