// test_webphone.mjs — the agent desktop's browser phone in headless Debian
// Chromium (playwright-core) against occd through Kamailio and rtpengine
// (scripts/webphone.sh), driven by tests/webphone/run.sh, which starts
// them, a baresip phone on extension 8002 and this script with:
//   OCC_URL, OCC_LOG    occd (demo data, [web] phone_ws set)
//   BROWSER_WAV         the tone the browser's fake microphone plays
//   BROWSER_HZ          its frequency
//   PEER_HZ             the baresip's tone (8002)
//   PEER_CTRL           its ctrl_tcp port
//   CUSTOMER_HZ         the demo's virtual customer's tone
//   OCC_SCREENSHOT_DIR  (optional) where to save wallboard-phone.png
//   CUST_HZ, CUST_NUMBER a baresip customer behind the trunk gw: its tone
//                       and number (the leader's supervision, 6.)
// Real audio both ways: the page measures its call's remote stream with a
// Goertzel over WebAudio samples; run.sh checks what baresip recorded.
// Then (6.) the wallboard: the leader 8001's browser phone is called by
// occd for silentMonitor, whisper and intrude on 8002's call with the
// customer and answers by itself; the page hears agent and customer, and
// prints the windows (T_<OP>_FROM/TO) in which run.sh checks who of the
// agent and the customer heard the leader.
// Output is TAP; exit status non-zero on any failure.
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const RUN_LIMIT_MS = 190_000;
const WAIT_MS = 15_000;
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const LOG = process.env.OCC_LOG || '';
const BROWSER_HZ = Number(process.env.BROWSER_HZ);
const PEER_HZ = Number(process.env.PEER_HZ);
const CUSTOMER_HZ = Number(process.env.CUSTOMER_HZ);
const CUST_HZ = Number(process.env.CUST_HZ);
const CUST_NUMBER = process.env.CUST_NUMBER || '';
// OCC_SCREENSHOT_DIR=docs/screenshots: also the README's wallboard-phone.png
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';

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
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// f() becomes true within WAIT_MS (checked every 100 ms)
async function until(f) {
  for (const end = Date.now() + WAIT_MS; Date.now() < end; await sleep(100)) if (f()) return true;
  return f();
}

// the baresip phone's ctrl_tcp: one command, netstring-framed JSON
function peer(command, params) {
  return new Promise((res, rej) => {
    const s = connect(Number(process.env.PEER_CTRL), '127.0.0.1', () => {
      const j = JSON.stringify({ command, params, token: 't' });
      s.end(`${Buffer.byteLength(j)}:${j},`);
      res();
    });
    s.on('error', rej);
  });
}

async function phoneState(page, want, what) {
  try {
    await page.waitForFunction((w) => document.getElementById('ph-state').dataset.state === w,
                               want, { timeout: WAIT_MS });
    return ok(true, what);
  } catch (e) {
    const got = await page.locator('#ph-state').innerText().catch(() => null);
    return ok(false, what, { got, want, log: readFileSync(LOG, 'utf8').split('\n').slice(-8).join('\n') });
  }
}

// Goertzel in the page, on the call's remote stream (the <audio> the phone
// plays it with), for SECS seconds: 50 ms blocks; a block is loud above
// RMS 0.01 and has the tone when the tone's share of its energy is >= 0.5;
// with several tones (HZ an array: a mix), when each has a share >= 0.2
// and together >= 0.5.
async function hear(page, hz, secs) {
  return page.evaluate(async ([freqs, secs]) => {
    const stream = document.getElementById('ph-audio').srcObject;
    if (!stream) return { error: 'no remote stream' };
    const ctx = new AudioContext();
    await ctx.resume();
    const src = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    const samples = [];
    proc.onaudioprocess = (ev) => samples.push(Float32Array.from(ev.inputBuffer.getChannelData(0)));
    src.connect(proc);
    proc.connect(ctx.destination);
    await new Promise((r) => setTimeout(r, secs * 1000));
    proc.disconnect(); src.disconnect();
    const rate = ctx.sampleRate;
    await ctx.close();
    const all = new Float32Array(samples.reduce((a, b) => a + b.length, 0));
    let o = 0;
    for (const b of samples) { all.set(b, o); o += b.length; }
    const N = Math.round(rate * 0.05), each = freqs.length > 1 ? 0.2 : 0.5;
    // the share of a block's energy at f: 1.0 for a pure tone at f
    const share = (i, e, f) => {
      const k = 2 * Math.cos(2 * Math.PI * f / rate);
      let s1 = 0, s2 = 0;
      for (let j = 0; j < N; j++) { const s0 = all[i + j] + k * s1 - s2; s2 = s1; s1 = s0; }
      return 2 * (s1 * s1 + s2 * s2 - k * s1 * s2) / (N * e);
    };
    let blocks = 0, loud = 0, tone = 0;
    for (let i = 0; i + N <= all.length; i += N, blocks++) {
      let e = 0;
      for (let j = 0; j < N; j++) e += all[i + j] * all[i + j];
      if (Math.sqrt(e / N) < 0.01) continue;
      loud++;
      const r = freqs.map((f) => share(i, e, f));
      if (Math.min(...r) >= each && r.reduce((a, b) => a + b, 0) >= 0.5) tone++;
    }
    return { rate, blocks, loud, tone };
  }, [[].concat(hz), secs]);
}
// which codec and transport the call uses (the newest peer connection)
async function callMedia(page) {
  return page.evaluate(async () => {
    const pc = window.__pcs[window.__pcs.length - 1];
    const st = [...(await pc.getStats()).values()];
    const inb = st.find((r) => r.type === 'inbound-rtp' && r.kind === 'audio');
    const codec = inb && st.find((r) => r.id === inb.codecId);
    const tr = st.find((r) => r.type === 'transport');
    return { codec: codec && codec.mimeType, dtls: tr && tr.dtlsState, srtp: tr && tr.srtpCipher,
             packets: inb && inb.packetsReceived };
  });
}
// the tone is there: in most loud blocks, loud blocks a fair share
const heard = (r, frac = 0.6) => !r.error && r.loud >= r.blocks / 5 && r.tone >= r.loud * frac;

async function run(browser) {
  const context = await browser.newContext();
  context.setDefaultTimeout(WAIT_MS);
  await context.grantPermissions(['microphone'], { origin: OCC });
  // the test (not the page) keeps the page's peer connections to read
  // their statistics: which codec and transport the call really uses
  await context.addInitScript(() => {
    const Orig = window.RTCPeerConnection;
    window.__pcs = [];
    window.RTCPeerConnection = function (...a) { const pc = new Orig(...a); window.__pcs.push(pc); return pc; };
    window.RTCPeerConnection.prototype = Orig.prototype;
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  const resp = await page.goto(OCC + '/agent/');
  const csp = resp.headers()['content-security-policy'] || '';
  const ws = (await (await fetch(OCC + '/agent/phone.json')).json()).ws;
  ok(/^ws:\/\/127\.0\.0\.1:\d+$/.test(ws) && csp.includes(`connect-src 'self' ${ws};`),
     'the page\'s policy lets it connect to [web] phone_ws', { ws, csp });
  await page.fill('#l-team', 'demo');
  await page.fill('#l-agent', '8001');
  await page.fill('#l-password', '8001');
  await page.click('#l-submit');
  await page.waitForSelector('#desk:not([hidden])');
  ok(await page.locator('#phone-card').getAttribute('data-available') === '1',
     'the desk shows the browser phone (JsSIP bundled, a proxy configured)');

  // -- register 8001, a wrong SIP password first --
  await page.fill('#exten', '8001');
  await page.fill('#ph-password', 'wrong');
  await page.click('#ph-register');
  await phoneState(page, 'failed', 'a wrong SIP password: the phone says registration failed');
  await page.click('#ph-unregister');
  await page.fill('#ph-password', '8001');
  await page.click('#ph-register');
  await phoneState(page, 'registered', 'the browser phone registers 8001 through the WebSocket proxy');
  const log = readFileSync(LOG, 'utf8');
  ok(/registered team=demo exten=8001 contact="?sip:[^ ]*alias=127\.0\.0\.1~\d+~5;transport=ws/.test(log),
     'occd holds 8001\'s WebSocket contact (with the proxy\'s alias)');

  // -- places a call: 8001 dials 8002 (baresip, answers by itself) --
  await page.fill('#dial-to', '8002');
  await page.click('#ph-call');
  await phoneState(page, 'talking', 'the browser calls 8002: the baresip phone answers');
  const out = await hear(page, PEER_HZ, 4);
  ok(heard(out), `the browser hears 8002's ${PEER_HZ} Hz (Goertzel on the remote stream)`, out);
  const media = await callMedia(page);
  ok(/opus/i.test(media.codec || '') && media.dtls === 'connected' && media.srtp,
     'the browser\'s side of the call it places is Opus over DTLS-SRTP', media);
  const notMine = await hear(page, BROWSER_HZ, 2);
  ok(!notMine.error && notMine.tone <= 2, `... and not its own ${BROWSER_HZ} Hz`, notMine);
  console.log(`# T_OUT_END=${Date.now() / 1000}`);
  await page.click('#ph-hangup');
  await phoneState(page, 'ended', 'the browser hangs up');
  console.log('# CALL1_DONE');
  await sleep(1000);

  // -- takes a call: 8002 dials 8001 --
  console.log(`# T_IN_START=${Date.now() / 1000}`);
  await peer('dial', 'sip:8001@127.0.0.1');
  await phoneState(page, 'ringing', '8002 calls 8001: the browser phone rings');
  await page.click('#ph-answer');
  await phoneState(page, 'talking', 'the agent answers in the browser');
  const inb = await hear(page, PEER_HZ, 4);
  ok(heard(inb), `the browser hears the caller's ${PEER_HZ} Hz`, inb);
  const inMedia = await callMedia(page);
  ok(/opus/i.test(inMedia.codec || '') && inMedia.dtls === 'connected' && inMedia.srtp,
     'occd\'s G.711 offer reaches the browser as Opus over DTLS-SRTP', inMedia);
  await page.click('#ph-mute');
  await sleep(500);
  console.log(`# T_MUTE=${Date.now() / 1000}`);
  await sleep(3000);
  console.log(`# T_MUTE_END=${Date.now() / 1000}`);
  await page.click('#ph-mute');
  await page.click('#ph-hangup');
  await phoneState(page, 'ended', 'the browser hangs up the call it took');

  // -- the desk: makeCall rings the browser phone, then the customer --
  await page.locator('#groups input').first().check();
  await page.click('#b-checkin');
  await sleep(500);
  await page.fill('#dial-to', '13800138000');
  await page.click('#b-dial');
  await phoneState(page, 'ringing', 'the desk\'s Call (makeCall) rings the browser phone first');
  await page.click('#ph-answer');
  await phoneState(page, 'talking', 'the agent answers; occd dials the customer');
  const cust = await hear(page, CUSTOMER_HZ, 4);
  ok(heard(cust, 0.4), `the browser hears the demo customer's ${CUSTOMER_HZ} Hz`, cust);
  await page.click('#ph-hangup');
  await phoneState(page, 'ended', 'the agent hangs up in the browser');
  await page.click('#ph-unregister');
  await sleep(500);
  ok(pageErrors.length === 0, 'no script errors on the page', pageErrors.join('\n'));
  return context;
}

// the HTTP interface as a demo agent (password = number)
async function agentApi(agent, params) {
  const body = new URLSearchParams({ orgidentity: 'demo', usertype: 'agent', user: agent,
                                     pwdtype: 'plaintext', password: agent, ...params });
  return (await fetch(OCC + '/coccinterfaces', { method: 'POST', body })).text();
}

// 6. The wallboard: the group leader 8001 (of Sales) supervises 8002's
// call with the customer from the page, his browser phone registering his
// extension 8001; every supervision call is answered by the page itself.
async function wallboard(context) {
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 800 });
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  const resp = await page.goto(OCC + '/wallboard/');
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/connect-src 'self' ws:\/\/127\.0\.0\.1:\d+;/.test(csp) && csp.includes("script-src 'self';"),
     'the wallboard\'s policy lets its browser phone connect to [web] phone_ws, scripts of its own only', csp);
  await page.fill('#l-team', 'demo');
  await page.selectOption('#l-type', 'agent');
  await page.fill('#l-user', '8001');
  await page.fill('#l-password', '8001');
  await page.click('#l-submit');
  await page.waitForSelector('#board:not([hidden])');
  ok(await page.locator('#phone-card').isHidden(), 'with "my phone" the wallboard shows no browser phone');
  await page.selectOption('#phone-kind', 'browser');
  ok(await page.locator('#phone-card').getAttribute('data-available') === '1',
     'choosing the browser phone shows its card (JsSIP bundled, a proxy configured)');
  await page.fill('#phone', '8001');
  await page.fill('#ph-password', '8001');
  await page.click('#ph-register');
  await phoneState(page, 'registered', 'the leader\'s browser phone registers his extension 8001 from the wallboard');

  // 8002 (baresip, answers by itself) checks in and calls the customer
  // (another baresip, behind the trunk gw)
  let r = await agentApi('8002', { EVENT: 'QUEUE', type: '1', list: '1', deviceexten: '8002' });
  ok(r.startsWith('|Retuen|1|'), 'agent 8002 checks in on its phone', r);
  r = await agentApi('8002', { EVENT: 'MAKECALL', targetdn: CUST_NUMBER, targettype: 'exter', trunkidentity: 'gw' });
  ok(r.startsWith('|Retuen|1|'), 'agent 8002 calls the customer (makeCall over the trunk gw)', r);
  const row = page.locator('#agents tr[data-agent="8002"]');
  try {
    await page.waitForFunction(() => {
      const tr = document.querySelector('#agents tr[data-agent="8002"]');
      return tr && tr.dataset.state === 'busy' && /\d/.test(tr.querySelector('[data-k="party"]').textContent);
    }, null, { timeout: WAIT_MS });
    ok(true, 'the wallboard shows 8002 talking with the customer');
  } catch (e) {
    ok(false, 'the wallboard shows 8002 talking with the customer', await row.innerText().catch(() => ''));
  }
  await sleep(1000);       // the customer's phone answered: its recording runs

  // each supervision: click, the page answers, hears agent and customer,
  // the leader's tone goes out for the window run.sh checks; then he hangs up
  let ended = 0;
  for (const [op, word] of [['SILENTMONITOR', 'MONITOR'], ['Whisper', 'WHISPER'], ['INTRUDE', 'INTRUDE']]) {
    await row.locator(`button[data-op="${op}"]`).click();
    try {
      await page.waitForFunction(() => document.getElementById('msg').dataset.code !== undefined &&
                                       /8002: /.test(document.getElementById('msg').textContent), null, { timeout: WAIT_MS });
    } catch (e) { /* the check below says what the page shows */ }
    ok(await page.locator('#msg').getAttribute('data-code') === '1', `${op} from the wallboard is accepted`,
       await page.locator('#msg').innerText());
    if (!await phoneState(page, 'talking', `${op}: occd calls the browser phone and it answers by itself`)) continue;
    await sleep(1200);     // ICE and DTLS: the media flows
    console.log(`# T_${word}_FROM=${Date.now() / 1000}`);
    const both = await hear(page, [CUST_HZ, PEER_HZ], 3);
    console.log(`# T_${word}_TO=${Date.now() / 1000}`);
    ok(heard(both), `${op}: the leader hears the customer's ${CUST_HZ} Hz and the agent's ${PEER_HZ} Hz (Goertzel in the page)`, both);
    if (SHOTS && op === 'SILENTMONITOR') await page.screenshot({ path: `${SHOTS}/wallboard-phone.png` });
    await page.click('#ph-hangup');
    await phoneState(page, 'ended', `${op}: the leader hangs up his browser phone`);
    await page.evaluate(() => { document.getElementById('msg').removeAttribute('data-code'); });
    ended++;
    const gone = await until(() => (readFileSync(LOG, 'utf8').match(/supervision ended session=/g) || []).length >= ended);
    ok(gone, `${op}: occd ends the supervision when the leader hangs up`);
  }
  await row.locator('button[data-op="ForcedRelease"]').click();
  try {
    await page.waitForFunction(() => document.querySelector('#agents tr[data-agent="8002"]').dataset.state !== 'busy',
                               null, { timeout: WAIT_MS });
    ok(true, 'Release ends 8002\'s call: the wallboard shows it no longer talking');
  } catch (e) {
    ok(false, 'Release ends 8002\'s call: the wallboard shows it no longer talking', await row.innerText().catch(() => ''));
  }
  await page.click('#ph-unregister');
  await sleep(300);
  ok(pageErrors.length === 0, 'no script errors on the wallboard', pageErrors.join('\n'));
}

const browser = await chromium.launch({
  executablePath: CHROMIUM, headless: true,
  args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
         `--use-file-for-fake-audio-capture=${process.env.BROWSER_WAV}`,
         '--autoplay-policy=no-user-gesture-required'],
});
const limit = setTimeout(() => { ok(false, `the run ends within ${RUN_LIMIT_MS / 1000} s`); process.exit(1); }, RUN_LIMIT_MS);
try {
  await wallboard(await run(browser));
} catch (e) {
  ok(false, 'the run completes', String(e && e.stack || e));
} finally {
  clearTimeout(limit);
  await browser.close();
}
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
