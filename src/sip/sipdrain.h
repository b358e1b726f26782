/*
 * sipdrain.h — the SIP UDP socket is read until it is empty (EAGAIN) each
 * loop pass, not one datagram per pass as libre reads every socket, so
 * hundreds of busy RTP sockets on the same loop cannot starve signalling.
 * See sipdrain.c for how, and docs/ARCHITECTURE.md for why.
 */
#ifndef OCC_SIPDRAIN_H
#define OCC_SIPDRAIN_H

#include <stdint.h>

/* Around sip_transp_add(sip, SIP_TRANSP_UDP, ...): the read handler libre
 * registers in between is wrapped by the drain. */
void sipdrain_capture_begin(void);
/* Ends the capture; the number of sockets now drained. */
unsigned sipdrain_capture_end(void);

/* h(arg) runs between two datagrams of a long drain, at most every 0.3
 * ms: occd serves the API's ready requests there (httpd_serve_ready), so
 * a burst of SIP does not hold a request back for the whole drain. */
void sipdrain_set_between(void (*h)(void *arg), void *arg);

struct sipdrain_stats {
	uint64_t passes;            /* loop passes that read the socket */
	uint64_t datagrams;         /* datagrams read in them */
	uint64_t capped;            /* passes stopped by SIPDRAIN_BUDGET */
	unsigned most;              /* most datagrams read in one pass */
};
void sipdrain_stats(struct sipdrain_stats *st);

#endif
