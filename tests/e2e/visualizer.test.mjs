// The visualizer through the real page: every main control clicked for real, no console error,
// and screenshots at three sizes in light and dark for a person to look at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setup, openPage, screenshot, loggedOut, sessionMode, card, steps, eventually } from './harness.mjs';

const lab = setup();

/** The top edge of the first dot drawn on the dot layer that lies in the window, at least `top`
 *  CSS px from its top, and, with the point `below` CSS px under it, clear of every box (which
 *  hides the dots under it): its window coordinates, moved `below` down, and the CSS px per
 *  diagram unit; null if there is none. */
const dotInTheOpen = (page, below, top = 0) =>
  page.evaluate(([below, top]) => {
    const canvas = document.getElementById('dots');
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const boxes = [...document.querySelectorAll('.stage svg g.node')].map((g) => g.getBoundingClientRect());
    const rect = canvas.getBoundingClientRect();
    const scale = rect.width / canvas.width;
    const clear = (x, y) => boxes.every((b) => x < b.left - 8 || x > b.right + 8 || y < b.top - 8 || y > b.bottom + 8);
    for (let i = 3; i < data.length; i += 4) {
      if (data[i] !== 255) continue;
      const px = (i - 3) / 4;
      const [x, y] = [rect.left + (px % canvas.width) * scale, rect.top + Math.floor(px / canvas.width) * scale];
      if (x < 0 || x > innerWidth || y < top || y + below > innerHeight || !clear(x, y) || !clear(x, y + below)) continue;
      return { x, y: y + below, scale };
    }
    return null;
  }, [below, top]);

/** Ticks Auto-scaling once its panel has laid out: the side panels skip their layout while off
 *  screen (`content-visibility: auto`), so a box scrolled to moves as its panel renders. */
async function turnOnAutoscaling(page) {
  const box = page.getByLabel('Auto-scaling (adds a server above 70 % busy, removes one below 30 %, keeps 1 to 16)');
  await box.scrollIntoViewIfNeeded();
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await box.check();
}

const SIZES = [
  ['wide', 1280, 800],
  ['frame', 800, 500],
  ['phone', 390, 844],
];

test('a window narrowed while the panels below are off screen does not scroll sideways', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=7&speed=1`, { viewport: { width: 1400, height: 900 } });
  for (const n of [1, 2, 3]) await page.getByRole('button', { name: `Crash Server ${n}`, exact: true }).click();
  await page.waitForTimeout(500);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.setViewportSize({ width: 320, height: 400 });
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await eventually(async () => (await sideways()) === 0);
  assert.equal(await sideways(), 0, 'the page scrolls sideways');
  assert.deepEqual(errors, []);
  await context.close();
});

test('no theme makes the page wider than a phone', async () => {
  for (const theme of ['light', 'dark', 'projector']) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?theme=${theme}&autoplay=0`, {
      viewport: { width: 390, height: 844 },
    });
    await page.locator('.server-controls li').first().waitFor();
    const { scroll, client } = await page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      client: document.documentElement.clientWidth,
    }));
    assert.equal(scroll, client, `${theme}: the page scrolls sideways by ${scroll - client} px`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

for (const scheme of ['light', 'dark']) {
  test(`screenshots in ${scheme} at three sizes`, async () => {
    for (const [name, width, height] of SIZES) {
      const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?speed=10`, {
        viewport: { width, height },
        colorScheme: scheme,
      });
      // Let requests fly for some simulated seconds, so the diagram shows dots and the charts
      // (one point per simulated second) have lines.
      await page.waitForFunction(() => Number(document.querySelector('.clock')?.textContent.match(/[\d.]+/)?.[0]) >= 8);
      const path = await screenshot(page, `${name}-${scheme}`);
      console.log(`screenshot: ${path}`);
      assert.deepEqual(errors, []);
      await context.close();
    }
  });
}

test('every main control works with real clicks', async () => {
  // Paused from the start, so what follows happens at the same simulated moments on any machine.
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const click = (name) => page.getByRole('button', { name, exact: true }).click();
  // A calm run has nothing to narrate yet, and the feed says so instead of staying blank.
  const feed = page.locator('.feed');
  assert.match(await feed.textContent(), /All quiet so far/);
  assert.equal(await feed.locator('li').count(), 0);
  // Nor is the error chart an unexplained blank.
  const errorsChart = page.locator('.chart', { has: page.getByText('Errors by reason', { exact: true }) });
  assert.equal(await errorsChart.locator('.chart-legend').textContent(), 'No request failed in the last minute.');
  // A screen reader hears the same, not an unfinished "Latest:".
  assert.equal(
    await errorsChart.getByRole('img').getAttribute('aria-label'),
    'Errors by reason, last 60 s. No request failed in the last minute.',
  );
  await sessionMode(page, 'Stateless').check();
  await click('Step');
  await click('Add server');
  await page.getByRole('button', { name: 'Crash Server 4' }).waitFor();
  for (let i = 0; i < 25; i++) await click('Step');
  await click('Crash Server 1');
  assert.ok((await feed.locator('li').count()) > 0);
  assert.doesNotMatch(await feed.textContent(), /All quiet so far/);
  await click('Restart Server 1');
  await click('Remove Server 2');
  await click('Spike');
  // The rate's readout says how long the spike lasts.
  assert.match(await page.locator('.system-controls fieldset').first().locator('output').textContent(), /^[\d,]+ \/s now: a spike, 30 s left$/);
  // Each menu is named by its own label alone, not by the button beside it.
  for (const name of ['Misroute', 'Pattern']) assert.equal(await page.getByRole('combobox', { name, exact: true }).count(), 1, name);
  await page.getByLabel('Misroute').selectOption({ label: 'User B' });
  await click('Misroute user');
  await turnOnAutoscaling(page);
  // The readout says what the scaler judges, and why it holds: the server added above boots.
  assert.match(await page.locator('#scaler-readout').textContent(), /^(Over the last [2-5] s the servers were \d+ % busy on average|In the last second the servers were \d+ % busy)\. It waits while a server is still booting\.$/);
  await page.getByLabel('Cache product reads').uncheck();
  // Memcached has no replication: its standby switch is greyed out and unticked.
  const standby = page.getByLabel('Standby replica of the store');
  await standby.check();
  await page.getByLabel('Session store').selectOption('memcached');
  await page.getByText('Memcached keeps sessions in memory only, and has no standby copy: a crash loses every one.').waitFor();
  assert.deepEqual([await standby.isDisabled(), await standby.isChecked()], [true, false]);
  await page.getByLabel('Session store').selectOption('sql');
  assert.deepEqual([await standby.isDisabled(), await standby.isChecked()], [false, true], 'the setting comes back');
  await standby.uncheck();
  await click('Crash session store');
  await click('Restart session store');
  await click('Crash master');
  assert.ok(await page.getByRole('button', { name: 'Restart master', exact: true }).isEnabled(), 'the master is down');
  await click('Promote Replica 1');
  // Replica 1 is the master now, and the old master serves as a replica.
  assert.equal(await page.getByRole('button', { name: 'Promote Replica 1', exact: true }).count(), 0);
  await click('Add replica');
  await page.getByRole('button', { name: 'Remove Replica 4', exact: true }).waitFor();
  await click('Trace next request');
  const waterfall = page.getByRole('list', { name: 'Latency by hop' });
  for (let i = 0; i < 100 && !(await waterfall.count()); i++) await click('Step');
  await waterfall.waitFor({ timeout: 1_000 });
  await page.getByRole('button', { name: /^User C:/ }).click();
  await page.getByRole('heading', { name: 'Session inspector' }).waitFor();
  assert.match(await page.locator('.inspector').textContent(), /User C/);
  // Their latest request's path, in words and as a band on the dot layer.
  for (let i = 0; i < 30 && /no finished request/.test(await page.locator('.inspector .path').textContent()); i++) await click('Step');
  const lastPath = await page.locator('.inspector .path').textContent();
  assert.match(lastPath, /^latest request \(.+\): User C's browser → .*the load balancer → Server \d+/);
  const stops = lastPath.split(': ')[1].split(' → ').length;
  assert.equal(await page.locator('#dots').getAttribute('data-path'), String(stops));
  assert.equal(await loggedOut(page), 0, 'stateless: nobody logged out by all of that');
  assert.equal(await page.getByRole('group', { name: 'Logouts so far' }).locator('output').textContent(), '0', 'not even for a moment');
  const authenticated = () => page.locator('.inspector dt:has-text("Authenticated") + dd').textContent();
  assert.equal(await authenticated(), 'yes', 'User C is logged in');
  // The rest of what a session holds: the cart and the preferences.
  assert.match(await page.locator('.inspector dt:has-text("Preferences") + dd').textContent(), /^(light|dark) theme, prices in (EUR|USD|JPY)$/);
  assert.equal(await page.locator('.inspector dt:has-text("Cart") + dd').count(), 1);
  await sessionMode(page, 'Stateful').check();
  await click('Crash Server 3');
  assert.ok((await loggedOut(page)) > 0);
  // A user logged out by the crash: the inspector no longer counts them signed in.
  await page.getByRole('button', { name: /^User [A-Z]+: logged out$/ }).first().click();
  assert.match(await page.locator('.inspector').textContent(), /is logged out/);
  assert.equal(await authenticated(), 'no');
  await click('Reset');
  assert.equal(await loggedOut(page), 0);
  await click('Play');
  await click('Pause');
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await page.keyboard.press('Escape');
  const path = await screenshot(page, 'controls-after-clicks');
  console.log(`screenshot: ${path}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a click on a box opens its menu, which crashes, restarts and promotes in place', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const canvas = page.locator('#dots');
  await canvas.scrollIntoViewIfNeeded();
  // A point in the diagram's own coordinates (1280 × 580), as the layout places the boxes.
  const clickAt = async (x, y) => {
    const box = await canvas.boundingBox();
    await page.mouse.click(box.x + (x / 1280) * box.width, box.y + (y / 580) * box.height);
  };
  const menu = page.getByRole('dialog');
  // Server 2 is the middle of three boxes, centred on (635, 300).
  await clickAt(680, 300);
  await page.getByRole('dialog', { name: 'Server 2 — healthy' }).waitFor();
  // The menu takes the focus on its first action, a frame after it opens.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Crash');
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Server 2 — crashed' }).waitFor();
  // The focus keeper moves it after the click's own updates, a task later.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Restart');
  assert.ok(await page.getByRole('button', { name: 'Restart Server 2', exact: true }).isEnabled(), 'the panel agrees');
  assert.ok((await loggedOut(page)) > 0, 'stateful: the crash logged out the users Server 2 held');
  await page.keyboard.press('Escape');
  assert.equal(await menu.count(), 0, 'Esc closes the menu');
  // Replica 1, the first of two, is centred on (1205, 210): promoting it takes it out of the
  // replicas, and its menu with it.
  await clickAt(1205, 210);
  await page.getByRole('dialog', { name: 'Replica 1 — up', exact: true }).waitFor();
  await menu.getByRole('button', { name: 'Promote to master' }).click();
  await menu.waitFor({ state: 'detached' });
  assert.match(await page.locator('.feed').textContent(), /promote Replica 1 to master/);
  assert.match(await page.locator('.feed').textContent(), /Replica 1 is now the master database; the old master serves reads as Replica 3\./);
  // The cache, centred on (880, 420): its card follows the menu's crash.
  await clickAt(880, 420);
  await page.getByRole('dialog', { name: 'Cache — up', exact: true }).waitFor();
  await menu.getByRole('button', { name: 'Crash' }).click();
  await page.getByRole('dialog', { name: 'Cache — down', exact: true }).waitFor();
  assert.match(await page.getByRole('group', { name: 'Cache hits (10 s)' }).locator('output').textContent(), /down/);
  assert.ok(await menu.getByRole('button', { name: 'Restart' }).isEnabled());
  // The clicked Crash is disabled now, so the focus may have left the menu: Esc still closes it.
  await page.evaluate(() => document.activeElement?.blur());
  await page.keyboard.press('Escape');
  assert.equal(await menu.count(), 0, 'Esc closes the menu with the focus outside it');
  await clickAt(880, 420);
  await page.getByRole('dialog', { name: 'Cache — down', exact: true }).waitFor();
  // A click outside the diagram closes it; a click between the boxes opens nothing.
  await page.locator('.masthead h1').click();
  assert.equal(await menu.count(), 0);
  await clickAt(880, 300);
  assert.equal(await menu.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the auto-scaler’s readout says when sticky sessions keep one server overloaded', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=1&mode=stateful`);
  await turnOnAutoscaling(page);
  await page.getByRole('button', { name: 'Spike', exact: true }).click();
  // Step by step (S), so every tenth of a second is seen: the readout names the server only
  // while the scaler is neither cooling down nor waiting for a boot, about 2 s of this spike.
  await page.locator('.masthead h1').click();
  const read = () => page.evaluate(() => {
    const said = document.querySelector('#scaler-readout').textContent;
    const server = said.match(/Sticky sessions keep (Server \d+)'s/)?.[1];
    const box = [...document.querySelectorAll('.diagram g.server')].find((g) => g.querySelector('.node-label')?.textContent === server);
    return { said, server, status: box?.querySelector('.node-status')?.textContent ?? '' };
  });
  let seen = await read();
  for (let step = 0; step < 400 && !seen.server; step++) {
    await page.keyboard.press('s');
    seen = await read();
  }
  const { said, status } = seen;
  const [, mean5, mean1] = said.match(/^(?:Over the last [2-5] s the servers were (\d+) % busy on average|In the last second the servers were (\d+) % busy)\..* Sticky sessions keep Server \d+'s users on it: it is overloaded while the mean stays under 70 %, so no server is added\.$/) ?? [];
  const mean = mean5 ?? mean1;
  assert.ok(mean && Number(mean) < 70, said);
  // That server has a backlog in the diagram.
  const queued = Number(status.match(/(\d+) queued/)?.[1] ?? status.match(/\+(\d+)/)?.[1]);
  assert.ok(queued >= 8, `${said} / ${status}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the auto-scaler’s readout says when it judges next while its mean is past a threshold', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=7&speed=1`);
  await turnOnAutoscaling(page);
  // A quiet lab is under 30 % busy: it lets a server go at its first judgement, 5 s in.
  const hint = page.locator('#scaler-readout');
  await page.waitForFunction(
    (el) => /^(Over the last [1-4] s the servers were \d+ % busy on average|In the last second the servers were \d+ % busy)\. It judges again in [1-4] s\.$/.test(el.textContent),
    await hint.elementHandle(),
  );
  assert.deepEqual(errors, []);
  await context.close();
});

test('the auto-scaler’s readout does not call a second with no server up a busy one', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=1&mode=stateless`);
  await turnOnAutoscaling(page);
  for (const n of [1, 2, 3]) await page.getByRole('button', { name: `Crash Server ${n}`, exact: true }).click();
  const hint = page.locator('#scaler-readout');
  const said = [];
  for (let step = 0; step < 80; step++) {
    await page.keyboard.press('s');
    said.push(await hint.textContent());
  }
  // Once the crash is a second old, every readout says what those seconds were.
  const after = said.slice(15);
  assert.ok(after.every((x) => !/^(Over the last \d s the servers were \d+ % busy on average|In the last second the servers were \d+ % busy)\./.test(x)), after.join('\n'));
  assert.ok(after.some((x) => /^(In the last \d s|In the last second) no server was up to take the traffic: the auto-scaler counts that as 100 % busy\./.test(x)), after.join('\n'));
  assert.ok(after.some((x) => /^Over the last \d s the servers were \d+ % busy on average, counting the \d s with no server up as 100 %\./.test(x)), after.join('\n'));
  // Nor does the servers chart: it has no busy share for a second with no server up.
  await page.locator('.masthead h1').click();
  for (const n of [1, 2, 3, 4, 5, 6]) {
    const crash = page.getByRole('button', { name: `Crash Server ${n}`, exact: true });
    if ((await crash.count()) && (await crash.isEnabled())) await crash.click();
  }
  await steps(page, 20);
  const busy = page.locator('.chart', { has: page.getByText('How busy the servers are', { exact: true }) });
  assert.match(await busy.locator('.chart-legend').textContent(), /^busy –adds a server above 70 %drains one below 30 %$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('large counts in the diagram and the user strip are grouped as the cards group them', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&users=10000&rate=5000`);
  await steps(page, 50);
  const text = (selector) => page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.textContent).join(' | '), selector);
  assert.match(await text('.diagram .browsers'), /\+9,977 more/);
  assert.match(await text('.users .more'), /^and 9,\d{3} more users$/);
  const sessions = await text('.diagram .node-sessions');
  assert.match(sessions, /\+\d,\d{3}/, sessions);
  assert.doesNotMatch(sessions, /\d{4}/, sessions);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the database panel says which node is down, as the diagram does', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const button = (name) => page.getByRole('button', { name, exact: true });
  const master = page.locator('.system-controls .db-load').first();
  const replica = page.locator('.replicas li').filter({ hasText: 'Replica 1' }).locator('.db-load');
  await steps(page, 20);
  assert.match(await master.textContent(), /^Master DB: \d+\/8 busy · \d+ waiting$/);
  await button('Crash master').click();
  await button('Crash Replica 1').click();
  assert.equal((await master.textContent()).trim(), 'Master DB: ✗ down');
  assert.equal(await replica.textContent(), '✗ down');
  await button('Restart Replica 1').click();
  assert.match(await replica.textContent(), /^\d+\/8 busy · \d+ waiting$/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a replica down while the master took writes shows it is behind, and is promoted only once it caught up', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=200`);
  const button = (name) => page.getByRole('button', { name, exact: true });
  await button('Crash Replica 1').click();
  // Checkouts are written while it is down.
  for (let i = 0; i < 40; i++) await button('Step').click();
  await button('Crash master').click();
  await button('Restart Replica 1').click();
  await page.locator('.diagram').getByText('⚠ behind').waitFor();
  assert.ok(await button('Promote Replica 1').isDisabled(), 'behind: nothing current to promote');
  // Why, beside the button and in the feed.
  assert.ok(await page.locator('.replicas li').filter({ hasText: 'Replica 1' }).locator('.behind').isVisible());
  assert.ok(await page.locator('.feed-lines').getByText('Replica 1 is up but behind: it copies the writes it missed once there is a master again.').isVisible());
  const key = page.locator('.part-keys button', { hasText: 'Replica 1' });
  await key.focus();
  await key.press('Enter');
  assert.equal(await page.locator('#part-menu-title').textContent(), 'Replica 1 — behind');
  assert.match(await page.locator('.part-menu-note').textContent(), /can be promoted once it has copied them from a master/);
  await page.keyboard.press('Escape');
  assert.ok(await button('Promote Replica 2').isEnabled());
  await button('Promote Replica 2').click();
  assert.equal(await page.getByText('⚠ behind').filter({ visible: true }).count(), 0, 'it caught up from the new master');
  assert.ok(await button('Promote Replica 1').isEnabled());
  assert.deepEqual(errors, []);
  await context.close();
});

test('an embed with minimal controls opens no menu on a box', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&controls=minimal`);
  const canvas = page.locator('#dots');
  const box = await canvas.boundingBox();
  await page.mouse.click(box.x + (680 / 1280) * box.width, box.y + (300 / 580) * box.height);
  await page.waitForTimeout(200);
  assert.equal(await page.getByRole('dialog').count(), 0);
  assert.equal(await loggedOut(page), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('clicking a moving dot traces that request hop by hop', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=300`);
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  // A dot in the open: the boxes hide the dots under them, and a click there opens the box's menu.
  const point = await dotInTheOpen(page, 0);
  assert.ok(point, 'dots are drawn while paused');
  await page.mouse.click(point.x, point.y);
  await page.getByText(/^Following request #\d+ until it finishes…$/).waitFor();
  for (let i = 0; i < 40 && !(await page.getByRole('list', { name: 'Latency by hop' }).count()); i++) {
    await page.getByRole('button', { name: 'Step', exact: true }).click();
  }
  assert.ok(await page.getByRole('list', { name: 'Latency by hop' }).count(), 'the waterfall shows');
  // A screen reader hears the summary, numbered from 1 as the page shows it.
  const shown = await page.locator('.waterfall > p:not(.hint):not(.visually-hidden)').textContent();
  assert.match(shown, /^Request #[1-9]\d* — User [A-Z]+’?'?s /);
  assert.equal(await page.locator('.waterfall [aria-live=polite]').textContent(), shown);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tapped dot is ringed and told under the diagram, with the way to its trace; a page without the trace offers none', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=300`, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  const step = page.getByRole('button', { name: 'Step', exact: true });
  for (let i = 0; i < 3; i++) await step.click();
  await page.locator('#dots').scrollIntoViewIfNeeded();
  const point = await dotInTheOpen(page, 0);
  assert.ok(point, 'dots are drawn while paused');
  await page.touchscreen.tap(point.x, point.y);
  const note = page.locator('.diagram .tapped');
  await note.filter({ hasText: /^Following request #\d+ until it finishes… Show the trace$/ }).waitFor();
  const id = Number((await note.textContent()).match(/#(\d+)/)[1]);
  assert.equal(await page.locator('#dots').getAttribute('data-followed'), String(id - 1), 'the dot is ringed');
  await screenshot(page, 'phone-tapped-dot');
  for (let i = 0; i < 40 && !(await page.getByRole('list', { name: 'Latency by hop' }).count()); i++) await step.click();
  assert.match(await note.textContent(), new RegExp(`^Request #${id} — User [A-Z]+.* Show the trace$`));
  assert.equal(await page.locator('#dots').getAttribute('data-followed'), '', 'no ring once it finished');
  await note.getByRole('button', { name: 'Show the trace' }).tap();
  await page.waitForFunction(() => document.activeElement?.id === 'waterfall-heading');
  const top = await page.evaluate(() => document.activeElement.getBoundingClientRect().top);
  assert.ok(top > -1 && top < 844, `the trace's heading is in view (${top})`);
  // A Reset ends the tap: request numbers start over, and a trace asked for with the button
  // must not be told as the tapped one, whatever its number.
  await page.getByRole('button', { name: 'Reset', exact: true }).first().tap();
  assert.equal(await note.textContent(), '');
  for (let i = 0; i < 3; i++) await step.click();
  await page.getByRole('button', { name: 'Trace next request' }).tap();
  for (let i = 0; i < 40 && !(await page.getByRole('list', { name: 'Latency by hop' }).count()); i++) await step.click();
  assert.ok(await page.getByRole('list', { name: 'Latency by hop' }).count(), 'the waterfall shows');
  assert.equal(await note.textContent(), '', 'no note for a trace the button asked for');
  await context.close();
  // Without the trace panel, a dot is not offered: the tip does not promise it.
  const bare = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=300&panel=controls,feed`, { viewport: { width: 1280, height: 800 } });
  for (let i = 0; i < 3; i++) await bare.page.getByRole('button', { name: 'Step', exact: true }).click();
  assert.equal(await bare.page.locator('.diagram-tip').textContent(), 'Click or tap a server, the cache, the session store or a database to crash or restart it.');
  const open = await dotInTheOpen(bare.page, 0);
  await bare.page.mouse.click(open.x, open.y);
  assert.equal(await bare.page.locator('.diagram .tapped').count(), 0);
  assert.equal((await bare.page.locator('#dots').getAttribute('data-followed')) ?? '', '', 'no dot ringed');
  // Nor does T trace, and the shortcuts do not list it.
  await bare.page.keyboard.press('?');
  const keys = await bare.page.getByRole('dialog', { name: 'Keyboard shortcuts' }).locator('tbody td:nth-child(2)').allTextContents();
  assert.ok(keys.includes('Step to the next tenth of a second of simulated time') && !keys.includes('Trace the next request'), keys.join(' | '));
  assert.deepEqual([...errors, ...bare.errors], []);
  await bare.context.close();
});

test('zoomed to 200 %, a tapped dot’s note is scrolled towards the window, and the dot stays in it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=300`, { viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
  await steps(page, 3);
  await page.locator('#dots').evaluate((c) => c.scrollIntoView({ block: 'start' }));
  const note = page.locator('.diagram .tapped');
  const before = await page.evaluate(() => scrollY);
  // A dot with room above it: one at the window's very top keeps the page where it is.
  const point = await dotInTheOpen(page, 0, 200);
  assert.ok(point, 'a dot in view');
  await page.mouse.click(point.x, point.y);
  await note.filter({ hasText: /^Following request #\d+/ }).waitFor();
  const scrolled = () => page.evaluate((y) => scrollY - y, before);
  await eventually(async () => (await scrolled()) > 0);
  const [bottom, by] = await Promise.all([note.evaluate((n) => n.getBoundingClientRect().bottom), scrolled()]);
  // Up to the note's foot, or as far as keeps 40 px above the dot.
  assert.ok(by > 0 && (bottom <= 400 || Math.abs(point.y - by - 40) < 1), `the note ends ${bottom} px down a 400 px window after a scroll of ${by} px`);
  assert.ok(point.y - by >= 40, `the dot, ${point.y} px down, stays in the window after a scroll of ${by} px`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a traced request its only server could not take never says it went via that server', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=2&rate=100&autoplay=0&mode=stateless&servers=1`);
  await steps(page, 25);
  await page.getByRole('button', { name: 'Crash Server 1' }).click();
  await page.getByRole('button', { name: 'Trace next request' }).click();
  for (let i = 0; i < 40 && !(await page.getByRole('list', { name: 'Latency by hop' }).count()); i++) await steps(page, 1);
  const shown = await page.locator('.waterfall > p:not(.hint):not(.visually-hidden)').textContent();
  assert.match(shown, /, failed: (Server 1 could not take it, and no other server was up|no server)\.$/, shown);
  assert.doesNotMatch(shown, /via Server 1/, shown);
  // The trip to the down server is its own row, not hidden in the network's time.
  const rows = await page.getByRole('list', { name: 'Latency by hop' }).locator('.wf-label').allTextContents();
  assert.equal(rows.includes('Down server'), /could not take it/.test(shown), rows.join(', '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the sliders, menus and data-tier buttons each change the run', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const click = (name) => page.getByRole('button', { name, exact: true }).click();
  const slide = async (label, key) => {
    await page.getByRole('slider', { name: label }).focus();
    await page.keyboard.press(key);
  };
  const textOf = (selector) => page.locator(selector).first().textContent();

  // Speed (log scale 0.1×–10×) and seed.
  await slide('Speed', 'End');
  assert.equal(await textOf('.speed output'), '10.00×');
  await slide('Speed', 'Home');
  assert.equal(await textOf('.speed output'), '0.10×');
  await page.getByLabel('Seed').fill('42');
  await page.getByLabel('Seed').press('Enter');
  await page.locator('.run-info', { hasText: 'Seed 42 ·' }).waitFor();

  // Traffic: the rate slider's maximum is the rate the run reports.
  await slide('Requests per second', 'End');
  await page.getByText('2,000 /s now').waitFor();

  // The balancer's algorithm, in stateless mode where every algorithm is allowed.
  await page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name: 'Stateless' }).check();
  await page.getByLabel('Algorithm').selectOption('least_connections');
  await page.locator('svg .node-status', { hasText: 'least connections' }).waitFor();

  // Cache, master and replicas.
  const cacheCard = page.getByRole('group', { name: 'Cache hits (10 s)' }).locator('output');
  assert.match(await cacheCard.textContent(), /^(\d+ %|–)$/);
  await click('Crash cache');
  assert.ok(await page.getByRole('button', { name: 'Restart cache' }).isEnabled());
  assert.equal(await cacheCard.textContent(), '✗ down', 'a crashed cache shows as down, not as its old ratio');
  await click('Restart cache');
  assert.ok(await page.getByRole('button', { name: 'Crash cache' }).isEnabled());
  await click('Crash master');
  assert.ok(await page.getByRole('button', { name: 'Restart master' }).isEnabled());
  await click('Restart master');
  assert.ok(await page.getByRole('button', { name: 'Crash master' }).isEnabled());
  await click('Remove Replica 2');
  await page.locator('svg text', { hasText: 'Replica 2' }).waitFor({ state: 'detached' });
  await slide('Replication lag up to', 'End');
  assert.equal(await textOf('label:has-text("Replication lag up to") output'), '5,000 ms');
  assert.deepEqual(errors, []);
  await context.close();
});

test('every box holds its text and no two boxes overlap, in English, Spanish and the projector theme', async () => {
  const queries = ['?speed=10&users=10000', '?speed=10&theme=projector', '?speed=10&lang=es', '?speed=10&servers=20&lang=es', '?speed=10&mode=stateless&lang=es'];
  // Full queues: the longest load statuses, at the projector's larger size and in Spanish.
  queries.push('?speed=10&servers=3&rate=3000&theme=projector', '?speed=10&servers=3&rate=3000&lang=es');
  for (const query of queries) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}${query}`);
    // A few simulated seconds, so statuses and session lists have their running values.
    await page.waitForFunction(() => Number(document.querySelector('.clock')?.textContent.match(/[\d.]+/)?.[0]) >= 5);
    await page.getByRole('button', { name: /^(Pause|Pausa)$/ }).click();
    if (query.includes('projector')) {
      // A replica level with the master, beside its box.
      await page.getByRole('button', { name: 'Add replica', exact: true }).click();
    }
    if (query.includes('rate=3000')) {
      assert.match(await page.locator('.diagram .server .node-status').first().textContent(), /· \d[\d,]+ (queued|en cola)$/);
    }
    if (query.includes('users=10000')) {
      // Thousands of sessions per server: the names that fit, then how many more.
      assert.match(await page.locator('.diagram .node-sessions').first().textContent(), /^sessions: .+ \+\d,\d{3}$/);
      // 23 browsers drawn, and the last row counts the rest.
      assert.equal(await page.locator('.diagram g.browsers g.pc').count(), 23);
      assert.equal(await page.locator('.diagram g.browsers > text.node-status').last().textContent(), '+9,977 more');
    }
    if (query.includes('stateless')) {
      // The balancer's longest status.
      await page.locator('select:has(option[value="least_connections"])').selectOption('least_connections');
      assert.match(await page.locator('.diagram svg').textContent(), /menos conexiones/);
    }
    const problems = await page.evaluate(() => {
      const found = [];
      const boxes = [...document.querySelectorAll('.diagram svg g.node')].map((g) => ({ g, box: g.querySelector('rect').getBBox() }));
      // Browsers, DNS, CDN, origin, balancer, three servers, store, cache, master, replicas.
      if (boxes.length < 12) found.push(`only ${boxes.length} boxes were measured`);
      for (const { g, box } of boxes) {
        for (const text of g.querySelectorAll('text')) {
          if (getComputedStyle(text).display === 'none' || !text.textContent) continue;
          const b = text.getBBox();
          if (b.x < box.x || b.x + b.width > box.x + box.width) found.push(`"${text.textContent}" runs out of its box`);
        }
      }
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i].box, boxes[j].box];
          if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) {
            found.push(`"${boxes[i].g.textContent.trim().slice(0, 20)}" overlaps "${boxes[j].g.textContent.trim().slice(0, 20)}"`);
          }
        }
      }
      return found;
    });
    assert.deepEqual(problems, [], query);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a dense server stack has a heading, and the pointer names the bar under it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?servers=64&autoplay=0`);
  await page.getByRole('button', { name: 'Crash Server 2', exact: true }).click();
  assert.equal(await page.locator('.diagram .stack-label').textContent(), 'Web servers: 63 of 64 taking traffic');
  await page.locator('#dots').scrollIntoViewIfNeeded();
  const canvas = await page.locator('#dots').boundingBox();
  const scale = canvas.width / 1280;
  // Server 2's bar: the second of 64 slots between y = 40 and 560, at x = 635.
  const step = (560 - 40) / 64;
  await page.mouse.move(canvas.x + 635 * scale, canvas.y + (40 + step * 1.5) * scale);
  await page.waitForFunction(() => document.querySelector('#dots').getAttribute('title') === 'Server 2 — crashed');
  await page.mouse.move(canvas.x + 10 * scale, canvas.y + 10 * scale);
  await page.waitForFunction(() => !document.querySelector('#dots').hasAttribute('title'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone the swipe hint shows until the diagram is scrolled to its end', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 390, height: 844 } });
  const hint = page.locator('.scroll-hint');
  assert.ok(await hint.isVisible(), 'the hint shows at first');
  const scrollTo = (where) => page.locator('figure.diagram').evaluate((f, w) => { f.scrollLeft = w === 'end' ? f.scrollWidth : 0; }, where);
  await scrollTo('end');
  await page.waitForFunction(() => document.querySelector('figure.diagram').classList.contains('at-end'));
  assert.ok(!(await hint.isVisible()), 'the cache and the databases are in view: no hint');
  await scrollTo('start');
  await page.waitForFunction(() => !document.querySelector('figure.diagram').classList.contains('at-end'));
  assert.ok(await hint.isVisible(), 'back at the start, the hint again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone only the drawing scrolls: the caption and the legend stay in view', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 390, height: 844 } });
  const figure = page.locator('figure.diagram');
  await figure.evaluate((f) => { f.scrollLeft = f.scrollWidth; });
  await page.waitForFunction(() => document.querySelector('figure.diagram').classList.contains('at-end'));
  const frame = await figure.boundingBox();
  for (const sel of ['#diagram-caption', '.diagram .legend']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box.x >= frame.x && box.x + box.width <= frame.x + frame.width + 1, `${sel} at ${box.x}–${box.x + box.width}, frame ${frame.x}–${frame.x + frame.width}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

for (const [lang, viewport, theme, part] of [['en', { width: 390, height: 844 }, 'light', 'Replica 2'], ['es', { width: 390, height: 844 }, 'light', 'Réplica 1'], ['en', { width: 800, height: 500 }, 'projector', 'Replica 1']]) {
  test(`a menu by the diagram's edge stays inside it (${lang}, ${viewport.width} px, ${theme})`, async () => {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&lang=${lang}&theme=${theme}`, { viewport });
    const figure = page.locator('figure.diagram');
    await figure.evaluate((f) => { f.scrollIntoView(); f.scrollLeft = f.scrollWidth; });
    const key = page.locator('.part-keys button', { hasText: part });
    await key.focus();
    await key.press('Enter');
    const menu = page.getByRole('dialog', { name: new RegExp(`^${part} — `) });
    await menu.waitFor();
    const [m, frame] = [await menu.boundingBox(), await figure.boundingBox()];
    assert.ok(m.x >= frame.x && m.x + m.width <= frame.x + frame.width, `menu ${m.x}–${m.x + m.width}, frame ${frame.x}–${frame.x + frame.width}`);
    for (const button of await menu.getByRole('button').all()) {
      const b = await button.boundingBox();
      assert.ok(b.x >= frame.x && b.x + b.width <= frame.x + frame.width, `${await button.textContent()} is cut off`);
    }
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('a misroute after the lab shrank sends the user its menu shows', async () => {
  // The tour has 500 users (the menu lists 200); Reset goes back to the page's 24.
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&scenario=auto-scaling&mode=stateless`);
  const menu = page.getByRole('combobox', { name: 'Misroute', exact: true });
  const options = () => menu.evaluate((s) => s.options.length);
  await page.waitForFunction(() => document.querySelectorAll('.system-controls option[value="150"]').length === 1);
  await menu.selectOption({ index: 150 });
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.waitForFunction(() => !document.querySelector('.system-controls option[value="150"]'));
  assert.equal(await options(), 24);
  assert.equal(await menu.evaluate((s) => s.selectedOptions[0].textContent), 'User A');
  await page.getByRole('button', { name: 'Misroute user' }).click();
  await page.locator('.feed-lines li', { hasText: "You: send User A's next request to another server." }).waitFor();
  assert.doesNotMatch(await page.locator('body').textContent(), /there is no User/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the last serving server cannot be removed, from the panel or its menu, and both say why', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&servers=2`);
  const remove = (n) => page.getByRole('button', { name: `Remove Server ${n}`, exact: true });
  assert.ok(await remove(1).isEnabled());
  await page.getByRole('button', { name: 'Crash Server 2', exact: true }).click();
  // Server 2 is down, so Server 1 is the last one serving; a crashed one may still go.
  // Off, but focusable: a keyboard reaches it and hears why, and a press says why too.
  await page.waitForFunction(() => document.querySelector('.server-controls li button:nth-of-type(3)')?.getAttribute('aria-disabled') === 'true');
  assert.ok(await remove(2).isEnabled());
  await remove(1).focus();
  await page.keyboard.press('Enter');
  await page.locator('.toolbar .notice', { hasText: 'that would leave no server to take traffic' }).waitFor();
  assert.equal(await remove(1).count(), 1, 'Server 1 is still there');
  const why = /^“Remove” is off for the last server taking traffic \(or booting to take it\): without it nothing could answer\./;
  const described = (button) => button.evaluate((b) => document.getElementById(b.getAttribute('aria-describedby') ?? '')?.textContent ?? '');
  assert.match(await described(remove(1)), why);
  assert.equal(await described(remove(2)), '');
  const key = page.locator('.part-keys button', { hasText: 'Server 1' });
  // The keys' row shows over the page, not in its flow: a mouse press elsewhere, which hides
  // it, must not move what the press is on.
  const below = async () => (await page.locator('#diagram-caption').boundingBox()).y;
  const before = await below();
  await key.focus();
  assert.equal(await below(), before);
  await key.press('Enter');
  assert.ok(await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).isDisabled());
  assert.match(await page.getByRole('dialog').locator('.part-menu-note').textContent(), why);
  await page.keyboard.press('Escape');
  // Once another server is up again, nothing needs explaining.
  await page.getByRole('button', { name: 'Restart Server 2', exact: true }).click();
  await page.locator('#remove-why').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('at the latest moment the timeline thumb is at its end, whatever the step', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&t=412000`);
  await page.locator('.scrubber output').filter({ hasText: /^0\.4 s of 0\.4 s$/ }).waitFor();
  const slider = page.getByRole('slider', { name: 'Timeline' });
  const [value, max] = await slider.evaluate((s) => [s.value, s.max]);
  assert.equal(value, max, 'the thumb sits at the end');
  // Dragged to the end, the run stays where it was rather than running past it.
  await slider.fill(max);
  await page.waitForTimeout(200);
  assert.equal(await page.locator('.scrubber output').textContent(), '0.4 s of 0.4 s');
  assert.match(await page.locator('.clock').textContent(), /t = 0\.4 s/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the live region speaks the newest loss at most every few seconds, with how many more came', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateful`);
  const live = page.locator('.feed [aria-live="polite"]');
  assert.equal(await live.count(), 1, 'one polite region');
  assert.equal(await page.locator('.feed-lines[aria-live]').count(), 0, 'the list itself is not live');
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  // In one task, so the region's first words cover all ten steps.
  await steps(page, 10);
  await page.waitForFunction(() => document.querySelector('.feed [aria-live="polite"]').textContent.length > 0, null, { timeout: 5_000 });
  const said = await live.textContent();
  const lines = await page.locator('.feed-lines li').allTextContents();
  assert.ok(lines.length > 1, 'a crash narrates several lines');
  assert.match(said, /And \d+ more events?\.$/, said);
  assert.ok(lines.some((l) => said.startsWith(l)), `it speaks one of the feed's lines: ${said}`);
  assert.match(said, /logged out/, 'of a busy moment, the logouts');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the live region speaks a loss at once, even just after other news, and not again what only repeats with new figures', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateless&seed=1&speed=1`);
  // Every change of the region, with the page's clock.
  await page.evaluate(() => {
    const live = document.querySelector('.feed [aria-live="polite"]');
    window.heard = [];
    new MutationObserver(() => live.textContent && window.heard.push([performance.now(), live.textContent])).observe(live, { childList: true, subtree: true, characterData: true });
  });
  const heard = () => page.evaluate(() => window.heard);
  await sessionMode(page, 'Stateful').check();
  await eventually(async () => (await heard()).length > 0);
  const crashed = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  await eventually(async () => (await heard()).some(([, text]) => /logged out/.test(text)));
  const [at] = (await heard()).find(([, text]) => /logged out/.test(text));
  assert.ok(at - crashed < 2_000, `the logouts were heard ${Math.round(at - crashed)} ms after the crash`);
  // A spike overloads the servers: their 503s, every few seconds, are one piece of news.
  await page.getByRole('button', { name: 'Restart Server 1', exact: true }).click();
  await page.getByRole('button', { name: 'Spike', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForTimeout(12_000);
  const said = (await heard()).filter(([t]) => t > at);
  const shape = (text) => text.replace(/ And \d+ more events?\.$/, '').replace(/\d/g, '');
  assert.ok(said.some(([, text]) => /failed/.test(text)), `the failures are heard: ${JSON.stringify(said)}`);
  for (let i = 1; i < said.length; i++) {
    const again = said.slice(0, i).find(([t, text]) => shape(text) === shape(said[i][1]) && said[i][0] - t < 20_000);
    assert.ok(!again, `heard twice within 20 s: ${JSON.stringify(said)}`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('the live region counts every line it did not speak, beyond the ones the feed keeps', async () => {
  // 40 servers: the logged-out users log back in all over, and only a second's logins to one
  // server share a line.
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?users=3000&servers=40&rate=1000&autoplay=0&mode=stateful`);
  const live = page.locator('.feed [aria-live="polite"]');
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  // News after a quiet spell is spoken at once: the crash's logouts.
  await page.waitForFunction(() => /logged out/.test(document.querySelector('.feed [aria-live="polite"]').textContent), null, { timeout: 2_000 });
  const first = await live.textContent();
  // 30 s of the run in one task (S, 300 times), so every line is in before the region speaks
  // again, however slow the machine: the logged-out users logging back in.
  await steps(page, 300);
  await page.waitForFunction((first) => document.querySelector('.feed [aria-live="polite"]').textContent !== first, first, { timeout: 8_000 });
  const said = await live.textContent();
  const more = Number(said.match(/And (\d+) more events?\.$/)?.[1] ?? 0);
  // A busy lab narrates far more than 60 lines in the seconds between two announcements.
  assert.ok(more >= 60, said);
  assert.equal(await page.locator('.feed-lines li').count(), 60, 'the feed keeps its last 60 lines');
  // A reset run has no such past: the region says nothing of it any more.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('.feed [aria-live="polite"]').textContent === '', null, { timeout: 2_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a crash that logs out many users tells it in one line, under its cause', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateful&users=200`);
  for (let i = 0; i < 10; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  const lines = page.locator('.feed-lines li');
  await lines.filter({ hasText: 'users are logged out' }).first().waitFor();
  const all = await lines.allTextContents();
  const logouts = all.filter((l) => /logged out/.test(l));
  assert.equal(logouts.length, 1, logouts.join('\n'));
  const [, n, named, more] = logouts[0].match(/\] (\d+) users are logged out \(((?:[A-Z]+, ){7}[A-Z]+) and (\d+) more\): Server 1 crashed/);
  assert.equal(Number(n), 8 + Number(more));
  assert.equal(new Set(named.split(', ')).size, 8);
  // Every one of them is on the card, and the crash and its lost sessions keep their lines.
  assert.equal(await page.getByRole('group', { name: 'Users logged out' }).locator('output').textContent(), n);
  assert.ok(all.some((l) => l.endsWith('Server 1 crashed.')), all.join('\n'));
  assert.ok(all.some((l) => l.endsWith(`${n} sessions vanished with Server 1's memory.`)), all.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('an overload tells its failures in a few lines, under the spike that caused them', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?mode=stateless&speed=10&autoplay=0`, { acceptDownloads: true });
  await page.getByRole('button', { name: 'Spike', exact: true }).click();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  // Until more requests failed than the log keeps events (2,000): the spike's own line is
  // long gone from the recent events.
  await page.waitForFunction(() => {
    const card = [...document.querySelectorAll('.card')].find((c) => c.textContent.startsWith('Failed requests'));
    return Number(card?.querySelector('output').textContent.replace(/,/g, '')) > 2_500;
  }, null, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const feed = await page.locator('.feed li').allTextContents();
  const grouped = feed.filter((l) => /\] \d+ requests failed at Server \d: /.test(l));
  assert.ok(grouped.length > 0, feed.join('\n'));
  assert.ok(feed.some((l) => l.includes('You: spike the traffic.')), `the cause is still told:\n${feed.join('\n')}`);
  // The export keeps the learner's action too, whatever the failures that followed.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download events (JSON lines)', exact: true }).click()]);
  const events = (await readFile(await download.path(), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const failed = await card(page, 'Failed requests');
  assert.ok(failed > 2000, `more failures (${failed}) than the log keeps`);
  assert.ok(events.some((e) => e.kind === 'request_failed'), 'the latest failures are in the file');
  assert.ok(events.some((e) => e.kind === 'command' && /spike/.test(e.text ?? JSON.stringify(e))), 'the spike is in the file');
  assert.deepEqual(errors, []);
  await context.close();
});

test('more traffic than a frame can compute slows the run down, says so, and leaves the page responsive', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?rate=1000000&speed=10`);
  const slowed = page.locator('.toolbar .slowed');
  await slowed.filter({ hasText: /^Running at \d+\.\d+×: this much traffic takes longer to compute than a frame allows\.$/ }).waitFor({ timeout: 30_000 });
  const reached = Number((await slowed.textContent()).match(/^Running at ([\d.]+)×/)[1]);
  assert.ok(reached < 10, `it says how fast it really goes: ${reached}×`);
  // Each frame keeps to its budget, so a click is answered within a frame or two, not seconds.
  await page.getByRole('button', { name: 'Pause', exact: true }).click({ timeout: 2_000 });
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: 2_000 });
  await page.waitForFunction(() => document.querySelector('.toolbar .slowed').textContent === '', null, { timeout: 2_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('frames too far apart for the speed set (a slow device) slow the clock, and the page says so and why', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&speed=1`);
  // Each frame is held for 150 ms, as a slow phone's would be: more than a frame may cover.
  await page.evaluate(() => {
    window.slowFrames = true;
    const hold = () => {
      const end = performance.now() + 150;
      while (performance.now() < end);
      if (window.slowFrames) requestAnimationFrame(hold);
    };
    requestAnimationFrame(hold);
  });
  const slowed = page.locator('.toolbar .slowed');
  await slowed.filter({ hasText: /^Running at 0\.\d+×: this device draws too few frames a second for the speed set\.$/ }).waitFor({ timeout: 30_000 });
  await page.evaluate(() => { window.slowFrames = false; });
  await page.waitForFunction(() => document.querySelector('.toolbar .slowed').textContent === '', null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare view under more traffic than a tick can compute slows down, says so, and stays responsive', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&rate=1000000&speed=10`);
  const slowed = page.locator('.compare .toolbar .slowed');
  await slowed.filter({ hasText: /^Running at \d+\.\d+×: this much traffic takes longer to compute than a frame allows\.$/ }).waitFor({ timeout: 30_000 });
  const reached = Number((await slowed.textContent()).match(/^Running at ([\d.]+)×/)[1]);
  assert.ok(reached < 10, `it says how fast it really goes: ${reached}×`);
  assert.ok(reached >= 0.1, `half of each tick goes to the panes, not a crawl: ${reached}×`);
  const pause = page.locator('.compare').getByRole('button', { name: 'Pause', exact: true });
  await pause.click({ timeout: 2_000 });
  await page.locator('.compare').getByRole('button', { name: 'Play', exact: true }).waitFor({ timeout: 2_000 });
  await page.waitForFunction(() => document.querySelector('.compare .toolbar .slowed').textContent === '', null, { timeout: 2_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the errors chart never says no request failed while the card counts a failure', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&autoplay=0`);
  for (let i = 0; i < 80; i++) await page.keyboard.press('s');
  await page.getByRole('button', { name: 'Misroute user' }).click();
  const legend = page.locator('figure.chart', { has: page.getByText('Errors by reason', { exact: true }) }).locator('.chart-legend');
  let seen = 0;
  for (let i = 0; i < 30 && (seen = await card(page, 'Failed requests')) === 0; i++) await page.keyboard.press('s');
  assert.ok(seen > 0, 'the misrouted request failed');
  // Checked at once, inside the second of the failure, and at every step to the second's end.
  for (let i = 0; i < 12; i++) {
    assert.doesNotMatch(await legend.textContent(), /No request failed in the last minute/);
    await page.keyboard.press('s');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('a box stops being outlined as failing soon after it recovers, at any speed', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=6&mode=stateless&autoplay=0&rate=60`);
  await steps(page, 30);
  await page.getByRole('button', { name: 'Crash session store' }).click();
  const store = page.locator('.stage g.node', { hasText: 'Session store' });
  const failing = async () => /\bfailing\b/.test(await store.getAttribute('class'));
  for (let i = 0; i < 30 && !(await failing()); i++) await page.keyboard.press('s');
  assert.ok(await failing(), 'requests fail at the store while it is down');
  await page.getByRole('button', { name: 'Restart session store' }).click();
  // Two simulated seconds, stepped faster than the page's own 1.4 s flash.
  await steps(page, 20);
  assert.equal(await failing(), false, 'the store is up and answering again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a pause keeps a failure outlined however long it lasts, and a step after it ages it by the run’s clock only', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&mode=stateful&autoplay=0&rate=100`);
  await steps(page, 30);
  await page.getByLabel('Misroute').selectOption({ label: 'User A' });
  await page.getByRole('button', { name: 'Misroute user' }).click();
  const failing = page.locator('.stage g.node.failing');
  for (let i = 0; i < 40 && !(await failing.count()); i++) await page.keyboard.press('s');
  assert.equal(await failing.count(), 1, 'User A’s stray request failed at one server');
  const server = async (nodes) => (await nodes.first().textContent()).match(/^Server \d+/)?.[0];
  const where = await server(failing);
  assert.ok(where, 'a server box');
  // Longer than the 1.4 s flash, paused, as a presenter explains what happened.
  await page.waitForTimeout(2_000);
  await page.keyboard.press('s');
  assert.equal(await server(failing), where, 'still outlined a tenth of a second later');
  await steps(page, 15);
  assert.equal(await failing.count(), 0, 'gone 1.5 simulated seconds later');
  assert.deepEqual(errors, []);
  await context.close();
});

test('charts write large figures as the cards do, and their axis top in full', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=2&rate=200000&autoplay=0`);
  await steps(page, 20);
  const chart = page.locator('figure.chart', { has: page.getByText('Throughput', { exact: true }) });
  const top = await chart.locator('text.tick').first().textContent();
  assert.match(top, /^\d+(k|M)$/, top);
  const legend = await chart.locator('.chart-legend').textContent();
  assert.match(legend, /\d{1,3},\d{3}\/s/, legend);
  assert.doesNotMatch(legend, /\d{4}/, legend);
  assert.doesNotMatch(await chart.locator('svg[role=img]').getAttribute('aria-label'), /\d{4}/);
  // A share's axis is the whole: a few per cent busy is drawn near the floor, not at the top.
  const busy = page.locator('figure.chart', { has: page.getByText('How busy the servers are', { exact: true }) });
  assert.equal(await busy.locator('text.tick').first().textContent(), '100 %');
  assert.deepEqual(errors, []);
  await context.close();
});

test('with no request yet, DNS and the CDN say so rather than 0 %, and one user is one', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&rate=0&users=1&autoplay=0`);
  await steps(page, 20);
  const status = (name) => page.locator('.stage g.node', { hasText: name }).locator('.node-status').textContent();
  assert.equal(await status('DNS'), 'no requests yet');
  assert.equal(await status('CDN edge'), 'no files asked yet');
  assert.match(await page.locator('#diagram-caption').textContent(), /logged in: [01] of 1 user\. /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the glossary, opened from the mode note, explains the words the page uses, and Spike says what it does', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const terms = page.locator('.glossary dt');
  assert.equal(await terms.first().isVisible(), false, 'closed until asked for');
  // The mode note, whose words are the first a newcomer meets, opens it.
  await page.getByRole('button', { name: 'What do these words mean?' }).click();
  assert.equal(await page.evaluate(() => document.activeElement.closest('.glossary') !== null), true);
  assert.equal(await terms.count(), 16);
  // Space on its toggle closes it, as on a button, and does not play the run.
  await page.keyboard.press(' ');
  assert.equal(await terms.first().isVisible(), false);
  assert.ok(await page.getByRole('button', { name: 'Play', exact: true }).isVisible(), 'still paused');
  await page.keyboard.press(' ');
  for (const term of ['Session', 'Sticky sessions and hashing', 'Latency p50, p95, p99', 'Replication lag and stale reads']) {
    assert.ok(await page.locator('.glossary dt').getByText(term, { exact: true }).isVisible(), term);
  }
  const spike = page.getByRole('button', { name: 'Spike', exact: true });
  const hint = await page.locator(`#${await spike.getAttribute('aria-describedby')}`).textContent();
  assert.equal(hint, 'Spike: 5× the set rate, and at least 1,500 requests/s, for 30 s.');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the dot layers are drawn at the screen’s pixel density, and again after a resize', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&autoplay=0`, { viewport: { width: 1600, height: 900 }, deviceScaleFactor: 2 });
  await page.keyboard.press('s');
  const pixels = () => page.evaluate(() => ['dots', 'plates'].map((id) => {
    const c = document.getElementById(id);
    return [c.width, c.height, c.getBoundingClientRect().width];
  }));
  for (const [w, h, shown] of await pixels()) {
    assert.ok(Math.abs(w - shown * 2) <= 2, `${w} pixels for ${shown} CSS px at density 2`);
    assert.equal(Math.round(h * 1280 / w), 580, 'the drawing keeps its proportions');
  }
  // Paused, no frame follows the resize: the layers must be sized again all the same.
  await page.setViewportSize({ width: 1000, height: 800 });
  const fitted = ([w, , shown]) => Math.abs(w - Math.max(shown * 2, 1280)) <= 2;
  await page.waitForFunction(() => ['dots', 'plates'].every((id) => {
    const c = document.getElementById(id);
    return Math.abs(c.width - Math.max(c.getBoundingClientRect().width * 2, 1280)) <= 2;
  }), null, { timeout: 5000 }).catch(() => {});
  for (const layer of await pixels()) assert.ok(fitted(layer), `${layer[0]} pixels for ${layer[2]} CSS px after the resize`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a busy database shows its connections in use and the queries waiting, in the diagram and in words beside its buttons', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=replicas&step=3&speed=1`);
  await page.getByText(/^Step 3 of 4 \(Stateless mode\)$/).waitFor();
  const row = page.locator('.replicas li').filter({ hasText: 'Replica 1' }).locator('.db-load');
  assert.match(await row.textContent(), /^\d\/8 busy · \d+ waiting$/);
  await page.locator('fieldset.prediction').getByRole('radio').nth(1).check();
  await page.getByRole('button', { name: 'Run this step' }).click();
  // Two replicas get more reads at once than their 8 connections: some wait, now and then.
  // The words and the drawing are each watched on every frame while the step plays, as the
  // panels may follow the drawing a frame later.
  await page.waitForFunction(() => {
    const seen = (window.seenBusy ??= { words: false, drawing: false });
    seen.words ||= [...document.querySelectorAll('.replicas .db-load')].some((e) => /^8\/8 busy · [1-9]\d* waiting$/.test(e.textContent));
    seen.drawing ||= [...document.querySelectorAll('.diagram svg text')].some((e) => /^[1-9]\d* waiting$/.test(e.textContent));
    return seen.words && seen.drawing;
  }, null, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('picking a user on a phone says where the session is open, and takes the learner there', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await page.getByRole('button', { name: /^User E: / }).tap();
  const picked = page.locator('.users [role=status]');
  assert.equal(await picked.textContent(), "User E's session is open in the Session inspector; the diagram marks where it lives. Show the session");
  await picked.getByRole('button', { name: 'Show the session' }).tap();
  await page.waitForFunction(() => document.activeElement?.id === 'inspector-heading');
  const top = await page.evaluate(() => document.activeElement.getBoundingClientRect().top);
  assert.ok(top > -1 && top < 844, `the inspector's heading is in view (${top})`);
  assert.match(await page.locator('.inspector').textContent(), /User E/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a part’s menu is centred under its box, however few its buttons, on a narrow phone', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 320, height: 640 }, hasTouch: true, isMobile: true });
  const keys = page.getByRole('group', { name: 'Open the menu of' });
  await keys.getByRole('button', { name: 'Cache', exact: true }).focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('dialog', { name: 'Cache — up', exact: true });
  await menu.waitFor();
  const [m, box] = await Promise.all([
    menu.evaluate((el) => el.getBoundingClientRect().toJSON()),
    page.locator('svg g.node').filter({ hasText: /^Cache/ }).first().evaluate((el) => el.getBoundingClientRect().toJSON()),
  ]);
  const centre = (r) => r.x + r.width / 2;
  assert.ok(Math.abs(centre(m) - centre(box)) < 4, `menu ${JSON.stringify(m)}, box ${JSON.stringify(box)}`);
  // The diagram scrolled sideways so the whole menu shows, not cut at the screen's edge.
  await page.waitForFunction(() => document.activeElement?.textContent === 'Crash');
  await page.waitForFunction(() => {
    const r = document.querySelector('.part-menu').getBoundingClientRect();
    return r.left >= 0 && r.right <= innerWidth;
  }, null, { timeout: 2_000 });
  // The diagram keeps a readable scale: its text is not shrunk below 9 px on a phone.
  const size = await page.locator('svg g.node text').first().evaluate((t) => t.getBoundingClientRect().height);
  assert.ok(size >= 9, `text ${size} px high`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Play and Pause keep one width, so the controls after them never move', async () => {
  for (const lang of ['en', 'es']) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&lang=${lang}`);
    const play = page.locator('.toolbar button.play');
    const step = () => page.locator('.toolbar .playback button').nth(1).evaluate((b) => b.getBoundingClientRect().left);
    const paused = await step();
    const name = await play.textContent();
    await play.click();
    await page.waitForFunction((was) => document.querySelector('.toolbar button.play').textContent !== was, name);
    assert.equal(await step(), paused, `${lang}: Step stays where it was`);
    // The room kept for the longer word is no part of the button's name.
    assert.equal(await page.getByRole('button', { name: lang === 'en' ? 'Pause' : 'Pausa', exact: true }).count(), 1);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('the shortcuts dialog keeps Close in view in a short frame', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&controls=full`, { viewport: { width: 800, height: 500 } });
  await page.keyboard.press('?');
  const close = page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByRole('button', { name: 'Close' });
  await close.waitFor();
  const box = await close.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= 500, `Close at ${JSON.stringify(box)}`);
  await close.click();
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a card’s figure is set smaller only when it would not fit on one line', async () => {
  const sizes = (page) =>
    page.locator('.card-value').evaluateAll((all) => all.map((v) => [parseFloat(getComputedStyle(v).fontSize), v.scrollWidth, v.parentElement.clientWidth]));
  let { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&users=1000`, { viewport: { width: 1920, height: 900 } });
  const wide = await sizes(page);
  assert.ok(wide.every(([size]) => size === wide[0][0]), `room for "1,000 / 1,000" at full size: ${JSON.stringify(wide)}`);
  assert.deepEqual(errors, []);
  await context.close();
  ({ page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&users=1000&controls=minimal`, { viewport: { width: 360, height: 640 } }));
  const narrow = await sizes(page);
  const [logged] = narrow.filter(([size]) => size < narrow[0][0]);
  assert.ok(logged, `the long figure is smaller on a phone: ${JSON.stringify(narrow)}`);
  assert.ok(narrow.every(([, width, room]) => width <= room), `every figure fits its card: ${JSON.stringify(narrow)}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the session inspector’s path says where a failed request failed', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=200&seed=3`);
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  // Just after the crash, the users it logged out have a failed request as their latest.
  await steps(page, 3);
  const paths = [];
  for (const avatar of await page.locator('.avatars button.avatar').all()) {
    await avatar.click();
    paths.push(await page.locator('.inspector .path').textContent());
  }
  assert.ok(paths.some((p) => /→ Server (\d+); it failed at Server \1 \(no session\)$/.test(p)), paths.join('\n'));
  assert.ok(paths.some((p) => !/it failed at/.test(p)), 'the others were answered');
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a touch screen a tap a fingertip away from a moving dot still traces it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&rate=300`, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await steps(page, 3);
  await page.locator('#dots').scrollIntoViewIfNeeded();
  // The top edge of a dot in the open; the tap goes 18 CSS px below it, clear of any box.
  const point = await dotInTheOpen(page, 18);
  assert.ok(point, 'a dot in view');
  // The dot's centre is 5 units below its top edge: the tap lands past a mouse's 14.
  const units = 18 / point.scale - 5;
  assert.ok(units > 14, `the tap is ${units.toFixed(1)} units from the dot`);
  await page.touchscreen.tap(point.x, point.y);
  await page.getByText(/^Following request #\d+ until it finishes…$/).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a refusal far down the page shows at the window’s top too', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&servers=1`, { viewport: { width: 1280, height: 800 } });
  await page.getByRole('button', { name: 'Crash master', exact: true }).click();
  const add = page.getByRole('button', { name: 'Add replica', exact: true });
  await add.scrollIntoViewIfNeeded();
  await add.click();
  const echo = page.locator('.notice-echo');
  await echo.waitFor();
  const text = await echo.textContent();
  assert.equal(text, await page.locator('.toolbar .notice').textContent());
  assert.match(text, /master/);
  const box = await echo.boundingBox();
  assert.ok(box.y >= 0 && box.y + box.height <= 800, `in the window: ${JSON.stringify(box)}`);
  assert.equal(await echo.getAttribute('aria-hidden'), 'true', 'the line itself is what a screen reader hears');
  // Zoomed to 400 %, with the pressed button high in a 200 px window: the copy goes to the
  // window's foot, clear of the button that keeps the focus.
  await page.setViewportSize({ width: 320, height: 200 });
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Crash master', exact: true }).click();
  await add.evaluate((b) => b.scrollIntoView({ block: 'start' }));
  await add.click();
  await echo.waitFor();
  const [pressed, copy] = await page.evaluate(() => [document.activeElement, document.querySelector('.notice-echo')].map((e) => {
    const b = e.getBoundingClientRect();
    return { top: b.top, bottom: b.bottom, name: e.textContent };
  }));
  assert.equal(pressed.name, 'Add replica');
  assert.ok(copy.top >= pressed.bottom && copy.bottom <= 200, `the copy ${JSON.stringify(copy)} under the button ${JSON.stringify(pressed)}`);
  await page.setViewportSize({ width: 1280, height: 800 });
  // Where the line itself is in view, there is no copy.
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.evaluate(() => scrollTo(0, 0));
  const seed = page.getByLabel('Seed', { exact: true });
  await seed.fill('-1');
  await seed.press('Tab');
  await page.locator('.toolbar .notice', { hasText: 'The seed is a whole number from 0 to 18,446,744,073,709,551,615.' }).waitFor();
  await page.waitForTimeout(300);
  assert.ok(await page.locator('.notice-echo').isHidden());
  assert.deepEqual(errors, []);
  await context.close();
});

test('Step lands on the clock’s tenths, so one moment is one run however long Play ran', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&mode=stateful&speed=1.3`);
  await page.waitForTimeout(1_000);
  await page.keyboard.press('s');
  const clock = await page.locator('.clock').textContent();
  const tenths = Math.round(Number(clock.match(/t = ([\d.]+) s/)[1]) * 10);
  assert.ok(tenths > 1, `Play ran first: ${clock}`);
  await steps(page, 100);
  const after = await page.locator('#trace-hash').textContent();
  // The same moment reached by Step alone, from a paused start.
  const other = await openPage(lab.browser, `${lab.server.url}?seed=1&mode=stateful&autoplay=0`);
  await steps(other.page, tenths + 100);
  assert.equal(await other.page.locator('.clock').textContent(), await page.locator('.clock').textContent());
  assert.equal(await other.page.locator('#trace-hash').textContent(), after);
  assert.deepEqual(errors, []);
  await other.context.close();
  await context.close();
});

test('Spanish server rows keep their three buttons in view', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&lang=es&servers=4`);
  const rows = page.locator('.server-controls li');
  await rows.last().scrollIntoViewIfNeeded();
  for (const n of [1, 4]) {
    for (const verb of ['Tumbar', 'Reiniciar', 'Retirar']) {
      const button = page.getByRole('button', { name: `${verb} el Servidor ${n}`, exact: true });
      assert.equal(await button.textContent(), verb);
      await button.scrollIntoViewIfNeeded();
      assert.ok(await button.isVisible());
    }
  }
  const heights = await rows.evaluateAll((li) => li.map((x) => x.scrollHeight - x.clientHeight));
  assert.deepEqual(heights, [0, 0, 0, 0], 'no row clips its buttons');
  assert.deepEqual(errors, []);
  await context.close();
});

test('compare view tells a screen reader what a crash did to each side', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=1`);
  await page.getByRole('button', { name: 'Compare stateful and stateless' }).click();
  const live = page.locator('main.compare [aria-live="polite"]');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await page.waitForTimeout(2_000);
  assert.equal(await live.textContent(), '', 'nothing to tell before anyone is logged out');
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('main.compare [aria-live="polite"]').textContent !== '', null, { timeout: 5_000 });
  const said = await live.textContent();
  assert.equal(said, await page.locator('main.compare .summary').textContent());
  assert.match(said, /stateful: \d+ logouts?/i);
  assert.deepEqual(errors, []);
  await context.close();
});

test('in stateful mode each server’s row says how many sessions a crash of it would lose', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateful&seed=1`);
  const rows = page.locator('.server-controls li .served');
  const held = async () => (await rows.allTextContents()).map((t) => Number(t.match(/· (\d+) sessions?$/)?.[1]));
  const before = await held();
  assert.equal(before.reduce((a, b) => a + b, 0), 24, `the 24 users' sessions, server by server: ${before}`);
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  assert.equal(await loggedOut(page), before[0], 'the crash logged out as many users as the row said');
  await sessionMode(page, 'Stateless').check();
  assert.ok((await rows.allTextContents()).every((t) => /^\d+ served$/.test(t)), 'stateless: no server holds a session');
  assert.deepEqual(errors, []);
  await context.close();
});
