/*
 * retimer.h — occd's definitions of libre's timer functions (tmr_start,
 * tmr_cancel, tmr_poll, tmr_next_timeout), which libre's own code calls
 * too: timers are kept in a heap (base/tmrheap.h) instead of libre's
 * sorted list. See retimer.c for how and docs/ARCHITECTURE.md for why.
 */
#ifndef OCC_RETIMER_H
#define OCC_RETIMER_H

#include <stddef.h>

/* Tests: the current thread's heap takes at most n timers (0: no limit);
 * the others go to libre's list as without this module. */
void retimer_limit(size_t n);

#endif
