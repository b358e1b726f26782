// console.mjs — the admin console opened as the demo team's administrator
// (ADMIN_PW), as the page tests start: a 1280×800 context with the suite's
// time limit and the page's errors collected for the final check.
// acceptDialogs: every confirm() the page asks is answered OK (the
// operations tabs confirm starting and stopping a campaign).
import { OCC, WAIT_MS, waitText } from '../lib/pagetap.mjs';

export async function openConsole(browser, { acceptDialogs = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  if (acceptDialogs) page.on('dialog', (d) => d.accept());
  await page.goto(OCC + '/admin/');
  await page.fill('#l-team', 'demo');
  await page.fill('#l-user', 'admin');
  await page.fill('#l-password', process.env.ADMIN_PW);
  await page.click('#l-submit');
  await waitText(page, '#who-team', /^demo$/, 'the administrator logs in');
  return { context, page, pageErrors };
}
