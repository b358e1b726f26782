// agent.js — occ's agent desktop (/agent/). Built only on occ's public
// interfaces: the HTTP interface (POST /coccinterfaces, docs/API.md) for
// every operation, and occ's push (a PushToken, then /push/sse) for events.
//
// Credentials: the password typed at login is sent once (LOGIN, MyInfo) and
// then forgotten; the page keeps, in sessionStorage only (this tab, gone when
// it closes), the team, the agent, the MD5 that MyInfo hands back to the
// agent who just proved the password (what pwdtype=md5 sends) and the push
// token. Nothing goes to localStorage but the language; nothing is logged.
//
// Reload: sessionStorage also keeps the call being shown, the log of state
// changes and the last eventid seen, so a reloaded page shows the call at
// once and /push/sse?last=N replays what happened since (docs/ARCHITECTURE.md,
// Events); agentRealtime then gives the state and how long it has lasted.
'use strict';
(function () {
  const API = '/coccinterfaces';
  const SS = 'occ.agentdesk';
  const LOG_MAX = 50;

  // ---- labels (the manual's language codes: cn, en) ----------------------
  const T = {
    en: {
      title: 'Agent desktop', state: 'State', logout: 'Log out', login: 'Log in',
      team: 'Team', agent: 'Agent', password: 'Password', call: 'Call',
      caller: 'Caller', did: 'DID', queue: 'Queue', direction: 'Direction',
      campaign: 'Campaign', record: 'Record', consulted: 'Consulted', session: 'Session',
      hold: 'Hold', resume: 'Resume', hangup: 'Hang up', consult: 'Consult',
      transfer: 'Transfer', call_return: 'Call return', conference: 'Conference',
      to_ivr: 'To IVR', ivr_release: 'Leave the call', ivr_suspend: 'Come back after',
      number: 'Number', recording: 'Recording', dial: 'Dial', call_btn: 'Call',
      groups: 'Groups', phone: 'Phone (extension)', checkin: 'Check in',
      checkout: 'Check out', work: 'Work', r_rest: 'Rest', r_leave: 'Leave',
      r_meeting: 'Meeting', r_training: 'Training', r_lunch: 'Lunch', r_other: 'Other',
      pause: 'Pause', unpause: 'Ready', acw_ring: 'ACW after ring',
      acw_answer: 'ACW after answer', acw_off: 'No ACW', set: 'Set', acw_end: 'End ACW',
      w_all: 'In and out', w_in: 'Inbound only', w_out: 'Outbound only',
      today: 'Today', refresh: 'Refresh', group: 'Group', calls: 'Calls',
      in_ans: 'In', out_ans: 'Out', talk: 'Talk', waiting: 'Waiting',
      calls_today: 'Calls today', time: 'Time', callee: 'Callee',
      changes: 'State changes', consult_to: 'Agent or number', ivr_exten: 'IVR number',
      ivr_flow: 'Keys, e.g. 1-2', dial_to: 'Number or agent',
      s_idle: 'idle', s_ring: 'ringing', s_busy: 'in a call', s_acw: 'after-call work',
      s_pause: 'paused', s_logout: 'logged out',
      p_none: '—', p_ringing: 'ringing', p_talking: 'talking', p_held: 'on hold',
      p_consulting: 'consulting', p_conference: 'conference', p_ended: 'ended',
      p_dialing: 'dialing',
      in: 'inbound', out: 'outbound', checked_in: 'checked in', not_in: 'not checked in',
      leader: 'leader', f_state: 'State', f_since: 'For', f_pauses: 'Pauses',
      f_pause_time: 'Paused', push_up: 'events live', push_down: 'events reconnecting',
      need_group: 'Choose at least one group', listen: 'listen',
      // browser phone (phone.js)
      webphone: 'Browser phone', sip_password: 'SIP password', ph_register: 'Register',
      ph_unregister: 'Unregister', ph_answer: 'Answer', ph_call: 'Call from browser', ph_mute: 'Mute',
    },
    cn: {
      title: '坐席工作台', state: '状态', logout: '退出', login: '登录',
      team: '团队', agent: '工号', password: '密码', call: '通话',
      caller: '主叫号码', did: '中继号码', queue: '队列', direction: '方向',
      campaign: '外呼任务', record: '客户资料', consulted: '咨询方', session: '会话',
      hold: '保持', resume: '恢复', hangup: '挂机', consult: '咨询',
      transfer: '转接', call_return: '接回', conference: '会议',
      to_ivr: '转IVR', ivr_release: '释放', ivr_suspend: '挂起后接回',
      number: '号码', recording: '录音', dial: '拨号', call_btn: '呼叫',
      groups: '坐席组', phone: '话机(分机)', checkin: '签入',
      checkout: '签出', work: '工作', r_rest: '休息', r_leave: '离开',
      r_meeting: '会议', r_training: '培训', r_lunch: '午餐', r_other: '其他',
      pause: '示忙', unpause: '示闲', acw_ring: '振铃后话后',
      acw_answer: '接听后话后', acw_off: '无话后', set: '设置', acw_end: '结束话后',
      w_all: '呼入呼出', w_in: '仅呼入', w_out: '仅呼出',
      today: '今日', refresh: '刷新', group: '坐席组', calls: '来电',
      in_ans: '呼入接听', out_ans: '呼出接通', talk: '通话时长', waiting: '排队',
      calls_today: '今日通话', time: '时间', callee: '被叫',
      changes: '状态变化', consult_to: '工号或号码', ivr_exten: 'IVR号码',
      ivr_flow: '按键,如 1-2', dial_to: '号码或工号',
      s_idle: '空闲', s_ring: '振铃', s_busy: '通话中', s_acw: '话后处理',
      s_pause: '示忙', s_logout: '未签入',
      p_none: '—', p_ringing: '振铃', p_talking: '通话中', p_held: '保持中',
      p_consulting: '咨询中', p_conference: '会议中', p_ended: '已结束',
      p_dialing: '拨号中',
      in: '呼入', out: '呼出', checked_in: '已签入', not_in: '未签入',
      leader: '组长', f_state: '状态', f_since: '持续', f_pauses: '示忙次数',
      f_pause_time: '示忙时长', push_up: '事件已连接', push_down: '事件重连中',
      need_group: '请至少选择一个坐席组', listen: '收听',
      // browser phone (phone.js)
      webphone: '网页电话', sip_password: 'SIP密码', ph_register: '注册', ph_unregister: '注销',
      ph_answer: '接听', ph_call: '网页电话呼叫', ph_mute: '静音',
    },
  };
  // ?lang=cn or ?lang=en chooses (and keeps) the language; else the last one
  const qlang = new URLSearchParams(location.search).get('lang');
  if (qlang === 'cn' || qlang === 'en') localStorage.setItem('occ.lang', qlang);
  let lang = localStorage.getItem('occ.lang') === 'cn' ? 'cn' : 'en';
  const t = (k) => (T[lang][k] !== undefined ? T[lang][k] : k);

  const $ = (id) => document.getElementById(id);
  const el = (tag, text, cls) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  };

  // ---- what survives a reload (sessionStorage only) ----------------------
  // s: { team, agent, md5, token, last, call, log, groups }
  let s = null;
  function load() {
    try { s = JSON.parse(sessionStorage.getItem(SS) || 'null'); } catch (e) { s = null; }
  }
  function save() {
    if (s) sessionStorage.setItem(SS, JSON.stringify(s));
  }

  // ---- the HTTP interface ---------------------------------------------------
  // A reply is |Retuen|code|Retuen|message[|Retuen|third]; MyInfo's is JSON.
  async function api(event, params, cred) {
    const body = new URLSearchParams();
    body.set('EVENT', event);
    const c = cred || { orgidentity: s.team, user: s.agent, pwdtype: 'md5', password: s.md5 };
    body.set('orgidentity', c.orgidentity);
    body.set('usertype', 'agent');
    body.set('user', c.user);
    body.set('pwdtype', c.pwdtype);
    body.set('password', c.password);
    body.set('language', lang);
    for (const k of Object.keys(params || {})) body.set(k, params[k]);
    const r = await fetch(API, { method: 'POST', body, cache: 'no-store', credentials: 'omit' });
    const text = await r.text();
    if (event === 'MyInfo') {
      try { return JSON.parse(text); } catch (e) { return { code: 2, message: text }; }
    }
    const f = text.split('|Retuen|');
    // rest: everything after the code (a JSON message may hold |Retuen|)
    const rest = text.slice(('|Retuen|' + f[1] + '|Retuen|').length);
    return { code: Number(f[1]), message: f[2] || '', third: f[3] || '', rest, ok: f[1] === '1' };
  }
  function say(text, bad) {
    const m = $('msg');
    m.textContent = text || '';
    m.className = bad ? 'err' : '';
  }
  async function op(event, params) {
    try {
      const r = await api(event, params);
      say(r.message, !r.ok);
      return r;
    } catch (e) {
      say(String(e.message || e), true);
      return { ok: false, code: 0, message: '' };
    }
  }

  // a recording URL from getMonitor: http(s) or this server's path only
  const isLink = (u) => /^(https?:\/\/|\/)/.test(u);

  // ---- login ------------------------------------------------------------
  async function login(ev) {
    ev.preventDefault();
    const cred = { orgidentity: $('l-team').value.trim(), user: $('l-agent').value.trim(),
                   pwdtype: 'plaintext', password: $('l-password').value };
    $('l-submit').disabled = true;
    try {
      const r = await api('LOGIN', {}, cred);
      if (!r.ok) { say(r.message, true); return; }
      const me = await api('MyInfo', {}, cred);
      if (me.code !== 1 || !me.agentpassword) { say(me.message || 'MyInfo', true); return; }
      const md5 = { orgidentity: cred.orgidentity, user: cred.user, pwdtype: 'md5',
                    password: me.agentpassword };
      const tok = await api('PushToken', { type: 'agent' }, md5);
      if (!tok.ok) { say(tok.message, true); return; }
      s = { team: cred.orgidentity, agent: cred.user, name: me.agentname || '',
            md5: me.agentpassword, token: tok.message, last: 0, call: null, log: [],
            groups: me.agent_group || [] };
      save();
      say(r.message);
      start();
    } catch (e) {
      say(String(e.message || e), true);
    } finally {
      $('l-password').value = '';
      $('l-submit').disabled = false;
    }
  }
  async function logout() {
    await op('LOGOUT', {});
    stopPush();
    sessionStorage.removeItem(SS);
    s = null;
    location.reload();
  }

  // ---- state and its duration ---------------------------------------------
  let stateWord = 'logout', stateSince = Date.now(), lastShownState = null;
  function showState(word, secs) {
    if (word !== stateWord || secs !== undefined) {
      if (word !== stateWord) stateSince = Date.now();
      if (secs !== undefined) stateSince = Date.now() - secs * 1000;
      stateWord = word;
    }
    const st = $('state');
    st.dataset.state = word;
    st.textContent = t('s_' + word);
    if (word !== lastShownState) {
      if (lastShownState !== null) addLog(t('state') + ': ' + t('s_' + word));
      lastShownState = word;
    }
    tick();
  }
  function hms(secs) {
    secs = Math.max(0, Math.floor(secs));
    const p = (n) => String(n).padStart(2, '0');
    return p(Math.floor(secs / 3600)) + ':' + p(Math.floor(secs / 60) % 60) + ':' + p(secs % 60);
  }
  function tick() {
    $('state-time').textContent = hms((Date.now() - stateSince) / 1000);
  }
  let rtTimer = null;
  function refreshSoon() {
    clearTimeout(rtTimer);
    rtTimer = setTimeout(refreshRealtime, 150);
  }
  async function refreshRealtime() {
    if (!s) return;
    const r = await api('AgentRealtime', {}).catch(() => null);
    if (!r || !r.ok) return;
    const f = r.message.split('|');
    showState(f[2], Number(f[3]));
    const rows = [[t('f_state'), t('s_' + f[2])], [t('f_since'), hms(Number(f[3]))],
                  [t('f_pauses'), f[4]], [t('f_pause_time'), hms(Number(f[11]))]];
    const tb = $('figures').tBodies[0];
    tb.replaceChildren(...rows.map(([k, v]) => {
      const tr = el('tr'); tr.append(el('td', k), el('td', v)); return tr;
    }));
  }
  async function refreshDay() {
    const r = await api('AgentStatisticDay', { agent_group_id: '' }).catch(() => null);
    const tb = $('groupfig').tBodies[0];
    if (!r || !r.ok) { tb.replaceChildren(); return; }
    let o = {};
    try { o = JSON.parse(r.message); } catch (e) { return; }
    tb.replaceChildren(...Object.keys(o).map((gid) => {
      const g = o[gid], tr = el('tr');
      const grp = (s.groups || []).find((x) => String(x.agent_group_id) === gid);
      tr.append(el('td', grp ? grp.groupname : gid), el('td', t('s_' + g.agent_status)),
                el('td', String(g.total_calls)), el('td', String(g.in_bound_call_answered)),
                el('td', String(g.out_bound_call_answered)), el('td', g.total_call_duration),
                el('td', String(g.waiting_calls)));
      return tr;
    }));
  }
  async function refreshInfo() {
    const me = await api('MyInfo', {}).catch(() => null);
    if (!me || me.code !== 1) return;
    s.groups = me.agent_group || [];
    save();
    showGroups();
    showModes();
    const tb = $('cdrs').tBodies[0];
    tb.replaceChildren(...(me.cdrs || []).map((c) => {
      const tr = el('tr');
      const a = el('a', '▶');
      a.href = '#';
      a.dataset.sid = c.sessionid;
      a.dataset.date = c.calldate;
      a.title = t('listen');
      const td = el('td');
      td.append(a);
      tr.append(el('td', (c.starttime || c.calldate || '').slice(-8)), el('td', t(c.direction) || c.direction),
                el('td', c.caller), el('td', c.callee), el('td', hms(Number(c.billsec))), td);
      return tr;
    }));
  }
  function refreshAll() {
    refreshRealtime();
    refreshDay();
    refreshInfo();
  }

  // ---- groups -----------------------------------------------------------------
  function showGroups() {
    const ul = $('groups');
    const checked = new Set([...ul.querySelectorAll('input:checked')].map((i) => i.value));
    ul.replaceChildren(...(s.groups || []).map((g) => {
      const li = el('li'), lab = el('label'), cb = el('input');
      cb.type = 'checkbox';
      cb.value = String(g.agent_group_id);
      cb.checked = checked.size ? checked.has(cb.value) : true;
      lab.append(cb, ' ' + g.groupname + ' (' + g.queue + ')');
      li.append(lab, el('span', g.checked_in ? t('checked_in') : t('not_in'),
                         g.checked_in ? 'tag on' : 'tag'));
      if (g.leader) li.append(el('span', t('leader'), 'tag'));
      return li;
    }));
  }
  // the selects show the modes in force (of the first checked-in group)
  function showModes() {
    const g = (s.groups || []).find((x) => x.checked_in);
    if (!g) return;
    if (document.activeElement !== $('acw-mode')) $('acw-mode').value = String(g.acw_mode);
    if (document.activeElement !== $('work-mode'))
      $('work-mode').value = ['all', 'dialin', 'dialout'][g.work_mode] || 'all';
  }
  function chosenGroups() {
    return [...$('groups').querySelectorAll('input:checked')].map((i) => i.value).join(',');
  }
  async function queueAction(type) {
    const list = chosenGroups();
    if (!list) { say(t('need_group'), true); return; }
    const p = { type: String(type), list, pushevent: 'yes' };
    if (type === 1 && $('exten').value.trim()) p.deviceexten = $('exten').value.trim();
    await op('QUEUE', p);
    refreshAll();
  }

  // ---- the call --------------------------------------------------------------
  // s.call: { sid, number, did, group, dir, campaign, record, consult, phase, legs }
  function queueOf(gid) {
    const g = (s.groups || []).find((x) => String(x.agent_group_id) === String(gid));
    return g ? g.queue + ' ' + g.groupname : (gid || '');
  }
  function setPhase(phase) {
    if (!s.call || s.call.phase === phase) return;
    s.call.phase = phase;
    addLog(t('call') + ': ' + t('p_' + phase));
  }
  function showCall() {
    const c = s && s.call;
    const ph = c ? c.phase : 'none';
    $('call-phase').dataset.phase = ph;
    $('call-phase').textContent = t('p_' + ph);
    $('popup').hidden = !c;
    if (c) {
      $('c-number').textContent = c.number || '';
      $('c-did').textContent = c.did || '';
      $('c-queue').textContent = c.group ? queueOf(c.group) : '';
      $('c-dir').textContent = c.dir ? t(c.dir) : '';
      $('c-campaign').textContent = c.campaign || '';
      $('c-record').textContent = c.record || '';
      showFields(c.fields);
      $('c-consult').textContent = c.consult || '';
      $('c-session').textContent = c.sid || '';
    }
    const live = c && c.phase !== 'ended';
    $('b-hold').disabled = !live || c.phase !== 'talking';
    $('b-resume').disabled = !live || c.phase !== 'held';
    $('b-hangup').disabled = !live;
    for (const id of ['b-consult', 'b-ivr']) $(id).disabled = !live;
    for (const id of ['b-transfer', 'b-return', 'b-conference'])
      $(id).disabled = !live || !c.consultUp;
    $('recording').hidden = !(c && c.phase === 'ended' && c.rec);
    if (c && c.rec) $('rec-link').href = c.rec, $('rec-link').textContent = c.rec.split('?')[0].split('/').pop();
  }
  // the manual's record fields: userdata (makeCall's) is name=value||name=value
  function recordText(userdata) {
    if (!userdata) return '';
    return userdata.split('||').join('; ');
  }
  // a dialer call's userdata is dial_id=N&customer_id=N (docs/DIALER.md)
  function customerOf(userdata) {
    const m = /(?:^|&)customer_id=([0-9]{1,18})(?:&|$)/.exec(userdata);
    return m && m[1] !== '0' ? m[1] : '';
  }
  // the record (CustomerRecord): the campaign's name and the fields with
  // the package's display names; asked once per call
  async function fetchRecord(c, campaignid, cid) {
    if (c.recAsked === cid) return;
    c.recAsked = cid;
    const r = await api('CustomerRecord', { campaignid, customer_id: cid }).catch(() => null);
    if (!r || !r.ok) { c.record = r ? r.message : ''; showCall(); return; }
    let o = null;
    try { o = JSON.parse(r.rest); } catch (x) { return; }
    c.campaign = o.campaign + ' (' + o.campaignid + ')';
    c.record = '';
    c.fields = (o.fields || []).map((f) => [f.display || f.name, f.value]);
    if (s && s.call === c) { save(); showCall(); }
  }
  function showFields(fields) {
    const tb = $('c-fields').tBodies[0];
    tb.replaceChildren(...(fields || []).map(([k, v]) => {
      const tr = el('tr'); tr.append(el('th', k), el('td', v)); return tr;
    }));
    $('c-fields').hidden = !(fields && fields.length);
  }
  function onCallEvent(e) {
    const src = e.source, ev = e.event;
    const sid = e.sessionid;
    if (!sid) return;
    let c = s.call;
    if (!c || c.sid !== sid) {
      if (!(src === 'AGENT' && (ev === 'ringing' || ev === 'answer'))) return;
      // a dialer call (its userdata names the customer) reaches the agent
      // after the customer answered; a makeCall dials the customer after
      c = s.call = { sid, phase: null, legs: {}, consult: '',
                     customerUp: e.modeltype === 'Campaign' && !!customerOf(e.userdata || '') };
      c.dir = e.from === 'dialin' ? 'in' : 'out';
      c.calldate = (e.eventTime || '').slice(0, 10);
      addLog(t('call') + ': ' + sid);
    }
    if (e.calleridnum && !c.number) c.number = e.calleridnum;
    if (e.didnumber) c.did = e.didnumber;
    if (e.AgentGroupId && !c.group) c.group = e.AgentGroupId;
    if ((e.modeltype === 'Campaign' || e.model_id) && !c.fields)
      c.campaign = (e.modeltype || '') + (e.model_id ? ' ' + e.model_id : '');
    if (e.userdata) {
      const cid = e.modeltype === 'Campaign' && customerOf(e.userdata);
      if (cid) fetchRecord(c, e.model_id, cid);
      else c.record = recordText(e.userdata);
    }
    if (c.done) {
      // the agent has left the call (a transfer, an IVR release): what
      // follows is the others' and only told
      if (src === 'CONSULT' && ev === 'join' && c.transferring) {
        addLog(t('transfer') + ' → ' + (e.activenum || c.consult));
        c.transferring = false;
      }
      if (src === 'CONVERSATION' && ev === 'hangup') fetchRecording(c);
      return;
    }
    if (src === 'AGENT') {
      if (ev === 'ringing') setPhase('ringing');
      else if (ev === 'answer') setPhase(c.dir === 'out' && !c.customerUp ? 'dialing' : 'talking');
      else if (ev === 'hangup') end(c);
    } else if (src === 'CALLEE' || src === 'CALLER') {
      if (src === 'CALLEE' && e.activenum) c.number = e.activenum;
      if (ev === 'answer') setPhase('talking');
      else if (ev === 'onhold') setPhase('held');
      else if (ev === 'resume') setPhase(c.conference ? 'conference' : (c.consult ? 'consulting' : 'talking'));
    } else if (src === 'CONSULT') {
      if (ev === 'ringing' || ev === 'answer') {
        c.consult = e.activenum || c.consult || '?';
        c.consultUp = ev === 'answer';
        setPhase('consulting');
      } else if (ev === 'join') {
        c.conference = true;
        setPhase('conference');
      } else if (ev === 'hangup') {
        c.consult = '';
        c.consultUp = false;
        c.conference = false;
      }
    } else if (src === 'CONVERSATION' && ev === 'hangup') {
      end(c);
    }
  }
  function end(c) {
    setPhase('ended');
    c.done = true;
    fetchRecording(c);
  }
  // getMonitor answers once the whole call has ended (after a transfer,
  // when the others hang up): asked at the agent's hangup and again at the
  // call's
  async function fetchRecording(c) {
    if (c.rec) return;
    await new Promise((r) => setTimeout(r, 800));
    const r = await api('GetMonitor', { sessionid: c.sid, calldate: c.calldate || '' }).catch(() => null);
    if (r && r.ok && isLink(r.message) && s && s.call === c) {
      c.rec = r.message;
      save();
      showCall();
    }
    refreshAll();
  }

  // ---- events (occ's push) -------------------------------------------------
  function parseEvent(msg) {
    const e = {};
    for (const part of msg.split('&')) {
      const i = part.indexOf('=');
      if (i <= 0) continue;
      let v = part.slice(i + 1);
      try { v = decodeURIComponent(v); } catch (x) { /* keep it raw */ }
      e[part.slice(0, i)] = v;
    }
    return e;
  }
  const NOTIFY = { login: 1, logoff: 1, paused: 1, nopaused: 1, acwring: 1, acwanswer: 1,
                   acwoff: 1, acwstop: 1, workwaydialin: 1, workwaydialout: 1,
                   workwayall: 1, state: 1, hangupacw: 1 };
  function onEvent(id, msg) {
    const n = Number(id);
    if (n && n <= (s.last || 0)) return;        // seen already
    if (n) s.last = n;
    const e = parseEvent(msg);
    if (e.source === 'AGENT' && NOTIFY[e.event]) {
      if (e.state) showState(e.state);
    } else {
      onCallEvent(e);
    }
    save();
    showCall();
    refreshSoon();
  }
  let es = null, retry = null;
  function stopPush() {
    if (es) es.close();
    es = null;
    clearTimeout(retry);
  }
  function startPush() {
    stopPush();
    let url = '/push/sse?token=' + encodeURIComponent(s.token);
    if (s.last) url += '&last=' + s.last;
    es = new EventSource(url);
    es.onopen = () => { $('push').dataset.up = '1'; $('push').textContent = t('push_up'); };
    es.onmessage = (m) => onEvent(m.lastEventId, m.data);
    es.addEventListener('cursor', (m) => {
      const f = String(m.data).split(' ');
      if (f[1] === 'reset' || !s.last) { s.last = Number(f[0]) || 0; save(); }
      refreshSoon();
    });
    es.onerror = () => {
      $('push').dataset.up = '0';
      $('push').textContent = t('push_down');
      if (es.readyState === EventSource.CLOSED) {
        // a refused (expired) token: take a new one, then resume from s.last
        retry = setTimeout(async () => {
          const r = await api('PushToken', { type: 'agent' }).catch(() => null);
          if (r && r.ok) { s.token = r.message; save(); }
          if (s) startPush();
        }, 3000);
      }
    };
  }

  // ---- the log of state changes ---------------------------------------------
  function addLog(text) {
    const line = new Date().toLocaleTimeString('en-GB') + ' ' + text;
    s.log.push(line);
    if (s.log.length > LOG_MAX) s.log.splice(0, s.log.length - LOG_MAX);
    save();
    showLog();
  }
  function showLog() {
    $('log').replaceChildren(...s.log.slice().reverse().map((l) => el('li', l)));
  }

  // ---- wiring -----------------------------------------------------------------
  function applyLang() {
    document.documentElement.lang = lang === 'cn' ? 'zh-CN' : 'en';
    for (const n of document.querySelectorAll('[data-t]')) n.textContent = t(n.dataset.t);
    for (const n of document.querySelectorAll('[data-tp]')) n.placeholder = t(n.dataset.tp);
    $('lang').textContent = lang === 'cn' ? 'English' : '中文';
    document.title = 'occ — ' + t('title');
    if (s) { showState(stateWord); showCall(); showGroups(); refreshAll(); }
  }
  function start() {
    $('login-view').hidden = true;
    $('desk').hidden = false;
    $('who').hidden = false;
    $('statebox').hidden = false;
    $('logout').hidden = false;
    $('who-name').textContent = s.agent + (s.name ? ' ' + s.name : '') + ' @ ' + s.team;
    $('phone-card').dataset.team = s.team;      // the browser phone's (phone.js)
    lastShownState = null;
    showGroups();
    showCall();
    showLog();
    startPush();
    refreshAll();
  }
  function on(id, f) { $(id).addEventListener('click', f); }
  function init() {
    $('login-form').addEventListener('submit', login);
    on('logout', logout);
    on('lang', () => { lang = lang === 'cn' ? 'en' : 'cn'; localStorage.setItem('occ.lang', lang); applyLang(); });
    on('b-checkin', () => queueAction(1));
    on('b-checkout', () => queueAction(2));
    on('b-pause', async () => { await op('QUEUEPAUSE', { type: '1', pause_reason: $('pause-reason').value, pushevent: 'yes' }); refreshSoon(); });
    on('b-unpause', async () => { await op('QUEUEPAUSE', { type: '2', pushevent: 'yes' }); refreshSoon(); });
    on('b-acw', async () => { await op('ACW', { type: $('acw-mode').value, agent_group_id: '', pushevent: 'yes' }); refreshAll(); });
    on('b-acwoff', async () => { await op('ACWOFF', { pushevent: 'yes' }); refreshSoon(); });
    on('b-work', async () => { await op('WORKWAY', { status: $('work-mode').value, agent_group_id: '', pushevent: 'yes' }); refreshAll(); });
    on('b-refresh', refreshAll);
    on('b-dial', () => op('MAKECALL', { targetdn: $('dial-to').value.trim(), targettype: $('dial-type').value }));
    on('b-hold', () => op('Hold', { silence: '0' }));
    on('b-resume', () => op('Resume', {}));
    on('b-hangup', () => op('HANGUP', { target: 'all', targetagent: s.agent }));
    on('b-consult', () => op('CONSULT', { targetdn: $('consult-to').value.trim(), consulttype: $('consult-type').value,
                                          agentgroupid: (s.call && s.call.group) || '' }));
    on('b-transfer', async () => {
      if (s.call) s.call.transferring = true;
      const r = await op('TRANSFER', {});
      if (!r.ok && s.call) s.call.transferring = false;
    });
    on('b-return', () => op('CALLRETURN', {}));
    on('b-conference', () => op('CONFERENCE', {}));
    on('b-ivr', () => op('AgentToIvr', { ivrexten: $('ivr-exten').value.trim(), ivrflow: $('ivr-flow').value.trim(), transfer: $('ivr-mode').value }));
    $('keypad').addEventListener('click', (ev) => {
      const k = ev.target.dataset && ev.target.dataset.key;
      if (k) op('SendDtmf', { dtmf: k });
    });
    $('cdrs').addEventListener('click', async (ev) => {
      const a = ev.target.closest('a[data-sid]');
      if (!a) return;
      ev.preventDefault();
      const r = await op('GetMonitor', { sessionid: a.dataset.sid, calldate: a.dataset.date });
      if (r.ok && isLink(r.message)) { a.href = r.message; a.removeAttribute('data-sid'); a.textContent = t('recording'); window.open(r.message, '_blank', 'noopener'); }
    });
    setInterval(tick, 1000);
    setInterval(() => { if (s) refreshRealtime(); }, 30000);
    load();
    applyLang();
    if (s && s.md5 && s.token) start();
    else $('l-team').focus();
  }
  document.addEventListener('DOMContentLoaded', init);
})();
