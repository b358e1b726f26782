#!/bin/bash
# test_occctl.sh — every occctl command, its error paths and exit codes,
# the SIGHUP to a running occd, and that the database never holds a
# password or the plain MD5 of one. Rows only occd writes (calls,
# registrations, agent state) are put in with sqlite3.
#
#   tests/cli/test_occctl.sh build/asan/occctl
#
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.
set -u

OCC=${1:?usage: $0 path/to/occctl}
NAME=occctl-test
. "$(dirname "$0")/lib.sh"
one_line_err() {
	if [ "$(wc -l <<<"$ERR")" -eq 1 ] && [ -n "$ERR" ]; then
		pass "$1"; else fail "$1"; fi
}

sql() { sqlite3 "$D/occ.db" "$@"; }

# ---- help and usage errors (exit 2) ----
expect 0 "--help exits 0" --help
out_has '^usage: occctl' "--help prints usage"
out_has 'group add +TEAM ID NAME QUEUE' "--help lists every command from the table"
expect 0 "agent add --help exits 0" agent add --help
out_has '^usage: occctl agent add TEAM NUMBER PASSWORD' "agent add --help shows its usage"
expect 0 "agent --help lists agent commands" agent --help
out_has 'agent passwd' "agent --help includes agent passwd"
expect 0 "trunk --help lists trunk commands" trunk --help
out_has 'trunk default +TEAM NAME' "trunk --help includes trunk default"
expect 0 "trunk add --help exits 0" trunk add --help
out_has '^usage: occctl trunk add TEAM NAME URI \[--default\] \[--register\] \[--user USER\] \[--password PASS\]' "trunk add --help shows its usage"
expect 0 "team --help lists team set and show" team --help
out_has 'team set +TEAM KEY VALUE' "team --help includes team set"
out_has 'team show +TEAM' "team --help includes team show"
expect 0 "cdr --help exits 0" cdr --help
out_has '^usage: occctl cdr \[TEAM\] \[--since YYYY-MM-DD\] \[--limit N\]' "cdr --help shows its usage"
expect 0 "status --help exits 0" status --help
out_has 'registrations' "status --help mentions registrations"
expect 2 "no command is a usage error"
expect 2 "unknown command is a usage error" frobnicate
err_has "unknown command 'frobnicate'" "unknown command is named"
expect 2 "unknown subcommand is a usage error" team frob
expect 2 "noun without subcommand is a usage error" team
expect 2 "unknown global option" --bogus team list
expect 2 "too few arguments" agent add demo 8001
err_has 'missing arguments' "too few arguments says so"
err_has '^usage: occctl agent add' "usage error prints the command usage"
expect 2 "too many arguments" team add a b
expect 2 "unknown command option" agent add demo 8001 pw --color red
expect 2 "option without its value" agent add demo 8001 pw --name
[ -e "$D" ] && fail "usage errors must not create the data dir" || pass "usage errors do not create the data dir"

# ---- read commands need a database ----
expect 1 "list without a database fails" team list
err_has 'no database' "missing database is explained"
expect 1 "cdr without a database fails" cdr
err_has 'no database' "cdr: missing database is explained"

# ---- demo ----
expect 0 "demo fills an empty store" demo
[ "$(stat -c %a "$D")" = 700 ] && pass "data dir is mode 0700" || fail "data dir is mode 0700"
expect 1 "demo refuses a non-empty store" demo
err_has 'not empty' "demo refusal is explained"
one_line_err "demo refusal is one line"

expect 0 "cdr on a store without calls" cdr
out_has '^no calls$' "cdr on an empty store says no calls"
[ "$(wc -l <<<"$OUT")" -eq 1 ] && pass "no calls is all it says" || fail "no calls is all it says"
expect 0 "cdr of a team without calls" cdr demo --since 2024-01-01
out_has '^no calls in team demo since 2024-01-01$' "no calls names team and date"

expect 0 "team list" team list
out_has '^TEAM +ACCOUNTS +AGENTS +GROUPS +EXTENS' "team list header"
out_has '^demo +1 +6 +2 +12$' "team demo counts"
out_has '^acme +0 +1 +1 +2$' "team acme counts"

expect 0 "agent list" agent list demo
out_has '^AGENT +NAME +EXTEN +ACCOUNT' "agent list header"
out_has '^8001 +Agent 8001 +8001 +admin$' "agent 8001 row"
[ "$(grep -c '^800[1-6] ' <<<"$OUT")" -eq 6 ] && pass "six demo agents" || fail "six demo agents"
out_lacks 'argon2' "agent list shows no hashes"

expect 0 "agent set changes a name and an extension" agent set demo 8006 --name "Renamed Six" --exten 8005
expect 0 "agent list after agent set" agent list demo
out_has '^8006 +Renamed Six +8005 ' "agent list shows the new name and extension"
expect 0 "agent set --no-exten clears the extension" agent set demo 8006 --no-exten
expect 0 "agent list after --no-exten" agent list demo
out_has '^8006 +Renamed Six +(-|) ' "the name stays, the extension is gone"
expect 1 "agent set without a change" agent set demo 8006
err_has 'nothing to change' "agent set without a change says so"
expect 1 "agent set --exten with --no-exten" agent set demo 8006 --exten 8005 --no-exten
expect 1 "agent set of another team's agent" agent set acme 8006 --name X
err_has 'agent 8006 in team acme' "agent set of a missing agent names it"
expect 1 "agent set with a bad extension" agent set demo 8006 --exten 80a
expect 1 "agent set --exten of an extension the team does not have" agent set demo 8006 --exten 8999
err_has 'no extension 8999 in team demo' "agent set: the missing extension explained"
expect 0 "agent list after the refused set" agent list demo
out_has '^8006 +Renamed Six +(-|) ' "the refused set changed nothing"
expect 0 "agent set back" agent set demo 8006 --name "Agent 8006" --exten 8006

expect 0 "account list" account list demo
out_has '^admin +yes +-$' "admin account enabled, unlinked"
out_lacks 'argon2|admin +yes +admin' "account list shows no hash or password"

expect 0 "group list" group list demo
out_has '^1 +Sales +6001 +off +- +all +3$' "group 1 Sales"
out_has '^2 +Support +6002 +off +- +all +4$' "group 2 Support"
expect 0 "group list acme" group list acme
out_has '^3 +Acme +7001 ' "group 3 Acme in acme"

expect 0 "member list" member list demo
out_has '^1 +Sales +8001 +Agent 8001 +static +yes +no$' "8001 static leader of Sales"
out_has '^2 +Support +8004 +Agent 8004 +dynamic +yes +no$' "8004 dynamic leader of Support"
expect 0 "member list of one group" member list demo 1
out_lacks 'Support' "member list GROUPID filters"
expect 1 "member list of another team's group" member list demo 3

expect 0 "exten list" exten list demo
out_has '^8001 +sip +8001$' "extension 8001"
out_lacks '[0-9a-f]{32}' "exten list shows no HA1"

expect 0 "status" status
out_has '^team demo$' "status names team demo"
out_has '^team acme$' "status names team acme"
out_has '^AGENT +NAME +LOGIN +DEVICE +STATE +REASON +SINCE +GROUPS' "status header"
out_has '^8003 .* logout .*1 Sales: out; 2 Support: out \(dynamic\)$' "status groups of 8003"
expect 0 "status of one team" status acme
out_lacks 'team demo' "status TEAM filters"
expect 1 "status of unknown team" status nope
err_has 'no such team: nope' "unknown team named"

# ---- no secret in the database ----
md5() { printf %s "$1" | md5sum | cut -d' ' -f1; }
leak=0
for pw in admin 8001 8004 9001; do
	h=$(md5 "$pw")
	if cat "$D"/occ.db* | grep -qa "$h"; then leak=1; fi
	if [ "$(sql "SELECT count(*) FROM accounts WHERE pwhash IN ('$pw','$h')")" != 0 ] ||
	   [ "$(sql "SELECT count(*) FROM agents WHERE pwhash IN ('$pw','$h')")" != 0 ]; then
		leak=1
	fi
done
[ $leak = 0 ] && pass "no password or its MD5 in the database files" || fail "no password or its MD5 in the database files"
[ "$(sql "SELECT count(*) FROM accounts WHERE pwhash NOT LIKE '\$argon2id\$%'")" = 0 ] &&
	[ "$(sql "SELECT count(*) FROM agents WHERE pwhash NOT LIKE '\$argon2id\$%'")" = 0 ] &&
	pass "every stored password is an argon2id hash" || fail "every stored password is an argon2id hash"
# ha1 holds one hash per digest username form, the plain number's first
[ "$(sql "SELECT ha1 FROM extensions WHERE number = '8001'" | cut -d' ' -f1)" = "$(md5 8001:demo:8001)" ] &&
	pass "extension HA1 is MD5(number:team:secret)" || fail "extension HA1 is MD5(number:team:secret)"
[ "$(sql 'PRAGMA journal_mode')" = wal ] && pass "database in WAL mode" || fail "database in WAL mode"

# ---- teams ----
expect 0 "team add" team add shop
expect 1 "duplicate team" team add shop
err_has 'team shop: already exists' "duplicate team explained"
one_line_err "duplicate team error is one line"
expect 1 "team name with a space" team add 'bad name'
err_has "bad TEAM 'bad name'" "bad team name explained"
expect 1 "team name too long" team add "$(printf 'x%.0s' {1..64})"
expect 0 "63-character team name" team add "$(printf 'y%.0s' {1..63})"

# ---- accounts ----
expect 0 "account add" account add shop boss secret1
expect 1 "duplicate account" account add shop boss other
err_has 'already exists' "duplicate account explained"
expect 1 "account in unknown team" account add nope boss x
err_has 'no such team: nope' "unknown team explained"
expect 1 "account linked to unknown agent" account add shop clerk pw --agent 5001
err_has 'no agent 5001 in team shop' "unknown agent explained"
expect 0 "account passwd" account passwd shop boss secret2
expect 1 "passwd of unknown account" account passwd shop ghost x
expect 0 "account disable" account disable shop boss
expect 0 "account list" account list shop
out_has '^boss +no +-$' "disabled account listed as disabled"
expect 0 "account enable" account enable shop boss
expect 0 "account list again" account list shop
out_has '^boss +yes' "enabled again"

# ---- agents ----
expect 1 "agent add --exten of an extension the team does not have" agent add shop 5001 pw5001 --exten 5001
err_has 'no extension 5001 in team shop .add it first: occctl exten add.' "agent add: the missing extension explained"
expect 1 "agent add --exten of another team's extension" agent add shop 5001 pw5001 --exten 8001
err_has 'no extension 8001 in team shop' "agent add: another team's extension is not the team's"
expect 0 "exten add" exten add shop 5001 sipsecret
expect 0 "agent add with options" agent add shop 5001 pw5001 --name "Ann Smith" --exten 5001 --account boss
expect 0 "agent add minimal" agent add shop 5002 pw5002
expect 1 "duplicate agent" agent add shop 5001 pw
err_has 'agent 5001 in team shop: already exists' "duplicate agent explained"
expect 1 "agent number with a letter" agent add shop 50a1 pw
err_has "bad NUMBER '50a1'" "bad agent number explained"
expect 1 "agent number too long" agent add shop "$(printf '1%.0s' {1..32})" pw
expect 1 "agent with unknown account" agent add shop 5003 pw --account ghost
err_has 'no account ghost in team shop' "unknown account explained"
expect 1 "agent with a non-numeric extension" agent add shop 5003 pw --exten abc
expect 0 "agent list" agent list shop
out_has '^5001 +Ann Smith +5001 +boss$' "agent with name, extension, account"
out_has '^5002 +- +- +-$' "agent without options"
expect 0 "agent passwd" agent passwd shop 5001 newpw
expect 1 "passwd of unknown agent" agent passwd shop 5999 x
expect 0 "account linked to an agent" account add shop clerk pw --agent 5002
expect 0 "account list with link" account list shop
out_has '^clerk +yes +5002$' "account shows its agent"

# ---- groups ----
expect 0 "group add explicit id" group add shop 50 Orders 5500 --acw answer --workway dialin
expect 1 "duplicate group id" group add shop 50 Other 5501
err_has 'group id 50 is taken' "duplicate group id explained"
expect 1 "duplicate group id across teams" group add demo 50 Other 5501
expect 1 "duplicate queue" group add shop 51 Other 5500
err_has 'queue 5500 in team shop is taken' "duplicate queue explained"
expect 0 "group add auto" group add shop auto Returns 5501
out_has '^group [0-9]+$' "auto id is printed"
auto_id=$(sed 's/group //' <<<"$OUT")
expect 1 "bad --acw" group add shop 52 X 5502 --acw never
err_has 'ring\|answer\|off' "bad --acw lists the choices"
expect 1 "--acw-time over an hour" group add shop 52 X 5502 --acw-time 3601
err_has '0-3600 seconds' "bad --acw-time explained"
expect 1 "--acw-time not a number" group add shop 52 X 5502 --acw-time 5s
expect 0 "group add with timed ACW" group add shop 52 Timed 5502 --acw answer --acw-time 20
expect 1 "bad group id" group add shop 0 X 5503
expect 1 "non-numeric queue" group add shop 53 X q1
expect 0 "group list" group list shop
out_has '^50 +Orders +5500 +answer +- +dialin +0$' "group with modes"
out_has "^$auto_id +Returns +5501 +off +- +all +0$" "auto group with defaults"
out_has '^52 +Timed +5502 +answer +20s +all +0$' "group with timed ACW"
expect 0 "group set --acw-time changes an existing group's timed ACW" group set shop 50 --acw-time 45
expect 0 "group set --acw-time 0 turns it off" group set shop 52 --acw-time 0
expect 0 "group set --name renames" group set shop 52 --name "Timed no more"
expect 1 "group set --acw-time over an hour" group set shop 50 --acw-time 3601
err_has "bad SECONDS '3601': expected 0-3600 seconds" "group set: out of range explained"
expect 1 "group set --acw-time negative" group set shop 50 --acw-time -1
expect 1 "group set with nothing to change" group set shop 50
err_has 'nothing to change' "group set: nothing to change explained"
expect 1 "group set of another team's group" group set shop 1 --acw-time 5
err_has 'no group 1 in team shop' "group set: another team's group explained"
expect 0 "group list after group set" group list shop
out_has '^50 +Orders +5500 +answer +45s +dialin +0$' "group 50: 45 s, its other settings kept"
out_has '^52 +Timed no more +5502 +answer +- +all +0$' "group 52: renamed, no timed ACW"

# ---- members ----
expect 0 "member add static leader" member add shop 50 5001 --leader
expect 0 "member add dynamic" member add shop 50 5002 --dynamic
expect 1 "duplicate member" member add shop 50 5001
err_has 'agent 5001 is already in group 50' "duplicate member explained"
expect 1 "member of another team's group" member add shop 1 5001
err_has 'no group 1 in team shop' "foreign group explained"
expect 1 "unknown agent as member" member add shop 50 5999
err_has 'no agent 5999 in team shop' "unknown member agent explained"
expect 0 "member list" member list shop 50
out_has '^50 +Orders +5001 +Ann Smith +static +yes +no$' "static leader listed"
out_has '^50 +Orders +5002 +- +dynamic +no +no$' "dynamic member listed"
expect 0 "member remove" member remove shop 50 5002
expect 1 "member remove again" member remove shop 50 5002
err_has 'agent 5002 is not in group 50' "missing membership explained"

# ---- extensions ----
expect 0 "exten add virtual" exten add shop 5900 x --virtual
expect 1 "duplicate extension" exten add shop 5001 other
err_has 'extension 5001 in team shop: already exists' "duplicate extension explained"
expect 1 "extension number with letters" exten add shop 50x1 s
expect 0 "exten list" exten list shop
out_has '^5001 +sip +5001$' "sip extension with its agent"
out_has '^5900 +virtual +-$' "virtual extension"
expect 0 "exten passwd" exten passwd shop 5001 newsecret
[ "$(sql "SELECT ha1 FROM extensions WHERE number = '5001' AND team_id = (SELECT id FROM teams WHERE name = 'shop')" | cut -d' ' -f1)" = "$(md5 5001:shop:newsecret)" ] &&
	pass "exten passwd stores the new HA1" || fail "exten passwd stores the new HA1"
expect 1 "passwd of unknown extension" exten passwd shop 5999 x
expect 0 "exten remove" exten remove shop 5900
expect 1 "exten remove again" exten remove shop 5900

# ---- trunks ----
expect 0 "trunk add in the scripts' form" trunk add shop gw1 sip:127.0.0.1:5070 --default
expect 0 "trunk add with every option" trunk add shop gw2 sips:gw.example.net:5061 \
	--register --user acct --password 'tr unk!pw' --callerid +8640001 --strip 0 --prefix 86
expect 0 "trunk add virtual" trunk add shop sim virtual:
expect 0 "trunk add with transport" trunk add shop tcp 'sip:10.0.0.1:5060;transport=tcp'
expect 1 "trunk with an http URI" trunk add shop bad http://gw.example.net
err_has "bad URI 'http://gw.example.net'" "bad URI explained"
one_line_err "bad URI error is one line"
expect 1 "trunk with an empty sip: URI" trunk add shop bad sip:
expect 1 "trunk URI with a space" trunk add shop bad 'sip:a b'
expect 1 "trunk URI virtual:x" trunk add shop bad virtual:x
expect 1 "duplicate trunk" trunk add shop gw1 sip:10.9.9.9
err_has 'trunk gw1 in team shop: already exists' "duplicate trunk explained"
one_line_err "duplicate trunk error is one line"
expect 1 "trunk in unknown team" trunk add nope gw sip:h
err_has 'no such team: nope' "trunk: unknown team explained"
expect 1 "--register on the virtual trunk" trunk add shop sim2 virtual: --register
err_has 'virtual trunk' "--register on virtual explained"
expect 1 "caller id with letters" trunk add shop x sip:h --callerid 12ab
err_has "bad PHONE '12ab'" "bad caller id explained"
expect 1 "strip prefix with letters" trunk add shop x sip:h --strip a
expect 1 "trunk password too long" trunk add shop x sip:h --password "$(printf 'p%.0s' {1..64})"
expect 2 "--user without its value" trunk add shop x sip:h --user
expect 2 "trunk add without a URI" trunk add shop x
expect 0 "trunk list" trunk list shop
out_has '^TRUNK +URI +DEFAULT +REGISTER +USER +PASSWORD +CALLERID +STRIP +PREFIX$' "trunk list header"
out_has '^gw1 +sip:127\.0\.0\.1:5070 +yes +no +- +no +- +- +-$' "default trunk listed"
out_has '^gw2 +sips:gw\.example\.net:5061 +no +yes +acct +yes +\+8640001 +0 +86$' "trunk with every option listed"
out_has '^sim +virtual: +no ' "virtual trunk listed"
out_has '^tcp +sip:10\.0\.0\.1:5060;transport=tcp +no ' "trunk with transport listed"
out_lacks 'tr unk!pw' "trunk list never shows the password"
expect 0 "trunk default" trunk default shop gw2
expect 0 "trunk list after default" trunk list shop
out_has '^gw2 .* yes +yes +acct' "new default trunk"
out_has '^gw1 +sip:127\.0\.0\.1:5070 +no ' "old default cleared"
[ "$(sql "SELECT count(*) FROM trunks t JOIN teams m ON m.id = t.team_id WHERE is_default AND m.name = 'shop'")" = 1 ] &&
	pass "one default trunk per team" || fail "one default trunk per team"
expect 0 "a new --default trunk takes over" trunk add shop gw3 sip:10.0.0.3 --default
[ "$(sql "SELECT group_concat(t.name) FROM trunks t JOIN teams m ON m.id = t.team_id WHERE is_default AND m.name = 'shop'")" = gw3 ] &&
	pass "--default moved the default" || fail "--default moved the default"
expect 1 "trunk default of an unknown trunk" trunk default shop nope
err_has 'no trunk nope in team shop' "unknown trunk explained"
[ "$(sql "SELECT group_concat(t.name) FROM trunks t JOIN teams m ON m.id = t.team_id WHERE is_default AND m.name = 'shop'")" = gw3 ] &&
	pass "failed trunk default changes nothing" || fail "failed trunk default changes nothing"
# trunk set: in place, the password kept unless given, the default kept
expect 0 "trunk set changes gw2's address, keeps its password" trunk set shop gw2 sip:192.0.2.20:5080 \
	--register --user acct2 --callerid 8640002
expect 0 "trunk list after trunk set" trunk list shop
out_has '^gw2 +sip:192\.0\.2\.20:5080 +no +yes +acct2 +yes +8640002 +- +-$' "gw2's new settings, password kept, prefixes cleared"
[ "$(sql "SELECT password FROM trunks WHERE name = 'gw2'")" = 'tr unk!pw' ] &&
	pass "trunk set without --password keeps the stored one" || fail "trunk set without --password keeps the stored one"
expect 0 "trunk set of the default trunk" trunk set shop gw3 sip:10.0.0.33
[ "$(sql "SELECT group_concat(t.name) FROM trunks t JOIN teams m ON m.id = t.team_id WHERE is_default AND m.name = 'shop'")" = gw3 ] &&
	pass "trunk set keeps the default" || fail "trunk set keeps the default"
expect 0 "trunk set --no-password" trunk set shop gw2 sip:192.0.2.20:5080 --no-password
[ -z "$(sql "SELECT password FROM trunks WHERE name = 'gw2'")" ] &&
	pass "--no-password clears it" || fail "--no-password clears it"
expect 1 "trunk set --password and --no-password" trunk set shop gw2 sip:h --password x --no-password
err_has 'not both' "both password options explained"
expect 1 "trunk set of an unknown trunk" trunk set shop nope sip:h
err_has 'no trunk nope in team shop' "trunk set: unknown trunk explained"
expect 1 "trunk set of another team's trunk" trunk set demo gw2 sip:h
err_has 'no trunk gw2 in team demo' "trunk set: another team's trunk is not found"
expect 1 "trunk set with an http URI" trunk set shop gw2 http://gw
expect 1 "trunk set --register on the virtual trunk" trunk set shop sim virtual: --register
expect 0 "trunk list after refused sets" trunk list shop
out_has '^gw2 +sip:192\.0\.2\.20:5080 ' "refused trunk sets change nothing"
expect 0 "trunk remove" trunk remove shop sim
expect 1 "trunk remove again" trunk remove shop sim
err_has 'no trunk sim in team shop' "removed trunk is gone"
expect 0 "a team without trunks" team add solo
expect 0 "first trunk of a team" trunk add solo only sip:192.0.2.10
expect 0 "trunk list solo" trunk list solo
out_has '^only +sip:192\.0\.2\.10 +yes ' "a team's first trunk becomes its default"
expect 1 "trunk list of unknown team" trunk list nope

# ---- team settings ----
expect 0 "team set event_url" team set shop event_url http://crm.example/events
expect 0 "team show" team show shop
out_has '^team shop$' "team show names the team"
out_has '^SETTING +VALUE$' "team show header"
out_has '^event_url +http://crm\.example/events$' "team show lists event_url"
expect 0 "team set replaces" team set shop event_url 'https://crm.example/ev?k=1'
expect 0 "team show after replace" team show shop
out_has '^event_url +https://crm\.example/ev\?k=1$' "event_url replaced"
expect 1 "unknown setting" team set shop colour red
err_has "unknown setting 'colour'; known: event_url" "unknown setting lists the known ones"
one_line_err "unknown setting error is one line"
expect 1 "event_url not http" team set shop event_url ftp://crm.example
err_has "bad event_url 'ftp://crm.example': expected an http:// or https:// URL" "bad URL explained"
one_line_err "bad URL error is one line"
expect 1 "event_url without host" team set shop event_url http://
expect 1 "event_url with a space" team set shop event_url 'http://a b/'
expect 1 "event_url too long" team set shop event_url "http://h/$(printf 'x%.0s' {1..520})"
expect 1 "team set of unknown team" team set nope event_url http://x
err_has 'no such team: nope' "team set: unknown team explained"
expect 2 "team set without a value" team set shop event_url
expect 0 "team set empty clears" team set shop event_url ""
expect 0 "team show after clear" team show shop
out_has '^event_url +-$' "cleared setting shows -"
[ "$(sql "SELECT count(*) FROM team_settings WHERE team_id = (SELECT id FROM teams WHERE name = 'shop')")" = 0 ] &&
	pass "clearing deletes the row" || fail "clearing deletes the row"
expect 0 "team set again" team set shop event_url http://crm.example/events
expect 1 "team show of unknown team" team show nope

# ---- call history ----
ms() { echo $(( $(date -d "$1" +%s) * 1000 )); }
S1=efeb7b374a3408b0d0954f30a1504d83
S2=1f10eab01f5b1b36230b8e91aef34810
S3=0123456789abcdef0123456789abcdef
S4=fedcba9876543210fedcba9876543210
T1=$(ms '2024-05-01 10:00:00'); T2=$(ms '2024-05-02 11:30:00')
T3=$(ms '2024-05-03 09:15:00'); T4=$(ms '2024-05-03 12:00:00')
sql "INSERT INTO cdr (sessionid, team_id, agent, direction, caller, callee, calldate, start_ms, answer_ms, end_ms, disposition, hangup_by, recording, vars)
	VALUES ('$S1', (SELECT id FROM teams WHERE name = 'demo'), '8001', 'out', '8001', '013888888888', '2024-05-01', $T1, $T1 + 3000, $T1 + 40500, 'ANSWERED', 'customer', '2024/05/01/$S1.wav', 'A=1&B=two');
	INSERT INTO cdr_legs VALUES ('$S1', 19867, 'SIP/trunk-2', 'customer', '013888888888', $T1 + 1000, $T1 + 3000, $T1 + 40500, 'ANSWERED');
	INSERT INTO cdr_legs VALUES ('$S1', 19866, 'SIP/8001-1', 'agent', '8001', $T1, $T1 + 900, $T1 + 40500, 'ANSWERED');
	INSERT INTO cdr (sessionid, team_id, agent, direction, caller, callee, calldate, start_ms, end_ms, disposition, queue, queue_wait_ms, abandoned, ivrpath)
	VALUES ('$S2', (SELECT id FROM teams WHERE name = 'demo'), '', 'in', '013900000000', '8002', '2024-05-02', $T2, $T2 + 20000, 'NO ANSWER', '6001', 19042, 1, 'did:8002>queue:6001');
	INSERT INTO cdr (sessionid, team_id, agent, direction, caller, callee, calldate, start_ms)
	VALUES ('$S3', (SELECT id FROM teams WHERE name = 'demo'), '8003', 'out', '8003', '02'||char(27)||'[2J', '2024-05-03', $T3);
	INSERT INTO cdr (sessionid, team_id, agent, direction, caller, callee, calldate, start_ms, end_ms, disposition)
	VALUES ('$S4', (SELECT id FROM teams WHERE name = 'shop'), '5001', 'out', '5001', '100', '2024-05-03', $T4, $T4 + 1000, 'BUSY');"
expect 0 "cdr of all teams" cdr
[ "$(grep -oE '^[0-9a-f]{32}' <<<"$OUT" | tr '\n' ' ')" = "$S4 $S3 $S2 $S1 " ] &&
	pass "cdr lists calls newest first" || fail "cdr lists calls newest first"
out_has "^$S1  2024-05-01 10:00:00  team demo  agent 8001  out  8001 → 013888888888  ANSWERED  talk 37s  recording 2024/05/01/$S1\.wav$" "cdr call line"
out_has "^$S4  2024-05-03 12:00:00  team shop  agent 5001  out  5001 → 100  BUSY  talk 0s  recording -$" "cdr names each call's team"
out_has "^$S2  .*  agent -  in  013900000000 → 8002  NO ANSWER  talk 0s" "unanswered call"
out_has "^$S3  .*  IN PROGRESS  talk -  " "open call is in progress"
[ "$(grep -A1 "^$S2" <<<"$OUT" | tail -1)" = "    inbound  queue 6001  wait 19.042s  abandoned  path did:8002>queue:6001" ] &&
	pass "an inbound call's queue, wait, outcome and path" || fail "an inbound call's queue, wait, outcome and path"
[ "$(grep -c '^    inbound' <<<"$OUT")" = 1 ] && pass "the inbound line only for inbound calls" || fail "the inbound line only for inbound calls"
out_lacks $'\e' "control characters never reach the terminal"
out_has "8003 → 02\?\[2J" "control characters print as ?"
[ "$(grep -A3 "^$S1" <<<"$OUT" | tail -3 | tr '\n' '|')" = "    vars A=1&B=two|    leg 19866  SIP/8001-1  agent  8001  ANSWERED|    leg 19867  SIP/trunk-2  customer  013888888888  ANSWERED|" ] &&
	pass "a call's vars, then its legs in start order" || fail "a call's vars, then its legs in start order"
[ "$(grep -c '^    vars' <<<"$OUT")" = 1 ] && pass "vars only where there are some" || fail "vars only where there are some"
expect 0 "cdr of one team" cdr demo
[ "$(grep -cE '^[0-9a-f]{32}' <<<"$OUT")" = 3 ] && pass "cdr TEAM filters" || fail "cdr TEAM filters"
out_lacks ' team ' "cdr TEAM does not repeat the team"
expect 0 "cdr --limit" cdr demo --limit 2
[ "$(grep -oE '^[0-9a-f]{32}' <<<"$OUT" | tr '\n' ' ')" = "$S3 $S2 " ] &&
	pass "cdr --limit keeps the newest" || fail "cdr --limit keeps the newest"
expect 0 "cdr --since" cdr demo --since 2024-05-02
[ "$(grep -oE '^[0-9a-f]{32}' <<<"$OUT" | tr '\n' ' ')" = "$S3 $S2 " ] &&
	pass "cdr --since starts at local midnight" || fail "cdr --since starts at local midnight"
expect 0 "cdr --since after every call" cdr --since 2030-01-01
out_has '^no calls since 2030-01-01$' "no calls since a date"
expect 1 "cdr --since not a date" cdr --since 2024-02-30
err_has "bad YYYY-MM-DD '2024-02-30'" "bad date explained"
expect 1 "cdr --since in another format" cdr --since 01/05/2024
expect 1 "cdr --limit 0" cdr --limit 0
err_has "bad N '0'" "bad limit explained"
expect 1 "cdr --limit not a number" cdr --limit many
expect 2 "cdr --limit without a value" cdr --limit
expect 1 "cdr of unknown team" cdr nope
err_has 'no such team: nope' "cdr: unknown team explained"
expect 2 "cdr with two teams" cdr demo shop
seq 1 25 | while read -r i; do printf "INSERT INTO cdr (sessionid, team_id, direction, calldate, start_ms) VALUES ('%032x', (SELECT id FROM teams WHERE name = 'acme'), 'in', '2024-05-03', %d);\n" "$i" "$((T4 + i))"; done | sqlite3 "$D/occ.db"
expect 0 "cdr default limit" cdr acme
[ "$(grep -cE '^[0-9a-f]{32}' <<<"$OUT")" = 20 ] && pass "cdr shows 20 calls by default" || fail "cdr shows 20 calls by default"

# ---- registrations in status ----
NOW=$(( $(date +%s) * 1000 ))
expect 0 "virtual extension for status" exten add demo 8100 x --virtual
expect 0 "unused sip extension for status" exten add demo 8200 s8200
sql "INSERT INTO registrations (team_id, exten, contact, source, user_agent, expires_ms) VALUES ((SELECT id FROM teams WHERE name = 'demo'), '8001', 'sip:8001@192.0.2.5:5062', 'udp:192.0.2.5:5062', 'ua', $NOW + 60000);
	INSERT INTO registrations (team_id, exten, contact, source, user_agent, expires_ms) VALUES ((SELECT id FROM teams WHERE name = 'demo'), '8001', 'sip:8001@192.0.2.6:5062', 'tcp:192.0.2.6:40000', 'ua', $NOW + 3600000);
	INSERT INTO registrations (team_id, exten, contact, source, user_agent, expires_ms) VALUES ((SELECT id FROM teams WHERE name = 'demo'), '8002', 'sip:8002@192.0.2.7', 'udp:192.0.2.7:5060', 'ua', $NOW - 1000);
	INSERT INTO registrations (team_id, exten, contact, source, user_agent, expires_ms) VALUES ((SELECT id FROM teams WHERE name = 'demo'), '8006', 'sip:8006@'||char(27)||'[2J', 'udp:192.0.2.8:5060', 'ua', $NOW + 60000);"
expect 0 "status with registrations" status demo
out_has '^EXTEN +AGENT +CONTACT +SOURCE +REGISTRATION$' "status registration header"
out_has '^8001 +8001 +sip:8001@192\.0\.2\.5:5062 +udp:192\.0\.2\.5:5062 +expires in (5[0-9]|60)s$' "live registration with its expiry"
out_has '^8001 +8001 +sip:8001@192\.0\.2\.6:5062 +tcp:192\.0\.2\.6:40000 +expires in 3[56][0-9]{2}s$' "second binding of the same extension"
out_has '^8002 +8002 +- +- +not registered$' "expired registration is not registered"
out_has '^8003 +8003 +- +- +not registered$' "unregistered agent extension"
out_has '^8100 +- +- +- +virtual$' "virtual extension not used by agents"
out_has '^8200 +- +- +- +not registered$' "sip extension not used by agents"
out_lacks $'\e' "status: control characters never reach the terminal"
[ "$(grep -n '^8006 ' <<<"$OUT" | cut -d: -f1 | tail -1)" -lt "$(grep -n '^8100 ' <<<"$OUT" | cut -d: -f1)" ] &&
	pass "agents' extensions come before unused ones" || fail "agents' extensions come before unused ones"
# an agent logged in on another extension: listed under the agent
sql "INSERT INTO agent_state (agent_id, logged_in, device, state) VALUES ((SELECT id FROM agents WHERE number = '8003' AND team_id = (SELECT id FROM teams WHERE name = 'demo')), 1, '8200', 1)"
expect 0 "status with an agent on another device" status demo
out_has '^8200 +8003 +- +- +not registered$' "an agent's device extension is listed under the agent"
out_lacks '^8003 +8003 ' "the agent's default extension is not, then"
out_lacks '^8200 +- ' "a device in use is not listed as unused"
expect 0 "status of a team without registrations" status acme
out_has '^9001 +9001 +- +- +not registered$' "acme extension not registered"
expect 0 "exten remove drops its registrations" exten remove demo 8002
[ "$(sql "SELECT count(*) FROM registrations WHERE exten = '8002'")" = 0 ] &&
	pass "registrations go with their extension" || fail "registrations go with their extension"

# ---- removal and cascades ----
expect 0 "agent remove" agent remove shop 5002
expect 1 "agent remove again" agent remove shop 5002
expect 0 "account remove" account remove shop clerk
expect 1 "account remove again" account remove shop clerk
expect 0 "group remove" group remove shop "$auto_id"
expect 1 "group remove of another team's group" group remove shop 1
expect 0 "team remove cascades" team remove shop
expect 1 "team remove again" team remove shop
err_has 'no such team: shop' "removed team is gone"
[ "$(sql "SELECT (SELECT count(*) FROM agents WHERE number LIKE '50%') + (SELECT count(*) FROM members WHERE group_id = 50) + (SELECT count(*) FROM agent_groups WHERE id = 50) + (SELECT count(*) FROM accounts WHERE name = 'boss')")" = 0 ] &&
	pass "team remove deleted its agents, groups, members, accounts" ||
	fail "team remove deleted its agents, groups, members, accounts"
[ "$(sql "SELECT (SELECT count(*) FROM trunks WHERE name LIKE 'gw%') + (SELECT count(*) FROM team_settings WHERE team_id NOT IN (SELECT id FROM teams))")" = 0 ] &&
	pass "team remove deleted its trunks and settings" ||
	fail "team remove deleted its trunks and settings"
expect 0 "cdr after team remove" cdr --limit 100
out_has "^$S4  2024-05-03 12:00:00  team -  agent 5001" "a removed team's calls stay, under no team"

# ---- SIGHUP to a running occd ----
# A stand-in occd counts the SIGHUPs occctl sends (lib.sh).
fake_occd_start
expect 0 "write with occd running" team add signalled
sleep 0.3
[ "$(hups)" -eq 1 ] && pass "a write sends occd SIGHUP" || fail "a write sends occd SIGHUP"
[ -z "$OUT$ERR" ] && pass "signalling prints nothing" || fail "signalling prints nothing"
expect 0 "read with occd running" team list
expect 1 "failed write with occd running" team add signalled
sleep 0.3
[ "$(hups)" -eq 1 ] && pass "reads and failed writes send no SIGHUP" || fail "reads and failed writes send no SIGHUP"
# one at a time: the stand-in counts signals, and two pending SIGHUPs are one
expect 0 "trunk add with occd running" trunk add signalled gw sip:192.0.2.1
sleep 0.3
expect 0 "trunk default with occd running" trunk default signalled gw
sleep 0.3
expect 0 "team set with occd running" team set signalled event_url http://crm.example/
sleep 0.3
expect 0 "cdr with occd running" cdr signalled
expect 0 "team show with occd running" team show signalled
expect 1 "bad trunk with occd running" trunk add signalled gw2 http://x
sleep 0.3
[ "$(hups)" -eq 4 ] && pass "trunk and setting writes send SIGHUP, reads do not" || fail "trunk and setting writes send SIGHUP, reads do not"
kill "$HUP_PID"; wait "$HUP_PID" 2>/dev/null; HUP_PID=
expect 0 "write with a stale pid file" team remove signalled
[ -z "$ERR" ] && pass "stale pid file is ignored quietly" || fail "stale pid file is ignored quietly"
# a live process that is not occd must not be signalled
sleep 30 &
OTHER=$!
echo "$OTHER" > "$D/occd.pid"
expect 0 "write with a pid file naming another program" team add other
kill -0 "$OTHER" 2>/dev/null && pass "a reused pid is not signalled" || fail "a reused pid is not signalled"
kill "$OTHER" 2>/dev/null; wait "$OTHER" 2>/dev/null
rm -f "$D/occd.pid"

# ---- configuration ----
C2=$T/conf2.ini
printf '[store]\ndata_dir = %s\n[security]\npwhash_opslimit = 1\npwhash_memlimit_kib = 8\n' "$T/viaconf" > "$C2"
"$OCC" --config "$C2" team add fromconf >/dev/null 2>&1
[ -f "$T/viaconf/occ.db" ] && pass "[store] data_dir is the default data dir" || fail "[store] data_dir is the default data dir"
printf '[nosuch]\nkey = 1\n' > "$T/bad.ini"
OUT=$("$OCC" --config "$T/bad.ini" team list 2>"$T/err"); RC=$?; ERR=$(cat "$T/err")
[ "$RC" -eq 1 ] && pass "bad config file is an error" || fail "bad config file is an error"
err_has 'config: .*bad.ini:2: unknown key' "bad config error names file and line"

# ---- a newer database is refused ----
sql 'PRAGMA user_version = 999'
expect 1 "newer database schema refused" team list
err_has 'newer occ' "newer schema explained"

echo "# $N checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
