// examples/embed.html drives StateLab in an iframe over postMessage; a sender from another
// origin is ignored.
import fs from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, card, openPage } from './harness.mjs';

const lab = setup();

async function open(url) {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  return { page, context, errors };
}

const events = (page) => page.evaluate(() => window.statelabEvents ?? []);

test('the host page crashes Server 1 over postMessage and hears the logouts', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  await page.getByRole('button', { name: 'Crash Server 1' }).click();
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'user_logged_out'));
  // Each logout is a message of its own: wait until the host has heard as many as the card says.
  const frame = page.frameLocator('#lab');
  const shown = await card(frame, 'Users logged out');
  await page.waitForFunction((n) => window.statelabEvents.filter((e) => e.type === 'user_logged_out').length >= n, shown);
  const got = await events(page);
  const applied = got.findIndex((e) => e.type === 'command_applied' && e.command === 'crash Server 1');
  assert.ok(applied >= 0);
  assert.ok(applied < got.findIndex((e) => e.type === 'user_logged_out'), 'the command before the logouts it caused');
  const logouts = got.filter((e) => e.type === 'user_logged_out');
  assert.equal(logouts.length, shown);
  assert.ok(logouts.every((e) => /^User [A-Z]+$/.test(e.user)));
  assert.deepEqual(errors, []);
  await context.close();
});

test('messages the host page sends on the frame’s load event, before the app listens, are not lost', async () => {
  const context = await lab.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${lab.server.url}examples/embed.html`);
  // A second frame whose load event sends a crash and Play: the obvious way to script it.
  await page.evaluate((src) => {
    window.heard = [];
    const frame = document.createElement('iframe');
    addEventListener('message', (e) => e.source === frame.contentWindow && e.data?.statelab === 1 && window.heard.push(e.data.type));
    frame.id = 'early';
    frame.title = 'early';
    frame.onload = () => {
      frame.contentWindow.postMessage({ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 0 } }, '*');
      frame.contentWindow.postMessage({ statelab: 1, type: 'play' }, '*');
    };
    frame.src = src;
    document.body.append(frame);
  }, `${lab.server.url}index.html?autoplay=0&mode=stateful&controls=minimal`);
  const frame = page.frameLocator('#early');
  await frame.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => window.heard.includes('command_applied') && window.heard.includes('ready'));
  const heard = await page.evaluate(() => window.heard);
  assert.ok(heard.indexOf('command_applied') < heard.indexOf('ready'), `kept messages are answered first: ${heard}`);
  assert.ok((await card(frame, 'Users logged out')) > 0, 'the crash was applied');
  await context.close();
});

test('the host page’s step pauses a running lab, as the Step button does', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  const frame = page.frameLocator('#lab');
  await page.getByRole('button', { name: 'Play' }).click();
  await frame.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await page.evaluate(() => document.getElementById('lab').contentWindow.postMessage({ statelab: 1, type: 'step' }, '*'));
  await frame.getByRole('button', { name: 'Play', exact: true }).waitFor();
  const clock = () => frame.locator('.clock').textContent();
  const at = await clock();
  await page.waitForTimeout(500);
  assert.equal(await clock(), at, 'paused');
  assert.deepEqual(errors, []);
  await context.close();
});

test('in compare view the host page drives both panes, not the lab hidden behind them', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  await page.evaluate(() => (document.getElementById('lab').src += '&view=compare&autoplay=0'));
  const frame = page.frameLocator('#lab');
  await frame.locator('.pane').first().waitFor();
  await page.waitForFunction(() => (window.statelabEvents ?? []).filter((e) => e.type === 'ready').length === 2);
  const post = (msg) => page.evaluate((m) => document.getElementById('lab').contentWindow.postMessage(m, '*'), msg);
  const time = async () => Number((await frame.locator('.pane .hint').first().textContent()).match(/t = ([\d.]+) s/)[1]);
  await post({ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 0 } });
  await post({ statelab: 1, type: 'step' });
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'command_applied'));
  await frame.locator('.pane .hint').first().filter({ hasText: /t = 0\.1 s/ }).waitFor();
  const count = (name) => card(frame, name);
  assert.ok((await count('Stateful: users logged out')) > 0, 'the stateful pane lost its sessions');
  assert.equal(await count('Stateless: users logged out'), 0);
  assert.equal(await time(), 0.1, 'one step');
  await post({ statelab: 1, type: 'play' });
  await frame.getByRole('button', { name: 'Pause', exact: true }).waitFor();
  await post({ statelab: 1, type: 'pause' });
  await frame.getByRole('button', { name: 'Play', exact: true }).waitFor();
  await post({ statelab: 1, type: 'command', command: { cmd: 'restart_server', server: 2 } });
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'command_refused'));
  // The panes differ in their mode alone: neither may switch it.
  const refusals = (await events(page)).length;
  await post({ statelab: 1, type: 'command', command: { cmd: 'set_mode', mode: 'stateless' } });
  await page.waitForFunction((n) => window.statelabEvents.length > n, refusals);
  assert.deepEqual((await events(page)).slice(refusals), [
    { statelab: 1, type: 'command_refused', command: 'switch to stateless sessions', reason: 'compare view keeps one pane stateful and the other stateless' },
  ]);
  await post({ statelab: 1, type: 'reset' });
  // Reset starts both over.
  await frame.getByRole('group', { name: 'Stateful: users logged out' }).locator('output').filter({ hasText: /^0$/ }).waitFor();
  assert.equal(await time(), 0);
  assert.ok(!(await events(page)).some((e) => e.type === 'user_logged_out'), 'the hidden lab logged nobody out');
  assert.deepEqual(errors, []);
  await context.close();
});

test('hostile or wrong-origin messages are ignored and the page stays well', async () => {
  const app = lab.server.url.replace(/\/$/, '');
  // A page of another origin (localhost, not 127.0.0.1) that frames the app, which trusts only
  // its own origin.
  const { page, context, errors } = await open(`${lab.server.url.replace('127.0.0.1', 'localhost')}examples/embed.js`);
  await page.setContent(`<iframe id="lab" title="StateLab" src="${app}/index.html?autoplay=0&mode=stateful&host=${encodeURIComponent(app)}"></iframe>`);
  const frame = await (await page.locator('#lab').elementHandle()).contentFrame();
  await frame.locator('#trace-hash').waitFor({ state: 'attached' });
  await page.evaluate(() => {
    const w = document.getElementById('lab').contentWindow;
    w.postMessage({ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 0 } }, '*');
  });
  const hostile = [
    '<script>alert(1)</script>',
    { statelab: 1, type: '<img src=x onerror=alert(1)>' },
    { statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 1e308 } },
    null,
  ];
  for (const m of hostile) {
    await page.evaluate((msg) => document.getElementById('lab').contentWindow.postMessage(msg, '*'), m);
  }
  await page.evaluate(() => {
    const deep = JSON.parse('['.repeat(500) + ']'.repeat(500));
    document.getElementById('lab').contentWindow.postMessage({ statelab: 1, type: 'command', command: deep }, '*');
  });
  await page.waitForTimeout(500);
  assert.equal(await card(frame, 'Users logged out'), 0);
  assert.equal(await frame.getByRole('button', { name: 'Pause' }).count() + await frame.getByRole('button', { name: 'Play' }).count(), 1);
  // The crash from the wrong origin did not happen: Server 1 still serves.
  assert.equal(await frame.locator('.server-controls li', { hasText: 'Server 1' }).locator('.state').textContent(), 'healthy');
  assert.ok(await frame.getByRole('button', { name: 'Crash Server 1' }).isEnabled());
  assert.deepEqual(errors, []);
  await context.close();
});

test('hostile messages from the trusted host page get an error reply and change nothing', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  const send = (msg) => page.evaluate((m) => document.getElementById('lab').contentWindow.postMessage(m, location.origin), msg);
  const error = (message) => ({ statelab: 1, type: 'error', message });
  const hostile = [
    [{ statelab: 1, type: '<img src=x onerror=alert(1)>' }, error('unknown message type')],
    [{ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 1e308 } }, error('command field server is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: '<script>alert(1)</script>' } }, error('unknown command "<script>alert(1)</script>"')],
    [{ statelab: 1, type: 'command', command: '<script>alert(1)</script>' }, error('command must be an object')],
    [{ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: -1 } }, error('command field server is missing or not valid')],
    // A choice by its name only, a switch as true or false: the error names the field.
    [{ statelab: 1, type: 'command', command: { cmd: 'set_mode', mode: 2 } }, error('command field mode is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: 'set_mode', mode: true } }, error('command field mode is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: 'set_mode', mode: 1 } }, error('command field mode is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: 'set_cache_enabled', enabled: 1 } }, error('command field enabled is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: 'set_cache_enabled', enabled: 7 } }, error('command field enabled is missing or not valid')],
    [{ statelab: 1, type: 'command', command: { cmd: 'set_traffic', rate_per_s: 10, pattern: 9 } }, error('command field pattern is missing or not valid')],
    // A message sent as JSON text hears why nothing happened.
    [JSON.stringify({ statelab: 1, type: 'play' }), error('a message is an object, not JSON text')],
    [
      { statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 4_000_000_000 } },
      { statelab: 1, type: 'command_refused', command: 'crash Server 4000000001', reason: 'there is no Server 4000000001' },
    ],
  ];
  for (const [message, reply] of hostile) {
    const before = (await events(page)).length;
    await send(message);
    await page.waitForFunction((n) => window.statelabEvents.length > n, before);
    assert.deepEqual((await events(page)).slice(before), [reply], JSON.stringify(message));
  }
  // A thousand levels of nesting, and untagged messages: refused or ignored, never a hang.
  const before = (await events(page)).length;
  await page.evaluate(() => {
    const deep = JSON.parse('{"a":'.repeat(1000) + '1' + '}'.repeat(1000));
    const w = document.getElementById('lab').contentWindow;
    w.postMessage({ statelab: 1, type: 'command', command: deep }, location.origin);
    w.postMessage('<script>alert(1)</script>', location.origin);
    w.postMessage(null, location.origin);
  });
  await page.waitForFunction((n) => window.statelabEvents.length > n, before);
  assert.deepEqual((await events(page)).slice(before), [error('command.cmd is missing')]);
  const frame = page.frameLocator('#lab');
  assert.equal(await card(frame, 'Users logged out'), 0);
  assert.equal(await frame.locator('img[src="x"]').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a host command reads its fields beside cmd or, as the sim writes set_autoscaling, in a policy', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  const send = async (command) => {
    const before = (await events(page)).length;
    await page.evaluate((c) => document.getElementById('lab').contentWindow.postMessage({ statelab: 1, type: 'command', command: c }, location.origin), command);
    await page.waitForFunction((n) => window.statelabEvents.length > n, before);
    return (await events(page)).slice(before)[0];
  };
  const policy = { enabled: true, scale_out_pct: 60, scale_in_pct: 20, min_servers: 2, max_servers: 8, interval_ms: 5000, cooldown_ms: 10000 };
  const applied = (text) => ({ statelab: 1, type: 'command_applied', command: text });
  assert.deepEqual(await send({ cmd: 'set_autoscaling', policy }), applied('turn auto-scaling on'));
  // The policy's own fields are read: one out of range is refused, not replaced by a default.
  assert.notEqual((await send({ cmd: 'set_autoscaling', policy: { ...policy, scale_out_pct: 500 } })).type, 'command_applied');
  assert.deepEqual(await send({ cmd: 'set_autoscaling', ...policy, enabled: false }), applied('turn auto-scaling off'));
  // A field beside cmd counts first, even a bad one; and no other command reads a policy.
  const error = (message) => ({ statelab: 1, type: 'error', message });
  assert.deepEqual(await send({ cmd: 'set_autoscaling', scale_out_pct: 'x', policy }), error('command field scale_out_pct is missing or not valid'));
  assert.deepEqual(await send({ cmd: 'crash_server', policy: { server: 0 } }), error('command field server is missing or not valid'));
  assert.deepEqual(errors, []);
  await context.close();
});

test("host= may be a page's whole address; one that names no origin lets no page drive the frame", async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  const frameFor = async (host) => {
    const before = (await events(page)).length;
    await page.evaluate((host) => {
      const params = new URLSearchParams({ mode: 'stateful', autoplay: '0', title: '0', host });
      document.getElementById('lab').src = new URL(`../index.html?${params}`, location.href).href;
    }, host);
    // The new document, not the old one still in the frame, has mounted.
    await page.waitForFunction((host) => {
      const w = document.getElementById('lab').contentWindow;
      return new URLSearchParams(w.location.search).get('host') === host && w.document.getElementById('trace-hash');
    }, host);
    return { frame: page.frameLocator('#lab'), before };
  };
  const crash = () =>
    page.evaluate(() => document.getElementById('lab').contentWindow.postMessage({ statelab: 1, type: 'command', command: { cmd: 'crash_server', server: 0 } }, '*'));
  // The course page's address, pasted whole: its origin drives the frame.
  let { frame, before } = await frameFor(`${new URL(lab.server.url).origin}/course/4/?week=2#top`);
  await crash();
  await page.waitForFunction((n) => window.statelabEvents.slice(n).some((e) => e.type === 'command_applied'), before);
  assert.equal(await frame.locator('.url-notice').count(), 0);
  // A slip: no page drives it, and the notice says so.
  ({ frame, before } = await frameFor('school.example'));
  await crash();
  await page.waitForTimeout(500);
  assert.deepEqual((await events(page)).slice(before), [], 'not even ready was posted');
  assert.ok(await frame.getByRole('button', { name: 'Crash Server 1' }).isEnabled(), 'Server 1 still serves');
  assert.match(await frame.locator('.url-notice').textContent(), /until it names one, no page can drive this frame/);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour in a frame tells the host which step a prediction and a checkpoint belong to', async () => {
  const { page, context, errors } = await open(`${lab.server.url}examples/embed.html`);
  await page.waitForFunction(() => (window.statelabEvents ?? []).some((e) => e.type === 'ready'));
  await page.evaluate(() => {
    const params = new URLSearchParams({ scenario: 'crash-2am', step: '2', mode: 'stateful', autoplay: '0', speed: '10', host: location.origin });
    document.getElementById('lab').src = new URL(`../index.html?${params}`, location.href).href;
  });
  const frame = page.frameLocator('#lab');
  await frame.locator('fieldset.prediction').getByRole('radio').first().check();
  await frame.getByRole('button', { name: 'Check my answer' }).click();
  await frame.getByRole('button', { name: 'Run this step' }).click();
  await page.waitForFunction(() => window.statelabEvents.some((e) => e.type === 'checkpoint_reached'), null, { timeout: 60_000 });
  const got = await events(page);
  const answered = got.find((e) => e.type === 'prediction_answered');
  const reached = got.find((e) => e.type === 'checkpoint_reached');
  assert.deepEqual([answered.tour, answered.step, typeof answered.right], ['crash-2am', 1, 'boolean']);
  assert.deepEqual([reached.tour, reached.step, reached.passed], ['crash-2am', 1, true]);
  assert.deepEqual(errors, []);
  await context.close();
});

test('800×500 and 800×600 tour frames show every step’s question, its answers and Check without a scroll, in both languages', async () => {
  const names = fs.readdirSync('assets/scenarios').filter((f) => f.endsWith('.json'));
  const late = [];
  let seen = 0;
  for (const [lang, check, height] of [['en', 'Check my answer', 500], ['es', 'Comprobar mi respuesta', 500], ['en', 'Check my answer', 600], ['es', 'Comprobar mi respuesta', 600]]) {
    for (const name of names) {
      const tour = JSON.parse(fs.readFileSync(`assets/scenarios/${name}`, 'utf8'));
      for (const [i, step] of tour.steps.entries()) {
        if (!step.prediction) continue;
        const query = `?controls=minimal&title=0&lang=${lang}&scenario=${name.replace('.json', '')}&step=${i + 1}`;
        const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}${query}`, { viewport: { width: 800, height } });
        const button = page.getByRole('button', { name: check });
        await button.waitFor();
        const bottom = await button.evaluate((b) => b.getBoundingClientRect().bottom);
        if (bottom > height || (await page.evaluate(() => scrollY)) !== 0) late.push(`${query} at 800×${height}: Check ends at ${bottom} px`);
        assert.deepEqual(errors, [], query);
        seen += 1;
        await context.close();
      }
    }
  }
  assert.ok(seen >= 40, `${seen} steps with a question`);
  assert.deepEqual(late, []);
});
