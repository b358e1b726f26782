// ops.js — the admin console's operations tabs: campaigns (create, change,
// start/pause/stop), CSV imports and their reports, the daily report; the
// call history with its recordings; the team's event URL; and changing an
// agent's name and extension. Uses admin.js's session (window.occAdmin):
// every change is an occctl command (/admin/api/run), the reports are
// occctl's read commands (GET /admin/api/run), the rest /admin/api/ops,
// import, cdr and recording (src/api/admin_ops.c).
'use strict';
(function () {
  const A = window.occAdmin;
  const { t, $ } = A;
  Object.assign(A.T.en, {
    column_add: "Add a column to a campaign's customer package", column: 'column', display: 'display name',
    campaigns: 'Campaigns', cdr: 'Calls', events: 'Event URL', group: 'Group', mode: 'Mode',
    window: 'Window', callerid: 'Caller ID', amd: 'AMD', campaign_add: 'Add a campaign',
    campaign_edit: 'Change campaign', profile: 'Profile', timezone: 'Time zone',
    amd_action: 'On a machine', amd_fp: 'AMD false positives %', retry_busy: 'Retry busy (s)',
    retry_noanswer: 'Retry no answer (s)', max_attempts: 'Max attempts', import: 'Import customers (CSV)',
    delrow: 'Title rows', phone_field: 'phone column (to dial)', dup_skip: 'skip duplicates',
    dup_update: 'update duplicates', csv_upload: 'Upload', import_report: 'Import report', outcome: 'Outcome',
    records: 'Records', daily_report: 'Daily report', day: 'Day', dials: 'Dials', answers: 'Answers',
    live: 'Live', abandons: 'Abandons', abandon_rate: 'Abandon rate (window)',
    talk_per_hour: 'Talk min / agent-hour', from: 'From', to: 'To', campaign: 'Campaign',
    search: 'Search', call_start: 'Start', direction: 'Direction', caller: 'Caller', callee: 'Callee',
    disposition: 'Result', talk: 'Talk (s)', recording: 'Recording', play: 'Play',
    cdr_more: 'More calls match: narrow the search.', no_calls: 'No call matches.',
    event_note: 'Every call and agent event of the team is POSTed to this address, one by one in eventid order, as a form (the keys of the browser push: event, source, sessionid, calleridnum, activenum, eventTime, eventid…; docs/OPERATIONS.md “Backend event POST”). A failed POST is retried, so nothing is lost while the backend is down. Empty: nothing is sent.',
    event_saved: 'Event URL saved: the next event goes there.', event_cleared: 'Event URL cleared: no events are sent.',
    agent_edit: 'Change agent', start_c: 'Start', pause_c: 'Pause', stop_c: 'Stop',
    report: 'Report', no_group: '(none)', imported: 'Import task %s: %r records, %f refused.',
    refused_lines: 'Refused records', file_too_big: 'The file is larger than 1 MiB: split it, or import it from a web server (EVENT=Import source=http).',
    dnc: 'Do-not-call lists', dnc_team: "the team's list", dnc_campaign: 'campaign %s', added: 'Added',
    dnc_note: "The dialer never dials a number on the team's list or on the campaign's (compared by digits only).",
    bm77: 'status reset', bm78: 'data updated', bm79: 'owning agent cleared', bm80: 'listed for dialing',
    bm81: 'duplicate, skipped', bm82: 'number already listed', bm83: 'new, listed for dialing', bm84: 'new',
  });
  Object.assign(A.T.cn, {
    column_add: '给活动的客户包添加字段', column: '字段', display: '显示名称',
    campaigns: '外呼活动', cdr: '通话记录', events: '事件地址', group: '坐席组', mode: '模式',
    window: '时段', callerid: '主叫号码', amd: '答录机检测', campaign_add: '添加活动',
    campaign_edit: '修改活动', profile: '合规规则', timezone: '时区',
    amd_action: '检测到答录机时', amd_fp: '答录机误判率 %', retry_busy: '忙重试 (秒)',
    retry_noanswer: '无应答重试 (秒)', max_attempts: '最多尝试次数', import: '导入客户 (CSV)',
    delrow: '标题行数', phone_field: '电话字段 (用于拨号)', dup_skip: '重复数据跳过',
    dup_update: '重复数据更新', csv_upload: '上传', import_report: '导入报告', outcome: '结果',
    records: '记录数', daily_report: '日报', day: '日期', dials: '拨打', answers: '接通',
    live: '真人接听', abandons: '放弃', abandon_rate: '放弃率 (合规窗口)',
    talk_per_hour: '每坐席小时通话分钟', from: '从', to: '到', campaign: '活动',
    search: '查询', call_start: '开始时间', direction: '方向', caller: '主叫', callee: '被叫',
    disposition: '结果', talk: '通话 (秒)', recording: '录音', play: '播放',
    cdr_more: '还有更多通话，请缩小查询范围。', no_calls: '没有符合的通话。',
    event_note: '本组织的每个通话和坐席事件都按 eventid 顺序逐条以表单 POST 到此地址 (与浏览器推送相同的字段；见 docs/OPERATIONS.md)。失败会重试，后台停机期间不丢事件。为空则不发送。',
    event_saved: '事件地址已保存：下一个事件发往此地址。', event_cleared: '事件地址已清除：不再发送事件。',
    agent_edit: '修改坐席', start_c: '启动', pause_c: '暂停', stop_c: '停止',
    report: '报告', no_group: '(无)', imported: '导入任务 %s：%r 条记录，%f 条被拒绝。',
    refused_lines: '被拒绝的记录', file_too_big: '文件超过 1 MiB：请拆分文件，或从 Web 服务器导入 (EVENT=Import source=http)。',
    dnc: '禁呼名单', dnc_team: '本组织的名单', dnc_campaign: '活动 %s', added: '加入时间',
    dnc_note: '外呼不拨打本组织名单或活动名单上的号码 (只比较数字)。',
    bm77: '重置客户状态', bm78: '更新客户数据', bm79: '清空归属坐席', bm80: '插入预拨号列表',
    bm81: '数据重复 (跳过)', bm82: '电话号码重复', bm83: '新数据并插入预拨号列表', bm84: '新数据',
  });

  const MAX_UPLOAD = 1024 * 1024;   // an import's limit (admin_ops.c IMPORT_MAX)
  let ops = null;                  // { campaigns, event_url }
  let groups = [];
  let editing = null;              // the campaign being changed

  async function load() {
    const j = await A.call('ops');
    if (!j.ok) return;
    ops = j;
    render();
  }

  // a read command: occctl's output, or null after showing its error
  async function read(fields) {
    const j = await A.call('run?' + new URLSearchParams(fields));
    if (!j.ok) { A.msg(j.error, true); return null; }
    return j.out;
  }

  function render() {
    if (!ops) return;
    const gname = (id) => { const g = groups.find((x) => x.id === id); return g ? id + ' ' + g.name : t('no_group'); };
    A.fill('campaigns', ops.campaigns, (tr, k) => {
      tr.dataset.campaign = k.id;
      A.cell(tr, String(k.id));
      A.cell(tr, k.name);
      A.cell(tr, k.group ? gname(k.group) : t('no_group'));
      A.cell(tr, k.mode);
      A.cell(tr, k.state, 'state-' + k.state);
      A.cell(tr, k.window + (k.timezone ? ' ' + k.timezone : ''));
      A.cell(tr, k.callerid);
      A.cell(tr, k.amd ? 'on, ' + k.amd_action : 'off');
      const td = A.cell(tr, '');
      A.button(td, t('start_c'), () => A.change({ cmd: 'campaign start', id: k.id }).then(load));
      A.button(td, t('pause_c'), () => A.change({ cmd: 'campaign pause', id: k.id }).then(load));
      A.button(td, t('stop_c'), () => A.change({ cmd: 'campaign stop', id: k.id }).then(load));
      A.button(td, t('edit'), () => edit(k));
      A.button(td, t('report'), () => dailyReport(k.id));
    });
    for (const sel of document.querySelectorAll('select.groups')) {
      const v = sel.value;
      sel.textContent = '';
      A.option(sel, '', t('no_group'));
      for (const g of groups) A.option(sel, g.id, g.id + ' ' + g.name);
      sel.value = v;
    }
    for (const csel of document.querySelectorAll('select.campaigns')) {
      const cv = csel.value;
      csel.textContent = '';
      for (const k of ops.campaigns) A.option(csel, k.id, k.id + ' ' + k.name);
      if (cv) csel.value = cv;
    }
    const dsel = $('dnc-list'), dv = dsel.value;
    dsel.textContent = '';
    A.option(dsel, '', t('dnc_team'));
    for (const k of ops.campaigns) A.option(dsel, k.id, t('dnc_campaign').replace('%s', k.id + ' ' + k.name));
    dsel.value = dv;
    const ev = $('event-form').elements.value;
    if (document.activeElement !== ev) ev.value = ops.event_url;
  }

  // ---- campaigns ------------------------------------------------------------
  const SETTINGS = ['mode', 'profile', 'group', 'callerid', 'window', 'timezone'];
  const AMD = ['amd', 'amd_action', 'amd_fp', 'retry_busy', 'retry_noanswer', 'max_attempts'];
  function current(k) {
    return { mode: k.mode, profile: k.profile, group: k.group ? String(k.group) : '', callerid: k.callerid,
      window: k.window, timezone: k.timezone, amd: k.amd ? 'on' : 'off', amd_action: k.amd_action || 'hangup',
      amd_fp: k.amd_fp, retry_busy: String(k.retry_busy), retry_noanswer: String(k.retry_noanswer),
      max_attempts: String(k.max_attempts) };
  }
  function edit(k) {
    editing = k;
    const f = $('campaign-edit'), cur = current(k);
    $('ce-id').textContent = k.id + ' ' + k.name;
    for (const [n, v] of Object.entries(cur)) f.elements[n].value = v;
    f.hidden = false;
    showCampaign(k.id);
  }
  // occctl campaign show: its settings, columns, customers and list
  async function showCampaign(id) {
    const out = await read({ cmd: 'campaign show', id });
    $('ce-show').textContent = out === null ? '' : out;
  }
  async function saveEdit(ev) {
    ev.preventDefault();
    const f = ev.target, cur = current(editing), o = A.formFields(f);
    // only what changed, as occctl campaign set KEY=VALUE (two commands:
    // occctl takes six settings at a time)
    const changed = (keys) => {
      const r = {};
      for (const n of keys) if (o[n] !== cur[n] && o[n] !== '') r[n] = o[n];
      return r;
    };
    const a = changed(SETTINGS), b = changed(AMD);
    if (!Object.keys(a).length && !Object.keys(b).length) { A.msg(t('no_change')); return; }
    if (Object.keys(a).length && !(await A.change(Object.assign({ cmd: 'campaign set', id: editing.id }, a)))) return;
    if (Object.keys(b).length && !(await A.change(Object.assign({ cmd: 'campaign amd', id: editing.id }, b)))) return;
    f.hidden = true;
    await load();
  }

  async function dailyReport(id) {
    const out = await read({ cmd: 'campaign report', id, days: '7', json: '1' });
    if (out === null) return;
    const r = JSON.parse(out);
    $('cr-id').textContent = id;
    A.fill('cr-days', r.days.slice().reverse(), (tr, d) => {
      tr.dataset.day = d.day;
      A.cell(tr, d.day);
      A.cell(tr, String(d.dials));
      A.cell(tr, String(d.answers));
      A.cell(tr, String(d.live));
      A.cell(tr, String(d.abandons));
      A.cell(tr, d.window.abandon_pct === null ? '—' : d.window.abandon_pct + ' %');
      A.cell(tr, d.talk_min_per_agent_hour === undefined || d.talk_min_per_agent_hour === null ? '—'
        : String(d.talk_min_per_agent_hour));
    });
    $('campaign-report').hidden = false;
  }

  // ---- imports ----------------------------------------------------------------
  // the file staged in pieces (admin.js uploadFile), then imported
  async function upload(ev) {
    ev.preventDefault();
    const f = ev.target, file = f.elements.file.files[0];
    if (!file) return;
    if (file.size > MAX_UPLOAD) { A.msg(t('file_too_big'), true); return; }
    const o = A.formFields(f);
    delete o.file;
    o.name = file.name;
    A.msg(t('uploading'));
    const up = await A.uploadFile(file);
    if (!up.ok) { A.msg(up.error, true); return; }
    let j;
    try {
      const r = await fetch('/admin/api/import?' + new URLSearchParams(o), {
        method: 'POST', credentials: 'same-origin', headers: { 'X-OCC-CSRF': A.csrf() } });
      j = await r.json();
    } catch (e) {
      j = { ok: false, error: String(e) };
    }
    if (!j.ok) { A.msg(j.error, true); return; }
    await importReport(o.model_id, j.task);
  }

  // occctl campaign import-report's lines: "task N: URL, STATE",
  // "records R, refused F, outcomes 84=3,81=1", then "error ..." and the
  // refused records "line L: CODE[arg]"
  async function importReport(id, task) {
    const out = await read({ cmd: 'campaign import-report', id, task: String(task) });
    if (out === null) return;
    const m = /records (\d+), refused (\d+), outcomes (\S+)/.exec(out) || [];
    const rep = $('import-report');
    rep.dataset.task = task;
    rep.dataset.records = m[1] || '0';
    rep.dataset.refused = m[2] || '0';
    $('ir-summary').textContent = t('imported').replace('%s', task).replace('%r', m[1] || '0')
      .replace('%f', m[2] || '0');
    const counts = m[3] && m[3] !== '-' ? m[3].split(',').map((x) => x.split('=')) : [];
    A.fill('ir-outcomes', counts, (tr, [code, n]) => {
      tr.dataset.code = code;
      A.cell(tr, 'BackMsg_' + code + ' ' + t('bm' + code));
      A.cell(tr, n);
    });
    $('ir-text').textContent = out;
    rep.hidden = false;
    A.msg(t('done'));
  }

  // ---- do-not-call lists: occctl dnc list|add|remove --team (the session's)
  // [--campaign ID] -------------------------------------------------------------
  async function dncLoad() {
    const campaign = $('dnc-list').value;
    const out = await read(campaign ? { cmd: 'dnc list', campaign } : { cmd: 'dnc list' });
    if (out === null) return;
    // occctl's table: a NUMBER ADDED header, then one number a line
    const rows = out.split('\n').slice(1).filter((l) => l.trim()).map((l) => {
      const m = /^(\S+)\s+(.*)$/.exec(l.trim()) || [l, l, ''];
      return { number: m[1], added: m[2] };
    });
    A.fill('dnc-numbers', rows, (tr, r) => {
      tr.dataset.number = r.number;
      A.cell(tr, r.number);
      A.cell(tr, r.added);
      A.button(A.cell(tr, ''), t('remove'), async () => {
        const f = { cmd: 'dnc remove', number: r.number };
        if (campaign) f.campaign = campaign;
        if (await A.change(f, r.number)) await dncLoad();
      }, 'danger');
    });
  }
  async function dncAdd(ev) {
    ev.preventDefault();
    const o = A.formFields(ev.target);
    if (!o.campaign) delete o.campaign;
    if (await A.change(Object.assign({ cmd: 'dnc add' }, o))) {
      ev.target.elements.number.value = '';
      await dncLoad();
    }
  }

  // ---- calls ----------------------------------------------------------------------
  async function search(ev) {
    if (ev) ev.preventDefault();
    const o = A.formFields($('cdr-form'));
    const j = await A.call('cdr?' + new URLSearchParams(o));
    if (!j.ok) { A.msg(j.error, true); return; }
    A.fill('cdr', j.calls, (tr, c) => {
      tr.dataset.call = c.id;
      A.cell(tr, new Date(c.start_ms).toLocaleString());
      A.cell(tr, c.direction);
      A.cell(tr, c.caller);
      A.cell(tr, c.callee);
      A.cell(tr, c.agent);
      A.cell(tr, c.queue);
      A.cell(tr, c.campaign);
      A.cell(tr, c.disposition);
      A.cell(tr, String(c.talk_s));
      const td = A.cell(tr, '');
      if (c.recording) A.button(td, t('play'), () => play(c.id));
    });
    $('cdr-more').hidden = !j.more;
    A.msg(j.calls.length ? '' : t('no_calls'));
  }
  function play(id) {
    const p = $('player');
    p.hidden = false;
    p.dataset.call = id;
    p.src = '/admin/api/recording?id=' + encodeURIComponent(id);
    p.play().catch(() => {});     // a browser may want a click first
  }

  // ---- event URL -----------------------------------------------------------------
  async function saveEvent(ev) {
    ev.preventDefault();
    const v = ev.target.elements.value.value.trim();
    if (await A.change({ cmd: 'team set', value: v })) {
      A.msg(t(v ? 'event_saved' : 'event_cleared'));
      await load();
    }
  }

  // ---- an agent's name and extension ------------------------------------------------
  let agentEditing = null;
  function editAgent(a) {
    agentEditing = a;
    const f = $('agent-edit');
    $('ae-who').textContent = a.number;
    f.elements.name.value = a.name;
    f.elements.exten.value = a.exten;
    $('agent-edit-dialog').showModal();
  }
  async function saveAgent(ev) {
    ev.preventDefault();
    const o = A.formFields(ev.target), a = agentEditing;
    $('agent-edit-dialog').close();
    const cmd = { cmd: 'agent set', number: a.number };
    if (o.name !== a.name) cmd.name = o.name;
    if (o.exten !== a.exten) { if (o.exten) cmd.exten = o.exten; else cmd['no-exten'] = '1'; }
    if (Object.keys(cmd).length === 2) { A.msg(t('no_change')); return; }
    await A.change(cmd);
  }

  A.ext.onLoad.push((s) => { groups = s.groups; load().then(dncLoad); });
  A.ext.onLang.push(render);
  A.ext.agentActions.push((td, a) => A.button(td, t('edit'), () => editAgent(a)));
  $('campaign-add').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const o = A.formFields(ev.target);
    for (const k of Object.keys(o)) if (o[k] === '') delete o[k];
    if (await A.change(Object.assign({ cmd: 'campaign add' }, o))) { ev.target.reset(); await load(); }
  });
  $('campaign-edit').addEventListener('submit', saveEdit);
  $('column-add').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const o = A.formFields(ev.target);
    if (await A.change(Object.assign({ cmd: 'campaign column' }, o))) {
      ev.target.elements.column.value = ev.target.elements.display.value = '';
      if (editing && String(editing.id) === o.id) showCampaign(o.id);
    }
  });
  $('ce-cancel').addEventListener('click', () => { $('campaign-edit').hidden = true; });
  $('import-form').addEventListener('submit', upload);
  $('dnc-form').addEventListener('submit', dncAdd);
  $('dnc-list').addEventListener('change', dncLoad);
  $('cdr-form').addEventListener('submit', search);
  $('event-form').addEventListener('submit', saveEvent);
  $('agent-edit').addEventListener('submit', saveAgent);
  $('ae-cancel').addEventListener('click', () => $('agent-edit-dialog').close());
  // the call search starts at today
  const today = new Date().toLocaleDateString('en-CA');
  $('cdr-form').elements.from.value = $('cdr-form').elements.to.value = today;
  A.applyLang();                 // labels, and the agents' Change buttons
  // the console may have loaded before this script ran (a reload within
  // the session): catch up
  if (A.state()) { groups = A.state().groups; load().then(dncLoad); }
})();
