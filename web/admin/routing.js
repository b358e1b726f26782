// routing.js — the admin console's trunks, routes, schedules, IVR flows
// and prompts, and queue settings tabs (loaded after admin.js, whose
// helpers it uses through window.occAdmin). Every change is one occctl
// command on the server: trunk add|default|remove, routing set|remove
// (one or two sections of the team's routing file, checked as an import
// is), prompt add|remove. A prompt WAV is uploaded in pieces to
// /admin/api/upload, then `prompt add` stores it; occd's answer is shown
// as it is, a refusal in red, a warning (e.g. a prompt file missing) in
// amber.
'use strict';
(function () {
  const A = window.occAdmin;
  if (!A) return;
  const { t, cell, button, fill, option, msg } = A;
  const $ = (id) => document.getElementById(id);

  Object.assign(A.T.en, {
    trunks: 'Trunks', routes: 'Routes', schedules: 'Schedules', ivrs: 'IVR & prompts',
    queues: 'Queues', uri: 'SIP URI', is_default: 'Default', register: 'Register',
    user: 'User', callerid: 'Caller ID', strip: 'Strip', prefix: 'Prefix',
    trunk_add: 'Add a trunk', make_default: 'Make default', yes: 'yes', no: 'no',
    trunk_edit: 'Change trunk', pw_keep: 'password (empty: unchanged)', no_password: 'No password',
    priority: 'Priority', did_group: 'DID group', cid_prefix: 'Caller prefix', trunk: 'Trunk',
    schedule: 'Schedule', open: 'When open', closed: 'When closed', route_set: 'Add or change a route',
    tz: 'Time zone', hours: 'Hours (one line each)', closed_days: 'Closed days (one line each)',
    schedule_set: 'Add or change a schedule', flows: 'IVR flows', nodes: 'Nodes', start: 'Start node',
    fail: 'On failure', flow_set: 'Add or change a flow (with its start node)', node_set: 'Add or change a node',
    type: 'Type', prompt: 'Prompt', next: 'Next', more: 'More KEY = VALUE lines',
    prompts: 'Prompts', files: 'Prompt files', file: 'File', bytes: 'Bytes',
    upload: 'Upload a prompt (WAV, 8 kHz mono 16-bit)', upload_btn: 'Upload',
    settings: 'Settings', queue_set: 'Queue settings', strategy: 'Strategy',
    ring_timeout: 'Ring (s)', max_wait: 'Max wait (s)', max_callers: 'Max callers', moh: 'Music',
    defaults: '(defaults)', lines: 'KEY = VALUE', body: 'Lines',
    did_groups: 'DID groups', did_group_note: 'A route with a DID group matches every DID of the group.',
    lists: 'Who may call', blacklist: 'Blocked callers (one a line; 1900* a prefix, * everyone)',
    whitelist: 'Only these may call (one a line; empty: anyone)', blocked: 'A blocked caller goes to',
    routes_note: 'A route sends a DID\u2019s calls to a destination, by schedule. A DID it names that has no section yet is added with it.',
    queue_note: 'Queues are the agent groups\u2019 queue numbers; settings not given keep their defaults (docs/INBOUND.md).',
  });
  Object.assign(A.T.cn, {
    trunks: '中继', routes: '呼入路由', schedules: '时间表', ivrs: 'IVR 与语音',
    queues: '队列', uri: 'SIP 地址', is_default: '默认', register: '注册',
    user: '用户名', callerid: '主叫号码', strip: '去除前缀', prefix: '添加前缀',
    trunk_add: '添加中继', make_default: '设为默认', yes: '是', no: '否',
    trunk_edit: '修改中继', pw_keep: '密码 (为空则不变)', no_password: '无密码',
    priority: '优先级', did_group: '号码组', cid_prefix: '主叫前缀', trunk: '中继',
    schedule: '时间表', open: '上班时', closed: '下班时', route_set: '添加或修改路由',
    tz: '时区', hours: '时间段 (每行一条)', closed_days: '休息日 (每行一条)',
    schedule_set: '添加或修改时间表', flows: 'IVR 流程', nodes: '节点', start: '起始节点',
    fail: '失败时', flow_set: '添加或修改流程 (含起始节点)', node_set: '添加或修改节点',
    type: '类型', prompt: '语音', next: '下一步', more: '其他 KEY = VALUE 行',
    prompts: '语音', files: '语音文件', file: '文件', bytes: '字节',
    upload: '上传语音 (WAV, 8 kHz 单声道 16 位)', upload_btn: '上传',
    settings: '设置', queue_set: '队列设置', strategy: '分配策略',
    ring_timeout: '振铃 (秒)', max_wait: '最长等待 (秒)', max_callers: '最多排队', moh: '等待音乐',
    defaults: '(默认)', lines: 'KEY = VALUE', body: '内容',
    did_groups: '号码组', did_group_note: '使用号码组的路由匹配该组的所有号码。',
    lists: '呼入限制', blacklist: '黑名单 (每行一个; 1900* 为前缀, * 为所有人)',
    whitelist: '白名单 (每行一个; 为空则不限)', blocked: '被拒绝的来电转到',
    routes_note: '路由按时间表把号码的来电送到目的地。路由所用的号码如尚无配置，会一并添加。',
    queue_note: '队列即坐席组的队列号；未填写的设置保持默认 (docs/INBOUND.md)。',
  });

  const TABS = `
  <section id="tab-trunks" class="card tab" hidden>
    <h2 data-t="trunks">Trunks</h2>
    <table id="trunks"><thead><tr>
      <th data-t="name">Name</th><th data-t="uri">SIP URI</th><th data-t="is_default">Default</th>
      <th data-t="register">Register</th><th data-t="user">User</th><th data-t="callerid">Caller ID</th>
      <th data-t="strip">Strip</th><th data-t="prefix">Prefix</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="trunk-add" class="row">
      <h3 data-t="trunk_add">Add a trunk</h3>
      <input name="name" required maxlength="63" data-tp="name" aria-label="name">
      <input name="uri" required maxlength="200" pattern="(sips?:.+|virtual:)" placeholder="sip:host:port" aria-label="SIP URI">
      <input name="user" maxlength="63" data-tp="user" aria-label="user">
      <input name="password" type="password" maxlength="63" autocomplete="new-password" data-tp="password" aria-label="password">
      <input name="callerid" maxlength="31" pattern="\\+?[0-9]+" data-tp="callerid" aria-label="caller id">
      <input name="strip" maxlength="15" data-tp="strip" aria-label="strip">
      <input name="prefix" maxlength="15" data-tp="prefix" aria-label="prefix">
      <label><input type="checkbox" name="default" value="1"> <span data-t="is_default">Default</span></label>
      <label><input type="checkbox" name="register" value="1"> <span data-t="register">Register</span></label>
      <button type="submit" data-t="add">Add</button>
    </form>
  </section>

  <dialog id="trunk-edit-dialog">
    <form id="trunk-edit" method="dialog" class="grid">
      <h3><span data-t="trunk_edit">Change trunk</span> <span id="te-who"></span></h3>
      <label><span data-t="uri">SIP URI</span> <input name="uri" required maxlength="200" pattern="(sips?:.+|virtual:)"></label>
      <label><span data-t="user">User</span> <input name="user" maxlength="63"></label>
      <label><span data-t="password">Password</span> <input name="password" type="password" maxlength="63" autocomplete="new-password" data-tp="pw_keep"></label>
      <label><input type="checkbox" name="no-password" value="1"> <span data-t="no_password">No password</span></label>
      <label><span data-t="callerid">Caller ID</span> <input name="callerid" maxlength="31" pattern="\\+?[0-9]+"></label>
      <label><span data-t="strip">Strip</span> <input name="strip" maxlength="15"></label>
      <label><span data-t="prefix">Prefix</span> <input name="prefix" maxlength="15"></label>
      <label><input type="checkbox" name="register" value="1"> <span data-t="register">Register</span></label>
      <div class="row"><button type="submit" data-t="save">Save</button> <button type="button" id="te-cancel" data-t="cancel">Cancel</button></div>
    </form>
  </dialog>

  <section id="tab-routes" class="card tab" hidden>
    <h2 data-t="routes">Routes</h2>
    <table id="routes"><thead><tr>
      <th data-t="name">Name</th><th data-t="priority">Priority</th><th data-t="did">DID</th>
      <th data-t="cid_prefix">Caller prefix</th><th data-t="trunk">Trunk</th><th data-t="schedule">Schedule</th>
      <th data-t="open">When open</th><th data-t="closed">When closed</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="route-set" class="row">
      <h3 data-t="route_set">Add or change a route</h3>
      <input name="name" required maxlength="63" pattern="[A-Za-z0-9_-]+" data-tp="name" aria-label="name">
      <input name="priority" maxlength="8" pattern="-?[0-9]*" data-tp="priority" aria-label="priority">
      <input name="did" maxlength="32" pattern="[0-9]*" data-tp="did" aria-label="DID">
      <input name="did_group" maxlength="63" data-tp="did_group" aria-label="DID group">
      <input name="cid_prefix" maxlength="31" data-tp="cid_prefix" aria-label="caller prefix">
      <select name="trunk" aria-label="trunk"></select>
      <select name="schedule" aria-label="schedule"></select>
      <input name="open" required maxlength="80" placeholder="ivr:main" aria-label="when open">
      <input name="closed" maxlength="80" placeholder="hangup" aria-label="when closed">
      <button type="submit" data-t="save">Save</button>
    </form>
    <p class="note" data-t="routes_note"></p>
  </section>

  <section id="tab-schedules" class="card tab" hidden>
    <h2 data-t="schedules">Schedules</h2>
    <table id="schedules"><thead><tr>
      <th data-t="name">Name</th><th data-t="tz">Time zone</th><th data-t="hours">Hours</th>
      <th data-t="closed_days">Closed</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="schedule-set" class="row">
      <h3 data-t="schedule_set">Add or change a schedule</h3>
      <input name="name" required maxlength="63" pattern="[A-Za-z0-9_-]+" data-tp="name" aria-label="name">
      <input name="tz" maxlength="63" placeholder="Asia/Shanghai" aria-label="time zone">
      <textarea name="hours" placeholder="mon-fri 09:00-18:00" aria-label="hours"></textarea>
      <textarea name="closed" placeholder="2026-10-01..2026-10-07" aria-label="closed days"></textarea>
      <button type="submit" data-t="save">Save</button>
    </form>
  </section>

  <section id="tab-ivrs" class="card tab" hidden>
    <h2 data-t="flows">IVR flows</h2>
    <table id="flows"><thead><tr>
      <th data-t="name">Name</th><th data-t="exten">Extension</th><th data-t="start">Start node</th>
      <th data-t="fail">On failure</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="flow-set" class="row">
      <h3 data-t="flow_set">Add or change a flow</h3>
      <input name="name" required maxlength="63" pattern="[A-Za-z0-9_-]+" data-tp="name" aria-label="flow">
      <input name="exten" maxlength="31" pattern="[0-9]*" data-tp="exten" aria-label="extension">
      <input name="start" required maxlength="63" pattern="[A-Za-z0-9_-]+" data-tp="start" aria-label="start node">
      <input name="fail" maxlength="80" placeholder="queue:6001" aria-label="on failure">
      <button type="submit" data-t="save">Save</button>
    </form>
    <h2 data-t="nodes">Nodes</h2>
    <table id="nodes"><thead><tr>
      <th data-t="name">Name</th><th data-t="type">Type</th><th data-t="body">Lines</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="node-set" class="row">
      <h3 data-t="node_set">Add or change a node</h3>
      <select name="flow" required aria-label="flow"></select>
      <input name="node" required maxlength="63" pattern="[A-Za-z0-9_-]+" data-tp="name" aria-label="node">
      <select name="type" aria-label="type">
        <option>play</option><option>play_collect</option><option>set</option>
        <option>http</option><option>goto</option><option>dest</option>
      </select>
      <select name="prompt" aria-label="prompt"></select>
      <input name="next" maxlength="80" placeholder="queue:6001" aria-label="next">
      <textarea name="more" placeholder="key.1 = queue:6001" aria-label="more lines"></textarea>
      <button type="submit" data-t="save">Save</button>
    </form>
    <h2 data-t="prompts">Prompts</h2>
    <table id="prompts"><thead><tr>
      <th data-t="name">Name</th><th data-t="file">File</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <table id="prompt-files"><thead><tr>
      <th data-t="files">Prompt files</th><th data-t="bytes">Bytes</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="prompt-upload" class="row">
      <h3 data-t="upload">Upload a prompt</h3>
      <input name="name" required maxlength="58" pattern="[A-Za-z0-9_-]+" data-tp="prompt" aria-label="prompt name">
      <input name="file" type="file" required accept=".wav,audio/wav" aria-label="WAV file">
      <button type="submit" data-t="upload_btn">Upload</button>
    </form>
  </section>

  <section id="tab-queues" class="card tab" hidden>
    <h2 data-t="queues">Queues</h2>
    <table id="queues"><thead><tr>
      <th data-t="queue">Queue</th><th data-t="groups">Groups</th><th data-t="settings">Settings</th><th data-t="actions">Actions</th>
    </tr></thead><tbody></tbody></table>
    <form id="queue-set" class="row">
      <h3 data-t="queue_set">Queue settings</h3>
      <select name="queue" required aria-label="queue"></select>
      <select name="strategy" aria-label="strategy">
        <option value="">strategy</option><option>ringall</option><option>leastrecent</option>
        <option>fewestcalls</option><option>leasttalk</option><option>random</option>
        <option>wrandom</option><option>rrmemory</option><option>linear</option>
      </select>
      <input name="ring_timeout" maxlength="4" pattern="[0-9]*" data-tp="ring_timeout" aria-label="ring timeout">
      <input name="max_wait" maxlength="6" pattern="[0-9]*" data-tp="max_wait" aria-label="max wait">
      <input name="max_callers" maxlength="6" pattern="[0-9]*" data-tp="max_callers" aria-label="max callers">
      <select name="moh" aria-label="music on hold"></select>
      <input name="fail" maxlength="80" data-tp="fail" aria-label="on failure">
      <textarea name="more" placeholder="announce = 60" aria-label="more lines"></textarea>
      <button type="submit" data-t="save">Save</button>
    </form>
    <p class="note" data-t="queue_note"></p>
  </section>`;

  // the DIDs tab's DID groups ([did N] group) and [lists] (who may call)
  const DID_FORMS = `
    <form id="did-group" class="row">
      <h3 data-t="did_groups">DID groups</h3>
      <select name="did" required aria-label="DID"></select>
      <input name="group" maxlength="63" pattern="[A-Za-z0-9_-]*" data-tp="did_group" aria-label="DID group">
      <button type="submit" data-t="save">Save</button>
    </form>
    <p class="note" data-t="did_group_note"></p>
    <form id="lists-set" class="grid">
      <h3 data-t="lists">Who may call</h3>
      <label><span data-t="blacklist">Blocked callers</span> <textarea name="blacklist" placeholder="1900*"></textarea></label>
      <label><span data-t="whitelist">Only these may call</span> <textarea name="whitelist"></textarea></label>
      <label><span data-t="blocked">A blocked caller goes to</span> <input name="blocked" maxlength="80" placeholder="hangup"></label>
      <div class="row"><button type="submit" data-t="save">Save</button></div>
    </form>`;

  // ---- the routing file's sections, as the state lists them ---------------
  // "key = value" lines of a body, comments and blanks left out
  function lines(body) {
    const out = [];
    for (const l of (body || '').split('\n')) {
      const s = l.trim();
      if (!s || s[0] === '#' || s[0] === ';') continue;
      const eq = s.indexOf('=');
      if (eq > 0) out.push([s.slice(0, eq).trim(), s.slice(eq + 1).trim()]);
    }
    return out;
  }
  const get = (body, key) => (lines(body).find((kv) => kv[0] === key) || [])[1] || '';
  const all = (body, key) => lines(body).filter((kv) => kv[0] === key).map((kv) => kv[1]);
  const sections = (s, kind) => (s.routing || []).filter((x) => x.kind === kind);
  // the body of KEY = VALUE lines from [key, value] pairs, empty ones left out
  const bodyOf = (pairs) => pairs.filter((kv) => kv[1] !== undefined && String(kv[1]).trim() !== '')
    .map((kv) => kv[0] + ' = ' + String(kv[1]).trim()).join('\n');
  const multi = (key, text) => (text || '').split('\n').map((x) => [key, x]);

  function set(section, body, section2, body2) {
    const f = { cmd: 'routing set', section, body };
    if (section2) Object.assign(f, { section2, body2: body2 || '' });
    return A.change(f);
  }
  const remove = (section) => A.change({ cmd: 'routing remove', section }, '[' + section + ']');

  function fillForm(id, values) {
    const f = $(id);
    for (const [k, v] of Object.entries(values)) if (f.elements[k]) f.elements[k].value = v;
    f.scrollIntoView({ block: 'nearest' });
  }
  function choices(sel, values, blank) {
    const keep = sel.value;
    sel.textContent = '';
    option(sel, '', blank);
    for (const v of values) option(sel, v, v);
    sel.value = values.includes(keep) ? keep : '';
  }

  function render(s) {
    fill('trunks', s.trunks || [], (tr, k) => {
      tr.dataset.trunk = k.name;
      cell(tr, k.name);
      cell(tr, k.uri);
      cell(tr, k.default ? t('yes') : '');
      cell(tr, k.register ? t('yes') : '');
      cell(tr, k.user + (k.password ? ' (' + t('password') + ')' : ''));
      cell(tr, k.callerid);
      cell(tr, k.strip);
      cell(tr, k.prefix);
      const td = cell(tr, '');
      button(td, t('edit'), () => editTrunk(k));
      if (!k.default) button(td, t('make_default'), () => A.change({ cmd: 'trunk default', name: k.name }));
      button(td, t('remove'), () => A.change({ cmd: 'trunk remove', name: k.name }, k.name), 'danger');
    });
    fill('routes', sections(s, 'route'), (tr, r) => {
      tr.dataset.route = r.name;
      cell(tr, r.name);
      cell(tr, get(r.body, 'priority') || '0');
      cell(tr, get(r.body, 'did') || get(r.body, 'did_group'));
      cell(tr, get(r.body, 'cid_prefix'));
      cell(tr, get(r.body, 'trunk'));
      cell(tr, get(r.body, 'schedule'));
      cell(tr, get(r.body, 'open'));
      cell(tr, get(r.body, 'closed'));
      const td = cell(tr, '');
      button(td, t('edit'), () => fillForm('route-set', Object.assign({ name: r.name },
        Object.fromEntries(['priority', 'did', 'did_group', 'cid_prefix', 'trunk', 'schedule', 'open', 'closed']
          .map((k) => [k, get(r.body, k)])))));
      button(td, t('remove'), () => remove('route ' + r.name), 'danger');
    });
    fill('schedules', sections(s, 'schedule'), (tr, x) => {
      tr.dataset.schedule = x.name;
      cell(tr, x.name);
      cell(tr, get(x.body, 'tz') || 'UTC');
      cell(tr, all(x.body, 'hours').join('; '));
      cell(tr, all(x.body, 'closed').join('; '));
      const td = cell(tr, '');
      button(td, t('edit'), () => fillForm('schedule-set', { name: x.name, tz: get(x.body, 'tz'),
        hours: all(x.body, 'hours').join('\n'), closed: all(x.body, 'closed').join('\n') }));
      button(td, t('remove'), () => remove('schedule ' + x.name), 'danger');
    });
    const flows = sections(s, 'ivr');
    fill('flows', flows, (tr, x) => {
      tr.dataset.flow = x.name;
      cell(tr, x.name);
      cell(tr, get(x.body, 'exten'));
      cell(tr, get(x.body, 'start'));
      cell(tr, get(x.body, 'fail'));
      const td = cell(tr, '');
      button(td, t('edit'), () => fillForm('flow-set', { name: x.name, exten: get(x.body, 'exten'),
        start: get(x.body, 'start'), fail: get(x.body, 'fail') }));
      button(td, t('remove'), () => remove('ivr ' + x.name), 'danger');
    });
    fill('nodes', sections(s, 'node'), (tr, x) => {
      tr.dataset.node = x.name;
      cell(tr, x.name);
      cell(tr, get(x.body, 'type'));
      const pre = document.createElement('pre');
      pre.textContent = lines(x.body).filter((kv) => kv[0] !== 'type').map((kv) => kv.join(' = ')).join('\n');
      cell(tr, '').appendChild(pre);
      const td = cell(tr, '');
      const [flow, node] = x.name.split('.');
      button(td, t('edit'), () => fillForm('node-set', { flow, node, type: get(x.body, 'type'),
        prompt: get(x.body, 'prompt'), next: get(x.body, 'next'),
        more: lines(x.body).filter((kv) => !['type', 'prompt', 'next'].includes(kv[0]))
          .map((kv) => kv.join(' = ')).join('\n') }));
      button(td, t('remove'), () => remove('node ' + x.name), 'danger');
    });
    const prompts = sections(s, 'prompt');
    fill('prompts', prompts, (tr, x) => {
      tr.dataset.prompt = x.name;
      cell(tr, x.name);
      cell(tr, lines(x.body).filter((kv) => kv[0].startsWith('file')).map((kv) => kv[1]).join(', '));
      button(cell(tr, ''), t('remove'), () => remove('prompt ' + x.name), 'danger');
    });
    fill('prompt-files', s.prompts || [], (tr, p) => {
      tr.dataset.file = p.file;
      cell(tr, p.file);
      cell(tr, String(p.bytes));
      button(cell(tr, ''), t('remove'), () => A.change({ cmd: 'prompt remove', name: p.file }, p.file), 'danger');
    });
    const queues = [...new Set(s.groups.map((g) => g.queue))].sort();
    const qsect = Object.fromEntries(sections(s, 'queue').map((x) => [x.name, x]));
    fill('queues', queues, (tr, q) => {
      tr.dataset.queue = q;
      cell(tr, q);
      cell(tr, s.groups.filter((g) => g.queue === q).map((g) => g.name).join(', '));
      const pre = document.createElement('pre');
      pre.textContent = qsect[q] ? lines(qsect[q].body).map((kv) => kv.join(' = ')).join('\n') || t('defaults')
        : t('defaults');
      cell(tr, '').appendChild(pre);
      const td = cell(tr, '');
      button(td, t('edit'), () => {
        const b = qsect[q] ? qsect[q].body : '';
        const known = ['strategy', 'ring_timeout', 'max_wait', 'max_callers', 'moh', 'fail'];
        fillForm('queue-set', Object.assign({ queue: q },
          Object.fromEntries(known.map((k) => [k, get(b, k)])),
          { more: lines(b).filter((kv) => !known.includes(kv[0])).map((kv) => kv.join(' = ')).join('\n') }));
      });
      if (qsect[q]) button(td, t('remove'), () => remove('queue ' + q), 'danger');
    });
    choices($('did-group').elements.did, sections(s, 'did').map((x) => x.name), t('did'));
    const lf = $('lists-set').elements, ls = sections(s, 'lists')[0];
    // [lists] as stored, one entry a line
    const entries = (k) => (ls ? get(ls.body, k) : '').split(',').map((x) => x.trim()).filter(Boolean).join('\n');
    lf.blacklist.value = entries('blacklist');
    lf.whitelist.value = entries('whitelist');
    lf.blocked.value = ls ? get(ls.body, 'blocked') : '';
    const rf = $('route-set').elements, pnames = prompts.map((x) => x.name);
    choices(rf.trunk, (s.trunks || []).map((k) => k.name), t('trunk'));
    choices(rf.schedule, sections(s, 'schedule').map((x) => x.name), t('schedule'));
    choices($('node-set').elements.flow, flows.map((x) => x.name), t('flows'));
    choices($('node-set').elements.prompt, pnames, t('prompt'));
    choices($('queue-set').elements.moh, pnames, t('moh'));
    const qs = $('queue-set').elements.queue;
    const keep = qs.value;
    qs.textContent = '';
    for (const q of queues) option(qs, q, q);
    if (queues.includes(keep)) qs.value = keep;
  }

  // ---- a trunk changed in place: occctl trunk set (every setting as the
  // form has it; the password only if typed or cleared) ----------------
  let trunkEditing = null;
  function editTrunk(k) {
    trunkEditing = k;
    const f = $('trunk-edit');
    f.reset();
    $('te-who').textContent = k.name;
    for (const n of ['uri', 'user', 'callerid', 'strip', 'prefix']) f.elements[n].value = k[n];
    f.elements.register.checked = k.register;
    $('trunk-edit-dialog').showModal();
  }
  async function saveTrunk(ev) {
    ev.preventDefault();
    const o = A.formFields(ev.target);
    ev.target.elements.password.value = '';
    $('trunk-edit-dialog').close();
    await A.change(Object.assign({ cmd: 'trunk set', name: trunkEditing.name }, o));
  }

  function wire() {
    const submit = (id, fn) => $(id).addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (await fn(A.formFields(ev.target), ev.target)) ev.target.reset();
    });
    submit('trunk-add', (o) => A.change(Object.assign({ cmd: 'trunk add' }, o)));
    $('trunk-edit').addEventListener('submit', saveTrunk);
    $('te-cancel').addEventListener('click', () => $('trunk-edit-dialog').close());
    submit('route-set', (o) => {
      const body = bodyOf([['priority', o.priority], ['did', o.did], ['did_group', o.did_group],
        ['cid_prefix', o.cid_prefix], ['trunk', o.trunk], ['schedule', o.schedule],
        ['open', o.open], ['closed', o.closed]]);
      const st = A.state();
      const newDid = o.did && !sections(st, 'did').some((d) => d.name === o.did);
      return newDid ? set('route ' + o.name, body, 'did ' + o.did, '') : set('route ' + o.name, body);
    });
    // a DID's group: its [did N] section's other lines kept
    submit('did-group', (o) => {
      const d = sections(A.state(), 'did').find((x) => x.name === o.did);
      const keep = lines(d ? d.body : '').filter((kv) => kv[0] !== 'group');
      return set('did ' + o.did, bodyOf([...keep, ['group', o.group]]));
    });
    $('lists-set').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const o = A.formFields(ev.target);
      const list = (v) => (v || '').split(/[\n,]/).map((x) => x.trim()).filter(Boolean).join(',');
      const body = bodyOf([['blacklist', list(o.blacklist)], ['whitelist', list(o.whitelist)],
        ['blocked', o.blocked]]);
      if (body) await set('lists', body);
      else if (sections(A.state(), 'lists').length) await remove('lists');
    });
    submit('schedule-set', (o) => set('schedule ' + o.name,
      bodyOf([['tz', o.tz], ...multi('hours', o.hours), ...multi('closed', o.closed)])));
    submit('flow-set', (o) => {
      const st = A.state();
      const body = bodyOf([['exten', o.exten], ['start', o.start], ['fail', o.fail]]);
      // a new flow comes with its start node (a flow needs it, a node its flow)
      const startNode = o.name + '.' + o.start;
      const hasNode = sections(st, 'node').some((x) => x.name === startNode);
      return hasNode ? set('ivr ' + o.name, body)
        : set('ivr ' + o.name, body, 'node ' + startNode, 'type = dest\nnext = hangup');
    });
    submit('node-set', (o) => set('node ' + o.flow + '.' + o.node,
      [bodyOf([['type', o.type], ['prompt', o.prompt], ['next', o.next]]), (o.more || '').trim()]
        .filter(Boolean).join('\n')));
    submit('queue-set', (o) => set('queue ' + o.queue,
      [bodyOf([['strategy', o.strategy], ['ring_timeout', o.ring_timeout], ['max_wait', o.max_wait],
        ['max_callers', o.max_callers], ['moh', o.moh], ['fail', o.fail]]), (o.more || '').trim()]
        .filter(Boolean).join('\n')));
    $('prompt-upload').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const f = ev.target, file = f.elements.file.files[0], name = f.elements.name.value.trim();
      if (!file) return;
      msg(t('uploading'));
      const up = await A.uploadFile(file);
      if (!up.ok) { msg(up.error, true); return; }
      if (!await A.change({ cmd: 'prompt add', name: name + '.wav' })) return;
      // the routing's [prompt NAME] for it, if there is none yet
      if (!sections(A.state(), 'prompt').some((x) => x.name === name) &&
          !await set('prompt ' + name, 'file = ' + name + '.wav')) return;
      f.reset();
    });
  }

  function init() {
    const nav = $('tabs'), con = $('console');
    for (const [tab, label] of [['trunks', 'Trunks'], ['routes', 'Routes'], ['schedules', 'Schedules'],
      ['ivrs', 'IVR & prompts'], ['queues', 'Queues']]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.tab = tab;
      b.dataset.t = tab;
      b.textContent = label;
      b.addEventListener('click', () => {
        for (const o of document.querySelectorAll('#tabs button')) o.classList.toggle('on', o === b);
        for (const s of document.querySelectorAll('.tab')) s.hidden = s.id !== 'tab-' + tab;
      });
      nav.appendChild(b);
    }
    con.insertAdjacentHTML('beforeend', TABS);
    $('tab-dids').querySelector('p.note').insertAdjacentHTML('beforebegin', DID_FORMS);
    wire();
    A.renderers.push(render);
    A.applyLang();
  }
  init();
})();
