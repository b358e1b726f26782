/*
 * mep.c — see mep.h.
 */
#include <string.h>
#include <netinet/in.h>
#include <re.h>
#include <rem.h>
#define LOG_TOPIC "media"
#include "base/log.h"
#include "core/model.h"
#include "media/mep.h"

enum {
	PT_TELEV = 101,
	RTP_PORT_MIN = 20000,
	RTP_PORT_MAX = 40000,
	DIGIT_MS = 100,        /* tone length of an API-sent digit */
	DIGIT_GAP_MS = 80,
	FRAME_MAX = 1024,      /* samples per packet we accept */
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
	/* counters */
	int64_t last_rx_ms;
	uint64_t rx, tx;
	mep_audio_h *audioh;
	mep_event_h *eventh;
	void *arg;
};

static void mep_destructor(void *arg)
{
	struct mep *m = arg;

	tmr_cancel(&m->digit_tmr);
	mem_deref(m->telev);
	mem_deref(m->rtp);
	mem_deref(m->sdp);
}

static void rtp_recv(const struct sa *src, const struct rtp_header *hdr,
		     struct mbuf *mb, void *arg)
{
	struct mep *m = arg;
	size_t n = mbuf_get_left(mb);
	const uint8_t *p = mbuf_buf(mb);
	int16_t pcm[FRAME_MAX];

	m->last_rx_ms = now_ms();
	m->rx++;
	if (m->te_pt >= 0 && hdr->pt == m->te_pt) {
		if (m->eventh)
			m->eventh(m, p, n, hdr->ts, hdr->m, m->arg);
		return;
	}
	if (m->codec == CODEC_NONE || n == 0 || n > FRAME_MAX)
		return;
	/* the remote may switch between the codecs it accepted */
	if (hdr->pt == 0)
		for (size_t i = 0; i < n; i++)
			pcm[i] = g711_ulaw2pcm(p[i]);
	else if (hdr->pt == 8)
		for (size_t i = 0; i < n; i++)
			pcm[i] = g711_alaw2pcm(p[i]);
	else
		return;                /* comfort noise and the like */
	if (m->audioh)
		m->audioh(m, pcm, n, m->arg);
}

void mep_input_packet(struct mep *m, struct mbuf *mb)
{
	struct rtp_header hdr;

	if (rtp_hdr_decode(&hdr, mb))
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
	err = rtp_listen(&m->rtp, IPPROTO_UDP, ip, RTP_PORT_MIN, RTP_PORT_MAX,
			 true, rtp_recv, NULL, m);
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

/* After an SDP exchange: the remote's address, codec and event PT. */
static int apply_remote(struct mep *m)
{
	const struct list *lst = sdp_media_format_lst(m->media, false);
	const struct sdp_format *te;
	struct le *le;
	struct sa rtcp;

	m->codec = CODEC_NONE;
	LIST_FOREACH(lst, le) {
		const struct sdp_format *f = le->data;
		if (!f->sup)
			continue;
		if (!str_casecmp(f->name, "PCMU")) {
			m->codec = CODEC_PCMU;
			m->pt = f->pt;
			break;
		}
		if (!str_casecmp(f->name, "PCMA")) {
			m->codec = CODEC_PCMA;
			m->pt = f->pt;
			break;
		}
	}
	te = sdp_media_rformat(m->media, "telephone-event");
	m->te_pt = te ? te->pt : -1;
	if (m->codec == CODEC_NONE)
		return EPROTO;
	if (sa_isset(sdp_media_raddr(m->media), SA_ALL)) {
		if (!sa_cmp(&m->raddr, sdp_media_raddr(m->media), SA_ALL)) {
			m->raddr = *sdp_media_raddr(m->media);
			sdp_media_raddr_rtcp(m->media, &rtcp);
			rtcp_start(m->rtp, "occ", &rtcp);
		}
	}
	return 0;
}

int mep_offer(struct mep *m, struct mbuf **descp)
{
	return sdp_encode(descp, m->sdp, true);
}

int mep_take_offer(struct mep *m, struct mbuf *offer, struct mbuf **answerp)
{
	int err = sdp_decode(m->sdp, offer, true);

	if (!err)
		err = apply_remote(m);
	if (!err)
		err = sdp_encode(answerp, m->sdp, false);
	return err;
}

int mep_take_answer(struct mep *m, struct mbuf *answer)
{
	int err = sdp_decode(m->sdp, answer, false);

	return err ? err : apply_remote(m);
}

void mep_set_ldir(struct mep *m, bool sendonly)
{
	sdp_media_set_ldir(m->media, sendonly ? SDP_SENDONLY : SDP_SENDRECV);
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
	mem_deref(mb);
}

void mep_send_pcm(struct mep *m, const int16_t *pcm, size_t n)
{
	uint8_t enc[FRAME_MAX];

	if (!mep_ready(m) || n == 0 || n > FRAME_MAX)
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

void mep_send_event(struct mep *m, const uint8_t *p, size_t len,
		    uint32_t in_ts, bool marker)
{
	if (!mep_ready(m) || m->te_pt < 0 || len < 4)
		return;
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
		if (!rtp_send(m->rtp, &m->raddr, false, marker,
			      (uint8_t)m->te_pt, m->dtmf_ts, mb))
			m->tx++;
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
