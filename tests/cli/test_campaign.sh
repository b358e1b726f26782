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
out_has '^2024-04-29: dials 0, answers 0, live 0, abandons 0 ' "report: the days up to --day, oldest first"
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
