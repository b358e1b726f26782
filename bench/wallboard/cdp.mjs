// cdp.mjs — Chromium for bench/wallboard/drive.mjs without a test
// harness watching the page while it is measured.
//
// playwright attaches to every page with CDP's Network, Page and Runtime
// domains on, so each SSE message, request and console call of the page is
// also reported to the driver (work in the renderer, the browser process
// and the driver that a supervisor's browser does not do). Here Chromium
// is started with --remote-debugging-pipe and the driver speaks to it only
// when it acts: it opens the page, runs a script in it (Runtime.evaluate,
// no domain enabled), and detaches; during the measured spans no DevTools
// session is attached to the page at all.
//
// Flags: headless, the user data directory, the window size, no sandbox
// (the bench may run as root) and no first-run dialogs; nothing that turns
// off work a user's browser does.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export async function launch(executable) {
  const dir = mkdtempSync(path.join(tmpdir(), 'occ-wb-chromium-'));
  const proc = spawn(executable, [
    '--headless', '--no-sandbox', '--no-first-run', '--no-default-browser-check',
    `--user-data-dir=${dir}`, '--window-size=1280,800', '--remote-debugging-pipe', 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const out = proc.stdio[3], inp = proc.stdio[4];
  let id = 0, buf = '';
  const waiting = new Map(), listeners = [];
  inp.on('data', (d) => {
    buf += d.toString('utf8');
    let i;
    while ((i = buf.indexOf('\0')) >= 0) {
      const m = JSON.parse(buf.slice(0, i));
      buf = buf.slice(i + 1);
      if (m.id && waiting.has(m.id)) {
        const w = waiting.get(m.id);
        waiting.delete(m.id);
        if (m.error) w.reject(new Error(`${w.method}: ${m.error.message}`));
        else w.resolve(m.result);
      } else {
        for (const l of listeners) l(m);
      }
    }
  });
  const exited = new Promise((r) => proc.on('exit', r));
  exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`Chromium exited: ${stderr.slice(-500)}`));
    waiting.clear();
  });
  const send = (method, params = {}, sessionId) => new Promise((resolve, reject) => {
    const m = { id: ++id, method, params };
    if (sessionId) m.sessionId = sessionId;
    waiting.set(m.id, { resolve, reject, method });
    out.write(JSON.stringify(m) + '\0');
  });
  const close = async () => {
    send('Browser.close').catch(() => {});
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };

  // the page: the tab Chromium opened (about:blank); attach() attaches,
  // detach() leaves it
  let targetId = null;
  for (let i = 0; i < 50 && !targetId; i++) {
    const { targetInfos } = await send('Target.getTargets');
    targetId = (targetInfos.find((x) => x.type === 'page') || {}).targetId;
    if (!targetId) await new Promise((r) => setTimeout(r, 100));
  }
  if (!targetId) ({ targetId } = await send('Target.createTarget', { url: 'about:blank' }));
  let sid = null;
  const page = {
    async attach() {
      if (!sid) ({ sessionId: sid } = await send('Target.attachToTarget', { targetId, flatten: true }));
    },
    async detach() {
      if (sid) await send('Target.detachFromTarget', { sessionId: sid });
      sid = null;
    },
    send: (method, params) => send(method, params, sid),
    async goto(url) {
      await page.attach();
      await send('Page.navigate', { url }, sid);
      await page.waitFor(() => document.readyState === 'complete', undefined, 30_000);
    },
    // FN(ARG) run in the page (a function's source, as playwright's evaluate)
    async evaluate(fn, arg) {
      await page.attach();
      const r = await send('Runtime.evaluate', {
        expression: `(${fn})(${JSON.stringify(arg === undefined ? null : arg)})`,
        awaitPromise: true, returnByValue: true,
      }, sid);
      if (r.exceptionDetails) {
        throw new Error(`in the page: ${r.exceptionDetails.exception?.description || r.exceptionDetails.text}`);
      }
      return r.result.value;
    },
    async waitFor(fn, arg, timeout) {
      const until = Date.now() + timeout;
      for (;;) {
        if (await page.evaluate(fn, arg).catch(() => false)) return;
        if (Date.now() > until) throw new Error(`timed out after ${timeout} ms waiting for ${String(fn).slice(0, 120)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  return { proc, pid: proc.pid, page, send, close, on: (l) => listeners.push(l) };
}
