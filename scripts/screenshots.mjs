// screenshots.mjs OUTDIR — the README's "Pages" screenshots, 1280×800, in
// headless Debian Chromium (playwright-core from tests/agentdesk). Run by
// scripts/screenshots.sh under tests/lib/with-occd.sh (OCC_URL, OCC_DATA,
// OCC_SIP_PORT: a fresh occd --demo). Not a test: it stops at the first
// thing that does not happen.
//
//   page-index.png      the index page
//   page-agent.png      /agent/: 8001 in a dialer call of campaign 10 (built-in
//                       phone 8101, the virtual customer), the pop-up with the
//                       record's fields
//   page-wallboard.png  /wallboard/ (account admin): queue 6001 with a caller
//                       talking to 8002 and one waiting, 8001 in the dialer
//                       call, 8003 paused
//   page-admin.png      /admin/ (account admin): the agents
import { createRequire } from 'node:module';
import { execFileSync, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(root, 'tests/agentdesk/package.json'))('playwright-core');
const OUT = path.resolve(process.argv[2] || path.join(root, 'docs/screenshots'));
const OCC = (process.env.OCC_URL || '').replace(/\/+$/, '');
const DATA = process.env.OCC_DATA || '';
const SIP = '127.0.0.1:' + (process.env.OCC_SIP_PORT || '');
const OCCCTL = process.env.OCCCTL || path.join(root, 'build/occctl');
const WAIT = 20_000;

const occctl = (...a) => execFileSync(OCCCTL, ['--data', DATA, ...a], { encoding: 'utf8' });
async function api(body) {
  const r = await fetch(OCC + '/coccinterfaces', {
    method: 'POST', body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  const text = await r.text();
  if (!text.startsWith('|Retuen|1|')) throw new Error(`${body.split('&')[0]}: ${text}`);
  return text;
}
const agent = (n) => `orgidentity=demo&usertype=agent&user=${n}&pwdtype=plaintext&password=${n}`;
const admin = 'orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin';
const children = [];
function caller(secs) {
  const p = spawn(OCCCTL, ['--data', DATA, 'call', '800888', '--keys', '1', '--sip', SIP,
                           '--from', '13800138000', '--secs', String(secs)], { stdio: 'ignore' });
  children.push(p);
}
async function shot(page, name) {
  await page.waitForTimeout(400);          // the last repaint
  await page.screenshot({ path: path.join(OUT, name) });
  console.log('wrote ' + path.join(OUT, name));
}

async function run(browser) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  ctx.setDefaultTimeout(WAIT);
  const page = await ctx.newPage();

  await page.goto(OCC + '/');
  await shot(page, 'page-index.png');

  // the other agents: 8002 takes an inbound call, 8003 is paused
  await api(`EVENT=QUEUE&type=1&list=1&deviceexten=8102&${agent('8002')}`);
  await api(`EVENT=QUEUE&type=1&list=1,2&deviceexten=8103&${agent('8003')}`);
  await api(`EVENT=QUEUEPAUSE&type=1&pause_reason=lunch&${agent('8003')}`);

  // 8001 on the page, checked in on built-in phone 8101
  await page.goto(OCC + '/agent/?lang=en');
  await page.fill('#l-team', 'demo');
  await page.fill('#l-agent', '8001');
  await page.fill('#l-password', '8001');
  await page.click('#l-submit');
  await page.waitForSelector('#desk:not([hidden])');
  await page.fill('#exten', '8101');
  await page.click('#b-checkin');
  await page.waitForSelector('#state[data-state="idle"]');

  // a record in campaign 10, then the campaign starts: the dialer calls the
  // virtual customer and bridges its answer to 8001
  occctl('campaign', 'column', 'demo', '10', 'order', '订单号');
  occctl('campaign', 'column', 'demo', '10', 'city', '城市');
  await api(`EVENT=Import&${admin}&modeltype=Campaign&model_id=10&source=data&phone_field=phone1&context=` +
            encodeURIComponent('姓名=Li Lei||phone1=13900000042||order=A-42||city=Hangzhou'));
  caller(40);                               // for 8002
  occctl('campaign', 'start', 'demo', '10');
  await page.waitForSelector('#call-phase[data-phase="talking"]');
  await page.waitForSelector('#c-fields:not([hidden])');
  await page.waitForSelector('#state[data-state="busy"]');
  await shot(page, 'page-agent.png');

  // a second caller waits: nobody is free
  caller(40);
  const wb = await ctx.newPage();
  await wb.goto(OCC + '/wallboard/?lang=en');
  await wb.fill('#l-team', 'demo');
  await wb.selectOption('#l-type', 'account');
  await wb.fill('#l-user', 'admin');
  await wb.fill('#l-password', 'admin');
  await wb.click('#l-submit');
  await wb.waitForFunction(() => {
    const q = document.querySelector('tr[data-queue="6001"]');
    return q && /\b1\b/.test(q.innerText) && document.querySelectorAll('tr[data-agent]').length >= 3;
  });
  await wb.waitForTimeout(2500);           // the waiting caller's wait grows a little
  await shot(wb, 'page-wallboard.png');

  const ad = await ctx.newPage();
  await ad.goto(OCC + '/admin/?lang=en');
  await ad.fill('#l-team', 'demo');
  await ad.fill('#l-user', 'admin');
  await ad.fill('#l-password', 'admin');
  await ad.click('#l-submit');
  await ad.waitForSelector('#agents tr[data-agent="8001"]');
  await shot(ad, 'page-admin.png');

  occctl('campaign', 'stop', 'demo', '10');
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
                                        headless: true, args: ['--no-sandbox'] });
let rc = 0;
try {
  await run(browser);
} catch (e) {
  console.error(String(e && e.stack || e));
  rc = 1;
} finally {
  await browser.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}
process.exit(rc);
