/*
 * mep.h — a media endpoint: one RTP/RTCP socket pair facing one remote
 * party, its SDP (G.711 PCMU and PCMA, RFC 4733 telephone-event), and the
 * codec work: received audio is decoded to 16-bit PCM and handed to the
 * owner; PCM the owner sends is encoded in the codec the remote chose. So
 * two endpoints bridged through PCM transcode PCMU<->PCMA by construction.
 *
 * Outgoing RTP timestamps are the endpoint's own (it advances them by the
 * samples it sends); telephone-events keep one timestamp per event.
 *
 * Sources: RTP and RTCP are taken only from the address the remote's SDP
 * names (a sender using another port of that address is latched on its
 * first packet, until the SDP's port itself speaks or a new SDP names
 * another address); anything else is dropped and counted. Liveness: the
 * remote is "due" to send while the negotiated direction says it sends
 * and it does not hold us (a phone on Hold says a=sendonly and mutes);
 * RTP or RTCP from it counts as heard. Keepalive: while on, a remote
 * that may receive gets silence at its ptime whenever the owner sends
 * nothing, so it never faces a silent stream the SDP said would flow.
 */
#ifndef OCC_MEP_H
#define OCC_MEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

struct mep;

/* Decoded audio from the remote (n samples at 8 kHz). */
typedef void (mep_audio_h)(struct mep *m, const int16_t *pcm, size_t n,
			   void *arg);
/* A telephone-event packet from the remote: its RFC 4733 payload (len is
 * at least 4), the RTP timestamp (constant within one event) and marker. */
typedef void (mep_event_h)(struct mep *m, const uint8_t *p, size_t len,
			   uint32_t ts, bool marker, void *arg);

/* The UDP ports endpoints bind: an even one for RTP and the next for RTCP,
 * from [min, max] ([media] rtp_port_min/max; MEP_PORT_MIN/MAX until set).
 * Set once at start, before any endpoint: EINVAL unless min < max. */
enum { MEP_PORT_MIN = 20000, MEP_PORT_MAX = 32767 };
int  mep_port_range(uint16_t min, uint16_t max);
/* An endpoint on ip with its own port pair from that range (libre tries 64
 * random ones: a range a quarter free still finds one). */
int  mep_alloc(struct mep **mp, const struct sa *ip, mep_audio_h *ah,
	       mep_event_h *eh, void *arg);
void mep_set_handlers(struct mep *m, mep_audio_h *ah, mep_event_h *eh,
		      void *arg);

/* A tap: th(m, pcm, n, arg) hears the remote's decoded audio too, before
 * the owner's handler (answering-machine detection, sip/amdtap.h); NULL
 * removes it. One tap at a time. */
void mep_set_tap(struct mep *m, mep_audio_h *th, void *arg);

/* SDP. offer: a new offer (or re-offer); take_offer: the remote's offer,
 * answered into *answerp — or, when it has no SDP (a re-INVITE without
 * one), our offer of every format we take into *answerp, to be answered
 * by take_answer; take_answer: the remote's answer to ours. A refused
 * SDP (an error) leaves the endpoint as it was. */
int  mep_offer(struct mep *m, struct mbuf **descp);
int  mep_take_offer(struct mep *m, struct mbuf *offer, struct mbuf **answerp);
int  mep_take_answer(struct mep *m, struct mbuf *answer);
/* What we tell the remote: sendrecv, or sendonly while holding it. */
void mep_set_ldir(struct mep *m, bool sendonly);

/* Send audio (n samples at 8 kHz) in the remote's codec. */
void mep_send_pcm(struct mep *m, const int16_t *pcm, size_t n);
/* Relay a telephone-event packet received on another endpoint. */
void mep_send_event(struct mep *m, const uint8_t *p, size_t len,
		    uint32_t in_ts, bool marker);
/* Queue DTMF digits (0-9 * # A-D) to send as RFC 4733 events: ENOTSUP
 * when the remote takes none, EAGAIN while it holds us. */
int  mep_send_digits(struct mep *m, const char *digits);

/* A raw RTP packet as if it had arrived on the socket (header decoded
 * here); the path the RTP fuzz target drives. */
void mep_input_packet(struct mep *m, struct mbuf *mb);

/* Silence at the remote's ptime whenever nothing else is sent (on the
 * media clock); the owner turns it on once the party has answered. */
void mep_keepalive(struct mep *m, bool on);

bool mep_ready(const struct mep *m);        /* codec and address known */
const char *mep_codec(const struct mep *m); /* "PCMU", "PCMA" or "" */
bool mep_has_telev(const struct mep *m);
int64_t mep_last_rx_ms(const struct mep *m);
/* Since when the remote, meant to send now, has been silent: the later of
 * its last RTP/RTCP and the moment it was last meant to start sending.
 * 0 while it is not meant to send (either side's sendonly, recvonly,
 * inactive, no address): such a stream never times out. */
int64_t mep_rx_due_since(const struct mep *m);
/* Packets dropped from strangers since the last call, and the last
 * stranger's address (for the owner's log line). */
uint64_t mep_take_dropped(struct mep *m, struct sa *last_src);
uint64_t mep_rx_packets(const struct mep *m);
uint64_t mep_tx_packets(const struct mep *m);
const struct sa *mep_laddr(const struct mep *m);
const struct sa *mep_raddr(const struct mep *m);
enum sdp_dir mep_rdir(const struct mep *m);

#endif
