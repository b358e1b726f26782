# lib.sh — what the tests/campaign SIP suites share: putting records into
# campaign 10 and reading its pre-dial list and log. Sourced after
# tests/sip/lib/harness.sh (sql, since, url).

octl() { "$occctl" --data "$data" "$@"; }

# import_is NAME PHONE [ZONE]: one record into campaign 10 (README's
# form), listed (BackMsg_83)
import_is() {
	local r ctx="name=$1||phone1=$2"
	[ -n "${3:-}" ] && ctx="$ctx||timezone=$3"
	r=$(curl -sS -m 10 --data-urlencode "context=$ctx" \
		-d "EVENT=Import&orgidentity=demo&usertype=account&user=admin&pwdtype=plaintext&password=admin&modeltype=Campaign&model_id=10&source=data&phone_field=phone1" \
		"$url/coccinterfaces")
	expect_eq "import $2" "$r" "|Retuen|1|Retuen|BackMsg_83"
}
# row NUMBER: "attempts|last_result|never" of its newest pre-dial row
row() {
	sql "SELECT attempts, last_result, CASE WHEN dial_ms = 9223372036854775807 THEN 'never' ELSE 'due' END FROM dial_list WHERE number = ? ORDER BY id DESC LIMIT 1" "$1"
}
# dial_sid MARK NUMBER: the session dialling NUMBER for campaign 10
# since MARK
dial_sid() {
	since "$1" | sed -n "s/.*dialing campaign=10 session=\([0-9a-f]*\) number=$2 .*/\1/p" | tail -1
}
