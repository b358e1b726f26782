/* cocc_nginx_http_push.js - realtime call events for a third-party page,
 * served by occd as /coccinterface/cocc_nginx_http_push.js and
 * /asterccinterface/astercc_nginx_http_push.js.
 *
 * The page defines sonAccept(message) and gets every event of its channel
 * as the string the server made ("calleridnum=...&source=AGENT&event=
 * ringing&...&eventid=N&"). Who is listening comes from, in this order:
 *
 *   window.coccPush = { token: "..." }            a token from PushToken
 *   window.coccPush = { orgidentity: "demo", user: "8001",
 *                       password: "8001", usertype: "agent",
 *                       pwdtype: "plaintext", type: "" }
 *                       (type "team": the team channel, for accounts and
 *                       group leaders; "" or "agent": the agent's own)
 *   a successful loginCJI() of astcc_CJI.js on the same page
 *
 * set before this script is included (window.asterccPush is read too).
 * Optional: transport: "poll" (never EventSource), onerror(text).
 *
 * Transport: EventSource on /push/sse; long-poll JSONP on /push/poll when
 * EventSource is missing or never manages to open. The last eventid seen is
 * kept in sessionStorage, so a reload resumes right after it (no gap); an
 * eventid already seen is dropped (no duplicate). The script adds state
 * (transport, last, channel) and close() to the config object; it defines
 * no other global than the short-lived JSONP callbacks (__occPush...).
 */
(function (w) {
  "use strict";
  var d = w.document;
  var cfg = w.coccPush || w.asterccPush;
  if (!d || (cfg && cfg.__occStarted)) return;
  if (!cfg || typeof cfg !== "object") cfg = null;
  else cfg.__occStarted = true;

  var me = d.currentScript || (function () {
    var s = d.getElementsByTagName("script"); return s[s.length - 1]; })();
  var src = me && me.src ? me.src.replace(/[?#].*$/, "") : "";
  var dir = src ? src.replace(/[^\/]*$/, "") : "/coccinterface/";
  var root = (cfg && cfg.base) || dir.replace(/[^\/]*\/$/, "");

  var state = { transport: "", last: -1, channel: "" };
  var token = "", creds = null, es = null, timer = null, seq = 0;
  var failures = 0, sseEver = false, closed = false, queue = [];
  var usePoll = (cfg && cfg.transport === "poll") ||
    typeof w.EventSource !== "function";

  function report(text) {
    if (cfg && typeof cfg.onerror === "function") {
      try { cfg.onerror(text); } catch (e) { /* the page's problem */ }
    }
  }
  function resolve(cb) {
    if (typeof cb === "function") return cb;
    if (typeof cb !== "string" || !cb) return null;
    var o = w, p = cb.split(".");
    for (var i = 0; i < p.length && o; i++) o = o[p[i]];
    return typeof o === "function" ? o : null;
  }

  /* ---- the last eventid, per server and channel, for this tab ---- */
  function key() { return "coccPush.last:" + root + ":" + state.channel; }
  function load() {
    try {
      var v = w.sessionStorage.getItem(key());
      return v && /^\d{1,18}$/.test(v) ? +v : -1;
    } catch (e) { return -1; }
  }
  function save(id) {
    try { w.sessionStorage.setItem(key(), String(id)); } catch (e) { /* private mode */ }
  }

  /* ---- delivery ---- */
  function flush() {
    var f = w.sonAccept;
    while (queue.length && typeof f === "function") {
      var ev = queue.shift();
      save(ev.id);
      try { f(ev.text); } catch (e) { setTimeout(function () { throw e; }, 0); }
    }
  }
  function deliver(id, text) {
    if (!(id > 0) || (state.last >= 0 && id <= state.last)) return;
    state.last = id;
    if (queue.length < 10000) queue.push({ id: id, text: text });
    flush();
  }
  function cursor(n, reset) {
    /* the server's position: where "from now" starts, or a reset store */
    if (state.last < 0 || reset) {
      state.last = n;
      if (!queue.length) save(n);
    }
  }

  /* ---- JSONP ---- */
  function jsonp(url, ms, ok, fail) {
    var name = "__occPush" + (++seq) + "_" + (+new Date());
    var el = d.createElement("script"), done = false;
    var guard = setTimeout(function () { end(); fail("timeout"); }, ms);
    function end() {
      done = true;
      clearTimeout(guard);
      try { delete w[name]; } catch (e) { w[name] = undefined; }
      if (el.parentNode) el.parentNode.removeChild(el);
    }
    w[name] = function (r) { if (!done) { end(); ok(r); } };
    el.onerror = function () { if (!done) { end(); fail("refused"); } };
    el.src = url + (url.indexOf("?") < 0 ? "?" : "&") + "callback=" + name;
    (d.head || d.documentElement).appendChild(el);
    return end;
  }
  function q(name, v) {
    return encodeURIComponent(name) + "=" + encodeURIComponent(v == null ? "" : String(v));
  }

  /* ---- token ---- */
  function useToken(t) {
    token = t;
    var p = t.split("-");
    state.channel = p.length > 2 ? p[1] + "-" + p[2] : t;
    var stored = load();
    if (stored > state.last) state.last = stored;
  }
  function getToken(then) {
    if (!creds) {
      if (token) then(); else report("no credentials");
      return;
    }
    var url = dir + "setevent/pushTokenCJI?" + [
      q("orgidentity", creds.orgidentity), q("usertype", creds.usertype || "agent"),
      q("user", creds.user), q("pwdtype", creds.pwdtype || "plaintext"),
      q("password", creds.password), q("type", creds.type || "")].join("&");
    jsonp(url, 15000, function (r) {
      if (r && r.code == 1 && r.message) { useToken(String(r.message)); then(); return; }
      var m = r && r.message ? String(r.message) : "no token";
      report("pushTokenCJI: " + m);
      /* wrong credentials stay wrong: stop; anything else: try again */
      if (/^BackMsg_(0[1235]|28|38|63|65)\b/.test(m)) return;
      later();
    }, function (why) { report("pushTokenCJI: " + why); later(); });
  }
  function later() {
    if (closed) return;
    failures++;
    var ms = Math.min(30000, 500 * Math.pow(2, Math.min(failures, 6)));
    clearTimeout(timer);
    timer = setTimeout(function () { getToken(connect); }, ms);
  }

  /* ---- transports ---- */
  var loaded = d.readyState === "complete";
  function connect() {
    if (closed) return;
    if (!usePoll) { sse(); return; }
    /* a pending JSONP script holds the page's load event: poll after it */
    if (loaded) poll();
    else state.transport = "poll";
  }
  function sse() {
    state.transport = "sse";
    var url = root + "push/sse?" + q("token", token) +
      (state.last >= 0 ? "&" + q("last", state.last) : "");
    var src = new w.EventSource(url);
    es = src;
    src.onopen = function () { sseEver = true; failures = 0; };
    src.onmessage = function (e) { deliver(+e.lastEventId, e.data); };
    src.addEventListener("cursor", function (e) {
      var p = String(e.data).split(" ");
      cursor(+p[0], p[1] === "reset");
    });
    src.onerror = function () {
      if (es !== src || src.readyState !== 2) return;   /* reconnecting by itself */
      src.close();
      es = null;
      if (!sseEver && failures >= 1) {
        usePoll = true;                    /* EventSource does not get through */
        report("EventSource failed; long-polling instead");
      }
      later();                             /* a new token, then again */
    };
  }
  function poll() {
    state.transport = "poll";
    var url = root + "push/poll?" + q("token", token) +
      (state.last >= 0 ? "&" + q("last", state.last) : "");
    jsonp(url, 40000, function (r) {
      failures = 0;
      var evs = (r && r.events) || [];
      for (var i = 0; i < evs.length; i++) deliver(+evs[i].eventid, evs[i].message);
      if (r && r.last >= 0) cursor(+r.last, !!r.reset);
      clearTimeout(timer);
      timer = setTimeout(connect, 0);
    }, function (why) {
      if (why === "timeout") { timer = setTimeout(connect, 1000); return; }
      later();                             /* refused: maybe an expired token */
    });
  }

  function close() {
    closed = true;
    clearTimeout(timer);
    if (es) { es.close(); es = null; }
  }

  function start() {
    if (token) connect(); else getToken(connect);
  }

  /* ---- astcc_CJI.js's loginCJI: take the credentials of a login ---- */
  function hookLogin() {
    var f = w.loginCJI;
    if (typeof f !== "function") return false;
    if (f.__occPush) return true;
    var hooked = function (orgidentity, usertype, user, pwdtype, password, callbackFuc) {
      var a = Array.prototype.slice.call(arguments);
      while (a.length < 6) a.push(undefined);
      a[5] = function (r) {
        if (r && (r.code == 1 || r.code == 3) && !creds && !token && !closed) {
          creds = { orgidentity: orgidentity, usertype: usertype, user: user,
                    pwdtype: pwdtype, password: password, type: "" };
          start();
        }
        var cb = resolve(callbackFuc);
        if (cb) return cb(r);
      };
      return f.apply(this, a);
    };
    hooked.__occPush = true;
    w.loginCJI = hooked;
    return true;
  }

  if (cfg) {
    cfg.state = state;
    cfg.close = close;
  }
  w.addEventListener("pagehide", function () { if (es) { es.close(); es = null; } });
  w.addEventListener("pageshow", function (e) {
    if (e.persisted && token && !closed && !es && state.transport === "sse") connect();
  });
  w.addEventListener("load", function () {
    loaded = true;
    flush();
    if (usePoll && token && !closed) connect();
  });
  if (cfg && cfg.token) {
    useToken(String(cfg.token));
    start();
  } else if (cfg && cfg.user) {
    creds = { orgidentity: cfg.orgidentity, usertype: cfg.usertype, user: cfg.user,
              pwdtype: cfg.pwdtype, password: cfg.password, type: cfg.type };
    start();
  } else if (!hookLogin()) {
    d.addEventListener("DOMContentLoaded", hookLogin);
  }
})(window);
