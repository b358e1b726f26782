#!/bin/bash
# test_campaign.sh — occctl campaign add/list/show/start/pause/stop/remove
# and package columns on a store: defaults, every option, refused values
# (bad mode, profile, window, column and display names, a group of another
# team), duplicate ids and columns, state changes, and a removed campaign
# whose customers stay in the team's master table; the campaign report's
# days and refusals. occctl against a running
# occd: tests/campaign/run.sh.
#
#   tests/cli/test_campaign.sh build/asan/occctl
#
# Prints "ok - ..." / "not ok - ..." per check; exits 1 if any failed.
set -u

OCC=${1:?usage: $0 path/to/occctl}
NAME=occctl-campaign
. "$(dirname "$0")/lib.sh"

expect 0 "team demo" team add demo
expect 0 "team acme" team add acme
expect 0 "group 7 in demo" group add demo 7 sales 6001
expect 0 "group 8 in acme" group add acme 8 other 6002

expect 0 "add with defaults" campaign add demo 10 "spring offer"
expect 0 "list" campaign list demo
out_has '^10 +spring offer +- +preview +stopped +us +08:00-21:00 +- +phone1' "defaults: preview, stopped, us, 08:00-21:00, key phone1"
expect 1 "the same id again is refused" campaign add demo 10 again
err_has "team demo already has campaign 10" "says the id is taken"
expect 0 "the same id in another team is another campaign" campaign add acme 10 theirs
expect 0 "add with every option" campaign add demo 11 "all options" --group 7 --mode progressive --profile none --callerid 4000 --window 00:00-24:00 --key cid
occ campaign list demo
out_has '^11 +all options +7 +progressive +stopped +none +00:00-24:00 +4000 +cid' "every option is kept"
out_lacks 'theirs' "another team's campaign is not listed"
expect 1 "a bad mode" campaign add demo 12 x --mode robot
expect 1 "a bad profile" campaign add demo 12 x --profile fr
expect 1 "a bad window" campaign add demo 12 x --window 25:00-26:00
expect 1 "a bad id" campaign add demo 0 x
expect 1 "a bad key column" campaign add demo 12 x --key "phone one"
expect 1 "a group of another team" campaign add demo 12 x --group 8
err_has "no group 8 in team demo" "names the group"
expect 1 "no such team" campaign add nope 12 x

expect 0 "column name" campaign column demo 10 name 姓名
expect 0 "column phone1" campaign column demo 10 phone1 电话号码一
expect 1 "the same column again" campaign column demo 10 name 名字
expect 1 "the same display name again" campaign column demo 10 name2 姓名
expect 1 "a display name with =" campaign column demo 10 x "a=b"
expect 1 "a display name with ||" campaign column demo 10 x "a||b"
expect 1 "a column name with a space" campaign column demo 10 "a b" x
expect 1 "a column of no campaign" campaign column demo 99 x y
err_has "no campaign 99 in team demo" "names the campaign"
expect 0 "show" campaign show demo 10
out_has '^campaign 10 spring offer: group 0, preview, stopped, profile us, key phone1' "show: settings"
out_has '^column +name +姓名 +1' "show: first column"
out_has '^column +phone1 +电话号码一 +2' "show: second column, in order"
out_has '^window 08:00-21:00, timezone occd.s, retry busy 0 s, noanswer 0 s, failed 0 s, max attempts 0' "show: window and retry defaults"
expect 0 "set" campaign set demo 10 mode=progressive timezone=Europe/Paris retry_busy=60 retry_noanswer=900 retry_failed=120 max_attempts=4
expect 0 "set the window" campaign set demo 10 window=09:00-20:00
occ campaign show demo 10
out_has '^campaign 10 spring offer: group 0, progressive, stopped' "set: the mode"
out_has '^window 09:00-20:00, timezone Europe/Paris, retry busy 60 s, noanswer 900 s, failed 120 s, max attempts 4' "set: window, zone, retries"
expect 1 "set an unknown zone" campaign set demo 10 timezone=Mars/Olympus
expect 1 "set a zone leaving zoneinfo" campaign set demo 10 timezone=../../etc/passwd
expect 1 "set max_attempts 256" campaign set demo 10 max_attempts=256
expect 1 "set a negative delay" campaign set demo 10 retry_busy=-1
expect 1 "set an unknown key" campaign set demo 10 colour=blue
expect 1 "set without =" campaign set demo 10 retry_busy
expect 1 "set no such campaign" campaign set demo 99 retry_busy=5
# answering-machine detection and the abandon message
occ campaign show demo 10
out_has '^amd off, action hangup, false positives 10.0 %, params \[amd\].s, abandon message \(tone\)' "show: amd off by default, fp 10 %, the tone"
sox -n -r 8000 -c 1 -b 16 -e signed "$T/msg.wav" synth 0.5 sine 1500
sox -n -r 16000 -c 1 -b 16 -e signed "$T/wide.wav" synth 0.5 sine 1500
sox -n -r 8000 -c 2 -b 16 -e signed "$T/stereo.wav" synth 0.5 sine 1500
sox -n -r 8000 -c 1 -b 16 -e signed "$T/long.wav" synth 70 sine 1500
expect 0 "set amd" campaign set demo 10 amd=on amd_action=message amd_fp=2.5 amd_params=greeting=2000,maximum_number_of_words=3 "abandon_msg=$T/msg.wav"
occ campaign show demo 10
out_has "^amd on, action message, false positives 2.5 %, params greeting=2000,maximum_number_of_words=3, abandon message $T/msg.wav" "set: amd, action, fp, params, message"
expect 1 "abandon_msg at 16 kHz" campaign set demo 10 "abandon_msg=$T/wide.wav"
err_has "16000 Hz.*8 kHz mono 16-bit PCM WAV of at most 1 MiB" "says the rate and what is needed"
expect 1 "abandon_msg in stereo" campaign set demo 10 "abandon_msg=$T/stereo.wav"
err_has "2 channel" "says the channels"
expect 1 "abandon_msg over 1 MiB" campaign set demo 10 "abandon_msg=$T/long.wav"
err_has "larger than 1 MiB" "says the size"
expect 1 "abandon_msg missing" campaign set demo 10 "abandon_msg=$T/nope.wav"
err_has "No such file" "says it is missing"
expect 1 "abandon_msg not a WAV" campaign set demo 10 "abandon_msg=$CONF"
expect 1 "amd=maybe" campaign set demo 10 amd=maybe
expect 1 "amd_action=voicemail" campaign set demo 10 amd_action=voicemail
expect 1 "amd_fp=101" campaign set demo 10 amd_fp=101
expect 1 "amd_fp=2.55" campaign set demo 10 amd_fp=2.55
expect 1 "amd_params unknown" campaign set demo 10 amd_params=colour=5
err_has "unknown parameter in 'colour=5'" "names the parameter"
expect 1 "amd_params out of range" campaign set demo 10 amd_params=greeting=5
err_has "bad value 'greeting=5'" "names the value"
occ campaign show demo 10
out_has "^amd on, action message, false positives 2.5 %, params greeting=2000,maximum_number_of_words=3, abandon message $T/msg.wav" "refused values change nothing"
expect 0 "clear the message, amd off" campaign set demo 10 amd=off abandon_msg= amd_params=
occ campaign show demo 10
out_has '^amd off, action message, false positives 2.5 %, params \[amd\].s, abandon message \(tone\)' "cleared"
expect 0 "dnc add: system" dnc add "+1 (555) 010-0001" 5550100002
expect 0 "dnc add: the same again" dnc add 15550100001
expect 0 "dnc add: team" dnc add 555-0100-003 --team demo
expect 0 "dnc add: campaign" dnc add 5550100004 --team demo --campaign 10
expect 1 "dnc add: a campaign without a team" dnc add 5550100005 --campaign 10
expect 1 "dnc add: no digits" dnc add "+-"
expect 1 "dnc add: letters" dnc add 555abc
expect 1 "dnc add: no such campaign" dnc add 5550100005 --team demo --campaign 99
occ dnc list
out_has '^15550100001 ' "dnc list: the system's, digits only"
out_has '^5550100002 ' "dnc list: the system's second"
out_lacks '5550100003' "dnc list: not the team's"
occ dnc list --team demo
out_has '^5550100003 ' "dnc list --team: the team's"
occ dnc list --team demo --campaign 10
out_has '^5550100004 ' "dnc list --campaign: the campaign's"
expect 0 "dnc remove" dnc remove 5550100002
expect 1 "dnc remove again" dnc remove 5550100002
expect 1 "dnc remove from another list" dnc remove 5550100004 --team demo
expect 0 "column-remove" campaign column-remove demo 10 name
expect 1 "column-remove again" campaign column-remove demo 10 name
occ campaign show demo 10
out_lacks '姓名' "the removed column is gone"

for st in start:running pause:paused stop:stopped start:running; do
	expect 0 "${st%%:*}" campaign "${st%%:*}" demo 10
	occ campaign list demo
	out_has "^10 .* ${st#*:} " "${st%%:*} makes it ${st#*:}"
done
occ campaign list acme
out_has '^10 .* stopped ' "another team's campaign 10 is untouched"
expect 1 "start no such campaign" campaign start demo 99

# the report of a campaign with nothing dialled, and its refusals
expect 0 "report" campaign report demo 11 --day 2024-05-01 --days 3
out_has '^2024-04-29: dials 0, answers 0, live 0, abandons 0, machines 0, amd_fp_est 0.0 ' "report: the days up to --day, oldest first"
out_has '^2024-05-01: dials 0' "report: ... to --day"
expect 0 "report --json" campaign report demo 11 --json
out_has '^\{"campaignid":11,"profile":"none","list":\{"waiting":0,' "report --json: one JSON object"
expect 1 "report --days 32 is refused" campaign report demo 11 --days 32
expect 1 "report --day 2024-02-30 is refused" campaign report demo 11 --day 2024-02-30
expect 1 "report of another team's campaign" campaign report acme 11
err_has "no campaign 11 in team acme" "report: names the campaign"

sqlite3 "$D/occ.db" "INSERT INTO customers (team_id, campaign_id, key, data, updated_ms) SELECT id, 10, '138', 'phone1=138', 0 FROM teams WHERE name = 'demo'"
occ campaign show demo 10
out_has '^customer +138 +- +new' "show lists the package's customers"
expect 0 "remove" campaign remove demo 10
expect 1 "remove again" campaign remove demo 10
[ "$(sqlite3 "$D/occ.db" "SELECT COALESCE(campaign_id, 'unassigned') FROM customers WHERE key = '138'")" = unassigned ] &&
	pass "a removed campaign's customers stay, unassigned" ||
	fail "a removed campaign's customers stay, unassigned"

echo "# $N checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
