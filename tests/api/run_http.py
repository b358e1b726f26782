#!/usr/bin/env python3
"""run_http.py — the behaviour matrix (cases.json) over the HTTP and the
Script interfaces of a running occd ($OCC_URL), plus wire-level checks.

  run_http.py            HTTP interface: EVENT=<name> form POSTs (and some
                         GETs) on /coccinterfaces and /asterccinterfaces;
                         asserts the exact |Retuen|code|Retuen|message[...]
                         body; then raw-socket and HTTP-detail checks.
  run_http.py --script   Script interface: JSONP GET /setevent/<fn>?callback=
                         cb_N&...; asserts cb_N({...}); code/message/param|
                         status; then JSONP details and astcc_CJI.js.

Python 3 standard library only. TAP-like output ("ok N - name" / "not ok N -
name: expected ..., got ..."); exit status 1 on any failure.
Run it under tests/lib/with-occd.sh (a fresh demo server): the steps carry
state from one to the next.
"""
import http.client
import json
import os
import re
import socket
import sys
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))

# The cocc manual's names per operation (shared/spec/api.json, by_version.cocc):
# HTTP EVENT, HTTP parameter order, Script function, Script parameter order.
MANUAL = {
    'login': ('LOGIN', 'loginCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    'logout': ('LOGOUT', 'logoutCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    'queue_action': ('QUEUE', 'queueActionCJI', ['type', 'usertype', 'user', 'orgidentity', 'list', 'pwdtype', 'password', 'deviceexten', 'pushevent', 'callbackFuc']),
    'queue_pause': ('QUEUEPAUSE', 'queuePauseCJI', ['type', 'usertype', 'user', 'orgidentity', 'pwdtype', 'password', 'pause_reason', 'pushevent', 'callbackFuc', 'dnd']),
    'acw_action': ('ACW', 'acwActionCJI', ['type', 'usertype', 'user', 'orgidentity', 'pwdtype', 'password', 'agent_group_id', 'pushevent', 'callbackFuc']),
    'acw_off': ('ACWOFF', 'acwOffCJI', ['usertype', 'user', 'orgidentity', 'pwdtype', 'password', 'pushevent', 'callbackFuc']),
    'workway_action': ('WORKWAY', 'workwayActionCJI', ['status', 'usertype', 'user', 'orgidentity', 'pwdtype', 'password', 'agent_group_id', 'pushevent', 'callbackFuc']),
    'make_call': ('MAKECALL', 'makeCallCJI', ['targetdn', 'targettype', 'agentgroupid', 'usertype', 'user', 'orgidentity', 'pwdtype', 'password', 'modeltype', 'model_id', 'userdata', 'callbackFuc', 'agentexten', 'callerid', 'trunkidentity']),
    'consult': ('CONSULT', 'consultCJI', ['targetdn', 'agentgroupid', 'consulttype', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'transfer': ('TRANSFER', 'transferCJI', ['pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'call_return': ('CALLRETURN', 'callReturnCJI', ['pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'conference': ('CONFERENCE', 'conferenceCJI', ['pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'hangup': ('HANGUP', 'hangupCJI', ['uniqueid', 'targetagent', 'target', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'intrude': ('INTRUDE', 'intrudeCJI', ['target', 'phonenumber', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'silent_monitor': ('SILENTMONITOR', 'silentMonitorCJI', ['target', 'phonenumber', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'agent_status': ('AGENTSTATUS', 'agentStatusCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    'whisper': ('Whisper', 'whisperCJI', ['target', 'phonenumber', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'agentgroup_status': ('AgentgroupStatus', 'agentgroupStatusCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'agent_group_id', 'status', 'callbackFuc']),
    'forced_release': ('ForcedRelease', 'forcedReleaseCJI', ['target', 'phonenumber', 'pwdtype', 'password', 'usertype', 'user', 'orgidentity', 'callbackFuc']),
    'hold': ('Hold', 'holdCJI', ['silence', 'orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    'resume': ('Resume', 'resumeCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    # mp3 and filename (the original plugin's, for monitorCtrl's segments)
    # come after callbackFuc, so the manual's positional calls are unchanged
    'get_monitor': ('GetMonitor', 'getMonitorCJI', ['sessionid', 'calldate', 'callbackFuc', 'mp3', 'filename']),
    'import_data': ('Import', 'importCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'modeltype', 'model_id', 'source', 'context', 'source_user', 'source_pwd', 'exetime', 'delrow', 'phone_field', 'priority_field', 'dialtime_field', 'emptyagent', 'resetstatus', 'dupway', 'dupdiallist', 'changepackage', 'callbackFuc']),
    'group_status_num': (None, None, None),
    'queue_customer_num': ('queueCustomerNum', 'queueCustomerNumCJI', ['orgidentity', 'queuenumber', 'prio', 'callbackFuc']),
    'team_status': ('TeamStatus', 'teamStatusCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'status', 'callbackFuc']),
    'agent_realtime': ('AgentRealtime', 'agentRealtimeCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'callbackFuc']),
    'send_dtmf': ('SendDtmf', 'dtmfCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'dtmf', 'callbackFuc']),
    'set_var': ('SetVar', 'setvarCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'varname', 'varvalue', 'callbackFuc']),
    'agent_to_ivr': ('AgentToIvr', 'agenttoivrCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'ivrexten', 'ivrflow', 'transfer', 'callbackFuc']),
    'device_call': (None, None, None),
    # + userdata, which the original plugin sends (ORIGINAL-CLIENT-WIRE.md),
    # after callbackFuc like makeCallCJI's additions
    'back_call': ('DeviceCallBackCall', 'backcallCJI', ['orgidentity', 'exten', 'targetdn', 'callerid', 'user', 'password', 'pwdtype', 'callbackFuc', 'userdata']),
    # not in the manuals: the original plugin's call, and occ's HTTP form
    'agent_statistic_day': ('AgentStatisticDay', 'agentStatisticDayCJI', ['orgidentity', 'usertype', 'user', 'pwdtype', 'password', 'agent_group_id', 'callbackFuc']),
    'set_device': ('SetDevice', 'setdeviceCJI', ['orgidentity', 'exten', 'user', 'pwdtype', 'password', 'callbackFuc']),
}
# The third field's key in the Script callback object.
SCRIPT_EXTRA = {'login': 'param', 'agent_status': 'status'}

# The demo's login param of agent 8006 (group 2 Support, dynamic, agent_id 6).
PARAM_8006 = ('agent_group_id=2&groupname=Support&status=idel&groupadmin=no'
              '&agenttype=dynamic&agentline=offline&errorcall=no&agent_id=6|||')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, why=''):
        self.n += 1
        if cond:
            print('ok %d - %s' % (self.n, name))
        else:
            self.failed += 1
            print('not ok %d - %s%s' % (self.n, name, ': ' + why if why else ''))
        sys.stdout.flush()
        return cond

    def skip(self, name, why):
        self.n += 1
        print('ok %d - %s # SKIP %s' % (self.n, name, why))

    def comment(self, text):
        print('# ' + text)

    def done(self):
        print('1..%d' % self.n)
        if self.failed:
            print('# FAILED %d of %d' % (self.failed, self.n))
        else:
            print('# all %d passed' % self.n)
        return 1 if self.failed else 0


def server():
    url = os.environ.get('OCC_URL')
    if not url:
        sys.exit('OCC_URL is not set (run me under tests/lib/with-occd.sh)')
    u = urllib.parse.urlsplit(url)
    return u.hostname, u.port or 80


HOST, PORT = server()


def request(method, target, body=None, headers=None, timeout=10):
    """One request on a fresh connection: (status, headers dict, body str)."""
    c = http.client.HTTPConnection(HOST, PORT, timeout=timeout)
    hdrs = dict(headers or {})
    if body is not None and 'Content-Type' not in hdrs:
        hdrs['Content-Type'] = 'application/x-www-form-urlencoded'
    try:
        c.request(method, target, body=body, headers=hdrs)
        r = c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data.decode('utf-8', 'replace')
    finally:
        c.close()


def ordered_items(args, order):
    """The step's args in the manual's parameter order, then any others."""
    order = [p for p in (order or []) if p != 'callbackFuc']
    keys = [p for p in order if p in args] + [k for k in args if k not in order]
    return [(k, args[k]) for k in keys]


def odd_case(event, i):
    return [event, event.lower(), event.swapcase(), event.upper(),
            event[:1].lower() + event[1:].upper()][i % 5]


def load_cases():
    with open(os.path.join(HERE, 'cases.json'), encoding='utf-8') as f:
        data = json.load(f)
    return data['steps'] if isinstance(data, dict) else data


def short(s, n=300):
    s = repr(s)
    return s if len(s) <= n else s[:n] + '...'


# ---------------------------------------------------------------- checks

def check_fields(exp, code, message, extra, has_extra):
    """Compare one result against a step's expect; returns '' or why not."""
    why = []
    if code != exp['code']:
        why.append('code %r != %r' % (code, exp['code']))
    if 'message' in exp and message != exp['message']:
        why.append('message %s != %s' % (short(message), short(exp['message'])))
    if 'message_re' in exp and (message is None or not re.fullmatch(exp['message_re'], message)):
        why.append('message %s !~ /%s/' % (short(message), exp['message_re']))
    if 'extra' in exp:
        if not has_extra:
            why.append('no third field, expected %s' % short(exp['extra']))
        elif extra != exp['extra']:
            why.append('third field %s != %s' % (short(extra), short(exp['extra'])))
    elif 'extra_re' in exp:
        if not has_extra or not re.fullmatch(exp['extra_re'], extra):
            why.append('third field %s !~ /%s/' % (short(extra), exp['extra_re']))
    elif has_extra:
        why.append('unexpected third field %s' % short(extra))
    return '; '.join(why)


def expected_retuen(exp):
    if 'message' not in exp:
        return None
    s = '|Retuen|%d|Retuen|%s' % (exp['code'], exp['message'])
    if 'extra' in exp:
        s += '|Retuen|' + exp['extra']
    return s


def run_http_step(tap, i, step):
    event, _, order = MANUAL[step['op']]
    ev = odd_case(event, i)
    path = '/asterccinterfaces' if i % 3 == 2 else '/coccinterfaces'
    method = 'GET' if i % 4 == 3 else 'POST'
    form = urllib.parse.urlencode([('EVENT', ev)] + ordered_items(step['args'], order))
    name = '%s [%s %s EVENT=%s]' % (step['name'], method, path, ev)
    try:
        if method == 'GET':
            status, hdrs, body = request('GET', path + '?' + form)
        else:
            status, hdrs, body = request('POST', path, form)
    except Exception as e:  # noqa: BLE001 - report any transport failure
        return tap.ok(False, name, 'request failed: %r' % e)
    if status != 200:
        return tap.ok(False, name, 'HTTP %d %s' % (status, short(body)))
    exp = step['expect']
    want = expected_retuen(exp)
    if want is not None and 'extra_re' not in exp:
        return tap.ok(body == want, name, 'expected %s, got %s' % (short(want), short(body)))
    parts = body.split('|Retuen|')
    if parts[0] != '' or len(parts) not in (3, 4) or not parts[1].isdigit():
        return tap.ok(False, name, 'not a |Retuen| string: %s' % short(body))
    why = check_fields(exp, int(parts[1]), parts[2], parts[3] if len(parts) == 4 else None,
                       len(parts) == 4)
    return tap.ok(not why, name, why + ' (body %s)' % short(body) if why else '')


JSONP_RE = re.compile(r'\A(?P<cb>[A-Za-z_$][\w$.]*)\((?P<obj>.*)\);\s*\Z', re.S)


def parse_jsonp(body, cb):
    m = JSONP_RE.match(body)
    if not m:
        raise ValueError('not JSONP: %s' % short(body))
    if m.group('cb') != cb:
        raise ValueError('callback %r, expected %r' % (m.group('cb'), cb))
    return json.loads(m.group('obj'))


def run_script_step(tap, i, step):
    _, fn, order = MANUAL[step['op']]
    cb = 'cb_%d' % (i + 1)
    prefix = ['', '/coccinterface', '/asterccinterface'][i % 3]
    items = [('callback', cb)] + ordered_items(step['args'], order)
    if i % 4 == 1:
        items.append(('_', str(int(time.time() * 1000))))   # jQuery cache buster
    target = '%s/setevent/%s?%s' % (prefix, fn, urllib.parse.urlencode(items))
    name = '%s [GET %s/setevent/%s]' % (step['name'], prefix, fn)
    try:
        status, hdrs, body = request('GET', target)
    except Exception as e:  # noqa: BLE001
        return tap.ok(False, name, 'request failed: %r' % e)
    if status != 200:
        return tap.ok(False, name, 'HTTP %d %s' % (status, short(body)))
    try:
        obj = parse_jsonp(body, cb)
    except ValueError as e:
        return tap.ok(False, name, str(e))
    exp = dict(step['expect'])
    if 'script_code' in step:
        exp['code'] = step['script_code']
    key = SCRIPT_EXTRA.get(step['op'])
    extra_keys = set(obj) - {'code', 'message'}
    why = ''
    if extra_keys - ({key} if key else set()):
        why = 'unexpected keys %s' % sorted(extra_keys)
    if not isinstance(obj.get('code'), int):
        why = (why + '; ' if why else '') + 'code is not a number: %r' % obj.get('code')
    w2 = check_fields(exp, obj.get('code'), obj.get('message'),
                      obj.get(key) if key else None, bool(key) and key in obj)
    if w2:
        why = (why + '; ' if why else '') + w2
    return tap.ok(not why, name, why + ' (body %s)' % short(body) if why else '')


# ------------------------------------------------------- HTTP detail checks

def raw_exchange(raw, timeout=5.0):
    """Send raw bytes, read until the server closes. Returns (bytes, closed)."""
    s = socket.create_connection((HOST, PORT), timeout=timeout)
    s.sendall(raw)
    buf = b''
    closed = False
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                closed = True
                break
            buf += chunk
    finally:
        s.close()
    return buf, closed


def split_response(raw):
    head, _, body = raw.partition(b'\r\n\r\n')
    lines = head.decode('latin-1').split('\r\n')
    status = lines[0]
    hdrs = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(':')
        hdrs[k.strip().lower()] = v.strip()
    return status, hdrs, body


def http_details(tap):
    tap.comment('HTTP details')
    # 1. The manual's raw client: absolute-form target, Connection: close,
    #    read to EOF; the reply must end the connection and its body is
    #    exactly the |Retuen| string.
    body = ('EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8006'
            '&pwdtype=plaintext&password=8006')
    raw = ('POST http://%s:%d/asterccinterfaces HTTP/1.1\r\n'
           'Host: %s\r\n'
           'Content-type: application/x-www-form-urlencoded\r\n'
           'User-Agent: Mozilla 4.0\r\n'
           'Content-length: %d\r\n'
           'Connection: close\r\n'
           '\r\n%s' % (HOST, PORT, HOST, len(body), body)).encode()
    resp, closed = raw_exchange(raw)
    tap.ok(closed, 'raw absolute-form POST: server closes the connection (read to EOF)',
           'no EOF within 5 s; got %s' % short(resp))
    status, hdrs, rbody = split_response(resp)
    tap.ok(status.startswith('HTTP/1.1 200'), 'raw absolute-form POST: status 200', status)
    want = '|Retuen|1|Retuen|BackMsg_04|Retuen|' + PARAM_8006
    tap.ok(rbody.decode('utf-8', 'replace') == want,
           'raw absolute-form POST: body is exactly the Retuen string',
           'expected %s, got %s' % (short(want), short(rbody)))
    if 'content-length' in hdrs:
        tap.ok(hdrs['content-length'] == str(len(rbody)),
               'raw absolute-form POST: Content-Length matches the body',
               '%s vs %d' % (hdrs['content-length'], len(rbody)))
    tap.ok('access-control-allow-origin' in hdrs,
           'raw absolute-form POST: CORS header on the reply', repr(hdrs))

    # 2. Origin-form with Connection: close to /coccinterfaces, and HTTP/1.0.
    body = ('EVENT=LOGOUT&orgidentity=demo&usertype=agent&user=8006'
            '&pwdtype=plaintext&password=8006')
    raw = ('POST /coccinterfaces HTTP/1.1\r\nHost: %s:%d\r\n'
           'Content-Type: application/x-www-form-urlencoded\r\n'
           'Content-Length: %d\r\nConnection: close\r\n\r\n%s'
           % (HOST, PORT, len(body), body)).encode()
    resp, closed = raw_exchange(raw)
    status, hdrs, rbody = split_response(resp)
    tap.ok(closed and rbody == b'|Retuen|1|Retuen|BackMsg_08',
           'origin-form POST with Connection: close: closed, exact body',
           'closed=%s body=%s' % (closed, short(rbody)))
    raw = ('POST /asterccinterfaces HTTP/1.0\r\n'
           'Content-Type: application/x-www-form-urlencoded\r\n'
           'Content-Length: %d\r\n\r\n%s' % (len(body), body)).encode()
    resp, closed = raw_exchange(raw)
    status, hdrs, rbody = split_response(resp)
    tap.ok(closed and rbody == b'|Retuen|1|Retuen|BackMsg_08',
           'HTTP/1.0 POST: closed, exact body', 'closed=%s body=%s' % (closed, short(rbody)))

    # 3. Keep-alive: two requests on one HTTP/1.1 connection.
    c = http.client.HTTPConnection(HOST, PORT, timeout=10)
    try:
        got = []
        for _ in range(2):
            c.request('POST', '/coccinterfaces', body=body,
                      headers={'Content-Type': 'application/x-www-form-urlencoded'})
            r = c.getresponse()
            got.append(r.read().decode())
        tap.ok(got == ['|Retuen|1|Retuen|BackMsg_08'] * 2,
               'keep-alive: two requests on one connection', repr(got))
    except Exception as e:  # noqa: BLE001
        tap.ok(False, 'keep-alive: two requests on one connection', repr(e))
    finally:
        c.close()

    # 4. CORS: header on POST replies; OPTIONS preflight answered.
    status, hdrs, rbody = request('POST', '/coccinterfaces', 'EVENT=nosuch',
                                  headers={'Origin': 'http://crm.example'})
    tap.ok(hdrs.get('access-control-allow-origin') in ('*', 'http://crm.example'),
           'CORS: Access-Control-Allow-Origin on a POST reply', repr(hdrs))
    status, hdrs, rbody = request('OPTIONS', '/coccinterfaces', headers={
        'Origin': 'http://crm.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type'})
    tap.ok(200 <= status < 300, 'CORS: OPTIONS preflight answered 2xx', 'HTTP %d' % status)
    tap.ok(hdrs.get('access-control-allow-origin') in ('*', 'http://crm.example'),
           'CORS: preflight carries Access-Control-Allow-Origin', repr(hdrs))
    tap.ok('POST' in hdrs.get('access-control-allow-methods', ''),
           'CORS: preflight allows POST', repr(hdrs))
    tap.ok('content-type' in hdrs.get('access-control-allow-headers', '').lower(),
           'CORS: preflight allows the Content-Type header', repr(hdrs))

    # 5. Errors before dispatch keep the |Retuen| shape.
    for name, form, want in [
        ('unknown EVENT', 'EVENT=FLY&orgidentity=demo', '|Retuen|2|Retuen|BackMsg_28[EVENT]'),
        ('missing EVENT', 'orgidentity=demo&user=8001&password=8001', '|Retuen|2|Retuen|BackMsg_01[EVENT]'),
        ('empty EVENT', 'EVENT=&orgidentity=demo', '|Retuen|2|Retuen|BackMsg_01[EVENT]'),
        ('empty body', '', '|Retuen|2|Retuen|BackMsg_01[EVENT]'),
        ('bad percent-encoding (%zz)',
         'EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=80%zz1',
         '|Retuen|2|Retuen|BackMsg_28'),
        ('truncated percent-encoding',
         'EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001%4',
         '|Retuen|2|Retuen|BackMsg_28'),
        ('NUL byte (%00)',
         'EVENT=LOGIN&orgidentity=demo&usertype=agent&user=8001%00&pwdtype=plaintext&password=8001',
         '|Retuen|2|Retuen|BackMsg_28'),
    ]:
        status, hdrs, rbody = request('POST', '/coccinterfaces', form)
        tap.ok(status == 200 and rbody == want, 'HTTP: %s -> %s' % (name, want),
               'HTTP %d body %s' % (status, short(rbody)))
    status, hdrs, rbody = request('GET', '/asterccinterfaces?EVENT=teamstatus&orgidentity=demo'
                                  '&usertype=agent&user=8001&pwdtype=plaintext&password=8001&status=all')
    tap.ok(status == 200 and rbody.startswith('|Retuen|1|Retuen|8001:'),
           'HTTP: GET with a query string is accepted', short(rbody))
    status, hdrs, rbody = request(
        'POST', '/coccinterfaces?EVENT=AGENTSTATUS',
        'orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001')
    tap.ok(rbody == '|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,',
           'HTTP: EVENT in the query, fields in the body', short(rbody))

    # 6. Body over 64 KiB -> 413 (and the server survives).
    big = 'EVENT=LOGIN&orgidentity=demo&user=8001&password=8001&pad=' + 'x' * (64 * 1024 + 100)
    try:
        status, hdrs, rbody = request('POST', '/coccinterfaces', big)
        tap.ok(status == 413, 'HTTP: body over 64 KiB -> 413', 'HTTP %d %s' % (status, short(rbody)))
    except Exception as e:  # noqa: BLE001
        tap.ok(False, 'HTTP: body over 64 KiB -> 413', repr(e))
    status, hdrs, rbody = request('GET', '/healthz')
    tap.ok(status == 200, 'HTTP: server answers after the oversized body', 'HTTP %d' % status)

    # 7. language=en|cn renders text instead of BackMsg codes.
    cred = 'orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password='
    for name, form, want in [
        ('language=en, wrong password', 'EVENT=LOGIN&language=en&' + cred + 'bad',
         '|Retuen|2|Retuen|Agent number does not exist or password is wrong'),
        ('language=cn, wrong password', 'EVENT=LOGIN&language=cn&' + cred + 'bad',
         '|Retuen|2|Retuen|工号不存在或密码错误'),
        ('language=en, logout', 'EVENT=LOGOUT&language=en&' + cred + '8001',
         '|Retuen|1|Retuen|Logout succeeded'),
        ('language=cn, logout', 'EVENT=LOGOUT&language=cn&' + cred + '8001',
         '|Retuen|1|Retuen|登出成功'),
        ('language=en, placeholder filled', 'EVENT=INTRUDE&language=en&target=8999&phonenumber=1&' + cred + '8001',
         '|Retuen|2|Retuen|Agent number does not exist [8999]'),
        ('language=cn, placeholder filled', 'EVENT=INTRUDE&language=cn&target=8999&phonenumber=1&' + cred + '8001',
         '|Retuen|2|Retuen|坐席工号不存在[8999]'),
        ('language=en, unknown EVENT', 'EVENT=FLY&language=en', '|Retuen|2|Retuen|Parameter error![EVENT]'),
        ('language=EN (case-insensitive)', 'EVENT=LOGIN&language=EN&' + cred + 'bad',
         '|Retuen|2|Retuen|Agent number does not exist or password is wrong'),
        ('unknown language falls back to codes', 'EVENT=LOGIN&language=xx&' + cred + 'bad',
         '|Retuen|2|Retuen|BackMsg_03'),
    ]:
        status, hdrs, rbody = request('POST', '/coccinterfaces', form.encode('utf-8'))
        tap.ok(rbody == want, 'HTTP: %s' % name, 'expected %s, got %s' % (short(want), short(rbody)))
    status, hdrs, rbody = request('POST', '/coccinterfaces', 'EVENT=LOGIN&language=en&' + cred + '8001')
    tap.ok(rbody.startswith('|Retuen|1|Retuen|Login succeeded|Retuen|agent_group_id=1&'),
           'HTTP: language=en, login success text keeps the param field', short(rbody))
    tap.ok('charset=utf-8' in hdrs.get('content-type', '').lower(),
           'HTTP: reply declares charset=utf-8', repr(hdrs.get('content-type')))

    # 8. Parameter names are matched case-insensitively (userType in [A]).
    status, hdrs, rbody = request('POST', '/coccinterfaces',
                                  'EVENT=AGENTSTATUS&OrgIdentity=demo&userType=agent&USER=8001'
                                  '&PwdType=plaintext&Password=8001')
    tap.ok(rbody == '|Retuen|1|Retuen|BackMsg_43|Retuen|1-logout,',
           'HTTP: parameter names are case-insensitive', short(rbody))
    # 9. agentRealtime durations run with the clock (acme's 9001, so the
    #    matrix's demo agents are untouched; 9001 ends checked out).
    acme = 'orgidentity=acme&usertype=agent&user=9001&pwdtype=plaintext&password=9001'

    def post(form):
        return request('POST', '/coccinterfaces', form)[2]

    r = post('EVENT=QUEUE&type=1&list=3&' + acme)
    tap.ok(r == '|Retuen|1|Retuen|3:success', 'realtime clock: 9001 checks in', short(r))
    r = post('EVENT=QUEUEPAUSE&type=1&pause_reason=training&' + acme)
    tap.ok(r == '|Retuen|1|Retuen|BackMsg_14', 'realtime clock: 9001 pauses for training', short(r))
    time.sleep(1.3)
    r = post('EVENT=AgentRealtime&' + acme)
    m = re.fullmatch(r'\|Retuen\|1\|Retuen\|Agent 9001\|9001\|pause\|(\d+)\|1\|0\|0\|0\|1\|0\|0'
                     r'\|(\d+)\|0\|0\|0\|(\d+)\|0\|0', r)
    tap.ok(bool(m) and int(m.group(1)) >= 1 and int(m.group(2)) >= 1 and m.group(2) == m.group(3),
           'realtime clock: a running pause counts (state secs, training secs = total secs >= 1)',
           short(r))
    r = post('EVENT=QUEUEPAUSE&type=2&' + acme)
    tap.ok(r == '|Retuen|1|Retuen|BackMsg_14', 'realtime clock: 9001 unpauses', short(r))
    r = post('EVENT=AgentRealtime&' + acme)
    m = re.fullmatch(r'\|Retuen\|1\|Retuen\|Agent 9001\|9001\|idle\|(\d+)\|1\|0\|0\|0\|1\|0\|0'
                     r'\|(\d+)\|0\|0\|0\|(\d+)\|0\|0', r)
    tap.ok(bool(m) and int(m.group(1)) <= 1 and int(m.group(2)) >= 1 and m.group(2) == m.group(3),
           'realtime clock: after unpause the state clock restarts, the pause time stays', short(r))
    r = post('EVENT=QUEUE&type=2&list=&' + acme)
    tap.ok(r == '|Retuen|1|Retuen|3:success', 'realtime clock: 9001 checks out', short(r))

    # 10. Echoed input cannot forge a |Retuen| field: the plugin splits on
    #     |Retuen| and acts only on exactly three parts.
    for name, form in [
        ('queueAction group token', 'EVENT=QUEUE&type=1&list=' + urllib.parse.quote('7|Retuen|forged')
         + '&' + cred.replace('password=', 'password=8001')),
        ('intrude target', 'EVENT=INTRUDE&phonenumber=1&target=' + urllib.parse.quote('x|Retuen|forged')
         + '&' + cred.replace('password=', 'password=8001')),
    ]:
        status, hdrs, rbody = request('POST', '/coccinterfaces', form)
        parts = rbody.split('|Retuen|')
        tap.ok(len(parts) == 3 and parts[1] in ('2', '3'),
               'HTTP: echoed %s cannot add a |Retuen| field' % name, short(rbody))

    # 11. The asterCC 2.1 manual's spellings (API.md §8.1) are accepted:
    #     they reach the handler (its own answer, or BackMsg_100 where the
    #     engine is not built yet) instead of failing on an unknown EVENT
    #     (28[EVENT]) or a missing parameter (01).
    c8001 = cred + '8001'
    for name, form, want in [
        # 8001 has no call to send into an IVR
        ('EVENT=AgentTolvr', 'EVENT=AgentTolvr&ivrexten=9000&' + c8001, '|Retuen|2|Retuen|BackMsg_92'),
        # backCall's three spellings reach backCall (8001 is an extension
        # no phone registered: 119); DeviceCall without a user is
        # asterCC's deviceCall (extensions only: 110), with one backCall
        # (the account's password is checked: 63)
        ('EVENT=DeviceCallBackCall', 'EVENT=DeviceCallBackCall&orgidentity=demo&exten=8001&targetdn=1'
         '&user=admin&password=admin&pwdtype=plaintext', '|Retuen|2|Retuen|BackMsg_119'),
        ('EVENT=BackCall', 'EVENT=BackCall&orgidentity=demo&exten=8001&targetdn=1'
         '&user=admin&password=admin&pwdtype=plaintext', '|Retuen|2|Retuen|BackMsg_119'),
        ('EVENT=DeviceCall with a user', 'EVENT=DeviceCall&orgidentity=demo&exten=8001&targetdn=1'
         '&user=admin&password=admin&pwdtype=plaintext', '|Retuen|2|Retuen|BackMsg_119'),
        ('EVENT=DeviceCall with a wrong account password', 'EVENT=DeviceCall&orgidentity=demo'
         '&exten=5550001&targetdn=1&user=admin&password=wrong', '|Retuen|2|Retuen|BackMsg_63'),
        ('EVENT=DeviceCall without a user (asterCC)', 'EVENT=DeviceCall&orgidentity=demo'
         '&exten=5550001&targetdn=1', '|Retuen|2|Retuen|BackMsg_110'),
        # past the required-parameter check (else BackMsg_01[phonenumber]):
        # 8002 has no call to supervise
        ('parameter phonenummer (Whisper)', 'EVENT=Whisper&target=8002&phonenummer=8001&' + c8001,
         '|Retuen|2|Retuen|BackMsg_92'),
        ('parameter phonenumbe (SILENTMONITOR)', 'EVENT=SILENTMONITOR&target=8002&phonenumbe=8001&' + c8001,
         '|Retuen|2|Retuen|BackMsg_92'),
        ('parameter queuenum (queueCustomerNum)', 'EVENT=queueCustomerNum&orgidentity=demo&queuenum=6001&prio=0',
         '|Retuen|1|Retuen|0|0|0|0'),
    ]:
        status, hdrs, rbody = request('POST', '/asterccinterfaces', form)
        tap.ok(rbody == want, 'HTTP: asterCC 2.1 spelling %s accepted' % name,
               'expected %s, got %s' % (short(want), short(rbody)))

    # 12. Unknown path -> 404, server alive.
    status, hdrs, rbody = request('POST', '/coccinterfacesX', 'EVENT=LOGIN')
    tap.ok(status == 404, 'HTTP: unknown path -> 404', 'HTTP %d' % status)


# ----------------------------------------------------- Script detail checks

def script_details(tap):
    tap.comment('Script details')
    q = 'orgidentity=demo&usertype=agent&user=8001&pwdtype=plaintext&password=8001'
    status, hdrs, body = request('GET', '/setevent/agentStatusCJI?callback=cb_x&' + q)
    tap.ok(status == 200 and 'javascript' in hdrs.get('content-type', ''),
           'Script: JSONP reply is application/javascript', '%d %r' % (status, hdrs.get('content-type')))
    tap.ok(hdrs.get('x-content-type-options') == 'nosniff',
           'Script: X-Content-Type-Options: nosniff', repr(hdrs))
    tap.ok('access-control-allow-origin' in hdrs, 'Script: CORS header', repr(hdrs))
    status, hdrs, body = request('GET', '/setevent/agentStatusCJI?callback=jQuery1124_17000.cb&' + q)
    try:
        obj = parse_jsonp(body, 'jQuery1124_17000.cb')
        tap.ok(obj == {'code': 1, 'message': 'BackMsg_43', 'status': '1-logout,'},
               'Script: dotted callback name accepted', repr(obj))
    except ValueError as e:
        tap.ok(False, 'Script: dotted callback name accepted', str(e))
    status, hdrs, body = request('GET', '/setevent/agentStatusCJI?' + q)
    try:
        obj = json.loads(body)
        tap.ok(obj == {'code': 1, 'message': 'BackMsg_43', 'status': '1-logout,'},
               'Script: without callback the reply is plain JSON', repr(obj))
    except ValueError:
        tap.ok(False, 'Script: without callback the reply is plain JSON', short(body))
    status, hdrs, body = request('GET', '/coccinterface/setevent/noSuchCJI?callback=cb_y&' + q)
    try:
        obj = parse_jsonp(body, 'cb_y')
        tap.ok(obj == {'code': 2, 'message': 'BackMsg_28[function]'},
               'Script: unknown function -> code 2 BackMsg_28[function]', repr(obj))
    except ValueError as e:
        tap.ok(False, 'Script: unknown function -> code 2 BackMsg_28[function]', str(e))
    status, hdrs, body = request('GET', '/setevent/LOGINcji?callback=cb_z&language=en&'
                                 + q.replace('password=8001', 'password=bad'))
    try:
        obj = parse_jsonp(body, 'cb_z')
        tap.ok(obj == {'code': 2, 'message': 'Agent number does not exist or password is wrong'},
               'Script: function name case-insensitive, language=en', repr(obj))
    except ValueError as e:
        tap.ok(False, 'Script: function name case-insensitive, language=en', str(e))
    status, hdrs, body = request('GET', '/setevent/teamStatusCJI?callback=cb_w&' + q + '&status=%3Cscript%3E')
    try:
        obj = parse_jsonp(body, 'cb_w')
        tap.ok(obj.get('code') == 2 and '<' not in body,
               'Script: reply never carries a raw "<"', short(body))
    except ValueError as e:
        tap.ok(False, 'Script: reply never carries a raw "<"', str(e))

    imp = urllib.parse.urlencode(dict(modeltype='Campaign', model_id='1', source='data',
                                      context='phone=1'))
    status, hdrs, body = request('GET', '/setevent/importCJl?callback=cb_i&%s&%s' % (q, imp))
    try:
        obj = parse_jsonp(body, 'cb_i')
        tap.ok(obj == {'code': 2, 'message': 'BackMsg_73'},
               'Script: the asterCC 2.1 spelling importCJl reaches importCJI', repr(obj))
    except ValueError as e:
        tap.ok(False, 'Script: the asterCC 2.1 spelling importCJl reaches importCJI', str(e))

    # astcc_CJI.js: every Script function of the manual, with the manual's
    # parameter order (dnd after callbackFuc in queuePauseCJI, ...).
    for d in ('/coccinterface/', '/asterccinterface/'):
        status, hdrs, js = request('GET', d + 'astcc_CJI.js')
        tap.ok(status == 200 and 'javascript' in hdrs.get('content-type', ''),
               'Script: %sastcc_CJI.js served' % d, 'HTTP %d %r' % (status, hdrs.get('content-type')))
    missing = []
    for op, (_, fn, params) in sorted(MANUAL.items()):
        if not fn:
            continue
        sig = 'w.%s = function (%s)' % (fn, ', '.join(params))
        if sig not in js:
            m = re.search(r'w\.%s = function \(([^)]*)\)' % re.escape(fn), js)
            missing.append('%s(%s)' % (fn, m.group(1) if m else 'absent'))
    tap.ok(not missing, 'Script: astcc_CJI.js defines every xxxCJI with the manual\'s parameters',
           'differs: ' + '; '.join(missing))
    status, hdrs, page = request('GET', '/coccinterface/test_CJI.html')
    tap.ok(status == 200 and 'astcc_CJI.js' in page, 'Script: test_CJI.html served', 'HTTP %d' % status)


def main():
    script = '--script' in sys.argv[1:]
    iface = 'script' if script else 'http'
    tap = Tap()
    tap.comment('%s interface at http://%s:%d' % (iface, HOST, PORT))
    # The detail checks run first: they touch only the sessions of 8001 and
    # 8006 and acme's 9001 and leave the state the matrix starts from, and
    # a server crash provoked near the end of the matrix cannot hide them.
    details = script_details if script else http_details
    try:
        details(tap)
    except Exception as e:  # noqa: BLE001 - a dead server must not end the run
        tap.ok(False, '%s details' % iface, 'aborted: %r' % e)
    tap.comment('behaviour matrix (cases.json) over the %s interface' % iface)
    for i, step in enumerate(load_cases()):
        ifs = step.get('interfaces')
        if ifs and iface not in ifs:
            tap.skip(step['name'], 'only on ' + ','.join(ifs))
            continue
        if MANUAL[step['op']][0] is None:
            tap.ok(False, step['name'], 'operation %s has no %s form' % (step['op'], iface))
            continue
        (run_script_step if script else run_http_step)(tap, i, step)
    return tap.done()


if __name__ == '__main__':
    sys.exit(main())
