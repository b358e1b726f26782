// test_push.mjs — occd's browser event delivery (events/push.h, the push
// script web/cocc_nginx_http_push.js) in headless Debian Chromium through
// playwright-core (tests/browser's node_modules). Run it under
// tests/lib/with-occd.sh (see run.sh): it needs OCC_URL, OCC_DATA and the
// fresh demo data (team demo: agents 8001-8006 with built-in phones
// 8101-8106, account admin, a virtual customer trunk that answers and hangs
// up 20 s later).
//
// Integrator pages are served by our own node:http server on another port,
// so everything is cross-origin. Four pages subscribe before one call:
//   A  agent 8001, EventSource (credentials in window.coccPush);
//   P  agent 8001, long-poll only (EventSource removed from the page);
//   T  account admin, team channel (the astercc_nginx_http_push.js alias);
//   B  agent 8002, its own channel.
// 8002 checks in with pushevent=yes (a login event for B only), then 8001 checks
// in on phone 8101 and calls out. P is reloaded after AGENT ringing and held
// (the page's body waits) until CALLEE answer is out, so it resumes from the
// store; A is reloaded after CALLEE answer and held while an agent
// notification for 8001 is published. Both must end with every event of
// the call (AGENT ringing/answer, CALLEE ringing/answer/hangup, AGENT
// hangup, CONVERSATION hangup) plus that notification, in order, with
// consecutive eventids, one sessionid, nothing twice, the messages exactly
// as stored. B must see none of 8001's events; T sees all.
// A page with astcc_CJI.js and no credentials in its config subscribes
// with those of its loginCJI; one whose EventSource never opens falls back
// to long-polling; occd's reference page subscribes; wrong credentials
// reach the page's onerror. Then the HTTP side: bad, tampered and expired
// tokens are refused, the push-stream pull paths answer with Etag,
// Last-Modified and the template, a team token is refused to a plain
// agent.
//
// Output is TAP; every wait is bounded and the run is capped at
// RUN_LIMIT_MS.
import http from 'node:http';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(new URL('../browser/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const RUN_LIMIT_MS = 85_000;
const WAIT_MS = 10_000;
const CALL_END_MS = 40_000;     // the virtual customer hangs up 20 s after answering
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const DATA = process.env.OCC_DATA || '';

// ---- TAP ------------------------------------------------------------------
let n = 0, failed = 0;
function ok(cond, name, diag) {
  n++;
  if (!cond) failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${name}`);
  if (!cond && diag !== undefined) {
    const text = typeof diag === 'string' ? diag : JSON.stringify(diag, null, 1);
    for (const line of text.split('\n')) console.log(`  # ${line}`);
  }
  return cond;
}
const eq = (got, want, name) => ok(got === want, name, { got, want });

// ---- helpers ----------------------------------------------------------------
function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}
async function until(cond, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
async function get(path, headers = {}) {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), WAIT_MS);
  try {
    const r = await fetch(OCC + path, { headers, signal: ac.signal });
    return { status: r.status, headers: r.headers, text: await r.text() };
  } finally {
    clearTimeout(t);
  }
}
async function iface(body) {
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(), WAIT_MS);
  try {
    const r = await fetch(OCC + '/coccinterfaces', {
      method: 'POST', body, signal: ac.signal,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    return (await r.text()).split('|Retuen|');     // ["", code, message, extra]
  } finally {
    clearTimeout(t);
  }
}
const cred = (u, p = u, type = 'agent') =>
  `orgidentity=demo&usertype=${type}&user=${u}&pwdtype=plaintext&password=${p}`;
function parse(msg) {
  const o = {};
  for (const kv of msg.split('&')) {
    const i = kv.indexOf('=');
    if (i > 0) o[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return o;
}
const label = (m) => { const o = parse(m); return o.sessionid ? `${o.source} ${o.event}` : `${o.source} ${o.event} ${o.agentnum || ''}`.trim(); };

// ---- the integrator's pages -----------------------------------------------
// ?cfg=<json> goes to window.coccPush (or asterccPush); ?nosse removes
// EventSource; ?alias uses /asterccinterface/astercc_nginx_http_push.js;
// ?cji includes astcc_CJI.js first; ?failsse gives it an EventSource that
// never opens.
// The body is sent in two parts: the second (with the push script) waits
// while the test holds the page (hold[name]), after the navigation has
// committed, i.e. after the old page is gone.
const hold = {};
function pageHead(name) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>integrator ${name}</title>
<script>
  window.before = Object.keys(window);
  window.gen = +(sessionStorage.getItem("gen") || 0) + 1;
  sessionStorage.setItem("gen", String(window.gen));
</script>
`;
}
function pageRest(q) {
  const cfg = q.get('cfg') || '{}';
  const alias = q.has('alias');
  const script = alias ? `${OCC}/asterccinterface/astercc_nginx_http_push.js`
                       : `${OCC}/coccinterface/cocc_nginx_http_push.js`;
  return `<script>
  ${q.has('nosse') ? 'delete window.EventSource; window.EventSource = undefined;' : ''}
  ${q.has('failsse') ? `window.fakeES = [];
  window.EventSource = function (url) {
    var self = this;
    self.readyState = 0;
    window.fakeES.push(url);
    setTimeout(function () { self.readyState = 2; if (self.onerror) self.onerror({}); }, 10);
  };
  window.EventSource.prototype.close = function () { this.readyState = 2; };
  window.EventSource.prototype.addEventListener = function () {};` : ''}
  window.${alias ? 'asterccPush' : 'coccPush'} = Object.assign(${cfg}, {
    onerror: function (t) { (window.errors = window.errors || []).push(String(t)); }
  });
  function sonAccept(message) { window.record(window.gen, message); }
</script>
${q.has('cji') ? `<script src="${OCC}/coccinterface/astcc_CJI.js"></script>` : ''}
<script src="${script}"></script>
</head><body><h1>third-party page</h1></body></html>
`;
}

function startStatic() {
  const srv = http.createServer(async (req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname !== '/page.html') {
      res.writeHead(u.pathname === '/favicon.ico' ? 204 : 404);
      res.end();
      return;
    }
    const name = u.searchParams.get('name') || '';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    res.write(pageHead(name) + ' '.repeat(2048));   // enough for the page to commit
    if (hold[name]) {
      hold[name].requested();
      await hold[name].released;
    }
    res.end(pageRest(u.searchParams));
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}
function makeHold(name) {
  let requested, release;
  const h = {
    requestedP: new Promise((r) => { requested = r; }),
    released: new Promise((r) => { release = r; }),
  };
  h.requested = requested;
  h.release = () => { delete hold[name]; release(); };
  hold[name] = h;
  return h;
}

// ---- the test ----------------------------------------------------------------
async function openPage(context, origin, name, qs) {
  const page = await context.newPage();
  const got = [];                     // {gen, msg}
  const errors = [];
  const reqs = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => { if (r.url().startsWith(OCC)) reqs.push(r.url()); });
  await page.exposeFunction('record', (gen, msg) => { got.push({ gen, msg }); });
  await page.goto(`${origin}/page.html?name=${name}&${qs}`);
  return { page, got, errors, reqs, name };
}
// subscribed: the transport is up and the server told the cursor
const subscribed = (p) => until(() => p.page.evaluate(() => {
  const c = window.coccPush || window.asterccPush;
  return c && c.state && c.state.last >= 0 && c.state.transport ? c.state.transport : null;
}).catch(() => null), WAIT_MS, `${p.name} subscribed`);

function checkRun(p, want, sessionid, stored, name) {
  const msgs = p.got.map((e) => e.msg);
  const ids = msgs.map((m) => +parse(m).eventid);
  const seen = new Set();
  const dups = ids.filter((i) => seen.has(i) || !seen.add(i));
  eq(dups.length, 0, `${name}: no event twice`);
  ok(ids.every((id, i) => i === 0 || id === ids[i - 1] + 1),
     `${name}: eventids consecutive across the reload`, ids);
  eq(msgs.map(label).join(', '), want.join(', '), `${name}: every event of the call, in order`);
  const calls = msgs.map(parse).filter((o) => o.sessionid !== undefined);
  ok(calls.length > 0 && calls.every((o) => o.sessionid === sessionid),
     `${name}: one sessionid across the reload`, calls.map((o) => o.sessionid));
  ok(msgs.every((m) => stored.get(+parse(m).eventid) === m),
     `${name}: messages exactly as the bus stored them`, msgs);
  const gens = [...new Set(p.got.map((e) => e.gen))];
  ok(gens.length === 2 && p.got.some((e) => e.gen === 1) && p.got.some((e) => e.gen === 2),
     `${name}: events before and after the reload`, p.got.map((e) => `${e.gen}:${label(e.msg)}`));
}

async function run(browser, origin) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  const cfg = (o) => 'cfg=' + encodeURIComponent(JSON.stringify(o));

  // -- subscribe -------------------------------------------------------------
  const A = await openPage(context, origin, 'A', cfg({ orgidentity: 'demo', usertype: 'agent', user: '8001', pwdtype: 'plaintext', password: '8001' }));
  const P = await openPage(context, origin, 'P', 'nosse&' + cfg({ orgidentity: 'demo', user: '8001', password: '8001' }));
  const T = await openPage(context, origin, 'T', 'alias&' + cfg({ orgidentity: 'demo', usertype: 'account', user: 'admin', password: 'admin', type: 'team' }));
  const B = await openPage(context, origin, 'B', cfg({ orgidentity: 'demo', user: '8002', password: '8002' }));
  eq(await subscribed(A), 'sse', 'A (8001): subscribed over EventSource, cross-origin');
  eq(await subscribed(P), 'poll', 'P (8001, no EventSource): subscribed by long-poll JSONP');
  eq(await subscribed(T), 'sse', 'T (admin, team channel, astercc_nginx_http_push.js): subscribed');
  eq(await subscribed(B), 'sse', 'B (8002): subscribed');
  ok(A.reqs.some((u) => u.includes('/coccinterface/setevent/pushTokenCJI?')) &&
     A.reqs.some((u) => u.includes('/push/sse?token=')),
     'A: a token from pushTokenCJI, then /push/sse', A.reqs);
  ok(P.reqs.some((u) => u.includes('/push/poll?token=')) && !P.reqs.some((u) => u.includes('/push/sse')),
     'P: /push/poll only', P.reqs);

  // -- 8002 checks in with pushevent=yes: for B (and T) only ----------------
  let r = await iface(`EVENT=QUEUE&type=1&list=1&pushevent=yes&${cred('8002')}`);
  eq(r[1], '1', '8002 checks in (pushevent=yes)');
  await until(() => B.got.length >= 1, WAIT_MS, 'B gets its notification').catch(() => {});
  ok(B.got.length === 1 && /agentnum=8002/.test(B.got[0].msg), 'B: 8002\'s own notification event', B.got);

  // -- the call ------------------------------------------------------------------
  r = await iface(`EVENT=QUEUE&type=1&list=1&deviceexten=8101&${cred('8001')}`);
  eq(r[1], '1', '8001 checks in on phone 8101');
  const holdP = makeHold('P');
  r = await iface(`EVENT=MAKECALL&targetdn=13800138000&targettype=exter&${cred('8001')}`);
  eq(r[2], 'BackMsg_19', 'makeCall: BackMsg_19');

  // P: reloaded after AGENT ringing, held until CALLEE answer is out
  const has = (p, what) => p.got.some((e) => label(e.msg) === what);
  await until(() => has(P, 'AGENT ringing'), WAIT_MS, 'P: AGENT ringing');
  await P.page.reload({ waitUntil: 'commit' });           // the old page is gone
  await until(() => has(T, 'CALLEE answer'), WAIT_MS, 'T: CALLEE answer');
  holdP.release();
  await P.page.waitForLoadState('load');

  // A: reloaded after CALLEE answer; while it is held, a notification for 8001
  await until(() => has(A, 'CALLEE answer'), WAIT_MS, 'A: CALLEE answer');
  const holdA = makeHold('A');
  await A.page.reload({ waitUntil: 'commit' });           // the old page is gone
  r = await iface(`EVENT=WORKWAY&status=all&pushevent=yes&${cred('8001')}`);
  eq(r[1], '1', 'workwayAction 8001 with pushevent=yes while A reloads');
  await until(() => has(T, 'AGENT workwayall 8001'), WAIT_MS, 'T: 8001\'s notification');
  holdA.release();
  await A.page.waitForLoadState('load');

  await until(() => has(A, 'CONVERSATION hangup') && has(P, 'CONVERSATION hangup') &&
              has(T, 'CONVERSATION hangup'), CALL_END_MS, 'the call ends');

  // -- what the store has: the team's events through the long-poll, as JSON --
  const tt = (await iface(`EVENT=PushToken&type=team&${cred('admin', 'admin', 'account')}`))[2];
  const all = JSON.parse((await get(`/push/poll?token=${tt}&last=0`)).text);
  const stored = new Map(all.events.map((e) => [e.eventid, e.message]));
  const sessionid = parse(A.got[0].msg).sessionid;
  const want = ['AGENT ringing', 'AGENT answer', 'CALLEE ringing', 'CALLEE answer',
                'AGENT workwayall 8001', 'CALLEE hangup', 'AGENT hangup', 'CONVERSATION hangup'];
  checkRun(A, want, sessionid, stored, 'A (EventSource)');
  const aWork = A.got.find((e) => label(e.msg) === 'AGENT workwayall 8001');
  eq(aWork && aWork.gen, 2, 'A: the notification published while it reloaded came after the reload (replayed)');
  checkRun(P, want, sessionid, stored, 'P (long-poll)');
  const pReplayed = P.got.filter((e) => e.gen === 2).map((e) => label(e.msg));
  ok(pReplayed.includes('CALLEE answer'),
     'P: what was published while it reloaded came after the reload (replayed)', P.got.map((e) => `${e.gen}:${label(e.msg)}`));
  eq(T.got.map((e) => label(e.msg)).join(', '), ['AGENT login 8002', ...want].join(', '),
     'T (team channel): every event of the team, in order');
  ok(T.got.every((e) => stored.get(+parse(e.msg).eventid) === e.msg), 'T: messages exactly as stored');
  eq(B.got.length, 1, 'B (8002): none of 8001\'s events');
  eq(await A.page.evaluate(() => sessionStorage.getItem(Object.keys(sessionStorage).find((k) => k.startsWith('coccPush.last:')))),
     String(parse(A.got[A.got.length - 1].msg).eventid), 'A: the last eventid is kept in sessionStorage');
  const globalsLeft = await A.page.evaluate(() => Object.keys(window).filter((k) =>
    !window.before.includes(k) && !['gen', 'coccPush', 'sonAccept', 'record', 'before'].includes(k)));
  eq(globalsLeft.join(','), '', 'the push script leaves no globals');
  for (const p of [A, P, T, B])
    ok(p.errors.length === 0, `${p.name}: no page errors`, p.errors);

  // -- wrong credentials reach onerror ----------------------------------------
  const W = await openPage(context, origin, 'W', cfg({ orgidentity: 'demo', user: '8003', password: 'wrong' }));
  const werr = await until(() => W.page.evaluate(() => window.errors && window.errors[0]), WAIT_MS, 'W onerror')
    .catch(() => null);
  eq(werr, 'pushTokenCJI: BackMsg_03', 'wrong password: onerror("pushTokenCJI: BackMsg_03")');

  // -- no credentials in the config: the page's loginCJI (astcc_CJI.js) --
  const L = await openPage(context, origin, 'L', 'cji');
  const login = await L.page.evaluate((ms) => new Promise((resolve) => {
    const t = setTimeout(() => resolve(null), ms);
    window.loginCJI('demo', 'agent', '8004', 'plaintext', '8004', (r) => { clearTimeout(t); resolve(r); });
  }), WAIT_MS);
  eq(login && login.code, 1, 'loginCJI 8004 on a page with both scripts: its callback still gets code 1');
  eq(await subscribed(L).catch((e) => String(e)), 'sse', 'L: subscribed with the credentials of loginCJI');
  r = await iface(`EVENT=QUEUE&type=1&list=2&pushevent=yes&${cred('8004')}`);
  await until(() => L.got.length > 0, WAIT_MS, 'L gets 8004\'s event').catch(() => {});
  ok(L.got.length === 1 && /agentnum=8004/.test(L.got[0].msg), 'L: sonAccept gets 8004\'s event', L.got);
  ok(L.errors.length === 0, 'L: no page errors', L.errors);

  // -- an EventSource that never opens: long-poll instead --
  const F = await openPage(context, origin, 'F', 'failsse&' + cfg({ orgidentity: 'demo', user: '8005', password: '8005' }));
  eq(await subscribed(F).catch((e) => String(e)), 'poll', 'F: EventSource fails twice, long-poll takes over');
  const fs2 = await F.page.evaluate(() => ({ tries: window.fakeES.length, errors: window.errors || [] }));
  ok(fs2.tries === 2 && fs2.errors.includes('EventSource failed; long-polling instead'),
     'F: two EventSource attempts, then onerror says it long-polls', fs2);
  r = await iface(`EVENT=QUEUE&type=1&list=2&pushevent=yes&${cred('8005')}`);
  await until(() => F.got.length > 0, WAIT_MS, 'F gets 8005\'s event').catch(() => {});
  ok(F.got.length === 1 && /agentnum=8005/.test(F.got[0].msg), 'F: sonAccept gets 8005\'s event by long-poll', F.got);

  // -- occd's reference page (asterCC name) --
  const R = await context.newPage();
  const rErrors = [];
  R.on('pageerror', (e) => rErrors.push(String(e)));
  await R.goto(`${OCC}/asterccinterface/astercc_nginx_http_push.html`);
  ok((await R.textContent('#sample')).includes('/asterccinterface/astercc_nginx_http_push.js'),
     'reference page: shows how to include the script');
  await R.click('#go');
  const rs = await until(() => R.evaluate(() => window.coccPush && window.coccPush.state &&
    window.coccPush.state.last >= 0 && window.coccPush.state.transport), WAIT_MS, 'reference page subscribed')
    .catch((e) => String(e));
  eq(rs, 'sse', 'reference page: Subscribe (8001) opens the stream');
  r = await iface(`EVENT=WORKWAY&status=all&pushevent=yes&${cred('8001')}`);
  const rows = await until(() => R.evaluate(() => document.querySelectorAll('#events tr').length), WAIT_MS, 'reference page row')
    .catch(() => 0);
  eq(rows, 1, 'reference page: the event shows up as a row');
  ok(rErrors.length === 0, 'reference page: no page errors', rErrors);

  for (const p of [A, P, T, B, W, L, F])
    await p.page.close();
  await R.close();
  await context.close();
  return { tt, sessionid };
}

async function httpChecks(tt) {
  const t8001 = (await iface(`EVENT=PushToken&${cred('8001')}`))[2];
  let r = await iface(`EVENT=PushToken&type=team&${cred('8002')}`);
  eq(r[2], 'BackMsg_65', 'PushToken type=team for a plain agent: BackMsg_65');
  r = await iface(`EVENT=PushToken&type=team&${cred('8001')}`);
  eq(r[1], '1', 'PushToken type=team for a group leader (8001): code 1');
  ok(/^channel=team&expires=\d+&ttl=43200$/.test(r[3] || ''), 'PushToken third field: channel=team&expires=...&ttl=43200', r[3]);
  r = await iface(`EVENT=PushToken&${cred('8001')}`);
  ok(/^channel=agent:8001&expires=\d+&ttl=43200$/.test(r[3] || ''), 'PushToken for 8001: channel=agent:8001', r[3]);
  r = await iface(`EVENT=PushToken&${cred('8001', 'nope')}`);
  eq(r[2], 'BackMsg_03', 'PushToken with a wrong password: BackMsg_03');

  // refused tokens
  // 2-team-agent-expiry-by-byid-mac; the mac covers the asking
  // credential's stored hash (its epoch), here 8001's own
  const [v, team, agent, exp, by, byid, mac] = t8001.split('-');
  const epoch = execFileSync('sqlite3', [`${DATA}/occ.db`,
    `SELECT pwhash FROM agents WHERE id = ${Number(byid)}`]).toString().trim();
  const sign = (body) => {
    const key = fs.readFileSync(`${DATA}/push.key`);
    return body + '-' + crypto.createHmac('sha256', key).update('occ-push:' + body + '\0' + epoch)
      .digest('hex').slice(0, 32);
  };
  const bad = [
    ['garbage', 'bad token', 'garbage'],
    [`${v}-${team}-2-${exp}-${by}-${byid}-${mac}`, 'bad token', '8001\'s mac on another agent'],
    [t8001.slice(0, -1) + (t8001.endsWith('0') ? '1' : '0'), 'bad token', 'one mac digit changed'],
    [sign(`2-${team}-${agent}-${Math.floor(Date.now() / 1000) - 5}-${by}-${byid}`), 'token expired', 'expired'],
  ];
  for (const [tok, why, what] of bad) {
    for (const path of [`/push/sse?token=${encodeURIComponent(tok)}`,
                        `/push/poll?token=${encodeURIComponent(tok)}`,
                        `/agentindesks/agentpull/${encodeURIComponent(tok)}`]) {
      const g = await get(path);
      // a channel that is no token is the original extension's
      // <org>-<agent>-<md5> (tests/plugin): refused as a bad channel
      const want = what === 'garbage' && path.includes('agentpull') ? 'bad channel' : why;
      ok(g.status === 403 && g.text.trim() === want && g.headers.get('access-control-allow-origin') === '*',
         `${path.split('?')[0].replace(/agentpull\/.*/, 'agentpull/<token>')}, token ${what}: 403 ${want} (with CORS)`,
         { status: g.status, text: g.text });
    }
  }
  const ok2 = sign(`2-${team}-${agent}-${Math.floor(Date.now() / 1000) + 60}-${by}-${byid}`);
  eq((await get(`/push/poll?token=${ok2}&last=0`)).status, 200, 'a token signed with the key in <data>/push.key is accepted (the test\'s expired one is honest)');

  // push-stream pull: after etag 0, with the template and headers
  const first = JSON.parse((await get(`/push/poll?token=${tt}&last=0`)).text).events;
  let g = await get(`/publicapi/agentpull/${t8001}`, { 'If-None-Match': '0' });
  let body = null;
  try { body = JSON.parse(g.text); } catch (e) { /* reported below */ }
  const first8001 = first.find((e) => /agentnum=8002/.test(e.message) === false);
  ok(g.status === 200 && body && body.text === first8001.message && body.tag === first8001.eventid &&
     /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/.test(body.time),
     'agentpull (If-None-Match: 0): {"text":message,"tag":eventid,"time":HTTP date}', g.text);
  eq(g.headers.get('etag'), String(first8001.eventid), 'agentpull: Etag is the eventid');
  eq(g.headers.get('last-modified'), body && body.time, 'agentpull: Last-Modified is the message time');
  g = await get(`/agentindesks/agentpull/${t8001}?etag=${first8001.eventid}&callback=cb`);
  ok(g.status === 200 && g.text.startsWith('cb([{"text":') && g.text.endsWith(']);'),
     'agentpull JSONP (etag= query): cb([...]) with the following messages', g.text.slice(0, 80));
  const t0 = Math.floor(Date.parse(body ? body.time : '') / 1000);
  g = await get(`/systemevents/agentpull/${t8001}`, { 'If-Modified-Since': new Date((t0 - 1) * 1000).toUTCString() });
  ok(g.status === 200 && g.text.includes(`"tag":${first8001.eventid},`),
     'agentpull (If-Modified-Since: a second before the first event): that event', g.text.slice(0, 80));
  g = await get(`/agentindesks/pushagent?channel=x`);
  eq(g.status, 403, 'publishing on /agentindesks/pushagent: 403');
  g = await get(`/push/poll?token=${t8001}&callback=${encodeURIComponent('a(1)')}`);
  eq(g.status, 400, 'poll with an invalid JSONP callback: 400');
  const pre = await fetch(OCC + '/push/sse', { method: 'OPTIONS' });
  ok(/Last-Event-ID/i.test(pre.headers.get('access-control-allow-headers') || ''),
     'preflight allows Last-Event-ID', pre.headers.get('access-control-allow-headers'));
}

async function main() {
  console.log('TAP version 13');
  if (!OCC || !DATA) {
    console.log('Bail out! OCC_URL / OCC_DATA not set (run me through tests/push/run.sh)');
    return 1;
  }
  let srv = null, browser = null, rc = 0;
  const limit = setTimeout(() => {
    console.log(`Bail out! whole test exceeded ${RUN_LIMIT_MS} ms`);
    const closing = [];
    if (browser) closing.push(browser.close().catch(() => {}));
    if (srv) { srv.closeAllConnections(); srv.close(); }
    withTimeout(Promise.all(closing), 3_000, 'close').catch(() => {})
      .finally(() => process.exit(1));
  }, RUN_LIMIT_MS);
  try {
    srv = await startStatic();
    const origin = `http://127.0.0.1:${srv.address().port}`;
    console.log(`# occd ${OCC}, integrator pages ${origin}`);
    browser = await withTimeout(chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update',
             '--disable-sync'],
    }), 25_000, 'chromium.launch');
    const { tt } = await run(browser, origin);
    await httpChecks(tt);
  } catch (e) {
    ok(false, 'test ran to completion', e && e.stack ? e.stack : String(e));
  } finally {
    for (const h of Object.values(hold)) h.release();
    if (browser) await withTimeout(browser.close(), 10_000, 'browser.close').catch((e) => {
      console.log(`# ${e.message}`);
    });
    if (srv) {
      srv.closeAllConnections();
      await withTimeout(new Promise((res) => srv.close(res)), 5_000, 'server.close').catch(() => {});
    }
    clearTimeout(limit);
  }
  console.log(`1..${n}`);
  console.log(`# push: ${n - failed} passed, ${failed} failed`);
  if (failed || n === 0) rc = 1;
  return rc;
}

process.exit(await main());
