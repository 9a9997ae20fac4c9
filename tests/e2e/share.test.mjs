// Compare mode, deep links and exports, through the real page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup, openPage, loggedOut, sessionMode, card, figure } from './harness.mjs';

const lab = setup();

const button = (page, name) => page.getByRole('button', { name, exact: true });

/** Decodes an image in the page: its size, how many of its pixels have ink, and how many
 *  colours one pixel in 97 shows. */
const decoded = (page, src) =>
  page.evaluate(async (src) => {
    const img = new Image();
    img.src = src;
    await img.decode();
    const c = document.createElement('canvas');
    [c.width, c.height] = [img.width, img.height];
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const data = ctx.getImageData(0, 0, c.width, c.height).data;
    let inked = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] > 0) inked += 1;
      if ((i / 4) % 97 === 0) colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    return { width: img.width, height: img.height, inked, colours: colours.size };
  }, src);
const fingerprint = (page) => page.locator('#trace-hash').textContent();

test('compare mode: crashing Server 1 logs users out on the stateful side only', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  await button(page, 'Compare stateful and stateless').click();
  // Opened from a paused lab, compare view waits too, at its start.
  await button(page, 'Play').waitFor();
  await page.waitForTimeout(300);
  assert.match(await page.locator('.pane .hint').first().textContent(), /t = 0\.0 s/);
  await button(page, 'Crash Server 1').click();
  for (let i = 0; i < 10; i++) await button(page, 'Step').click();
  const count = (name) => card(page, name);
  assert.ok((await count('Stateful: users logged out')) > 0);
  assert.equal(await count('Stateless: users logged out'), 0);
  const logouts = await count('Stateful: logouts so far');
  assert.ok(logouts >= (await count('Stateful: users logged out')), 'every user logged out now was logged out once');
  assert.equal(await count('Stateless: logouts so far'), 0);
  const counted = (n, one, many) => (n === 1 ? `1 ${one}` : `${n} ${many}`);
  const failed = await count('Stateful: failed requests');
  assert.equal(
    await page.locator('.summary').textContent(),
    `So far, stateful: ${counted(logouts, 'logout', 'logouts')} and ${counted(failed, 'failed request', 'failed requests')}. ` +
      'Stateless: 0 logouts and 0 failed requests.',
  );
  // Each pane tells its own story: only the stateful one loses sessions and logs users out.
  const feed = (side) => page.getByRole('list', { name: `${side}: What just happened` }).locator('li').allTextContents();
  const [stateful, stateless] = [await feed('Stateful'), await feed('Stateless')];
  assert.ok(stateful.some((line) => /sessions? vanished with Server 1's memory|is logged out|has no session for/.test(line)), stateful.join('\n'));
  assert.ok(stateless.length > 0 && stateless.length <= 4, stateless.join('\n'));
  assert.ok(!stateless.some((line) => /vanished|logged out|no session/.test(line)), stateless.join('\n'));
  // Seconds of logins and retries later, each pane still shows the crash, and the stateful
  // one the logouts it caused.
  for (let i = 0; i < 80; i++) await button(page, 'Step').click();
  const [later, laterLess] = [await feed('Stateful'), await feed('Stateless')];
  assert.equal(later.length, 4, later.join('\n'));
  assert.ok(later.some((line) => line.endsWith('You: crash Server 1.')), later.join('\n'));
  assert.ok(later.some((line) => / logged out/.test(line)), later.join('\n'));
  assert.ok(laterLess.some((line) => line.endsWith('You: crash Server 1.')), laterLess.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare mode says why stateless fails more in a spike: it is asked more, and its session trips hold workers', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&view=compare`);
  await button(page, 'Crash Server 1').click();
  await button(page, 'Spike').click();
  for (let i = 0; i < 80; i++) await button(page, 'Step').click();
  const [lf, rf] = [await card(page, 'Stateful: failed requests'), await card(page, 'Stateless: failed requests')];
  assert.ok(rf > lf && (await card(page, 'Stateful: logouts so far')) > 0, `stateful ${lf}, stateless ${rf} failed`);
  const said = await page.locator('.summary').textContent();
  const [, l, r] = said.match(/ Stateless fails more here for two reasons\. It is asked more: stateful's logged-out users send nothing until they log in again \(stateful was sent ([\d,]+) requests, stateless ([\d,]+)\)\. And each of its requests also fetches the session from the shared store while it holds a worker, so an overloaded server answers fewer a second: the small price of servers that can crash without logging anyone out\.$/) ?? [];
  assert.ok(l && figure(l) < figure(r), said);
  // Both reasons hold: a higher share of stateless's requests failed too.
  assert.ok(rf / figure(r) > lf / figure(l), said);
  // A busy pane's feed has long dropped its first lines; the action stays in view all the same.
  const feed = await page.getByRole('list', { name: 'Stateless: What just happened' }).locator('li').allTextContents();
  assert.ok(feed.some((line) => line.endsWith('You: spike the traffic.')), feed.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare mode keeps its run, paused or playing, across a visit to the lab', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&autoplay=0`);
  const clock = async () => (await page.locator('.pane .hint').first().textContent()).match(/t = ([\d.]+) s/)[1];
  for (let i = 0; i < 10; i++) await button(page, 'Step').click();
  await button(page, 'Crash Server 1').click();
  for (let i = 0; i < 10; i++) await button(page, 'Step').click();
  const [t, out] = [await clock(), await card(page, 'Stateful: logouts so far')];
  assert.ok(out > 0, 'the crash logged users out');
  await button(page, 'Explore the system').click();
  await page.waitForTimeout(300);
  await button(page, 'Compare stateful and stateless').click();
  assert.equal(await clock(), t, 'the same moment');
  assert.equal(await card(page, 'Stateful: logouts so far'), out);
  await button(page, 'Play').waitFor();
  // Playing, it plays on when it comes back: its clock moves after the return.
  await button(page, 'Play').click();
  await button(page, 'Explore the system').click();
  await button(page, 'Compare stateful and stateless').click();
  await button(page, 'Pause').waitFor();
  const back = await clock();
  await page.waitForFunction((t) => document.querySelector('.pane .hint').textContent.match(/t = ([\d.]+) s/)[1] !== t, back);
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare mode runs at the page speed the URL sets', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?speed=5`);
  await button(page, 'Compare stateful and stateless').click();
  // Past the first ticks, whose pace is still being learnt, the clock runs at about 5 s per
  // second; at the default 1× or the old fixed 0.5× it would run at 1 s per second or less.
  const clock = () => page.evaluate(() => [Number(document.querySelector('.pane .hint').textContent.match(/t = ([\d.]+) s/)[1]), performance.now()]);
  await page.waitForFunction(() => Number(document.querySelector('.pane .hint').textContent.match(/t = ([\d.]+) s/)[1]) >= 1, null, { timeout: 10_000 });
  const [t1, w1] = await clock();
  await page.waitForTimeout(2_000);
  const [t2, w2] = await clock();
  const rate = (t2 - t1) / ((w2 - w1) / 1000);
  assert.ok(rate > 2.5, `the clock went from ${t1} s to ${t2} s in ${Math.round(w2 - w1)} ms`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare mode runs no timer while its tab is hidden', async () => {
  const { page, errors, context } = await openPage(lab.browser, lab.server.url);
  await button(page, 'Compare stateful and stateless').click();
  const time = async () => 1000 * Number((await page.locator('.pane .hint').first().textContent()).match(/t = ([\d.]+) s/)[1]);
  const stands = async () => {
    const t0 = await time();
    await page.waitForTimeout(500);
    return (await time()) === t0;
  };
  // Moving, it shows a later time within a few ticks; a slow machine only makes them late.
  const moves = async () => {
    const t0 = await time();
    await page.waitForFunction((t0) => 1000 * Number(document.querySelector('.pane .hint').textContent.match(/t = ([\d.]+) s/)[1]) > t0, t0, { timeout: 5_000 });
  };
  await moves();
  const setHidden = (hidden) =>
    page.evaluate((h) => {
      for (const [key, value] of [['visibilityState', h ? 'hidden' : 'visible'], ['hidden', h]]) {
        Object.defineProperty(document, key, { configurable: true, get: () => value });
      }
      document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
    }, hidden);
  await setHidden(true);
  await page.waitForTimeout(100);
  assert.ok(await stands(), 'compare mode stops while hidden');
  await setHidden(false);
  await moves();
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare mode offers Restart for a crashed server and says why an action was refused', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  await button(page, 'Compare stateful and stateless').click();
  await button(page, 'Play').waitFor();
  await button(page, 'Crash Server 1').click();
  await button(page, 'Restart Server 1').click();
  await button(page, 'Crash Server 1').waitFor();
  for (let i = 0; i < 3; i++) await button(page, 'Add server').click();
  for (let i = 0; i < 60; i++) {
    if (/at most/.test(await page.locator('.compare .notice').textContent())) break;
    await button(page, 'Add server').click();
  }
  assert.match(await page.locator('.compare .notice').textContent(), /^Stateful: .*at most 64 servers.* Stateless: .*at most 64 servers/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Copy link says "copied" only once the clipboard took it', async () => {
  const granted = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { permissions: ['clipboard-read', 'clipboard-write'] });
  await button(granted.page, 'Copy link').click();
  await granted.page.locator('.share [role=status]').filter({ hasText: /^Link copied\.$/ }).waitFor();
  const link = await granted.page.getByLabel('Link to this exact moment').inputValue();
  assert.equal(await granted.page.evaluate(() => navigator.clipboard.readText()), link);
  // A frame without clipboard permission: the browser refuses, and the page says so.
  const refused = await lab.browser.newContext();
  await refused.addInitScript(() => {
    navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
  });
  const page = await refused.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${lab.server.url}?autoplay=0`);
  await button(page, 'Copy link').click();
  await page.locator('.share [role=status]').filter({ hasText: /^Copy the link below\.$/ }).waitFor();
  assert.deepEqual([...granted.errors, ...errors], []);
  await granted.context.close();
  await refused.close();
});

test('a copied link reproduces the exact state in a fresh page', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=5`);
  for (let i = 0; i < 7; i++) await button(page, 'Step').click();
  await button(page, 'Crash Server 2').click();
  for (let i = 0; i < 5; i++) await button(page, 'Step').click();
  await button(page, 'Add server').click();
  await sessionMode(page, 'Stateless').check();
  for (let i = 0; i < 6; i++) await button(page, 'Step').click();
  await button(page, 'Copy link').click();
  const link = await page.getByLabel('Link to this exact moment').inputValue();
  assert.match(link, /cmds=/);
  const original = await fingerprint(page);
  const out = await loggedOut(page);
  const fresh = await openPage(lab.browser, link);
  assert.equal(await fingerprint(fresh.page), original);
  assert.equal(await loggedOut(fresh.page), out);
  assert.deepEqual(fresh.errors, []);
  assert.deepEqual(errors, []);
  await fresh.context.close();
  await context.close();
});

test('a link far into a busy run shows its replay on the loading page, then opens at its moment', async () => {
  const context = await lab.browser.newContext();
  // Every line the loading page shows, and every value of its bar, as they change.
  await context.addInitScript(() => {
    window.bootLines = [];
    window.bootBar = [];
    new MutationObserver(() => {
      const line = document.querySelector('#boot .boot-status')?.textContent;
      if (line && window.bootLines.at(-1) !== line) window.bootLines.push(line);
      const bar = document.querySelector('#boot progress')?.getAttribute('value');
      if (bar && window.bootBar.at(-1) !== bar) window.bootBar.push(bar);
    }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => msg.type() === 'error' && errors.push(msg.text()));
  await page.goto(`${lab.server.url}?rate=1000&users=1000&t=600000000&autoplay=0`);
  await page.locator('#trace-hash').waitFor({ state: 'attached' });
  const lines = await page.evaluate(() => window.bootLines);
  assert.ok(lines.some((l) => /^Replaying the shared run: \d+ of 600 simulated seconds…$/.test(l)), lines.join('\n'));
  // The bar moves with every task; the spoken line at most once a second.
  const done = (await page.evaluate(() => window.bootBar)).map(Number);
  assert.ok(done.length >= 2, `the replay went in several tasks, each shown: ${done.join(' ')}`);
  assert.ok(done.every((n, i) => i === 0 || n > done[i - 1]) && done.at(-1) < 600, done.join(' '));
  assert.ok(lines.length - 1 <= done.length / 2, `${lines.length} lines for ${done.length} tasks`);
  assert.equal((await page.locator('.clock').first().textContent()).trim(), 't = 600.0 s');
  assert.equal(await page.locator('#boot').count(), 0, 'the loading page is gone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('after a long rebuilt run the feed and the event export still tell its logouts', async () => {
  // Step 4 of the auto-scaling tour, stateful: tens of thousands of events rebuilt at once,
  // most of them single successes, with hundreds of logouts among them.
  const url = `${lab.server.url}?scenario=auto-scaling&step=4&mode=stateful&autoplay=0`;
  const { page, errors, context } = await openPage(lab.browser, url, { acceptDownloads: true });
  await page.getByText(/^Step 4 of \d+ \(Stateful mode\)$/).waitFor();
  const logouts = await card(page, 'Logouts so far');
  assert.ok(logouts > 0);
  const feed = page.locator('.feed');
  assert.doesNotMatch(await feed.textContent(), /All quiet so far/);
  assert.ok((await feed.locator('li').count()) > 0, 'the feed tells the end of the story');
  const [download] = await Promise.all([page.waitForEvent('download'), button(page, 'Download events (JSON lines)').click()]);
  const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const total = figure((await page.locator('.run-info').textContent()).match(/([\d,]+) events/)[1]);
  assert.ok(total > lines.length, 'a long run: the log keeps a part of it');
  assert.ok(lines.every((e, i) => i === 0 || e.seq > lines[i - 1].seq), 'in order, each event once');
  assert.ok(lines.some((e) => e.kind === 'logged_out'), 'its logouts are in the file');
  assert.ok(lines.some((e) => e.kind === 'scaled_out'), 'and the scaling that caused them');
  assert.deepEqual(errors, []);
  await context.close();
});

test('CSV and JSON-lines exports parse and match the numbers on screen', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=200`, { acceptDownloads: true });
  await button(page, 'Crash Server 1').click();
  for (let i = 0; i < 30; i++) await button(page, 'Step').click();
  const grab = async (name) => {
    const [download] = await Promise.all([page.waitForEvent('download'), button(page, name).click()]);
    return readFile(await download.path(), 'utf8');
  };
  const csv = (await grab('Download metrics (CSV)')).trim().split('\n').map((l) => l.split(','));
  const [header, ...rows] = csv;
  assert.equal(rows.length, 3, 'one row per simulated second');
  assert.ok(rows.every((r) => r.length === header.length));
  const col = (name) => rows.map((r) => Number(r[header.indexOf(name)]));
  const answered = await card(page, 'Requests answered');
  assert.equal(col('completed').reduce((a, b) => a + b, 0), answered);
  assert.equal(col('logged_out').at(-1), await loggedOut(page));
  // The live charts draw the same samples: one point per second, the latest in the legend.
  const throughput = page.locator('.chart', { has: page.getByText('Throughput', { exact: true }) });
  assert.equal(await throughput.locator('.chart-legend li').first().textContent(), `answered ${col('completed').at(-1)}/s`);
  assert.equal((await throughput.locator('polyline').first().getAttribute('points')).split(' ').length, rows.length);
  const lines = (await grab('Download events (JSON lines)')).trim().split('\n').map((l) => JSON.parse(l));
  const footer = await page.locator('.run-info').textContent();
  assert.equal(lines.length, figure(footer.match(/([\d,]+) events/)[1]));
  assert.equal(lines.filter((e) => e.kind === 'logged_out').length, await loggedOut(page));
  assert.ok(lines.every((e, i) => e.seq === i && typeof e.text === 'string'));
  const svg = await grab('Download diagram (SVG)');
  assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>$/);
  assert.ok(!svg.includes('href="assets/'), 'icons are inlined, so the file stands alone');
  assert.match(svg, /<image [^>]*href="data:image\/svg\+xml,/);
  assert.match(svg, /<line [^>]*stroke="rgb\(/, 'edges carry their on-screen colour');
  // Named by the page's caption, which the file leaves behind.
  assert.match(svg, /^<svg [^>]*><title>Servers: \d+ · requests in flight: [\d,]+ · logged in: /);
  assert.ok(!svg.includes('aria-labelledby'), 'no reference to a caption the file lacks');
  // The canvas layers as pictures: the dots under the boxes, the failures' reasons over them.
  const layers = [...svg.matchAll(/<image [^>]*href="(data:image\/png;base64,[^"]+)"/g)].map((m) => m[1]);
  assert.equal(layers.length, 2, 'two layers');
  assert.ok(svg.indexOf(layers[0]) < svg.indexOf('<g'), 'the dots are drawn before any box');
  assert.match(svg, /<image [^>]*href="data:image\/png;base64,[^"]+"[^>]*\/><\/svg>$/, 'the reasons are the last thing drawn');
  const { inked } = await decoded(page, layers[0]);
  assert.ok(inked > 100, `the dot layer has ${inked} drawn pixels`);
  // The PNG: twice the diagram's size, and a real picture (many colours), decoded by the browser.
  const [png] = await Promise.all([page.waitForEvent('download'), button(page, 'Download diagram (PNG)').click()]);
  assert.equal(png.suggestedFilename(), 'statelab-diagram.png');
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [...Buffer.from('PNG')]);
  const picture = await decoded(page, `data:image/png;base64,${bytes.toString('base64')}`);
  assert.deepEqual([picture.width, picture.height], [2560, 1160]);
  assert.ok(picture.colours > 20, `the PNG has ${picture.colours} colours`);
  assert.equal(await page.getByRole('status').filter({ hasText: 'PNG downloaded.' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the page computes the same trace hash as the native and wasm tests for the reference run', async () => {
  const source = await readFile(new URL('../../crates/sim/src/scenario.rs', import.meta.url), 'utf8');
  const expected = source.match(/REFERENCE_TRACE_HASH: u64 = 0x([0-9a-f_]+);/)[1].replaceAll('_', '');
  const cmds = '5000000.c.0~8000000.w.1~12000000.a~15000000.m.1';
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?mode=stateful&seed=42&autoplay=0&t=30000000&cmds=${cmds}`);
  assert.equal(await fingerprint(page), expected.padStart(16, '0'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed code shown, the code copied and the preview follow the latest action', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, {
    permissions: ['clipboard-read', 'clipboard-write'],
  });
  const code = page.getByLabel('Embed code');
  const before = await code.inputValue();
  assert.doesNotMatch(before, /cmds=/);
  await sessionMode(page, 'Stateless').check();
  await button(page, 'Step').click();
  await button(page, 'Crash Server 1').click();
  const shown = await code.inputValue();
  assert.match(shown, /cmds=/, 'the actions are in the embed code at once');
  await button(page, 'Copy embed code').click();
  await page.getByText('Embed code copied.', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);
  await button(page, 'Preview embed').click();
  const src = await page.locator('iframe.embed-preview').getAttribute('src');
  assert.ok(shown.includes(`src="${src.replaceAll('&', '&amp;')}"`), 'the preview frames the same link');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed code follows Step and the timeline while paused, and actions after a copied link', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?speed=10`);
  const code = page.getByLabel('Embed code');
  const at = async () => Number((await code.inputValue()).match(/[?&;]t=(\d+)/)[1]);
  const clock = async () => Math.round(1e6 * Number((await page.locator('.clock').textContent()).match(/[\d.]+/)[0]));
  await page.waitForFunction(() => Number(document.querySelector('.clock').textContent.match(/[\d.]+/)[0]) > 1);
  await button(page, 'Pause').click();
  assert.ok((await at()) > 1_000_000, 'the pause');
  await page.getByLabel('Timeline').fill('500');
  await page.getByLabel('Timeline').dispatchEvent('change');
  await page.waitForFunction(() => /^0\.5 s/.test(document.querySelector('.scrubber output').textContent));
  assert.equal(await at(), 500_000, 'the jump on the timeline');
  await button(page, 'Step').click();
  assert.ok((await at()) > 500_000, 'the step');
  assert.equal(Math.floor((await at()) / 1e5), Math.floor((await clock()) / 1e5));
  await button(page, 'Copy link').click();
  const link = await page.getByLabel('Link to this exact moment').inputValue();
  assert.ok((await code.inputValue()).includes(link.replaceAll('&', '&amp;')), 'the copied link');
  await button(page, 'Crash Server 1').click();
  assert.match(await code.inputValue(), /cmds=[^&"]*\.c\.0/, 'the crash after the copy');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the embed code carries the chosen controls, and its preview shows the diagram on the first screen', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=7`);
  const code = page.getByLabel('Embed code');
  assert.match(await code.inputValue(), /^<iframe src="[^"]*\?[^"]*seed=7[^"]*&amp;controls=minimal&amp;title=0" width="800" height="500" title="[^"]+" loading="lazy"/);
  await page.getByLabel('Controls in the frame').selectOption('full');
  assert.match(await code.inputValue(), /&amp;controls=full&amp;title=0"/);
  assert.equal((await code.inputValue()).match(/controls=/g).length, 1, 'one controls choice');
  // The size follows the keys typed, before the box is left; leaving it clamps a size too small.
  const height = page.getByLabel('Height');
  await height.fill('');
  await height.pressSequentially('844');
  assert.match(await code.inputValue(), / width="800" height="844" /);
  await height.fill('12');
  await height.blur();
  assert.match(await code.inputValue(), / width="800" height="400" /);
  // A decimal is rounded, an exponent read, and a box left empty shows the size still in use.
  const width = page.getByLabel('Width');
  for (const [typed, used] of [['1000.5', '1001'], ['1e3', '1000'], ['-5', '320'], ['', '320']]) {
    await width.fill(typed);
    await width.blur();
    assert.match(await code.inputValue(), new RegExp(` width="${used}" height="400" `), `typed ${typed}`);
    assert.equal(await width.inputValue(), used, `typed ${typed}`);
  }
  await width.fill('800');
  await width.blur();
  await height.fill('500');
  await page.getByLabel('Controls in the frame').selectOption('minimal');
  await button(page, 'Preview embed').click();
  const frame = page.frameLocator('iframe.embed-preview');
  await frame.getByRole('button', { name: 'Play', exact: true }).waitFor();
  assert.equal(await frame.getByRole('button', { name: 'Add server' }).count(), 0, 'minimal controls');
  const top = await frame.locator('.diagram').evaluate((d) => d.getBoundingClientRect().top);
  assert.ok(top < 250, `the diagram starts at ${top} px of the 500 px frame`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('projecting, the embed code asks for the visitor’s theme, and its preview never widens the page', async () => {
  for (const theme of ['projector', 'light']) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&theme=${theme}`);
    const code = await page.getByLabel('Embed code').inputValue();
    assert.match(code, theme === 'projector' ? /theme=auto&amp;/ : /theme=light&amp;/);
    assert.doesNotMatch(code, /projector/);
    await button(page, 'Preview embed').click();
    await page.frameLocator('iframe.embed-preview').getByRole('button', { name: 'Play', exact: true }).waitFor();
    const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    assert.ok(scroll <= inner, `${theme}: the page is ${scroll} px wide in a ${inner} px window`);
    // Laid out at its real 800 px, and scaled to the panel: none of it is cut off.
    const frameWidth = await page.frameLocator('iframe.embed-preview').locator('body').evaluate(() => window.innerWidth);
    const [shown, room] = await page.evaluate(() => [
      document.querySelector('iframe.embed-preview').getBoundingClientRect().width,
      document.querySelector('.embed-box').clientWidth,
    ]);
    assert.equal(frameWidth, 800);
    assert.ok(shown <= room + 0.5, `${theme}: the preview shows ${shown} px in ${room} px`);
    if (shown < 800) assert.match(await page.locator('.embed-box + .hint').textContent(), /^Shown at \d+ % of its size to fit here/);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the embed builder frames compare view, with its buttons, from the run’s settings', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=7&servers=4`);
  await button(page, 'Crash Server 1').click();
  await button(page, 'Add server').click();
  await page.getByLabel('The frame shows').selectOption({ label: 'stateful and stateless side by side' });
  const code = await page.getByLabel('Embed code').inputValue();
  assert.match(code, /seed=7&amp;servers=5&amp;.*&amp;view=compare&amp;controls=full&amp;title=0"/, 'the servers it has now');
  assert.doesNotMatch(code, /cmds=/, 'compare view replays no actions');
  assert.match(code, / width="800" height="1160" /, 'tall enough for both sides’ figures, with five servers');
  assert.equal(await page.getByLabel('Controls in the frame').inputValue(), 'full');
  // Back to the lab, the controls the compare choice picked are undone.
  await page.getByLabel('The frame shows').selectOption({ label: 'this run, as of its latest pause or action' });
  assert.equal(await page.getByLabel('Controls in the frame').inputValue(), 'minimal');
  assert.match(await page.getByLabel('Embed code').inputValue(), / width="800" height="500" /);
  await page.getByLabel('The frame shows').selectOption({ label: 'stateful and stateless side by side' });
  await button(page, 'Preview embed').click();
  const frame = page.frameLocator('iframe.embed-preview');
  await frame.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  await frame.getByRole('button', { name: 'Step', exact: true }).click();
  assert.match(await frame.locator('.summary').textContent(), /^So far, stateful: [1-9][\d,]* logouts? and /, 'the crash logged users out');
  assert.ok((await frame.locator('.pane').count()) === 2, 'two panes');
  // The frame at its real size: all of compare view fits, with no notice of a moment left behind.
  const framed = page.frames().find((f) => f.url().includes('view=compare'));
  const fit = await framed.evaluate(() => [document.documentElement.scrollHeight, innerHeight, document.querySelectorAll('.url-notice li').length]);
  assert.ok(fit[0] <= fit[1], `compare view fits its frame: ${fit}`);
  assert.equal(fit[2], 0, 'no notice');
  // Without controls the frame has no Play: it plays by itself.
  await page.getByLabel('Controls in the frame').selectOption('none');
  assert.match(await page.getByLabel('Embed code').inputValue(), /autoplay=1&amp;.*controls=none/);
  assert.match(await page.getByLabel('Embed code').inputValue(), / height="790" /, 'refitted to a frame without buttons');
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare view from a link keeps autoplay=0 and the embed’s controls', async () => {
  const time = (page) => page.locator('.pane .hint').first().textContent().then((t) => Number(t.match(/t = ([\d.]+) s/)[1]));
  let { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&autoplay=0`);
  await button(page, 'Play').waitFor();
  assert.match(await page.locator('.pane-feed .hint').first().textContent(), /^All quiet so far\. Crash a server/);
  await page.waitForTimeout(600);
  assert.equal(await time(page), 0, 'paused until Play');
  await button(page, 'Play').click();
  await page.waitForFunction(() => !/t = 0(\.0)? s/.test(document.querySelector('.pane .hint').textContent));
  assert.deepEqual(errors, []);
  await context.close();
  ({ page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&controls=minimal&autoplay=0`));
  for (const name of ['Play', 'Step', 'Reset']) assert.equal(await button(page, name).count(), 1, name);
  for (const name of ['Crash Server 1', 'Add server', 'Spike']) assert.equal(await button(page, name).count(), 0, name);
  // Its empty feeds suggest no action the frame does not offer.
  assert.deepEqual(await page.locator('.pane-feed .hint').allTextContents(), Array(2).fill('All quiet so far: what happens in this run is told here.'));
  assert.deepEqual(errors, []);
  await context.close();
  ({ page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&controls=none`));
  await page.locator('.pane').first().waitFor();
  assert.equal(await page.locator('.compare button').count(), 0, 'no control at all');
  await page.waitForFunction(() => !/t = 0(\.0)? s/.test(document.querySelector('.pane .hint').textContent));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a link with several refused commands names every refusal', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?cmds=0.dp.5~0.x.0~0.x.1~0.x.2&autoplay=0`);
  const notice = page.locator('.toolbar .notice');
  await notice.filter({ hasText: /^2 commands of the link were refused: / }).waitFor();
  assert.equal((await notice.textContent()).split('; ').length, 2, await notice.textContent());
  assert.deepEqual(errors, []);
  await context.close();
});

test('in a frame without clipboard access, Copy embed code answers beside itself, with no error', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  // A course page of another origin (localhost) frames the app (127.0.0.1): no clipboard for it.
  await page.goto(`${lab.server.url.replace('127.0.0.1', 'localhost')}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  await page.evaluate((app) => (document.getElementById('lab').src = `${app}index.html?autoplay=0&title=0&panel=share`), lab.server.url);
  const frame = page.frameLocator('#lab');
  await frame.getByRole('button', { name: 'Copy embed code' }).click();
  const status = frame.getByRole('button', { name: 'Copy embed code' }).locator('xpath=..').getByRole('status');
  await status.filter({ hasText: /^Copy the code above\.$/ }).waitFor();
  assert.match(await frame.getByLabel('Embed code').inputValue(), / allow="clipboard-write"/, 'the code it offers lets a course page allow it');
  await page.waitForTimeout(200);
  assert.deepEqual(errors, []);
  await context.close();
});
