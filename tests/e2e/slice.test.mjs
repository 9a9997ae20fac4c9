// The walking skeleton through the real page: real clicks on Debian's Chromium, no console error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, screenshot, loggedOut, sessionMode, card } from './harness.mjs';

const lab = setup();

test('stateful: crashing Server 1 logs its users out, with no console error', async () => {
  const { page, errors, context } = await openPage(lab.browser, lab.server.url);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.equal(await loggedOut(page), 0);
  await sessionMode(page, 'Stateful').check();
  await page.getByRole('button', { name: 'Crash Server 1' }).click();
  const out = await loggedOut(page);
  assert.ok(out > 0, `expected logouts, got ${out}`);
  const logouts = () => card(page, 'Logouts so far');
  assert.equal(await logouts(), out, 'each of them is a logout');
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  const path = await screenshot(page, 'slice-stateful-crash');
  console.log(`screenshot: ${path}`);
  // The users log in again, so the live count falls back, and the running total stays.
  for (let i = 0; i < 400 && (await loggedOut(page)) > 0; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  assert.equal(await loggedOut(page), 0, 'they logged in again');
  assert.equal(await logouts(), out, 'the total remembers them, and nobody else was logged out');
  assert.deepEqual(errors, []);
  await context.close();
});

test('stateless: crashing Server 1 logs nobody out', async () => {
  const { page, errors, context } = await openPage(lab.browser, lab.server.url);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await sessionMode(page, 'Stateless').check();
  const answered = () => card(page, 'Requests answered');
  const before = await answered();
  await page.getByRole('button', { name: 'Crash Server 1' }).click();
  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
  assert.equal(await loggedOut(page), 0);
  // The crash happened, and the other servers kept answering.
  assert.equal(await page.locator('.server-controls li', { hasText: 'Server 1' }).locator('.state').textContent(), 'crashed');
  assert.ok((await answered()) > before, 'requests are still answered');
  assert.deepEqual(errors, []);
  await context.close();
});

test('the app animates while playing: simulated time moves', async () => {
  const { page, errors, context } = await openPage(lab.browser, lab.server.url);
  const clock = page.getByLabel('Simulated time');
  const t0 = await clock.textContent();
  await page.waitForFunction((before) => document.querySelector('.clock')?.textContent !== before, t0);
  assert.deepEqual(errors, []);
  await context.close();
});
