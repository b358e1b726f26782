// test_routing.mjs — the admin console's trunks, prompts, IVR flows,
// schedules, queue settings and routes tabs, driven as an administrator
// would in headless Debian Chromium. run.sh (after test_admin.mjs) has
// team "other" own a trunk, a prompt file and a route here, and removed
// the demo's welcome.wav; it numbers these TAP lines, then calls the DID
// the page routed with sipp and checks the caller hears the uploaded
// prompt (TONE_WAV) and reaches queue 6001.
import { chromium } from 'playwright-core';
import { OCC, ok, eq, waitText, pageMain } from '../lib/pagetap.mjs';
import { openConsole } from './console.mjs';

const RUN_LIMIT_MS = 120_000;
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';
const { ADMIN_PW, TONE_WAV, BAD_WAV, TRUNK_URI, DID } = process.env;

const tab = (page, name) => page.click(`#tabs button[data-tab="${name}"]`);
const msgClass = (page) => page.locator('#msg').evaluate((e) => e.className);
const get = (page, path) => page.evaluate(async (p) => {
  const r = await fetch('/admin/api/' + p);
  return { status: r.status, body: await r.json() };
}, path);
async function submit(page, form, fields) {
  for (const [k, v] of Object.entries(fields)) {
    const el = page.locator(`#${form} [name="${k}"]`);
    const tag = await el.evaluate((e) => e.tagName);
    if (tag === 'SELECT') await el.selectOption(v);
    else if (v === true) await el.check();
    else await el.fill(v);
  }
  await page.click(`#${form} button[type="submit"]`);
}

async function run(browser) {
  const { context, page, pageErrors } = await openConsole(browser);

  // ---- another team's objects are not there ----
  const st = await get(page, 'state');
  const all = JSON.stringify(st.body);
  ok(st.status === 200 && !all.includes('othertrunk') && !all.includes('other-secret') &&
     !all.includes('otherroute'), "team other's trunk, prompt file and route are not in the state", st.body);

  // ---- a trunk ----
  await tab(page, 'trunks');
  await submit(page, 'trunk-add', { name: 'carrier', uri: TRUNK_URI, callerid: '8008001', prefix: '0' });
  await waitText(page, '#trunks tr[data-trunk="carrier"]', /sip:127\.0\.0\.1/, 'trunk carrier is added and listed');
  eq(await page.locator('#trunks tr[data-trunk="othertrunk"]').count(), 0, "team other's trunk is not listed");

  // ---- prompts: a refused upload, then the tone ----
  await tab(page, 'ivrs');
  // the calls and campaigns tabs' labels (ops.js, loaded after) do not replace this tab's
  eq(await page.locator('th[data-t="start"]').innerText(), 'Start node', "the flows' column reads Start node");
  eq(await page.locator('h3[data-t="upload"]').innerText(), 'Upload a prompt (WAV, 8 kHz mono 16-bit)',
     'the upload form is headed as the prompt upload');
  await page.fill('#prompt-upload [name="name"]', 'stereo');
  await page.setInputFiles('#prompt-upload [name="file"]', BAD_WAV);
  await page.click('#prompt-upload button[type="submit"]');
  await waitText(page, '#msg', /not a prompt occd can play: .*2 channel/,
                 'a stereo WAV is refused with the reason');
  eq(await msgClass(page), 'bad', 'the refusal is shown as an error');
  await page.fill('#prompt-upload [name="name"]', 'hello');
  await page.setInputFiles('#prompt-upload [name="file"]', TONE_WAV);
  await page.click('#prompt-upload button[type="submit"]');
  await waitText(page, '#prompt-files tr[data-file="hello.wav"]', /hello\.wav/, 'the tone WAV is uploaded and listed');
  await waitText(page, '#prompts tr[data-prompt="hello"]', /hello\.wav/, 'and the routing has [prompt hello] for it');
  ok(/no such file/.test(await page.locator('#msg').innerText()) && await msgClass(page) === 'warn',
     "the demo's missing welcome.wav is a warning shown in amber, not a refusal",
     await page.locator('#msg').innerText());

  // ---- an IVR flow that plays it, then queue 6001 ----
  await submit(page, 'flow-set', { name: 'adm', start: 'greet', fail: 'queue:6001' });
  await waitText(page, '#flows tr[data-flow="adm"]', /greet/, 'flow adm is added with its start node');
  await submit(page, 'node-set', { flow: 'adm', node: 'greet', type: 'play', prompt: 'hello', next: 'queue:6001' });
  await waitText(page, '#nodes tr[data-node="adm.greet"]', /prompt = hello/, 'node greet plays prompt hello, then queue 6001');

  // ---- a schedule, queue settings ----
  await tab(page, 'schedules');
  await submit(page, 'schedule-set', { name: 'always', tz: 'Asia/Shanghai', hours: 'daily 00:00-24:00' });
  await waitText(page, '#schedules tr[data-schedule="always"]', /Asia\/Shanghai/, 'schedule always is added');
  await tab(page, 'queues');
  await submit(page, 'queue-set', { queue: '6001', strategy: 'ringall', ring_timeout: '20', max_wait: '120' });
  await waitText(page, '#queues tr[data-queue="6001"]', /strategy = ringall[\s\S]*max_wait = 120/,
                 "queue 6001's settings are saved and shown");
  await page.evaluate(() => {
    const o = document.createElement('option');
    o.value = o.textContent = 'nosuch';
    document.querySelector('#queue-set [name="strategy"]').appendChild(o);
  });
  await submit(page, 'queue-set', { queue: '6002', strategy: 'nosuch' });
  await waitText(page, '#msg', /strategy 'nosuch': one of ringall/, 'an unknown strategy is refused with the choices');

  // ---- routes: an invalid one, then the DID's ----
  await tab(page, 'routes');
  await submit(page, 'route-set', { name: 'bad', did: '555301', open: 'queue:9999' });
  await waitText(page, '#msg', /no \[queue 9999\]/, 'a route to a queue that does not exist is refused, naming it');
  eq(await page.locator('#routes tr[data-route="bad"]').count(), 0, 'and is not listed');
  await submit(page, 'route-set', { name: 'adm', priority: '5', did: DID, schedule: 'always',
                                     open: 'ivr:adm', closed: 'hangup' });
  await waitText(page, '#routes tr[data-route="adm"]', /ivr:adm/, `route adm sends DID ${DID} to flow adm while open`);
  eq(await page.locator('#routes tr[data-route="otherroute"]').count(), 0, "team other's route is not listed");
  await tab(page, 'dids');
  await waitText(page, '#dids tr[data-did="' + DID + '"]', /by the routes/, 'the DID was added with the route');
  // its DID group, and who may call ([lists])
  await submit(page, 'did-group', { did: DID, group: 'mainlines' });
  await waitText(page, '#dids tr[data-did="' + DID + '"]', /mainlines/, `DID ${DID} gets DID group mainlines`);
  await submit(page, 'lists-set', { blacklist: '13900000666\n1900*', blocked: 'hangup' });
  await waitText(page, '#msg', /^Done/, 'a blacklist is saved');
  eq(await page.inputValue('#lists-set [name="blacklist"]'), '13900000666\n1900*',
     'the page shows the [lists] blacklist as stored, an entry a line');
  await submit(page, 'lists-set', { blocked: 'queue:9999' });
  await waitText(page, '#msg', /no \[queue 9999\]/, 'blocked callers sent to a queue that does not exist: refused, naming it');

  // ---- in Chinese ----
  await page.click('#lang');
  await waitText(page, '#tabs button[data-tab="routes"]', /呼入路由/, 'the new tabs are labelled in Chinese');
  await page.click('#lang');
  if (SHOTS) {
    await tab(page, 'ivrs');
    await page.screenshot({ path: SHOTS + '/admin-ivr.png', fullPage: true });
  }
  ok(pageErrors.length === 0, 'no page errors', pageErrors);
  await context.close();
}

async function main() {
  if (!OCC || !ADMIN_PW || !TONE_WAV || !BAD_WAV || !DID) {
    console.log('Bail out! run tests/admin/run.sh');
    process.exit(1);
  }
  await pageMain(chromium, run, { limitMs: RUN_LIMIT_MS });
}
main();
