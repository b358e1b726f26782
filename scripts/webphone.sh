#!/usr/bin/env bash
# webphone.sh up|down RUNDIR — the browser phone's engines for occd:
# Kamailio (SIP over WebSocket <-> occd's SIP over UDP, Debian's kamailio
# and kamailio-websocket-modules) and rtpengine (WebRTC media <-> RTP/G.711,
# Debian's rtpengine-daemon, userspace only: --table=-1, no kernel module).
#
#   up RUNDIR OCC_SIP   start both; OCC_SIP is occd's [sip] listen
#                       (HOST:PORT). Prints, and writes to RUNDIR/env:
#                         phone_ws=ws://HOST:PORT   ([web] phone_ws)
#                         webphone_proxy=IP         ([sip] webphone_proxy)
#   down RUNDIR         stop them (and remove nothing else)
#
# Ports are free ones picked at start unless WEBPHONE_WS_PORT (the
# WebSocket's) is set; WEBPHONE_WS_ADDR (127.0.0.1) is where browsers
# connect — put a TLS proxy (nginx) in front for wss:// (docs/OPERATIONS.md,
# "Browser phone"). Logs: RUNDIR/kamailio.log, RUNDIR/rtpengine.log.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

ng_ping() {  # ng_ping PORT: rtpengine answers its control protocol's ping
	python3 - "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(b"1 d7:command4:pinge", ("127.0.0.1", int(sys.argv[1])))
try: sys.exit(0 if b"pong" in s.recv(200) else 1)
except OSError: sys.exit(1)
PY
}

stop_pid() {  # stop_pid FILE: TERM the process, then KILL after 5 s
	local f=$1 pid i
	[ -s "$f" ] || return 0
	pid=$(cat "$f")
	rm -f "$f"
	kill -0 "$pid" 2>/dev/null || return 0
	kill "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

down() {
	stop_pid "$1/kamailio.pid"
	stop_pid "$1/rtpengine.pid"
}

up() {
	local run=$1 occ_sip=$2
	local occ_host=${occ_sip%:*}
	command -v kamailio >/dev/null && command -v rtpengine >/dev/null || {
		echo "webphone: kamailio and rtpengine are not installed" \
			"(apt-get install kamailio kamailio-websocket-modules rtpengine-daemon)" >&2
		exit 1
	}
	mkdir -p "$run"
	run=$(cd "$run" && pwd)
	down "$run"
	local ws_addr=${WEBPHONE_WS_ADDR:-127.0.0.1}
	# free ports below the kernel's ephemeral range (cluster/free_ports.py)
	local -a fp
	read -r -a fp <<<"$(python3 "$here/cluster/free_ports.py" 3)"
	local ws_port=${WEBPHONE_WS_PORT:-${fp[0]}}
	local sip_port=${fp[1]} ng_port=${fp[2]} rtp_min
	# a range of 200 RTP ports (rtpengine skips busy ones)
	rtp_min=$((20000 + (RANDOM % 200) * 200))
	local mpath=/usr/lib/x86_64-linux-gnu/kamailio/modules/
	[ -d "$mpath" ] || mpath=$(dirname "$(find /usr/lib -name websocket.so -path '*kamailio*' | head -1)")/

	rtpengine --config-file=none --table=-1 --interface=127.0.0.1 \
		--listen-ng="127.0.0.1:$ng_port" --port-min="$rtp_min" \
		--port-max=$((rtp_min + 199)) --foreground --log-stderr \
		--log-level="${WEBPHONE_LOG_LEVEL:-5}" \
		>"$run/rtpengine.log" 2>&1 &
	echo $! >"$run/rtpengine.pid"
	# Kamailio pings rtpengine when it starts (and disables it for a
	# minute when it does not answer): rtpengine first
	local i
	for ((i = 0; i < 300; i++)); do
		ng_ping "$ng_port" && break
		kill -0 "$(cat "$run/rtpengine.pid")" 2>/dev/null || break
		sleep 0.1
	done
	ng_ping "$ng_port" || {
		echo "webphone: rtpengine did not start; $run/rtpengine.log:" >&2
		tail -5 "$run/rtpengine.log" >&2
		down "$run"
		exit 1
	}

	sed -e "s|@DEBUG@|${WEBPHONE_KAMAILIO_DEBUG:-1}|; s|@SIP_ADDR@|127.0.0.1|" \
		-e "s|@SIP_PORT@|$sip_port|; s|@WS_ADDR@|$ws_addr|; s|@WS_PORT@|$ws_port|" \
		-e "s|@MPATH@|$mpath|; s|@NG_PORT@|$ng_port|; s|@OCC_SIP@|$occ_sip|g" \
		-e "s|@OCC_HOST@|$occ_host|g" "$here/webphone/kamailio.cfg" >"$run/kamailio.cfg"
	kamailio -c -f "$run/kamailio.cfg" >"$run/kamailio-check.log" 2>&1 || {
		cat "$run/kamailio-check.log" >&2
		down "$run"
		exit 1
	}
	kamailio -f "$run/kamailio.cfg" -DD -E -Y "$run" -w "$run" -m 64 -M 8 \
		>"$run/kamailio.log" 2>&1 &
	echo $! >"$run/kamailio.pid"

	# up when the WebSocket port answers
	for ((i = 0; i < 300; i++)); do
		(exec 3<>"/dev/tcp/$ws_addr/$ws_port") 2>/dev/null && break
		if ! kill -0 "$(cat "$run/kamailio.pid")" 2>/dev/null; then
			echo "webphone: kamailio did not start; $run/kamailio.log:" >&2
			tail -5 "$run/kamailio.log" >&2
			down "$run"
			exit 1
		fi
		sleep 0.1
	done
	printf 'phone_ws=ws://%s:%s\nwebphone_proxy=127.0.0.1\n' "$ws_addr" "$ws_port" |
		tee "$run/env"
}

case "${1:-}" in
up)   [ $# -eq 3 ] || { echo "usage: $0 up RUNDIR OCC_SIP_HOST:PORT" >&2; exit 2; }
      up "$2" "$3" ;;
down) [ $# -eq 2 ] || { echo "usage: $0 down RUNDIR" >&2; exit 2; }
      down "$2" ;;
*)    echo "usage: $0 up RUNDIR OCC_SIP_HOST:PORT | down RUNDIR" >&2; exit 2 ;;
esac
