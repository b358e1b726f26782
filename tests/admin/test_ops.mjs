// test_ops.mjs — the admin console's operations tabs (web/admin/ops.js)
// driven as an administrator would, in headless Debian Chromium through
// playwright-core. run.sh starts occd, makes one real call (sipp caller to
// DID 555100, answered by extension 8005's sipp phone) and a backend event
// receiver (tests/events/receiver.py) on EV_PORT logging to EV_LOG, then
// runs this and numbers its TAP lines; the recording fetched here is
// written to OUT_WAV for run.sh to check by ear (Goertzel) and against
// occd's file.
//
//   - an agent's name and extension are changed on the page;
//   - a campaign is created and changed (window, AMD), columns added, a
//     CSV uploaded: the import report's counts are those of the file
//     (computed from it here), a duplicate skipped, a record without its
//     key refused with its line; started, paused, stopped; its daily
//     report shown; bad input refused with occctl's message;
//   - the call is found by DID, by number and by date, and its recording
//     plays in the page's <audio>;
//   - the event URL is set; the next event reaches the receiver.
import { writeFileSync, readFileSync, existsSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { OCC, WAIT_MS, ok, eq, waitText, iface, cred, pageMain } from '../lib/pagetap.mjs';
import { openConsole } from './console.mjs';

const RUN_LIMIT_MS = 180_000;
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';
const { ADMIN_PW, EV_PORT, EV_LOG, OUT_WAV, CALL_DID, CALL_FROM } = process.env;
const CAMPAIGN = '31';

const tab = (page, name) => page.click(`#tabs button[data-tab="${name}"]`);
const rowText = (page, sel) => page.locator(sel).innerText().catch(() => '');
async function until(fn, what, ms = WAIT_MS) {
  const end = Date.now() + ms;
  let v;
  while (Date.now() < end) {
    v = await fn();
    if (v) return ok(true, what);
    await new Promise((r) => setTimeout(r, 200));
  }
  return ok(false, what, v);
}

// the CSV the page uploads, and what its import must report, from the
// file itself: key phone1; the first record of a key is new (listed for
// dialing: 83), a later one a duplicate (81); one without a key refused
const CSV = 'phone1,name\n13900000001,Ann\n13900000002,Bob\n13900000001,Ann again\n' +
            '13900000003,"Cy, Jr."\n,Nobody\n13900000004,Dee\n';
function expected(csv) {
  const rows = csv.trim().split('\n').slice(1);
  const seen = new Set();
  const want = { records: rows.length, refused: 0, 83: 0, 81: 0, refusedLines: [] };
  rows.forEach((r, i) => {
    const key = r.split(',')[0];
    if (!key) { want.refused++; want.refusedLines.push(i + 2); return; }
    want[seen.has(key) ? 81 : 83]++;
    seen.add(key);
  });
  return want;
}

async function agents(page) {
  await tab(page, 'agents');
  await page.click('#agents tr[data-agent="8003"] button:has-text("Edit")');
  await page.fill('#agent-edit input[name="name"]', 'Renamed Three');
  await page.fill('#agent-edit input[name="exten"]', '8999');
  await page.click('#agent-edit button[type="submit"]');
  await waitText(page, '#msg', /no extension 8999 in team demo/,
                 'an extension the team does not have is refused, saying so');
  await page.click('#agents tr[data-agent="8003"] button:has-text("Edit")');
  await page.fill('#agent-edit input[name="name"]', 'Renamed Three');
  await page.fill('#agent-edit input[name="exten"]', '8107');
  await page.click('#agent-edit button[type="submit"]');
  await waitText(page, '#agents tr[data-agent="8003"]', /Renamed Three\s+8107/,
                 "agent 8003's name and extension are changed on the page");
  await page.click('#agents tr[data-agent="8003"] button:has-text("Edit")');
  await page.fill('#agent-edit input[name="exten"]', '80x');
  await page.evaluate(() => { document.querySelector('#agent-edit input[name="exten"]').removeAttribute('pattern'); });
  await page.click('#agent-edit button[type="submit"]');
  await waitText(page, '#msg', /bad EXTEN '80x'/, "a bad extension is refused with occctl's message");
}

async function campaigns(page) {
  await tab(page, 'campaigns');
  await waitText(page, '#campaigns tbody', /Demo campaign/, "the team's campaigns are listed");
  const f = '#campaign-add ';
  await page.fill(f + 'input[name="id"]', CAMPAIGN);
  await page.fill(f + 'input[name="name"]', 'Console campaign');
  await page.selectOption(f + 'select[name="group"]', '1');
  await page.selectOption(f + 'select[name="mode"]', 'preview');
  await page.selectOption(f + 'select[name="profile"]', 'none');
  await page.fill(f + 'input[name="window"]', '00:00-24:00');
  await page.click(f + 'button[type="submit"]');
  const row = `#campaigns tr[data-campaign="${CAMPAIGN}"]`;
  await waitText(page, row, /Console campaign\s+1 Sales\s+preview\s+stopped\s+00:00-24:00/,
                 'campaign 31 is created: group 1, preview, stopped, its window');
  await page.fill(f + 'input[name="id"]', CAMPAIGN);
  await page.fill(f + 'input[name="name"]', 'Again');
  await page.click(f + 'button[type="submit"]');
  await waitText(page, '#msg', /team demo already has campaign 31/, 'creating campaign 31 again is refused, saying why');

  // change: AMD on, a window, a caller ID
  await page.click(`${row} button:has-text("Edit")`);
  await waitText(page, '#ce-show', /campaign 31 Console campaign/, "the change form shows occctl campaign show's text");
  await page.fill('#campaign-edit input[name="callerid"]', '4000555');
  await page.selectOption('#campaign-edit select[name="amd"]', 'on');
  await page.selectOption('#campaign-edit select[name="amd_action"]', 'message');
  await page.fill('#campaign-edit input[name="amd_fp"]', '4.5');
  await page.fill('#campaign-edit input[name="max_attempts"]', '3');
  await page.click('#campaign-edit button[type="submit"]');
  await waitText(page, row, /4000555\s+on, message/, 'the change (caller ID, AMD on with the message action) is listed');
  await page.click(`${row} button:has-text("Edit")`);
  await waitText(page, '#ce-show', /amd on, action message, false positives 4\.5 %/,
                 'occctl campaign show has the AMD settings from the page');
  await waitText(page, '#ce-show', /max attempts 3/, 'and max attempts 3');
  await page.fill('#campaign-edit input[name="window"]', '25:00-26:00');
  await page.click('#campaign-edit button[type="submit"]');
  await waitText(page, '#msg', /window/, 'a bad window is refused with occctl\'s message');
  await page.click('#ce-cancel');

  // its customer package
  for (const [col, disp] of [['phone1', 'Phone'], ['name', 'Name']]) {
    await page.selectOption('#column-add select[name="id"]', CAMPAIGN);
    await page.fill('#column-add input[name="column"]', col);
    await page.fill('#column-add input[name="display"]', disp);
    await page.click('#column-add button[type="submit"]');
    await waitText(page, '#msg', /^Done$/, `column ${col} is added to campaign 31`);
  }

  // a file whose title names no column fails, and the report says why
  await page.selectOption('#import-form select[name="model_id"]', CAMPAIGN);
  await page.setInputFiles('#import-form input[name="file"]',
    { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('telephone,name\n1,x\n') });
  await page.click('#import-form button[type="submit"]');
  await waitText(page, '#ir-text', /bad\.csv, failed[\s\S]*error 74\[telephone\]/,
                 'a title naming no column: the task fails with 74[telephone]');
  // the import: counts from the file itself
  const want = expected(CSV);
  await page.selectOption('#import-form select[name="model_id"]', CAMPAIGN);
  await page.setInputFiles('#import-form input[name="file"]',
    { name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(CSV) });
  await page.fill('#import-form input[name="delrow"]', '1');
  await page.fill('#import-form input[name="phone_field"]', 'phone1');
  await page.selectOption('#import-form select[name="dupway"]', 'skip');
  await page.click('#import-form button[type="submit"]');
  await waitText(page, '#ir-text', /upload:customers\.csv, done/, 'the upload is imported and its report shown');
  const rep = await page.locator('#import-report').evaluate((e) => ({
    records: Number(e.dataset.records), refused: Number(e.dataset.refused),
    outcomes: Object.fromEntries([...e.querySelectorAll('#ir-outcomes tr[data-code]')]
      .map((tr) => [tr.dataset.code, Number(tr.cells[1].textContent)])),
    text: e.querySelector('#ir-text').textContent, summary: e.querySelector('#ir-summary').textContent,
  }));
  eq(rep.records, want.records, `the import report counts the file's ${want.records} records`);
  eq(rep.refused, want.refused, `and ${want.refused} refused (no phone1)`);
  eq(rep.outcomes['83'], want[83], `${want[83]} new customers listed for dialing (BackMsg_83)`);
  eq(rep.outcomes['81'], want[81], `${want[81]} duplicate skipped (BackMsg_81)`);
  ok(want.refusedLines.every((l) => new RegExp(`line ${l}: 76\\[Phone\\(phone1\\)\\]`).test(rep.text)),
     'the refused record is listed with its line and BackMsg_76', rep.text);
  await waitText(page, '#ir-outcomes', /duplicate, skipped/, "the outcomes are shown with the manual's meaning");

  // a file over the 64 KiB request limit: 5,000 records, staged in pieces
  const BIG = 'phone1,name\n' + Array.from({ length: 5000 }, (_, i) =>
    `1391${String(i).padStart(7, '0')},Customer number ${i}`).join('\n') + '\n';
  ok(BIG.length > 64 * 1024, `the big file is over 64 KiB (${BIG.length} bytes)`);
  await page.setInputFiles('#import-form input[name="file"]',
    { name: 'big.csv', mimeType: 'text/csv', buffer: Buffer.from(BIG) });
  const t0 = Date.now();
  await page.click('#import-form button[type="submit"]');
  // occd imports it on its loop, one transaction: seconds under ASan on a
  // loaded machine, so a longer (bounded) wait than a page change's
  await until(async () => /upload:big\.csv, done/.test(await rowText(page, '#ir-text')),
              'the 5,000-record file is imported from the page', 90_000);
  console.log(`# 5,000 records (${BIG.length} bytes) uploaded and imported in ${Date.now() - t0} ms`);
  const brep = await page.locator('#import-report').evaluate((e) => ({
    records: Number(e.dataset.records), refused: Number(e.dataset.refused),
    new83: Number((e.querySelector('#ir-outcomes tr[data-code="83"]') || { cells: [0, { textContent: '0' }] })
      .cells[1].textContent) }));
  ok(brep.records === 5000 && brep.refused === 0 && brep.new83 === 5000,
     'its report: 5,000 records, none refused, 5,000 new and listed for dialing (BackMsg_83)', brep);

  // bounded: an import needs a staged file; more than 4 MiB is refused by
  // occd itself, not only the page
  const post = (path, body) => page.evaluate(async ([p, b]) => {
    const r = await fetch('/admin/api/' + p, { method: 'POST', body: b,
      headers: { 'X-OCC-CSRF': window.occAdmin.csrf() } });
    return { status: r.status, body: await r.json() };
  }, [path, body]);
  const none = await post(`import?model_id=${CAMPAIGN}&delrow=1`, '');
  ok(none.status === 400 && /upload the file first/.test(none.body.error),
     'an import with nothing staged is refused: upload the file first', none);
  const big = await post(`upload?offset=0&total=${4 * 1024 * 1024 + 1}`, 'phone1\n');
  ok(big.status === 413 && /at most 4 MiB/.test(big.body.error), 'a file over 4 MiB is refused by occd (413)', big);
  // an import takes at most 1 MiB (it runs on occd's loop): 1 MiB + 1
  // staged in pieces (the page's own uploader), then refused by the import
  const up = await page.evaluate(() => window.occAdmin.uploadFile(new Blob(['p'.repeat(1024 * 1024 + 1)])));
  const over = up.ok ? await post(`import?model_id=${CAMPAIGN}&delrow=1`, '') : { body: up };
  ok(over.status === 413 && /at most 1 MiB/.test(over.body.error),
     'a CSV over 1 MiB is refused by the import (413), saying what to do', over);
  const staged = await post('upload?offset=0&total=9', 'phone1\n1\n');
  const other = staged.body.ok ? (await post('import?model_id=777&delrow=1', '')).body : staged.body;
  ok(!other.ok && /BackMsg_73/.test(other.error), 'an import into a campaign the team has not: BackMsg_73', other);

  // start, pause, stop
  for (const [b, st] of [['Start', 'running'], ['Pause', 'paused'], ['Stop', 'stopped']]) {
    await page.click(`${row} button:has-text("${b}")`);
    await waitText(page, row, new RegExp(`\\s${st}\\s`), `${b}: campaign 31 is ${st}`);
  }

  // the daily report
  await page.click(`${row} button:has-text("Report")`);
  const today = new Date().toLocaleDateString('en-CA');
  await waitText(page, `#cr-days tr[data-day="${today}"]`, /\d+\s+\d+\s+\d+\s+\d+/,
                 "the daily report shows today's dials, answers, live answers and abandons");
  const heads = await page.locator('#campaign-report thead').innerText();
  ok(/Abandon rate/.test(heads) && /Talk min \/ agent-hour/.test(heads),
     'with the rolling abandon rate and talk minutes per agent-hour', heads);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/admin-campaigns.png`, fullPage: true });
}

// do-not-call lists: the team's and campaign 31's, through occctl dnc
// --team (the session's team: never the system's list)
async function dnc(page) {
  await tab(page, 'campaigns');
  await page.selectOption('#dnc-list', '');
  await page.fill('#dnc-form input[name="number"]', '139-0000-0009');
  await page.click('#dnc-form button[type="submit"]');
  await waitText(page, '#dnc-numbers', /13900000009/, "a number goes on the team's do-not-call list (by its digits)");
  await page.selectOption('#dnc-list', CAMPAIGN);
  await until(async () => !/13900000009/.test(await rowText(page, '#dnc-numbers')),
              "campaign 31's list is shown apart (without the team's number)");
  await page.fill('#dnc-form input[name="number"]', '13900000010');
  await page.click('#dnc-form button[type="submit"]');
  await waitText(page, '#dnc-numbers', /13900000010/, "a number goes on campaign 31's list");
  await page.fill('#dnc-form input[name="number"]', '13900000011');
  await page.click('#dnc-form button[type="submit"]');
  await waitText(page, '#dnc-numbers tr[data-number="13900000011"]', /13900000011/, 'and another');
  await page.click('#dnc-numbers tr[data-number="13900000011"] button');
  await until(async () => (await page.locator('#dnc-numbers tr[data-number="13900000011"]').count()) === 0 &&
              /13900000010/.test(await rowText(page, '#dnc-numbers')),
              'removing one takes it off, the other stays');
  await page.evaluate(() => { document.querySelector('#dnc-form input[name="number"]').removeAttribute('pattern'); });
  await page.fill('#dnc-form input[name="number"]', 'call me');
  await page.click('#dnc-form button[type="submit"]');
  await waitText(page, '#msg', /bad DNCNUMBER 'call me'/, "a number that is no phone number is refused with occctl's message");
}

async function calls(page) {
  await tab(page, 'cdr');
  const today = new Date().toLocaleDateString('en-CA');
  await page.fill('#cdr-form input[name="from"]', today);
  await page.fill('#cdr-form input[name="to"]', today);
  await page.fill('#cdr-form input[name="did"]', CALL_DID);
  await page.click('#cdr-form button[type="submit"]');
  await waitText(page, '#cdr tbody', new RegExp(`in\\s+${CALL_FROM}\\s+${CALL_DID}`),
                 `searching by DID ${CALL_DID} finds the test's call from ${CALL_FROM}`);
  eq(await page.locator('#cdr tbody tr').count(), 1, 'and only that call');
  await page.fill('#cdr-form input[name="did"]', '');
  await page.fill('#cdr-form input[name="number"]', CALL_FROM.slice(-6));
  await page.click('#cdr-form button[type="submit"]');
  await waitText(page, '#cdr tbody', new RegExp(CALL_FROM), 'searching by part of the number finds it too');
  await page.fill('#cdr-form input[name="number"]', '');
  await page.fill('#cdr-form input[name="from"]', '2020-01-01');
  await page.fill('#cdr-form input[name="to"]', '2020-01-02');
  await page.click('#cdr-form button[type="submit"]');
  await waitText(page, '#msg', /No call matches/, 'a date range without calls finds none');
  await page.fill('#cdr-form input[name="from"]', today);
  await page.fill('#cdr-form input[name="to"]', today);
  await page.fill('#cdr-form input[name="did"]', CALL_DID);
  await page.click('#cdr-form button[type="submit"]');
  await waitText(page, '#cdr tbody', new RegExp(CALL_FROM), 'the call is listed again');

  const id = await page.locator('#cdr tbody tr').first().getAttribute('data-call');
  await page.click(`#cdr tr[data-call="${id}"] button:has-text("Play")`);
  await page.waitForFunction(() => {
    const a = document.getElementById('player');
    return a.readyState >= 1 && a.duration > 0;
  }, null, { timeout: WAIT_MS }).catch(() => {});
  const au = await page.locator('#player').evaluate((a) => ({
    ready: a.readyState, duration: a.duration, err: a.error && a.error.code, src: a.currentSrc }));
  ok(au.ready >= 1 && au.duration > 0 && !au.err, 'the recording loads in the page\'s <audio> with a duration', au);
  // the same URL, fetched by the page (its session): the WAV, for run.sh
  const wav = await page.evaluate(async (src) => {
    const r = await fetch(src);
    const b = new Uint8Array(await r.arrayBuffer());
    let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
    return { status: r.status, type: r.headers.get('content-type'), b64: btoa(s) };
  }, au.src);
  const bytes = Buffer.from(wav.b64, 'base64');
  ok(wav.status === 200 && wav.type === 'audio/wav' && bytes.subarray(0, 4).toString() === 'RIFF' &&
     bytes.subarray(8, 12).toString() === 'WAVE', 'the same URL serves a WAV file', { status: wav.status, type: wav.type });
  const secs = (bytes.length - 44) / (bytes.readUInt32LE(28) || 1);
  ok(Math.abs(secs - au.duration) < 0.5, "the <audio>'s duration is the file's", { secs, duration: au.duration });
  writeFileSync(OUT_WAV, bytes);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/admin-calls.png` });
  const ids = await page.evaluate(async ([i]) => {
    const st = async (u) => (await fetch(u)).status;
    return [await st('/admin/api/recording?id=' + '0'.repeat(32)),
            await st('/admin/api/recording?id=../../recording.key'),
            await st('/admin/api/recording?id=' + i.toUpperCase())];
  }, [id]);
  ok(ids.every((s) => s === 404), 'an unknown call, a path and a malformed id: 404', ids);
}

async function events(page) {
  await tab(page, 'events');
  const f = '#event-form input[name="value"]';
  await page.fill(f, 'ftp://127.0.0.1/events');
  await page.evaluate(() => { document.querySelector('#event-form input').type = 'text'; });
  await page.click('#event-form button[type="submit"]');
  await waitText(page, '#msg', /bad event_url/, "a URL that is not http(s) is refused with occctl's message");
  const url = `http://127.0.0.1:${EV_PORT}/occ/events`;
  await page.fill(f, url);
  await page.click('#event-form button[type="submit"]');
  await waitText(page, '#msg', /Event URL saved/, 'the event URL is saved');
  await page.reload();
  await tab(page, 'events');
  await page.waitForFunction((u) => document.querySelector('#event-form input').value === u, url,
    { timeout: WAIT_MS }).then(() => ok(true, 'after a reload the page shows it'),
    (e) => ok(false, 'after a reload the page shows it', String(e)));

  // the next event: agent 8002 logs in and checks in to group 1
  const r = await iface(`EVENT=LOGIN&${cred('8002')}&extension=8002`);
  ok(/\|Retuen\|1\|/.test(r), 'agent 8002 logs in', r);
  const q = await iface(`EVENT=QUEUE&${cred('8002')}&type=1&list=1&deviceexten=8002&pushevent=yes`);
  ok(/\|Retuen\|1\|/.test(q), 'and checks in to group 1 (the next event)', q);
  const got = () => existsSync(EV_LOG) && readFileSync(EV_LOG, 'utf8').split('\n').filter(Boolean)
    .map((l) => new URLSearchParams(JSON.parse(l).body))
    .find((b) => b.get('source') === 'AGENT' && b.get('agentno') === '8002');
  await until(got, "the receiver started by the test gets agent 8002's event at the URL set on the page");
  const first = existsSync(EV_LOG) ? JSON.parse(readFileSync(EV_LOG, 'utf8').split('\n')[0] || '{}') : {};
  eq(first.path, '/occ/events', 'at the path set on the page');
}

async function run(browser) {
  const { context, page, pageErrors } = await openConsole(browser, { acceptDialogs: true });
  await agents(page);
  await campaigns(page);
  await dnc(page);
  await calls(page);
  await events(page);
  await tab(page, 'campaigns');
  await page.click('#lang');
  await waitText(page, '#tabs', /外呼活动[\s\S]*通话记录[\s\S]*事件地址/, 'the new tabs have Chinese labels');
  await page.click('#lang');
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  ok(fits, 'at 1280×800 nothing overflows sideways (campaigns tab)');
  ok(pageErrors.length === 0, 'no page errors', pageErrors);
  await context.close();
}

if (!OCC || !ADMIN_PW || !EV_PORT || !EV_LOG || !OUT_WAV || !CALL_DID || !CALL_FROM) {
  console.log('Bail out! run tests/admin/run.sh');
  process.exit(1);
}
pageMain(chromium, run, { limitMs: RUN_LIMIT_MS, args: ['--autoplay-policy=no-user-gesture-required'] });
