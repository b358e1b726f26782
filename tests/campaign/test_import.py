#!/usr/bin/env python3
"""test_import.py — importing customers into a campaign (API.md §4.23,
docs/CAMPAIGNS.md) on a real occd, over the three interfaces of the one
operation table: HTTP (EVENT=Import), Script (JSONP GET
/setevent/importCJI) and SOAP (PHP SoapClient, the WSDL's 21 arguments and
the asterCC 2.1 22-argument form).

- the demo's campaign 10 (occd --demo) as README shows it;
- campaigns made with occctl on the running occd (and started, paused and
  stopped there: an import does not care);
- a new record (84, 83 with the pre-dial list), a duplicate (81), by
  display name and by column name, on each interface;
- every combination of emptyagent x resetstatus x dupway x dupdiallist on
  an existing customer (owner 8002, status success), against a model of the
  manual's rules: the outcome codes and the stored owner, status, data and
  pre-dial list; a number already waiting (82); changepackage x (another
  package, unassigned);
- each error code the manual gives import (01 02 03 28 60 67 70 71 72 73
  74 75 76 85 86 89; the file imports' own are in test_file_import.py);
- dialerListCJI (and occ's EVENT=DialerList): a number with priority and
  dial time into the pre-dial list, once; its errors;
- team isolation: acme cannot import into demo's campaign, its own campaign
  of the same id stays apart;
- persistence: after an occd restart the customers, lists and states are
  there and a re-import is a duplicate.

Usage: test_import.py   (OCCD, OCCCTL: the ASan builds by default)
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "events"))
import lib  # noqa: E402
from lib import ok  # noqa: E402

PARAMS = ["orgidentity", "usertype", "user", "pwdtype", "password",
          "modeltype", "model_id", "source", "context", "source_user",
          "source_pwd", "exetime", "delrow", "phone_field", "priority_field",
          "dialtime_field", "emptyagent", "resetstatus", "dupway",
          "dupdiallist", "changepackage"]
ADMIN = dict(orgidentity="demo", usertype="account", user="admin",
             pwdtype="plaintext", password="admin")


class Api:
    def __init__(self, occd):
        self.occd = occd

    def fields(self, who, kw):
        f = dict(ADMIN if who is None else who)
        f.setdefault("modeltype", "Campaign")
        f.setdefault("source", "data")
        f.update(kw)
        return f

    def http(self, who=None, event="Import", **kw):
        body = dict(self.fields(who, kw), EVENT=event)
        data = urllib.parse.urlencode(body).encode()
        with urllib.request.urlopen(self.occd.url + "/asterccinterfaces",
                                    data, timeout=15) as r:
            text = r.read().decode()
        m = re.fullmatch(r"\|Retuen\|(\d)\|Retuen\|(.*)", text, re.S)
        return (int(m.group(1)), m.group(2)) if m else (0, text)

    def script(self, who=None, fn="importCJI", **kw):
        q = dict(self.fields(who, kw), callback="cb")
        url = (self.occd.url + "/setevent/" + fn + "?" +
               urllib.parse.urlencode(q))
        with urllib.request.urlopen(url, timeout=15) as r:
            text = r.read().decode()
        m = re.fullmatch(r"\s*cb\((.*)\);?\s*", text, re.S)
        if not m:
            return (0, text)
        o = json.loads(m.group(1))
        return (o["code"], o["message"])

    def soap_batch(self, calls):
        env = dict(os.environ, OCC_URL=self.occd.url)
        r = subprocess.run(["php", os.path.join(HERE, "soap_call.php")],
                           input=json.dumps(calls), capture_output=True,
                           text=True, timeout=120, env=env)
        try:
            return json.loads(r.stdout)
        except ValueError:
            return ["PHP: " + r.stdout + r.stderr] * len(calls)

    def soap(self, who=None, **kw):
        f = self.fields(who, kw)
        return parse_retuen(self.soap_batch(
            [{"method": "importWS", "wsdl": True,
              "args": [f.get(p, "") for p in PARAMS]}])[0])

    def via(self, iface, **kw):
        return getattr(self, iface)(**kw)


def parse_retuen(text):
    m = re.fullmatch(r"\|Retuen\|(\d)\|Retuen\|(.*)", text or "", re.S)
    return (int(m.group(1)), m.group(2)) if m else (0, text)


def occctl(occd, *args):
    r = subprocess.run([lib.OCCCTL, "--data", occd.data, *args],
                       capture_output=True, text=True, timeout=30)
    return r.returncode, r.stdout + r.stderr


def db(occd, sql, *args):
    c = sqlite3.connect(occd.data + "/occ.db", timeout=10)
    try:
        return c.execute(sql, args).fetchall()
    finally:
        c.close()


def customer(occd, key, team="demo"):
    rows = db(occd, "SELECT COALESCE(c.campaign_id, 0), c.owner, c.status,"
              " c.data FROM customers c JOIN teams t ON t.id = c.team_id"
              " WHERE t.name = ? AND c.key = ?", team, key)
    return rows[0] if rows else None


def listed(occd, campaign, number, team="demo"):
    return db(occd, "SELECT count(*) FROM dial_list d JOIN teams t ON"
              " t.id = d.team_id WHERE t.name = ? AND d.campaign_id = ?"
              " AND d.number = ?", team, campaign, number)[0][0]


def set_customer(occd, key, owner, status):
    db_w(occd, "UPDATE customers SET owner = ?, status = ? WHERE key = ?",
         owner, status, key)


def db_w(occd, sql, *args):
    c = sqlite3.connect(occd.data + "/occ.db", timeout=10)
    try:
        c.execute(sql, args)
        c.commit()
    finally:
        c.close()


def setup(occd):
    steps = [
        ("campaign", "add", "demo", "20", "imports", "--group", "1",
         "--mode", "progressive", "--profile", "none"),
        ("campaign", "column", "demo", "20", "name", "姓名"),
        ("campaign", "column", "demo", "20", "phone1", "电话号码一"),
        ("campaign", "column", "demo", "20", "prio", "优先级"),
        ("campaign", "column", "demo", "20", "when", "拨打时间"),
        ("campaign", "add", "demo", "21", "other package", "--group", "1"),
        ("campaign", "column", "demo", "21", "phone1", "电话号码一"),
        ("campaign", "column", "demo", "21", "name", "姓名"),
        ("campaign", "add", "demo", "22", "to be removed", "--group", "1"),
        ("campaign", "column", "demo", "22", "phone1", "电话号码一"),
        ("campaign", "add", "acme", "20", "acme's own", "--group", "3"),
        ("campaign", "column", "acme", "20", "phone1", "电话号码一"),
    ]
    bad = [s for s in steps if occctl(occd, *s)[0] != 0]
    ok(not bad, "occctl on the running occd: campaigns 20-22 in demo, 20 in"
       " acme, with package columns", bad)


def test_new_and_duplicate(api, occd):
    for i, iface in enumerate(("http", "script", "soap")):
        key = f"1380000000{i}"
        r = api.via(iface, model_id="20",
                    context=f"姓名=客户 {i}||phone1={key}")
        ok(r == (1, "BackMsg_84"), f"{iface}: a new record by display and"
           " column name -> 1 BackMsg_84", r)
        r = api.via(iface, model_id="20",
                    context=f"name=again||电话号码一={key}",
                    phone_field="phone1")
        ok(r == (1, "BackMsg_81"), f"{iface}: the same key again is a"
           " duplicate, left as it was -> 1 BackMsg_81", r)
        c = customer(occd, key)
        ok(c and c[0] == 20 and f"name=%E5%AE%A2%E6%88%B7%20{i}" in c[3],
           f"{iface}: the customer is in package 20 with its data", c)
        ok(listed(occd, 20, key) == 0, f"{iface}: dupdiallist default"
           " (ignoreDuplicate) did not list the duplicate")
        key2 = f"1390000000{i}"
        r = api.via(iface, model_id="20", context=f"电话号码一={key2}||"
                    f"优先级=7||拨打时间=2030-01-02 03:04:05",
                    phone_field="电话号码一", priority_field="prio",
                    dialtime_field="拨打时间")
        ok(r == (1, "BackMsg_83"), f"{iface}: new with phone_field ->"
           " 1 BackMsg_83 (package and pre-dial list)", r)
        d = db(occd, "SELECT priority, dial_ms FROM dial_list WHERE"
               " campaign_id = 20 AND number = ?", key2)
        ok(d and d[0][0] == 7 and d[0][1] > 1890000000000,
           f"{iface}: listed with the record's priority and dial time", d)


def test_dup_rules(api, occd):
    """Every combination of the four rules on an existing customer."""
    n = 0
    bad = []
    ifaces = ("http", "script", "soap")
    for ea in ("yes", "no"):
        for rs in ("yes", "no"):
            for dw in ("update", "skip"):
                for dl in ("ignoreDuplicate", "all", "ignoreSuccess"):
                    n += 1
                    key = f"1500000{n:04d}"
                    iface = ifaces[n % 3]
                    r0 = api.http(model_id="20",
                                  context=f"phone1={key}||name=old")
                    set_customer(occd, key, "8002", 2)
                    r = api.via(iface, model_id="20",
                                context=f"phone1={key}||name=new",
                                phone_field="phone1", emptyagent=ea,
                                resetstatus=rs, dupway=dw, dupdiallist=dl)
                    want = ["BackMsg_78" if dw == "update" else "BackMsg_81"]
                    if ea == "yes":
                        want.append("BackMsg_79")
                    if rs == "yes":
                        want.append("BackMsg_77")
                    status = 0 if rs == "yes" else 2
                    lst = dl == "all" or (dl == "ignoreSuccess" and
                                          status != 2)
                    if lst:
                        want.append("BackMsg_80")
                    c = customer(occd, key)
                    got = (r0, r, c[1], c[2], "name=new" in c[3],
                           listed(occd, 20, key))
                    exp = ((1, "BackMsg_84"), (1, ",".join(want)),
                           "" if ea == "yes" else "8002", status,
                           dw == "update", 1 if lst else 0)
                    if got != exp:
                        bad.append(f"{iface} emptyagent={ea} resetstatus="
                                   f"{rs} dupway={dw} dupdiallist={dl}: "
                                   f"got {got}, want {exp}")
    ok(not bad, f"all {n} combinations of emptyagent, resetstatus, dupway"
       " and dupdiallist: outcome codes, owner, status, data and pre-dial"
       " list as the manual says", "\n".join(bad))

    # a number already waiting in the list: 82
    key = "15100000001"
    api.http(model_id="20", context=f"phone1={key}", phone_field="phone1")
    r = api.script(model_id="20", context=f"phone1={key}",
                   phone_field="phone1", dupdiallist="all")
    ok(r == (1, "BackMsg_81,BackMsg_82"), "a duplicate whose number still"
       " waits in the list -> 1 BackMsg_81,BackMsg_82", r)
    ok(listed(occd, 20, key) == 1, "the number waits once")
    key = "15100000002"
    db_w(occd, "INSERT INTO dial_list (team_id, campaign_id, number,"
         " added_ms) SELECT id, 20, ?, 0 FROM teams WHERE name = 'demo'", key)
    r = api.soap(model_id="20", context=f"phone1={key}", phone_field="phone1")
    ok(r == (1, "BackMsg_84,BackMsg_82"), "a new customer whose number"
       " already waits -> 1 BackMsg_84,BackMsg_82", r)
    # case-insensitive words
    key = "15100000003"
    api.http(model_id="20", context=f"phone1={key}")
    r = api.http(model_id="20", context=f"phone1={key}||name=X",
                 dupway="UPDATE", emptyagent="Yes")
    ok(r == (1, "BackMsg_78,BackMsg_79"), "rule words are"
       " case-insensitive", r)


def test_changepackage(api, occd):
    bad = []
    n = 0
    for cp in ("skip", "unassignToCurrent", "reassignToCurrent"):
        for where in ("other", "unassigned"):
            n += 1
            key = f"1600000{n:04d}"
            camp = "21" if where == "other" else "22"
            r0 = api.http(model_id=camp, context=f"phone1={key}")
            if where == "unassigned":
                db_w(occd, "UPDATE customers SET campaign_id = NULL"
                     " WHERE key = ?", key)
            r = api.http(model_id="20", context=f"phone1={key}||name=N",
                         changepackage=cp, dupway="update",
                         phone_field="phone1", dupdiallist="all")
            move = cp == "reassignToCurrent" or (
                cp == "unassignToCurrent" and where == "unassigned")
            c = customer(occd, key)
            want_pkg = 20 if move else (21 if where == "other" else 0)
            want_r = (1, "BackMsg_78,BackMsg_80" if move else "BackMsg_81")
            got = (r0, r, c[0], listed(occd, 20, key))
            exp = ((1, "BackMsg_84"), want_r, want_pkg, 1 if move else 0)
            if got != exp:
                bad.append(f"changepackage={cp} customer in {where}: got"
                           f" {got}, want {exp}")
    ok(not bad, "changepackage skip / unassignToCurrent / reassignToCurrent"
       " with a customer of another package and an unassigned one",
       "\n".join(bad))
    # a removed campaign's customers are unassigned, not lost
    key = "16100000001"
    api.http(model_id="22", context=f"phone1={key}")
    rc, out = occctl(occd, "campaign", "remove", "demo", "22")
    c = customer(occd, key)
    ok(rc == 0 and c and c[0] == 0, "occctl campaign remove leaves its"
       " customers unassigned", (rc, out, c))
    r = api.http(model_id="20", context=f"phone1={key}",
                 changepackage="unassignToCurrent")
    ok(r == (1, "BackMsg_81") and customer(occd, key)[0] == 20,
       "unassignToCurrent takes an unassigned customer in", r)


def test_errors(api, occd):
    cases = [
        ("empty user", dict(user=""), "BackMsg_01[user]"),
        ("unknown team", dict(orgidentity="nope"), "BackMsg_02"),
        ("wrong password", dict(password="x"), "BackMsg_63"),
        ("wrong agent password", dict(usertype="agent", user="8002",
                                      password="x"), "BackMsg_03"),
        ("modeltype not Campaign", dict(modeltype="BusinessApp"),
         "BackMsg_70"),
        ("model_id not an id", dict(model_id="abc"), "BackMsg_67"),
        ("no such campaign", dict(model_id="999"), "BackMsg_73"),
        ("bad source", dict(source="smtp"), "BackMsg_72"),
        ("empty source", dict(source=""), "BackMsg_72"),
        ("empty context", dict(context=" "), "BackMsg_71"),
        ("a segment without =", dict(context="phone1"), "BackMsg_75[context]"),
        ("a field named twice", dict(context="phone1=1||电话号码一=2"),
         "BackMsg_75[电话号码一]"),
        ("a field of no column", dict(context="phone1=1||nosuch=2"),
         "BackMsg_74[nosuch]"),
        ("the key column missing", dict(context="姓名=A"),
         "BackMsg_76[电话号码一(phone1)]"),
        ("phone_field names no column", dict(phone_field="phone9"),
         "BackMsg_74[phone9]"),
        ("a phone that is no number", dict(context="phone1=12ab",
                                           phone_field="phone1"),
         "BackMsg_28[phone1]"),
        ("a bad priority", dict(context="phone1=1||prio=high",
                                phone_field="phone1", priority_field="prio"),
         "BackMsg_28[prio]"),
        ("a bad dial time", dict(context="phone1=1||when=2030-02-30 00:00:00",
                                 phone_field="phone1", dialtime_field="when"),
         "BackMsg_28[when]"),
        ("a bad emptyagent", dict(emptyagent="maybe"), "BackMsg_28[emptyagent]"),
        ("a bad resetstatus", dict(resetstatus="1"), "BackMsg_28[resetstatus]"),
        ("a bad dupway", dict(dupway="merge"), "BackMsg_28[dupway]"),
        ("a bad dupdiallist", dict(dupdiallist="none"),
         "BackMsg_28[dupdiallist]"),
        ("a bad changepackage", dict(changepackage="move"),
         "BackMsg_28[changepackage]"),
        ("an agent outside the campaign's group",
         dict(usertype="agent", user="8004", password="8004"), "BackMsg_60"),
        ("http: not a CSV file", dict(source="http",
                                      context="http://127.0.0.1/x.txt"),
         "BackMsg_86"),
        ("http: a CSV file outside [import] allow (empty here)",
         dict(source="http", context="http://127.0.0.1/x.csv"),
         "BackMsg_89"),
        ("ftp: a CSV file outside [import] allow (empty here)",
         dict(source="ftp", context="ftp://127.0.0.1/x.CSV"),
         "BackMsg_89"),
        ("ftp: an http URL", dict(source="ftp",
                                  context="http://127.0.0.1/x.csv"),
         "BackMsg_75[context]"),
    ]
    for i, (what, kw, want) in enumerate(cases):
        f = dict(model_id="20", context="phone1=17000000001")
        f.update(kw)
        for iface in ("http", "script") if i % 2 else ("script", "http"):
            r = api.via(iface, **f)
            ok(r == (2, want), f"{iface}: {what} -> 2 {want}", r)
    r = api.soap(model_id="20", context="phone1=1||nosuch=2")
    ok(r == (2, "BackMsg_74[nosuch]"), "soap: an error answers"
       " |Retuen|2|Retuen|BackMsg_74[nosuch]", r)
    ok(customer(occd, "17000000001") is None, "no error stored anything")
    # a database that refuses the write: 85
    db_w(occd, "CREATE TRIGGER refuse BEFORE INSERT ON customers"
         " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    r = api.http(model_id="20", context="phone1=17000000002")
    db_w(occd, "DROP TRIGGER refuse")
    ok(r == (2, "BackMsg_85"), "a storage error -> 2 BackMsg_85", r)
    r = api.http(model_id="20", context="phone1=17000000002")
    ok(r == (1, "BackMsg_84"), "the same record once the store takes it"
       " again -> 84", r)


def test_agents_and_soap_forms(api, occd):
    r = api.http(who=dict(orgidentity="demo", usertype="agent", user="8002",
                          pwdtype="plaintext", password="8002"),
                 model_id="20", context="phone1=18000000001")
    ok(r == (1, "BackMsg_84"), "an agent of the campaign's group may"
       " import", r)
    f = dict(ADMIN, modeltype="Campaign", model_id="20", source="data",
             context="phone1=18000000002||name=22 args", phone_field="phone1")
    args = [f.get(p, "") for p in PARAMS]
    a22 = [args[0], args[2]] + args[1:]   # orgidentity,user,usertype,user,...
    out = api.soap_batch([
        {"method": "importWS", "wsdl": False, "args": a22},
        {"method": "importWS", "wsdl": False, "args": a22},
        {"method": "importCJl", "wsdl": False, "args": args},
    ])
    ok(parse_retuen(out[0]) == (1, "BackMsg_83"), "soap: the asterCC 2.1"
       " 22-argument importWS (user twice) imports", out)
    ok(parse_retuen(out[1]) == (1, "BackMsg_81"), "soap: 22 arguments"
       " again: a duplicate", out)
    r = api.script(fn="importCJl", model_id="20",
                   context="phone1=18000000003")
    ok(r == (1, "BackMsg_84"), "script: importCJl (asterCC's spelling)", r)


def test_isolation(api, occd):
    acme = dict(orgidentity="acme", usertype="agent", user="9001",
                pwdtype="plaintext", password="9001")
    before = db(occd, "SELECT count(*) FROM customers c JOIN teams t ON"
                " t.id = c.team_id WHERE t.name = 'demo'")[0][0]
    r = api.http(who=acme, model_id="21", context="phone1=19000000001")
    ok(r == (2, "BackMsg_73"), "acme: demo's campaign 21 does not exist for"
       " acme", r)
    r = api.http(who=acme, model_id="20", context="phone1=13800000000",
                 phone_field="phone1")
    ok(r == (1, "BackMsg_83"), "acme: its own campaign 20 takes a number"
       " demo has too: a new customer of acme", r)
    ok(customer(occd, "13800000000", "acme")[0] == 20 and
       customer(occd, "13800000000", "demo")[0] == 20 and
       db(occd, "SELECT count(*) FROM customers c JOIN teams t ON"
          " t.id = c.team_id WHERE t.name = 'demo'")[0][0] == before,
       "demo's customers are untouched")
    r = api.http(who=dict(acme, orgidentity="demo"), model_id="20",
                 context="phone1=19000000002")
    ok(r == (2, "BackMsg_03"), "acme's agent named in team demo is refused",
       r)


def test_dialer_list(api, occd):
    a8002 = dict(orgidentity="demo", usertype="agent", user="8002",
                 pwdtype="plaintext", password="8002")
    r = api.script(who=a8002, fn="dialerListCJI", campaignid="20",
                   phonenum="13900000099", priority="9",
                   dialtime="2031-05-06 07:08:09", modeltype="", source="")
    ok(r == (1, "BackMsg_80"), "script: dialerListCJI puts a number into"
       " the pre-dial list -> 1 BackMsg_80", r)
    d = db(occd, "SELECT priority, dial_ms, COALESCE(customer_id, 0) FROM"
           " dial_list WHERE campaign_id = 20 AND number = '13900000099'")
    ok(len(d) == 1 and d[0][0] == 9 and d[0][1] > 1930000000000 and
       d[0][2] == 0, "listed with its priority and dial time, no customer",
       d)
    r = api.http(event="DialerList", campaignid="20", phonenum="13900000099",
                 modeltype="", source="")
    ok(r == (2, "BackMsg_82"), "http: DialerList with a number still"
       " waiting -> 2 BackMsg_82", r)
    r = api.http(event="DialerList", campaignid="20", phonenum="13900000098",
                 priority="", dialtime="", modeltype="", source="")
    ok(r == (1, "BackMsg_80"), "http: DialerList, empty priority and time"
       " (at once) -> 1 BackMsg_80", r)
    cases = [
        ("no campaignid", dict(campaignid=""), "BackMsg_01[campaignid]"),
        ("no phonenum", dict(phonenum=""), "BackMsg_01[phonenum]"),
        ("campaignid not an id", dict(campaignid="x"), "BackMsg_67"),
        ("no such campaign", dict(campaignid="999"), "BackMsg_73"),
        ("a phonenum that is no number", dict(phonenum="1 2"),
         "BackMsg_28[phonenum]"),
        ("a bad priority", dict(priority="9x"), "BackMsg_28[priority]"),
        ("a bad dialtime", dict(dialtime="tomorrow"), "BackMsg_28[dialtime]"),
        ("an agent outside the group", dict(usertype="agent", user="8005",
                                            password="8005"), "BackMsg_60"),
        ("acme's agent", dict(orgidentity="acme", usertype="agent",
                              user="9001", password="9001", campaignid="21"),
         "BackMsg_73"),
    ]
    for what, kw, want in cases:
        f = dict(campaignid="20", phonenum="13900000097", modeltype="",
                 source="")
        f.update(kw)
        r = api.script(fn="dialerListCJI", **f)
        ok(r == (2, want), f"script: dialerListCJI, {what} -> 2 {want}", r)
    ok(listed(occd, 20, "13900000097") == 0, "no refused number was listed")


def test_customer_record(api, occd):
    """customerRecord (occ's addition): one record of a package, with its
    columns' display names, on the three interfaces; who may read it."""
    r = api.http(model_id="20", context="phone1=13700000001||姓名=张三"
                 "||prio=5")
    ok(r == (1, "BackMsg_84"), "a record for customerRecord imports", r)
    cid = db(occd, "SELECT c.id FROM customers c JOIN teams t ON"
             " t.id = c.team_id WHERE t.name = 'demo' AND"
             " c.key = '13700000001'")[0][0]
    want = {"campaignid": 20, "campaign": "imports", "customer_id": cid,
            "key": "13700000001", "owner": "", "status": "new",
            "fields": [{"name": "name", "display": "姓名", "value": "张三"},
                       {"name": "phone1", "display": "电话号码一",
                        "value": "13700000001"},
                       {"name": "prio", "display": "优先级", "value": "5"}]}
    a8002 = dict(orgidentity="demo", usertype="agent", user="8002",
                 pwdtype="plaintext", password="8002")
    q = dict(campaignid="20", customer_id=str(cid), modeltype="", source="")
    code, msg = api.http(event="CustomerRecord", who=a8002, **q)
    ok(code == 1 and json.loads(msg) == want, "http: CustomerRecord, an"
       " agent of the campaign's group: the fields in column order with"
       " their display names", (code, msg))
    r = api.script(fn="customerRecordCJI", **q)
    ok(r == (1, want), "script: customerRecordCJI (an account) gives the"
       " same object as message", r)
    f = dict(ADMIN, **q)
    out = api.soap_batch([{"method": "customerRecord", "wsdl": True,
                           "args": [f[p] for p in (
                               "orgidentity", "usertype", "user", "pwdtype",
                               "password", "campaignid", "customer_id")]}])
    code, msg = parse_retuen(out[0])
    ok(code == 1 and json.loads(msg) == want, "soap: customerRecord"
       " through the WSDL says the same", out)
    other = db(occd, "SELECT c.id FROM customers c JOIN teams t ON"
               " t.id = c.team_id WHERE t.name = 'demo' AND"
               " c.campaign_id = 21 LIMIT 1")
    acme = db(occd, "SELECT c.id FROM customers c JOIN teams t ON"
              " t.id = c.team_id WHERE t.name = 'acme' LIMIT 1")
    ok(other and acme, "a customer of campaign 21 and one of acme exist",
       (other, acme))
    cases = [
        ("an agent outside the campaign's group",
         dict(usertype="agent", user="8005", password="8005"), "BackMsg_60"),
        ("a customer of another package", dict(customer_id=str(other[0][0])),
         "BackMsg_44"),
        ("acme's customer, asked in demo", dict(customer_id=str(acme[0][0])),
         "BackMsg_44"),
        ("acme's agent: demo's campaign 21 is not there",
         dict(orgidentity="acme", usertype="agent", user="9001",
              password="9001", campaignid="21"), "BackMsg_73"),
        ("no such customer", dict(customer_id="999999"), "BackMsg_44"),
        ("customer_id not an id", dict(customer_id="5x"),
         "BackMsg_28[customer_id]"),
        ("campaignid not an id", dict(campaignid="x"), "BackMsg_67"),
        ("no customer_id", dict(customer_id=""), "BackMsg_01[customer_id]"),
    ]
    for what, kw, want_e in cases:
        r = api.http(event="CustomerRecord", **dict(q, **kw))
        ok(r == (2, want_e), f"http: CustomerRecord, {what} -> 2 {want_e}",
           r)


def test_demo(api, occd):
    """The demo's campaign 10, as README shows it."""
    _, out = occctl(occd, "campaign", "list", "demo")
    ok(re.search(r"^10 +Demo campaign +1 +progressive +stopped +none +"
                 r"00:00-24:00 +- +phone1", out, re.M),
       "occd --demo: campaign 10, group 1, progressive, stopped, profile"
       " none, always open, key phone1", out)
    body = ("EVENT=Import&orgidentity=demo&usertype=account&user=admin"
            "&pwdtype=plaintext&password=admin&modeltype=Campaign"
            "&model_id=10&source=data&context=" +
            urllib.parse.quote("姓名=客户 A||phone1=13888888888") +
            "&source_user=&source_pwd=&exetime=&delrow=&phone_field=phone1"
            "&priority_field=&dialtime_field=&emptyagent=&resetstatus="
            "&dupway=&dupdiallist=&changepackage=")
    got = []
    for _ in range(2):
        with urllib.request.urlopen(occd.url + "/coccinterfaces",
                                    body.encode(), timeout=15) as r:
            got.append(r.read().decode())
    ok(got == ["|Retuen|1|Retuen|BackMsg_83", "|Retuen|1|Retuen|BackMsg_81"],
       "the README's import into campaign 10: new (83), then a skipped"
       " duplicate (81)", got)
    r = api.script(model_id="10", context="电话号码一=13888888889||姓名=B",
                   phone_field="电话号码一")
    ok(r == (1, "BackMsg_83"), "script: campaign 10 by display names", r)
    r = api.http(who=dict(orgidentity="demo", usertype="agent", user="8003",
                          pwdtype="plaintext", password="8003"),
                 model_id="10", context="phone1=13888888890")
    ok(r == (1, "BackMsg_84"), "agent 8003 of group 1 may import into"
       " campaign 10", r)
    r = api.http(who=dict(orgidentity="acme", usertype="agent", user="9001",
                          pwdtype="plaintext", password="9001"),
                 model_id="10", context="phone1=13888888891")
    ok(r == (2, "BackMsg_73"), "acme cannot import into demo's campaign 10",
       r)
    rc1, _ = occctl(occd, "campaign", "start", "demo", "10")
    _, out1 = occctl(occd, "campaign", "list", "demo")
    rc2, _ = occctl(occd, "campaign", "stop", "demo", "10")
    _, out2 = occctl(occd, "campaign", "list", "demo")
    ok(rc1 == 0 and rc2 == 0 and re.search(r"^10 .* running ", out1, re.M)
       and re.search(r"^10 .* stopped ", out2, re.M),
       "occctl campaign start demo 10 / stop on the running occd",
       out1 + out2)


def test_occctl_states(api, occd):
    seen = []
    for verb, state in (("start", "running"), ("pause", "paused"),
                        ("stop", "stopped"), ("start", "running")):
        rc, _ = occctl(occd, "campaign", verb, "demo", "20")
        _, out = occctl(occd, "campaign", "list", "demo")
        line = [ln for ln in out.splitlines() if ln.startswith("20 ")]
        r = api.http(model_id="20", context=f"phone1=1810000000{len(seen)}")
        seen.append((rc, state in (line[0] if line else ""), r[0]))
    ok(seen == [(0, True, 1)] * 4, "occctl campaign start/pause/stop/start on"
       " the running occd; imports go on in every state", seen)


def main():
    work = tempfile.mkdtemp(prefix="occ-campaign.")
    occd = lib.Occd(work)
    occd.start()
    api = Api(occd)
    try:
        setup(occd)
        test_demo(api, occd)
        test_new_and_duplicate(api, occd)
        test_dup_rules(api, occd)
        test_changepackage(api, occd)
        test_errors(api, occd)
        test_agents_and_soap_forms(api, occd)
        test_isolation(api, occd)
        test_dialer_list(api, occd)
        test_customer_record(api, occd)
        test_occctl_states(api, occd)
        n_before = db(occd, "SELECT count(*) FROM customers")[0][0]
        l_before = db(occd, "SELECT count(*) FROM dial_list")[0][0]
        rc = occd.stop()
        ok(rc == 0, "occd stops cleanly", rc)
        occd.start()
        ok(db(occd, "SELECT count(*) FROM customers")[0][0] == n_before and
           db(occd, "SELECT count(*) FROM dial_list")[0][0] == l_before,
           "after a restart every customer and listed number is there")
        r = api.http(model_id="20", context="phone1=13800000001")
        ok(r == (1, "BackMsg_81"), "after a restart a re-import is a"
           " duplicate", r)
        _, out = occctl(occd, "campaign", "list", "demo")
        ok(re.search(r"^20 .* running ", out, re.M), "after a restart"
           " campaign 20 is still running", out)
    finally:
        rc = occd.stop()
        ok(rc == 0, "occd stops cleanly at the end", rc)
        rep = occd.sanitizer_report()
        ok(not rep, "no sanitizer report in occd's logs", rep)
        bad = re.findall(r".*undeclared backmsg.*", occd.log_text())
        ok(not bad, "no undeclared BackMsg", bad)
        subprocess.run(["rm", "-rf", work])
    lib.finish()


if __name__ == "__main__":
    main()
