#!/usr/bin/env python3
"""sipreg.py — a scripted SIP client for the registrar's limits (python3
stdlib only, UDP on 127.0.0.1). Each command prints what occd answered, for
tests/sip/hostile.sh to compare.

  sipreg.py reg SIPPORT DOMAIN USER PASSWORD [--again PASSWORD]
            [--auth-user NAME] [--contact-port PORT] [--show] [--all-realms]
      One registration of USER@DOMAIN (DOMAIN: a team, or occd's address):
      REGISTER, and after each 401 (up to three) the same with a digest
      (qop=auth) for the realm asked, as digest username NAME (default
      USER). --again: then once more on the SAME nonce (nc=2) with
      another password. --all-realms: after a second challenge send the
      credentials of every realm asked so far, the oldest first (as libre
      phones do). Prints the status codes, e.g. "401 403 401";
      --show: then each reply, with what differs between any two requests
      (nonce, tags, branch, Call-ID, the number) masked, and its realm.
  sipreg.py guess SIPPORT TEAM USER COUNT
      COUNT registrations with wrong passwords, each on a fresh challenge;
      prints each final code, e.g. "403 403 ...".
  sipreg.py contacts SIPPORT TEAM USER PASSWORD COUNT
      COUNT registrations of USER, each with its own contact
      (sip:USER-i@127.0.0.1:9); prints the last reply's code, its size in
      bytes and its Contact URIs, one a line.
  SIPREG_FROM=127.0.0.2 sends from that address instead of 127.0.0.1.
  SIPREG_HEADER="X-Occ-Client: 192.0.2.7" adds that header to each REGISTER.

  sipreg.py sink PORT LOG SECS
      A trunk's far end for SECS seconds: appends every request's first
      line and its To/From headers to LOG, answers INVITE with 486.
"""
import hashlib
import os
import re
import socket
import sys
import time


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


class Client:
    def __init__(self, sip_port, contact_port=None):
        self.dst = ("127.0.0.1", int(sip_port))
        self.addr = os.environ.get("SIPREG_FROM", "127.0.0.1")
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((self.addr, 0))
        self.sock.settimeout(5)
        self.port = self.sock.getsockname()[1]
        self.contact_port = contact_port or self.port
        self.cseq = 0
        self.call_id = os.urandom(8).hex()

    def register(self, team, user, contact_user=None, auth=None):
        self.cseq += 1
        self.replies = getattr(self, "replies", [])
        contact = f"sip:{contact_user or user}@127.0.0.1:{self.contact_port}"
        lines = [
            f"REGISTER sip:{team} SIP/2.0",
            f"Via: SIP/2.0/UDP {self.addr}:{self.port};branch=z9hG4bK{os.urandom(6).hex()}",
            f"From: <sip:{user}@{team}>;tag={self.call_id[:8]}",
            f"To: <sip:{user}@{team}>",
            f"Call-ID: {self.call_id}",
            f"CSeq: {self.cseq} REGISTER",
            f"Contact: <{contact}>;expires=300",
            "Max-Forwards: 70",
        ]
        if auth:
            lines.append(auth)
        if os.environ.get("SIPREG_HEADER"):
            lines.append(os.environ["SIPREG_HEADER"])
        lines += ["Content-Length: 0", "", ""]
        self.sock.sendto("\r\n".join(lines).encode(), self.dst)
        while True:
            data = self.sock.recv(65535).decode(errors="replace")
            code = int(data.split(" ", 2)[1])
            if code >= 200:
                self.replies.append(data)
                return code, data


def challenge_of(reply):
    m = re.search(r'^WWW-Authenticate: Digest (.*)$', reply, re.M | re.I)
    params = dict(re.findall(r'(\w+)="?([^",]*)"?', m.group(1)))
    return params["realm"], params["nonce"]


def authorization(team, user, password, realm, nonce, nc):
    """user: the digest username"""
    cnonce = os.urandom(4).hex()
    uri = f"sip:{team}"
    ha1 = md5(f"{user}:{realm}:{password}")
    ha2 = md5(f"REGISTER:{uri}")
    resp = md5(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{ha2}")
    return (f'Authorization: Digest username="{user}", realm="{realm}", '
            f'nonce="{nonce}", uri="{uri}", response="{resp}", '
            f'algorithm=MD5, qop=auth, nc={nc:08x}, cnonce="{cnonce}"')


def registration(c, team, user, password, again=None, contact_user=None,
                 auth_user=None, all_realms=False):
    """codes, last reply"""
    code, reply = c.register(team, user, contact_user)
    codes = [code]
    asked = []
    for _ in range(3):
        if code != 401:
            return codes, reply
        realm, nonce = challenge_of(reply)
        asked = [a for a in asked if a[0] != realm] + [(realm, nonce)]
        code, reply = c.register(team, user, contact_user, "\r\n".join(
            authorization(team, auth_user or user, password, r, n, 1)
            for r, n in (asked if all_realms else asked[-1:])))
        codes.append(code)
        if again is not None:
            code, reply = c.register(team, user, contact_user, authorization(
                team, auth_user or user, again, realm, nonce, 2))
            codes.append(code)
            return codes, reply
    return codes, reply


def masked(reply, user):
    """a reply with what differs between two requests masked"""
    out = []
    for line in reply.split("\r\n"):
        line = re.sub(r'nonce="[^"]*"', 'nonce="N"', line)
        line = re.sub(r'(tag|branch|rport|received)=[^;,\s]*', r'\1=X', line)
        line = re.sub(r'^(Call-ID|i):.*', r'\1: X', line, flags=re.I)
        line = re.sub(r'\b\d+:\d+\b', 'ADDR', line)
        out.append(line.replace(user, "NUM"))
    return "\n".join(sorted(out))


def option(a, name, default=None):
    if name not in a:
        return default
    i = a.index(name)
    v = a[i + 1]
    del a[i:i + 2]
    return v


def cmd_reg(a):
    show = "--show" in a
    if show:
        a.remove("--show")
    all_realms = "--all-realms" in a
    if all_realms:
        a.remove("--all-realms")
    again = option(a, "--again")
    auth_user = option(a, "--auth-user")
    contact_port = option(a, "--contact-port")
    port, team, user, password = a
    c = Client(port, contact_port and int(contact_port))
    codes, _ = registration(c, team, user, password, again,
                            auth_user=auth_user, all_realms=all_realms)
    print(" ".join(map(str, codes)))
    if show:
        for r in c.replies:
            realm = re.search(r'realm="([^"]*)"', r)
            print(f"realm={realm.group(1) if realm else '-'}")
            print(masked(r, user))


def cmd_guess(a):
    port, team, user, count = a
    c = Client(port)
    out = []
    for i in range(int(count)):
        codes, _ = registration(c, team, user, f"wrong{i}")
        out.append(str(codes[-1]))
    print(" ".join(out))


def cmd_contacts(a):
    port, team, user, password, count = a
    c = Client(port, contact_port=9)
    for i in range(int(count)):
        codes, reply = registration(c, team, user, password,
                                    contact_user=f"{user}-{i}")
    print(codes[-1], len(reply.encode()))
    for m in re.finditer(r'^Contact: <([^>]*)>', reply, re.M | re.I):
        print(m.group(1))


def header(msg, name):
    m = re.search(rf'^{name}:.*$', msg, re.M | re.I)
    return m.group(0) if m else ""


def cmd_sink(a):
    port, log, secs = int(a[0]), a[1], float(a[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    end = time.time() + secs
    while time.time() < end:
        s.settimeout(max(0.1, end - time.time()))
        try:
            data, src = s.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode(errors="replace")
        first = msg.split("\r\n", 1)[0]
        if first.startswith("SIP/2.0"):
            continue
        with open(log, "a") as f:
            f.write(f"{first}\n{header(msg, 'To')}\n{header(msg, 'From')}\n")
        if first.startswith("INVITE"):
            head = msg.split("\r\n\r\n", 1)[0].split("\r\n")[1:]
            keep = [h for h in head if re.match(
                r'(Via|From|Call-ID|CSeq):', h, re.I)]
            to = header(msg, "To") + ";tag=sink"
            reply = "\r\n".join(["SIP/2.0 486 Busy Here"] + keep + [to, "Content-Length: 0", "", ""])
            s.sendto(reply.encode(), src)


if __name__ == "__main__":
    cmds = {"reg": cmd_reg, "guess": cmd_guess, "contacts": cmd_contacts,
            "sink": cmd_sink}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])
