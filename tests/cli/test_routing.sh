#!/bin/bash
# test_routing.sh — occctl routing check/import/export/clear: a good file
# imports, exports as written and normalized, and reaches occd as a SIGHUP;
# a bad file of each class of error is refused with "FILE:LINE: reason"
# and changes nothing; prompt WAVs that are missing or in another format
# are refused naming the file; a DID another team routes is refused;
# did list|add|remove edit one [did] section with the same checks.
#
#   tests/cli/test_routing.sh build/asan/occctl
#
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.
set -u

OCC=${1:?usage: $0 path/to/occctl}
NAME=occctl-routing
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

# wav FILE RATE CHANNELS BYTES: a short WAV of silence
wav() {
	python3 - "$@" <<'EOF'
import sys, wave
f = wave.open(sys.argv[1], 'wb')
f.setnchannels(int(sys.argv[3])); f.setsampwidth(int(sys.argv[4]))
f.setframerate(int(sys.argv[2]))
f.writeframes(b'\0' * 1600 * int(sys.argv[3]) * int(sys.argv[4]))
f.close()
EOF
}

DEMO=$SRC/src/inbound/demo_routing.ini

# ---- check works on a file alone, without a store ----
expect 0 "check: the demo file is good" routing check "$DEMO"
out_has "ok: 1 DIDs, 1 routes, 0 schedules, 1 prompts, 1 IVR flows, 2 queues" "check counts the sections"
[ ! -e "$D/occ.db" ] && pass "check opens no store" || fail "check opens no store"
expect 0 "check --team: the demo's prompt is missing: a warning, not an error (occd plays silence)" routing check "$DEMO" --team demo
err_has "^warning: .*demo_routing.ini:13: prompt welcome: .*/prompts/demo/welcome.wav: no such file" "a missing prompt names its line and file"

# ---- a team with the demo's prompt ----
expect 0 "the demo data (team demo: groups with queues 6001 and 6002)" demo
expect 0 "team add other" team add other
expect 0 "group add other 6001" group add other auto Sales 6001
expect 0 "group add other 6002" group add other auto Support 6002
mkdir -p "$D/prompts/demo"
wav "$D/prompts/demo/welcome.wav" 8000 1 2
expect 0 "check --team with the prompt in place" routing check "$DEMO" --team demo
expect 0 "the demo came with its routing (DID 800888)" routing export demo
out_has '^\[did 800888\]$' "the demo's routing is the embedded file"
expect 0 "clear the demo's routing" routing clear demo
expect 1 "export after a clear" routing export demo
err_has "team demo has no routing" "export says there is none"

# A stand-in occd counts the SIGHUPs occctl sends (lib.sh).
fake_occd_start

expect 0 "import the demo file" routing import demo "$DEMO"
sleep 0.3
[ "$(hups)" -eq 1 ] && pass "import has occd reload" || fail "import has occd reload"
expect 0 "export" routing export demo
[ "$OUT" = "$(cat "$DEMO")" ] && pass "export prints the file as imported" || fail "export prints the file as imported"
expect 0 "export --normalized" routing export demo --normalized
printf '%s\n' "$OUT" > "$T/normal.ini"
grep -q '^tries = 2$' "$T/normal.ini" && ! grep -q 'The demo team' "$T/normal.ini" &&
	pass "normalized: values kept, comments dropped" || fail "normalized: values kept, comments dropped"
expect 0 "the normalized file imports" routing import demo "$T/normal.ini"
expect 0 "export --normalized again" routing export demo --normalized
[ "$OUT" = "$(cat "$T/normal.ini")" ] && pass "normalized export is a fixed point" || fail "normalized export is a fixed point"
expect 0 "re-import the demo file" routing import demo "$DEMO"
sleep 0.3
BEFORE=$(sqlite3 "$D/occ.db" "SELECT text || updated_ms FROM team_routing")
HUPS=$(hups)

# refused FILE LINE REASON-REGEX DESC: import FILE ($T/bad.ini, written
# by the caller) fails with FILE:LINE: reason, and nothing changes.
refused() {
	expect 1 "$3: refused" routing import demo "$T/bad.ini"
	err_has "^$T/bad.ini:$1: $2" "$3: FILE:$1: names the line and reason"
	[ "$(sqlite3 "$D/occ.db" "SELECT text || updated_ms FROM team_routing")" = "$BEFORE" ] &&
		pass "$3: the stored routing is unchanged" ||
		fail "$3: the stored routing is unchanged"
}
bad() { cp "$DEMO" "$T/bad.ini"; printf '%s\n' "$@" >> "$T/bad.ini"; }
BASE=$(wc -l < "$DEMO")

bad "" "[did 800999]" "colour = blue"
refused $((BASE + 3)) "unknown key 'colour'" "unknown key"
bad "" "[queue 6003]" "ring_timeout = soon"
refused $((BASE + 3)) "ring_timeout 'soon'" "bad value"
bad "" "[route main]" "open = hangup"
refused $((BASE + 2)) "duplicate \[route main\]" "duplicate name"
bad "" "[did 800999]" "dest = ivr:nosuch"
refused $((BASE + 3)) "no \[ivr nosuch\]" "unknown flow"
bad "" "[did 800999]" "dest = queue:7777"
refused $((BASE + 3)) "no \[queue 7777\]" "unknown queue"
bad "" "[did 800999]" "dest = prompt:nosuch"
refused $((BASE + 3)) "no \[prompt nosuch\]" "unknown prompt"
bad "" "[node main.other]" "type = dest" "next = node:gone"
refused $((BASE + 4)) "no \[node main.gone\]" "unknown node"
bad "" "[node main.menu]" "type = play_collect" "key.# = hangup"
refused $((BASE + 4)) "key.#: # ends the input" "# as a menu key"
{ cat "$DEMO"; echo "[lists]"; for i in $(seq 1 4097); do echo "blacklist = 1$i"; done; } > "$T/bad.ini"
refused $((BASE + 4098)) "too many list entries \(at most 4096\)" "a limit"
bad "" "[schedule s]" "tz = Nowhere/City"
refused $((BASE + 3)) "unknown time zone Nowhere/City" "unknown time zone"
{ cat "$DEMO"; head -c 1100000 /dev/zero | tr '\0' '#'; } > "$T/bad.ini"
refused 1 "the file is [0-9]+ bytes, more than 1048576" "file too large"
sed 's|welcome.wav|missing.wav|' "$DEMO" > "$T/bad.ini"
expect 0 "a missing prompt: imported (calls hear silence in its place)" routing import demo "$T/bad.ini"
err_has "^warning: $T/bad.ini:13: prompt welcome: $D/prompts/demo/missing.wav: no such file" "with a warning naming the line and file"
expect 0 "the good file back" routing import demo "$DEMO"
BEFORE=$(sqlite3 "$D/occ.db" "SELECT text || updated_ms FROM team_routing")
sleep 0.3
HUPS=$(hups)   # the two imports above signalled occd
mkdir "$D/prompts/demo/adir.wav"
sed 's|welcome.wav|adir.wav|' "$DEMO" > "$T/bad.ini"
refused 13 "prompt welcome: $D/prompts/demo/adir.wav: not a regular file" "a prompt that is a directory"
wav "$D/prompts/demo/wide.wav" 16000 1 2
sed 's|welcome.wav|wide.wav|' "$DEMO" > "$T/bad.ini"
refused 13 "prompt welcome: .*wide.wav is PCM 16-bit, 1 channel\(s\), 16000 Hz; prompts are WAV PCM 16-bit mono 8000 Hz" "a 16 kHz prompt"
wav "$T/stereo.wav" 8000 2 2
sed "s|welcome.wav|$T/stereo.wav|" "$DEMO" > "$T/bad.ini"
refused 13 "prompt welcome: $T/stereo.wav is PCM 16-bit, 2 channel\(s\), 8000 Hz" "a stereo prompt (absolute path)"
wav "$T/u8.wav" 8000 1 1
sed "s|welcome.wav|$T/u8.wav|" "$DEMO" > "$T/bad.ini"
refused 13 "prompt welcome: $T/u8.wav: not a WAV file in a format occ reads" "an 8-bit prompt"
echo "not a wav" > "$T/junk.wav"
sed "s|welcome.wav|$T/junk.wav|" "$DEMO" > "$T/bad.ini"
refused 13 "prompt welcome: $T/junk.wav: not a WAV file" "a prompt that is not a WAV"
# names the team must have
bad "" "[queue 6003]"
expect 1 "a queue no group has: refused" routing import demo "$T/bad.ini"
err_has "bad.ini: \[queue 6003\]: team demo has no agent group with this queue number" "a queue no group has is named"
bad "" "[did 800999]" "dest = agent:8999"
expect 1 "an unknown agent: refused" routing import demo "$T/bad.ini"
err_has "bad.ini: \[did 800999\] dest: agent:8999: team demo has no such agent" "an unknown agent is named"
bad "" "[did 800999]" "dest = exten:8999"
expect 1 "an unknown extension: refused" routing import demo "$T/bad.ini"
err_has "exten:8999: team demo has no such extension" "an unknown extension is named"
sed 's|^\[queue 6002\]$|[queue 6002]\nmember.8999 = 1|' "$DEMO" > "$T/bad.ini"
expect 1 "an unknown member: refused" routing import demo "$T/bad.ini"
err_has "\[queue 6002\] member.8999: team demo has no such agent" "an unknown member is named"
[ "$(sqlite3 "$D/occ.db" "SELECT text || updated_ms FROM team_routing")" = "$BEFORE" ] &&
	pass "names the team lacks change nothing" || fail "names the team lacks change nothing"
sleep 0.3
[ "$(hups)" -eq "$HUPS" ] && pass "refused imports do not signal occd" || fail "refused imports do not signal occd"

# ---- another team may not take a DID that is routed already ----
mkdir -p "$D/prompts/other"
wav "$D/prompts/other/welcome.wav" 8000 1 2
expect 1 "another team importing DID 800888" routing import other "$DEMO"
err_has "\[did 800888\] is already routed by team demo" "the clash names the DID and the team"
sed 's|^\[did 800888\]|[did 800777]|; s|^did = 800888|did = 800777|; s|^exten = 6000|exten = 6000|' "$DEMO" > "$T/other.ini"
expect 0 "another team with its own DID" routing import other "$T/other.ini"

# ---- did list|add|remove: one [did] section, checked like an import ----
sleep 0.3      # the import's signal counted before the snapshot
HUPS=$(hups)
expect 0 "did add demo 555200 exten:8001" did add demo 555200 exten:8001
expect 0 "did list" did list demo
out_has "^555200 +exten:8001" "the DID is listed with its destination"
expect 0 "export after did add" routing export demo
out_has '^\[did 555200\]$' "the routing file has the section"
out_has "^# " "the file's comments are kept"
expect 1 "did add the same DID again" did add demo 555200 exten:8002
err_has "team demo already has \[did 555200\]" "a second [did 555200] is refused"
expect 1 "did add to an extension the team lacks" did add demo 555201 exten:9999
err_has "exten:9999: team demo has no such extension" "the missing extension is named"
expect 1 "did add a DID another team routes" did add other 555200 queue:6001
err_has "\[did 555200\] is already routed by team demo" "the clash names the team"
expect 1 "did add with a bad destination word" did add demo 555202 nowhere
expect 1 "did remove a DID a route names" did remove demo 800888
err_has "did 800888: no \[did\] section matches it" "the route that needs it is the reason"
expect 0 "did remove demo 555200" did remove demo 555200
expect 0 "export after did remove" routing export demo
out_lacks "555200" "the section is gone"
expect 1 "did remove it twice" did remove demo 555200
err_has "team demo has no \[did 555200\]" "a missing DID is named"
sleep 0.3
[ "$(hups)" -eq $((HUPS + 2)) ] && pass "the two DID changes had occd reload, the refusals not" ||
	fail "the two DID changes had occd reload, the refusals not"

# ---- the examples of docs/INBOUND.md import ----
mkdir -p "$D/prompts/demo/en"
for w in closed music en/welcome queue-position queue-wait queue-minutes digit-0; do wav "$D/prompts/demo/$w.wav" 8000 1 2; done
awk -v dir="$T" '/^```ini$/ { n++; f = dir "/doc" n ".ini"; next }
	/^```$/ { f = ""; next } f { print > f }' "$SRC/docs/INBOUND.md"
[ -f "$T/doc2.ini" ] && pass "docs/INBOUND.md has its two examples" || fail "docs/INBOUND.md has its two examples"
cmp -s "$T/doc1.ini" "$DEMO" && pass "the docs' demo example is the demo's file" || fail "the docs' demo example is the demo's file"
for f in "$T"/doc*.ini; do
	expect 0 "docs example $(basename "$f") imports" routing import demo "$f"
done

# ---- routing set|remove: one section (or two) at a time ----
expect 0 "import the demo again" routing import demo "$DEMO"
sleep 0.3
HUPS=$(hups)
expect 0 "routing set a queue's settings" routing set demo "queue 6001" $'strategy = ringall\nmax_wait = 60'
expect 0 "export" routing export demo
out_has "^strategy = ringall$" "the new key is in the file"
out_has "^# The demo team" "the file's comments are kept"
[ "$(printf '%s\n' "$OUT" | grep -c '^\[queue 6001\]$')" = 1 ] && pass "the section was replaced, not added again" ||
	fail "the section was replaced, not added again"
expect 0 "routing set a schedule and a route naming it at once" routing set demo "schedule office" \
	$'tz = Asia/Shanghai\nhours = mon-fri 09:00-18:00' "route late" $'did = 800888\nschedule = office\nopen = queue:6001\nclosed = hangup\npriority = 5'
expect 0 "a new IVR flow with its start node in one command" routing set demo "ivr adm" "start = greet" \
	"node adm.greet" $'type = play\nprompt = welcome\nnext = queue:6002'
expect 0 "routing check of the export" routing export demo
out_has "^\[node adm.greet\]$" "the node is there"
expect 1 "a flow without its start node: refused" routing set demo "ivr adm2" "start = nowhere"
err_has "no \[node adm2.nowhere\]" "the missing node is named"
expect 1 "a bad value: refused" routing set demo "queue 6002" "strategy = bogus"
err_has "strategy 'bogus'" "the value is named"
expect 1 "a route to a queue the team lacks: refused" routing set demo "route bad" "open = queue:9999"
err_has "no \[queue 9999\]" "the queue is named"
expect 1 "a body that starts another section: refused" routing set demo "route x" $'open = hangup\n[did 1]'
err_has "bad BODY" "the body is refused before anything is read"
expect 1 "an unknown section kind: refused" routing set demo "colour blue" "x = 1"
expect 1 "another team's DID through routing set: refused" routing set other "did 800888" ""
err_has "already routed by team demo" "the clash is named"
expect 1 "remove a schedule a route names: refused" routing remove demo "schedule office"
expect 0 "remove the route" routing remove demo "route late"
expect 0 "then the schedule" routing remove demo "schedule office"
expect 0 "remove a flow: its nodes go with it" routing remove demo "ivr adm"
expect 0 "export" routing export demo
out_lacks "adm" "no section of the flow is left"
expect 1 "remove it twice" routing remove demo "ivr adm"
err_has "team demo has no \[ivr adm\]" "the missing section is named"
sleep 0.3
[ "$(hups)" -eq $((HUPS + 6)) ] && pass "the six changes had occd reload, the refusals not" ||
	fail "the six changes had occd reload, the refusals not ($(hups) - $HUPS)"

# ---- prompt add|list|remove: the team's WAVs ----
wav "$T/good.wav" 8000 1 2
wav "$T/wide16.wav" 16000 1 2
head -c 3000000 /dev/zero > "$T/huge.wav"
expect 0 "prompt add a good WAV" prompt add demo hello.wav "$T/good.wav"
out_has "prompt file hello.wav \(0.200 s\)" "its length is said"
cmp -s "$T/good.wav" "$D/prompts/demo/hello.wav" && pass "it is in the team's prompt directory" ||
	fail "it is in the team's prompt directory"
expect 1 "a 16 kHz WAV: refused" prompt add demo wide16.wav "$T/wide16.wav"
err_has "wide16.wav: not a prompt occd can play: .*16000 Hz" "the format is named"
[ ! -e "$D/prompts/demo/wide16.wav" ] && pass "nothing was stored" || fail "nothing was stored"
expect 1 "a file over 2 MiB: refused" prompt add demo huge.wav "$T/huge.wav"
err_has "larger than 2 MiB" "the limit is named"
expect 1 "a name with a path: refused" prompt add demo ../x.wav "$T/good.wav"
expect 1 "a hidden name: refused" prompt add demo .x.wav "$T/good.wav"
expect 1 "a name without .wav: refused" prompt add demo x "$T/good.wav"
expect 0 "team other's prompt" prompt add other other.wav "$T/good.wav"
expect 0 "prompt list demo" prompt list demo
out_has "^hello.wav +3244$" "lists the file and its size"
out_lacks "other.wav" "not another team's"
expect 0 "a [prompt] for it" routing set demo "prompt hello" "file = hello.wav"
expect 0 "prompt remove" prompt remove demo hello.wav
err_has "^warning: \[prompt hello\] names hello.wav" "warns that a [prompt] still names it"
expect 0 "then the [prompt] is removed too" routing remove demo "prompt hello"
expect 1 "prompt remove twice" prompt remove demo hello.wav
err_has "team demo has no prompt file hello.wav" "the missing file is named"
[ -e "$D/prompts/other/other.wav" ] && pass "team other's file is untouched" || fail "team other's file is untouched"

# ---- usage and clear ----
expect 1 "import into an unknown team" routing import nosuch "$DEMO"
err_has "no such team: nosuch" "an unknown team is named"
expect 1 "import a missing file" routing import demo "$T/nothere.ini"
err_has "nothere.ini: No such file" "a missing file is named"
expect 0 "clear" routing clear demo
out_has "team demo: routing cleared" "clear says so"
expect 1 "export after clear" routing export demo
expect 1 "clear twice" routing clear demo
expect 0 "team remove other" team remove other
[ "$(sqlite3 "$D/occ.db" "SELECT count(*) FROM team_routing WHERE team_id NOT IN (SELECT id FROM teams)")" = 0 ] &&
	[ "$(sqlite3 "$D/occ.db" "SELECT count(*) FROM team_routing")" = 0 ] &&
	pass "a removed team's routing goes with it" || fail "a removed team's routing goes with it"

kill "$HUP_PID"; wait "$HUP_PID" 2>/dev/null; HUP_PID=

# ---- a real occd loads an import at once, and survives a bad store ----
# (occctl refuses bad files; one written around it is logged and the team
# runs without routing)
cat > "$T/occd-part.sh" <<'EOF'
set -u
occ() { "$OCC" --data "$OCC_DATA" --config "$CONF" "$@"; }
waitlog() {
	for _ in $(seq 1 50); do grep -qE "$1" "$OCC_LOG" && return 0; sleep 0.1; done
	return 1
}
mkdir -p "$OCC_DATA/prompts/demo"
cp "$WAV" "$OCC_DATA/prompts/demo/welcome.wav"
occ routing import demo "$DEMO" >/dev/null &&
	waitlog 'team demo: routing loaded dids=1 routes=1 flows=1 queues=2' &&
	echo "ok - occd loads an imported routing on the reload" ||
	echo "not ok - occd loads an imported routing on the reload"
sqlite3 "$OCC_DATA/occ.db" "UPDATE team_routing SET text = '[route a]'" &&
	kill -HUP "$OCC_PID" &&
	waitlog 'team demo: routing not loaded, the team has no inbound routing: "?line 1: \[route a\] needs open' &&
	echo "ok - a stored file that does not parse is logged with its line" ||
	echo "not ok - a stored file that does not parse is logged with its line"
cp "$OCC_LOG" "$LOGCOPY"
curl -fsS "$OCC_URL/healthz" >/dev/null &&
	echo "ok - occd keeps serving" || echo "not ok - occd keeps serving"
EOF
OCCD_OUT=$(LOGCOPY="$T/occd.log" OCC="$OCC" CONF="$CONF" DEMO="$DEMO" WAV="$D/prompts/demo/welcome.wav" \
	"$SRC/tests/lib/with-occd.sh" -- bash "$T/occd-part.sh" 2>&1)
echo "$OCCD_OUT"; [ -n "${ROUTING_DEBUG:-}" ] && cat "$T/occd.log"
N=$((N + $(grep -c '^ok' <<<"$OCCD_OUT") + $(grep -c '^not ok' <<<"$OCCD_OUT")))
FAILED=$((FAILED + $(grep -c '^not ok' <<<"$OCCD_OUT")))
grep -q '^ok - occd keeps serving' <<<"$OCCD_OUT" ||
	{ N=$((N + 1)); FAILED=$((FAILED + 1)); echo "not ok - with-occd.sh ran"; }
echo "# $N checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
