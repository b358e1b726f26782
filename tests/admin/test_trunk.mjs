// test_trunk.mjs — a trunk changed in place on the admin console's trunks
// tab, as an administrator would, in headless Debian Chromium. run.sh has
// a call up through trunk "carrier" at its first address while this runs,
// numbers these TAP lines, then checks the call goes on and the next call
// through the trunk goes to the address set here (TRUNK_URI2).
import { chromium } from 'playwright-core';
import { OCC, ok, eq, waitText, pageMain } from '../lib/pagetap.mjs';
import { openConsole } from './console.mjs';

const { ADMIN_PW, TRUNK_URI2 } = process.env;

async function run(browser) {
  const { context, page, pageErrors } = await openConsole(browser);
  await page.click('#tabs button[data-tab="trunks"]');
  const row = '#trunks tr[data-trunk="carrier"]';
  await waitText(page, row, /8008001/, 'trunk carrier is listed with its caller id');

  // a refused change: the form keeps nothing half-done
  await page.click(`${row} button:has-text("Edit")`);
  eq(await page.inputValue('#trunk-edit [name="callerid"]'), '8008001', 'the change form holds the trunk\'s settings');
  await page.evaluate(() => document.querySelector('#trunk-edit [name="uri"]').removeAttribute('pattern'));
  await page.fill('#trunk-edit [name="uri"]', 'http://nowhere');
  await page.click('#trunk-edit button[type="submit"]');
  await waitText(page, '#msg', /bad URI 'http:\/\/nowhere'/, 'an address that is no SIP URI is refused, saying why');
  await waitText(page, row, /sip:127\.0\.0\.1/, 'and the trunk keeps its address');

  // the new address, a new caller id; the prefix cleared
  await page.click(`${row} button:has-text("Edit")`);
  await page.fill('#trunk-edit [name="uri"]', TRUNK_URI2);
  await page.fill('#trunk-edit [name="callerid"]', '8008002');
  await page.fill('#trunk-edit [name="prefix"]', '');
  await page.click('#trunk-edit button[type="submit"]');
  await waitText(page, '#msg', /^Done$/, 'the change is done');
  const want = TRUNK_URI2.replace(/[.]/g, '\\.');
  await waitText(page, row, new RegExp(want + '[\\s\\S]*8008002'), 'trunk carrier is listed with its new address and caller id');
  const st = await page.evaluate(async () => (await (await fetch('/admin/api/state')).json()).trunks);
  const k = (st || []).find((x) => x.name === 'carrier') || {};
  ok(k.uri === TRUNK_URI2 && k.default === true && k.prefix === '' && k.callerid === '8008002',
     'occd has the new settings (still the default, prefix cleared)', k);
  ok(pageErrors.length === 0, 'no page errors', pageErrors);
  await context.close();
}

if (!OCC || !ADMIN_PW || !TRUNK_URI2) {
  console.log('Bail out! run tests/admin/run.sh');
  process.exit(1);
}
pageMain(chromium, run, { limitMs: 60_000 });
