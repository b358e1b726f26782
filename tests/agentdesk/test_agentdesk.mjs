// test_agentdesk.mjs — the agent desktop (/agent/) driven as a person would,
// in headless Debian Chromium through playwright-core. Run under
// tests/lib/with-occd.sh (see run.sh): it needs OCC_URL, OCC_SIP_PORT,
// OCC_DATA and occd's fresh demo data (team demo, agents 8001-8006, built-in
// phones 8101-8106 that answer by themselves, the virtual customer on the
// default trunk, DID 800888 → IVR → key 1 → queue 6001).
//
// Output is TAP; the exit status is non-zero on any failure. Every wait is
// bounded and the whole run is capped at RUN_LIMIT_MS.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const RUN_LIMIT_MS = 150_000;
const WAIT_MS = 15_000;       // one state change seen on the page
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const OCCCTL = process.env.OCCCTL || 'build/asan/occctl';
const DATA = process.env.OCC_DATA || '';
const SIP = '127.0.0.1:' + (process.env.OCC_SIP_PORT || '');
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';
const PASSWORD = 'Desk-pw-7Q2x';   // 8001's, set below: distinct from its number

// ---- TAP --------------------------------------------------------------
let n = 0, failed = 0;
function ok(cond, name, diag) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  if (!cond && diag !== undefined) {
    const text = typeof diag === 'string' ? diag : JSON.stringify(diag);
    for (const line of text.split('\n')) console.log(`  # ${line}`);
  }
  return cond;
}
function eq(got, want, name) {
  return ok(got === want, name, { got, want });
}

// ---- occd from the outside ----------------------------------------------------
async function iface(body) {
  const r = await fetch(OCC + '/coccinterfaces', {
    method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return (await r.text()).split('|Retuen|');
}
const cred = (u, p) => `orgidentity=demo&usertype=agent&user=${u}&pwdtype=plaintext&password=${p || u}`;
const children = [];
// an outside caller: occctl call DID, pressing KEYS, hanging up after SECS
function caller(did, keys, secs) {
  const p = spawn(OCCCTL, ['--data', DATA, 'call', did, '--keys', keys, '--sip', SIP,
                           '--from', '13800138000', '--secs', String(secs)],
                  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  const done = new Promise((res) => p.on('exit', (code) => res({ code, out })));
  children.push(p);
  return { proc: p, done, out: () => out };
}

// ---- the page, as a person uses it ------------------------------------------------
const phase = (page) => page.locator('#call-phase').getAttribute('data-phase');
const state = (page) => page.locator('#state').getAttribute('data-state');
async function waitAttr(page, sel, attr, want, what) {
  try {
    await page.waitForFunction(([s, a, w]) => {
      const e = document.querySelector(s);
      return e && e.getAttribute(a) === w;
    }, [sel, attr, want], { timeout: WAIT_MS });
    return ok(true, what);
  } catch (e) {
    const got = await page.locator(sel).getAttribute(attr).catch(() => null);
    const log = await page.locator('#log').innerText().catch(() => '');
    const msg = await page.locator('#msg').innerText().catch(() => '');
    return ok(false, what, { got, want, msg, log });
  }
}
const waitPhase = (page, p, what) => waitAttr(page, '#call-phase', 'data-phase', p, what);
const waitState = (page, s, what) => waitAttr(page, '#state', 'data-state', s, what);
async function waitText(page, sel, re, what) {
  try {
    await page.waitForFunction(([s, r]) => {
      const e = document.querySelector(s);
      return e && new RegExp(r).test(e.innerText);
    }, [sel, re.source], { timeout: WAIT_MS });
    return ok(true, what);
  } catch (e) {
    return ok(false, what, { got: await page.locator(sel).innerText().catch(() => null), want: String(re) });
  }
}
async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png` });
}

async function run(browser) {
  // 8001's password is one the test can look for
  execFileSync(OCCCTL, ['--data', DATA, 'agent', 'passwd', 'demo', '8001', PASSWORD]);
  await new Promise((r) => setTimeout(r, 500));

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [], consoleErrors = [], requests = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => { requests.push(r.url()); if (process.env.DEBUG_POST && r.postData()) console.log('# POST ' + r.postData().replace(/password=[^&]*/, 'password=x')); });
  const missing = [];           // 404s but the browser's own /favicon.ico
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) missing.push(`${r.status()} ${r.url()}`);
  });

  // -- the page and its policy --
  const resp = await page.goto(OCC + '/agent/');
  eq(resp.status(), 200, 'GET /agent/ answers 200');
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/script-src 'self'/.test(csp) && !/unsafe-inline/.test(csp) && /frame-ancestors 'none'/.test(csp),
     'the page has a Content-Security-Policy: scripts from its origin only, never framed', csp);
  const html = await (await fetch(OCC + '/agent/')).text();
  ok(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\son[a-z]+=/i.test(html) && !/\sstyle=/i.test(html),
     'the page has no inline script, handler or style');
  const redirect = await fetch(OCC + '/agent', { redirect: 'manual' });
  eq(redirect.headers.get('location'), '/agent/', '/agent redirects to /agent/');

  // -- log in --
  ok(await page.locator('#login-form').isVisible() && !(await page.locator('#desk').isVisible()) &&
     !(await page.locator('#statebox').isVisible()),
     'before login only the login form shows');
  await shot(page, 'agent-desk-login');
  await page.fill('#l-team', 'demo');
  await page.fill('#l-agent', '8001');
  await page.fill('#l-password', PASSWORD);
  await page.click('#l-submit');
  await page.waitForSelector('#desk:not([hidden])', { timeout: WAIT_MS });
  ok(true, 'the agent logs in (team, agent, password)');
  await waitText(page, '#who-name', /8001.*demo/, 'the header names the agent and team');
  await waitAttr(page, '#push', 'data-up', '1', 'the page follows occ\'s push (/push/sse)');
  eq(await page.inputValue('#l-password'), '', 'the password field is cleared after login');
  await waitState(page, 'logout', 'before check-in the state is logout');
  await waitText(page, '#groups', /Sales \(6001\)/, 'the agent\'s groups are listed with their queues');

  // -- check in on built-in phone 8101 --
  await page.fill('#exten', '8101');
  await page.click('#b-checkin');
  await waitState(page, 'idle', 'checking in (group Sales, phone 8101): state idle');
  await waitText(page, '#groups', /checked in/, 'the group shows checked in');
  await waitText(page, '#state-time', /^00:00:0\d$/, 'the state\'s duration is shown and counts from the change');

  // -- pause with a manual's reason, then ready --
  await page.selectOption('#pause-reason', 'lunch');
  await page.click('#b-pause');
  await waitState(page, 'pause', 'pause (lunch): state pause');
  await waitText(page, '#figures', /Pauses\s*1/, 'today\'s figures count the pause (agentRealtime)');
  await page.click('#b-unpause');
  await waitState(page, 'idle', 'ready again: state idle');

  // -- ACW and work mode --
  await page.selectOption('#acw-mode', '3');
  await page.click('#b-acw');
  await waitText(page, '#msg', /.+/, 'setting the ACW mode answers');
  ok(!(await page.locator('#msg').getAttribute('class') || '').includes('err'),
     'ACW mode "no ACW" is accepted', await page.locator('#msg').innerText());
  await page.selectOption('#work-mode', 'all');
  await page.click('#b-work');
  await page.waitForTimeout(300);
  ok(!(await page.locator('#msg').getAttribute('class') || '').includes('err'),
     'work mode "in and out" is accepted', await page.locator('#msg').innerText());
  await shot(page, 'agent-desk-idle');

  await calls(page, context);

  // -- the layout: 1280x800 and a tablet, English and Chinese --
  const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  ok(await fits(), 'at 1280x800 nothing overflows sideways');
  await waitText(page, '#groupfig', /Sales\s+idle\s+4\s+1\s+3/,
                 'today\'s figures: 4 calls (one to an agent), 1 inbound and 3 outbound answered');
  eq(await page.inputValue('#acw-mode'), '3', 'the ACW select shows the mode in force (no ACW) after the reloads');
  await shot(page, 'agent-desk-figures');
  await page.click('#lang');
  await waitText(page, 'h1', /^坐席工作台$/, 'the language switch shows Chinese labels');
  await waitText(page, '#b-hold', /^保持$/, 'Chinese: the call buttons too');
  await waitText(page, '#state', /^空闲$/, 'Chinese: the state');
  await page.setViewportSize({ width: 820, height: 1180 });
  await page.waitForTimeout(200);
  ok(await fits(), 'on a tablet (820x1180) nothing overflows sideways');
  const w = await page.locator('#b-hangup').boundingBox();
  ok(w && w.height >= 32, 'on a tablet the buttons are large enough to touch', w);
  await shot(page, 'agent-desk-tablet-cn');
  await page.click('#lang');
  await waitText(page, 'h1', /^Agent desktop$/, 'and back to English');
  await page.setViewportSize({ width: 1280, height: 800 });

  // -- where the password went --
  const stores = await page.evaluate(() => JSON.stringify({ s: { ...sessionStorage }, l: { ...localStorage } }));
  ok(!stores.includes(PASSWORD), 'the password is in neither sessionStorage nor localStorage');
  ok(!JSON.stringify({ ...JSON.parse(stores).l }).includes('md5'),
     'localStorage keeps no credential (only the language)', JSON.parse(stores).l);
  ok(!requests.some((u) => u.includes(PASSWORD)), 'the password is never in a URL the page requests');
  const log = readFileSync(process.env.OCC_LOG || '/dev/null', 'utf8');
  ok(!log.includes(PASSWORD), 'the password is not in occd\'s log');

  ok(pageErrors.length === 0, 'no uncaught page errors', pageErrors);
  // -- a campaign's call placed by an integration: its record pops up --
  const ud = encodeURIComponent('name=Zhang San||order=A-17');
  const mc = await iface(`EVENT=MAKECALL&targetdn=13800138001&targettype=exter&modeltype=Campaign&model_id=10&userdata=${ud}&${cred('8001', PASSWORD)}`);
  eq(mc[1], '1', 'an integration places a campaign call for 8001 (makeCall with userdata)');
  await waitPhase(page, 'talking', 'the campaign call is shown talking');
  await waitText(page, '#c-campaign', /^Campaign 10$/, 'pop-up: the campaign (modeltype, model_id)');
  await waitText(page, '#c-record', /^name=Zhang San; order=A-17$/, 'pop-up: the record\'s fields (userdata)');
  await page.click('#b-hangup');
  await waitState(page, 'idle', 'the campaign call hung up: idle');

  // -- log out: checked out, and the tab forgets everything --
  await page.click('#logout');
  await page.waitForSelector('#login-form', { state: 'visible', timeout: WAIT_MS });
  ok(true, 'log out: the login form is back');
  eq(await page.evaluate(() => sessionStorage.getItem('occ.agentdesk')), null,
     'log out: sessionStorage no longer holds the session');
  const st = await iface(`EVENT=AgentRealtime&${cred('8001', PASSWORD)}`);
  eq((st[2] || '').split('|')[2], 'logout', 'log out: the agent is checked out (agentRealtime)');

  ok(missing.length === 0, 'every request of the page succeeds', missing);
  const csperr = consoleErrors.filter((m) => !/Failed to load resource/.test(m));
  ok(csperr.length === 0, 'no console errors (no CSP violations)', csperr);
  await context.close();
}

async function calls(page, context) {
  void context;
  // -- an inbound call: a customer dials DID 800888, presses 1 (Sales) --
  const call = caller('800888', '1', 60);
  await waitPhase(page, 'talking', 'inbound call: the page shows the call talking (built-in phone 8101 answered)');
  await waitText(page, '#log', /Call: ringing/, 'inbound call: the ringing was shown (state changes log)');
  await waitState(page, 'busy', 'inbound call: state busy');
  ok(await page.locator('#popup').isVisible(), 'inbound call: the call pops up');
  await waitText(page, '#c-number', /^13800138000$/, 'pop-up: the caller\'s number');
  await waitText(page, '#c-did', /^800888$/, 'pop-up: the DID dialled');
  await waitText(page, '#c-queue', /^6001 Sales$/, 'pop-up: the queue (6001 Sales)');
  await waitText(page, '#c-dir', /inbound/, 'pop-up: direction inbound');
  await shot(page, 'agent-desk-inbound');

  // -- hold and resume --
  await page.click('#b-hold');
  await waitPhase(page, 'held', 'hold: the call shows on hold');
  ok(await page.locator('#b-hold').isDisabled() && await page.locator('#b-resume').isEnabled(),
     'on hold: Hold is disabled, Resume enabled');
  await page.click('#b-resume');
  await waitPhase(page, 'talking', 'resume: talking again');

  await beforeConsult(page);

  // -- consult another agent (8002, checked in on built-in phone 8102) --
  let r = await iface(`EVENT=QUEUE&type=1&list=1&deviceexten=8102&${cred('8002')}`);
  eq(r[1], '1', 'agent 8002 checks in on phone 8102 (through the HTTP interface)');
  await page.fill('#consult-to', '8002');
  await page.selectOption('#consult-type', 'internal');
  await page.click('#b-consult');
  await waitPhase(page, 'consulting', 'consult 8002: the call shows consulting');
  await waitText(page, '#c-consult', /^8002$/, 'consult: the consulted party is shown');
  try {
    await page.waitForFunction(() => !document.querySelector('#b-transfer').disabled, null, { timeout: WAIT_MS });
    ok(true, 'consult: Transfer is enabled once 8002 answered');
  } catch (e) {
    ok(false, 'consult: Transfer is enabled once 8002 answered');
  }
  await shot(page, 'agent-desk-consult');

  // -- transfer: the customer goes on with 8002, 8001 is free --
  await page.click('#b-transfer');
  await waitPhase(page, 'ended', 'transfer: the call has ended for this agent');
  await waitText(page, '#log', /Transfer → 8002/, 'transfer: the log shows the customer went to 8002');
  await waitState(page, 'idle', 'after the transfer: state idle (no ACW)');
  r = await iface(`EVENT=AgentRealtime&${cred('8002')}`);
  eq((r[2] || '').split('|')[2], 'busy', 'agent 8002 now talks with the customer');

  // the customer and 8002 end; the recording link comes
  r = await iface(`EVENT=HANGUP&target=all&targetagent=8002&${cred('8002')}`);
  eq(r[1], '1', '8002 hangs up');
  try {
    await page.waitForSelector('#recording:not([hidden])', { timeout: WAIT_MS });
    const href = await page.locator('#rec-link').getAttribute('href');
    ok(/\/getMonitor\/.*\.wav\?/.test(href), 'the call\'s recording link is shown afterwards (getMonitor)', href);
    const wav = await fetch(href);
    const buf = Buffer.from(await wav.arrayBuffer());
    ok(wav.status === 200 && buf.subarray(0, 4).toString() === 'RIFF', 'the recording link serves a WAV',
       { status: wav.status });
  } catch (e) {
    ok(false, 'the call\'s recording link is shown afterwards (getMonitor)', String(e));
    ok(false, 'the recording link serves a WAV');
  }
  const end = await Promise.race([call.done, new Promise((res) => setTimeout(() => res(null), WAIT_MS))]);
  ok(end && /answered/i.test(end.out), 'the outside caller was answered and is done', end ? end.out : 'still running');

  // -- makeCall to a number, answered by the virtual customer --
  await page.fill('#dial-to', '13800138000');
  await page.selectOption('#dial-type', 'exter');
  await page.click('#b-dial');
  await waitText(page, '#log', /Call: dialing/, 'makeCall: the agent\'s phone answered, the number is being dialled');
  await waitPhase(page, 'talking', 'makeCall: the customer answered, talking');
  await waitState(page, 'busy', 'makeCall: state busy');
  await waitText(page, '#c-dir', /outbound/, 'makeCall: direction outbound');
  await waitText(page, '#c-number', /^13800138000$/, 'makeCall: the number called');

  await duringMakeCall(page);

  // the DTMF keypad
  await page.click('#keypad [data-key="5"]');
  await waitText(page, '#msg', /BackMsg_99|DTMF/, 'the keypad sends DTMF on the call');
  await page.click('#b-hangup');
  await waitPhase(page, 'ended', 'hang up: the call has ended');
  await waitState(page, 'idle', 'after hang-up: state idle');
  await waitText(page, '#groupfig', /Sales\s+idle\s+2\s+1\s+1/,
                 'today\'s figures (agentStatisticDay): 2 calls, 1 inbound and 1 outbound answered');
  await waitText(page, '#cdrs', /13800138000/, 'today\'s calls are listed');

  await consultFurther(page);
  await agentCall(page);
}

// Dial an agent (makeCall inner) with after-call work on: the state goes
// to ACW after the call, and End ACW makes the agent idle.
async function agentCall(page) {
  await page.selectOption('#acw-mode', '2');
  await page.click('#b-acw');
  await page.waitForFunction(() => /ACW|话后/.test(document.querySelector('#msg').innerText), null, { timeout: WAIT_MS }).catch(() => {});
  await page.fill('#dial-to', '8002');
  await page.selectOption('#dial-type', 'inner');
  await page.click('#b-dial');
  await waitPhase(page, 'talking', 'dial an agent (8002): talking');
  await page.click('#b-hangup');
  await waitPhase(page, 'ended', 'the agent call has ended');
  await waitState(page, 'acw', 'ACW after answer: the state is after-call work');
  await page.click('#b-acwoff');
  await waitState(page, 'idle', 'End ACW: idle again');
  await page.selectOption('#acw-mode', '3');
  await page.click('#b-acw');
  await page.selectOption('#dial-type', 'exter');
}

// Consult, call return, consult again, conference; an agent-to-IVR refused.
async function consultFurther(page) {
  await page.fill('#dial-to', '13800138000');
  await page.click('#b-dial');
  await waitPhase(page, 'talking', 'a second makeCall: talking');
  await page.fill('#consult-to', '8002');
  await page.click('#b-consult');
  await waitPhase(page, 'consulting', 'consult 8002 again: consulting');
  await page.waitForFunction(() => !document.querySelector('#b-return').disabled, null, { timeout: WAIT_MS }).catch(() => {});
  await page.click('#b-return');
  await waitPhase(page, 'talking', 'call return: back with the customer, talking');
  await waitText(page, '#c-consult', /^$/, 'call return: no consulted party any more');
  await page.click('#b-consult');
  await waitPhase(page, 'consulting', 'consult once more: consulting');
  await page.waitForFunction(() => !document.querySelector('#b-conference').disabled, null, { timeout: WAIT_MS }).catch(() => {});
  await page.click('#b-conference');
  await waitPhase(page, 'conference', 'conference: customer, 8001 and 8002 together');
  await page.fill('#ivr-exten', '6000');
  await page.fill('#ivr-flow', '9-9');
  const prev = await page.locator('#msg').innerText();
  await page.click('#b-ivr');
  try {
    await page.waitForFunction((p) => document.querySelector('#msg').innerText !== p, prev, { timeout: WAIT_MS });
    ok(true, 'agent-to-IVR answers');
  } catch (e) {
    ok(false, 'agent-to-IVR answers', prev);
  }
  ok((await page.locator('#msg').getAttribute('class')) === 'err',
     'agent-to-IVR with a path of missing keys is refused, in red', await page.locator('#msg').innerText());
  await page.click('#b-hangup');
  await waitPhase(page, 'ended', 'hang up in the conference: the call has ended for this agent');
  await iface(`EVENT=HANGUP&target=all&targetagent=8002&${cred('8002')}`);
  await waitState(page, 'idle', 'and the state is idle again');
}

const secsOf = (hms) => hms.split(':').reduce((a, x) => a * 60 + Number(x), 0);

// A reload mid-call: the call goes on and the page comes back with it.
async function reloaded(page, what) {
  await page.waitForTimeout(2100);       // the state has lasted a while
  const before = secsOf(await page.locator('#state-time').innerText());
  const number = await page.locator('#c-number').innerText();
  await page.reload();
  await page.waitForSelector('#desk:not([hidden])', { timeout: WAIT_MS });
  ok(true, `${what}: after a reload the desk is back without logging in again`);
  await waitPhase(page, 'talking', `${what}: after the reload the call is shown talking`);
  await waitState(page, 'busy', `${what}: after the reload the state is busy`);
  await waitText(page, '#c-number', new RegExp('^' + number + '$'), `${what}: after the reload the pop-up shows ${number}`);
  await page.waitForTimeout(300);
  const after = secsOf(await page.locator('#state-time').innerText());
  ok(after >= before, `${what}: the state's duration goes on across the reload (${before} s → ${after} s)`);
  await waitAttr(page, '#push', 'data-up', '1', `${what}: the push is followed again`);
}

async function beforeConsult(page) {
  await reloaded(page, 'inbound call');
  // the page is away while the call is put on hold elsewhere (an
  // integration's HTTP call): back, it catches up from its last eventid
  await page.goto('about:blank');
  const r = await iface(`EVENT=Hold&silence=0&${cred('8001', PASSWORD)}`);
  eq(r[1], '1', 'while the page is away the call is put on hold (HTTP interface)');
  await page.goto(OCC + '/agent/');
  await waitPhase(page, 'held', 'back on the page: the hold made while away is shown (replay after the last eventid)');
  await waitText(page, '#log', /Call: on hold[^]*Call: talking[^]*Call: on hold/,
                 'the log of state changes survived and goes on');
  await page.click('#b-resume');
  await waitPhase(page, 'talking', 'resume from the page: talking');
}

async function duringMakeCall(page) {
  await reloaded(page, 'makeCall');
}

// ---- main ---------------------------------------------------------------------
async function main() {
  if (!OCC || !DATA) {
    console.log('Bail out! OCC_URL and OCC_DATA must be set (run under tests/lib/with-occd.sh)');
    process.exit(1);
  }
  const limit = setTimeout(() => {
    console.log(`not ok ${++n} - the run ended within ${RUN_LIMIT_MS} ms`);
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
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
}
main();
