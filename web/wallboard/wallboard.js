// wallboard.js — occ's supervisor wallboard (/wallboard/). Built only on
// occ's public interfaces: every second the HTTP interface's QueueStatistic
// (POST /coccinterfaces, docs/API.md: the same counters as the API and
// /metrics), occ's push (a team PushToken, then /push/sse) for agent state
// changes between polls, and silentMonitor / whisper / intrude /
// forcedRelease for the buttons, with the leader's phone: "My phone" (an
// extension of the team or a number), or the browser phone (web/lib/
// phone.js, the agent desktop's) registering that extension here; occd's
// call for a supervision asks the phone to answer at once, so the leader
// hears the call as soon as he clicks.
//
// Credentials: a team account, or an agent who leads a group (others are
// refused with BackMsg_65). The password lives in this page's memory only
// (a reload asks for it again), the browser phone's SIP password in
// phone.js's (typed in its card); nothing but the language, the alarm
// thresholds and the phone (which, and its number) goes to localStorage;
// nothing is logged.
'use strict';
(function () {
  const API = '/coccinterfaces';
  const POLL_MS = 1000;

  // ---- labels (the manual's language codes: cn, en) ----------------------
  const T = {
    en: {
      title: 'Wallboard', logout: 'Log out', login: 'Log in', team: 'Team', usertype: 'As',
      t_agent: 'group leader (agent)', t_account: 'team account', user: 'User', password: 'Password',
      phone: 'My phone', sl: 'Service level within (s)', al_wait: 'Alarm: waiting ≥',
      al_longest: 'Alarm: longest wait ≥ (s)', queues: 'Queues', agents: 'Agents',
      q_queue: 'Queue', q_waiting: 'Waiting', q_longest: 'Longest wait', q_sl: 'Service level',
      q_asa: 'ASA', q_aht: 'AHT', q_answered: 'Answered', q_abandoned: 'Abandoned',
      s_idle: 'Idle', s_ring: 'Ringing', s_busy: 'Talking', s_acw: 'ACW', s_pause: 'Paused',
      s_logout: 'Not in', a_agent: 'Agent', a_state: 'State', a_since: 'Since',
      a_party: 'Talking with', a_groups: 'Queues', a_actions: 'Supervise',
      a_sup: 'Supervised', sup_monitor: 'monitored by', sup_whisper: 'whispered to by',
      sup_barge: 'barged into by',
      SILENTMONITOR: 'Monitor', Whisper: 'Whisper', INTRUDE: 'Intrude', ForcedRelease: 'Release',
      push_up: 'live', push_down: 'reconnecting', need_phone: 'Enter your phone first',
      phone_kind: 'Supervise with', k_sip: 'my phone', k_browser: 'browser phone',
      webphone: 'Browser phone', sip_password: 'SIP password', ph_register: 'Register',
      ph_unregister: 'Unregister', ph_answer: 'Answer', ph_mute: 'Mute', ph_hangup: 'Hang up',
      need_register: 'Register the browser phone first ("My phone" is its extension)',
      phone_busy: 'The browser phone is in a call: hang up first',
      BackMsg_65: 'only group leaders and the team\'s accounts may open the wallboard',
    },
    cn: {
      title: '监控墙', logout: '退出', login: '登录', team: '租户', usertype: '身份',
      t_agent: '组长（坐席）', t_account: '租户账号', user: '用户', password: '密码',
      phone: '我的电话', sl: '服务水平时限（秒）', al_wait: '告警：排队 ≥',
      al_longest: '告警：最长等待 ≥（秒）', queues: '队列', agents: '坐席',
      q_queue: '队列', q_waiting: '排队', q_longest: '最长等待', q_sl: '服务水平',
      q_asa: '平均应答', q_aht: '平均处理', q_answered: '已接听', q_abandoned: '放弃',
      s_idle: '空闲', s_ring: '振铃', s_busy: '通话', s_acw: '话后', s_pause: '示忙',
      s_logout: '未签入', a_agent: '坐席', a_state: '状态', a_since: '持续',
      a_party: '通话对方', a_groups: '队列', a_actions: '监控',
      a_sup: '被监控', sup_monitor: '监听', sup_whisper: '密语', sup_barge: '强插',
      SILENTMONITOR: '监听', Whisper: '密语', INTRUDE: '强插', ForcedRelease: '强拆',
      push_up: '实时', push_down: '重连中', need_phone: '请先填写我的电话',
      phone_kind: '监控使用', k_sip: '我的电话', k_browser: '网页电话',
      webphone: '网页电话', sip_password: 'SIP密码', ph_register: '注册',
      ph_unregister: '注销', ph_answer: '接听', ph_mute: '静音', ph_hangup: '挂断',
      need_register: '请先注册网页电话（我的电话即其分机号）',
      phone_busy: '网页电话通话中：请先挂断',
      BackMsg_65: '只有组长和租户账号可以打开监控墙',
    },
  };
  let lang = localStorage.getItem('occ.lang') === 'cn' ? 'cn' : 'en';
  const t = (k) => (T[lang][k] !== undefined ? T[lang][k] : k);
  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };
  const OPS = ['SILENTMONITOR', 'Whisper', 'INTRUDE', 'ForcedRelease'];
  // a leader does not supervise a call he is in (occd refuses it:
  // BackMsg_28[target]): his own row's buttons but Release stay off
  const SUPERVISE = new Set(['SILENTMONITOR', 'Whisper', 'INTRUDE']);
  const STATES = ['idle', 'ring', 'busy', 'acw', 'pause', 'logout'];

  // who is logged in: memory only
  let cred = null, timer = null, es = null, polling = false;

  // ---- the HTTP interface --------------------------------------------------
  async function api(event, params) {
    const body = new URLSearchParams();
    body.set('EVENT', event);
    for (const k of ['orgidentity', 'usertype', 'user', 'password']) body.set(k, cred[k]);
    body.set('pwdtype', 'plaintext');
    body.set('language', lang);
    for (const k of Object.keys(params || {})) body.set(k, params[k]);
    const r = await fetch(API, { method: 'POST', body, cache: 'no-store', credentials: 'omit' });
    const text = await r.text();
    if (event === 'QueueStatistic') {
      try { return JSON.parse(text); } catch (e) { return { code: 0, message: text }; }
    }
    const f = text.split('|Retuen|');
    return { code: Number(f[1]), message: f[2] || '' };
  }
  function say(text, code) {
    const m = $('msg');
    m.textContent = text || '';
    m.className = code === 1 ? '' : 'err';
    m.dataset.code = String(code);
  }

  // ---- numbers -------------------------------------------------------------
  const mmss = (s) => {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60, x = s % 60;
    return (h ? h + ':' + String(m).padStart(2, '0') : String(m)) + ':' + String(x).padStart(2, '0');
  };
  const num = (id, dflt) => { const v = Number($(id).value); return v > 0 ? v : dflt; };

  // ---- the tables: one entry per row ({tr, c: cells by key}), kept in a
  // Map so that a poll touches only what changed: no selector per cell, no
  // text or attribute written again with the same value. DOM writes wait
  // for the next animation frame (render), so a burst of pushed events and
  // polls makes one update of the page.
  const rows = { queues: new Map(), agents: new Map() };
  // Rows go in chunks of CHUNK, a <tbody> each, that the browser skips
  // while out of view (content-visibility: auto on the chunk,
  // wallboard.css): a frame's style, layout and paint walk a few chunks,
  // not every row, and the browser watches 25 chunks for visibility, not
  // 500 rows. A chunk's height while skipped: its rows (--n) × row height.
  const CHUNK = 20;
  function chunkFor(table, map) {
    let tb = table.tBodies[table.tBodies.length - 1];
    if (!tb || tb.rows.length >= CHUNK) {
      tb = table.appendChild(document.createElement('tbody'));
      tb.rowSet = new Set();
      if (map === rows.agents) tb.addEventListener('contentvisibilityautostatechange', inView);
    }
    return tb;
  }
  function row(table, map, key, attr, cells) {
    let r = map.get(key);
    if (!r) {
      const tr = document.createElement('tr');
      tr.setAttribute(attr, key);
      r = { tr, c: {}, v: {}, key };
      for (const k of cells) {
        const td = el('td');
        td.dataset.k = k;
        tr.appendChild(td);
        r.c[k] = td;
      }
      const tb = chunkFor(table, map);
      tb.appendChild(tr);
      tb.rowSet.add(r);
      tb.style.setProperty('--n', String(tb.rows.length));
      r.tb = tb;
      map.set(key, r);
      if (tb.shown) visible.add(r);
    }
    r.seen = true;
    return r;
  }
  function setText(td, text) {
    if (td.textContent !== text) td.textContent = text;
  }
  // a cell of row R: its text is written only when it changed (remembered
  // in R.v, so a poll does not even read the DOM)
  function cell(r, k, text) {
    if (r.v[k] !== text) { r.v[k] = text; r.c[k].textContent = text; }
  }
  function setAttr(e, name, value) {
    if (e.getAttribute(name) !== value) e.setAttribute(name, value);
  }
  function sweep(map) {
    for (const [key, r] of map) {
      if (!r.seen) {
        r.tr.remove();
        r.tb.rowSet.delete(r);
        r.tb.style.setProperty('--n', String(r.tb.rows.length));
        map.delete(key);
        visible.delete(r);
      }
      r.seen = false;
    }
  }

  const QCELLS = ['queue', 'waiting', 'longest_wait', 'service_level', 'asa', 'aht', 'answered',
                  'abandoned'].concat(STATES.map((s) => 's_' + s));
  function showQueues(d) {
    const tb = $('queues');
    const alW = num('al-waiting', 5), alL = num('al-longest', 60);
    for (const q of d.queues) {
      const r = row(tb, rows.queues, q.queue || String(q.group), 'data-queue', QCELLS);
      const c = r.c;
      cell(r, 'queue', `${q.queue} ${q.name}`);
      cell(r, 'waiting', String(q.waiting));
      cell(r, 'longest_wait', mmss(q.longest_wait));
      setAttr(c.longest_wait, 'data-secs', String(q.longest_wait));
      cell(r, 'service_level', q.service_level === null ? '—' : q.service_level + '%');
      cell(r, 'asa', mmss(q.asa));
      cell(r, 'aht', mmss(q.aht));
      cell(r, 'answered', String(q.answered));
      cell(r, 'abandoned', String(q.abandoned));
      for (const s of STATES) cell(r, 's_' + s, String(q.agents[s]));
      const alarm = q.waiting >= alW || q.longest_wait >= alL;
      if (r.tr.classList.contains('alarm') !== alarm) r.tr.classList.toggle('alarm', alarm);
      setAttr(r.tr, 'data-alarm', alarm ? '1' : '0');
    }
    sweep(rows.queues);
  }

  const ACELLS = ['agent', 'state', 'since', 'party', 'sup', 'groups', 'actions'];
  // FULL: every agent is in d (else only those changed since the last
  // poll): rows of agents no longer there go
  function showAgents(d, asked, full) {
    const tb = $('agents');
    const qname = {};
    for (const q of d.queues) qname[q.group] = q.queue;
    if (full) for (const r of rows.agents.values()) r.seen = false;
    for (const a of d.agents) {
      const r = row(tb, rows.agents, a.agent, 'data-agent', ACELLS);
      cell(r, 'agent', a.name ? `${a.agent} ${a.name}` : a.agent);
      // the buttons before the state: showState enables them for a call only
      if (!r.c.actions.firstChild) {
        for (const op of OPS) {
          const b = el('button', t(op), 'small');
          b.type = 'button';
          b.dataset.op = op;
          b.dataset.t = op;
          b.disabled = true;
          r.c.actions.appendChild(b);
        }
      }
      // a state pushed after this poll was asked for is newer than the poll's
      if (!(pushedAt.get(a.agent) > asked)) showState(r, a.state, a.since);
      cell(r, 'party', a.party);
      // who supervises the agent's call, and how (QueueStatistic's
      // supervisor and supervision)
      cell(r, 'sup', a.supervisor ? `${t('sup_' + a.supervision)} ${a.supervisor}` : '');
      setAttr(r.tr, 'data-supervisor', a.supervisor || '');
      cell(r, 'groups', a.groups.map((g) => qname[g] || g).join(', '));
    }
    if (full) sweep(rows.agents);
  }
  // the state, and since when (ms, this browser's clock): a poll's "since"
  // is whole seconds, so the start moves only with the state or by > 2 s
  function showState(r, state, since) {
    const start = Date.now() - since * 1000;
    if (r.state === state && Math.abs(start - r.start) <= 2000) return;
    r.state = state;
    r.start = start;
    let span = r.c.state.firstChild;
    if (!span) { span = el('span', '', 'st'); r.c.state.appendChild(span); }
    setAttr(span, 'data-state', state);
    setText(span, t('s_' + state));
    setAttr(r.tr, 'data-state', state);
    const self = cred && cred.usertype === 'agent' && r.key === cred.user;
    for (const b of r.c.actions.children) {
      const off = state !== 'busy' || (self && SUPERVISE.has(b.dataset.op));
      if (b.disabled !== off) b.disabled = off;
    }
    showSince(r);
  }
  // "Since" counts every second; only rows near the screen are written:
  // the browser skips the others (content-visibility: auto, wallboard.css)
  // and tells when a row starts or stops being skipped
  const visible = new Set();
  function inView(ev) {
    const tb = ev.target;
    tb.shown = !ev.skipped;
    for (const r of tb.rowSet) {
      if (ev.skipped) visible.delete(r);
      else { visible.add(r); showSince(r); }
    }
  }
  function showSince(r) {
    if (r.start !== undefined) cell(r, 'since', mmss((Date.now() - r.start) / 1000));
  }
  // in a draw at most once a second (no frame of its own: the poll's
  // draw each second does it), and a draw of its own only when none came
  let lastTick = 0;
  function tick() {
    if (Date.now() - lastTick < 500) return;
    lastTick = Date.now();
    for (const r of visible) showSince(r);
  }

  // what the next frame shows: the last poll's figures, pushed states. At
  // most one update every DRAW_MS: each costs a style, layout and paint
  // pass, and 50 changes a second would otherwise be 50 of them.
  const DRAW_MS = 250;
  let frame = 0, lastDraw = 0, nextPoll = null;
  const nextStates = new Map(), pushedAt = new Map();
  function render() {
    if (!frame) {
      frame = setTimeout(() => requestAnimationFrame(draw),
                         Math.max(0, lastDraw + DRAW_MS - Date.now()));
    }
  }
  function draw() {
    frame = 0;
    lastDraw = Date.now();
    if (nextPoll) {
      const p = nextPoll;
      nextPoll = null;
      showQueues(p.d);
      showAgents(p.d, p.asked, p.full);
      // the next poll's cursor is the reply drawn last (a reply that
      // another replaced before a draw, e.g. in a hidden tab, is asked again)
      since = p.d.now;
      if (p.full) lastFull = p.asked;
      $('clock').textContent = new Date().toLocaleTimeString(lang === 'cn' ? 'zh-CN' : 'en-GB');
    }
    for (const [who, state] of nextStates) {
      const r = rows.agents.get(who);
      if (r) showState(r, state, 0);
    }
    nextStates.clear();
    tick();
  }

  // Each poll asks for the agents changed since the last reply drawn (its
  // "now": agentsince), a few KB instead of every agent's row (60 KB for
  // 500); every FULL_MS all of them (names, memberships).
  const FULL_MS = 10000;
  let since = null, lastFull = 0;
  async function poll() {
    if (!cred || polling) return;
    polling = true;
    try {
      const asked = Date.now();
      const full = since === null || asked - lastFull >= FULL_MS;
      const q = { servicelevel: String(num('sl', 20)) };
      if (!full) q.agentsince = String(since);
      const d = await api('QueueStatistic', q);
      if (d.code !== 1) { say(d.message, d.code); return; }
      nextPoll = { d, asked, full };
      render();
    } catch (e) {
      say(String(e.message || e), 0);
    } finally {
      polling = false;
    }
  }

  // ---- push: an agent's state at once, between polls -------------------------
  function parseEvent(msg) {
    const e = {};
    for (const part of String(msg).split('&')) {
      const i = part.indexOf('=');
      if (i <= 0) continue;
      let v = part.slice(i + 1);
      try { v = decodeURIComponent(v); } catch (x) { /* raw */ }
      e[part.slice(0, i)] = v;
    }
    return e;
  }
  function onEvent(msg) {
    const e = parseEvent(msg);
    const who = e.agentno || e.agentnum;
    if (who && e.state && STATES.includes(e.state)) {
      nextStates.set(who, e.state);
      pushedAt.set(who, Date.now());
      render();
    }
  }
  // The stream holds events up to HOLD_MS and sends them together
  // (/push/sse?hold=): a few messages a second however busy the team, one
  // draw for each, instead of one message per event.
  const HOLD_MS = 250;
  // An event makes no poll of its own: the agent's state is on the page
  // already, and the next poll (at most POLL_MS away) brings the queues'
  // counters. At 50 changes a second, extra polls (a 60 KB reply each for
  // 500 agents) were a good part of the page's CPU.
  async function startPush() {
    if (es) es.close();
    const r = await api('PushToken', { type: 'team' }).catch(() => null);
    if (!cred || !r || r.code !== 1) return;
    es = new EventSource('/push/sse?hold=' + HOLD_MS + '&token=' + encodeURIComponent(r.message));
    es.onopen = () => { $('push').dataset.up = '1'; $('push').textContent = t('push_up'); };
    es.onmessage = (m) => onEvent(m.data);
    es.onerror = () => {
      $('push').dataset.up = '0';
      $('push').textContent = t('push_down');
      if (es.readyState === EventSource.CLOSED) setTimeout(() => { if (cred) startPush(); }, 3000);
    };
  }

  // ---- supervision ------------------------------------------------------------
  // with the browser phone, "My phone" is the extension it registered,
  // free to take occd's call
  function phoneReady() {
    if ($('phone-kind').value !== 'browser') return true;
    const st = $('ph-state').dataset.state;
    if (st === 'registered' || st === 'ended') return true;
    say(t(['ringing', 'calling', 'talking'].includes(st) ? 'phone_busy' : 'need_register'), 0);
    return false;
  }
  async function supervise(op, target) {
    const phone = $('phone').value.trim();
    if (op !== 'ForcedRelease') {
      if (!phone) { say(t('need_phone'), 0); $('phone').focus(); return; }
      if (!phoneReady()) return;
    }
    try {
      const r = await api(op, { target, phonenumber: phone });
      say(`${t(op)} ${target}: ${r.message}`, r.code);
    } catch (e) {
      say(String(e.message || e), 0);
    }
    poll();
  }

  // ---- login ------------------------------------------------------------------
  async function login(ev) {
    ev.preventDefault();
    cred = { orgidentity: $('l-team').value.trim(), usertype: $('l-type').value,
             user: $('l-user').value.trim(), password: $('l-password').value };
    $('l-password').value = '';
    $('l-submit').disabled = true;
    try {
      const d = await api('QueueStatistic', { servicelevel: String(num('sl', 20)) });
      if (d.code !== 1) {
        cred = null;
        const m = String(d.message);
        say(T[lang][m] ? `${m}: ${t(m)}` : m, d.code);
        return;
      }
      say('', 1);
      $('login-view').hidden = true;
      $('board').hidden = false;
      $('logout').hidden = false;
      $('who').hidden = false;
      $('who').textContent = `${cred.user} · ${cred.orgidentity}`;
      $('phone-card').dataset.team = cred.orgidentity;   // the browser phone's team
      nextPoll = { d, asked: 0, full: true };
      render();
      timer = setInterval(poll, POLL_MS);
      setInterval(() => { if (Date.now() - lastDraw > 1500) render(); }, 1000);
      startPush();
    } catch (e) {
      cred = null;
      say(String(e.message || e), 0);
    } finally {
      $('l-submit').disabled = false;
    }
  }
  function logout() {
    cred = null;
    clearInterval(timer);
    if (es) es.close();
    location.reload();
  }

  function applyLang() {
    document.documentElement.lang = lang === 'cn' ? 'zh-CN' : 'en';
    for (const e of document.querySelectorAll('[data-t]')) e.textContent = t(e.dataset.t);
    for (const e of document.querySelectorAll('[data-tp]')) e.placeholder = t(e.dataset.tp);
    $('lang').textContent = lang === 'cn' ? 'English' : '中文';
    for (const r of rows.agents.values()) {
      const span = r.c.state.firstChild;
      if (span) span.textContent = t('s_' + r.state);
    }
  }

  function init() {
    for (const k of ['sl', 'al-waiting', 'al-longest', 'phone', 'phone-kind']) {
      const v = localStorage.getItem('occ.wallboard.' + k);
      if (v) $(k).value = v;
      $(k).addEventListener('change', () => { localStorage.setItem('occ.wallboard.' + k, $(k).value); poll(); });
    }
    const kind = () => { $('phone-card').hidden = $('phone-kind').value !== 'browser'; };
    $('phone-kind').addEventListener('change', kind);
    kind();
    $('login-form').addEventListener('submit', login);
    $('logout').addEventListener('click', logout);
    $('lang').addEventListener('click', () => {
      lang = lang === 'cn' ? 'en' : 'cn';
      localStorage.setItem('occ.lang', lang);
      applyLang();
    });
    $('agents').addEventListener('click', (ev) => {
      const b = ev.target.closest('button[data-op]');
      const tr = b && b.closest('tr[data-agent]');
      if (tr) supervise(b.dataset.op, tr.getAttribute('data-agent'));
    });
    applyLang();
  }
  init();
})();
