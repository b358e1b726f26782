// test_scale.mjs — the wallboard at a smaller scale than bench/wallboard
// (60 agents, 6 queues, 20 state changes a second for 5 s; scale.mjs is
// the benchmark's driver): every change is shown on the page, and at the
// end its per-queue agent counts are the API's. Then the agents' table,
// which draws only the rows near the screen: the last agent's row is not
// drawn at the top of the page, its state changes meanwhile, and scrolled
// to it is drawn with the API's state and a "Since" that kept counting;
// the queue counters still agree. Correctness, not timing.
// Run under tests/lib/with-occd.sh (run.sh).
import { spawnSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { OCC, OCCCTL, DATA, tap, ok, eq } from '../lib/pagetap.mjs';
import * as S from '../../bench/wallboard/scale.mjs';

const N = 60, G = 6, FIRST = 20001;
const agents = Array.from({ length: N }, (_, i) => String(FIRST + i));

async function main() {
  const limit = setTimeout(() => { ok(false, 'the run ended within 75 s'); console.log(`1..${tap.n}`); process.exit(1); }, 75_000);
  const p = spawnSync('python3', ['-B', new URL('../../bench/wallboard/provision.py', import.meta.url).pathname,
                                  '--ctl', `${OCCCTL} --data ${DATA}`, '--db', `${DATA}/occ.db`,
                                  '--team', 'scale', '--agents', String(N), '--groups', String(G)],
                      { encoding: 'utf8' });
  if (!ok(p.status === 0, `${N} agents in ${G} groups provisioned (occctl)`, p.stderr)) process.exit(1);
  const gids = p.stdout.trim().split(',').map(Number);
  const groupOf = (a) => gids[(Number(a) - FIRST) % G];
  process.kill(Number(process.env.OCC_PID), 'SIGHUP');
  const api = S.client(OCC, 'scale', 'pw'), admin = S.client(OCC, 'scale', 'adminpw');
  let r = '';
  for (let i = 0; i < 100 && !r.startsWith('|Retuen|1|'); i++) {
    await new Promise((res) => setTimeout(res, 100));
    r = await api.call(agents[N - 1], { EVENT: 'AGENTSTATUS' }).catch(() => '');
  }
  ok(r.startsWith('|Retuen|1|'), 'occd reloaded the new team (SIGHUP)', r);
  await S.checkInAll(api, agents, groupOf, 4);
  ok(true, `${N} agents checked in`);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          headless: true, args: ['--no-sandbox'] });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await S.openBoard(page, OCC, 'scale', 'admin', 'adminpw');
    await S.waitRows(page, N, 'idle', 20_000);
    ok(true, `the wallboard shows ${N} agents, all idle`);
    await S.observe(page);
    const changes = await S.drive(api, agents, groupOf, 20, 5);
    eq(changes.filter((c) => !c.ok).length, 0, `all ${changes.length} changes accepted`);
    await new Promise((res) => setTimeout(res, 4000));
    const m = S.match(changes, await S.observed(page), S.now());
    const missed = m.filter((c) => c.settled === null);
    ok(missed.length === 0, `every change is shown on the page (${m.length})`,
       missed.slice(0, 5).map((c) => `${c.agent} → ${c.want}`));
    const diff = await S.queuesAgree(page, admin, 'admin', 10_000);
    ok(diff.length === 0, 'each queue\'s agents by state on the page are the API\'s', diff.slice(0, 5));

    // -- the agents' table draws only the rows near the screen (wallboard.css,
    // content-visibility: auto); a row out of view still follows its agent --
    // (a skipped row's cells are what checkVisibility reports as not drawn)
    const far = agents[N - 1], sel = `#agents tr[data-agent="${far}"]`, cell = `${sel} td[data-k="state"]`;
    const drawn = () => page.$eval(cell, (td) => td.checkVisibility({ contentVisibilityAuto: true }));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.waitForFunction((q) => !document.querySelector(q).checkVisibility({ contentVisibilityAuto: true }),
                               cell, { timeout: 5000 }).catch(() => {});
    ok(!(await drawn()), `agent ${far}, far down the list, is not drawn while off screen`);
    const was = await page.getAttribute(sel, 'data-state');
    const want = was === 'pause' ? 'idle' : 'pause';
    r = await api.call(far, want === 'pause' ? { EVENT: 'QUEUEPAUSE', type: '1', pause_reason: 'rest', pushevent: 'yes' }
                                             : { EVENT: 'QUEUEPAUSE', type: '2', pushevent: 'yes' });
    ok(r.startsWith('|Retuen|1|'), `agent ${far} changes from ${was} to ${want} while off screen`, r);
    await new Promise((res) => setTimeout(res, 3500));
    ok(!(await drawn()), 'the row stayed off screen (not drawn) meanwhile');
    await page.locator(sel).scrollIntoViewIfNeeded();
    await page.waitForFunction((q) => document.querySelector(q).checkVisibility({ contentVisibilityAuto: true }),
                               cell, { timeout: 5000 }).catch(() => {});
    ok(await drawn(), 'scrolled to, the row is drawn');
    const j = JSON.parse(await admin.call('admin', { EVENT: 'QueueStatistic' }, 'account'));
    const apiState = ((j.agents || []).find((a) => a.agent === far) || {}).state;
    eq(apiState, want, `the API has agent ${far} ${want}`);
    eq(await page.getAttribute(sel, 'data-state'), apiState, 'the row shows the API\'s state');
    eq(await page.innerText(`${sel} td[data-k="state"]`), want === 'pause' ? 'Paused' : 'Idle',
       'and its label is the one on screen');
    const since = (await page.innerText(`${sel} td[data-k="since"]`)).split(':').reduce((a, x) => a * 60 + Number(x), 0);
    ok(since >= 2 && since <= 15, `"Since" counted while the row was off screen (${since} s)`);
    const diff2 = await S.queuesAgree(page, admin, 'admin', 10_000);
    ok(diff2.length === 0, 'after the change the queues\' agents by state are still the API\'s', diff2.slice(0, 5));
    ok(errors.length === 0, 'no page errors', errors);
  } catch (e) {
    ok(false, 'the run completes', String(e && e.stack || e));
  } finally {
    await browser.close();
    clearTimeout(limit);
  }
  console.log(`1..${tap.n}`);
  process.exit(tap.failed ? 1 : 0);
}
main();
