// test_wallboard.mjs — the supervisor wallboard (/wallboard/) driven as a
// person would, in headless Debian Chromium through playwright-core. Run
// under tests/lib/with-occd.sh (see run.sh) with occd's fresh demo data
// (team demo: 8001 leads Sales, queue 6001, with 8002 and 8003; account
// admin/admin; built-in phones 8101-8106 that answer by themselves; DID
// 800888 → IVR → key 1 → queue 6001).
//
// Output is TAP; the exit status is non-zero on any failure. Every wait is
// bounded and the whole run is capped at RUN_LIMIT_MS.
import { chromium } from 'playwright-core';
import {
  OCC, DATA, WAIT_MS, tap, ok, eq, iface, cred, caller, children, waitText, waitAttr,
} from '../lib/pagetap.mjs';

const RUN_LIMIT_MS = 55_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';

const Q = 'tr[data-queue="6001"]';
// a supervision of a call the leader is in, or that would ring a phone in it
const REFUSED = '|Retuen|2|Retuen|BackMsg_28[target]';
const A = (n) => `tr[data-agent="${n}"]`;
const secsOf = (s) => s.split(':').reduce((a, x) => a * 60 + Number(x), 0);

async function login(page, team, type, user, password) {
  await page.goto(OCC + '/wallboard/');
  await page.fill('#l-team', team);
  await page.selectOption('#l-type', type);
  await page.fill('#l-user', user);
  await page.fill('#l-password', password);
  await page.click('#l-submit');
}

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [], consoleErrors = [], requests = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));

  // -- the page and its policy --
  const resp = await page.goto(OCC + '/wallboard/');
  eq(resp.status(), 200, 'GET /wallboard/ answers 200');
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/script-src 'self'/.test(csp) && !/unsafe-/.test(csp) && /frame-ancestors 'none'/.test(csp),
     'the page has a Content-Security-Policy: scripts from its origin only, never framed', csp);
  const html = await (await fetch(OCC + '/wallboard/')).text();
  ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\son[a-z]+=/i.test(html) && !/\sstyle=/i.test(html),
     'the page has no inline script, handler or style');
  const redirect = await fetch(OCC + '/wallboard', { redirect: 'manual' });
  eq(redirect.headers.get('location'), '/wallboard/', '/wallboard redirects to /wallboard/');

  // -- an agent who leads no group is refused, by the page and the API --
  await login(page, 'demo', 'agent', '8003', '8003');
  await waitAttr(page, '#msg', 'data-code', '2', 'agent 8003 (no leader) is refused');
  await waitText(page, '#msg', /.+/, 'the refusal is explained');
  ok(await page.locator('#board').isHidden(), 'the refused agent sees no board');
  let j = JSON.parse(await iface(`EVENT=QueueStatistic&${cred('8003')}&language=en`));
  ok(j.code === 2 && /BackMsg_65|leader/i.test(j.message), 'QueueStatistic refuses an agent who leads no group (BackMsg_65)', j);

  // -- the leader logs in; the alarm threshold is one caller --
  await login(page, 'demo', 'agent', '8001', '8001');
  await page.waitForSelector('#board:not([hidden])', { timeout: WAIT_MS });
  ok(true, 'group leader 8001 logs in');
  // (at once: a later poll's state would disable them anyway)
  await page.waitForSelector(`${A('8002')} button[data-op="ForcedRelease"]`, { timeout: WAIT_MS });
  ok(await page.locator(`${A('8002')} button[data-op="SILENTMONITOR"]`).isDisabled() &&
     await page.locator(`${A('8002')} button[data-op="ForcedRelease"]`).isDisabled(),
     'an agent without a call has its supervision buttons disabled from the first view');
  eq(await page.inputValue('#l-password'), '', 'the password field is cleared');
  await waitText(page, `${Q} td[data-k="queue"]`, /6001 Sales/, 'the leader\'s queue is shown (6001 Sales)');
  ok(await page.locator('tr[data-queue="6002"]').count() === 0, 'a queue the leader does not lead is not shown');
  await waitAttr(page, '#push', 'data-up', '1', 'the page follows occ\'s push (team token, /push/sse)');
  await page.fill('#al-waiting', '1');
  await page.dispatchEvent('#al-waiting', 'change');
  await page.fill('#phone', '8101');
  await waitText(page, `${Q} td[data-k="waiting"]`, /^0$/, 'nobody waits yet');
  eq(await page.locator(Q).getAttribute('data-alarm'), '0', 'no alarm while nobody waits');
  const monitor = (a) => page.locator(`${A(a)} button[data-op="SILENTMONITOR"]`);
  ok(await monitor('8002').isDisabled(), 'Monitor is off for agent 8002, in no call');

  // -- a customer calls and waits: nobody is checked in --
  const call = caller('800888', '1', 40);
  await waitText(page, `${Q} td[data-k="waiting"]`, /^1$/, 'a caller waits in queue 6001: the page shows 1 waiting');
  await waitAttr(page, Q, 'data-alarm', '1', 'waiting crossed the threshold: the queue is highlighted');
  ok(await page.locator(`${Q}.alarm`).count() === 1, 'the alarm is the row\'s class (highlight)');
  const w1 = secsOf(await page.locator(`${Q} td[data-k="longest_wait"]`).innerText());
  await page.waitForTimeout(2500);
  const w2 = secsOf(await page.locator(`${Q} td[data-k="longest_wait"]`).innerText());
  ok(w2 > w1, `the longest wait grows (${w1} s → ${w2} s)`);
  await shot(page, 'wallboard-waiting');

  // -- an agent checks in and takes the call --
  let r = await iface(`EVENT=QUEUE&type=1&list=1&deviceexten=8102&${cred('8002')}`);
  ok(r.startsWith('|Retuen|1|'), 'agent 8002 checks in on phone 8102 (HTTP interface)', r);
  await waitAttr(page, A('8002'), 'data-state', 'busy', 'the page shows 8002 talking (busy)');
  await waitText(page, `${A('8002')} td[data-k="party"]`, /^13800138000$/, 'with the customer\'s number');
  ok(await monitor('8002').isEnabled(), 'Monitor is on for 8002 in its call');
  await waitText(page, `${Q} td[data-k="answered"]`, /^1$/, 'the queue\'s answered count is 1');
  await waitText(page, `${Q} td[data-k="waiting"]`, /^0$/, 'nobody waits any more');
  await waitAttr(page, Q, 'data-alarm', '0', 'the alarm is off');
  await waitText(page, `${Q} td[data-k="s_busy"]`, /^1$/, 'agents by state: 1 talking');
  await waitText(page, `${Q} td[data-k="service_level"]`, /^\d+%$/, 'the service level is shown');
  j = JSON.parse(await iface(`EVENT=QueueStatistic&${cred('8001')}`));
  const q = (j.queues || []).find((x) => x.queue === '6001') || {};
  eq(await page.locator(`${Q} td[data-k="answered"]`).innerText(), String(q.answered),
     'the page\'s answered count is the API\'s (QueueStatistic)');
  eq(await page.locator(`${Q} td[data-k="service_level"]`).innerText(), `${q.service_level}%`,
     'the page\'s service level is the API\'s');
  await shot(page, 'wallboard');

  // -- "Supervise with" the browser phone, not registered (no [web]
  // phone_ws in this run): the page refuses before asking occd --
  await page.selectOption('#phone-kind', 'browser');
  await waitText(page, '#ph-state', /unavailable/, 'without [web] phone_ws the browser phone says it is unavailable');
  await page.click(`${A('8002')} button[data-op="SILENTMONITOR"]`);
  await waitText(page, '#msg', /^Register the browser phone first/, 'Monitor with the browser phone unregistered asks to register it');
  eq(await page.locator('#msg').getAttribute('data-code'), '0', 'as a refusal (code 0)');
  await page.selectOption('#phone-kind', 'sip');
  ok(await page.locator('#phone-card').isHidden(), 'back to "my phone": the browser phone\'s card is hidden');

  // -- the leader is an agent of Sales too: checked in (idle), he is busy
  // while he supervises; a supervision that would ring the agent's own
  // phone is refused --
  r = await iface(`EVENT=QUEUE&type=1&list=1&deviceexten=8103&${cred('8001')}`);
  ok(r.startsWith('|Retuen|1|'), 'leader 8001 checks in on phone 8103', r);
  r = await iface(`EVENT=SILENTMONITOR&target=8002&phonenumber=8102&${cred('8001')}`);
  eq(r, REFUSED, 'silentMonitor of 8002 with 8002\'s own phone (8102) is refused: BackMsg_28[target]');

  // -- the leader monitors 8002's call with his phone, then releases it --
  await page.click(`${A('8002')} button[data-op="SILENTMONITOR"]`);
  await waitText(page, '#msg', /^Monitor 8002: /, 'silentMonitor from the page answers');
  eq(await page.locator('#msg').getAttribute('data-code'), '1', 'silentMonitor is accepted (code 1)');
  await waitAttr(page, A('8002'), 'data-supervisor', '8001', '8002\'s row says who supervises its call (8001)');
  await waitText(page, `${A('8002')} td[data-k="sup"]`, /^monitored by 8001$/, 'as "monitored by 8001"');
  await waitAttr(page, A('8001'), 'data-state', 'busy', 'the leader\'s own row shows him talking while he monitors');
  const own = ['SILENTMONITOR', 'Whisper', 'INTRUDE'].map((op) => page.locator(`${A('8001')} button[data-op="${op}"]`));
  ok((await Promise.all(own.map((b) => b.isDisabled()))).every(Boolean),
     'his own row\'s Monitor, Whisper and Intrude stay off (he cannot supervise his own supervision)');
  r = await iface(`EVENT=Whisper&target=8002&phonenumber=8101&${cred('8001')}`);
  eq(r, '|Retuen|2|Retuen|BackMsg_49', 'occd refuses the leader a whisper into the call he monitors already (BackMsg_49)');
  await page.click(`${A('8002')} button[data-op="ForcedRelease"]`);
  await waitText(page, '#msg', /^Release 8002: /, 'forcedRelease from the page answers');
  eq(await page.locator('#msg').getAttribute('data-code'), '1', 'forcedRelease is accepted (code 1)');
  await waitAttr(page, A('8002'), 'data-state', 'idle', 'after the release 8002 is idle again');
  await page.waitForFunction((q) => document.querySelector(q).disabled,
                             `${A('8002')} button[data-op="SILENTMONITOR"]`, { timeout: 5000 }).catch(() => {});
  ok(await monitor('8002').isDisabled(), 'and its Monitor is off again');
  await waitText(page, `${A('8002')} td[data-k="sup"]`, /^$/, 'and nobody is shown supervising it');
  await waitAttr(page, A('8001'), 'data-state', 'idle', 'the leader is idle again');
  const end = await Promise.race([call.done, new Promise((res) => setTimeout(() => res(null), WAIT_MS))]);
  ok(end && /answered/i.test(end.out), 'the outside caller was answered and is done', end ? end.out : 'still running');
  await waitText(page, `${Q} td[data-k="aht"]`, /^\d+:\d\d$/, 'the handle time is shown once the call ended');

  // -- Chinese labels --
  await page.click('#lang');
  await waitText(page, 'h1', /^监控墙$/, 'the language switch shows Chinese labels');
  await waitText(page, `${A('8002')} td[data-k="state"]`, /^空闲$/, 'Chinese: the agent\'s state');
  await waitText(page, `${A('8002')} button[data-op="SILENTMONITOR"]`, /^监听$/, 'Chinese: the supervision buttons');
  await page.click('#lang');
  await waitText(page, 'h1', /^Wallboard$/, 'and back to English');
  ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
     'at 1280x800 nothing overflows sideways');
  ok(!requests.some((u) => u.includes('password=')), 'the password is never in a URL the page requests');
  const stores = await page.evaluate(() => JSON.stringify({ ...sessionStorage, ...localStorage }));
  ok(!/password|8001"/.test(stores), 'nothing of the credential is stored', stores);
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible', timeout: WAIT_MS });
  ok(true, 'log out: the login form is back');

  // -- the team account sees every queue --
  await login(page, 'demo', 'account', 'admin', 'admin');
  await page.waitForSelector('#board:not([hidden])', { timeout: WAIT_MS });
  ok(true, 'the team account admin logs in');
  await waitText(page, 'tr[data-queue="6002"] td[data-k="queue"]', /6002 Support/, 'the account sees queue 6002 too');
  await waitText(page, `${Q} td[data-k="answered"]`, /^1$/, 'and the same answered count for 6001');

  ok(pageErrors.length === 0, 'no uncaught page errors', pageErrors);
  const csperr = consoleErrors.filter((m) => !/Failed to load resource/.test(m));
  ok(csperr.length === 0, 'no console errors (no CSP violations)', csperr);
  await context.close();
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function main() {
  if (!OCC || !DATA) {
    console.log('Bail out! OCC_URL and OCC_DATA must be set (run under tests/lib/with-occd.sh)');
    process.exit(1);
  }
  const limit = setTimeout(() => {
    ok(false, `the run ended within ${RUN_LIMIT_MS} ms`);
    console.log(`1..${tap.n}`);
    for (const c of children) c.kill('SIGKILL');
    process.exit(1);
  }, RUN_LIMIT_MS);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
                                          args: ['--no-sandbox'] });
  try {
    await run(browser);
  } catch (e) {
    ok(false, 'the run completes', String(e && e.stack || e));
  } finally {
    await browser.close();
    for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
    clearTimeout(limit);
  }
  console.log(`1..${tap.n}`);
  process.exit(tap.failed ? 1 : 0);
}
main();
