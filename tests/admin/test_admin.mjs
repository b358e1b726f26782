// test_admin.mjs — the team admin console (/admin/) driven as an
// administrator would, in headless Debian Chromium through playwright-core.
// run.sh starts occd (demo data, plus team "other" with agent 7001, an
// account desk8002 linked to agent 8002, admin's password ADMIN_PW,
// extension 8005's phone registered) and numbers these TAP lines; it then
// checks with real peers that what the page changed works.
//
// Every wait is bounded and the whole run is capped at RUN_LIMIT_MS.
import { chromium } from 'playwright-core';
import { OCC, DATA, WAIT_MS, ok, eq, waitText, pageMain } from '../lib/pagetap.mjs';

const RUN_LIMIT_MS = 120_000;
const SHOTS = process.env.OCC_SCREENSHOT_DIR || '';
const { ADMIN_PW, AGENT_PW1, AGENT_PW2, EXTEN_PW } = process.env;
const SECRETS = [ADMIN_PW, AGENT_PW1, AGENT_PW2, EXTEN_PW];

async function login(page, team, user, password) {
  await page.fill('#l-team', team);
  await page.fill('#l-user', user);
  await page.fill('#l-password', password);
  await page.click('#l-submit');
}
const tab = (page, name) => page.click(`#tabs button[data-tab="${name}"]`);
const hidden = (page, sel) => page.locator(sel).evaluate((e) => e.hidden);
// a POST to the console's API from the page itself (same origin), with or
// without the session's CSRF token; the answer's status and body
const post = (page, path, body, csrf) => page.evaluate(async ([p, b, c]) => {
  const headers = c ? { 'X-OCC-CSRF': c } : {};
  const r = await fetch('/admin/api/' + p, { method: 'POST', body: new URLSearchParams(b), headers });
  return { status: r.status, body: await r.json() };
}, [path, body, csrf]);
const get = (page, path) => page.evaluate(async (p) => {
  const r = await fetch('/admin/api/' + p);
  return { status: r.status, body: await r.json() };
}, path);

async function run(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [], consoleErrors = [], bodies = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('response', async (r) => {
    if (r.url().includes('/admin/')) bodies.push(await r.text().catch(() => ''));
  });

  const resp = await page.goto(OCC + '/admin/');
  const csp = resp.headers()['content-security-policy'] || '';
  ok(/script-src 'self'/.test(csp) && /frame-ancestors 'none'/.test(csp) && !/unsafe/.test(csp),
     'the page comes with a Content-Security-Policy: own scripts only, never framed', csp);

  // refusals at the door
  await login(page, 'demo', 'admin', 'not-the-password');
  await waitText(page, '#msg', /wrong team, account or password/, 'a wrong password is refused');
  await login(page, 'demo', '8001', '8001');
  await waitText(page, '#msg', /wrong team, account or password/,
                 "an agent's own credentials (8001/8001) do not open the console");
  await login(page, 'demo', 'desk8002', 'Desk-8002-pw');
  await waitText(page, '#msg', /belongs to an agent/,
                 "an account linked to an agent is refused, with the reason");
  ok(await hidden(page, '#console'), 'the console stays hidden after the refusals');

  await login(page, 'demo', 'admin', ADMIN_PW);
  await waitText(page, '#who-team', /^demo$/, 'the administrator logs in: team demo');
  await waitText(page, '#agents tbody', /8001/, 'the agents are listed');
  eq(await page.locator('#agents tr[data-agent="7001"]').count(), 0,
     "team other's agent 7001 is not listed");
  const st = await get(page, 'state');
  ok(st.status === 200 && !JSON.stringify(st.body).includes('7001') &&
     !JSON.stringify(st.body).includes('other'), "the team's data holds nothing of team other",
     st.body);

  // an agent, then its password
  await page.fill('#agent-add input[name="number"]', '1099');
  await page.fill('#agent-add input[name="name"]', 'Console Agent');
  await page.fill('#agent-add input[name="exten"]', '8004');
  await page.fill('#agent-add input[name="password"]', AGENT_PW1);
  await page.click('#agent-add button[type="submit"]');
  await waitText(page, '#agents tr[data-agent="1099"]', /Console Agent/, 'agent 1099 is added and listed');
  await page.click('#agents tr[data-agent="1099"] button:has-text("Set password")');
  await page.fill('#pw-form input[name="password"]', AGENT_PW2);
  await page.click('#pw-form button[type="submit"]');
  await waitText(page, '#msg', /^Done$/, "agent 1099's password is set");
  await page.fill('#agent-add input[name="number"]', '1099');
  await page.fill('#agent-add input[name="password"]', 'x');
  await page.click('#agent-add button[type="submit"]');
  await waitText(page, '#msg', /agent 1099 in team demo: already exists/,
                 'adding 1099 again is refused with occctl\'s message');

  // a group and a member
  await tab(page, 'groups');
  await page.fill('#group-add input[name="name"]', 'Console group');
  await page.fill('#group-add input[name="queue"]', '6099');
  await page.fill('#group-add input[name="acw-time"]', '30');
  await page.click('#group-add button[type="submit"]');
  await waitText(page, '#groups tbody', /Console group\s+6099\s+30 s/, 'a group is added with 30 s of after-call work');
  const gid = await page.locator('#groups tr', { hasText: 'Console group' }).locator('td').first().innerText();
  // its after-call work changed: out of range refused, then 90 s
  const grow = page.locator('#groups tr', { hasText: 'Console group' });
  await grow.locator('button:has-text("Edit")').click();
  await page.fill('#group-edit input[name="acw-time"]', '3601');
  await page.click('#group-edit button[type="submit"]');
  await waitText(page, '#msg', /bad SECONDS '3601': expected 0-3600 seconds/,
                 'an after-call work over an hour is refused, saying the range');
  await grow.locator('button:has-text("Edit")').click();
  await page.fill('#group-edit input[name="acw-time"]', '90');
  await page.click('#group-edit button[type="submit"]');
  await waitText(page, '#groups tbody', /Console group\s+6099\s+90 s/,
                 "the group's after-call work is changed to 90 s (occd's model shows it: no restart)");
  await page.selectOption('#member-add select[name="group"]', gid);
  await page.selectOption('#member-add select[name="agent"]', '1099');
  await page.click('#member-add button[type="submit"]');
  await waitText(page, `#groups tbody`, /1099/, 'agent 1099 becomes a member of it');
  await tab(page, 'agents');
  await waitText(page, '#agents tr[data-agent="1099"]', /Console group/, "the agents' table shows the group");

  // extensions and their registration
  await tab(page, 'extens');
  await waitText(page, '#extens tr[data-exten="8005"]', /registered/, "8005's phone shows as registered");
  await waitText(page, '#extens tr[data-exten="8006"]', /not registered/, '8006 shows as not registered');
  await page.fill('#exten-add input[name="number"]', '8107');
  await page.fill('#exten-add input[name="secret"]', EXTEN_PW);
  await page.click('#exten-add button[type="submit"]');
  await waitText(page, '#extens tr[data-exten="8107"]', /sip/, 'extension 8107 is added');

  // DIDs
  await tab(page, 'dids');
  await page.fill('#did-add input[name="did"]', '555100');
  await page.selectOption('#did-add select[name="kind"]', 'exten');
  await page.fill('#did-add input[name="target"]', '8005');
  await page.click('#did-add button[type="submit"]');
  await waitText(page, '#dids tr[data-did="555100"]', /exten:8005/, 'DID 555100 → exten:8005 is added');
  await page.fill('#did-add input[name="did"]', '555101');
  await page.fill('#did-add input[name="target"]', '9999');
  await page.click('#did-add button[type="submit"]');
  await waitText(page, '#msg', /team demo has no such extension/,
                 'a DID to a missing extension is refused, saying why');
  eq(await page.locator('#dids tr[data-did="555101"]').count(), 0, 'and is not listed');
  await page.fill('#did-add input[name="did"]', '555102');
  await page.fill('#did-add input[name="target"]', '8006');
  await page.click('#did-add button[type="submit"]');
  await waitText(page, '#dids tr[data-did="555102"]', /exten:8006/, 'DID 555102 is added');
  page.once('dialog', (d) => d.accept());
  await page.click('#dids tr[data-did="555102"] button');
  await page.waitForFunction(() => !document.querySelector('#dids tr[data-did="555102"]'))
    .then(() => ok(true, 'DID 555102 is removed'), (e) => ok(false, 'DID 555102 is removed', String(e)));

  // CSRF: the page's own origin, but no token or a wrong one
  const sess = await get(page, 'session');
  const noTok = await post(page, 'run', { cmd: 'agent remove', number: '8006' });
  eq(noTok.status, 403, 'a change without the CSRF token is refused (403)');
  const badTok = await post(page, 'run', { cmd: 'agent remove', number: '8006' }, '0'.repeat(64));
  eq(badTok.status, 403, 'a change with a wrong CSRF token is refused (403)');
  const other = await post(page, 'run', { cmd: 'agent passwd', number: '7001', password: 'Taken-over-1' },
                           sess.body.csrf);
  ok(other.status === 400 && /no agent 7001 in team demo|7001/.test(other.body.error),
     "team other's agent cannot be changed from team demo's session", other);

  // both languages, a tablet, the screenshot
  await tab(page, 'agents');
  await page.click('#lang');
  await waitText(page, 'h1', /团队管理控制台/, 'the labels switch to Chinese');
  await waitText(page, '#tabs', /坐席组/, 'the tabs too');
  await page.click('#lang');
  await waitText(page, 'h1', /Team admin console/, 'and back to English');
  const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  ok(fits, 'at 1280×800 nothing overflows sideways');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/admin-console.png` });
  await page.setViewportSize({ width: 800, height: 1280 });
  const fitsTab = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  ok(fitsTab, 'on a tablet (800×1280) nothing overflows sideways');
  await page.setViewportSize({ width: 1280, height: 800 });

  // logout ends the session on the server, not only on the page
  await page.click('#logout');
  await page.waitForSelector('#login-view:not([hidden])')
    .then(() => ok(true, 'logout shows the login again'), (e) => ok(false, 'logout shows the login again', String(e)));
  const after = await get(page, 'state');
  eq(after.status, 401, 'after logout the session is refused (401)');
  await page.reload();
  ok(!(await hidden(page, '#login-view')) && (await hidden(page, '#console')),
     'a reload after logout shows the login, not the console');

  const leaked = SECRETS.filter((s) => s && bodies.some((b) => b.includes(s)));
  ok(bodies.length > 10 && leaked.length === 0, "no password typed on the page is in any of the console's responses",
     { responses: bodies.length, leaked: leaked.length });
  ok(pageErrors.length === 0, 'no page errors', pageErrors);
  const csperr = consoleErrors.filter((m) => !/Failed to load resource/.test(m));
  ok(csperr.length === 0, 'no console errors (no CSP violations)', csperr);
  await context.close();
}

async function main() {
  if (!OCC || !DATA || !ADMIN_PW) {
    console.log('Bail out! OCC_URL, OCC_DATA and the passwords must be set (run tests/admin/run.sh)');
    process.exit(1);
  }
  await pageMain(chromium, run, { limitMs: RUN_LIMIT_MS });
}
main();
