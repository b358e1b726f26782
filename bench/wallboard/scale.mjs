// scale.mjs — the wallboard at scale, shared by bench/wallboard/drive.mjs
// (the benchmark) and tests/wallboard/test_scale.mjs (the correctness
// check): agents checked in over the HTTP interface, the wallboard open in
// Chromium as the team's account, agents' states changed at a fixed rate
// the way the agent desktop changes them (pushevent=yes), and, watched
// from outside the page's code by a MutationObserver that the driver adds
// through page.evaluate, when each change reached the page.
//
// Times are milliseconds on one clock: performance.timeOrigin +
// performance.now() in Node.js and in the page alike.
import { readdirSync, readFileSync } from 'node:fs';

export const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the HTTP interface ----------------------------------------------------------
export function client(base, team, password) {
  const url = base.replace(/\/+$/, '') + '/coccinterfaces';
  const call = async (user, params, usertype) => {
    const body = new URLSearchParams({ orgidentity: team, usertype: usertype || 'agent', user,
                                       pwdtype: 'plaintext', password, ...params });
    const r = await fetch(url, { method: 'POST', body });
    return r.text();
  };
  return { call };
}

// every agent checked in to its group; throws with the first failures
export async function checkInAll(api, agents, groupOf, width = 16) {
  const bad = [];
  let next = 0;
  const worker = async () => {
    while (next < agents.length) {
      const a = agents[next++];
      const r = await api.call(a, { EVENT: 'QUEUE', type: '1', list: String(groupOf(a)) });
      if (r !== `|Retuen|1|Retuen|${groupOf(a)}:success`) bad.push(`${a}: ${r.slice(0, 80)}`);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  if (bad.length) throw new Error(`${bad.length} check-ins failed, e.g. ${bad.slice(0, 3).join('; ')}`);
}

// ---- the page ---------------------------------------------------------------------
export async function openBoard(page, base, team, user, password) {
  await page.goto(base.replace(/\/+$/, '') + '/wallboard/');
  await page.fill('#l-team', team);
  await page.selectOption('#l-type', 'account');
  await page.fill('#l-user', user);
  await page.fill('#l-password', password);
  await page.click('#l-submit');
  await page.waitForSelector('#board:not([hidden])');
  await page.waitForSelector('#push[data-up="1"]');
}

// wait until the page shows N agent rows, every one in state STATE
export async function waitRows(page, n, state, timeout) {
  await page.waitForFunction(([n, s]) => {
    const rows = document.querySelectorAll('#agents tbody tr[data-agent]');
    return rows.length === n && [...rows].every((r) => r.getAttribute('data-state') === s);
  }, [n, state], { timeout, polling: 100 });
}

// A MutationObserver on the agents table: every change of a row's
// data-state, [agent, state, time]. Reads the DOM only.
export async function observe(page) {
  await page.evaluate(() => {
    window.__wsObs = [];
    const tb = document.querySelector('#agents');
    new MutationObserver((recs) => {
      const t = performance.timeOrigin + performance.now();
      const first = new Map();
      for (const r of recs) if (!first.has(r.target)) first.set(r.target, r.oldValue);
      for (const [tr, old] of first) {
        const v = tr.getAttribute('data-state');
        if (v !== old) window.__wsObs.push([tr.getAttribute('data-agent'), v, t]);
      }
    }).observe(tb, { subtree: true, attributes: true, attributeFilter: ['data-state'],
                     attributeOldValue: true });
  });
}
export const observed = (page) => page.evaluate(() => window.__wsObs.splice(0));

// ---- the changes ------------------------------------------------------------------
// Each agent goes idle → pause → idle → logout (checked out) → idle
// (checked in) → ..., one change at a time in agent order, RATE changes
// a second for SECONDS. Returns [{agent, want, sent, replied, ok, reply}].
const STEPS = [
  { want: 'pause', p: () => ({ EVENT: 'QUEUEPAUSE', type: '1', pause_reason: 'rest' }) },
  { want: 'idle', p: () => ({ EVENT: 'QUEUEPAUSE', type: '2' }) },
  { want: 'logout', p: (g) => ({ EVENT: 'QUEUE', type: '2', list: String(g) }) },
  { want: 'idle', p: (g) => ({ EVENT: 'QUEUE', type: '1', list: String(g) }) },
];
export async function drive(api, agents, groupOf, rate, seconds) {
  const total = Math.round(rate * seconds), changes = [], pending = [];
  const t0 = now() + 50;
  for (let k = 0; k < total; k++) {
    const due = t0 + (k * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    const agent = agents[k % agents.length];
    const step = STEPS[Math.floor(k / agents.length) % STEPS.length];
    const c = { agent, want: step.want, sent: now(), replied: 0, ok: false, reply: '' };
    changes.push(c);
    pending.push(api.call(agent, { ...step.p(groupOf(agent)), pushevent: 'yes' }).then((r) => {
      c.replied = now();
      c.reply = r;
      c.ok = r.startsWith('|Retuen|1|');
    }, (e) => { c.replied = now(); c.reply = String(e); }));
  }
  await Promise.all(pending);
  return changes;
}

// The page's observations against the changes: for each change, in the
// span until the agent's next change (or END), the first time the page
// showed the new state (shown) and the time it last turned to it and kept
// it (settled; later than shown when a poll answered before the change
// put the old state back for a while). Milliseconds after the API's
// reply, 0 when the page was faster than the reply; null: not shown.
export function match(changes, obs, end) {
  const byAgent = new Map();
  for (const o of obs) {
    if (!byAgent.has(o[0])) byAgent.set(o[0], []);
    byAgent.get(o[0]).push(o);
  }
  const nextOf = new Map();
  const out = [];
  for (let i = changes.length - 1; i >= 0; i--) {
    const c = changes[i];
    const until = nextOf.has(c.agent) ? nextOf.get(c.agent) : end;
    nextOf.set(c.agent, c.sent);
    const seen = (byAgent.get(c.agent) || []).filter((o) => o[2] >= c.sent && o[2] < until);
    const first = seen.find((o) => o[1] === c.want);
    const last = seen[seen.length - 1];
    const lat = (o) => Math.max(0, o[2] - c.replied);
    out[i] = { ...c, shown: first ? lat(first) : null,
               settled: last && last[1] === c.want ? lat(last) : null,
               flips: seen.length };
  }
  return out;
}

export function pct(values, p) {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

// ---- the queues: the page's counters are the API's --------------------------------
const QSTATES = ['idle', 'ring', 'busy', 'acw', 'pause', 'logout'];
export async function queueDiff(page, api, user) {
  const j = JSON.parse(await api.call(user, { EVENT: 'QueueStatistic' }, 'account'));
  const shown = await page.evaluate((states) => {
    const o = {};
    for (const tr of document.querySelectorAll('#queues tbody tr[data-queue]')) {
      o[tr.getAttribute('data-queue')] =
        states.map((s) => tr.querySelector(`td[data-k="s_${s}"]`).textContent).join(' ');
    }
    return o;
  }, QSTATES);
  const diff = [];
  for (const q of j.queues || []) {
    const want = QSTATES.map((s) => String(q.agents[s])).join(' ');
    if (shown[q.queue] !== want) diff.push(`${q.queue}: page ${shown[q.queue]}, API ${want}`);
  }
  if (!(j.queues || []).length) diff.push('the API shows no queue');
  return diff;
}
export async function queuesAgree(page, api, user, timeout) {
  const until = now() + timeout;
  let diff;
  do {
    diff = await queueDiff(page, api, user);
    if (!diff.length) return diff;
    await sleep(250);
  } while (now() < until);
  return diff;
}

// ---- CPU from /proc -----------------------------------------------------------------
export const HZ = 100;   // USER_HZ on Linux
function stat(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) };
  } catch (e) {
    return null;
  }
}
// pid and all its descendants, each with its --type (browser for the root;
// renderer-ui for Chromium's WebUI renderers, renderer for the pages')
export function tree(root) {
  const kids = new Map();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(d);
    if (!s) continue;
    if (!kids.has(s.ppid)) kids.set(s.ppid, []);
    kids.get(s.ppid).push(Number(d));
  }
  const out = [];
  const walk = (pid) => {
    let type = 'browser';
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const m = /--type=([a-z-]+)/.exec(cmd);
      if (m) type = m[1];
      // Chromium's own browser UI in WebUI renderers (the omnibox popup,
      // preloaded even headless): busy for ~15 s after the first page
      if (type === 'renderer' && cmd.includes('--top-chrome-webui')) type = 'renderer-ui';
    } catch (e) { /* gone */ }
    out.push({ pid, type });
    for (const k of kids.get(pid) || []) walk(k);
  };
  walk(root);
  return out;
}
// ticks of each process of a tree(): {pid: {type, ticks}}
export function ticksOf(procs) {
  const t = {};
  for (const p of procs) {
    const s = stat(p.pid);
    if (s) t[p.pid] = { type: p.type, ticks: s.ticks };
  }
  return t;
}
// the ticks between two ticksOf(), by type ({browser, renderer,
// gpu-process, utility, zygote, ...}, all): the processes of the second
// (one that started meanwhile counts from 0; one that ended meanwhile is
// lost, so the trees are taken at both ends of a span)
export function ticksBetween(t0, t1) {
  const d = { all: 0 };
  for (const [pid, { type, ticks }] of Object.entries(t1)) {
    const x = ticks - (t0[pid] && t0[pid].type === type ? t0[pid].ticks : 0);
    d[type] = (d[type] || 0) + x;
    d.all += x;
  }
  return d;
}
// the Chromium that this process started (playwright's launch(): a child)
export function chromiumOf(parent) {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || stat(d)?.ppid !== parent) continue;
    try {
      if (/chrom/.test(readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0])) return Number(d);
    } catch (e) { /* gone */ }
  }
  throw new Error('no Chromium child process found');
}
export function ticksPid(pid) {
  const s = stat(pid);
  return s ? s.ticks : 0;
}
// ticks by thread name over the processes (a diagnostic: where the time goes)
export function threadTicks(procs) {
  const t = {};
  for (const p of procs) {
    let tids = [];
    try { tids = readdirSync(`/proc/${p.pid}/task`); } catch (e) { continue; }
    for (const tid of tids) {
      try {
        const s = readFileSync(`/proc/${p.pid}/task/${tid}/stat`, 'utf8');
        const name = p.type + ':' + s.slice(s.indexOf('(') + 1, s.lastIndexOf(')'));
        const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
        t[name] = (t[name] || 0) + Number(f[11]) + Number(f[12]);
      } catch (e) { /* gone */ }
    }
  }
  return t;
}
