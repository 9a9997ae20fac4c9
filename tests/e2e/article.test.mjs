// Every claim of the article, shown live: each built-in tour walked on the real page in every
// mode it offers, and every checkpoint's verdict read off the page. The tours are where the
// page tells the article's claims (the three scenarios in both modes, the request path, the
// cache against the database, the replicas, auto-scaling), so a page that stopped showing one
// fails here, not only in the simulation's own tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { setup, openPage, runShownStep, eventually } from './harness.mjs';

const lab = setup();

const SCENARIOS = new URL('../../assets/scenarios/', import.meta.url).pathname;
const tours = readdirSync(SCENARIOS)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(SCENARIOS + f, 'utf8')));

const capital = (mode) => mode[0].toUpperCase() + mode.slice(1);

/** The step's checkpoint in `mode`, or undefined. */
const checkpointOf = (step, mode) => step.checkpoint?.both ?? step.checkpoint?.[mode];

/** Milliseconds in a figure such as "0.9 ms" or "12 ms". */
const ms = (text) => Number(text.replace(' ms', ''));

/** What the verdict's numbers must show beyond its ✓, for the claims the article puts in numbers. */
function checkNumbers(kind, verdict) {
  if (kind === 'cache_hit_faster_than_db') {
    const m = verdict.match(/Cache hits took at most ([\d.]+ ms); database trips took ([\d.]+ ms) to ([\d.]+ ms)/);
    assert.ok(m, verdict);
    const [hit, fastest, slowest] = m.slice(1).map(ms);
    assert.ok(hit <= 2, `a cache hit takes about 1 ms: ${verdict}`);
    assert.ok(fastest >= 10 && slowest <= 100, `a database trip takes 10–100 ms: ${verdict}`);
  }
  if (kind === 'step_db_waits_at_least' || kind === 'step_db_waits_at_most') {
    // The replicas' claim in numbers: two busy replicas make reads wait in line; a third ends it.
    const m = verdict.match(/^✓ .*: ([\d.]+) % of this step's database queries waited for a connection/);
    assert.ok(m, verdict);
    const share = Number(m[1]);
    assert.ok(kind.endsWith('least') ? share >= 10 : share <= 3, `${kind}: ${verdict}`);
  }
  if (kind === 'step_db_load_cut_at_least') {
    const m = verdict.match(/Database queries during this step, reads and writes: ([\d,]+); without the cache: ([\d,]+)\. A cut of ([\d.]+) %/);
    assert.ok(m, verdict);
    const [ran, without, cut] = m.slice(1).map((x) => Number(x.replaceAll(',', '')));
    assert.ok(cut >= 80 && ran <= without * 0.2, `the cache takes 80 % of the load off the database: ${verdict}`);
  }
}

test('the tours cover the article', () => {
  const ids = tours.map((t) => t.id);
  for (const id of ['wrong-server', 'add-server', 'crash-2am', 'request-path', 'cache', 'replicas', 'auto-scaling']) {
    assert.ok(ids.includes(id), `a tour for ${id}`);
  }
  for (const id of ['wrong-server', 'add-server', 'crash-2am', 'auto-scaling']) {
    assert.deepEqual(tours.find((t) => t.id === id).modes, ['stateful', 'stateless'], `${id} runs in both modes`);
  }
});

test('traced requests show the path and its times: DNS, a nearby CDN edge, a session fetch and a cache hit of about 1 ms, a database read of 10–100 ms', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?autoplay=0&mode=stateless&seed=2`);
  const hops = page.getByRole('list', { name: 'Latency by hop' });
  const seen = { dns: false, cdn: false, session: false, hit: false, db: false };
  for (let k = 0; k < 60 && !Object.values(seen).every(Boolean); k++) {
    await page.getByRole('button', { name: 'Trace next request' }).click();
    await hops.waitFor({ state: 'detached' });
    for (let i = 0; i < 60 && !(await hops.count()); i++) await page.getByRole('button', { name: 'Step', exact: true }).click();
    const rows = {};
    const names = await hops.locator('.wf-label').allTextContents();
    const times = await hops.locator('.wf-time').allTextContents();
    names.forEach((name, i) => {
      rows[name] = times[i].endsWith(' ms') ? ms(times[i]) : Number(times[i].replace(' s', '')) * 1000;
    });
    seen.dns ||= 'DNS' in rows;
    // Static files come from an edge near the user, far faster than from the origin.
    if ('CDN' in rows) {
      assert.ok(rows.CDN <= 20, `the CDN edge took ${rows.CDN} ms`);
      seen.cdn = true;
    }
    // The shared store answers a session fetch in about a millisecond.
    if ('Session read' in rows) {
      assert.ok(rows['Session read'] <= 2, `a session fetch took ${rows['Session read']} ms`);
      seen.session = true;
    }
    if ('Cache hit' in rows) {
      assert.ok(rows['Cache hit'] <= 2 && !('Database' in rows), `a cache hit took ${rows['Cache hit']} ms: ${names}`);
      seen.hit = true;
    }
    // A miss is named so, and the database read follows it.
    if ('Cache miss' in rows) assert.ok('Database' in rows || 'DB queue' in rows, names.join(', '));
    if ('Database' in rows) {
      assert.ok(rows.Database >= 10 && rows.Database <= 100, `a database read took ${rows.Database} ms`);
      seen.db = true;
    }
  }
  assert.deepEqual(seen, { dns: true, cdn: true, session: true, hit: true, db: true });
  assert.deepEqual(errors, []);
  await context.close();
});

test('writes go to the master and reads to the replicas: the diagram and the reads chart show it', async () => {
  const { page, errors, context } = await openPage(lab.browser, `${lab.server.url}?mode=stateless&seed=2&speed=10`);
  const box = (name) => page.locator('.stage svg g.node', { hasText: name });
  const figure = async (name, what) => Number(((await box(name).textContent()).match(new RegExp(`([\\d,]+) ${what}`)) || [, '0'])[1].replaceAll(',', ''));
  await page.waitForFunction(() => /Master DB[1-9][\d,]* writes/.test(document.querySelector('.stage svg').textContent), null, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  assert.ok((await figure('Master DB', 'writes')) > 0, 'the master took the writes');
  for (const replica of ['Replica 1', 'Replica 2']) assert.ok((await figure(replica, 'reads')) > 0, `${replica} took reads`);
  // The chart's text: the master's line never left 0 in the last minute; the replicas' did. The
  // charts may follow the diagram a frame later.
  const label = () => page.getByRole('img', { name: /^Reads per database node/ }).getAttribute('aria-label');
  await eventually(async () => /Replica 2 \d+\/s \(lowest \d+\/s, highest [1-9]/.test(await label()));
  const chart = await label();
  assert.match(chart, /Master DB 0\/s(,|$)/, chart);
  assert.match(chart, /Replica 1 \d+\/s \(lowest \d+\/s, highest [1-9]\d*\/s\)/, chart);
  assert.deepEqual(errors, []);
  await context.close();
});

for (const tour of tours) {
  for (const mode of tour.modes) {
    test(`${tour.id}, ${mode}: every checkpoint passes on the page`, async () => {
      const url = `${lab.server.url}?scenario=${tour.id}&step=1&mode=${mode}&speed=10&autoplay=0`;
      const { page, errors, context } = await openPage(lab.browser, url);
      const steps = tour.steps.length;
      let checked = 0;
      for (let i = 0; i < steps; i++) {
        await page.getByText(`Step ${i + 1} of ${steps} (${capital(mode)} mode)`, { exact: true }).waitFor();
        await runShownStep(page, 180_000);
        const checkpoint = checkpointOf(tour.steps[i], mode);
        if (checkpoint) {
          const verdict = (await page.locator('.checkpoint').textContent()).trim();
          assert.match(verdict, /^✓/, `step ${i + 1}: ${verdict}`);
          checkNumbers(checkpoint.kind, verdict);
          checked += 1;
        }
        await page.getByRole('button', { name: 'Next', exact: true }).click();
      }
      await page.getByText(/finished/).waitFor();
      const expected = tour.steps.filter((s) => checkpointOf(s, mode)).length;
      assert.ok(expected > 0, 'every tour checks something in every mode it offers');
      assert.equal(checked, expected);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
}
