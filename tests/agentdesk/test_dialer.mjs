// test_dialer.mjs — a dialer call on the agent desktop (/agent/), driven
// by tests/agentdesk/dialer.sh, which has started occd --demo, registered
// a sipp phone as extension 8001, made a sipp customer the team's default
// trunk and imported one record into campaign 10 (whose package has the
// columns name 姓名, phone1 电话号码一 and order 订单号).
//
// Here: 8001 logs in and checks in to Sales (campaign 10's group) on that
// phone; the campaign is started (occctl); the dialer calls the customer
// and bridges the answer to 8001's phone; the page pops up the campaign's
// name and the record's fields (CustomerRecord) with the values imported;
// the agent holds, resumes and hangs up from the page and sees each
// change. Env: OCC_URL, OCC_DATA, OCC_SIP_PORT, OCCCTL, REC_NAME,
// REC_PHONE, REC_ORDER. TAP; exit status non-zero on a failure.
import { execFileSync } from 'node:child_process';
import { chromium } from 'playwright-core';
import { OCC, OCCCTL, DATA, WAIT_MS, ok, waitText, waitAttr, pageMain } from '../lib/pagetap.mjs';

const RUN_LIMIT_MS = 60_000;
const REC = { name: process.env.REC_NAME, phone: process.env.REC_PHONE, order: process.env.REC_ORDER };

const waitPhase = (page, p, what) => waitAttr(page, '#call-phase', 'data-phase', p, what);
const waitState = (page, s, what) => waitAttr(page, '#state', 'data-state', s, what);
// the pop-up's field table as [display name, value] rows
const fields = (page) => page.locator('#c-fields tr').evaluateAll(
  (trs) => trs.map((tr) => [tr.cells[0].innerText, tr.cells[1].innerText]));

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));

  await page.goto(OCC + '/agent/?lang=en');
  await page.fill('#l-team', 'demo');
  await page.fill('#l-agent', '8001');
  await page.fill('#l-password', '8001');
  await page.click('#l-submit');
  await waitAttr(page, '#push', 'data-up', '1', 'dialer: 8001 logs in; the page follows occ\'s push');
  await waitText(page, '#groups', /Sales \(6001\)/, 'dialer: group Sales (campaign 10\'s) is listed');
  await page.fill('#exten', '8001');
  await page.click('#b-checkin');
  await waitState(page, 'idle', 'dialer: checked in to Sales on the sipp phone 8001: idle');

  execFileSync(OCCCTL, ['--data', DATA, 'campaign', 'start', 'demo', '10']);
  await waitPhase(page, 'ringing', 'dialer: the customer answered; 8001\'s phone rings: the page shows ringing');
  await waitText(page, '#c-campaign', /^Demo campaign \(10\)$/, 'pop-up: the campaign by name and id');
  await waitText(page, '#c-fields', new RegExp(REC.order), 'pop-up: the record\'s fields arrive (CustomerRecord)');
  const got = await fields(page);
  const want = [['姓名', REC.name], ['电话号码一', REC.phone], ['订单号', REC.order]];
  ok(JSON.stringify(got) === JSON.stringify(want),
     'pop-up: the imported values under the package\'s display names, in column order', { got, want });
  await waitText(page, '#c-number', new RegExp('^' + REC.phone.replace('+', '\\+') + '$'),
                 'pop-up: the number dialled');
  await waitText(page, '#c-dir', /^outbound$/, 'pop-up: outbound');
  ok(await page.locator('#c-record').innerText() === '',
     'pop-up: the raw userdata (dial_id, customer_id) is not shown as the record');
  await page.click('#lang');
  await waitText(page, '#popup', /外呼任务[^]*Demo campaign \(10\)/, 'Chinese: the pop-up\'s labels (外呼任务), the campaign and fields unchanged');
  await waitText(page, '#b-hold', /^保持$/, 'Chinese: the call buttons');
  await page.click('#lang');
  await waitText(page, '#b-hold', /^Hold$/, 'and back to English');
  await waitPhase(page, 'talking', 'dialer: the phone answers: talking');
  await waitState(page, 'busy', 'dialer: the state is busy');

  await page.click('#b-hold');
  await waitPhase(page, 'held', 'hold from the page: on hold');
  await page.waitForTimeout(1000);     // a person's pause (the customer's re-INVITE completes)
  await page.click('#b-resume');
  await waitPhase(page, 'talking', 'resume from the page: talking again');
  await page.waitForTimeout(1000);
  await page.click('#b-hangup');
  await waitPhase(page, 'ended', 'hang up from the page: the call ended');
  // the log is newest first
  const log = await page.locator('#log').innerText();
  // the answer may come while the page is in Chinese (通话中: talking)
  ok(/Call: ended[^]*Call: talking[^]*Call: on hold[^]*(Call: talking|通话: 通话中)[^]*Call: ringing/.test(log),
     'the log of state changes shows ringing, talking, on hold, talking, ended', log);
  await waitState(page, 'idle', 'after the call 8001 is idle again (no ACW in the demo)');
  ok(!pageErrors.length, 'dialer: no script error on the page', pageErrors);
  execFileSync(OCCCTL, ['--data', DATA, 'campaign', 'stop', 'demo', '10']);
  await context.close();
}

pageMain(chromium, run, { limitMs: RUN_LIMIT_MS });
