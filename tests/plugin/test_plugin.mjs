// test_plugin.mjs — the original plugin (astcc_CJI.js, jQuery) and its
// browser extension's push client, as integrators in the field load them,
// against occd in headless Chromium (playwright-core). Run it under
// tests/lib/with-occd.sh (see run.sh): it needs OCC_URL, OCC_SIP_PORT and
// occd's fresh demo data (team demo, agents 8001-8006, the virtual customer
// trunk).
//
// The page is served by a node:http server of our own on another 127.0.0.1
// port (cross-origin, as on a third-party page) and is written the way the
// original is — we do not have the vendor's file; it is built from the facts
// in ORIGINAL-CLIENT-WIRE.md and issue 11:
//   - jQuery 1.11.3 from npm;
//   - form POSTs to /asterccinterfaces with $.ajax, dataType left to jQuery,
//     the reply split on '|Retuen|' and a callback only for 3 parts;
//   - JSONP GETs with $.getJSON(url + '?callback=?', fields);
//   - MyInfo: $.get then $.parseJSON outside any try (kind 'myinfo');
//   - the extension's push client: GET /getccdate/getccdate, then long-polls
//     /agentindesks/agentpull/<org>-<agent>-<md5 password> with
//     If-None-Match / If-Modified-Since from the last reply's Etag /
//     Last-Modified, splits the text on \r\n, replaces ' by " and
//     $.parseJSON's each line; it polls again at once, even after an error.
//
// The plugin calls are one table (ROWS): a later operation is one more row.
// Checks: each row's callback and code; the agent notification events of the
// rows (login, paused, nopaused, workway..., acw...) and the call events of a
// real call (makeCall answered by a sipp phone registered as 8003, the
// virtual customer behind the demo trunk) arrive through the long-poll in
// order with their fields at the top level; a bad channel does not make the
// client spin (requests counted over a few seconds).
//
// Output is TAP; non-zero exit on any failure; every wait is bounded and
// the run is capped at RUN_LIMIT_MS.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const RUN_LIMIT_MS = 75_000;
const WAIT_MS = 10_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const SIP_PORT = process.env.OCC_SIP_PORT || '';
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const scen = path.join(root, 'tests/sip/scenarios');
const JQUERY = path.join(here, 'node_modules/jquery/dist/jquery.js');

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

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the plugin calls -------------------------------------------------------
// kind: 'post' (EVENT=call, |Retuen|), 'jsonp' (/setevent/<call>), 'myinfo'
// ($.get + $.parseJSON). code: the callback's code. pushed: the agent
// notification events the call must push (pushevent=yes), in order.
const AGENT = '8003';
const CRED = { usertype: 'agent', user: AGENT, orgidentity: 'demo',
               pwdtype: 'md5', password: md5(AGENT) };
const ROWS = [
  { name: 'queueActionCJI: check in to group 1', kind: 'post', call: 'QUEUE',
    fields: { type: 1, ...CRED, list: '1,', deviceexten: '', pushevent: 'yes' },
    code: '1', pushed: ['login'] },
  { name: 'queuePauseCJI: pause', kind: 'post', call: 'QUEUEPAUSE',
    fields: { type: 1, ...CRED, pause_reason: 'rest', pushevent: 'yes', dnd: '' },
    code: '1', pushed: ['paused'] },
  { name: 'queuePauseCJI: unpause', kind: 'post', call: 'QUEUEPAUSE',
    fields: { type: 2, ...CRED, pause_reason: '', pushevent: 'yes', dnd: '' },
    code: '1', pushed: ['nopaused'] },
  { name: 'workwayActionCJI: dialout', kind: 'post', call: 'WORKWAY',
    fields: { status: 'dialout', ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['workwaydialout'] },
  { name: 'workwayActionCJI: dialin', kind: 'post', call: 'WORKWAY',
    fields: { status: 'dialin', ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['workwaydialin'] },
  { name: 'workwayActionCJI: all', kind: 'post', call: 'WORKWAY',
    fields: { status: 'all', ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['workwayall'] },
  { name: 'acwActionCJI: after ring', kind: 'post', call: 'ACW',
    fields: { type: 1, ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['acwring'] },
  { name: 'acwActionCJI: off', kind: 'post', call: 'ACW',
    fields: { type: 3, ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['acwoff'] },
  { name: 'acwActionCJI: after answer', kind: 'post', call: 'ACW',
    fields: { type: 2, ...CRED, agent_group_id: '1', pushevent: 'yes' },
    code: '1', pushed: ['acwanswer'] },
  { name: 'agentStatusCJI', kind: 'jsonp', call: 'agentStatusCJI',
    fields: { orgidentity: 'demo', usertype: 'agent', user: AGENT, pwdtype: 'md5', password: md5(AGENT) },
    code: 1 },
  { name: 'agentRealtimeCJI', kind: 'jsonp', call: 'agentRealtimeCJI',
    fields: { orgidentity: 'demo', usertype: 'agent', user: AGENT, pwdtype: 'md5', password: md5(AGENT) },
    code: 1 },
  { name: 'teamStatusCJI (an agent may not: a callback all the same)', kind: 'jsonp',
    call: 'teamStatusCJI',
    fields: { status: '', orgidentity: 'demo', usertype: 'agent', user: AGENT, pwdtype: 'md5', password: md5(AGENT) } },
  // nothing rings for the agent: BackMsg_92 (tests/plugin-calls answers a
  // ringing sipp phone with it)
  { name: 'yealinkAnswerCJI (nothing rings: code 2)', kind: 'jsonp', call: 'yealinkAnswerCJI',
    fields: { orgidentity: 'demo', type: '', target: '127.0.0.1', phoneuser: AGENT, phonepwd: AGENT },
    code: 2 },
];
// the call: makeCall (POST), the phone answers, then hangupCJI (JSONP)
const MAKECALL = { name: 'makeCallCJI: call the customer', kind: 'post', call: 'MAKECALL',
  fields: { targetdn: '13800138000', targettype: 'exter', agentgroupid: '1', ...CRED,
            modeltype: 'BusinessApp', model_id: '42', userdata: "it's ok", agentexten: '',
            callerid: '', callername: '', trunkidentity: '', cidtype: '' },
  code: '1' };
const ACWOFF = { name: 'acwOffCJI: end the after-call work', kind: 'post', call: 'ACWOFF',
  fields: { ...CRED, pushevent: 'yes' }, code: '1' };
const HANGUP = { name: 'hangupCJI: the agent hangs up', kind: 'jsonp', call: 'hangupCJI',
  fields: { uniqueid: '', targetagent: '', target: 'agent', pwdtype: 'md5',
            password: md5(AGENT), usertype: 'agent', user: AGENT, orgidentity: 'demo' },
  code: 1 };

// ---- the integrator's page ------------------------------------------------
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>the original plugin</title>
<script src="/jquery.js"></script>
<script>
var OCC = ${JSON.stringify(OCC)};
// as astcc_CJI.js sends its calls
function cjiPost(event, fields, cb) {
  $.ajax({ type: 'POST', url: OCC + '/asterccinterfaces',
           data: $.extend({ EVENT: event }, fields),
           success: function (data) {
             var p = data.split('|Retuen|');
             if (p.length == 3) cb({ code: p[1], message: p[2] });
           } });
}
function cjiJsonp(fn, fields, cb) {
  $.getJSON(OCC + '/setevent/' + fn + '?callback=?', fields, function (r) { cb(r); });
}
function cjiMyInfo(event, fields, cb) {
  $.get(OCC + '/asterccinterfaces', $.extend({ EVENT: event }, fields),
        function (data) { cb($.parseJSON(data)); });
}
window.runRow = function (row, ms) {
  return new Promise(function (resolve, reject) {
    var t = setTimeout(function () { reject(new Error(row.name + ': no callback within ' + ms + ' ms')); }, ms);
    var done = function (r) { clearTimeout(t); resolve(r); };
    var f = { post: cjiPost, jsonp: cjiJsonp, myinfo: cjiMyInfo }[row.kind];
    f(row.call, row.fields, done);
  });
};

// as the extension's push client polls
window.pushed = [];
window.pulls = 0;
var pull = { running: false, etag: null, lastModified: null, url: '' };
function callAgentPull() {
  if (!pull.running) return;
  window.pulls++;
  pull.req = $.ajax({
    beforeSend: function (xhr) {
      xhr.setRequestHeader('If-None-Match', pull.etag);
      xhr.setRequestHeader('If-Modified-Since', pull.lastModified);
    },
    url: pull.url + '?_=' + new Date().getTime(), dataType: 'text', type: 'get', cache: false,
    success: function (data, status, xhr) {
      pull.etag = xhr.getResponseHeader('Etag');
      pull.lastModified = xhr.getResponseHeader('Last-Modified');
      if (xhr.status == 200 && data != null) {
        var lines = data.split('\\r\\n');
        for (var i = 0; i < lines.length; i++)
          if (lines[i] != '') window.pushed.push($.parseJSON(lines[i].replace(/'/g, '"')));
      }
      callAgentPull();
    },
    error: function (xhr) {
      pull.etag = xhr.getResponseHeader('Etag');
      pull.lastModified = xhr.getResponseHeader('Last-Modified');
      callAgentPull();
    } });
}
// resumeFrom: an HTTP date to start from without getccdate (a client
// resuming from a stored Last-Modified)
window.startAgentPull = function (org, agent, md5pw, resumeFrom) {
  pull.url = OCC + '/agentindesks/agentpull/' + org + '-' + agent + '-' + md5pw;
  if (resumeFrom) {
    pull.running = true;
    pull.etag = 0;
    pull.lastModified = resumeFrom;
    callAgentPull();
    return Promise.resolve(resumeFrom);
  }
  return new Promise(function (resolve, reject) {
    $.get(OCC + '/getccdate/getccdate', function (r) {
      if (r == null || r.ccdate == null) { reject(new Error('no ccdate')); return; }
      pull.running = true;
      pull.etag = 0;
      pull.lastModified = r.ccdate;
      callAgentPull();
      resolve(r.ccdate);
    }, 'json').fail(function (x) { reject(new Error('getccdate: HTTP ' + x.status)); });
  });
};
window.stopAgentPull = function () {
  pull.running = false;
  if (pull.req) try { pull.req.abort(); } catch (e) {}
};
</script></head><body><h1>An integration of the original plugin</h1></body></html>
`;

function startStatic() {
  const jq = fs.readFileSync(JQUERY);
  const srv = http.createServer((req, res) => {
    const p = new URL(req.url, 'http://x').pathname;
    if (p === '/jquery.js') {
      res.writeHead(200, { 'Content-Type': 'application/javascript' });
      res.end(jq);
    } else if (p === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(PAGE);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

// ---- the agent's phone: sipp registers as 8003, then answers one call -------
// its ports: the block P..P+5 run.sh took (take_ports, flock'ed): sipp
// -p P, -mp P+2 (and P+4 for video), for the REGISTER's sipp too, which
// would take 6000 otherwise and race with other suites' sipps
const PHONE_PORT = Number(process.env.OCC_PHONE_PORT || 0);
const procs = [];
function phoneRegister(dir, port) {
  fs.writeFileSync(path.join(dir, 'users.csv'),
    `SEQUENTIAL\n${AGENT};demo;[authentication username=${AGENT} password=${AGENT}];3600\n`);
  const r = spawnSync('timeout', ['-k', '2', '20', 'sipp', '-sf', path.join(scen, 'register.xml'),
    '-inf', 'users.csv', `127.0.0.1:${SIP_PORT}`, '-i', '127.0.0.1', '-mi', '127.0.0.1',
    '-p', String(port), '-mp', String(port + 2), '-m', '1', '-nostdin', '-timeout', '10s', '-timeout_error'], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? '' : `sipp register exited ${r.status}: ${(r.stdout || '').slice(-300)}`;
}
function phoneAnswer(dir, port) {
  const p = spawn('timeout', ['-k', '2', '40', 'sipp', '-sf', path.join(scen, 'agent_answer.xml'),
    '-i', '127.0.0.1', '-mi', '127.0.0.1', '-p', String(port), '-mp', String(port + 2),
    '-m', '1', '-nostdin', '-timeout', '30s', '-timeout_error'],
    { cwd: dir, stdio: 'ignore' });
  procs.push(p);
  return new Promise((resolve) => p.on('exit', (code) => resolve(code)));
}

// ---- the test ----------------------------------------------------------------
async function waitPushed(page, pred, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await page.evaluate(() => window.pushed);
    if (pred(got) || Date.now() > end) return got;
    await sleep(200);
  }
}

async function run(browser, origin) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(origin + '/');
  ok(await page.evaluate(() => window.jQuery && jQuery.fn.jquery) === '1.11.3',
     'the page runs jQuery 1.11.3 from npm');

  // the extension starts its client
  let ccdate = null;
  // everything below goes on when something fails, so that one run shows
  // every failure
  try { ccdate = await page.evaluate((pw) => window.startAgentPull('demo', '8003', pw), md5(AGENT)); } catch (e) { ccdate = String(e); }
  ok(typeof ccdate === 'string' && !Number.isNaN(Date.parse(ccdate)) && /GMT$/.test(ccdate),
     'getccdate: {ccdate} is an HTTP date, read cross-origin', ccdate);
  await sleep(1500);   // the first poll verifies the password off the loop

  // the plugin calls
  const wantPushed = [];
  for (const row of ROWS) {
    let r;
    try { r = await page.evaluate(([row, ms]) => window.runRow(row, ms), [row, WAIT_MS]); } catch (e) { r = { error: String(e) }; }
    if (row.code !== undefined)
      ok(r && String(r.code) === String(row.code), `${row.name}: callback with code ${row.code}`, r);
    else
      ok(r && r.code !== undefined, `${row.name}: a callback with a code`, r);
    wantPushed.push(...(row.pushed || []));
  }
  let got = await waitPushed(page, (g) => g.length >= wantPushed.length, WAIT_MS);
  const names = got.filter((e) => e.source === 'AGENT').map((e) => e.event);
  ok(JSON.stringify(names) === JSON.stringify(wantPushed),
     'agentpull: the agent notification events, in order', { got: names, want: wantPushed });
  const login = got.find((e) => e.event === 'login');
  ok(login && login.AgentGroupId === '1' && login.agentno === AGENT && login.AgentTeamId && login.eventTime,
     'agentpull: login carries AgentGroupId, agentno, AgentTeamId, eventTime at the top level', login);

  // a real call
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'occ-plugin-'));
  const port = PHONE_PORT;
  const regErr = phoneRegister(dir, port);
  ok(!regErr, `sipp registers as ${AGENT}`, regErr);
  const answered = phoneAnswer(dir, port);
  await sleep(300);
  await page.evaluate(() => { window.pushed = []; });
  let r;
  try { r = await page.evaluate(([row, ms]) => window.runRow(row, ms), [MAKECALL, WAIT_MS]); } catch (e) { r = { error: String(e) }; }
  ok(r && r.code === '1', `${MAKECALL.name}: callback with code 1`, r);
  // the agent answers (300 ms), the virtual customer a second later
  got = await waitPushed(page, (g) => g.some((e) => e.source === 'CALLEE' && e.event === 'answer'), WAIT_MS);
  try { r = await page.evaluate(([row, ms]) => window.runRow(row, ms), [HANGUP, WAIT_MS]); } catch (e) { r = { error: String(e) }; }
  ok(r && String(r.code) === '1', `${HANGUP.name}: callback with code 1`, r);
  got = await waitPushed(page, (g) => g.some((e) => e.source === 'CONVERSATION' && e.event === 'hangup'), WAIT_MS);
  const seq = got.map((e) => `${e.source} ${e.event}`);
  const order = ['AGENT ringing', 'AGENT answer', 'CALLEE ringing', 'CALLEE answer', 'AGENT hangup', 'CONVERSATION hangup'];
  const idx = order.map((s) => seq.indexOf(s));
  ok(idx.every((i) => i >= 0) && idx.every((v, i) => i === 0 || v > idx[i - 1]),
     'agentpull: the call events of the real call, in order', { got: seq, want_in_order: order });
  const ring = got.find((e) => e.source === 'AGENT' && e.event === 'ringing') || {};
  const want = ['source', 'event', 'calleridnum', 'eventTime', 'AgentGroupId', 'activenum', 'AgentTeamId',
                'calltype', 'modeltype', 'model_id', 'sessionid'];
  ok(want.every((k) => typeof ring[k] === 'string') && ring.calleridnum === '13800138000' &&
     ring.modeltype === 'BusinessApp' && ring.model_id === '42' && ring.AgentGroupId === '1',
     'agentpull: AGENT ringing has the screen-pop fields at the top level', ring);
  ok(got.some((e) => e.userdata === "it's ok") &&
     got.every((e) => !e.userdata || e.userdata === "it's ok"),
     "agentpull: a value with ' survives the extension's ' -> \" replacement",
     got.map((e) => e.userdata));
  // acwanswer: the call ends in after-call work, which acwOff ends
  got = await waitPushed(page, (g) => g.some((e) => e.event === 'hangupacw'), WAIT_MS);
  const acw = got.find((e) => e.event === 'hangupacw');
  ok(acw && acw.source === 'AGENT' && acw.AgentGroupId === '1' && acw.agentno === AGENT &&
     seq.indexOf('CONVERSATION hangup') < got.indexOf(acw) + 1,
     'agentpull: hangupacw (the agent is in after-call work) with AgentGroupId', acw);
  try { r = await page.evaluate(([row, ms]) => window.runRow(row, ms), [ACWOFF, WAIT_MS]); } catch (e) { r = { error: String(e) }; }
  ok(r && r.code === '1', `${ACWOFF.name}: callback with code 1`, r);
  got = await waitPushed(page, (g) => g.some((e) => e.event === 'acwstop'), WAIT_MS);
  const stop = got.find((e) => e.event === 'acwstop');
  ok(stop && stop.AgentGroupId === '1' && stop.agentno === AGENT,
     'agentpull: acwstop with AgentGroupId', stop);
  const code = await Promise.race([answered, sleep(WAIT_MS).then(() => 'timeout')]);
  ok(code === 0, 'the agent phone (sipp) took the call and the BYE', code);
  fs.rmSync(dir, { recursive: true, force: true });
  const pulls = await page.evaluate(() => window.pulls);
  await page.evaluate(() => window.stopAgentPull());
  ok(pulls < 60, `the good channel took ${pulls} polls for everything (no spinning)`);

  // a bad channel: errors are held, the client does not spin
  await page.evaluate(() => { window.stopAgentPull(); window.pulls = 0;
    return window.startAgentPull('demo', '8003', '0123456789abcdef0123456789abcdef', new Date().toUTCString()); });
  await sleep(6000);
  const bad = await page.evaluate(() => window.pulls);
  await page.evaluate(() => window.stopAgentPull());
  ok(bad >= 1 && bad <= 15, `a bad channel: ${bad} polls in 6 s (bounded)`, bad);
  ok(pageErrors.length === 0, 'no uncaught errors on the page', pageErrors);
  await context.close();
}

async function main() {
  if (!OCC || !SIP_PORT || !PHONE_PORT) {
    console.log('1..0 # SKIP OCC_URL/OCC_SIP_PORT/OCC_PHONE_PORT not set (run tests/plugin/run.sh)');
    return 1;
  }
  const cap = setTimeout(() => {
    console.log(`not ok - the run took over ${RUN_LIMIT_MS} ms`);
    for (const p of procs) p.kill('SIGKILL');
    process.exit(1);
  }, RUN_LIMIT_MS);
  const srv = await startStatic();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    await run(browser, `http://127.0.0.1:${srv.address().port}`);
  } catch (e) {
    ok(false, 'the run completed', String(e && e.stack || e));
  } finally {
    await browser.close();
    srv.close();
    for (const p of procs) p.kill('SIGTERM');
    clearTimeout(cap);
  }
  console.log(`1..${n}`);
  return failed ? 1 : 0;
}

process.exitCode = await main();
