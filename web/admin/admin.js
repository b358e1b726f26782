// admin.js — occ's team admin console (/admin/). Talks to /admin/api/
// (src/api/admin.c) only: a session cookie the page cannot read, and the
// CSRF token the login answers, kept in this script's memory and sent in
// X-OCC-CSRF with every change. Passwords typed here go out once in the
// request that sets them and are never kept or shown; the server never
// sends any back. Nothing is stored but the language (localStorage).
'use strict';
(function () {
  const API = '/admin/api/';

  // ---- labels (the manual's language codes: cn, en) ----------------------
  const T = {
    en: {
      title: 'Team admin console', team: 'Team', account: 'Account', password: 'Password',
      login: 'Log in', logout: 'Log out', refresh: 'Refresh', agents: 'Agents', groups: 'Groups',
      extens: 'Extensions', dids: 'DIDs', number: 'Number', name: 'Name', exten: 'Extension',
      state: 'State', actions: 'Actions', agent_add: 'Add an agent', add: 'Add', id: 'ID',
      queue: 'Queue', members: 'Members', group_add: 'Add a group', member_add: 'Add a member',
      leader: 'Leader', kind: 'Kind', registration: 'Registration', exten_add: 'Add an extension',
      secret: 'SIP secret', virtual: 'Built-in phone', did: 'DID', dest: 'Destination',
      did_add: 'Add a DID', agent: 'Agent', ivr: 'IVR', target: 'number or name',
      did_note: 'A DID goes straight to its destination. Routes, schedules and IVR flows are edited with occctl routing import (docs/INBOUND.md).',
      set_password: 'Set password', save: 'Save', cancel: 'Cancel', remove: 'Remove',
      registered: 'registered', unregistered: 'not registered', logged_in: 'logged in',
      done: 'Done', warning: 'warning', confirm_remove: 'Remove %s?', expired: 'Your session ended: log in again.',
      via_routes: '(by the routes)', leader_mark: 'leader', edit: 'Edit',
      acw_time: 'After-call work', acw_time_s: 'After-call work (s, 0: until the agent ends it)',
      acw_until: 'until ACWOFF', group_edit: 'Change group', no_change: 'Nothing changed.',
      uploading: 'Uploading…',
    },
    cn: {
      title: '团队管理控制台', team: '组织', account: '帐号', password: '密码',
      login: '登录', logout: '退出', refresh: '刷新', agents: '坐席', groups: '坐席组',
      extens: '分机', dids: '号码 (DID)', number: '号码', name: '名称', exten: '分机',
      state: '状态', actions: '操作', agent_add: '添加坐席', add: '添加', id: '编号',
      queue: '队列', members: '成员', group_add: '添加坐席组', member_add: '添加成员',
      leader: '组长', kind: '类型', registration: '注册状态', exten_add: '添加分机',
      secret: 'SIP 密码', virtual: '内置电话', did: '号码', dest: '目的地',
      did_add: '添加号码', agent: '坐席', ivr: 'IVR', target: '号码或名称',
      did_note: '号码直接转到目的地。路由、时间表和 IVR 流程用 occctl routing import 编辑 (docs/INBOUND.md)。',
      set_password: '设置密码', save: '保存', cancel: '取消', remove: '删除',
      registered: '已注册', unregistered: '未注册', logged_in: '已登录',
      done: '完成', warning: '警告', confirm_remove: '删除 %s?', expired: '会话已结束，请重新登录。',
      via_routes: '(按路由)', leader_mark: '组长', edit: '编辑',
      acw_time: '话后处理', acw_time_s: '话后处理 (秒, 0: 由坐席结束)',
      acw_until: '直到结束话后处理', group_edit: '修改坐席组', no_change: '没有修改。',
      uploading: '上传中…',
    },
  };
  let lang = localStorage.getItem('occ.lang') === 'cn' ? 'cn' : 'en';
  const t = (k) => (T[lang][k] !== undefined ? T[lang][k] : k);
  const $ = (id) => document.getElementById(id);
  let csrf = '';
  let state = null;
  // the operations tabs (ops.js) hook in: after each load, after a
  // language switch, and into each agent's actions
  // other scripts' tabs (routing.js, ops.js) hook in here
  const ext = { onLoad: [], onLang: [], agentActions: [], renderers: [] };

  function msg(text, bad) {
    $('msg').textContent = text || '';
    $('msg').className = bad === 'warn' ? 'warn' : bad ? 'bad' : 'good';
  }

  async function call(path, form) {
    const opt = { credentials: 'same-origin', headers: {} };
    if (form) {
      opt.method = 'POST';
      opt.body = new URLSearchParams(form);
      if (csrf) opt.headers['X-OCC-CSRF'] = csrf;
    }
    let r, j;
    try {
      r = await fetch(API + path, opt);
      j = await r.json();
    } catch (e) {
      return { ok: false, error: String(e) };
    }
    if (r.status === 401 && path !== 'login') loggedOut(j.error);
    return j;
  }

  function loggedOut(why) {
    csrf = '';
    state = null;
    $('console').hidden = true;
    $('who').hidden = $('logout').hidden = $('refresh').hidden = true;
    $('login-view').hidden = false;
    if (why) msg(why, true);
  }

  function loggedIn(j) {
    csrf = j.csrf;
    $('who-team').textContent = j.team;
    $('who-user').textContent = j.user;
    $('who').hidden = $('logout').hidden = $('refresh').hidden = false;
    $('login-view').hidden = true;
    $('console').hidden = false;
    load();
  }

  // ---- tables --------------------------------------------------------------
  function cell(tr, text, cls) {
    const td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }
  function button(td, label, fn, cls) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = 'small' + (cls ? ' ' + cls : '');
    b.addEventListener('click', fn);
    td.appendChild(b);
    return b;
  }
  function fill(id, rows, row) {
    const tb = $(id).tBodies[0];
    tb.textContent = '';
    for (const x of rows) {
      const tr = document.createElement('tr');
      row(tr, x);
      tb.appendChild(tr);
    }
  }
  function option(sel, value, text) {
    const o = document.createElement('option');
    o.value = value;
    o.textContent = text;
    sel.appendChild(o);
  }

  function render() {
    const s = state;
    if (!s) return;
    const groupsOf = {};
    for (const g of s.groups) {
      for (const m of g.members) (groupsOf[m.agent] = groupsOf[m.agent] || []).push(g.name);
    }
    fill('agents', s.agents, (tr, a) => {
      tr.dataset.agent = a.number;
      cell(tr, a.number);
      cell(tr, a.name);
      cell(tr, a.exten);
      cell(tr, a.logged_in ? t('logged_in') + ' · ' + a.state : a.state, 'state-' + a.state);
      cell(tr, (groupsOf[a.number] || []).join(', '));
      const td = cell(tr, '');
      for (const h of ext.agentActions) h(td, a);
      button(td, t('set_password'), () => askPassword('agent passwd', 'password', a.number));
      button(td, t('remove'), () => change({ cmd: 'agent remove', number: a.number }, a.number), 'danger');
    });
    fill('groups', s.groups, (tr, g) => {
      cell(tr, String(g.id));
      cell(tr, g.name);
      cell(tr, g.queue);
      cell(tr, g.acw_s ? g.acw_s + ' s' : t('acw_until'));
      const mtd = cell(tr, '');
      for (const m of g.members) {
        const span = document.createElement('span');
        span.className = 'member';
        span.textContent = m.agent + (m.leader ? ' (' + t('leader_mark') + ')' : '');
        button(span, '×', () => change({ cmd: 'member remove', group: g.id, agent: m.agent },
          m.agent + ' / ' + g.name));
        mtd.appendChild(span);
      }
      const gtd = cell(tr, '');
      button(gtd, t('edit'), () => editGroup(g));
      button(gtd, t('remove'), () => change({ cmd: 'group remove', id: g.id }, g.name), 'danger');
    });
    const usersOf = {};
    for (const a of s.agents) if (a.exten) (usersOf[a.exten] = usersOf[a.exten] || []).push(a.number);
    fill('extens', s.extens, (tr, e) => {
      tr.dataset.exten = e.number;
      cell(tr, e.number);
      cell(tr, e.kind);
      cell(tr, e.kind === 'virtual' ? '—' : t(e.registered ? 'registered' : 'unregistered'),
        e.registered ? 'reg' : 'unreg');
      cell(tr, (usersOf[e.number] || []).join(', '));
      const td = cell(tr, '');
      button(td, t('set_password'), () => askPassword('exten passwd', 'secret', e.number));
      button(td, t('remove'), () => change({ cmd: 'exten remove', number: e.number }, e.number), 'danger');
    });
    fill('dids', s.dids, (tr, d) => {
      tr.dataset.did = d.did;
      cell(tr, d.did);
      cell(tr, d.dest || t('via_routes'));
      cell(tr, d.group);
      button(cell(tr, ''), t('remove'), () => change({ cmd: 'did remove', did: d.did }, d.did), 'danger');
    });
    const gsel = $('member-add').elements.group, asel = $('member-add').elements.agent;
    gsel.textContent = asel.textContent = '';
    for (const g of s.groups) option(gsel, g.id, g.id + ' ' + g.name);
    for (const a of s.agents) option(asel, a.number, a.number + ' ' + a.name);
    for (const f of ext.renderers) f(s);
  }

  async function load() {
    const j = await call('state');
    if (!j.ok) return;
    state = j;
    render();
    for (const h of ext.onLoad) h(state);
  }

  // A change: one occctl command on the server; its refusal is shown as is.
  async function change(fields, confirmWhat) {
    if (confirmWhat && !window.confirm(t('confirm_remove').replace('%s', confirmWhat))) return false;
    const j = await call('run', fields);
    if (!j.ok) {
      msg(j.error, true);
      return false;
    }
    if (j.warning) msg(t('done') + ' — ' + t('warning') + ': ' + j.warning, 'warn');
    else msg(t('done'));
    await load();
    return true;
  }

  // a group's name and timed after-call work: occctl group set, with
  // what changed only
  let groupEditing = null;
  function editGroup(g) {
    groupEditing = g;
    const f = $('group-edit');
    $('ge-who').textContent = g.id;
    f.elements.name.value = g.name;
    f.elements['acw-time'].value = String(g.acw_s);
    $('group-edit-dialog').showModal();
  }
  async function saveGroup(ev) {
    ev.preventDefault();
    const o = formFields(ev.target), g = groupEditing;
    $('group-edit-dialog').close();
    const cmd = { cmd: 'group set', id: g.id };
    if (o.name !== g.name) cmd.name = o.name;
    if (o['acw-time'] !== String(g.acw_s)) cmd['acw-time'] = o['acw-time'];
    if (Object.keys(cmd).length === 2) { msg(t('no_change')); return; }
    await change(cmd);
  }

  // A file staged on the server for the next command that takes one
  // (prompt add, a CSV import): pieces to /admin/api/upload, each under
  // the server's 64 KiB body limit; the whole file at most 4 MiB.
  const PIECE = 48 * 1024;
  async function uploadFile(file) {
    for (let off = 0; off < file.size || off === 0; off += PIECE) {
      let j;
      try {
        const r = await fetch(API + 'upload?offset=' + off + '&total=' + file.size, {
          method: 'POST', credentials: 'same-origin', headers: { 'X-OCC-CSRF': csrf },
          body: file.slice(off, off + PIECE),
        });
        j = await r.json().catch(() => ({ ok: false, error: 'HTTP ' + r.status }));
      } catch (e) {
        j = { ok: false, error: String(e) };
      }
      if (!j.ok || j.complete) return j;
    }
    return { ok: false, error: 'empty file' };
  }

  let pwTarget = null;
  function askPassword(cmd, field, who) {
    pwTarget = { cmd, field, who };
    $('pw-who').textContent = who;
    $('pw-form').reset();
    $('pw-dialog').showModal();
  }

  function formFields(f) {
    const o = {};
    for (const el of f.elements) {
      if (!el.name) continue;
      if (el.type === 'checkbox') { if (el.checked) o[el.name] = '1'; } else o[el.name] = el.value;
    }
    return o;
  }

  function onSubmit(id, build) {
    $(id).addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = ev.target;
      if (await change(build(formFields(f)))) f.reset();
    });
  }

  function applyLang() {
    document.documentElement.lang = lang === 'cn' ? 'zh-CN' : 'en';
    for (const n of document.querySelectorAll('[data-t]')) n.textContent = t(n.dataset.t);
    for (const n of document.querySelectorAll('[data-tp]')) n.placeholder = t(n.dataset.tp);
    $('lang').textContent = lang === 'cn' ? 'English' : '中文';
    render();
    for (const h of ext.onLang) h();
  }

  function init() {
    applyLang();
    $('lang').addEventListener('click', () => {
      lang = lang === 'cn' ? 'en' : 'cn';
      localStorage.setItem('occ.lang', lang);
      applyLang();
    });
    for (const b of document.querySelectorAll('#tabs button')) {
      b.addEventListener('click', () => {
        for (const o of document.querySelectorAll('#tabs button')) o.classList.toggle('on', o === b);
        for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== 'tab-' + b.dataset.tab;
      });
    }
    $('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = formFields(ev.target);
      $('l-password').value = '';
      const j = await call('login', f);
      if (!j.ok) { msg(j.error, true); return; }
      msg('');
      loggedIn(j);
    });
    $('logout').addEventListener('click', async () => {
      await call('logout', {});
      loggedOut();
      msg('');
    });
    $('refresh').addEventListener('click', load);
    onSubmit('agent-add', (o) => Object.assign({ cmd: 'agent add' }, o));
    onSubmit('group-add', (o) => Object.assign({ cmd: 'group add', id: 'auto' }, o));
    onSubmit('member-add', (o) => Object.assign({ cmd: 'member add' }, o));
    onSubmit('exten-add', (o) => Object.assign({ cmd: 'exten add' }, o));
    onSubmit('did-add', (o) => ({ cmd: 'did add', did: o.did, dest: o.kind + ':' + o.target }));
    $('group-edit').addEventListener('submit', saveGroup);
    $('ge-cancel').addEventListener('click', () => $('group-edit-dialog').close());
    $('pw-cancel').addEventListener('click', () => $('pw-dialog').close());
    $('pw-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const p = ev.target.elements.password.value;
      ev.target.reset();
      $('pw-dialog').close();
      const o = { cmd: pwTarget.cmd, number: pwTarget.who };
      o[pwTarget.field] = p;
      await change(o);
    });
    // a page reloaded within its session carries on
    call('session').then((j) => { if (j.ok) loggedIn(j); });
  }
  window.occAdmin = { T, t, $, call, change, msg, cell, button, fill, option, formFields, applyLang, ext,
    uploadFile,
    load, renderers: ext.renderers, csrf: () => csrf, state: () => state };
  init();
})();
