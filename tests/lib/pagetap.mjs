// pagetap.mjs — what the Chromium page suites share (tests/wallboard,
// tests/admin, the agent desktop's dialer test; test_agentdesk.mjs has its
// own copy still): TAP output, occd's HTTP
// interface, an outside caller through occctl, and bounded waits on the
// page. Needs OCC_URL, OCC_DATA, OCC_SIP_PORT from tests/lib/with-occd.sh.
import { spawn } from 'node:child_process';

export const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
export const OCCCTL = process.env.OCCCTL || 'build/asan/occctl';
export const DATA = process.env.OCC_DATA || '';
export const SIP = '127.0.0.1:' + (process.env.OCC_SIP_PORT || '');
export const WAIT_MS = 15_000;       // one change seen on the page

// ---- TAP ------------------------------------------------------------------
export const tap = { n: 0, failed: 0 };
export function ok(cond, name, diag) {
  tap.n++;
  if (!cond) tap.failed++;
  console.log(`${cond ? 'ok' : 'not ok'} ${tap.n} - ${name}`);
  if (!cond && diag !== undefined) {
    const text = typeof diag === 'string' ? diag : JSON.stringify(diag);
    for (const line of text.split('\n')) console.log(`  # ${line}`);
  }
  return cond;
}
export function eq(got, want, name) {
  return ok(got === want, name, { got, want });
}

// ---- occd from the outside --------------------------------------------------
// POST /coccinterfaces: the raw reply text
export async function iface(body) {
  const r = await fetch(OCC + '/coccinterfaces', {
    method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  return r.text();
}
export const cred = (u, p, type) =>
  `orgidentity=demo&usertype=${type || 'agent'}&user=${u}&pwdtype=plaintext&password=${p || u}`;

export const children = [];
// an outside caller: occctl call DID, pressing KEYS, hanging up after SECS
export function caller(did, keys, secs, from) {
  const p = spawn(OCCCTL, ['--data', DATA, 'call', did, '--keys', keys, '--sip', SIP,
                           '--from', from || '13800138000', '--secs', String(secs)],
                  { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  const done = new Promise((res) => p.on('exit', (code) => res({ code, out })));
  children.push(p);
  return { proc: p, done, out: () => out };
}

// ---- the page ------------------------------------------------------------------
// bounded waits for an element's text (a RegExp) or attribute (exact), then
// one TAP line (no eval in the page: its CSP forbids it)
async function waitOn(page, fn, args, what, show) {
  try {
    await page.waitForFunction(fn, args, { timeout: WAIT_MS });
    return ok(true, what);
  } catch (e) {
    const got = await page.locator(args[0]).first().evaluate(show, args[1]).catch(() => null);
    return ok(false, what, { got, want: String(args.slice(1)) });
  }
}
export const waitText = (page, sel, re, what) => waitOn(page, ([s, r]) => {
  const e = document.querySelector(s);
  return !!e && new RegExp(r).test(e.innerText);
}, [sel, re.source], what, (x) => x.innerText);
export const waitAttr = (page, sel, attr, want, what) => waitOn(page, ([s, a, w]) => {
  const e = document.querySelector(s);
  return !!e && e.getAttribute(a) === w;
}, [sel, attr, want], what, (x, a) => x.getAttribute(a));

// ---- a suite's main ------------------------------------------------------------
// headless Chromium (the suite's own playwright-core `chromium`, with extra
// launch args), run(browser) within limitMs, then the TAP plan and the exit
// status
export async function pageMain(chromium, run, { limitMs = 120_000, args = [] } = {}) {
  const limit = setTimeout(() => {
    ok(false, `the run ended within ${limitMs} ms`);
    process.exit(1);
  }, limitMs);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                          headless: true, args: ['--no-sandbox', ...args] });
  try {
    await run(browser);
  } catch (e) {
    ok(false, 'the run completes', String(e && e.stack || e));
  } finally {
    await browser.close();
    clearTimeout(limit);
  }
  console.log(`1..${tap.n}`);
  process.exit(tap.failed ? 1 : 0);
}
