// test_script.mjs — occd's Script (CJI) plugin and its cross-origin HTTP
// interface, driven from a real browser (headless Debian Chromium through
// playwright-core). Run it under tests/lib/with-occd.sh (see run.sh): it needs
// OCC_URL and occd's fresh demo data (team demo, agents 8001-8006).
//
// An integrator page is served by a tiny node:http server of our own on
// another 127.0.0.1 port, so everything it does against occd is cross-origin,
// as on a third-party B/S page:
//   - it includes ${OCC_URL}/coccinterface/astcc_CJI.js and calls loginCJI,
//     queueActionCJI, queuePauseCJI (with dnd after callbackFuc) and
//     agentStatusCJI (API.md §1.4, §4.1-4.4, §4.16), callbackFuc as a function
//     and as the NAME of a global function; importCJI into the demo's
//     campaign 10 (new, then a skipped duplicate) and dialerListCJI;
//   - the /asterccinterface/ path variant of the plugin;
//   - the original plugin's wire (ORIGINAL-CLIENT-WIRE.md): a cross-origin
//     form POST to /asterccinterfaces whose reply must be readable (CORS) and
//     split on |Retuen|;
// then occd's own /coccinterface/test_CJI.html is clicked.
//
// Output is TAP; the exit status is non-zero on any failure. Every wait is
// bounded and the whole run is capped at RUN_LIMIT_MS.
import http from 'node:http';
import { chromium } from 'playwright-core';

const RUN_LIMIT_MS = 55_000;
const WAIT_MS = 10_000;       // one callback, one page load, one click
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';

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
function has(str, sub, name) {
  return ok(typeof str === 'string' && str.includes(sub), name,
            { got: str, wanted_substring: sub });
}

// ---- the integrator's pages ------------------------------------------------
// The callbacks live on the page: cji() calls window[fn] with the arguments
// given, "__CB__" marking where callbackFuc goes (so the positions of the
// parameters after callbackFuc, like queuePauseCJI's dnd, are the test's).
function integratorPage(dir) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>integrator (${dir})</title>
<script src="${OCC}/${dir}/astcc_CJI.js"></script>
<script>
  window.named = [];
  function namedCallback(r) { window.named.push(r); }
  window.occTest = { dotted: [], onResult: function (r) { window.occTest.dotted.push(r); } };
  window.cji = function (fn, args, ms) {
    return new Promise(function (resolve, reject) {
      var t = setTimeout(function () {
        reject(new Error(fn + ": no callback within " + ms + " ms"));
      }, ms);
      var a = args.map(function (v) {
        return v === "__CB__" ? function (r) { clearTimeout(t); resolve(r); } : v;
      });
      if (typeof window[fn] !== "function") {
        clearTimeout(t);
        reject(new Error(fn + " is not defined by astcc_CJI.js"));
        return;
      }
      window[fn].apply(window, a);
    });
  };
</script>
</head><body><h1>A third-party page using occ's ${dir}/astcc_CJI.js</h1></body></html>
`;
}

function startStatic() {
  const pages = {
    '/': integratorPage('coccinterface'),
    '/aster.html': integratorPage('asterccinterface'),
  };
  const srv = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    const body = pages[path];
    if (body === undefined) {
      res.writeHead(path === '/favicon.ico' ? 204 : 404, { 'Content-Type': 'text/plain' });
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8',
                         'Cache-Control': 'no-store' });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p,
    new Promise((_, rej) => { t = setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(t));
}

// ---- the test --------------------------------------------------------------
const AUTH_8003 = ['agent', '8003', 'demo'];   // usertype, user, orgidentity

async function run(browser, origin) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  context.setDefaultNavigationTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  const consoleErrors = [];
  const jsonp = [];                     // every /setevent/ URL the plugin requested
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => { if (r.url().includes('/setevent/')) jsonp.push(r.url()); });
  const lastJsonp = () => new URL(jsonp[jsonp.length - 1] || 'http://none/');
  const cji = (fn, args) => page.evaluate(([f, a, ms]) => window.cji(f, a, ms), [fn, args, WAIT_MS]);

  // -- the plugin, loaded cross-origin from /coccinterface/ --
  await page.goto(origin + '/');
  const boot = await page.evaluate(() => ({
    login: typeof window.loginCJI, queue: typeof window.queueActionCJI,
    pause: typeof window.queuePauseCJI, status: typeof window.agentStatusCJI,
    base: window.astcc_CJI && window.astcc_CJI.base,
    pauseArity: window.queuePauseCJI && window.queuePauseCJI.length,
  }));
  ok(boot.login === 'function' && boot.queue === 'function' &&
     boot.pause === 'function' && boot.status === 'function',
     'astcc_CJI.js (cross-origin) defines loginCJI, queueActionCJI, queuePauseCJI, agentStatusCJI', boot);
  eq(boot.base, OCC + '/coccinterface/', 'plugin base is the directory it was loaded from');
  eq(boot.pauseArity, 10, 'queuePauseCJI takes 10 parameters (dnd after callbackFuc)');

  // loginCJI(orgidentity, usertype, user, pwdtype, password, callbackFuc)
  let r = await cji('loginCJI', ['demo', 'agent', '8001', 'plaintext', '8001', '__CB__']);
  eq(r.code, 1, 'loginCJI 8001: code 1');
  eq(r.message, 'BackMsg_04', 'loginCJI 8001: message BackMsg_04');
  has(r.param, 'agent_group_id=1&groupname=Sales', 'loginCJI 8001: param has agent_group_id=1&groupname=Sales');
  has(r.param, 'groupadmin=yes', 'loginCJI 8001: leader of group 1 (groupadmin=yes)');
  ok(typeof r.param === 'string' && r.param.endsWith('|||'), 'loginCJI 8001: param records end with |||', r.param);
  {
    const u = lastJsonp();
    eq(u.origin + u.pathname, OCC + '/coccinterface/setevent/loginCJI',
       'loginCJI is a GET on <script dir>/setevent/loginCJI');
    eq(u.searchParams.get('user'), '8001', 'loginCJI request carries user=8001');
    ok(/^[A-Za-z_$][\w$]*$/.test(u.searchParams.get('callback') || ''),
       'loginCJI request carries a JSONP callback name', u.href);
  }

  r = await cji('loginCJI', ['demo', 'agent', '8001', 'plaintext', '8001', '__CB__']);
  eq(r.code, 3, 'loginCJI 8001 again: code 3 (already logged in)');

  // queueActionCJI(type, usertype, user, orgidentity, list, pwdtype, password,
  //                deviceexten, pushevent, callbackFuc)
  r = await cji('queueActionCJI', ['1', ...AUTH_8003, '1,2', 'plaintext', '8003', '', 'no', '__CB__']);
  eq(r.code, 1, 'queueActionCJI check-in 8003 list 1,2: code 1');
  eq(r.message, '1:success,2:success', 'queueActionCJI check-in: message 1:success,2:success');
  eq(lastJsonp().searchParams.get('list'), '1,2', 'queueActionCJI request carries list=1,2');

  r = await cji('queueActionCJI', ['1', ...AUTH_8003, '1,2', 'plaintext', '8003', '', 'no', '__CB__']);
  eq(r.code, 3, 'queueActionCJI check-in again: code 3');
  eq(r.message, '1:CheckedIn,2:CheckedIn', 'queueActionCJI check-in again: message 1:CheckedIn,2:CheckedIn');

  // queuePauseCJI(type, usertype, user, orgidentity, pwdtype, password,
  //               pause_reason, pushevent, callbackFuc, dnd)
  r = await cji('queuePauseCJI', ['1', ...AUTH_8003, 'plaintext', '8003', 'lunch', 'no', '__CB__', 'yes']);
  eq(r.code, 1, 'queuePauseCJI pause (lunch, dnd after callbackFuc): code 1');
  ok(/^BackMsg_\d+$/.test(r.message || ''), 'queuePauseCJI pause: message is a BackMsg code', r);
  {
    const q = lastJsonp().searchParams;
    eq(q.get('pause_reason'), 'lunch', 'queuePauseCJI request carries pause_reason=lunch');
    eq(q.get('dnd'), 'yes', 'queuePauseCJI request carries dnd (the argument after callbackFuc)');
    eq(q.get('type'), '1', 'queuePauseCJI request carries type=1');
  }

  // agentStatusCJI(orgidentity, usertype, user, pwdtype, password, callbackFuc)
  r = await cji('agentStatusCJI', ['demo', 'agent', '8003', 'plaintext', '8003', '__CB__']);
  eq(r.code, 1, 'agentStatusCJI while paused: code 1');
  eq(r.status, '1-pause,2-pause,', 'agentStatusCJI while paused: status 1-pause,2-pause,');

  r = await cji('queuePauseCJI', ['2', ...AUTH_8003, 'plaintext', '8003', '', 'no', '__CB__', 'yes']);
  eq(r.code, 1, 'queuePauseCJI unpause: code 1');

  r = await cji('agentStatusCJI', ['demo', 'agent', '8003', 'plaintext', '8003', '__CB__']);
  eq(r.code, 1, 'agentStatusCJI after unpause: code 1');
  eq(r.status, '1-idle,2-idle,', 'agentStatusCJI after unpause: status 1-idle,2-idle,');

  // one object of named fields, as the original plugin calls monitorCtrlCJI
  r = await page.evaluate((ms) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('monitorCtrlCJI({...}): no callback')), ms);
    window.monitorCtrlCJI({ action: 'start', usertype: 'agent', user: '8003', orgidentity: 'demo',
      pwdtype: 'plaintext', password: '8003', pushevent: 'no',
      callbackFuc: (res) => { clearTimeout(t); resolve(res); } });
  }), WAIT_MS);
  eq(r.message, 'BackMsg_92', 'monitorCtrlCJI({...}) with one object: its fields are sent (no call: 92)');
  r = await page.evaluate((ms) => new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('monitorCtrlCJI({...}): no callback')), ms);
    window.monitorCtrlCJI({ action: 'start', usertype: 'agent', user: '8003', orgidentity: 'demo',
      pwdtype: 'plaintext', password: 'wrong', callback: (res) => { clearTimeout(t); resolve(res); } });
  }), WAIT_MS);
  eq(r.message, 'BackMsg_03', 'monitorCtrlCJI({...}) with `callback` for callbackFuc: a wrong password answers 03');

  // callbackFuc given as the NAME of a global function (and a dotted path)
  await page.evaluate(() => window.agentStatusCJI('demo', 'agent', '8003', 'plaintext', '8003', 'namedCallback'));
  await page.waitForFunction(() => window.named.length > 0, null, { timeout: WAIT_MS })
    .catch(() => {});
  r = await page.evaluate(() => window.named[0] || null);
  eq(r && r.code, 1, 'callbackFuc as a global function name: namedCallback called with code 1');
  eq(r && r.status, '1-idle,2-idle,', 'callbackFuc as a global function name: status 1-idle,2-idle,');
  await page.evaluate(() => window.agentStatusCJI('demo', 'agent', '8003', 'plaintext', '8003', 'occTest.onResult'));
  await page.waitForFunction(() => window.occTest.dotted.length > 0, null, { timeout: WAIT_MS })
    .catch(() => {});
  r = await page.evaluate(() => window.occTest.dotted[0] || null);
  eq(r && r.code, 1, 'callbackFuc as a dotted name (occTest.onResult): called with code 1');

  r = await cji('loginCJI', ['demo', 'agent', '8002', 'plaintext', 'wrong-password', '__CB__']);
  eq(r.code, 2, 'loginCJI wrong password: code 2');
  eq(r.message, 'BackMsg_03', 'loginCJI wrong password: message BackMsg_03');

  // importCJI(orgidentity, usertype, user, pwdtype, password, modeltype,
  // model_id, source, context, source_user, source_pwd, exetime, delrow,
  // phone_field, priority_field, dialtime_field, emptyagent, resetstatus,
  // dupway, dupdiallist, changepackage, callbackFuc): the demo's campaign 10
  const imp = ['demo', 'account', 'admin', 'plaintext', 'admin', 'Campaign', '10', 'data',
               '姓名=客户 B||电话号码一=13877777777', '', '', '', '', 'phone1', '', '',
               '', '', '', '', '', '__CB__'];
  r = await cji('importCJI', imp);
  ok(r && r.code === 1 && r.message === 'BackMsg_83',
     'importCJI into campaign 10 from the browser: code 1 BackMsg_83 (new, listed)', r);
  r = await cji('importCJI', imp);
  ok(r && r.code === 1 && r.message === 'BackMsg_81',
     'importCJI the same record again: code 1 BackMsg_81 (a skipped duplicate)', r);
  // dialerListCJI(orgidentity, usertype, user, pwdtype, password, campaignid,
  // phonenum, priority, dialtime, callbackFuc)
  r = await cji('dialerListCJI', ['demo', 'agent', '8002', 'plaintext', '8002', '10',
                                  '13877777778', '5', '', '__CB__']);
  ok(r && r.code === 1 && r.message === 'BackMsg_80',
     'dialerListCJI from the browser: code 1 BackMsg_80', r);

  // -- the original plugin's wire: cross-origin form POSTs to /asterccinterfaces --
  const post = (body, ctype) => page.evaluate(async ([url, b, ct, ms]) => {
    const ac = new AbortController();
    const t = setTimeout(() => ac.abort(), ms);
    try {
      const resp = await fetch(url, { method: 'POST', body: b, signal: ac.signal,
                                      headers: { 'Content-Type': ct } });
      return { status: resp.status, text: await resp.text() };
    } catch (e) {
      return { error: String(e) };
    } finally {
      clearTimeout(t);
    }
  }, [OCC + '/asterccinterfaces', body, ctype, WAIT_MS]);

  let p = await post('EVENT=AGENTSTATUS&orgidentity=demo&usertype=agent&user=8003&pwdtype=plaintext&password=8003',
                     'application/x-www-form-urlencoded');
  ok(!p.error && p.status === 200, 'cross-origin POST /asterccinterfaces AGENTSTATUS: readable (CORS), 200', p);
  {
    const parts = typeof p.text === 'string' ? p.text.split('|Retuen|') : [];
    eq(parts.length, 4, 'AGENTSTATUS reply splits on |Retuen| into 4 parts');
    ok(parts[0] === '' && parts[1] === '1' && parts[2] === 'BackMsg_43' && parts[3] === '1-idle,2-idle,',
       'AGENTSTATUS reply is |Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-idle,', p.text);
  }
  // jQuery's $.post Content-Type; the original plugin calls back only on
  // exactly 3 parts ("", code, message) for these events.
  p = await post('EVENT=QUEUE&type=1&usertype=agent&user=8003&orgidentity=demo&list=1%2C2&pwdtype=plaintext&password=8003&deviceexten=&pushevent=no',
                 'application/x-www-form-urlencoded; charset=UTF-8');
  ok(!p.error && p.status === 200, 'cross-origin POST /asterccinterfaces QUEUE: readable (CORS), 200', p);
  {
    const parts = typeof p.text === 'string' ? p.text.split('|Retuen|') : [];
    ok(parts.length === 3 && parts[0] === '' && parts[1] === '3' && parts[2] === '1:CheckedIn,2:CheckedIn',
       'QUEUE reply is exactly |Retuen|3|Retuen|1:CheckedIn,2:CheckedIn (3 parts)', p.text);
  }

  const left = await page.evaluate(() => ({
    globals: Object.keys(window).filter((k) => k.indexOf('__occCJI') === 0),
    scripts: Array.from(document.scripts).filter((s) => s.src.indexOf('/setevent/') >= 0).length,
  }));
  ok(left.globals.length === 0 && left.scripts === 0,
     'the plugin removes its JSONP globals and script elements after each call', left);
  ok(pageErrors.length === 0, 'integrator page: no uncaught page errors', pageErrors.join('\n'));
  ok(consoleErrors.length === 0, 'integrator page: no console errors', consoleErrors.join('\n'));
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/integrator.png` });

  // -- the /asterccinterface/ path variant of the plugin --
  const aster = await context.newPage();
  const asterReqs = [];
  const asterErrors = [];
  aster.on('request', (q) => { if (q.url().includes('/setevent/')) asterReqs.push(q.url()); });
  aster.on('pageerror', (e) => asterErrors.push(String(e)));
  await aster.goto(origin + '/aster.html');
  eq(await aster.evaluate(() => window.astcc_CJI && window.astcc_CJI.base),
     OCC + '/asterccinterface/', 'asterccinterface plugin: base is /asterccinterface/');
  r = await aster.evaluate(([ms]) => window.cji('agentStatusCJI',
    ['demo', 'agent', '8003', 'plaintext', '8003', '__CB__'], ms), [WAIT_MS]);
  eq(r.code, 1, 'asterccinterface agentStatusCJI: code 1');
  eq(r.status, '1-idle,2-idle,', 'asterccinterface agentStatusCJI: status 1-idle,2-idle,');
  {
    const u = new URL(asterReqs[asterReqs.length - 1] || 'http://none/');
    eq(u.origin + u.pathname, OCC + '/asterccinterface/setevent/agentStatusCJI',
       'asterccinterface plugin calls <script dir>/setevent/agentStatusCJI');
  }
  // 8005: not used above (8003 counts as logged in once checked in)
  r = await aster.evaluate(([ms]) => window.cji('loginCJI',
    ['demo', 'agent', '8005', 'plaintext', '8005', '__CB__'], ms), [WAIT_MS]);
  eq(r.code, 1, 'asterccinterface loginCJI 8005: code 1');
  eq(r.message, 'BackMsg_04', 'asterccinterface loginCJI 8005: message BackMsg_04');
  has(r.param, 'agent_group_id=2&groupname=Support', 'asterccinterface loginCJI 8005: param lists group 2 Support');
  has(r.param, 'agenttype=dynamic', 'asterccinterface loginCJI 8005: dynamic member of group 2');
  ok(asterErrors.length === 0, 'asterccinterface page: no uncaught page errors', asterErrors.join('\n'));
  await aster.close();

  // -- occd's own test page --
  const tp = await context.newPage();
  const tpErrors = [];
  tp.on('pageerror', (e) => tpErrors.push(String(e)));
  await tp.goto(OCC + '/coccinterface/test_CJI.html');
  const clickLogin = async (user, password) => {
    const fs = tp.locator('fieldset', { has: tp.locator('#btn-loginCJI') });
    if (user !== undefined) {
      await fs.locator('input[name="user"]').fill(user);
      await fs.locator('input[name="password"]').fill(password);
    }
    await tp.evaluate(() => { document.getElementById('out').textContent = ''; });
    await tp.click('#btn-loginCJI');
    await tp.waitForFunction(() => document.getElementById('out').textContent.trim() !== '',
                             null, { timeout: WAIT_MS }).catch(() => {});
    const text = await tp.textContent('#out');
    try { return { json: JSON.parse(text), text }; } catch (e) { return { json: null, text }; }
  };
  const buttons = await tp.locator('button[id^="btn-"]').count();
  ok(buttons >= 4, 'test_CJI.html builds one button per function', { buttons });
  // defaults are 8001/8001, already logged in above (code 3)
  let o = await clickLogin();
  ok(o.json !== null, 'test_CJI.html: #out shows JSON after btn-loginCJI', o.text);
  eq(o.json && o.json.code, 3, 'test_CJI.html loginCJI 8001 (default fields, already logged in): code 3');
  has(o.json && o.json.param, 'agent_group_id=1&groupname=Sales', 'test_CJI.html loginCJI 8001: param has group 1 Sales');
  o = await clickLogin('8002', '8002');
  eq(o.json && o.json.code, 1, 'test_CJI.html loginCJI 8002: code 1');
  eq(o.json && o.json.message, 'BackMsg_04', 'test_CJI.html loginCJI 8002: message BackMsg_04');
  has(o.json && o.json.param, 'agent_group_id=1&groupname=Sales', 'test_CJI.html loginCJI 8002: param has agent_group_id=1&groupname=Sales');
  has(o.json && o.json.param, 'groupadmin=no', 'test_CJI.html loginCJI 8002: not the leader (groupadmin=no)');
  ok(tpErrors.length === 0, 'test_CJI.html: no uncaught page errors', tpErrors.join('\n'));
  if (SHOTS) await tp.screenshot({ path: `${SHOTS}/test_CJI.png`, fullPage: true });
}

async function main() {
  console.log('TAP version 13');
  if (!OCC) {
    console.log('Bail out! OCC_URL is not set (run me through tests/browser/run.sh)');
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
    console.log(`# occd ${OCC}, integrator page ${origin}`);
    browser = await withTimeout(chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 20_000,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update',
             '--disable-sync'],
    }), 25_000, 'chromium.launch');
    await run(browser, origin);
  } catch (e) {
    ok(false, 'test ran to completion', e && e.stack ? e.stack : String(e));
  } finally {
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
  console.log(`# browser: ${n - failed} passed, ${failed} failed`);
  if (failed || n === 0) rc = 1;
  return rc;
}

process.exit(await main());
