// A whole guided tour walked with real clicks, including Back: the state after Back equals the
// state when that step was first shown (same run fingerprint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, runShownStep, eventually } from './harness.mjs';

const lab = setup();

const fingerprint = (page) => page.locator('#trace-hash').textContent();

test('the wrong-server tour, stateful, walked with real clicks and Back', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?speed=10&autoplay=0`);
  await page.getByLabel('Scenario').selectOption({ index: 1 });
  await page.getByRole('radiogroup', { name: 'Tour mode' }).getByRole('radio', { name: 'Stateful' }).check();
  await page.getByRole('button', { name: 'Start tour' }).click();
  const steps = await page.getByRole('list', { name: 'Steps' }).locator('li').count();
  assert.ok((await page.locator('svg .spotlight').count()) > 0, 'the first step spotlights its components');
  // The step plays its own events: the empty feed does not ask the learner to break things.
  assert.equal(await page.locator('.feed .hint').textContent(), 'All quiet so far: what happens in this run is told here.');
  assert.ok(steps >= 2, `the tour has ${steps} steps`);
  const shown = [];
  let checked = 0;
  for (let i = 0; i < steps; i++) {
    await page.getByText(`Step ${i + 1} of ${steps}`).waitFor();
    shown.push(await fingerprint(page));
    await runShownStep(page, 60_000);
    const verdict = page.locator('.checkpoint');
    if (await verdict.count() && (await verdict.textContent()).trim()) {
      assert.match(await verdict.textContent(), /^✓/, `step ${i + 1}: ${await verdict.textContent()}`);
      checked += 1;
    }
    await page.getByRole('button', { name: 'Next', exact: true }).click();
  }
  await page.getByText(/finished/).waitFor();
  // Steps 2 and 3 check the stray request's logout and its cost, each on the measured run.
  assert.equal(checked, 2, 'both checkpoints were shown and passed');
  for (let i = steps; i >= 1; i--) {
    await page.getByRole('button', { name: 'Back', exact: true }).click();
    await page.getByText(`Step ${i} of ${steps}`).waitFor();
    assert.equal(await fingerprint(page), shown[i - 1], `after Back, step ${i} is exactly as first shown`);
  }
  assert.deepEqual(errors, []);
  await context.close();
});

test('Next from the last step, from the keyboard, puts the tour’s end in focus', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=3&mode=stateful&autoplay=0&speed=10`);
  await page.getByText(/^Step 3 of 3/).waitFor();
  await runShownStep(page, 60_000);
  await page.locator('.tour').getByRole('button', { name: 'Next', exact: true }).focus();
  await page.keyboard.press('Enter');
  await page.getByText(/finished \(Stateful mode\)$/).waitFor();
  await page.waitForFunction(() => document.activeElement?.matches('.tour .progress'));
  // A heading, which a screen reader reads where the focus lands; not a nameless status line.
  assert.equal(await page.getByRole('heading', { level: 3, name: /^A crash at 2 am — finished/ }).count(), 1);
  assert.match(await page.evaluate(() => document.activeElement.textContent), /^A crash at 2 am — finished/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Play on a step that waits runs the step, script and verdict included', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0&speed=10`);
  await page.getByText(/^Step 2 of \d+ \(Stateful mode\)$/).waitFor();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
  assert.match(await page.locator('.checkpoint').textContent(), /^✓/);
  // The step's action is the tour's, not the learner's.
  assert.match(await page.locator('.feed').textContent(), /The tour: crash Server 1\./);
  assert.doesNotMatch(await page.locator('.feed').textContent(), /You: /);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a long step plays fast enough to end in about 20 s and says how long is left', async () => {
  // Step 3 of the cache tour is four simulated minutes of warm-up.
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=cache&step=3&autoplay=0`);
  await page.getByText(/^Step 3 of \d+/).waitFor();
  assert.equal(await page.locator('label.speed output').textContent(), '0.20×');
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.locator('.dock-verdict').filter({ hasText: /about \d+ s left$/ }).waitFor();
  assert.equal(await page.locator('label.speed output').textContent(), '10.00×');
  const left = Number((await page.locator('.dock-verdict').textContent()).match(/about (\d+) s left/)[1]);
  assert.ok(left >= 1 && left <= 24, `${left} s left`);
  // The readouts above are the claim; a loaded machine may take longer than 24 s to compute it.
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 180_000 });
  assert.match(await page.locator('.checkpoint').textContent(), /^✓/);
  assert.equal(await page.locator('label.speed output').textContent(), '0.20×', 'back to the speed the learner had');
  assert.deepEqual(errors, []);
  await context.close();
});

test('leaving a long step while it runs puts the speed back, as its end does', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=cache&step=3&autoplay=0`);
  await page.getByText(/^Step 3 of \d+/).waitFor();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.locator('.dock-verdict').filter({ hasText: /about \d+ s left$/ }).waitFor();
  assert.equal(await page.locator('label.speed output').textContent(), '10.00×');
  await page.locator('.tour').getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText(/^Step 4 of \d+/).waitFor();
  assert.equal(await page.locator('label.speed output').textContent(), '0.20×', 'the next step does not play at the last one’s pace');
  assert.deepEqual(errors, []);
  await context.close();
});

test('picking another tour while one is open says what Start will do and what the steps below are', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateless&autoplay=0`);
  const select = page.getByLabel('Scenario');
  const pending = page.locator('.tour .choice-pending');
  assert.equal(await pending.textContent(), '');
  const cache = await select.locator('option', { hasText: 'The cache' }).getAttribute('value');
  await select.selectOption(cache);
  assert.equal(
    await pending.textContent(),
    'Start tour opens “The cache” in the Tour mode chosen here; until then the steps below are those of “A crash at 2 am”.',
  );
  await page.getByText(/^Step 2 of 3 \(Stateless mode\)$/).waitFor();
  await select.selectOption(await select.locator('option', { hasText: 'A crash at 2 am' }).getAttribute('value'));
  assert.equal(await pending.textContent(), '');
  // Back on the open tour, Tour mode shows the mode its steps run in.
  assert.ok(await page.getByRole('radiogroup', { name: 'Tour mode' }).getByRole('radio', { name: 'Stateless' }).isChecked(), 'not the tour’s first mode');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a finished step keeps the verdict it ended with when the learner plays on', async () => {
  // At its end, step 2 of the auto-scaling tour has scaled up to 5 healthy servers; played on
  // after the spike, the auto-scaler scales back down below the step's "at least 4".
  const url = `${lab.server.url}?scenario=auto-scaling&step=2&mode=stateless&speed=10&autoplay=0`;
  const { page, errors, context } = await openPage(lab.browser, url);
  await runShownStep(page, 60_000);
  const verdict = await page.locator('.checkpoint').textContent();
  assert.match(verdict, /^✓/);
  const clock = () => page.locator('.clock').textContent().then((t) => Number(t.match(/[\d.]+/)[0]));
  const end = await clock();
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.waitForFunction((end) => Number(document.querySelector('.clock').textContent.match(/[\d.]+/)[0]) > end + 60, end, { timeout: 60_000 });
  assert.equal(await page.locator('.checkpoint').textContent(), verdict);
  // The dock shows the measured figures after the mark, the whole verdict in its tooltip.
  const docked = await page.locator('.dock-verdict').textContent();
  assert.ok(docked.startsWith('✓ ') && verdict.endsWith(`: ${docked.slice(2)}`), `${docked} | ${verdict}`);
  assert.equal(await page.locator('.dock-verdict').getAttribute('title'), verdict);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the dock never covers the keyboard’s focus nor the end of the page', async () => {
  for (const viewport of [{ width: 1280, height: 800 }, { width: 600, height: 800 }, { width: 390, height: 844 }]) {
    const url = `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&speed=10&autoplay=0`;
    const { page, errors, context } = await openPage(lab.browser, url, { viewport });
    await runShownStep(page, 60_000);
    const dock = page.locator('.tour-dock');
    await dock.waitFor();
    // Every focus stop outside the dock, Tab by Tab from the top, ends clear of it.
    const under = await page.evaluate(async () => {
      const dock = document.querySelector('.tour-dock');
      const stops = [...document.querySelectorAll('button, input, select, textarea, a[href], [tabindex="0"]')].filter(
        (el) => !dock.contains(el) && !el.disabled && el.getClientRects().length > 0,
      );
      const hidden = [];
      for (const el of stops) {
        el.focus();
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
        const b = el.getBoundingClientRect();
        const d = dock.getBoundingClientRect();
        if (document.activeElement === el && b.width > 2 && b.bottom > d.top && b.top < d.bottom) hidden.push(el.textContent || el.outerHTML.slice(0, 40));
      }
      return { hidden, count: stops.length };
    });
    assert.ok(under.count > 50, `${under.count} focus stops`);
    assert.deepEqual(under.hidden, [], `${viewport.width} px: focus under the dock`);
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    const last = await page.getByRole('button', { name: 'Keyboard shortcuts' }).boundingBox();
    assert.ok(last.y + last.height <= (await dock.boundingBox()).y, `${viewport.width} px: the page's end clears the dock`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('in a frame narrower than the diagram, running a step brings its spotlit parts into view', async () => {
  const url = `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&controls=minimal&title=0&autoplay=0`;
  const { page, errors, context } = await openPage(lab.browser, url, { viewport: { width: 320, height: 400 } });
  const outside = () =>
    page.evaluate(() => {
      const view = document.querySelector('figure.diagram').getBoundingClientRect();
      return [...document.querySelectorAll('figure.diagram .spotlight')]
        .map((el) => el.getBoundingClientRect())
        .filter((b) => b.left < view.left || b.right > view.right).length;
    });
  assert.ok((await outside()) > 0, 'before the run a spotlit part is out of view');
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.waitForFunction(() => document.querySelector('figure.diagram').scrollLeft > 0);
  assert.equal(await outside(), 0, 'every spotlit part is in view');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a scenario and step in the URL open that tour step, and Copy link reproduces it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateless`);
  await page.getByText(/^Step 2 of \d+ \(Stateless mode\)$/).waitFor();
  const shown = await fingerprint(page);
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByLabel('Link to this exact moment').inputValue();
  assert.match(link, /scenario=crash-2am&step=2&mode=stateless/);
  const again = await openPage(lab.browser, link);
  await again.page.getByText(/^Step 2 of \d+ \(Stateless mode\)$/).waitFor();
  assert.equal(await fingerprint(again.page), shown);
  assert.deepEqual([...errors, ...again.errors], []);
  await again.context.close();
  await context.close();
});

test('controls follow the tour: the lag slider shows the step’s lag, and Reset leaves the tour', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=replicas&step=3&autoplay=0`);
  await page.getByText(/^Step 3 of \d+ \(Stateless mode\)$/).waitFor();
  const lag = page.getByRole('slider', { name: 'Replication lag' });
  assert.equal(await lag.inputValue(), '3000', 'step 2 raised the lag to 1–3 s');
  assert.match(await lag.locator('xpath=..').locator('output').textContent(), /^3,000 ms$/);
  // Steps 1 and 2 ran 10 + 30 s: the timeline says where the run is and how far it goes.
  assert.equal(await page.locator('.scrubber output').textContent(), '40.0 s of 40.0 s');
  assert.equal(await page.getByRole('slider', { name: 'Timeline' }).getAttribute('aria-valuetext'), '40.0 s of 40.0 s', 'a screen reader hears the same');
  // Inside a tour the steps and Back move through time: the timeline waits, and says so.
  assert.ok(await page.getByRole('slider', { name: 'Timeline' }).isDisabled());
  await page.getByText(/^During a tour, its steps and Back move through time/).waitFor();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('list', { name: 'Steps' }).waitFor({ state: 'detached' });
  assert.equal(await page.getByRole('button', { name: 'Run this step' }).count(), 0);
  assert.ok(await page.getByRole('slider', { name: 'Timeline' }).isEnabled(), 'out of the tour, the timeline works');
  await page.getByRole('button', { name: 'Copy link' }).click();
  assert.doesNotMatch(await page.getByLabel('Link to this exact moment').inputValue(), /scenario=/, 'the link no longer names the tour');
  assert.deepEqual(errors, []);
  await context.close();
});

test('inside a tour only Tour mode changes the mode, and it reruns the step in the new mode', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=2&mode=stateless&autoplay=0`);
  await page.getByText(/^Step 2 of \d+ \(Stateless mode\)$/).waitFor();
  const session = (name) => page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name });
  assert.ok(await session('Stateful').isDisabled(), 'the page-wide switch would run the step in a mode the tour does not judge');
  await page.locator('body').press('m');
  assert.ok(await session('Stateless').isChecked(), 'M changed nothing');
  assert.match(await page.locator('.toolbar .mode-note').textContent(), /^During a tour the tour sets the session mode/);

  await page.getByRole('radiogroup', { name: 'Tour mode' }).getByRole('radio', { name: 'Stateful' }).check();
  await page.getByText(/^Step 2 of \d+ \(Stateful mode\)$/).waitFor();
  assert.ok(await session('Stateful').isChecked(), 'the run itself is stateful now');
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.locator('.checkpoint', { hasText: /^✓/ }).waitFor({ timeout: 60_000 });

  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  assert.ok(await session('Stateless').isEnabled(), 'out of the tour the switch works again');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour step embedded with minimal controls shows that tour only, and still runs', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=1&controls=minimal&title=0&autoplay=0`);
  await page.getByText(/^Step 1 of \d+ \(Stateful mode\)$/).waitFor();
  assert.equal(await page.getByLabel('Scenario').count(), 0, 'no other tour to pick');
  assert.equal(await page.getByRole('button', { name: 'Start tour' }).count(), 0);
  // Its mode changes with Tour mode; the page-wide switch, which would only be locked, is not
  // there to take the step's room.
  assert.equal(await page.getByRole('radiogroup', { name: 'Session mode' }).count(), 0);
  await page.getByRole('radiogroup', { name: 'Tour mode' }).getByRole('radio', { name: 'Stateless' }).check();
  await page.getByText(/^Step 1 of \d+ \(Stateless mode\)$/).waitFor();
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText(/^Step 2 of \d+ \(Stateless mode\)$/).waitFor();
  // No chooser to start the tour again from: Reset reopens the step the frame opened on.
  await page.getByText('During a tour, its steps and Back move through time.').waitFor();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByText(/^Step 1 of \d+ \(Stateless mode\)$/).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Run this step' }).count(), 1);
  assert.equal(await page.locator('.scrubber output').textContent(), '0.0 s of 0.0 s');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a running step brings the figures and the diagram into view, and a dock keeps its verdict and Next step at hand', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=2&autoplay=0&speed=10`, {
    viewport: { width: 1280, height: 800 },
  });
  await page.getByText(/^Step 2 of 3 \(Stateful mode\)$/).waitFor();
  const diagramTop = () => page.locator('.diagram').evaluate((d) => d.getBoundingClientRect().top);
  assert.ok((await diagramTop()) > 400, 'the diagram starts below the tour text');
  assert.equal(await page.getByRole('region', { name: 'Tour step in progress' }).count(), 0, 'no dock before the step runs');
  // From the keyboard, whose focus then moves to the step's title: the view still goes down.
  await page.getByRole('button', { name: 'Run this step' }).focus();
  await page.keyboard.press('Enter');
  const dock = page.getByRole('region', { name: 'Tour step in progress' });
  await dock.waitFor();
  // The whole diagram, its caption included, between the window's top and the dock.
  await page.waitForFunction(() => {
    const figure = document.querySelector('figure.diagram').getBoundingClientRect();
    const dock = document.querySelector('.tour-dock').getBoundingClientRect();
    return figure.top >= 0 && figure.bottom <= dock.top;
  });
  assert.ok((await diagramTop()) < 300, `the diagram is in view (${await diagramTop()} px)`);
  await dock.locator('.dock-verdict', { hasText: /^✓ / }).waitFor({ timeout: 60_000 });
  const [docked, whole] = [await dock.locator('.dock-verdict').textContent(), await page.locator('.checkpoint').textContent()];
  assert.ok(whole.endsWith(`: ${docked.slice(2)}`), `the dock leads with the measured figures: ${docked}`);
  // The dock, at the window's foot, covers neither the drawing nor its key.
  const dockTop = (await dock.boundingBox()).y;
  for (const sel of ['.diagram svg', '.diagram .legend', '#diagram-caption']) {
    const bottom = await page.locator(sel).evaluate((e) => e.getBoundingClientRect().bottom);
    assert.ok(bottom <= dockTop, `${sel} ends at ${bottom} px, under the dock at ${dockTop} px`);
  }
  // From the keyboard: the dock goes, and the focus lands on the new step's title.
  await dock.getByRole('button', { name: 'Next step' }).focus();
  await page.keyboard.press('Enter');
  await page.getByText(/^Step 3 of 3 \(Stateful mode\)$/).waitFor();
  await dock.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.activeElement?.matches('.tour h3'));
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'What it cost');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a step about the database spotlights the master and every replica', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=replicas&step=1&autoplay=0`);
  await page.getByText('Step 1 of').waitFor();
  const lit = await page.locator('.diagram svg .spotlight .node-label').allTextContents();
  assert.deepEqual(lit.sort(), ['Master DB', 'Replica 1', 'Replica 2'], lit.join(', '));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a long verdict keeps the dock low, with the whole verdict in its tooltip and the step', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=request-path&step=5&autoplay=0&speed=10`);
  await page.getByText(/^Step 5 of 5/).waitFor();
  await page.getByRole('button', { name: 'Run this step' }).click();
  const dock = page.getByRole('region', { name: 'Tour step in progress' });
  const verdict = dock.locator('.dock-verdict', { hasText: /^✓ / });
  await verdict.waitFor({ timeout: 60_000 });
  const full = await page.locator('.checkpoint').textContent();
  assert.ok(full.length > 200, `a long verdict: ${full}`);
  assert.equal(await verdict.getAttribute('title'), full);
  const height = await dock.evaluate((d) => d.getBoundingClientRect().height);
  assert.ok(height <= 100, `the dock is ${height} px tall`);
  // In an 800×500 frame it is one row, so most of the diagram stays in view.
  await page.setViewportSize({ width: 800, height: 500 });
  const short = await dock.evaluate((d) => d.getBoundingClientRect().height);
  assert.ok(short <= 56, `in an 800×500 frame the dock is ${short} px tall`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('Reset leaves a tour for the page’s own settings, so a link copied after it reopens the same run', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=replicas&step=1&autoplay=0`);
  await page.getByText(/^Step 1 of/).waitFor();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('list', { name: 'Steps' }).waitFor({ state: 'detached' });
  for (let i = 0; i < 30; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  assert.match(await page.getByRole('group', { name: 'Cache hits (10 s)' }).locator('output').textContent(), /%/, 'the tour turned the cache off; the page has it on');
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = await page.getByLabel('Link to this exact moment').inputValue();
  const shown = await fingerprint(page);
  const again = await openPage(lab.browser, link);
  await again.page.locator('#trace-hash').filter({ hasText: shown }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
  assert.deepEqual(again.errors, []);
  await again.context.close();
  await context.close();
});

test('a step past a tour’s end opens its last step, and says so', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=99&autoplay=0`);
  await page.getByText(/^Step 3 of 3 /).waitFor();
  await page.getByText(/has 3 steps, so it opens at its last step, not at step 99\./).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('an embed with no controls still shows, and can dismiss, what a tour link could not do', async () => {
  const url = `${lab.server.url}?controls=none&scenario=request-path&mode=stateful&step=1000&autoplay=0`;
  const { page, errors, context } = await openPage(lab.browser, url);
  await page.getByText(/^Step 5 of 5 /).waitFor();
  const box = page.locator('.url-notice');
  assert.match(await box.textContent(), /has 5 steps, so it opens at its last step, not at step 1000\./);
  assert.match(await box.textContent(), /runs in Stateless mode only, so it opens in that mode\./);
  await box.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await box.count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour asked for a mode it does not offer opens in its own, and says so', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=request-path&mode=stateful&autoplay=0`);
  await page.getByText(/^Step 1 of \d+ \(Stateless mode\)$/).waitFor();
  await page.getByText(/runs in Stateless mode only, so it opens in that mode\./).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('Next says so when it sets aside what the learner changed in a step', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=1&speed=10&autoplay=0`);
  await page.getByText(/^Step 1 of 3 \(Stateful mode\)$/).waitFor();
  await runShownStep(page, 60_000);
  const notice = page.locator('.toolbar .notice');
  // Without a change of the learner's, Next just moves on.
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText(/^Step 2 of 3 \(Stateful mode\)$/).waitFor();
  assert.equal(await notice.textContent(), '');
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.getByText(/^Step 1 of 3 \(Stateful mode\)$/).waitFor();
  await page.getByRole('button', { name: 'Crash Server 2', exact: true }).click();
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText(/^Step 2 of 3 \(Stateful mode\)$/).waitFor();
  assert.equal(await notice.textContent(), "Each step starts from the tour's own run, so what you changed is not carried over.");
  // Said of that move only: the next one, with nothing of the learner's to set aside, clears it.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.getByText(/^Step 1 of 3 \(Stateful mode\)$/).waitFor();
  assert.equal(await notice.textContent(), '');
  assert.deepEqual(errors, []);
  await context.close();
});

test('starting a tour says so when it sets aside a lab run the learner changed', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`);
  const notice = page.locator('.toolbar .notice');
  // A change that Reset already threw away is not set aside by the tour.
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Start tour' }).click();
  await page.getByText(/^Step 1 of /).waitFor();
  assert.equal(await notice.textContent(), '', 'nothing of the learner\'s was set aside');
  await page.getByRole('button', { name: 'Reset', exact: true }).click();
  await page.getByRole('button', { name: 'Crash Server 1', exact: true }).click();
  await page.getByRole('button', { name: 'Start tour' }).click();
  await page.getByText(/^Step 1 of /).waitFor();
  assert.match(await notice.textContent(), /^The tour plays its own run from its start: the lab run you had changed is set aside/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the step’s highlight is as thick in the projector theme as in the others', async () => {
  for (const theme of ['light', 'projector']) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0&theme=${theme}`);
    const width = await page.locator('.diagram .spotlight > rect').first().evaluate((el) => getComputedStyle(el).strokeWidth);
    assert.equal(width, '5px', theme);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('on a phone on its side the dock is one row and the figures leave the diagram most of the height', async () => {
  for (const [width, height, rows] of [[667, 375, 2], [844, 390, 1]]) {
    const url = `${lab.server.url}?scenario=wrong-server&step=1&mode=stateful&autoplay=0&speed=10&lang=es`;
    const { page, errors, context } = await openPage(lab.browser, url, { viewport: { width, height }, hasTouch: true, isMobile: true });
    await page.getByRole('button', { name: 'Ejecutar este paso' }).click();
    const dock = page.locator('.tour-dock');
    await dock.waitFor();
    const tops = await page.locator('.cards .card').evaluateAll((cards) => new Set(cards.map((c) => Math.round(c.getBoundingClientRect().top))).size);
    assert.equal(tops, rows, `${width}×${height}: the six figures on ${rows} row(s)`);
    const dockHeight = await dock.evaluate((el) => el.getBoundingClientRect().height);
    assert.ok(dockHeight < 70, `${width}×${height}: the dock is ${dockHeight} px tall`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test("a busy step's routine lines share a line per second, so the step's own action stays in the feed", async () => {
  for (const [url, cause] of [
    ['scenario=replicas&step=4', /: add a read replica\./],
    ['scenario=auto-scaling&step=3&mode=stateful', /users are logged out \(.*Server \d was removed/],
  ]) {
    const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?${url}&autoplay=0&speed=10`);
    await runShownStep(page, 60_000);
    const feed = await page.locator('.feed-lines li').allTextContents();
    assert.ok(feed.some((l) => cause.test(l)), `${url}: the cause is told:\n${feed.join('\n')}`);
    assert.ok(feed.some((l) => /^\[[\d.]+–[\d.]+ s\] \d+ (stale reads|users logged in)/.test(l)), `${url}: grouped:\n${feed.join('\n')}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('a step plays at least in real time, then gives the learner back a slower speed', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=2&autoplay=0&speed=0.5`);
  const speed = () => page.locator('label.speed output').textContent();
  const prediction = page.locator('fieldset.prediction');
  if (await prediction.count()) await prediction.getByRole('radio').first().check();
  await page.getByRole('button', { name: 'Run this step' }).click();
  assert.equal(await speed(), '1.00×');
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
  assert.equal(await speed(), '0.50×');
  assert.deepEqual(errors, []);
  await context.close();
});

test('autoplay waiting at a prediction says so, and goes on once it is answered', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0&speed=10`);
  await page.getByRole('checkbox', { name: 'Autoplay' }).check();
  // Said beside Run, and to a screen reader.
  const waits = page.locator('.step-moves .hint', { hasText: 'Autoplay waits for your answer above.' });
  await page.getByRole('status').filter({ hasText: 'Autoplay waits for your answer above.' }).waitFor({ state: 'attached' });
  await waits.waitFor();
  await page.locator('fieldset.prediction').getByRole('radio').first().check();
  // A choice marked is not an answer yet: autoplay still waits for its check.
  await page.waitForTimeout(500);
  assert.ok(await waits.isVisible());
  await page.getByRole('button', { name: 'Check my answer' }).click();
  await waits.waitFor({ state: 'detached' });
  // Another choice marked after the check waits for its own check.
  await page.locator('fieldset.prediction').getByRole('radio').nth(1).check();
  await waits.waitFor();
  await page.waitForTimeout(4_500);
  assert.ok(await page.getByRole('button', { name: 'Run this step' }).isEnabled(), 'the step has not run');
  await page.getByRole('button', { name: 'Check my answer' }).click();
  await waits.waitFor({ state: 'detached' });
  await page.getByText(/^Step 3 of \d+/).waitFor({ timeout: 60_000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone, autoplay brings a step that asks into view, and leaves a checked answer’s feedback time to be read', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?seed=1&speed=10&scenario=add-server&step=1`, { viewport: { width: 390, height: 844 } });
  await page.getByRole('checkbox', { name: 'Autoplay' }).check();
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.getByText(/^Step 2 of \d+/).waitFor({ timeout: 60_000 });
  // The question is on screen, not 700 px above the diagram the last step ran on.
  const question = page.locator('fieldset.prediction');
  await page.waitForFunction(() => {
    const r = document.querySelector('fieldset.prediction').getBoundingClientRect();
    return r.top >= 0 && r.top < innerHeight;
  }, null, { timeout: 5_000 });
  await question.getByRole('radio').first().click();
  await page.getByRole('button', { name: 'Check my answer' }).click();
  // Its feedback runs to some 60 words: more than autoplay's usual 4 s.
  await page.waitForTimeout(6_000);
  assert.ok(await page.getByRole('button', { name: 'Run this step' }).isEnabled(), 'the step waits while the feedback is read');
  assert.ok(await page.locator('.feedback').isVisible());
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour frame with no controls does not point to a Reset it lacks', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&controls=none&autoplay=0&title=0`);
  await page.getByText(/^Step 2 of \d+/).waitFor();
  assert.equal(await page.locator('.scrubber + .hint').textContent(), 'During a tour, its steps and Back move through time.');
  assert.equal(await page.getByText(/press Reset/).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('the M key inside a tour says the tour sets the mode, as the switch does', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0`);
  await page.getByText(/^Step 2 of \d+/).waitFor();
  await page.locator('body').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('m');
  await page.locator('.toolbar .notice').filter({ hasText: /^During a tour the tour sets the session mode/ }).waitFor();
  assert.ok(await page.getByRole('radiogroup', { name: 'Session mode' }).getByRole('radio', { name: 'Stateful' }).isChecked());
  assert.deepEqual(errors, []);
  await context.close();
});

test("a link copied while a long step plays fast carries the learner's speed, not the step's", async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=cache&step=3&autoplay=0`);
  await page.getByRole('button', { name: 'Play', exact: true }).click();
  await page.locator('.dock-verdict').filter({ hasText: /about \d+ s left$/ }).waitFor();
  assert.equal(await page.locator('label.speed output').textContent(), '10.00×');
  await page.getByRole('button', { name: 'Copy link' }).click();
  assert.match(await page.getByLabel('Link to this exact moment').inputValue(), /[?&]speed=0\.20(&|$)/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a wrong prediction first names the right answer for the mode the step plays in', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=2&mode=stateless&autoplay=0`);
  // Arrow keys move the choice through the answers without giving any away.
  const choices = page.locator('fieldset.prediction').getByRole('radio');
  await choices.first().focus();
  await page.keyboard.press('Space');
  await page.keyboard.press('ArrowDown');
  assert.ok(await choices.nth(1).isChecked());
  assert.equal(await page.locator('.feedback').textContent(), '');
  await page.getByRole('button', { name: 'Check my answer' }).click();
  await page.locator('.feedback').getByText(/^Not quite: in Stateless mode, “Server 2 reads User A's session from the shared store and answers”\. Stateful: /).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('on a phone, Start tour brings the first step’s text into view', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
  await page.getByRole('button', { name: 'Start tour' }).tap();
  await page.waitForFunction(() => document.activeElement?.matches('.tour h3'));
  const title = await page.locator('.tour h3').evaluate((h) => h.getBoundingClientRect().toJSON());
  assert.ok(title.top >= 0 && title.bottom <= 844, `the step's title at ${JSON.stringify(title)}`);
  assert.deepEqual(errors, []);
  await context.close();
});

test('in a short frame a running step keeps the drawing and its caption above the dock', async () => {
  for (const [theme, width, height, tour] of [['light', 800, 500, 'crash-2am'], ['projector', 800, 500, 'crash-2am'], ['projector', 1280, 720, 'add-server']]) {
    const url = `${lab.server.url}?scenario=${tour}&step=2&mode=stateful&title=0&autoplay=0&theme=${theme}${width < 1000 ? '&controls=minimal' : ''}`;
    const { page, errors, context } = await openPage(lab.browser, url, { viewport: { width, height } });
    await page.locator('fieldset.prediction').getByRole('radio').first().check();
    await page.getByRole('button', { name: 'Run this step' }).click();
    await page.getByRole('region', { name: 'Tour step in progress' }).waitFor();
    await page.waitForFunction(() => {
      const caption = document.querySelector('#diagram-caption').getBoundingClientRect();
      const stage = document.querySelector('.stage').getBoundingClientRect();
      return stage.top >= 0 && caption.bottom <= document.querySelector('.tour-dock').getBoundingClientRect().top;
    });
    // No line of the figure is cut by the dock's top edge.
    const cut = await page.evaluate(() => {
      const floor = document.querySelector('.tour-dock').getBoundingClientRect().top;
      return [...document.querySelectorAll('figure.diagram > *')]
        .filter((e) => e.getClientRects().length)
        .map((e) => [e.className || e.id, e.getBoundingClientRect()])
        .filter(([, b]) => b.top < floor && b.bottom > floor && b.height < 80)
        .map(([name]) => name);
    });
    assert.deepEqual(cut, [], `${theme} ${width}×${height}`);
    assert.deepEqual(errors, []);
    await context.close();
  }
});

test('in an 800×500 frame the way on shows under a question, and a running step never leaves the cards cut', async () => {
  const url = `${lab.server.url}?scenario=crash-2am&step=1&mode=stateful&autoplay=0&speed=10&controls=minimal&title=0`;
  const { page, errors, context } = await openPage(lab.browser, url, { viewport: { width: 800, height: 500 } });
  const inView = (selector) => page.locator(selector).evaluate((e) => {
    const b = e.getBoundingClientRect();
    return b.top >= 0 && b.bottom <= innerHeight;
  });
  const cardsWholeOrGone = () => page.locator('section.cards').evaluate((e) => {
    const b = e.getBoundingClientRect();
    return b.bottom < 1 || b.top >= 0;
  });
  await page.getByRole('button', { name: 'Run this step' }).click();
  await page.getByRole('region', { name: 'Tour step in progress' }).waitFor();
  assert.ok(await eventually(cardsWholeOrGone), 'the cards show whole, with their names, or not at all');
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Next', exact: true }).first().click();
  await page.getByText(/^Step 2 of \d+/).waitFor();
  assert.ok(await eventually(() => inView('.tour .step-moves')), 'Run, Back and Next under the question');
  assert.ok(await inView('.tour h3'), "and the step's title");
  await page.locator('fieldset.prediction').getByRole('radio').nth(1).check();
  await page.getByRole('button', { name: 'Check my answer' }).click();
  await page.locator('.prediction .feedback').filter({ hasText: /\S/ }).waitFor();
  assert.ok(await eventually(() => inView('.tour .step-moves')), 'still there after the feedback');
  assert.deepEqual(errors, []);
  await context.close();
  // A long answer in Spanish: the feedback and the way on, whatever of the title must go.
  const es = await openPage(lab.browser, `${lab.server.url}?scenario=wrong-server&step=2&mode=stateful&autoplay=0&lang=es&controls=minimal&title=0`, { viewport: { width: 800, height: 500 } });
  await es.page.locator('fieldset.prediction').getByRole('radio').first().check();
  await es.page.getByRole('button', { name: 'Comprobar mi respuesta' }).click();
  await es.page.locator('.prediction .feedback').filter({ hasText: /\S/ }).waitFor();
  const shown = (selector) => es.page.locator(selector).evaluate((e) => {
    const b = e.getBoundingClientRect();
    return b.top >= 0 && b.bottom <= innerHeight;
  });
  assert.ok(await eventually(() => shown('.tour .step-moves')), 'Ejecutar, Atrás y Siguiente under a long answer');
  assert.ok(await shown('.prediction .feedback'), 'and the answer itself');
  assert.deepEqual(es.errors, []);
  await es.context.close();
});

test('one live region tells a step running, then its verdict with the way on; the feed keeps the tour’s actions the tour’s', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0&speed=10`);
  const live = page.locator('.tour p.visually-hidden[role="status"]');
  assert.equal(await live.textContent(), '');
  await page.getByRole('button', { name: 'Run this step' }).click();
  assert.equal(await live.textContent(), 'Running…');
  await page.locator('.tour .hint', { hasText: 'Done — press Next.' }).waitFor({ timeout: 60_000 });
  assert.match(await live.textContent(), /^✓ .+: .+ Done — press Next\.$/);
  // The hint and the verdict beside it are not live too: one region speaks.
  assert.equal(await page.locator('.tour [role="status"]').filter({ hasText: 'Done — press Next.' }).count(), 1);
  await page.getByRole('button', { name: 'Next', exact: true }).click();
  await page.getByText(/^Step 3 of \d+/).waitFor();
  // The next step replays the run so far: its crash is still the tour's.
  const feed = await page.locator('.feed-lines li').allTextContents();
  assert.ok(feed.some((l) => l.endsWith('The tour: crash Server 1.')), feed.join('\n'));
  assert.ok(!feed.some((l) => l.includes('You: ')), feed.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('a step not run in this mode is not ticked, and a finished tour offers the way on', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&speed=10`);
  await page.getByLabel('Scenario').selectOption({ label: '3. Adding a server' });
  await page.getByRole('button', { name: 'Start tour' }).click();
  const next = page.getByRole('button', { name: 'Next', exact: true });
  const primary = (button) => button.evaluate((b) => b.classList.contains('primary'));
  // Run leads from a step not yet run; Next is there, but not as the main button, nor Start.
  assert.equal(await primary(next), false);
  assert.equal(await primary(page.getByRole('button', { name: 'Start tour' })), false);
  await next.click();
  await runShownStep(page, 60_000);
  assert.equal(await primary(next), true);
  await next.click();
  const items = page.getByRole('list', { name: 'Steps' }).locator('li');
  const marks = () => items.evaluateAll((li) => li.map((l) => ['past', 'unrun'].filter((c) => l.classList.contains(c)).join(' ')));
  assert.deepEqual(await marks(), ['past unrun', 'past', '']);
  assert.match(await items.first().textContent(), /\(not run\)$/);
  // Back to the first step and on with a run: it is ticked, and step 2, run before, stays so.
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await runShownStep(page, 60_000);
  await next.click();
  await next.click();
  assert.deepEqual(await marks(), ['past', 'past', '']);
  await runShownStep(page, 60_000);
  await next.click();
  await page.getByText('Adding a server — finished (Stateful mode)').waitFor();
  assert.deepEqual(await marks(), ['past', 'past', 'past']);
  // The other mode starts unrun: nothing of it was seen.
  await page.getByRole('button', { name: 'Again in Stateless mode' }).click();
  await page.getByText('Step 1 of 3 (Stateless mode)').waitFor();
  for (let i = 0; i < 3; i++) await next.click();
  assert.deepEqual(await marks(), ['past unrun', 'past unrun', 'past unrun']);
  await page.getByRole('button', { name: 'Next tour: A crash at 2 am' }).click();
  await page.getByText(/^Step 1 of \d+ \(Stateful mode\)$/).waitFor();
  assert.equal(await page.getByLabel('Scenario').inputValue(), '3');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour framed with no controls, told to play, runs its steps by itself and waits at a question', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&controls=none&autoplay=1&speed=10`, { viewport: { width: 800, height: 500 } });
  await page.getByText(/^Step 1 of 3/).waitFor();
  // No Play to press: the first step runs to its end (the clock at its 5 s), and the tour
  // moves on to the next, whose question it waits at.
  await page.getByText(/^Step 2 of 3/).waitFor({ timeout: 30_000 });
  assert.match(await page.locator('.tour').textContent(), /5\.0 s of 5\.0 s/);
  await page.locator('.tour .hint', { hasText: 'Autoplay waits for your answer above.' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
  // Told not to play, the same frame waits for Run.
  const still = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&controls=none&autoplay=0&speed=10`, { viewport: { width: 800, height: 500 } });
  await still.page.getByText(/^Step 1 of 3/).waitFor();
  await still.page.waitForTimeout(3_000);
  assert.equal(await still.page.getByText(/^Step 1 of 3/).count(), 1);
  assert.equal(await still.page.getByRole('button', { name: 'Run this step' }).count(), 1);
  await still.context.close();
});
