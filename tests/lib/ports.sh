# ports.sh — the test ports, shared by every suite that starts SIP peers
# (sourced; it only defines ports_take and port_take).
#
# ports_take N [ARRAY]: N base ports into ARRAY (default P), each the
# first of a block of six (P..P+5: sipp -p P -mp P+2 binds P, P+2 and
# P+4, baresip P, P+1 and P+2) that this shell holds until it exits: a
# lock file per block under /tmp/occ-test-ports, flock'ed on a descriptor
# of this shell (the peers it starts, and what it execs, inherit it), so
# two suites run side by side, from any worktree, never get one block;
# tests/sip/lib/util.py ports offers blocks no suite holds and nothing
# has bound. Returns 1 if N cannot be had.
_ports_lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# _take_locked N ARRAY CMD...: N of the ports CMD M prints (M: how many
# are still wanted) into ARRAY, each one's lock file flock'ed on a
# descriptor of this shell; CMD is asked again (5 times at most) for those
# another suite locked since it looked
_take_locked() {
	local want=$1 p fd try
	local -n _tl_got=$2
	shift 2
	_tl_got=()
	for try in 1 2 3 4 5; do
		for p in $("$@" "$((want - ${#_tl_got[@]}))"); do
			exec {fd}>"${OCC_PORT_LOCKS:-/tmp/occ-test-ports}/$p"
			if flock -n "$fd"; then
				_tl_got+=("$p")
			else
				exec {fd}>&-     # taken since CMD looked
			fi
		done
		[ "${#_tl_got[@]}" -ge "$want" ] && return 0
	done
	return 1
}

ports_take() {
	_take_locked "$1" "${2:-P}" python3 "$_ports_lib/../sip/lib/util.py" ports
}

# port_take VAR: one port for a server into VAR, from 6000-9999, below the
# kernel's ephemeral range (scripts/cluster/free_ports.py; Python tests:
# tests/lib/freeport.py), its lock held like ports_take's blocks.
port_take() {
	local -a _pt_one
	_take_locked 1 _pt_one python3 "$_ports_lib/../../scripts/cluster/free_ports.py" || return 1
	local -n _pt_var=$1
	_pt_var=${_pt_one[0]}
}
