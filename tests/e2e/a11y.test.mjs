// axe-core finds no accessibility violation on the main page, a running lab after a crash, a
// tour step, compare mode, a server's menu in the diagram, the open glossary beside a finished
// tour, the minimal embed and the Spanish page, in light, dark and projector themes; reduced
// motion changes the rendering; 400 % zoom, forced colours and WCAG text spacing leave the page usable.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setup, openPage } from './harness.mjs';

const require = createRequire(import.meta.url);
const lab = setup();
let axeSource;

before(async () => {
  axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
});

/** Runs axe in the page (evaluate is not subject to the page's CSP) and returns violations. */
async function audit(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length}× e.g. ${v.nodes[0]?.target})`);
}

const VIEWS = [
  ['main page', '', async () => {}],
  ['tour step', '', async (page) => {
    await page.getByRole('button', { name: 'Start tour' }).click();
    await page.getByText('Step 1 of').waitFor();
  }],
  ['compare mode', '', async (page) => {
    await page.getByRole('button', { name: 'Compare stateful and stateless' }).click();
  }],
  ["a server's menu in the diagram", '', async (page) => {
    const canvas = page.locator('#dots');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.click(box.x + (680 / 1280) * box.width, box.y + (300 / 580) * box.height);
    await page.getByRole('dialog', { name: /^Server 2/ }).waitFor();
  }],
  // A run under way: carts filled, users logged out, a server down, failures on the boxes.
  ['a running lab after a crash', '&rate=200&seed=1', async (page) => {
    for (let i = 0; i < 50; i++) await page.keyboard.press('s');
    await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
    for (let i = 0; i < 20; i++) await page.keyboard.press('s');
    await page.locator('.avatar .cart:not([hidden])').first().waitFor({ state: 'attached' });
    await page.locator('.avatar.out').first().waitFor({ state: 'attached' });
  }],
  ['the glossary, open, and a finished tour', '', async (page) => {
    await page.locator('.glossary summary').click();
    await page.getByText('Sticky sessions and hashing').waitFor();
    await page.getByRole('button', { name: 'Start tour' }).click();
    const nextTour = page.getByRole('button', { name: /^Next tour: / });
    for (let i = 0; i < 10 && !(await nextTour.count()); i++) await page.getByRole('button', { name: 'Next', exact: true }).click();
    await nextTour.waitFor();
  }],
  ['minimal embed', '&controls=minimal&title=0', async () => {}],
  ['Spanish page', '&lang=es', async () => {}],
];

for (const theme of ['light', 'dark', 'projector']) {
  test(`no axe violations in the ${theme} theme`, async () => {
    const found = [];
    for (const [name, extra, prepare] of VIEWS) {
      const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&theme=${theme}${extra}`);
      await prepare(page);
      for (const v of await audit(page)) found.push(`${name}: ${v}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
    assert.deepEqual(found, []);
  });
}

test('prefers-reduced-motion switches the dot layer to its calm rendering', async () => {
  // The same seed and steps, paused at the same moment: only the motion preference differs.
  const render = async (reducedMotion) => {
    const { page, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=400`, { reducedMotion });
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    await page.locator('#dots[data-motion]').waitFor({ state: 'attached' });
    const motion = await page.locator('#dots').getAttribute('data-motion');
    const pixels = await page.evaluate(() => {
      const canvas = document.getElementById('dots');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let hash = 0;
      let drawn = 0;
      for (let i = 3; i < data.length; i += 4) {
        if (data[i]) {
          drawn += 1;
          hash = (hash * 31 + i) % 1_000_000_007;
        }
      }
      return { hash, drawn };
    });
    const trace = await page.locator('#trace-hash').textContent();
    await context.close();
    return { motion, pixels, trace };
  };
  const calm = await render('reduce');
  const glide = await render('no-preference');
  assert.equal(calm.motion, 'calm');
  assert.equal(glide.motion, 'glide');
  assert.equal(calm.trace, glide.trace, 'the same simulated moment');
  assert.ok(calm.pixels.drawn > 0 && glide.pixels.drawn > 0, 'dots are drawn in both');
  assert.notEqual(calm.pixels.hash, glide.pixels.hash, 'the dots sit elsewhere: at rest mid-edge, not along it');
});

test('zoomed to 400 %, the keyboard’s part keys keep the focused one in view and a tour’s dock joins the page', async () => {
  const zoomed = { viewport: { width: 320, height: 200 }, deviceScaleFactor: 4 };
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&autoplay=0&servers=10`, zoomed);
  const keys = page.getByRole('group', { name: 'Open the menu of' });
  await keys.getByRole('button', { name: 'Server 1', exact: true }).focus();
  for (let i = 0; i < 9; i++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Server 10');
  const [top, bottom] = await page.evaluate(() => {
    const b = document.activeElement.getBoundingClientRect();
    return [b.top, b.bottom];
  });
  assert.ok(top >= 0 && bottom <= 200, `the focused key spans ${top}–${bottom} px of a 200 px window`);
  await context.close();
  const tour = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=0&speed=10`, zoomed);
  await tour.page.getByRole('button', { name: 'Run this step' }).click();
  const dock = tour.page.getByRole('region', { name: 'Tour step in progress' });
  await dock.waitFor();
  assert.equal(await dock.evaluate((d) => getComputedStyle(d).position), 'static', 'no dock over a 200 px window');
  assert.equal(await tour.page.evaluate(() => getComputedStyle(document.body).paddingBottom), '0px');
  assert.deepEqual([...errors, ...tour.errors], []);
  await tour.context.close();
});

test('in forced colours the dots keep their key and a failure’s reason stays readable; a refused button’s focus ring is not faded', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&servers=1&autoplay=0`, { forcedColors: 'active' });
  // The triangle is drawn by its ::before, and outlined on its three sides as the others are.
  const swatches = await page.locator('.diagram .legend .swatch:not(.burst)').evaluateAll((all) => all.map((s) => getComputedStyle(s, s.matches('.triangle') ? '::before' : null).backgroundColor));
  assert.equal(new Set(swatches).size, 8, `the key's swatches keep their colours: ${swatches.join(', ')}`);
  assert.match(await page.locator('.diagram .legend .swatch.triangle').evaluate((s) => getComputedStyle(s).filter), /drop-shadow/);
  const [ink, plate] = await page.locator('#plates').evaluate((c) => [getComputedStyle(c).color, getComputedStyle(c).outlineColor]);
  assert.notEqual(ink, plate, 'a reason is not drawn in its plate’s colour');
  const remove = page.getByRole('button', { name: 'Remove Server 1' });
  await remove.focus();
  await page.keyboard.press('Enter');
  assert.equal(await remove.getAttribute('aria-disabled'), 'true');
  assert.equal(await remove.evaluate((b) => getComputedStyle(b).opacity), '1');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with the text spacing WCAG asks a page to bear, the charts’ axis figures stay whole', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&rate=1500&autoplay=0`, { bypassCSP: true });
  await page.addStyleTag({ content: '* { line-height: 1.5 !important; letter-spacing: 0.12em !important; word-spacing: 0.16em !important; } p { margin-bottom: 2em !important; }' });
  for (let i = 0; i < 30; i++) await page.keyboard.press('s');
  const charts = page.locator('figure.chart');
  await charts.first().scrollIntoViewIfNeeded();
  // Each axis figure lies inside what shows of it: the drawing's box, unless the drawing lets
  // its text run over its edge, into the chart's frame.
  const cut = await charts.evaluateAll((all) => all.flatMap((figure) => {
    const svg = figure.querySelector('svg');
    const frame = (getComputedStyle(svg).overflow === 'visible' ? figure : svg).getBoundingClientRect();
    return [...figure.querySelectorAll('text.tick')]
      .map((t) => [t.textContent, t.getBoundingClientRect()])
      .filter(([, b]) => b.left < frame.left || b.right > frame.right)
      .map(([text, b]) => `${text}: ${Math.round(b.left)}–${Math.round(b.right)} in ${Math.round(frame.left)}–${Math.round(frame.right)}`);
  }));
  assert.deepEqual(cut, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a session’s, the cache’s and a write’s dots differ by shape as well as colour, in the drawing and in its key', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=3&mode=stateless&rate=800&autoplay=0`, { deviceScaleFactor: 2 });
  const key = await page.locator('.diagram .legend li').evaluateAll((items) => items.map((li) => [li.textContent, li.querySelector('.swatch').className]));
  assert.deepEqual(key.filter(([, c]) => c !== 'swatch').map(([name, c]) => `${name}: ${c}`), [
    'Session read / write: swatch square',
    'Cache read: swatch diamond',
    'Database write: swatch triangle',
    'Failure (its box outlined in red, a browser ringed, with the reason): swatch burst',
  ]);
  // A session dot on the canvas fills its bounding box as a square does: its pixels of the
  // exact colour fill all of it, a disc's about 76 % at twice the pixel density.
  const fill = async () => page.evaluate(() => {
    const c = document.getElementById('dots');
    const { data, width } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const pink = (i) => data[i] === 0xe0 && data[i + 1] === 0x45 && data[i + 2] === 0x7b && data[i + 3] === 255;
    for (let i = 0; i < data.length; i += 4) {
      if (!pink(i)) continue;
      const [x0, y0] = [(i / 4) % width, Math.floor(i / 4 / width)];
      let [count, x1, y1, left] = [0, x0, y0, x0];
      for (let y = y0; y < y0 + 40; y++) {
        for (let x = x0 - 20; x < x0 + 20; x++) {
          if (!pink((y * width + x) * 4)) continue;
          count++;
          [left, x1, y1] = [Math.min(left, x), Math.max(x1, x), Math.max(y1, y)];
        }
      }
      if (count > 30) return count / ((x1 - left + 1) * (y1 - y0 + 1));
    }
    return null;
  });
  let ratio = null;
  for (let i = 0; i < 60 && ratio === null; i++) {
    await page.keyboard.press('s');
    ratio = await fill();
  }
  assert.ok(ratio !== null, 'a session dot was drawn');
  assert.ok(ratio > 0.95, `a session dot fills ${Math.round(ratio * 100)} % of its box`);
  assert.deepEqual(errors, []);
  await context.close();
});
