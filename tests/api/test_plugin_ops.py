#!/usr/bin/env python3
"""test_plugin_ops.py — the original plugin's MyInfo and DefaultGroup, and
agentStatisticDayCJI with agent_group_id (issue 11), over real HTTP against
a fresh demo occd ($OCC_URL, started by tests/lib/with-occd.sh).

What the original astcc_CJI.js and its extension do with the replies:
MyInfo is read as text and given to $.parseJSON (so: JSON, text/plain,
failures JSON too); DefaultGroup is a form POST split on |Retuen| (text/plain,
a failure carries the current default group id). Python 3 stdlib only; TAP
output; exit 1 on any failure.
"""
import hashlib
import json
import os
import sys
import urllib.parse
import urllib.request

URL = os.environ.get('OCC_URL', 'http://127.0.0.1:4580')
n = 0
failed = 0


def check(name, cond, detail=''):
    global n, failed
    n += 1
    if cond:
        print(f'ok {n} - {name}')
    else:
        failed += 1
        print(f'not ok {n} - {name}: {detail}')


def http(method, path, fields):
    data = urllib.parse.urlencode(fields)
    if method == 'GET':
        req = urllib.request.Request(f'{URL}{path}?{data}')
    else:
        req = urllib.request.Request(f'{URL}{path}', data=data.encode(),
                                     headers={'Content-Type': 'application/x-www-form-urlencoded'})
    req.add_header('Origin', 'https://crm.example')
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.headers.get('Content-Type', ''), r.read().decode()


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def myinfo(user, password, pwdtype='plaintext', team='demo'):
    ctype, body = http('GET', '/asterccinterfaces', {
        'EVENT': 'MyInfo', 'orgidentity': team, 'user': user,
        'password': password, 'pwdtype': pwdtype})
    try:
        return ctype, json.loads(body), body
    except ValueError:
        return ctype, None, body


def agent(user, event, **kw):
    f = {'EVENT': event, 'orgidentity': 'demo', 'usertype': 'agent',
         'user': user, 'pwdtype': 'plaintext', 'password': user}
    f.update(kw)
    return http('POST', '/asterccinterfaces', f)


def default_group(user, gid, usertype='agent', password=None):
    return http('POST', '/asterccinterfaces', {
        'EVENT': 'DefaultGroup', 'usertype': usertype, 'user': user,
        'orgidentity': 'demo', 'pwdtype': 'plaintext',
        'password': password or user, 'agent_group_id': gid})


# ---- MyInfo ---------------------------------------------------------------
ctype, j, body = myinfo('8003', '8003')
check('MyInfo: served as text/plain, not application/json',
      ctype.startswith('text/plain'), ctype)
check('MyInfo: the body is one JSON object with code 1', j is not None and j.get('code') == 1, body)
j = j or {}
check('MyInfo: agentno, orgidentity', j.get('agentno') == '8003' and j.get('orgidentity') == 'demo', body)
check('MyInfo: agentpassword is the MD5 of the password', j.get('agentpassword') == md5('8003'), body)
groups = j.get('agent_group') or []
check("MyInfo: agent_group lists the agent's groups (1 Sales, 2 Support)",
      [(g.get('agent_group_id'), g.get('groupname')) for g in groups] == [('1', 'Sales'), ('2', 'Support')], body)
check('MyInfo: not checked in: no default dial-out group (0), no calls today',
      j.get('dialout_default_group_id') == '0' and j.get('cdrs') == [], body)

ctype, j, body = myinfo('8003', md5('8003'), 'md5')
check('MyInfo with pwdtype=md5 (as the extension signs): the same MD5 back',
      j is not None and j.get('code') == 1 and j.get('agentpassword') == md5('8003'), body)
ctype, j, body = myinfo('8003', md5('8003').upper(), 'md5')
check('MyInfo with an uppercase md5: lowercase hex back',
      j is not None and j.get('agentpassword') == md5('8003'), body)

for name, args in [('wrong password', ('8003', 'nope')),
                   ('unknown agent', ('8999', '8999')),
                   ('another team', ('8003', '8003', 'plaintext', 'acme')),
                   ('unknown team', ('8003', '8003', 'plaintext', 'nosuch')),
                   ('an account (no agent password to give)', ('admin', 'admin'))]:
    ctype, j, body = myinfo(*args)
    check(f'MyInfo failure ({name}) is JSON too, code 2, text/plain',
          j is not None and j.get('code') == 2 and j.get('message', '').startswith('BackMsg_')
          and ctype.startswith('text/plain'), f'{ctype} {body}')
ctype, j, body = myinfo('', '')
check('MyInfo without credentials: JSON code 2 BackMsg_01',
      j is not None and j.get('code') == 2 and j.get('message', '').startswith('BackMsg_01'), body)

# ---- DefaultGroup ---------------------------------------------------------
ctype, body = agent('8003', 'QUEUE', type='1', list='1,2')
check('8003 checks in to groups 1 and 2', body.startswith('|Retuen|1|'), body)
ctype, j, body = myinfo('8003', '8003')
check('MyInfo: checked in, the default dial-out group is the first checked-in one (1)',
      j and j.get('dialout_default_group_id') == '1', body)

ctype, body = default_group('8003', '2')
check('DefaultGroup 2: |Retuen|1|Retuen|2 as text/plain',
      body == '|Retuen|1|Retuen|2' and ctype.startswith('text/plain'), f'{ctype} {body}')
ctype, j, body = myinfo('8003', '8003')
check('MyInfo: dialout_default_group_id 2 now', j and j.get('dialout_default_group_id') == '2', body)
ctype, body = default_group('8003', '99')
check('DefaultGroup of an unknown group: BackMsg_11 carrying the current default (2)',
      body == '|Retuen|2|Retuen|BackMsg_11[2]', body)
ctype, body = default_group('8003', '3')
check("DefaultGroup of another team's group: 11[2] (teams are isolated)",
      body == '|Retuen|2|Retuen|BackMsg_11[2]', body)
ctype, body = default_group('8001', '2')
check('DefaultGroup of a group the agent is not in: BackMsg_60 carrying its current default (0)',
      body == '|Retuen|2|Retuen|BackMsg_60[0]', body)
ctype, body = default_group('8003', '1', password='bad')
check('DefaultGroup with a wrong password: 03, text/plain',
      body == '|Retuen|2|Retuen|BackMsg_03' and ctype.startswith('text/plain'), body)
ctype, body = default_group('8003', '')
check('DefaultGroup without agent_group_id: 01', body.startswith('|Retuen|2|Retuen|BackMsg_01'), body)
ctype, body = default_group('8003', '1')
check('DefaultGroup 1: ok', body == '|Retuen|1|Retuen|1', body)
ctype, j, body = myinfo('8003', '8003')
check('MyInfo: dialout_default_group_id 1', j and j.get('dialout_default_group_id') == '1', body)

# ---- agentStatisticDayCJI with agent_group_id ----------------------------
def stat(gid):
    ctype, body = http('GET', '/setevent/agentStatisticDayCJI', {
        'callback': 'jQuery1113_1', 'orgidentity': 'demo', 'usertype': 'agent',
        'user': '8003', 'pwdtype': 'md5', 'password': md5('8003'),
        'agent_group_id': gid, '_': '1700000000000'})
    inner = body[len('jQuery1113_1('):-2] if body.startswith('jQuery1113_1(') else ''
    try:
        return json.loads(inner)
    except ValueError:
        return {'raw': body}

keys = {'agent_status', 'total_call_duration', 'in_bound_call_answered',
        'out_bound_call_answered', 'total_calls', 'waiting_calls'}
r = stat('1')
check('agentStatisticDayCJI agent_group_id=1: {"1":{the six figures}}',
      r.get('code') == 1 and list(r['message']) == ['1'] and set(r['message']['1']) == keys
      and r['message']['1']['total_call_duration'] == '00:00:00', r)
r = stat('1,2')
check('agentStatisticDayCJI agent_group_id=1,2: both groups', r.get('code') == 1 and list(r['message']) == ['1', '2'], r)
r = stat('0')
check('agentStatisticDayCJI agent_group_id=0: every group of the agent', r.get('code') == 1 and list(r['message']) == ['1', '2'], r)

print(f'1..{n}')
sys.exit(1 if failed else 0)
