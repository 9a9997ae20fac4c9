// UI fuzzing: 5,000 random valid actions through the real page (?fuzz=5000) leave no console
// error, no panic overlay and only possible numbers on screen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './harness.mjs';

const lab = setup();

test('5,000 random actions: no error, no overlay, consistent counters', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?fuzz=5000&seed=3&autoplay=0`);
  await page.waitForFunction(() => document.getElementById('fuzz-result')?.textContent.includes('actions'), null, {
    timeout: 240_000,
  });
  assert.equal(await page.locator('#fuzz-result').textContent(), '5000 actions, 0 problems');
  // The checks read the lab: it must still be the view on screen, and the actions must have run it.
  assert.ok(await page.locator('main.lab').isVisible(), 'the fuzzer stayed in the lab view');
  const moved = Number(await page.locator('#fuzz-result').getAttribute('data-moved'));
  assert.ok(moved > 100, `the run changed after ${moved} of 200 batches`);
  assert.equal(await page.locator('#panic-overlay').count(), 0);
  const numbers = await page.locator('.card-value').allTextContents();
  assert.ok(numbers.length > 0);
  // A count, a share, or the cache card's words for no reads lately, a crashed or a switched-off cache.
  for (const n of numbers) assert.match(n, /^(\d{1,3}(,\d{3})*( \/ \d{1,3}(,\d{3})*)?|\d+ %|–|✗ down|off)$/, n);
  assert.deepEqual(errors, []);
  await context.close();
});
