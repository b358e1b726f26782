#!/usr/bin/env bash
# check-symbols.sh BINARY — fail if the binary defines a global function
# that one of its shared libraries also exports (data symbols are left out:
# a library's tables the binary uses are copied into it by design). The dynamic linker
# resolves a library's calls to its own exported functions to the
# executable's definition when the names are equal (symbol interposition):
# occd's member_find() once replaced libre's internal one of the same name,
# and libre's RTCP code called it with the wrong arguments.
#
# The intended clashes: src/base/libre_log.c defines re_fprintf() so that
# libre's warnings to stderr become occd log lines (libre has no hook), and
# src/sip/sipdrain.c defines fd_listen() and fd_close() so that the SIP
# socket is read until empty each loop pass (libre reads one datagram),
# and src/media/mworker.c defines epoll_wait() so that the event loop hands
# the media workers their turn while it waits (libc's is called through),
# and src/base/retimer.c defines tmr_start(), tmr_cancel(), tmr_poll() and
# tmr_next_timeout() so that libre's timers are kept in a heap (libre's
# sorted list inserts in O(n)).
set -u
intended='re_fprintf|fd_listen|fd_close|epoll_wait|tmr_start|tmr_cancel|tmr_poll|tmr_next_timeout'
bin=$1
[ -x "$bin" ] || { echo "not ok - no binary $bin"; exit 1; }
ours=$(nm --defined-only --extern-only "$bin" | awk '$2 == "T" {print $3}' | sort -u)
libs=$(ldd "$bin" | awk '/=> \// {print $3}')
clash=0
for lib in $libs; do
	theirs=$(nm -D --defined-only "$lib" 2>/dev/null | awk '{print $3}' | sed 's/@.*//' | sort -u)
	both=$(comm -12 <(echo "$ours") <(echo "$theirs") |
	       grep -vE '^(_init|_fini|_start|main|_end|_edata|__bss_start|__data_start|data_start|_IO_stdin_used|__dso_handle|__libc_csu_init|__libc_csu_fini|_ITM_.*|__.*|'"$intended"')$')
	if [ -n "$both" ]; then
		echo "not ok - $bin and $(basename "$lib") both define: $(echo $both)"
		clash=1
	fi
done
[ $clash -eq 0 ] && echo "ok - $(basename "$bin") defines no symbol its libraries export (but ${intended//|/, }, on purpose)"
exit $clash
