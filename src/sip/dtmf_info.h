/*
 * dtmf_info.h — DTMF carried in SIP INFO bodies (RFC 6086 leaves the
 * package to practice): the two forms phones and gateways send,
 *   application/dtmf-relay   "Signal=5\r\nDuration=160\r\n" (Cisco, most
 *                            desk phones)
 *   application/dtmf         "5"
 * A value is one of 0-9 * # A-D (a-d too), or the event code 10-15 some
 * send for * # A-D. Pure: no SIP here; leg_sip_info() (call.c) answers.
 */
#ifndef OCC_DTMF_INFO_H
#define OCC_DTMF_INFO_H

#include <stddef.h>
#include <stdint.h>

enum { DTMF_INFO_MAX = 512 };   /* bytes of a body we read */

enum dtmf_info_type { DTMF_INFO_RELAY, DTMF_INFO_PLAIN };

/* *digit = the key of an INFO body of that type. EINVAL if it names no
 * key, EMSGSIZE if it is longer than DTMF_INFO_MAX. */
int dtmf_info_parse(enum dtmf_info_type type, const uint8_t *body,
		    size_t len, char *digit);

#endif
