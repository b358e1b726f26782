/*
 * test_media.c — the shared media clock: users called once per tick, free
 * to leave (themselves or others) from inside a tick; the media endpoint:
 * when a remote is due to send, whose packets it takes, and its tap.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <re.h>
#include "unit.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/mep.h"

struct clock_case {
	struct mclock_user a, b, c;
	int na, nb, nc;
};

static void on_a(void *arg)
{
	struct clock_case *k = arg;

	if (++k->na == 3) {           /* b is after a in this tick */
		mclock_leave(&k->b);
		mclock_leave(&k->a);
	}
}

static void on_b(void *arg)
{
	((struct clock_case *)arg)->nb++;
}

static void on_c(void *arg)
{
	struct clock_case *k = arg;

	if (++k->nc == 5) {
		mclock_leave(&k->c);
		re_cancel();
	}
}

static void guard(void *arg)
{
	(void)arg;
	re_cancel();
}

UNIT_TEST(media_clock_users_leave_inside_a_tick)
{
	struct clock_case k = { 0 };
	struct tmr t;
	uint64_t t0 = tmr_jiffies();

	tmr_init(&t);
	tmr_start(&t, 2000, guard, NULL);
	mclock_join(&k.a, on_a, &k);
	mclock_join(&k.b, on_b, &k);
	mclock_join(&k.c, on_c, &k);
	mclock_join(&k.c, on_c, &k);  /* joining twice: still one user */
	UT_ASSERT(mclock_joined(&k.b));
	re_main(NULL);
	tmr_cancel(&t);
	UT_EQ_INT(k.na, 3);
	UT_EQ_INT(k.nb, 2);
	UT_EQ_INT(k.nc, 5);
	UT_ASSERT(!mclock_joined(&k.a) && !mclock_joined(&k.b) &&
		  !mclock_joined(&k.c));
	UT_ASSERT(tmr_jiffies() - t0 >= 4 * MCLOCK_MS);
	mclock_leave(&k.a);           /* leaving twice is harmless */
	UT_EQ_INT(mclock_lag_ms(), 0); /* no user: no clock */
}

/* Frames due: the first at once, and after a late tick at most five made
 * to catch up. */
UNIT_TEST(media_clock_due_frames)
{
	uint64_t done = 0;

	UT_EQ_INT(mclock_due(1000, 1000, &done), 1);
	UT_EQ_INT(done, 0);
	UT_EQ_INT(mclock_due(1000, 1019, &done), 1);
	UT_EQ_INT(mclock_due(1000, 1020, &done), 2);
	done = 2;
	UT_EQ_INT(mclock_due(1000, 1200, &done), 11);   /* 9 behind */
	UT_EQ_INT(done, 6);                             /* 5 to make */
	done = 10;
	UT_EQ_INT(mclock_due(1000, 1200, &done), 11);
	UT_EQ_INT(done, 10);
}

/* ---- the media endpoint: liveness by direction, the source guard -------- */

static const char sdp_fmt[] =
	"v=0\r\no=- 1 %u IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
	"m=audio %u RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=%s\r\n";

static struct mbuf *sdp_of(unsigned ver, const char *ip, unsigned port,
			   const char *dir)
{
	struct mbuf *mb = mbuf_alloc(256);

	if (mb) {
		mbuf_printf(mb, sdp_fmt, ver, ip, port, dir);
		mb->pos = 0;
	}
	return mb;
}

static int take(struct mep *m, bool offer, unsigned ver, const char *ip,
		unsigned port, const char *dir)
{
	struct mbuf *mb = sdp_of(ver, ip, port, dir), *ans = NULL;
	int err = !mb ? ENOMEM : offer ? mep_take_offer(m, mb, &ans)
		: mep_take_answer(m, mb);

	mem_deref(ans);
	mem_deref(mb);
	return err;
}

/* An offer of rtpmap lines (after m=audio ... RTP/AVP fmts) to a fresh
 * endpoint: mep_take_offer's result. */
static int offer_rtpmap(const char *fmts, const char *rtpmap)
{
	struct mbuf *mb = mbuf_alloc(256), *ans = NULL;
	struct mep *m = NULL;
	struct sa ip;
	int err;

	sa_set_str(&ip, "127.0.0.1", 0);
	if (!mb || mep_alloc(&m, &ip, NULL, NULL, NULL)) {
		mem_deref(mb);
		return ENOMEM;
	}
	mbuf_printf(mb, "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
		    "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
		    "m=audio 30000 RTP/AVP %s\r\n%s", fmts, rtpmap);
	mb->pos = 0;
	err = mep_take_offer(m, mb, &ans);
	mem_deref(ans);
	mem_deref(mb);
	mem_deref(m);
	return err;
}

/* Static types 0 and 8 are G.711 at 8 kHz. libre's answer keeps a static
 * type by its number alone, so an offer giving one another clock rate
 * (the fuzzer's SDP-3: a=rtpmap:8 PCMA/8) is refused, as a renamed one
 * is: our answer would say PCMA/8000 for a type we then drop. */
UNIT_TEST(media_offer_of_static_g711_at_another_rate_is_refused)
{
	UT_EQ_INT(offer_rtpmap("0 8", "a=rtpmap:8 PCMA/8000\r\n"), 0);
	UT_EQ_INT(offer_rtpmap("0 8", ""), 0);
	UT_EQ_INT(offer_rtpmap("0 8", "a=rtpmap:8 PCMA/8\r\n"), EPROTO);
	UT_EQ_INT(offer_rtpmap("0", "a=rtpmap:0 PCMU/16000\r\n"), EPROTO);
	UT_EQ_INT(offer_rtpmap("0 8", "a=rtpmap:8 PCMU/8000\r\n"), EPROTO);
}

/* An RTP/AVP m= line lists type numbers; a word among them (an m= line
 * run into the next, the fuzzer's SDP-8) is refused, not taken as type 0
 * while libre answers another type for PCMU. */
UNIT_TEST(media_offer_with_a_format_that_is_not_a_number_is_refused)
{
	UT_EQ_INT(offer_rtpmap("127 0 8", "a=rtpmap:127 PCMU/8000\r\n"), 0);
	UT_EQ_INT(offer_rtpmap("96 m=audio 127 0",
			       "a=rtpmap:96 X/8000\r\n"
			       "a=rtpmap:127 PCMU/8000\r\n"), EPROTO);
	UT_EQ_INT(offer_rtpmap("08", ""), EPROTO);
	UT_EQ_INT(offer_rtpmap("0 RTP/AVP", ""), EPROTO);
}

/* [media] rtp_port_min/max: every endpoint's RTP port lies in the range,
 * its RTCP on the next port, no two endpoints share a port, and a range
 * with every pair taken gives no endpoint rather than a port outside. */
UNIT_TEST(media_endpoint_ports_come_from_the_configured_range)
{
	/* above the kernel's ephemeral ports and every port the other
	 * suites take (their baresips go up to 64999) */
	enum { LO = 65100, HI = 65109, PAIRS = 5 };
	struct mep *m[PAIRS + 1] = { NULL };
	struct sa ip;
	bool seen[HI - LO + 1] = { false };

	UT_EQ_INT(mep_port_range(LO, LO), EINVAL);
	UT_EQ_INT(mep_port_range(HI, LO), EINVAL);
	UT_ASSERT(!mep_port_range(LO, HI));
	sa_set_str(&ip, "127.0.0.1", 0);
	for (int i = 0; i < PAIRS; i++) {
		UT_ASSERT(!mep_alloc(&m[i], &ip, NULL, NULL, NULL));
		unsigned p = sa_port(mep_laddr(m[i]));
		UT_ASSERT(p >= LO && p < HI && p % 2 == 0);
		UT_ASSERT(!seen[p - LO]);
		seen[p - LO] = true;
	}
	UT_ASSERT(mep_alloc(&m[PAIRS], &ip, NULL, NULL, NULL) != 0);
	for (int i = 0; i <= PAIRS; i++)
		mem_deref(m[i]);
	UT_ASSERT(!mep_port_range(MEP_PORT_MIN, MEP_PORT_MAX));
}

/* A remote is due to send only while the negotiated direction says so:
 * not once we said sendonly (hold), nor while it said recvonly/inactive
 * or c=0.0.0.0, nor while it holds us with sendonly (a phone on Hold
 * mutes); due again from the moment it is meant to resume. */
UNIT_TEST(media_endpoint_rx_due_follows_direction)
{
	struct mep *m = NULL;
	struct sa ip;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(!mep_alloc(&m, &ip, NULL, NULL, NULL));
	UT_EQ_INT(mep_rx_due_since(m), 0);            /* no SDP yet */
	UT_ASSERT(!take(m, true, 1, "127.0.0.1", 30000, "sendrecv"));
	UT_ASSERT(mep_rx_due_since(m) > 0);
	mep_set_ldir(m, true);                        /* we hold it */
	UT_EQ_INT(mep_rx_due_since(m), 0);
	UT_ASSERT(!take(m, false, 2, "127.0.0.1", 30000, "recvonly"));
	UT_EQ_INT(mep_rx_due_since(m), 0);
	mep_set_ldir(m, false);                       /* resume offered */
	UT_EQ_INT(mep_rx_due_since(m), 0);            /* not answered yet */
	int64_t t = now_ms();
	UT_ASSERT(!take(m, false, 3, "127.0.0.1", 30000, "sendrecv"));
	UT_ASSERT(mep_rx_due_since(m) >= t);
	UT_ASSERT(!take(m, true, 4, "127.0.0.1", 30000, "inactive"));
	UT_EQ_INT(mep_rx_due_since(m), 0);            /* it holds us */
	UT_ASSERT(!take(m, true, 5, "127.0.0.1", 30000, "sendonly"));
	UT_EQ_INT(mep_rx_due_since(m), 0);            /* music, or muted */
	t = now_ms();
	UT_ASSERT(!take(m, true, 6, "127.0.0.1", 30000, "sendrecv"));
	UT_ASSERT(mep_rx_due_since(m) >= t);          /* it resumed */
	UT_ASSERT(!take(m, true, 7, "0.0.0.0", 30000, "sendrecv"));
	UT_EQ_INT(mep_rx_due_since(m), 0);            /* old-style hold */
	mem_deref(m);
}

/* SDP from ip with the media lines (m= and its a=); "" for no SDP at all:
 * an empty body */
static struct mbuf *sdp_m(const char *ip, const char *media)
{
	struct mbuf *mb = mbuf_alloc(256);

	if (mb && *ip) {
		mbuf_printf(mb, "v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\n"
			    "c=IN IP4 %s\r\nt=0 0\r\n%s", ip, ip, media);
		mb->pos = 0;
	}
	return mb;
}

/* A re-INVITE without SDP: the endpoint offers every format it takes,
 * not only the one the last offer named (the party may be another one
 * after a transfer beyond a carrier), and takes the ACK's answer, here
 * in the other codec. */
UNIT_TEST(media_offer_without_sdp_is_answered_with_an_offer)
{
	struct mbuf *pcma = sdp_m("127.0.0.1", "m=audio 30000 RTP/AVP 8\r\n"
				  "a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n");
	struct mbuf *empty = sdp_m("", ""), *ans = NULL, *offer = NULL;
	struct mep *m = NULL;
	struct sa ip;
	char *txt = NULL;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(pcma && empty && !mep_alloc(&m, &ip, NULL, NULL, NULL));
	UT_ASSERT(!mep_take_offer(m, pcma, &ans));
	UT_EQ_STR(mep_codec(m), "PCMA");
	UT_ASSERT(!mep_take_offer(m, empty, &offer));
	UT_ASSERT(offer && !mbuf_strdup(offer, &txt, mbuf_get_left(offer)));
	UT_ASSERT(strstr(txt, " RTP/AVP 8 101 0\r\n"));   /* PCMA first */
	UT_ASSERT(strstr(txt, "a=rtpmap:0 PCMU/8000\r\n"));
	UT_ASSERT(strstr(txt, "a=rtpmap:8 PCMA/8000\r\n"));
	UT_ASSERT(strstr(txt, "a=rtpmap:101 telephone-event/8000\r\n"));
	UT_ASSERT(strstr(txt, "a=sendrecv\r\n"));
	UT_ASSERT(!take(m, false, 2, "127.0.0.1", 30002, "sendrecv"));
	UT_EQ_STR(mep_codec(m), "PCMU");
	UT_EQ_INT(sa_port(mep_raddr(m)), 30002);
	mem_deref(txt);
	mem_deref(offer);
	mem_deref(ans);
	mem_deref(empty);
	mem_deref(pcma);
	mem_deref(m);
}

/* A refused SDP (libre's 488 to a re-INVITE) leaves the endpoint as it
 * was: a fax switch to T.38, an ACK without the answer to our offer, an
 * offer of G.729 only saying a=inactive. The direction libre keeps is
 * the last usable one, so the remote is still due to send. */
UNIT_TEST(media_refused_sdp_changes_nothing)
{
	struct mbuf *t38 = sdp_m("127.0.0.1", "m=image 40000 udptl t38\r\n");
	struct mbuf *g729 = sdp_m("127.0.0.2", "m=audio 40000 RTP/AVP 18\r\n"
				  "a=rtpmap:18 G729/8000\r\na=inactive\r\n");
	struct mbuf *empty = sdp_m("", ""), *ans = NULL, *offer = NULL;
	struct mep *m = NULL;
	struct sa ip;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(t38 && g729 && empty &&
		  !mep_alloc(&m, &ip, NULL, NULL, NULL));
	UT_ASSERT(!take(m, true, 1, "127.0.0.1", 30000, "sendrecv"));
	UT_ASSERT(mep_take_offer(m, t38, &ans) != 0);
	UT_ASSERT(!mep_take_offer(m, empty, &offer));
	empty->pos = 0;
	UT_ASSERT(mep_take_answer(m, empty) != 0);
	UT_ASSERT(mep_take_offer(m, g729, &ans) != 0);
	UT_ASSERT(!ans);
	UT_EQ_STR(mep_codec(m), "PCMU");
	UT_EQ_INT(sa_port(mep_raddr(m)), 30000);
	UT_EQ_INT(mep_rdir(m), SDP_SENDRECV);
	mep_set_ldir(m, false);
	UT_ASSERT(mep_rx_due_since(m) > 0);
	mem_deref(offer);
	mem_deref(empty);
	mem_deref(g729);
	mem_deref(t38);
	mem_deref(m);
}

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

/* Send one RTP packet (or, with rtcp, an RTCP receiver report to the RTCP
 * port) from a socket bound to (ip, port) to the endpoint; the bound port
 * is returned through *port. */
static int send_from(const char *ip, uint16_t *port, const struct sa *to,
		     bool rtcp)
{
	static const uint8_t pkt[12 + 160] = { 0x80, 0x00, 0, 1, 0, 0, 0, 0,
					       0, 0, 0, 9 };
	static const uint8_t rr[8] = { 0x80, 201, 0, 1, 0, 0, 0, 9 };
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(*port) };
	socklen_t al = sizeof(a);
	struct sa dst = *to;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), err = 0;

	if (fd < 0)
		return errno;
	if (rtcp)
		sa_set_port(&dst, sa_port(to) + 1);
	inet_pton(AF_INET, ip, &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(fd, (struct sockaddr *)&a, &al) ||
	    sendto(fd, rtcp ? rr : pkt, rtcp ? sizeof(rr) : sizeof(pkt), 0,
		   &dst.u.sa, dst.len) < 0)
		err = errno;
	*port = ntohs(a.sin_port);
	close(fd);
	return err;
}

/* A UDP port of 127.0.0.1 that is free now (0 if none). */
static uint16_t free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	uint16_t port = 0;

	if (fd < 0)
		return 0;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (!bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &al))
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void run_loop_briefly(void)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, 100, stop_loop, NULL);
	re_main(NULL);
	tmr_cancel(&t);
}

/* Only the SDP's address gets in: a stranger's host, and once the SDP's
 * port has spoken another port of the same host, are dropped and
 * counted, and are no sign of life. */
UNIT_TEST(media_endpoint_takes_rtp_from_the_sdp_address_only)
{
	struct mep *m = NULL;
	struct sa ip, src;
	uint16_t phone = 0, other = 0, stranger = 0;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(!mep_alloc(&m, &ip, NULL, NULL, NULL));
	/* the phone's port: a free one, announced in its SDP */
	phone = free_port();
	UT_ASSERT(phone);
	UT_ASSERT(!take(m, true, 1, "127.0.0.1", phone, "sendrecv"));

	UT_ASSERT(!send_from("127.0.0.2", &stranger, mep_laddr(m), false));
	run_loop_briefly();
	UT_EQ_INT(mep_rx_packets(m), 0);
	UT_EQ_INT(mep_last_rx_ms(m), 0);
	UT_EQ_INT(mep_take_dropped(m, &src), 1);
	UT_ASSERT(sa_port(&src) == stranger);

	UT_ASSERT(!send_from("127.0.0.1", &phone, mep_laddr(m), false));
	run_loop_briefly();
	UT_EQ_INT(mep_rx_packets(m), 1);
	UT_ASSERT(!send_from("127.0.0.1", &other, mep_laddr(m), false));
	run_loop_briefly();
	UT_EQ_INT(mep_rx_packets(m), 1);
	UT_EQ_INT(mep_take_dropped(m, NULL), 1);
	mem_deref(m);
}

/* RTCP from the phone's RTCP port (its RTP port + 1) is a sign of life;
 * from a stranger it is dropped. */
UNIT_TEST(media_endpoint_rtcp_from_the_phone_is_a_sign_of_life)
{
	struct mep *m = NULL;
	struct sa ip;
	uint16_t phone_rtcp = 0, stranger = 0;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(!mep_alloc(&m, &ip, NULL, NULL, NULL));
	/* the SDP names port P - 1, so its RTCP port is the free port P */
	phone_rtcp = free_port();
	UT_ASSERT(phone_rtcp > 1);
	UT_ASSERT(!take(m, true, 1, "127.0.0.1", phone_rtcp - 1u, "sendrecv"));
	UT_ASSERT(!send_from("127.0.0.2", &stranger, mep_laddr(m), true));
	run_loop_briefly();
	UT_EQ_INT(mep_last_rx_ms(m), 0);
	UT_EQ_INT(mep_take_dropped(m, NULL), 1);
	UT_ASSERT(!send_from("127.0.0.1", &phone_rtcp, mep_laddr(m), true));
	run_loop_briefly();
	UT_ASSERT(mep_last_rx_ms(m) > 0);
	UT_EQ_INT(mep_rx_packets(m), 0);           /* no RTP: no packet */
	UT_EQ_INT(mep_take_dropped(m, NULL), 0);
	mem_deref(m);
}

/* A tap (answering-machine detection's) hears the decoded audio too,
 * before the owner; removed, it hears nothing more. */
struct tap_case {
	int order[4];
	int n;
	int16_t first_tap, first_owner;
};

static void tap_owner(struct mep *m, const int16_t *pcm, size_t n,
		      void *arg)
{
	struct tap_case *k = arg;

	if (k->n < 4)
		k->order[k->n++] = 1;
	k->first_owner = pcm[0];
}

static void tap_tap(struct mep *m, const int16_t *pcm, size_t n,
		    void *arg)
{
	struct tap_case *k = arg;

	if (k->n < 4)
		k->order[k->n++] = 2;
	k->first_tap = pcm[0];
}

static void rtp_in(struct mep *m, uint16_t seq)
{
	struct mbuf *mb = mbuf_alloc(12 + 160);

	mbuf_write_u8(mb, 0x80);
	mbuf_write_u8(mb, 0);                     /* PCMU */
	mbuf_write_u16(mb, htons(seq));
	mbuf_write_u32(mb, htonl(seq * 160u));
	mbuf_write_u32(mb, htonl(0x1234));
	for (int i = 0; i < 160; i++)
		mbuf_write_u8(mb, 0x80);          /* u-law: loud */
	mb->pos = 0;
	mep_input_packet(m, mb);
	mem_deref(mb);
}

UNIT_TEST(media_endpoint_tap_hears_before_the_owner)
{
	struct tap_case k = { { 0 }, 0, 0, 0 };
	struct mep *m = NULL;
	struct sa ip;

	sa_set_str(&ip, "127.0.0.1", 0);
	UT_ASSERT(!mep_alloc(&m, &ip, tap_owner, NULL, &k));
	UT_ASSERT(!take(m, true, 1, "127.0.0.1", 30000, "sendrecv"));
	mep_set_tap(m, tap_tap, &k);
	rtp_in(m, 1);
	UT_EQ_INT(k.n, 2);
	UT_EQ_INT(k.order[0], 2);
	UT_EQ_INT(k.order[1], 1);
	UT_ASSERT(k.first_tap == k.first_owner && k.first_tap != 0);
	mep_set_tap(m, NULL, NULL);
	rtp_in(m, 2);
	UT_EQ_INT(k.n, 3);
	UT_EQ_INT(k.order[2], 1);
	mem_deref(m);
}
