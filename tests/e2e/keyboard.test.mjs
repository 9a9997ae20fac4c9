// A whole guided tour done with the keyboard alone (Tab, Shift+Tab, Enter, Space, arrow keys),
// with the focus visible at every stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './harness.mjs';

const lab = setup();

/** Presses Tab until the focused element's text or label matches `name`; checks the focus
 *  shows at every stop on the way. */
async function tabTo(page, name) {
  for (let i = 0; i < 400; i++) {
    await page.keyboard.press('Tab');
    const focus = await page.evaluate(() => {
      const el = document.activeElement;
      const label = el?.labels?.[0]?.textContent ?? '';
      const style = el ? getComputedStyle(el) : null;
      return {
        text: `${el?.textContent ?? ''} ${label} ${el?.getAttribute('aria-label') ?? ''}`.trim(),
        visible: !!style && style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
        disabled: (el?.disabled ?? false) || el === document.body,
        what: `${el?.tagName} ${el?.type ?? ''} ${style?.outlineStyle} ${style?.outlineWidth}`,
      };
    });
    if (!focus.disabled) assert.ok(focus.visible, `focus ring visible on "${focus.text.slice(0, 40)}" (${focus.what})`);
    if (focus.text.includes(name) && !focus.disabled) return;
  }
  assert.fail(`could not reach ${name} with Tab`);
}

test('the crash-2am tour, stateless, by keyboard only', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?speed=10&autoplay=0`);
  await tabTo(page, '1. ');
  // The scenario list: arrow keys pick the fourth tour.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowDown');
  assert.match(await page.getByLabel('Scenario').inputValue(), /^3$/);
  // The tour's mode radios: Tab reaches the checked one, an arrow key moves the choice.
  await tabTo(page, 'Stateful');
  await page.keyboard.press('ArrowRight');
  assert.ok(await page.getByRole('radiogroup', { name: 'Tour mode' }).getByRole('radio', { name: 'Stateless' }).isChecked());
  await tabTo(page, 'Start tour');
  await page.keyboard.press('Enter');
  const steps = await page.getByRole('list', { name: 'Steps' }).locator('li').count();
  let passed = 0;
  for (let i = 0; i < steps; i++) {
    await page.getByText(`Step ${i + 1} of ${steps}`).waitFor();
    if (await page.locator('fieldset.prediction').count()) {
      await tabTo(page, (await page.locator('fieldset.prediction label').first().textContent()).trim());
      await page.keyboard.press('Space');
      await tabTo(page, 'Check my answer');
      await page.keyboard.press('Enter');
      await page.locator('.feedback').getByText(/^(Right|Not quite)/).waitFor();
    }
    await tabTo(page, 'Run this step');
    await page.keyboard.press('Enter');
    // The pressed button disables itself, and the page scrolls to where the step plays out:
    // the focus waits in the dock at the bottom of the window, in view, not on Back.
    await page.waitForFunction(() => document.activeElement?.textContent === 'Read the step' && document.activeElement.closest('.tour-dock'));
    const box = await page.evaluate(() => {
      const r = document.activeElement.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: innerHeight };
    });
    assert.ok(box.top >= 0 && box.bottom <= box.height, `the focused button is in view: ${JSON.stringify(box)}`);
    await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
    const verdict = (await page.locator('.checkpoint').textContent()).trim();
    assert.ok(verdict === '' || verdict.startsWith('✓'), verdict);
    passed += verdict.startsWith('✓');
    await tabTo(page, 'Next');
    await page.keyboard.press('Enter');
    // The next step's title takes the focus, so its text and Run come next.
    if (i + 1 < steps) {
      const title = await page.getByRole('list', { name: 'Steps' }).locator('li').nth(i + 1).textContent();
      await page.waitForFunction((t) => document.activeElement?.tagName === 'H3' && document.activeElement.textContent === t, title);
    }
  }
  await page.getByText(/finished \(Stateless mode\)/).waitFor();
  assert.equal(passed, 2, 'both checkpoints of the tour showed and passed');
  assert.deepEqual(errors, []);
  await context.close();
});

test('every keyboard shortcut does what the help dialog lists', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const clock = async () => Number((await page.locator('.clock').textContent()).match(/[\d.]+/)[0]);
  const button = (name) => page.getByRole('button', { name, exact: true });
  const mode = (name) => page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name });
  const state = (n) => page.locator('.server-controls li', { hasText: `Server ${n}` }).locator('.state');
  const notice = page.locator('.toolbar .notice');

  await page.keyboard.press('Space');
  await button('Pause').waitFor();
  await page.keyboard.press('Space');
  await button('Play').waitFor();

  const before = await clock();
  await page.keyboard.press('s');
  assert.ok((await clock()) > before, 'S steps the simulation');

  assert.ok(await mode('Stateful').isChecked());
  await page.keyboard.press('m');
  assert.ok(await mode('Stateless').isChecked(), 'M switches the session mode');

  await page.keyboard.press('a');
  await button('Crash Server 4').waitFor();

  // Digits are the numbers on screen, also once a server before them is gone.
  await button('Remove Server 2').click();
  await page.keyboard.press('3');
  await state(3).filter({ hasText: /^crashed$/ }).waitFor();
  assert.equal(await state(1).textContent(), 'healthy', 'only Server 3 crashed');
  await page.keyboard.press('9');
  await notice.filter({ hasText: /^There is no server number 9 on screen\.$/ }).waitFor();

  await page.keyboard.press('t');
  for (let i = 0; i < 40 && !(await page.getByRole('list', { name: 'Latency by hop' }).count()); i++) await page.keyboard.press('s');
  assert.ok(await page.getByRole('list', { name: 'Latency by hop' }).count(), 'T traces the next request');

  await page.keyboard.press('r');
  assert.equal(await clock(), 0, 'R resets the run');
  assert.equal(await button('Crash Server 4').count(), 0);

  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  // It opens on its title, in view, even in a window too short for the whole list.
  await page.setViewportSize({ width: 844, height: 390 });
  // Right after Esc, before the dialog's close event has come: ? opens it again.
  await page.keyboard.press('Escape');
  await page.keyboard.press('?');
  await page.waitForFunction(() => document.activeElement?.id === 'help-heading');
  assert.ok(await page.evaluate(() => document.activeElement.getBoundingClientRect().top >= 0), 'the title is in view');
  await page.keyboard.press('Escape');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('after a click on a radio, a checkbox or a slider the shortcuts still work, and Space is theirs only when the keyboard brought the focus', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const clock = async () => Number((await page.locator('.clock').textContent()).match(/[\d.]+/)[0]);
  const stateless = page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name: 'Stateless' });
  const scaling = page.getByRole('checkbox', { name: /^Auto-scaling/ });
  const speed = page.getByRole('slider', { name: 'Speed' });
  for (const [what, control] of [['the mode switch', stateless], ['the auto-scaling box', scaling], ['the speed slider', speed]]) {
    await control.click();
    const before = await clock();
    await page.keyboard.press('s');
    assert.ok((await clock()) > before, `S steps the run with the focus on ${what}`);
  }
  await page.keyboard.press('1');
  await page.locator('.server-controls li', { hasText: 'Server 1' }).locator('.state').filter({ hasText: /^crashed$/ }).waitFor();
  // Space on a checkbox reached with the keyboard ticks it, and does not start the run.
  assert.ok(await scaling.isChecked());
  await scaling.focus();
  assert.ok(await scaling.evaluate((b) => b.matches(':focus-visible')), 'after keys, the focus ring shows');
  await page.keyboard.press('Space');
  assert.equal(await scaling.isChecked(), false, 'Space unticked the box');
  assert.equal(await page.getByRole('button', { name: 'Play', exact: true }).count(), 1, 'the run is still paused');
  // After a mouse click, Space plays and pauses: the clicked control is not set off again.
  const servers = () => page.getByRole('button', { name: /^Crash Server \d+$/ }).count();
  const before = await servers();
  // The second time, the clicked button had the focus already, and a key was pressed since.
  for (const [added, key] of [[1, null], [2, 's']]) {
    if (key) await page.keyboard.press(key);
    await page.getByRole('button', { name: 'Add server', exact: true }).click();
    await page.getByRole('button', { name: `Crash Server ${before + added}`, exact: true }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  }
  assert.equal(await servers(), before + 2, 'one click, one server');
  await scaling.click();
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.equal(await scaling.isChecked(), true, 'the click ticked it and Space left it so');
  // A click on a box's words, not the box, counts as a click on the box.
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await page.getByText('Cache product reads', { exact: true }).click();
  assert.equal(await page.getByLabel('Cache product reads').isChecked(), false);
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Cache product reads').isChecked(), false, 'Space did not tick it again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a button that disables or removes itself hands the focus to its neighbour, not to the page', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  // The accessible name: a server row's buttons show their verb and name their server.
  const focused = () => page.evaluate(() => (document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent)?.trim() ?? '');
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Restart Server 1');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Crash Server 1');
  // Remove takes the whole replica row away: the focus goes to the group's heading, not to a
  // neighbour that a second Enter would set off.
  await page.getByRole('button', { name: 'Remove Replica 1', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Remove Replica 1', exact: true }).waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement !== document.body);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'LEGEND');
  assert.equal(await focused(), 'Database');
  // A mouse click leaves the focus to the pointer.
  await page.getByRole('button', { name: 'Crash Server 2', exact: true }).click();
  await page.waitForTimeout(50);
  assert.ok(await page.getByRole('button', { name: 'Restart Server 2', exact: true }).isEnabled(), 'the click crashed Server 2');
  assert.notEqual(await focused(), 'Restart Server 2');
  assert.deepEqual(errors, []);
  await context.close();
});

test('in compare mode the keys leave the hidden lab alone', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const before = await page.locator('#trace-hash').textContent();
  await page.getByRole('button', { name: 'Compare stateful and stateless' }).click();
  await page.getByRole('button', { name: 'Play' }).waitFor();
  for (const key of ['a', '1', 's', 'm', 'r']) await page.keyboard.press(key);
  await page.getByRole('button', { name: 'Explore the system' }).click();
  assert.equal(await page.locator('#trace-hash').textContent(), before, 'the hidden lab did not move');
  assert.equal(await page.getByRole('button', { name: 'Crash Server 4' }).count(), 0, 'no server was added');
  await page.keyboard.press('a');
  await page.getByRole('button', { name: 'Crash Server 4' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the keyboard opens a part’s menu from a row that shows only while it has the focus, and Esc comes back to it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const keys = page.getByRole('group', { name: 'Open the menu of' });
  const width = () => keys.evaluate((g) => g.getBoundingClientRect().width);
  assert.ok((await width()) <= 1, 'out of sight at first');
  const server2 = keys.getByRole('button', { name: 'Server 2', exact: true });
  await server2.focus();
  assert.ok((await width()) > 100, 'in sight while focused');
  await page.keyboard.press('Enter');
  const menu = page.getByRole('dialog', { name: 'Server 2 — healthy', exact: true });
  await menu.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Crash');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.dataset.part === 'server-1');
  // Tabbing past its last button closes it: it would hide what the focus reaches next.
  await server2.focus();
  await page.keyboard.press('Enter');
  await menu.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Crash');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Remove');
  assert.equal(await menu.count(), 1, 'open while the focus is in it');
  await page.keyboard.press('Tab');
  await menu.waitFor({ state: 'detached' });
  assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), 'BODY', 'the focus went on');
  // One menu straight to another with fewer actions (a server's three, the cache's two).
  await server2.focus();
  await page.keyboard.press('Enter');
  await menu.waitFor();
  await page.waitForFunction(() => document.activeElement?.textContent === 'Crash');
  await keys.getByRole('button', { name: 'Cache', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog', { name: 'Cache — up', exact: true }).waitFor();
  // The cache, the store and every database are there too.
  for (const name of ['Session store', 'Cache', 'Master DB', 'Replica 1', 'Replica 2']) {
    assert.equal(await keys.getByRole('button', { name, exact: true }).count(), 1, name);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('after Promote or Remove in a replica’s menu, the keyboard goes on from the master’s key', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const keys = page.getByRole('group', { name: 'Open the menu of' });
  for (const [replica, action] of [['Replica 2', 'Remove'], ['Replica 1', 'Promote to master']]) {
    await keys.getByRole('button', { name: replica, exact: true }).focus();
    await page.keyboard.press('Enter');
    const menu = page.getByRole('dialog', { name: `${replica} — up`, exact: true });
    await menu.waitFor();
    // The menu gives its first button the focus a frame after it opens: take it back after that.
    await page.waitForFunction(() => document.activeElement?.closest('.part-menu'));
    await menu.getByRole('button', { name: action, exact: true }).focus();
    await page.keyboard.press('Enter');
    await menu.waitFor({ state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.dataset.part === 'master');
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('with minimal controls the keys do only what the frame offers: playback, Reset, the mode', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?controls=minimal&title=0&autoplay=0&mode=stateful`);
  await page.locator('body').press('1');
  await page.locator('body').press('a');
  await page.locator('body').press('s');
  await page.waitForFunction(() => /[1-9]/.test(document.querySelector('.clock').textContent));
  const diagram = await page.locator('svg').first().textContent();
  assert.doesNotMatch(diagram, /Server 4|crashed/i, 'no server added or crashed');
  await page.locator('body').press('m');
  await page.getByRole('radio', { name: 'Stateless', checked: true }).waitFor();
  await page.locator('body').press('?');
  const rows = await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).locator('tbody tr').allTextContents();
  assert.equal(rows.length, 6, rows.join(' | '));
  assert.ok(!rows.some((r) => /crash|add|trace/i.test(r)), rows.join(' | '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a shortcut that disables the focused button hands the focus on, as Enter does', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const crash = page.getByRole('button', { name: 'Crash Server 2', exact: true });
  await crash.focus();
  await page.keyboard.press('2');
  await page.waitForFunction(() => document.activeElement?.getAttribute('aria-label') === 'Restart Server 2');
  assert.ok(await crash.isDisabled());
  assert.deepEqual(errors, []);
  await context.close();
});

test('when the run itself disables the focused button, the focus stays near it, not on the page', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&speed=10&servers=6&rate=5`);
  await page.getByRole('checkbox', { name: /Auto-scaling/ }).check();
  const crash = page.getByRole('button', { name: 'Crash Server 6', exact: true });
  await crash.focus();
  // Play without moving the focus: auto-scaling then stops the idle Server 6.
  await page.getByRole('button', { name: 'Play', exact: true }).evaluate((b) => b.click());
  const handle = await crash.elementHandle();
  await page.waitForFunction((b) => !b.isConnected || b.disabled, handle, { timeout: 30_000 });
  // On its partner, or on the heading of its group: never on the page itself.
  await page.waitForFunction(() => document.activeElement !== document.body, null, { timeout: 2_000 });
  const focused = await page.evaluate(() => {
    const a = document.activeElement;
    return { tag: a.tagName, text: a.textContent.trim(), disabled: a.disabled === true };
  });
  assert.ok(/^(H2|H3|LEGEND)$/.test(focused.tag) || (focused.tag === 'BUTTON' && !focused.disabled), JSON.stringify(focused));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the first Tab stop skips the diagram and the users to the server controls', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to the server controls' });
  assert.ok(await skip.evaluate((a) => a === document.activeElement && a.getBoundingClientRect().top >= 0), 'it shows when focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'servers-heading');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Crash Server 1');
  assert.equal(new URL(page.url()).hash, '', 'the link keeps the page address as it was');
  assert.deepEqual(errors, []);
  await context.close();
});

test('autoplay moves a keyboard user on with the tour, to each new step’s title', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=1&mode=stateful&speed=10`);
  await page.getByRole('checkbox', { name: 'Autoplay' }).check();
  await page.getByRole('button', { name: 'Run this step' }).focus();
  await page.keyboard.press('Enter');
  // The step runs: the focus waits in the dock; autoplay then opens step 2.
  await page.waitForFunction(() => document.activeElement?.closest('.tour-dock'), null, { timeout: 30_000 });
  await page.getByText(/^Step 2 of \d+/).waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => document.activeElement?.matches('.tour h3'), null, { timeout: 5_000 });
  assert.equal(await page.evaluate(() => document.activeElement.textContent), await page.locator('.tour h3').textContent());
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone, a part’s key brings that part of the sideways-scrolling diagram into view', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 390, height: 844 } });
  const frame = page.locator('figure.diagram');
  assert.equal(await frame.evaluate((f) => f.scrollLeft), 0);
  await page.locator('.part-keys button', { hasText: 'Replica 1' }).focus();
  await page.waitForFunction(() => document.querySelector('figure.diagram').scrollLeft > 0);
  // The replica's box is within the diagram's view.
  const inView = await page.evaluate(() => {
    const f = document.querySelector('figure.diagram').getBoundingClientRect();
    const box = [...document.querySelectorAll('.node-label')].find((t) => t.textContent === 'Replica 1').getBoundingClientRect();
    return box.left >= f.left && box.right <= f.right;
  });
  assert.ok(inView, 'Replica 1 is in the view');
  assert.deepEqual(errors, []);
  await context.close();
});

test('from the keyboard: Add server stays in view, Dismiss hands the focus to the title, and a screen reader hears units, the open tour’s restart and autoplay’s wait', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&bogus=1`, { viewport: { width: 1280, height: 800 } });
  await page.getByRole('button', { name: 'Dismiss' }).focus();
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.activeElement !== document.body);
  assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
  // Each new server's row goes in above the button: the button stays in the window.
  const add = page.getByRole('button', { name: 'Add server', exact: true });
  await add.focus();
  for (let n = 4; n <= 7; n++) {
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Crash Server ${n}`, exact: true }).waitFor();
    await page.waitForFunction(() => {
      const r = document.activeElement.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= innerHeight;
    }, null, { timeout: 2_000 });
  }
  assert.equal(await page.getByRole('slider', { name: 'Requests per second' }).getAttribute('aria-valuetext'), '20 requests per second');
  assert.match(await page.getByRole('slider', { name: 'Replication lag up to' }).getAttribute('aria-valuetext'), /^\d+ ms$/);
  // Step and Reset say the clock they leave; the clock itself, changing every frame, is silent.
  const said = page.locator('.clock + [aria-live=polite]');
  await page.keyboard.press('s');
  await page.waitForFunction(() => /^Simulated time: \d+\.\d s$/.test(document.querySelector('.clock + [aria-live=polite]').textContent));
  assert.equal((await said.textContent()).replace('Simulated time: ', 't = '), await page.locator('.clock').textContent());
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.waitForFunction(() => document.querySelector('.clock + [aria-live=polite]').textContent === 'Simulated time: 0.0 s');
  // Start tour on the open tour starts it again, and says so.
  await page.getByRole('button', { name: 'Start tour', exact: true }).click();
  await page.getByRole('button', { name: 'Restart tour', exact: true }).waitFor();
  await page.getByLabel('Scenario').selectOption({ index: 2 });
  await page.getByRole('button', { name: 'Start tour', exact: true }).waitFor();
  // With Autoplay, a step that asks waits for the answer, and a live region says so.
  await page.goto(`${lab.server.url}?autoplay=0&scenario=what-is-state&step=2`);
  await page.getByRole('checkbox', { name: /^Autoplay/ }).check();
  await page.locator('.tour [role=status].visually-hidden', { hasText: 'Autoplay waits for your answer above.' }).waitFor({ state: 'attached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('in a tour, Space after a mouse click on an answer plays and then pauses, and the dock leaves a mouse user’s focus alone', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&scenario=what-is-state&step=2`);
  await page.locator('fieldset.prediction').getByRole('radio').first().click();
  await page.keyboard.press('Space');
  await page.locator('.tour-dock').waitFor();
  await page.waitForTimeout(300);
  assert.equal(await page.evaluate(() => document.activeElement.closest('.tour-dock')), null, 'the dock did not take a mouse user’s focus');
  await page.keyboard.press('Space');
  await page.getByRole('button', { name: 'Play', exact: true }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('a screen reader hears what a shortcut did far from its button, and each control names its key', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&seed=1`);
  const said = page.locator('.toolbar [aria-live="polite"]');
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('.toolbar [aria-live="polite"]').textContent === 'Playing.');
  await page.keyboard.press(' ');
  assert.match(await said.textContent(), /^Paused at t = \d+\.\d s\.$/);
  // T while paused: nothing will come until the run goes on, and the trace's live line says so.
  await page.keyboard.press('t');
  assert.equal(
    await page.locator('.waterfall [aria-live="polite"]').textContent(),
    'Waiting for the next request: the run is paused, and it is sent once you press Play or Step.',
  );
  const keys = async (role, name) => page.getByRole(role, { name, exact: true }).getAttribute('aria-keyshortcuts');
  assert.deepEqual(
    [await keys('button', 'Play'), await keys('button', 'Step'), await keys('button', 'Reset'), await keys('radiogroup', 'Session mode'), await keys('button', 'Add server'), await keys('button', 'Crash Server 2'), await keys('button', 'Trace next request')],
    ['Space', 'S', 'R', 'M', 'A', '2', 'T'],
  );
  // Neither the speed's figure nor the lag's speaks each change: their sliders already do.
  assert.equal(await page.locator('output[aria-live="off"]').count() >= 2, true);
  await page.keyboard.press('?');
  await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).getByText(/^With a screen reader, these single keys reach the page in its focus or forms mode/).waitFor();
  await page.keyboard.press('Escape');
  // A screen reader's list of headings reaches the figures, the users and the charts.
  const headings = await page.getByRole('heading', { level: 2 }).allTextContents();
  for (const h of ['Key figures', 'Users', 'Live charts']) assert.ok(headings.includes(h), headings.join(' | '));
  // A user's button is named once: no label to read again as its description.
  const avatar = page.getByRole('button', { name: /^User A: / });
  assert.equal(await avatar.getAttribute('aria-label'), null);
  assert.match(await avatar.getAttribute('title'), /^User A: logged in/);
  assert.deepEqual(errors, []);
  await context.close();
});
