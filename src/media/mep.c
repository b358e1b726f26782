/*
 * mep.c — see mep.h.
 */
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <re.h>
#include <rem.h>
#define LOG_TOPIC "media"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/mworker.h"
#include "media/mep.h"

enum {
	PT_TELEV = 101,
	DIGIT_MS = 100,        /* tone length of an API-sent digit */
	DIGIT_GAP_MS = 80,
	FRAME_MAX = 1024,      /* samples per packet we accept */
	PTIME_DEFAULT = 20,    /* ms, RFC 3551, when the SDP says none */
	PTIME_MIN = 10, PTIME_MAX = 60,
	FILL_AFTER_MS = 60,    /* nothing sent this long: silence fills in */
};

enum codec { CODEC_NONE, CODEC_PCMU, CODEC_PCMA };

struct mep {
	struct rtp_sock *rtp;
	struct sdp_session *sdp;
	struct sdp_media *media;
	struct sa laddr;
	struct sa raddr;
	enum codec codec;
	int pt;                /* remote's payload type for the codec */
	int te_pt;             /* remote's telephone-event PT, -1 if none */
	uint8_t pt_codec[128]; /* enum codec of each PT the remote may send */
	bool remote_hold;      /* a=sendonly/inactive or c=0.0.0.0: don't send */
	struct mbuf *rsdp;     /* the remote's last usable SDP, and whether */
	bool rsdp_offer;       /* it was an offer: what a refused one undoes */
	uint32_t ts;           /* next outgoing timestamp */
	bool marker;           /* next audio packet starts a talk spurt */
	/* relayed events */
	uint32_t ev_in_ts, ev_out_ts;
	bool ev_active;
	/* API digits */
	struct telev *telev;
	struct tmr digit_tmr;
	char digits[64];
	size_t digit_pos;
	int digit_phase;       /* 0 idle, 1 tone on, 2 ending, 3 gap */
	int64_t phase_until;
	uint32_t dtmf_ts;
	bool dtmf_first;
	/* the source guard: RTP and RTCP from elsewhere is dropped before
	 * libre decodes it (see mep.h) */
	struct udp_helper *rtp_guard, *rtcp_guard;
	struct sa latched;     /* the source RTP is taken from, once known */
	uint64_t dropped, dropped_told;
	struct sa stranger;    /* the last source dropped */
	/* liveness: whether the remote is meant to send, since when */
	bool rx_expected;
	int64_t rx_expected_ms;
	/* keepalive: silence at the ptime while nothing else is sent */
	struct mclock_user fill_clk;
	struct mworker *mw;    /* whose clock: the one its sockets are on */
	bool filling;
	unsigned ptime;
	int64_t last_tx_ms, fill_start_ms;
	uint64_t fill_frames;
	/* counters */
	int64_t last_rx_ms;
	uint64_t rx, tx;
	mep_audio_h *audioh;
	mep_event_h *eventh;
	void *arg;
	mep_audio_h *taph;     /* a listener besides the owner (mep_set_tap) */
	void *tap_arg;
};

static void mep_destructor(void *arg)
{
	struct mep *m = arg;

	tmr_cancel(&m->digit_tmr);
	mclock_leave(&m->fill_clk);
	mem_deref(m->telev);
	/* the guards leave the sockets' helper lists before the sockets go */
	mem_deref(m->rtp_guard);
	mem_deref(m->rtcp_guard);
	mem_deref(m->rtp);
	mem_deref(m->sdp);
	mem_deref(m->rsdp);
}

/* ---- the source guard ---------------------------------------------------
 * RTP is taken only from the address the remote's SDP names (c= and m=).
 * A party sending from another port of that address (sipp's rtp_stream
 * does) is latched on its first packet; the SDP's own port, once it
 * speaks, takes over for good, and a new SDP naming another address
 * starts again. RTCP: from that address, at its SDP RTCP port (a=rtcp, or
 * the RTP port + 1) or the latched RTP port + 1. Everything else — a
 * stranger spraying a leg's port — is dropped before libre decodes it, so
 * it is neither heard, nor recorded, nor taken for a sign of life. */

static bool rtp_source_ok(struct mep *m, const struct sa *src)
{
	if (!sa_isset(&m->raddr, SA_ALL) || !sa_cmp(src, &m->raddr, SA_ADDR))
		return false;
	if (sa_cmp(src, &m->raddr, SA_ALL) || !sa_isset(&m->latched, SA_ALL))
		m->latched = *src;
	return sa_cmp(src, &m->latched, SA_ALL);
}

static bool rtcp_source_ok(const struct mep *m, const struct sa *src)
{
	struct sa rtcp;

	if (!sa_isset(&m->raddr, SA_ALL) || !sa_cmp(src, &m->raddr, SA_ADDR))
		return false;
	sdp_media_raddr_rtcp(m->media, &rtcp);
	return sa_port(src) == sa_port(&rtcp) ||
		(sa_isset(&m->latched, SA_ALL) &&
		 sa_port(src) == sa_port(&m->latched) + 1);
}

static bool dropped(struct mep *m, const struct sa *src)
{
	m->dropped++;
	m->stranger = *src;
	return true;                   /* handled: libre sees nothing */
}

static bool rtp_guard_h(struct sa *src, struct mbuf *mb, void *arg)
{
	(void)mb;
	return rtp_source_ok(arg, src) ? false : dropped(arg, src);
}

static bool rtcp_guard_h(struct sa *src, struct mbuf *mb, void *arg)
{
	(void)mb;
	return rtcp_source_ok(arg, src) ? false : dropped(arg, src);
}

/* RTCP from the remote says it is there, even while it sends no RTP. */
static void rtcp_recv(const struct sa *src, struct rtcp_msg *msg, void *arg)
{
	struct mep *m = arg;

	(void)src;
	(void)msg;
	m->last_rx_ms = now_ms();
}

/* Is the remote meant to send to us now? Not if it was told (our
 * sendonly/inactive) or told us (its recvonly/inactive, c=0.0.0.0) not
 * to: libre's combined direction, from our side. Nor while it holds us:
 * a=sendonly allows music, but a phone on Hold mutes (RFC 3264 8.4). */
static void update_rx_expected(struct mep *m)
{
	bool expected = mep_ready(m) && !m->remote_hold &&
		(sdp_media_dir(m->media) & SDP_RECVONLY);

	if (expected && !m->rx_expected)
		m->rx_expected_ms = now_ms();
	m->rx_expected = expected;
}

static void rtp_recv(const struct sa *src, const struct rtp_header *hdr,
		     struct mbuf *mb, void *arg)
{
	struct mep *m = arg;
	size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);
	int16_t pcm[FRAME_MAX];
	enum codec c;

	m->last_rx_ms = now_ms();
	m->rx++;
	/* RFC 3550 padding: the last byte counts the padding bytes */
	if (hdr->pad) {
		uint8_t pad = n ? p[n - 1] : 0;
		if (pad == 0 || pad > n)
			return;
		n -= pad;
	}
	if (m->te_pt >= 0 && hdr->pt == m->te_pt) {
		/* RFC 4733: event, E/R/volume, duration; shorter is garbage */
		if (n >= 4 && m->eventh)
			m->eventh(m, p, n, hdr->ts, hdr->m, m->arg);
		return;
	}
	/* the remote may switch between the G.711 types it accepted */
	c = hdr->pt < 128 ? (enum codec)m->pt_codec[hdr->pt] : CODEC_NONE;
	if (c == CODEC_NONE || n == 0 || n > FRAME_MAX)
		return;                /* comfort noise and the like */
	if (c == CODEC_PCMU)
		for (size_t i = 0; i < n; i++)
			pcm[i] = g711_ulaw2pcm(p[i]);
	else
		for (size_t i = 0; i < n; i++)
			pcm[i] = g711_alaw2pcm(p[i]);
	if (m->taph)
		m->taph(m, pcm, n, m->tap_arg);
	if (m->audioh)
		m->audioh(m, pcm, n, m->arg);
}

void mep_input_packet(struct mep *m, struct mbuf *mb)
{
	struct rtp_header hdr;

	/* rtp_decode, as the socket path: it refuses RTP version != 2 */
	if (rtp_decode(m->rtp, mb, &hdr))
		return;
	rtp_recv(NULL, &hdr, mb, m);
}

static int add_formats(struct sdp_media *sm)
{
	int err = sdp_format_add(NULL, sm, false, "0", "PCMU", 8000, 1,
				 NULL, NULL, NULL, false, NULL);
	err |= sdp_format_add(NULL, sm, false, "8", "PCMA", 8000, 1,
			      NULL, NULL, NULL, false, NULL);
	err |= sdp_format_add(NULL, sm, false, "101", "telephone-event", 8000,
			      1, NULL, NULL, NULL, false, "0-15");
	return err;
}

/* Below Linux's ephemeral ports (32768-60999) by default, so a client
 * socket of this machine never holds an RTP port nor the reverse. */
static uint16_t port_min = MEP_PORT_MIN, port_max = MEP_PORT_MAX;

int mep_port_range(uint16_t min, uint16_t max)
{
	if (min >= max)
		return EINVAL;
	port_min = min;
	port_max = max;
	return 0;
}

int mep_alloc(struct mep **mp, const struct sa *ip, mep_audio_h *ah,
	      mep_event_h *eh, void *arg)
{
	struct mep *m = mem_zalloc(sizeof(*m), mep_destructor);
	int err;

	if (!m)
		return ENOMEM;
	m->audioh = ah;
	m->eventh = eh;
	m->arg = arg;
	m->te_pt = -1;
	m->marker = true;
	m->ts = rand_u32();
	tmr_init(&m->digit_tmr);
	m->ptime = PTIME_DEFAULT;
	m->mw = mworker_captured();
	err = rtp_listen(&m->rtp, IPPROTO_UDP, ip, port_min, port_max,
			 true, rtp_recv, rtcp_recv, m);
	if (!err)
		err = udp_register_helper(&m->rtp_guard, rtp_sock(m->rtp), 0,
					  NULL, rtp_guard_h, m);
	if (!err)
		err = udp_register_helper(&m->rtcp_guard, rtcp_sock(m->rtp),
					  0, NULL, rtcp_guard_h, m);
	if (err)
		goto out;
	m->laddr = *rtp_local(m->rtp);
	err = sdp_session_alloc(&m->sdp, &m->laddr);
	err |= sdp_media_add(&m->media, m->sdp, "audio", sa_port(&m->laddr),
			     "RTP/AVP");
	if (!err)
		err = add_formats(m->media);
	if (!err)
		err = telev_alloc(&m->telev, 20);
 out:
	if (err)
		mem_deref(m);
	else
		*mp = m;
	return err;
}

void mep_set_handlers(struct mep *m, mep_audio_h *ah, mep_event_h *eh,
		      void *arg)
{
	m->audioh = ah;
	m->eventh = eh;
	m->arg = arg;
}

void mep_set_tap(struct mep *m, mep_audio_h *th, void *arg)
{
	m->taph = th;
	m->tap_arg = arg;
}

/* The G.711 codec a remote format stands for: by name, or by the static
 * payload type when the offer has no rtpmap line. A static type renamed to
 * something else (a=rtpmap:0 PCMA) or a type beyond 127 is not usable:
 * our answer would describe it differently from what we would send. */
static enum codec codec_of(const struct sdp_format *f)
{
	enum codec by_pt = f->pt == 0 ? CODEC_PCMU : f->pt == 8 ? CODEC_PCMA
		: CODEC_NONE;
	enum codec by_name = !f->name ? CODEC_NONE
		: !str_casecmp(f->name, "PCMU") ? CODEC_PCMU
		: !str_casecmp(f->name, "PCMA") ? CODEC_PCMA : CODEC_NONE;

	if (f->pt < 0 || f->pt > 127 || (f->srate && f->srate != 8000))
		return CODEC_NONE;
	if (f->pt < 96)
		return !f->name || by_name == by_pt ? by_pt : CODEC_NONE;
	return by_name;
}

/* The remote's a=ptime: how much audio each of our packets should carry
 * (RFC 4566), within what we can send; 20 ms when it says nothing. */
static unsigned remote_ptime(const struct mep *m)
{
	const char *v = sdp_media_rattr(m->media, "ptime");
	unsigned ms = v ? (unsigned)strtoul(v, NULL, 10) : 0;

	if (!ms)
		return PTIME_DEFAULT;
	return ms < PTIME_MIN ? PTIME_MIN : ms > PTIME_MAX ? PTIME_MAX : ms;
}

/* A payload type: 7 bits, written as a plain number. An RTP/AVP m= line
 * lists only those, but libre takes any token (an m= line run into the
 * next one: "0 8 m=audio") as type atoi(id), 0 for a word, and answers
 * for the types it matched by other rules: our choice and its answer
 * would differ (the fuzzer's SDP-8). */
static bool pt_id(const struct sdp_format *f)
{
	const char *id = f->id;
	int v = 0;

	if (!id || !*id || (id[0] == '0' && id[1]))
		return false;
	for (; *id; id++) {
		if (*id < '0' || *id > '9' || v > 127)
			return false;
		v = v * 10 + (*id - '0');
	}
	return v <= 127 && v == f->pt;
}

/* After an SDP exchange: the remote's address, codec and event PT. The new
 * state is worked out first and taken only if usable, so a refused
 * re-offer leaves a running call as it was (RFC 3261 14.2). */
static int apply_remote(struct mep *m)
{
	const struct list *lst = sdp_media_format_lst(m->media, false);
	const struct sdp_format *te = sdp_media_rformat(m->media,
						       "telephone-event");
	const struct sa *raddr = sdp_media_raddr(m->media);
	enum sdp_dir rdir = sdp_media_rdir(m->media);
	uint8_t pt_codec[128] = { 0 };
	enum codec codec = CODEC_NONE;
	int pt = -1;
	struct le *le;
	struct sa rtcp;

	LIST_FOREACH(lst, le) {
		const struct sdp_format *f = le->data;
		enum codec c;
		/* 0 and 8 mean G.711 at 8 kHz: an offer that says otherwise
		 * (a=rtpmap:8 PCMA/8) cannot be answered truthfully, as
		 * libre's answer keeps a static type by its number alone */
		if (!pt_id(f))
			return EPROTO;
		if ((f->pt == 0 || f->pt == 8) &&
		    ((f->name && str_casecmp(f->name, f->pt ? "PCMA" : "PCMU")) ||
		     (f->srate && f->srate != 8000)))
			return EPROTO;
		/* one payload type, two meanings: nothing sane to answer */
		for (struct le *l2 = le->next; l2; l2 = l2->next) {
			const struct sdp_format *g = l2->data;
			if (g->pt == f->pt && str_casecmp(g->name ? g->name : "",
							   f->name ? f->name : ""))
				return EPROTO;
		}
		c = f->sup ? codec_of(f) : CODEC_NONE;
		if (c == CODEC_NONE)
			continue;
		pt_codec[f->pt] = (uint8_t)c;
		if (codec == CODEC_NONE) {     /* the remote's first choice */
			codec = c;
			pt = f->pt;
		}
	}
	if (codec == CODEC_NONE)
		return EPROTO;
	/* an IPv6 party cannot reach our IPv4 socket, nor the reverse */
	if (sa_isset(raddr, SA_ADDR) && sa_af(raddr) != sa_af(&m->laddr))
		return EPROTO;
	m->codec = codec;
	m->pt = pt;
	memcpy(m->pt_codec, pt_codec, sizeof(pt_codec));
	/* telephone-event is always dynamic */
	m->te_pt = te && te->pt >= 96 && te->pt <= 127 ? te->pt : -1;
	/* libre keeps rdir from our side: its SENDONLY bit says we may send
	 * (the remote said sendrecv or recvonly) */
	m->remote_hold = !(rdir & SDP_SENDONLY);
	/* c=0.0.0.0, old-style hold: no address to send to until a re-offer
	 * gives one; an offer without any c= keeps the one we have */
	if (sa_af(raddr) != AF_UNSPEC && !sa_isset(raddr, SA_ADDR))
		sa_init(&m->raddr, AF_UNSPEC);
	if (sa_isset(raddr, SA_ALL) && !sa_cmp(&m->raddr, raddr, SA_ALL)) {
		m->raddr = *raddr;
		sa_init(&m->latched, AF_UNSPEC);     /* a new address: anew */
		sdp_media_raddr_rtcp(m->media, &rtcp);
		rtcp_start(m->rtp, "occ", &rtcp);
	}
	m->ptime = remote_ptime(m);
	update_rx_expected(m);
	return 0;
}

/* Text SDP only: a NUL or control byte makes libre read (and echo) lines
 * differently from what the sender meant. */
static bool sdp_clean(const struct mbuf *mb)
{
	for (size_t i = mb->pos; i < mb->end; i++) {
		uint8_t c = mb->buf[i];
		if ((c < 0x20 && c != '\r' && c != '\n' && c != '\t') ||
		    c == 0x7f)
			return false;
	}
	return true;
}

int mep_offer(struct mep *m, struct mbuf **descp)
{
	return sdp_encode(descp, m->sdp, true);
}

/* The remote's SDP into libre's session and our state. libre forgets the
 * previous remote SDP before it parses the new one, so a refused one is
 * undone by decoding the last usable one again: the address RTCP is
 * taken from, the direction and the formats we offer stay as they were. */
static int take_remote(struct mep *m, struct mbuf *mb, bool offer)
{
	size_t pos = mb->pos;
	int err = sdp_clean(mb) ? sdp_decode(m->sdp, mb, offer) : EPROTO;

	if (!err)
		err = apply_remote(m);
	if (!err) {
		mem_deref(m->rsdp);
		m->rsdp = mbuf_alloc(mb->end - pos);
		if (m->rsdp)
			(void)mbuf_write_mem(m->rsdp, mb->buf + pos,
					     mb->end - pos);
		m->rsdp_offer = offer;
	}
	else if (m->rsdp) {
		m->rsdp->pos = 0;
		(void)sdp_decode(m->sdp, m->rsdp, m->rsdp_offer);
	}
	return err;
}

int mep_take_offer(struct mep *m, struct mbuf *offer, struct mbuf **answerp)
{
	struct le *le;
	int err;

	/* no SDP (a re-INVITE without one, RFC 3261 14.2): our offer goes
	 * in the 200 and the remote answers in the ACK (mep_take_answer).
	 * As for a new call, every format we take: the party may be another
	 * one now (a transfer beyond a carrier) */
	if (!mbuf_get_left(offer)) {
		LIST_FOREACH(sdp_media_format_lst(m->media, true), le)
			((struct sdp_format *)le->data)->sup = true;
		return sdp_encode(answerp, m->sdp, true);
	}
	err = take_remote(m, offer, true);
	if (!err)
		err = sdp_encode(answerp, m->sdp, false);
	return err;
}

int mep_take_answer(struct mep *m, struct mbuf *answer)
{
	return take_remote(m, answer, false);
}

void mep_set_ldir(struct mep *m, bool sendonly)
{
	sdp_media_set_ldir(m->media, sendonly ? SDP_SENDONLY : SDP_SENDRECV);
	update_rx_expected(m);
}

/* May we send now? Not while the remote holds us. */
static bool may_send(const struct mep *m)
{
	return mep_ready(m) && !m->remote_hold;
}

static void send_pkt(struct mep *m, bool marker, int pt, uint32_t ts,
		     const uint8_t *p, size_t n)
{
	struct mbuf *mb = mbuf_alloc(RTP_HEADER_SIZE + n);

	if (!mb)
		return;
	mb->pos = mb->end = RTP_HEADER_SIZE;
	mbuf_write_mem(mb, p, n);
	mb->pos = RTP_HEADER_SIZE;
	if (!rtp_send(m->rtp, &m->raddr, false, marker, (uint8_t)pt, ts, mb))
		m->tx++;
	m->last_tx_ms = now_ms();
	mem_deref(mb);
}

static void send_audio(struct mep *m, const int16_t *pcm, size_t n)
{
	uint8_t enc[FRAME_MAX];

	if (!may_send(m) || n == 0 || n > FRAME_MAX)
		return;
	if (m->codec == CODEC_PCMU)
		for (size_t i = 0; i < n; i++)
			enc[i] = g711_pcm2ulaw(pcm[i]);
	else
		for (size_t i = 0; i < n; i++)
			enc[i] = g711_pcm2alaw(pcm[i]);
	send_pkt(m, m->marker, m->pt, m->ts, enc, n);
	m->marker = false;
	m->ts += (uint32_t)n;
}

void mep_send_pcm(struct mep *m, const int16_t *pcm, size_t n)
{
	m->filling = false;            /* real audio again */
	send_audio(m, pcm, n);
}

/* The keepalive, on the media clock: once nothing was sent for
 * FILL_AFTER_MS, silence at the remote's ptime until real audio comes
 * again (at most five frames to catch up after a late tick). */
static void fill_tick(void *arg)
{
	static const int16_t silence[PTIME_MAX * 8];
	struct mep *m = arg;
	int64_t now = now_ms();
	uint64_t due;

	if (!may_send(m)) {
		m->filling = false;
		return;
	}
	if (!m->filling) {
		if (now - m->last_tx_ms < FILL_AFTER_MS)
			return;
		m->filling = true;
		m->fill_start_ms = now;
		m->fill_frames = 0;
	}
	due = (uint64_t)(now - m->fill_start_ms) / m->ptime + 1;
	if (due > m->fill_frames + 5)
		m->fill_frames = due - 5;
	for (; m->fill_frames < due; m->fill_frames++)
		send_audio(m, silence, m->ptime * 8);
}

void mep_keepalive(struct mep *m, bool on)
{
	if (on)
		mclock_join_on(&m->fill_clk, m->mw, fill_tick, m);
	else
		mclock_leave(&m->fill_clk);
}

void mep_send_event(struct mep *m, const uint8_t *p, size_t len,
		    uint32_t in_ts, bool marker)
{
	if (!may_send(m) || m->te_pt < 0 || len < 4)
		return;
	m->filling = false;
	if (!m->ev_active || in_ts != m->ev_in_ts) {
		m->ev_active = true;
		m->ev_in_ts = in_ts;
		m->ev_out_ts = m->ts;
	}
	send_pkt(m, marker, m->te_pt, m->ev_out_ts, p, len);
	/* the audio clock moves on by the event's duration so far */
	uint32_t dur = (uint32_t)p[2] << 8 | p[3];
	if ((int32_t)(m->ev_out_ts + dur - m->ts) > 0)
		m->ts = m->ev_out_ts + dur;
}

/* The digit sender: every 20 ms, poll telev for a packet. A digit is on
 * for DIGIT_MS, then ended (telev sends the end packets), then a gap. */
static void digit_tick(void *arg)
{
	struct mep *m = arg;
	struct mbuf *mb = mbuf_alloc(64);
	int64_t now = now_ms();
	bool marker = false;

	if (!mb)
		return;
	if (m->digit_phase == 0 || (m->digit_phase == 3 &&
				    now >= m->phase_until)) {
		if (m->digit_pos >= strlen(m->digits)) {
			m->digit_phase = 0;
			m->digits[0] = '\0';
			m->digit_pos = 0;
			mem_deref(mb);
			return;
		}
		telev_send(m->telev, telev_digit2code(m->digits[m->digit_pos++]),
			   false);
		m->digit_phase = 1;
		m->phase_until = now + DIGIT_MS;
		m->dtmf_first = true;
	}
	else if (m->digit_phase == 1 && now >= m->phase_until) {
		telev_send(m->telev, 0, true);
		m->digit_phase = 2;
	}
	mb->pos = mb->end = RTP_HEADER_SIZE;
	if (!telev_poll(m->telev, &marker, mb)) {
		if (marker || m->dtmf_first) {
			m->dtmf_ts = m->ts;
			m->dtmf_first = false;
		}
		mb->pos = RTP_HEADER_SIZE;
		/* a remote that put us on hold meanwhile gets none of it */
		if (may_send(m) &&
		    !rtp_send(m->rtp, &m->raddr, false, marker,
			      (uint8_t)m->te_pt, m->dtmf_ts, mb))
			m->tx++;
		m->last_tx_ms = now;
		m->filling = false;
	}
	else if (m->digit_phase == 2) {
		/* telev has sent the end packets: the digit is over */
		m->ts = m->dtmf_ts + (DIGIT_MS + 60) * 8;
		m->digit_phase = 3;
		m->phase_until = now + DIGIT_GAP_MS;
	}
	mem_deref(mb);
	tmr_start(&m->digit_tmr, 20, digit_tick, m);
}

int mep_send_digits(struct mep *m, const char *digits)
{
	size_t have = strlen(m->digits), add = strlen(digits);

	if (!mep_ready(m) || m->te_pt < 0)
		return ENOTSUP;
	if (m->remote_hold)
		return EAGAIN;         /* it holds us: it would hear nothing */
	if (have + add >= sizeof(m->digits))
		return E2BIG;
	for (size_t i = 0; i < add; i++)
		if (telev_digit2code(digits[i]) < 0)
			return EINVAL;
	strcat(m->digits, digits);
	if (m->digit_phase == 0)
		tmr_start(&m->digit_tmr, 0, digit_tick, m);
	return 0;
}

bool mep_ready(const struct mep *m)
{
	return m->codec != CODEC_NONE && sa_isset(&m->raddr, SA_ALL);
}


const char *mep_codec(const struct mep *m)
{
	return m->codec == CODEC_PCMU ? "PCMU"
		: m->codec == CODEC_PCMA ? "PCMA" : "";
}

bool mep_has_telev(const struct mep *m)
{
	return m->te_pt >= 0;
}

int64_t mep_last_rx_ms(const struct mep *m)
{
	return m->last_rx_ms;
}

int64_t mep_rx_due_since(const struct mep *m)
{
	if (!m->rx_expected)
		return 0;
	return m->last_rx_ms > m->rx_expected_ms ? m->last_rx_ms
		: m->rx_expected_ms;
}

uint64_t mep_take_dropped(struct mep *m, struct sa *last_src)
{
	uint64_t n = m->dropped - m->dropped_told;

	m->dropped_told = m->dropped;
	if (last_src)
		*last_src = m->stranger;
	return n;
}

uint64_t mep_rx_packets(const struct mep *m)
{
	return m->rx;
}

uint64_t mep_tx_packets(const struct mep *m)
{
	return m->tx;
}

const struct sa *mep_laddr(const struct mep *m)
{
	return &m->laddr;
}

const struct sa *mep_raddr(const struct mep *m)
{
	return &m->raddr;
}

enum sdp_dir mep_rdir(const struct mep *m)
{
	return sdp_media_rdir(m->media);
}
