// phone.js — the browser phone of the agent desktop (/agent/) and of the
// wallboard (/wallboard/), one file served under both (web/lib/). JsSIP
// (bundled into occd, jssip.js beside it) registers an extension over a
// SIP WebSocket ([web] phone_ws, phone.json beside it) to the proxy of
// scripts/webphone.sh — Kamailio, with rtpengine turning the browser's
// DTLS-SRTP/ICE/Opus into the plain RTP/G.711 occd speaks. It answers the
// calls occd rings the extension with (the desk's MAKECALL, queue offers,
// a leader's supervision), places calls (where the page has a number to
// dial), hangs up and mutes.
//
// The page says where things are on its #phone-card: data-exten, the id
// of the input holding the extension (the desk's "Phone (extension)", the
// wallboard's "My phone"); data-dial, that of the number to call (the
// desk's Dial card; none on the wallboard); data-team, the team logged in
// (set by the page's own script at login). The SIP password is typed in
// the card, kept in this tab's memory only, and forgotten when the tab
// closes. A call whose INVITE asks to be answered at once (Call-Info
// answer-after=0: the team's auto_answer for an agent's own calls, always
// for a supervision the leader asked for) is answered without a click;
// any other call rings until Answer. Without a proxy or without JsSIP (an
// occd built without npm) the card says the phone is unavailable.
// docs/OPERATIONS.md.
'use strict';
(function () {
  const $ = (id) => document.getElementById(id);
  const L = {
    en: { unavailable: 'Browser phone unavailable', off: 'Off', connecting: 'Connecting',
          registered: 'Registered', failed: 'Registration failed', ringing: 'Ringing',
          calling: 'Calling', talking: 'Talking', ended: 'Call ended', need: 'Extension and SIP password' },
    cn: { unavailable: '网页电话不可用', off: '未启用', connecting: '连接中', registered: '已注册',
          failed: '注册失败', ringing: '振铃', calling: '呼叫中', talking: '通话中', ended: '通话结束',
          need: '需要分机号和SIP密码' },
  };
  const lang = () => (localStorage.getItem('occ.lang') === 'cn' ? 'cn' : 'en');
  let ua = null, session = null, ws = '', team = '';

  function show(word, detail) {
    const st = $('ph-state');
    st.dataset.state = word;
    st.textContent = (L[lang()][word] || word) + (detail ? ' (' + detail + ')' : '');
    const talking = !!session;
    $('ph-answer').disabled = !(session && session.direction === 'incoming' && !session.isEstablished());
    $('ph-hangup').disabled = !talking;
    $('ph-mute').disabled = !(session && session.isEstablished());
    if ($('ph-call')) $('ph-call').disabled = !ua || talking;
    $('ph-register').disabled = !!ua;
    $('ph-unregister').disabled = !ua;
  }
  function registeredWord() {
    return ua && ua.isRegistered() ? 'registered' : (ua ? 'connecting' : 'off');
  }

  function attach(s) {
    session = s;
    const pc = s.connection;
    const play = (stream) => { const a = $('ph-audio'); if (a.srcObject !== stream) { a.srcObject = stream; a.play().catch(() => {}); } };
    if (pc) pc.addEventListener('track', (ev) => play(ev.streams[0]));
    s.on('peerconnection', (ev) => ev.peerconnection.addEventListener('track', (e) => play(e.streams[0])));
    s.on('progress', () => show(s.direction === 'incoming' ? 'ringing' : 'calling'));
    s.on('accepted', () => show('talking'));
    s.on('confirmed', () => show('talking'));
    const end = (ev) => {
      if (session === s) session = null;
      $('ph-mute').textContent = $('ph-mute').dataset.label || 'Mute';
      show('ended', ev && ev.cause);
    };
    s.on('ended', end);
    s.on('failed', end);
  }

  const media = { mediaConstraints: { audio: true, video: false },
                  rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false } };

  function register() {
    const card = $('phone-card');
    const exten = $(card.dataset.exten).value.trim(), pw = $('ph-password').value;
    team = card.dataset.team || '';
    if (!exten || !pw || !team) { show('off', L[lang()].need); return; }
    const sock = new JsSIP.WebSocketInterface(ws);
    ua = new JsSIP.UA({ sockets: [sock], uri: 'sip:' + exten + '@' + team, authorization_user: exten,
                        password: pw, register: true, session_timers: false, user_agent: 'occ-webphone' });
    ua.on('registered', () => show('registered'));
    ua.on('unregistered', () => show(registeredWord()));
    ua.on('registrationFailed', (ev) => show('failed', ev.cause));
    ua.on('disconnected', () => { if (ua) show('connecting'); });
    ua.on('newRTCSession', (ev) => {
      if (session) { ev.session.terminate({ status_code: 486 }); return; }
      attach(ev.session);
      if (ev.originator === 'remote') {
        show('ringing', ev.request.from.uri.user);
        // occd asks the phone to answer at once (Call-Info answer-after=0:
        // the team's auto_answer for the agent's own calls, a supervision
        // the leader asked for): so does this one
        const ci = ev.request.getHeader('Call-Info') || '';
        if (/answer-after=0/.test(ci)) ev.session.answer(media);
      } else show('calling');
    });
    ua.start();
    show('connecting');
  }
  function unregister() {
    if (session) session.terminate();
    if (ua) ua.stop();
    ua = null; session = null;
    show('off');
  }

  function init() {
    if (!$('phone-card')) return;
    const off = () => { $('phone-card').dataset.available = '0'; show('unavailable'); };
    $('ph-mute').dataset.label = $('ph-mute').textContent;
    $('ph-register').addEventListener('click', register);
    $('ph-unregister').addEventListener('click', unregister);
    $('ph-answer').addEventListener('click', () => { if (session) session.answer(media); });
    $('ph-hangup').addEventListener('click', () => { if (session) session.terminate(); });
    $('ph-mute').addEventListener('click', () => {
      if (!session) return;
      if (session.isMuted().audio) { session.unmute({ audio: true }); $('ph-mute').textContent = $('ph-mute').dataset.label; }
      else { session.mute({ audio: true }); $('ph-mute').textContent = '🔇 ' + $('ph-mute').dataset.label; }
    });
    const dial = $('phone-card').dataset.dial;
    if (dial) {
      $('ph-call').addEventListener('click', () => {
        const to = $(dial).value.trim();
        if (ua && to && !session) ua.call('sip:' + to + '@' + team, media);
      });
    }
    window.addEventListener('beforeunload', () => { if (ua) ua.stop(); });
    if (typeof JsSIP === 'undefined' || !JsSIP.UA) { off(); return; }
    fetch('phone.json', { cache: 'no-store' }).then((r) => r.json()).then((c) => {
      ws = c.ws || '';
      if (!ws) { off(); return; }
      $('phone-card').dataset.available = '1';
      show('off');
    }).catch(off);
  }
  document.addEventListener('DOMContentLoaded', init);
})();
