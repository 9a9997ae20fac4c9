// The strict Content-Security-Policy holds with no violation, hostile URL parameters are shown as
// text and ignored, and a panic shows the error overlay instead of a dead page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage } from './harness.mjs';

const lab = setup();

test('the page carries a strict CSP and runs under it', async () => {
  const { page, errors, context } = await openPage(lab.browser, lab.server.url);
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
  // The policy, directive by directive; the one addition is the hash of Trunk's inline
  // loader script (see scripts/csp.mjs), plus base-uri and form-action, which only narrow it.
  const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
  assert.equal(directives['default-src'], "'self'");
  assert.match(directives['script-src'], /^'self' 'wasm-unsafe-eval' 'sha256-[A-Za-z0-9+/=]+'$/);
  assert.equal(directives['style-src'], "'self'");
  assert.equal(directives['img-src'], "'self' data: blob:");
  assert.equal(directives['connect-src'], "'self'");
  assert.equal(directives['base-uri'], "'self'");
  assert.equal(directives['form-action'], "'none'");
  assert.deepEqual(Object.keys(directives).sort(), ['base-uri', 'connect-src', 'default-src', 'form-action', 'img-src', 'script-src', 'style-src']);
  await page.waitForFunction(() => Number(document.querySelector('.clock')?.textContent.match(/[\d.]+/)?.[0]) > 0.3);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.getByRole('button', { name: 'Trace next request' }).click();
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  assert.deepEqual(errors, [], 'no CSP violation, no request to another origin');
  await context.close();
});

test('hostile URL parameters are ignored with a visible notice, never run', async () => {
  const evil = encodeURIComponent('<img src=x onerror=alert(1)>');
  const { page, errors, context } = await openPage(
    lab.browser,
    `${lab.server.url}?servers=${evil}&users=99999999999999999999&speed=1e309&theme=${evil}&${evil}=1&cmds=1.c.0~0.zz`,
  );
  const notice = page.getByRole('status').filter({ hasText: 'Ignored' });
  await notice.first().waitFor();
  const text = await page.locator('.url-notice').textContent();
  assert.match(text, /Ignored servers=<img src=x onerror/);
  assert.equal(await page.locator('.url-notice img').count(), 0, 'shown as text, not HTML');
  assert.equal(await page.getByRole('button', { name: /^Crash Server \d$/ }).count(), 3, 'defaults are used');
  await page.getByRole('button', { name: 'Dismiss' }).click();
  assert.equal(await page.locator('.url-notice').count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a panic shows the error overlay with a Reload button', async () => {
  const { page, context } = await openPage(lab.browser, `${lab.server.url}?debug_panic=1`);
  const overlay = page.getByRole('alertdialog', { name: 'StateLab hit an internal error' });
  await overlay.waitFor();
  assert.match(await overlay.textContent(), /a panic forced by debug_panic=1/);
  await overlay.getByRole('button', { name: 'Reload' }).click();
  await page.getByRole('heading', { name: 'StateLab', level: 1 }).waitFor();
  await context.close();
});
