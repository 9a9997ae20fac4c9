// Hosting: the release build works from a sub-path of a static host, and inside a frame sandboxed
// with allow-scripts only (an opaque origin, so every file must come over CORS).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { serveDist, launch, openPage, ARTIFACTS, figure, eventually } from './harness.mjs';

const SUBPATH_DIST = new URL('../../target/dist-subpath/', import.meta.url).pathname;

/** Fails on any response that is not a success, so a missing icon or script shows up. */
function watchResponses(page, errors) {
  page.on('response', (r) => {
    if (r.status() >= 400) errors.push(`${r.status()} for ${r.url()}`);
  });
}

test('a build for /some/sub/path/ runs from there, icons and all', async () => {
  assert.ok(existsSync(`${SUBPATH_DIST}index.html`), 'run: trunk build --release --public-url /some/sub/path/ --dist target/dist-subpath');
  const server = await serveDist({ root: SUBPATH_DIST, base: '/some/sub/path/' });
  const browser = await launch();
  try {
    const { page, errors } = await openPage(browser, `${server.url}?autoplay=1&speed=4`);
    watchResponses(page, errors);
    const answered = page.getByRole('group', { name: 'Requests answered' }).locator('output');
    await page.waitForFunction((el) => Number(el.textContent.replaceAll(',', '')) > 0, await answered.elementHandle());
    const icons = await page.locator('svg image').evaluateAll((els) => els.map((e) => e.href.baseVal));
    assert.ok(icons.length > 0);
    const loaded = await page.evaluate(
      (hrefs) => Promise.all(hrefs.map((h) => fetch(new URL(h, document.baseURI)).then((r) => r.status))),
      [...new Set(icons)],
    );
    assert.ok(loaded.every((c) => c === 200), `icon responses: ${loaded}`);
    assert.ok(page.url().startsWith(`${server.url}`));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});

test('a frame sandboxed with allow-scripts alone runs the lab', async () => {
  const server = await serveDist({ cors: true });
  const browser = await launch();
  try {
    const host = server.url.replace('127.0.0.1', 'localhost');
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    watchResponses(page, errors);
    await page.goto(`${host}examples/embed.js`);
    await page.setContent(
      `<iframe id="lab" sandbox="allow-scripts" title="StateLab" width="800" height="500" src="${server.url}index.html?autoplay=1&speed=4"></iframe>`,
    );
    const frame = page.frameLocator('#lab');
    await frame.locator('#trace-hash').waitFor({ state: 'attached' });
    const answered = frame.getByRole('group', { name: 'Requests answered' }).locator('output');
    await frame.getByRole('button', { name: 'Pause' }).waitFor();
    const first = figure(await answered.textContent());
    const more = await eventually(async () => figure(await answered.textContent()) > first, 10_000);
    assert.ok(more, 'requests keep being answered in the sandboxed frame');
    assert.equal(await frame.locator('#panic-overlay').count(), 0);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});

/** A host page with the lab in a `width`×`height` frame with minimal controls, paused, mounted. */
async function minimalFrame(browser, server, width, height, extra) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}examples/embed.js`);
  await page.setContent(
    `<iframe id="lab" title="StateLab" width="${width}" height="${height}" style="border:0" src="${server.url}index.html?controls=minimal&title=0&autoplay=0${extra}"></iframe>`,
  );
  const frame = page.frameLocator('#lab');
  await frame.locator('#trace-hash').waitFor({ state: 'attached' });
  return { context, page, errors, frame };
}

test('a 320×400 frame with minimal controls fits: playback and the mode switch, then the diagram', async () => {
  const server = await serveDist();
  const browser = await launch();
  try {
    const { context, page, errors, frame } = await minimalFrame(browser, server, 320, 400, '');
    const width = await frame.locator('html').evaluate((el) => [el.scrollWidth, el.clientWidth]);
    assert.equal(width[0], width[1], `no sideways scrolling: ${width}`);
    await frame.getByRole('button', { name: 'Play' }).waitFor();
    await frame.getByRole('radiogroup', { name: 'Session mode' }).waitFor();
    for (const gone of ['Seed', 'Theme', 'Language']) assert.equal(await frame.getByLabel(gone).count(), 0, `${gone} is hidden`);
    assert.equal(await frame.getByRole('button', { name: 'Compare stateful and stateless' }).count(), 0);
    const top = await frame.locator('.diagram').evaluate((el) => el.getBoundingClientRect().top);
    assert.ok(top < 400, `the diagram starts within the frame (top ${top})`);
    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}embed-320x400.png` });
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    await browser.close();
    await server.close();
  }
});

test('an 800×500 frame with minimal controls shows the whole drawing on its first screen, in both languages', async () => {
  const server = await serveDist();
  const browser = await launch();
  try {
    for (const lang of ['en', 'es']) {
      const { context, page, errors, frame } = await minimalFrame(browser, server, 800, 500, `&lang=${lang}`);
      // The word is hidden to save room, but the slider keeps it as its name.
      await frame.getByRole('slider', { name: lang === 'en' ? 'Speed' : 'Velocidad' }).waitFor();
      const [playTop, modeTop, svgBottom] = await frame.locator('html').evaluate(() => [
        document.querySelector('.playback button').getBoundingClientRect().top,
        document.querySelector('.mode-switch label').getBoundingClientRect().top,
        document.querySelector('.diagram svg').getBoundingClientRect().bottom,
      ]);
      assert.ok(Math.abs(playTop - modeTop) < 10, `${lang}: playback and the mode switch share a row (${playTop}, ${modeTop})`);
      assert.ok(svgBottom <= 500, `${lang}: the drawing ends at ${svgBottom} px, inside the 500 px frame`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  } finally {
    await browser.close();
    await server.close();
  }
});

test('a loading page shows until the app mounts, and says so when the app cannot start', async () => {
  const server = await serveDist();
  const browser = await launch();
  try {
    // A slow network: the static page names what is coming while the wasm downloads.
    const slow = await browser.newContext();
    const page = await slow.newPage();
    let release;
    const held = new Promise((resolve) => (release = resolve));
    await page.route('**/*.wasm', async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    await page.getByRole('status').filter({ hasText: 'Loading the simulation…' }).waitFor();
    release();
    // The app takes its place: the loading page is gone, the lab runs.
    await page.locator('#trace-hash').waitFor({ state: 'attached' });
    assert.equal(await page.locator('#boot').count(), 0);
    assert.equal(await page.getByText('Loading the simulation…').count(), 0);
    await slow.close();

    // A download that fails: the page says so instead of loading forever.
    const broken = await browser.newContext();
    const failing = await broken.newPage();
    await failing.route('**/*.wasm', (route) => route.abort());
    await failing.goto(server.url);
    const status = failing.getByRole('status').filter({ hasText: 'could not start' });
    await status.waitFor();
    assert.match(await failing.locator('.boot-status').textContent(), /^StateLab could not start \(.+\)\. Reload the page, or open it in a current browser\.$/);
    // In the page's language.
    await failing.goto(`${server.url}?lang=es`);
    await failing.getByRole('status').filter({ hasText: 'no pudo arrancar' }).waitFor();
    assert.match(await failing.locator('.boot-status').textContent(), /^StateLab no pudo arrancar \(.+\)\. Recarga la página/);
    await broken.close();
  } finally {
    await browser.close();
    await server.close();
  }
});
