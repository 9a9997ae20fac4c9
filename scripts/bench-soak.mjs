// A long run in the browser: does memory stay flat? Runs the lab at speed 10 (an hour of
// simulated time is about 6 minutes of wall time) until the simulated clock reaches one hour,
// and prints the wasm linear memory, the JS heap and the DOM node count after a 90 s warm-up
// (the event log and metric rings fill in the first simulated 10 minutes), every 30 s, and at
// the end. A benchmark that prints figures, not a test.
//
//   node scripts/bench-soak.mjs [simulated seconds=3600]
//
// Wasm memory: Trunk's loader dispatches `TrunkApplicationStarted` with the wasm exports in
// event.detail.wasm; an init script keeps `memory` from it and reads memory.buffer.byteLength
// (linear memory only grows, so this is the high-water mark of the Rust heap). The JS heap is
// read over CDP (Runtime.getHeapUsage) after a forced GC, DOM counters with Memory.getDOMCounters.
import { serveDist, launch } from '../tests/e2e/harness.mjs';

const SIMULATED_S = Number(process.argv[2] ?? 3600);
/** Wall time after which the run stops even if the clock is behind (a slow machine). */
const MAX_WALL_S = 900;
const WARMUP_S = 90;
const EVERY_S = 30;
const QUERY = '?users=1000&rate=1000&speed=10';

function instrument() {
  addEventListener('TrunkApplicationStarted', (e) => {
    window.__wasmMemory = e.detail?.wasm?.memory;
  });
}

const server = await serveDist();
const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.addInitScript(instrument);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const cdp = await context.newCDPSession(page);
  await page.goto(server.url + QUERY);
  await page.waitForFunction(() => window.__wasmMemory instanceof WebAssembly.Memory && document.querySelector('.clock'));
  const start = Date.now();

  const sample = async () => {
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    const s = await page.evaluate(() => ({
      wasm: window.__wasmMemory.buffer.byteLength,
      clock: Number(document.querySelector('.clock').textContent.match(/[\d.]+/)[0]),
    }));
    return { wall: (Date.now() - start) / 1000, ...s, js: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners };
  };
  const mb = (n) => `${(n / 1048576).toFixed(2).padStart(7)} MB`;
  const line = (label, s) =>
    console.log(
      `  ${label.padEnd(10)} wall ${s.wall.toFixed(0).padStart(4)} s  simulated ${s.clock.toFixed(1).padStart(7)} s  ` +
        `wasm ${mb(s.wasm)}  js heap ${mb(s.js)}  dom nodes ${String(s.nodes).padStart(6)}  listeners ${s.listeners}`,
    );

  console.log(`bench-soak: ${QUERY}, until ${SIMULATED_S} s of simulated time, chromium ${browser.version()} headless`);
  await page.waitForTimeout(WARMUP_S * 1000);
  const first = await sample();
  line('start', first);
  let last = first;
  while (last.clock < SIMULATED_S && last.wall < MAX_WALL_S) {
    // Sample more often near the end, so the run stops close to the simulated target.
    const left = (SIMULATED_S - last.clock) / Math.max(1, last.clock / last.wall);
    await page.waitForTimeout(Math.max(1, Math.min(EVERY_S, left)) * 1000);
    last = await sample();
    line(last.clock >= SIMULATED_S ? 'end' : '', last);
  }
  const pct = (a, b) => `${b >= a ? '+' : ''}${(((b - a) / a) * 100).toFixed(1)} %`;
  console.log(`  wasm memory   ${first.wasm} -> ${last.wasm} bytes (${pct(first.wasm, last.wasm)})`);
  console.log(`  js heap       ${first.js} -> ${last.js} bytes (${pct(first.js, last.js)})`);
  console.log(`  dom nodes     ${first.nodes} -> ${last.nodes}`);
  console.log(
    `  simulated     ${last.clock.toFixed(1)} s in ${last.wall.toFixed(0)} s of wall time ` +
      `(${(last.clock / last.wall).toFixed(2)}x real time, speed set to 10; ${((last.clock / SIMULATED_S) * 100).toFixed(0)} % of the target)`,
  );
  console.log(`  page errors   ${errors.length}${errors.length ? `: ${errors.slice(0, 3).join(' | ')}` : ''}`);
  await context.close();
} finally {
  await browser.close();
  await server.close();
}
