// Languages: Spanish from `lang=es` or from the browser's language, a switcher that keeps the
// exact run, links that carry the chosen language, and tours and narration in Spanish too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setup, openPage, screenshot } from './harness.mjs';

const lab = setup();
const fingerprint = (page) => page.locator('#trace-hash').textContent();

test('lang=es puts the whole page in Spanish, narration included', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?lang=es&autoplay=0&mode=stateful`);
  assert.equal(await page.locator('html').getAttribute('lang'), 'es');
  await page.getByRole('button', { name: 'Tumbar el Servidor 1' }).click();
  await page.getByRole('button', { name: 'Tumbar la Réplica 1' }).click();
  for (let i = 0; i < 20; i++) await page.getByRole('button', { name: 'Paso' }).click();
  const out = page.getByRole('group', { name: 'Usuarios con sesión cerrada' }).locator('output');
  assert.ok(Number(await out.textContent()) > 0);
  assert.equal(await page.getByRole('heading', { name: 'Recorrido guiado' }).count(), 1);
  assert.match(await page.locator('#diagram-caption').textContent(), /^Servidores: \d+ · peticiones en curso: \d+ · con sesión: \d+ de \d+ usuarios\./);
  const feed = await page.locator('.feed-lines li').allTextContents();
  assert.ok(feed.some((l) => l.includes('Tú: tumbar el Servidor 1')), feed.slice(0, 5).join(' | '));
  assert.ok(feed.some((l) => /sesión/.test(l)));
  // So does a replica, in the learner's command and in what it did.
  assert.ok(feed.some((l) => l.includes('Tú: tumbar la Réplica 1')), feed.slice(0, 5).join(' | '));
  assert.ok(feed.some((l) => l.includes('La Réplica 1 está caída.')), feed.slice(0, 5).join(' | '));
  // A server inside a sentence takes its article, as "la caché" does.
  assert.ok(!feed.some((l) => /(hasta|en|tumbar|reiniciar) Servidor \d/.test(l)), feed.filter((l) => /Servidor/.test(l)).slice(0, 5).join(' | '));
  // No English control text is left: every button's name is the Spanish one.
  const names = await page.getByRole('button').evaluateAll((els) => els.map((e) => e.textContent.trim()));
  for (const english of ['Play', 'Pause', 'Step', 'Reset', 'Add server', 'Copy link', 'Start tour', 'Crash cache']) {
    assert.ok(!names.includes(english), `an English button is left: ${english}`);
  }
  await screenshot(page, 'spanish-1280');
  assert.deepEqual(errors, []);
  await context.close();
});

test("the browser's language picks Spanish when the URL does not say", async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0`, { locale: 'es-MX' });
  assert.equal(await page.locator('html').getAttribute('lang'), 'es');
  assert.equal(await page.getByRole('button', { name: 'Reproducir' }).count(), 1);
  // A link copied here leaves the language to each reader's browser.
  await page.getByRole('button', { name: 'Copiar enlace' }).click();
  assert.ok(!(await page.locator('.share input[type=text]').inputValue()).includes('lang='));
  assert.deepEqual(errors, []);
  await context.close();
});

test('the switcher reopens the same run in Spanish, and its links keep the language', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateful&title=0&panel=controls,share`);
  await page.getByRole('button', { name: 'Crash Server 2' }).click();
  for (let i = 0; i < 15; i++) await page.getByRole('button', { name: 'Step' }).click();
  const before = await fingerprint(page);
  await Promise.all([page.waitForURL(/lang=es/), page.getByLabel('Language').selectOption('es')]);
  await page.locator('#trace-hash').waitFor({ state: 'attached' });
  assert.equal(await fingerprint(page), before, 'the same run, replayed');
  const kept = new URL(page.url()).searchParams;
  assert.deepEqual([kept.get('title'), kept.get('panel'), kept.getAll('lang')], ['0', 'controls,share', ['es']]);
  assert.equal(await page.getByRole('heading', { name: 'Recorrido guiado' }).count(), 0, 'hidden panels stay hidden');
  assert.equal(await page.getByRole('button', { name: 'Reproducir' }).count(), 1);
  // A keyboard user goes on from the menu they changed, not from the page's top.
  await page.waitForFunction(() => document.activeElement === document.getElementById('language'));
  assert.equal(new URL(page.url()).hash, '', 'the mark leaves the address once used');
  await page.getByRole('button', { name: 'Copiar enlace' }).click();
  assert.match(await page.locator('.share input[type=text]').inputValue(), /[?&]lang=es(&|$)/);
  await Promise.all([page.waitForURL(/lang=en/), page.getByLabel('Idioma').selectOption('en')]);
  await page.locator('#trace-hash').waitFor({ state: 'attached' });
  assert.equal(await fingerprint(page), before);
  assert.equal(await page.getByRole('button', { name: 'Play' }).count(), 1);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a page opened in compare view and switched to the lab switches language in the lab', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?view=compare&autoplay=0`);
  await page.getByRole('button', { name: 'Explore the system' }).click();
  await page.getByRole('button', { name: 'Crash Server 1' }).click();
  const before = await fingerprint(page);
  await Promise.all([page.waitForURL(/lang=es/), page.getByLabel('Language').selectOption('es')]);
  await page.locator('#trace-hash').waitFor({ state: 'attached' });
  assert.equal(new URL(page.url()).searchParams.get('view'), null);
  assert.ok(await page.getByRole('button', { name: 'Reiniciar el Servidor 1' }).isVisible(), 'the lab shows, with the crash');
  assert.equal(await fingerprint(page), before);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a tour opened in Spanish tells its story in Spanish', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?lang=es&scenario=crash-2am&step=2&mode=stateful&speed=10`);
  await page.getByText('Paso 2 de').waitFor();
  const narration = await page.locator('.narration').textContent();
  assert.match(narration, /Servidor 1/);
  assert.doesNotMatch(narration, /Server 1 /);
  await page.getByLabel(/Se les cierra la sesión/).check();
  await page.getByRole('button', { name: 'Comprobar mi respuesta' }).click();
  await page.locator('.feedback').getByText(/^(Correcto|No exactamente)\. /).waitFor();
  assert.match(await page.locator('.feedback').textContent(), /^(Correcto|No exactamente)\. /);
  await page.getByRole('button', { name: 'Ejecutar este paso' }).click();
  await page.locator('.checkpoint').filter({ hasText: /^✓/ }).waitFor({ timeout: 30000 });
  assert.doesNotMatch(await page.locator('.checkpoint').textContent(), /expected|logged out|users/);
  await screenshot(page, 'spanish-tour');
  assert.deepEqual(errors, []);
  await context.close();
});

test("a language switch inside a tour keeps the page's own setup for Reset to bring back", async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?scenario=crash-2am&step=2&mode=stateful&autoplay=0&seed=7&servers=5`);
  await page.getByText('Step 2 of').waitFor();
  await Promise.all([page.waitForURL(/lang=es/), page.getByLabel('Language').selectOption('es')]);
  await page.getByText('Paso 2 de').waitFor();
  const kept = new URL(page.url()).searchParams;
  assert.deepEqual([kept.get('scenario'), kept.get('seed'), kept.get('servers')], ['crash-2am', '7', '5']);
  await page.getByRole('button', { name: 'Volver a empezar' }).click();
  assert.equal(await page.getByLabel('Semilla').inputValue(), '7');
  assert.equal(await page.getByRole('button', { name: /^Tumbar el Servidor \d+$/ }).count(), 5);
  assert.deepEqual(errors, []);
  await context.close();
});

test('a bad lang value is ignored with a notice in the fallback language', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?lang=xx&autoplay=0`);
  await page.getByText('Ignored lang=xx: lang is en or es.').waitFor();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en');
  assert.deepEqual(errors, []);
  await context.close();
});

test('after a rewind the switcher and a copied link keep the rest of the timeline', async () => {
  // Server 1 crashes at 10 s; the run has gone to 15 s.
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateful&t=15000000&cmds=10000000.c.0`);
  const timeline = page.locator('.scrubber output');
  await timeline.filter({ hasText: /^15\.0 s of 15\.0 s$/ }).waitFor();
  const atEnd = await fingerprint(page);
  await page.getByRole('slider', { name: 'Timeline' }).fill('5000');
  await timeline.filter({ hasText: /^5\.0 s of 15\.0 s$/ }).waitFor();
  await page.getByRole('button', { name: 'Copy link' }).click();
  const link = new URL(await page.getByLabel('Link to this exact moment').inputValue());
  assert.deepEqual([link.searchParams.get('t'), link.searchParams.get('until'), link.searchParams.get('cmds')], ['5000000', '15000000', '10000000.c.0']);
  await Promise.all([page.waitForURL(/lang=es/), page.getByLabel('Language').selectOption('es')]);
  // Reopened in Spanish at 5 s, with the crash still ahead on the timeline.
  await timeline.filter({ hasText: /^5,0 s de 15,0 s$/ }).waitFor();
  assert.equal(await page.locator('.url-notice').count(), 0, 'nothing was left out');
  await page.getByRole('slider', { name: 'Línea de tiempo' }).fill('15000');
  await timeline.filter({ hasText: /^15,0 s de 15,0 s$/ }).waitFor();
  assert.equal(await fingerprint(page), atEnd, 'the same run to its end');
  assert.deepEqual(errors, []);
  await context.close();
});

test('at 320 px the Spanish page does not scroll sideways: the long tour names fit their menu', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&lang=es`, { viewport: { width: 320, height: 568 } });
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.equal(scroll, client);
  assert.deepEqual(errors, []);
  await context.close();
});
