#!/usr/bin/env python3
"""test_queue_statistic.py — QueueStatistic's `agentsince` (the wallboard's
poll, issue 13), over real HTTP and Script against a fresh demo occd
($OCC_URL, started by tests/lib/with-occd.sh): a reply carries the
server's time `now`; asked with an earlier reply's `now`, the agents list
holds only the agents whose state changed since (the queues all there),
the figures those of a full reply; not a number: BackMsg_28[agentsince].
Python 3 stdlib only; TAP output; exit 1 on any failure.
"""
import json
import os
import sys
import time
import urllib.parse
import urllib.request

URL = os.environ.get('OCC_URL', 'http://127.0.0.1:4580')
n = failed = 0


def check(name, cond, detail=''):
    global n, failed
    n += 1
    if cond:
        print(f'ok {n} - {name}')
    else:
        failed += 1
        print(f'not ok {n} - {name}: {detail}')


def post(fields):
    req = urllib.request.Request(f'{URL}/coccinterfaces', data=urllib.parse.urlencode(fields).encode())
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.read().decode()


ADMIN = {'orgidentity': 'demo', 'usertype': 'account', 'user': 'admin',
         'pwdtype': 'plaintext', 'password': 'admin'}


def qstat(**kw):
    body = post({'EVENT': 'QueueStatistic', **ADMIN, **kw})
    try:
        return json.loads(body)
    except ValueError:
        return {'raw': body}


full = qstat()
everyone = sorted(a['agent'] for a in full.get('agents', []))
check('a reply has the server\'s time (now, Unix ms)',
      isinstance(full.get('now'), int) and abs(full['now'] / 1000 - time.time()) < 60, full.get('now'))
check('without agentsince: every agent of the team', len(everyone) >= 2 and '8001' in everyone, everyone)

r = qstat(agentsince=str(full['now'] + 1))
check('agentsince after the last change: no agent, every queue',
      r.get('agents') == [] and [q['queue'] for q in r.get('queues', [])] == [q['queue'] for q in full['queues']], r)

since = qstat()['now']
reply = post({'EVENT': 'QUEUE', 'orgidentity': 'demo', 'usertype': 'agent', 'user': '8001',
              'pwdtype': 'plaintext', 'password': '8001', 'type': '1', 'list': ''})
check('8001 checks in', reply.startswith('|Retuen|1|'), reply)
part, now = qstat(agentsince=str(since)), qstat()
check('agentsince the reply before: only 8001, now idle',
      [(a['agent'], a['state']) for a in part.get('agents', [])] == [('8001', 'idle')], part.get('agents'))
check('its row and the queues are a full reply\'s',
      part['agents'][0] == next(a for a in now['agents'] if a['agent'] == '8001') and
      [q['agents'] for q in part['queues']] == [q['agents'] for q in now['queues']],
      (part, now))
check('the full reply still has every agent', sorted(a['agent'] for a in now['agents']) == everyone)

for bad in ('x', '-1', '12a', '99999999999999999999'):
    r = qstat(agentsince=bad)
    check(f'agentsince={bad}: BackMsg_28[agentsince]',
          r.get('code') == 2 and r.get('message') == 'BackMsg_28[agentsince]', r)

# the same parameter on the Script interface
q = urllib.parse.urlencode({**ADMIN, 'agentsince': str(full['now'] + 10**9), 'callback': 'cb'})
with urllib.request.urlopen(f'{URL}/setevent/queueStatisticCJI?{q}', timeout=10) as r:
    body = r.read().decode()
obj = json.loads(body[body.index('(') + 1:body.rindex(')')])
msg = obj.get('message')
msg = json.loads(msg) if isinstance(msg, str) else msg
check('Script queueStatisticCJI takes agentsince too', obj.get('code') == 1 and msg.get('agents') == [], body[:200])

print(f'1..{n}')
sys.exit(1 if failed else 0)
