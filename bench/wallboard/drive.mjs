// drive.mjs — bench/wallboard/run.sh's driver (scale.mjs does the work):
//
//   node drive.mjs URL TEAM FIRST AGENTS GROUP-IDS RATE SECONDS IDLE OCCD-PID
//
// checks AGENTS agents (FIRST.., agent i in group i mod G) in, opens the
// wallboard as the team's account "admin" in headless Chromium, measures
// IDLE seconds with no change (the page's polling alone), then RATE
// changes a second for SECONDS, and prints key=value results on stdout
// (wallboard_*). Exit status 0 when every change was accepted and
// shown and the page's queue counters agree with the API at the end.
import * as S from './scale.mjs';
import { launch } from './cdp.mjs';

const [url, team, first, nAgents, groupIds, rate, seconds, idle, occdPid] = process.argv.slice(2);
const G = groupIds.split(',').map(Number);
const N = Number(nAgents);
const agents = Array.from({ length: N }, (_, i) => String(Number(first) + i));
const groupOf = (a) => G[(Number(a) - Number(first)) % G.length];
const say = (m) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} wallboard: ${m}\n`);
const kv = (k, v) => console.log(`wallboard_${k}=${v}`);
const f1 = (x) => (x === null ? 'null' : x.toFixed(1));
const SETTLE_MS = Number(process.env.OCC_BENCH_WB_SETTLE || 15) * 1000;

// CPU over a span, percent of one core: Chromium (all its processes, and
// by kind), occd and this driver; and Chromium's busiest threads
async function span(root, ms, work) {
  const c0 = S.ticksOf(S.tree(root)), o0 = S.ticksPid(occdPid), d0 = process.cpuUsage(), t0 = S.now();
  const th0 = S.threadTicks(S.tree(root));
  const result = await (work ? work() : new Promise((r) => setTimeout(r, ms)));
  const procs = S.tree(root);
  const th1 = S.threadTicks(procs);
  const c = S.ticksBetween(c0, S.ticksOf(procs)), o1 = S.ticksPid(occdPid), d1 = process.cpuUsage(d0);
  const wall = (S.now() - t0) / 1000;
  const p = (ticks) => (100 * ticks) / S.HZ / wall;
  const top = Object.keys(th1).map((k) => [k, th1[k] - (th0[k] || 0)]).sort((a, b) => b[1] - a[1]);
  say('threads (% of a core): ' + top.slice(0, 10).map(([k, v]) => `${k} ${p(v).toFixed(1)}`).join(', '));
  const d = (k) => p(c[k] || 0);
  return {
    result, wall, processes: procs.map((x) => x.type).join(','),
    chromium: p(c.all), renderer: d('renderer'), browser: d('browser'), ui: d('renderer-ui'),
    gpu: d('gpu-process'), utility: d('utility'), occd: p(o1 - o0),
    driver: (100 * (d1.user + d1.system)) / 1e6 / wall,
  };
}

// log in as a person would (the form's fields, then its submit button),
// from a script in the page; errors of the page are kept in __wsErrors
async function openBoard(page, user, password) {
  await page.goto(url.replace(/\/+$/, '') + '/wallboard/');
  await page.evaluate(([team, user, password]) => {
    window.__wsErrors = [];
    addEventListener('error', (e) => window.__wsErrors.push(String(e.message)));
    addEventListener('unhandledrejection', (e) => window.__wsErrors.push(String(e.reason)));
    const set = (id, v) => {
      const e = document.getElementById(id);
      e.value = v;
      e.dispatchEvent(new Event('input', { bubbles: true }));
      e.dispatchEvent(new Event('change', { bubbles: true }));
    };
    set('l-team', team);
    set('l-type', 'account');
    set('l-user', user);
    set('l-password', password);
    document.getElementById('l-submit').click();
  }, [team, user, password]);
  await page.waitFor(() => !document.getElementById('board').hidden &&
                     document.getElementById('push').dataset.up === '1', undefined, 30_000);
}

async function profileStart(page) {
  await page.attach();
  await page.send('Profiler.enable');
  await page.send('Profiler.start');
}
async function profileStop(page) {
  const { profile } = await page.send('Profiler.stop');
  const self = {};
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    const k = `${n.callFrame.functionName || '(anon)'}@${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber}`;
    self[k] = (self[k] || 0) + (dt[i] || 0);
  });
  say('profile: ' + Object.entries(self).sort((a, b) => b[1] - a[1]).slice(0, 12)
    .map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}ms`).join(', '));
  await page.detach();
}

// OCC_BENCH_WB_TRACE=1: Chromium's trace of the busy span (a diagnostic:
// tracing costs CPU itself), its renderer main thread's time by event
async function traceStart(browser) {
  const events = [];
  browser.on((m) => { if (m.method === 'Tracing.dataCollected') events.push(...m.params.value); });
  await browser.send('Tracing.start', { traceConfig: { includedCategories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'v8'] } });
  return events;
}
async function traceStop(browser, events) {
  const done = new Promise((r) => browser.on((m) => { if (m.method === 'Tracing.tracingComplete') r(); }));
  await browser.send('Tracing.end');
  await done;
  const main = new Set(events.filter((e) => e.name === 'thread_name' && e.args.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
  const by = {};
  for (const e of events) {
    if (!main.has(`${e.pid}:${e.tid}`) || e.ph !== 'X' || !e.tdur) continue;
    by[e.name] = (by[e.name] || 0) + e.tdur;
  }
  say('trace, renderer main thread CPU ms by event (nested events overlap): ' + Object.entries(by)
    .sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k} ${(v / 1000).toFixed(0)}`).join(', '));
}

async function main() {
  const api = S.client(url, team, 'pw');
  const admin = S.client(url, team, 'adminpw');
  let t = S.now();
  await S.checkInAll(api, agents, groupOf);
  say(`${N} agents checked in (${((S.now() - t) / 1000).toFixed(1)} s)`);

  const browser = await launch(process.env.CHROMIUM || '/usr/bin/chromium');
  let rc = 0;
  try {
    const page = browser.page;
    // Chromium's own work after it starts and after the first page opens
    // (its browser-UI renderer preloading the omnibox popup, 2-3
    // CPU-seconds for ~15 s) is not the page's: each span starts SETTLE_MS
    // after those. First Chromium with about:blank (what the browser costs
    // without the wallboard), then the wallboard.
    kv('settle_s', SETTLE_MS / 1000);
    await page.detach();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const blank = await span(browser.pid, Number(idle) * 1000);
    say(`about:blank ${blank.wall.toFixed(1)} s: chromium ${f1(blank.chromium)} %`);

    await openBoard(page, 'admin', 'adminpw');
    await page.waitFor(([n, s]) => {
      const rows = document.querySelectorAll('#agents tbody tr[data-agent]');
      return rows.length === n && [...rows].every((r) => r.getAttribute('data-state') === s);
    }, [N, 'idle'], 30_000);
    say(`the wallboard shows ${N} agents, all idle`);
    await S.observe(page);
    // from here to the end of the changes no DevTools session is attached
    // to the page (but for the optional profile of the idle span)
    await page.detach();
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    const profile = !!process.env.OCC_BENCH_WB_PROFILE;
    if (profile) await profileStart(page);
    const quiet = await span(browser.pid, Number(idle) * 1000);
    if (profile) await profileStop(page);
    say(`idle ${quiet.wall.toFixed(1)} s: chromium ${f1(quiet.chromium)} %, occd ${f1(quiet.occd)} %`);
    await S.observed(page);   // the observer's records of the idle span: none expected
    await page.detach();
    const trace = process.env.OCC_BENCH_WB_TRACE ? await traceStart(browser) : null;
    const busy = await span(browser.pid, 0, () => S.drive(api, agents, groupOf, Number(rate), Number(seconds)));
    if (trace) await traceStop(browser, trace);
    say(`busy ${busy.wall.toFixed(1)} s: chromium ${f1(busy.chromium)} %, occd ${f1(busy.occd)} %`);
    const changes = busy.result;
    await new Promise((r) => setTimeout(r, 3000));
    const end = S.now();
    const obs = await S.observed(page);
    const diff = await S.queuesAgree(page, admin, 'admin', 5000);
    const errors = await page.evaluate(() => window.__wsErrors);
    const m = S.match(changes, obs, end);

    const refused = m.filter((c) => !c.ok);
    const shown = m.filter((c) => c.ok && c.shown !== null).map((c) => c.shown);
    const settled = m.filter((c) => c.ok && c.settled !== null).map((c) => c.settled);
    const missed = m.filter((c) => c.ok && c.settled === null);
    const within = settled.filter((x) => x <= 1000).length;
    const api_ms = m.map((c) => c.replied - c.sent);
    kv('agents', N);
    kv('queues', G.length);
    kv('rate', rate);
    kv('seconds', seconds);
    kv('changes', m.length);
    kv('refused', refused.length);
    kv('not_shown', missed.length);
    kv('flipped', m.filter((c) => c.shown !== null && c.settled !== null && c.settled > c.shown).length);
    kv('api_p50_ms', f1(S.pct(api_ms, 50)));
    kv('api_p99_ms', f1(S.pct(api_ms, 99)));
    for (const [name, v] of [['shown', shown], ['settled', settled]]) {
      kv(`${name}_p50_ms`, f1(S.pct(v, 50)));
      kv(`${name}_p99_ms`, f1(S.pct(v, 99)));
      kv(`${name}_max_ms`, f1(v.length ? Math.max(...v) : null));
    }
    kv('within_1s_pct', m.length ? ((100 * within) / m.length).toFixed(1) : '0');
    kv('drive_wall_s', busy.wall.toFixed(1));
    kv('chromium_processes', busy.processes);
    for (const [name, s] of [['blank', blank], ['idle', quiet], ['busy', busy]]) {
      for (const k of ['chromium', 'renderer', 'browser', 'gpu', 'utility', 'ui', 'occd', 'driver']) {
        kv(`${name}_${k}_cpu_pct`, f1(s[k]));
      }
    }
    kv('queues_agree', diff.length ? 'no' : 'yes');
    kv('page_errors', errors.length);
    if (refused.length) say(`refused, e.g. ${refused.slice(0, 3).map((c) => `${c.agent} ${c.want}: ${c.reply.slice(0, 60)}`).join('; ')}`);
    if (missed.length) say(`not shown, e.g. ${missed.slice(0, 3).map((c) => `${c.agent} → ${c.want}`).join('; ')}`);
    if (diff.length) say(`queue counters differ: ${diff.slice(0, 3).join('; ')}`);
    if (errors.length) say(`page errors: ${errors.slice(0, 3).join('; ')}`);
    rc = refused.length || missed.length || diff.length || errors.length || !m.length ? 1 : 0;
  } finally {
    await browser.close();
  }
  return rc;
}

main().then((rc) => process.exit(rc), (e) => { say(String(e && e.stack || e)); process.exit(1); });
