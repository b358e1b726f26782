# flows.sh — the three-party call of tests/multiparty and tests/plugin-calls: agent
# 8001, a customer behind the trunk gw, the consulted agent 8002. Sourced
# after harness.sh and calls.sh; the suite sets ag_port, cu_port, co_port
# (where the phones registered or the trunk points), rtp_ag, rtp_cu,
# rtp_co (their media) and the voices F_AGENT, F_CUST, F_CONS.

# start_call FLOW NUMBER: 8001 calls NUMBER over the trunk gw (the phones
# are started); sets SID and T_ANS (when the customer answered)
start_call() {
	local m
	m=$(log_mark)
	check "$1: makeCall answers BackMsg_19" \
		api_is 8001 "EVENT=MAKECALL&targetdn=$2&targettype=exter&trunkidentity=gw" 'BackMsg_19'
	SID=$(session_of "$m" 8001)
	check "$1: agent and customer answer" wait_log "$m" "call answered session=$SID" 10
	T_ANS=$(tfile "$work/$1/cust/answer.txt")
}

# call_as FLOW AGENT NUMBER TRUNK: AGENT calls NUMBER over TRUNK (the
# phones are started); sets CALL_SID
call_as() {
	local m
	m=$(log_mark)
	check "$1: $2 calls $3 over $4 (BackMsg_19)" \
		api_is "$2" "EVENT=MAKECALL&targetdn=$3&targettype=exter&trunkidentity=$4" 'BackMsg_19'
	CALL_SID=$(session_of "$m" "$2")
	check "$1: $2 and its customer answer" wait_log "$m" "call answered session=$CALL_SID" 10
}

# three_phones FLOW NUMBER CUSTSCEN CUSTRING CONSSCEN CONSRING: the phones
# of the agent 8001, the customer (behind gw) and 8002, each speaking its
# tone (8002 none if it only rings; HOLD= applies to 8002's only), then
# 8001 calls NUMBER (start_call)
three_phones() {
	local hold=${HOLD:-}
	HOLD= phone "$1" agent "$ag_port" phone.xml 200 $F_AGENT 0 "$rtp_ag"
	HOLD= phone "$1" cust "$cu_port" "$3" "$4" $F_CUST 8 "$rtp_cu"
	if [ "$5" = ring.xml ]; then
		phone "$1" cons "$co_port" ring.xml 0
	else
		HOLD=$hold phone "$1" cons "$co_port" "$5" "$6" $F_CONS 0 "$rtp_co"
	fi
	sleep 0.3
	start_call "$1" "$2"
}

# consult_8002 FLOW: 8001 consults 8002, whose phone answers; sets m (the
# log mark before the request)
consult_8002() {
	m=$(log_mark)
	check "$1: consult 8002 answers 27" \
		api_is 8001 'EVENT=CONSULT&targetdn=8002&agentgroupid=1&consulttype=internal' 'BackMsg_27'
	check "$1: 8002 answers" wait_log "$m" "consult answered session=$SID" 5
}

# end_call FLOW AGENT: AGENT hangs up (target=all), the call ends
end_call() {
	local m who=$2
	m=$(log_mark)
	T_END=$(now)
	check "$1: hangup target=all by $2" eval '
		api_is "$who" "EVENT=HANGUP&target=all" "|Retuen|1|" &&
		wait_log "$m" "call ended session=$SID" 5'
}
