/*
 * amdtap.h — answering-machine detection (media/amd.h) on a call leg: the
 * detector hears the leg's received audio (a tap on its media endpoint,
 * mep_set_tap) from amd_tap_start on, with arrival times as timestamps,
 * and time that passes without audio counts as silence. The verdict is
 * reported once, to the callback, from a timer on occd's loop (never
 * inside the RTP handler), so the callback may do anything: hang up,
 * bridge, stop the tap, start another.
 *
 * If the leg's party hangs up before a verdict, the callback gets
 * AMD_HANGUP at once, inside the hangup's handling: it must not end the
 * call or free the leg then (they are ending already). A tap stopped by
 * amd_tap_stop, or released with the leg at the call's end, reports
 * nothing.
 *
 * The dialer host starts it on the answered customer leg of a campaign
 * with amd on (dialerhost.c), and `[amd] outbound = 1` on every other
 * customer leg of a call to a number, with amd_tap_record as callback
 * (docs/DIALER.md).
 */
#ifndef OCC_AMDTAP_H
#define OCC_AMDTAP_H

#include "media/amd.h"

struct leg;
struct conf;

typedef void (amd_tap_h)(struct leg *l, const struct amd_result *r,
			 void *arg);

/* EALREADY if the leg has a tap, EINVAL without media (a virtual leg),
 * ENOMEM. p NULL: the defaults. */
int  amd_tap_start(struct leg *l, const struct amd_params *p, amd_tap_h *cb,
		   void *arg);
void amd_tap_stop(struct leg *l);
/* call.c: the leg's party hung up (HANGUP if still undecided), and the
 * leg is released (silently) */
void amd_tap_hangup(struct leg *l);
void amd_tap_release(struct leg *l);

/* The [amd] keys of the configuration as parameters. */
void amd_params_from_conf(struct amd_params *p, const struct conf *cfg);
/* A reporter: one log line `amd verdict ...` and the CDR's vars amd,
 * amd_cause, amd_ms (the analysed time at the verdict). */
void amd_tap_record(struct leg *l, const struct amd_result *r, void *arg);

#endif
