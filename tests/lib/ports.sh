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
_ports_util=$(cd "$(dirname "${BASH_SOURCE[0]}")/../sip/lib" && pwd)/util.py
ports_take() {
	local want=$1 p fd try
	local -n got=${2:-P}
	got=()
	for try in 1 2 3 4 5; do
		while read -r p; do
			exec {fd}>"${OCC_PORT_LOCKS:-/tmp/occ-test-ports}/$p"
			if flock -n "$fd"; then
				got+=("$p")
			else
				exec {fd}>&-     # taken since util.py looked
			fi
		done < <(python3 "$_ports_util" ports "$((want - ${#got[@]}))")
		[ "${#got[@]}" -ge "$want" ] && return 0
	done
	return 1
}

# port_take VAR: one port for a server (tests/lib/freeport.py: 6000-9999,
# below the ephemeral range) into VAR, its lock held like ports_take's.
_freeport=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/freeport.py
port_take() {
	local -n one=$1
	local p fd try
	for try in 1 2 3 4 5; do
		while read -r p; do
			exec {fd}>"${OCC_PORT_LOCKS:-/tmp/occ-test-ports}/$p"
			if flock -n "$fd"; then
				one=$p
				return 0
			fi
			exec {fd}>&-
		done < <(python3 "$_freeport" 4)
	done
	return 1
}
