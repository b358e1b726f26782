/*
 * call.c — `occctl call NUMBER`: a caller from outside, in a terminal.
 *
 * A small SIP user agent on libre with occd's own media endpoint: it sends
 * an INVITE for NUMBER to occd's SIP address (from the configuration, or
 * --sip) the way a carrier's trunk or a customer's phone would, speaks a
 * tone once answered, sends --keys as RFC 4733 telephone-events after the
 * answer (one every --gap ms), and prints what happens: ringing, answered,
 * the keys sent, how much sound it heard, who hung up. --record keeps what
 * it heard (right) and said (left) as a WAV. It needs no phone, so a
 * newcomer sees an inbound call go from DID through the IVR to an agent,
 * and it is what the README shows.
 *
 * Exit status: 0 when the call was answered, 1 otherwise (refused: the SIP
 * status is printed, e.g. 404 for a number occd does not route).
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#define LOG_TOPIC "occctl"
#include "base/conf.h"
#include "base/log.h"
#include "media/mep.h"
#include "media/player.h"
#include "media/recorder.h"
#include "cli/occctl.h"

enum {
	KEYS_AFTER_MS = 1500,   /* let the greeting begin, as a person would */
	SOUND_LEVEL = 300,      /* a 20 ms frame above this mean |x| is sound */
};

struct caller {
	struct sip *sip;
	struct sipsess_sock *sock;
	struct sipsess *sess;
	struct mep *mep;
	struct player *voice;
	struct recorder *rec;
	struct tmr tmr_end, tmr_keys;
	const char *keys;
	size_t nkeys_sent;
	unsigned gap_ms;
	int64_t t0;
	bool answered, rang;
	uint64_t frames_heard, frames_sound;
	int status;              /* final SIP status of a refused INVITE */
};

static double since(const struct caller *c)
{
	return (double)(tmr_jiffies() - (uint64_t)c->t0) / 1000.0;
}

static void audio_h(struct mep *m, const int16_t *pcm, size_t n, void *arg)
{
	struct caller *c = arg;
	uint64_t sum = 0;

	(void)m;
	for (size_t i = 0; i < n; i++)
		sum += (uint64_t)(pcm[i] < 0 ? -pcm[i] : pcm[i]);
	c->frames_heard++;
	if (n && sum / n > SOUND_LEVEL)
		c->frames_sound++;
	if (c->rec)
		recorder_put(c->rec, REC_CUSTOMER, pcm, n);  /* right */
}

static void voice_h(const int16_t *pcm, size_t n, void *arg)
{
	struct caller *c = arg;

	mep_send_pcm(c->mep, pcm, n);
	if (c->rec)
		recorder_put(c->rec, REC_AGENT, pcm, n);     /* left */
}

static void send_key(void *arg)
{
	struct caller *c = arg;
	char k[2] = { c->keys[c->nkeys_sent], '\0' };

	if (!k[0])
		return;
	if (mep_send_digits(c->mep, k))
		printf("%6.2f  cannot send key %s: the far end takes no "
		       "telephone-events\n", since(c), k);
	else
		printf("%6.2f  key %s sent (RFC 4733)\n", since(c), k);
	fflush(stdout);
	c->nkeys_sent++;
	if (c->keys[c->nkeys_sent])
		tmr_start(&c->tmr_keys, c->gap_ms, send_key, c);
}

static int offer_h(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct caller *c = arg;

	return mep_take_offer(c->mep, msg->mb, descp);
}

static int answer_h(const struct sip_msg *msg, void *arg)
{
	struct caller *c = arg;

	return mep_take_answer(c->mep, msg->mb);
}

static void progress_h(const struct sip_msg *msg, void *arg)
{
	struct caller *c = arg;

	if (mbuf_get_left(msg->mb) && !mep_ready(c->mep))
		(void)mep_take_answer(c->mep, msg->mb);
	if (!c->rang && (msg->scode == 180 || msg->scode == 183)) {
		c->rang = true;
		re_printf("%6.2f  %u %r\n", since(c), msg->scode, &msg->reason);
		fflush(stdout);
	}
}

static void estab_h(const struct sip_msg *msg, void *arg)
{
	/* the caller's own voice: 500 Hz in bursts, easy to tell apart */
	static const struct tone_spec caller_voice = {
		.f1 = 500, .amp = 6000, .on_ms = 600, .off_ms = 400 };
	struct caller *c = arg;

	(void)msg;
	c->answered = true;
	printf("%6.2f  answered (%s)\n", since(c), mep_codec(c->mep));
	fflush(stdout);
	mep_keepalive(c->mep, true);
	player_tone(&c->voice, &caller_voice, voice_h, c);
	if (c->keys && c->keys[0])
		tmr_start(&c->tmr_keys, KEYS_AFTER_MS, send_key, c);
}

static void print_heard(const struct caller *c)
{
	printf("        heard %.1f s of audio, %.1f s of it sound\n",
	       (double)c->frames_heard / 50.0,
	       (double)c->frames_sound / 50.0);
}

static void close_h(int err, const struct sip_msg *msg, void *arg)
{
	struct caller *c = arg;

	if (c->answered) {
		printf("%6.2f  occd hung up\n", since(c));
		print_heard(c);
	}
	else if (msg) {
		c->status = msg->scode;
		re_printf("%6.2f  refused: %u %r\n", since(c), msg->scode,
		       &msg->reason);
	}
	else {
		printf("%6.2f  failed: %s\n", since(c), strerror(err));
	}
	fflush(stdout);
	c->sess = mem_deref(c->sess);
	re_cancel();
}

static void end_h(void *arg)
{
	struct caller *c = arg;

	printf("%6.2f  %s\n", since(c), c->answered ? "hanging up"
	       : "giving up (no answer)");
	if (c->answered)
		print_heard(c);
	fflush(stdout);
	c->sess = mem_deref(c->sess);      /* BYE, or CANCEL */
	re_cancel();
}

static void no_exit(void *arg)
{
	(void)arg;
}

static int place_call(struct caller *c, const struct sa *occd,
		      const char *number, const char *from, unsigned secs)
{
	struct sa local, laddr;
	struct mbuf *offer = NULL;
	char to[256], from_uri[256];
	int err;

	sa_init(&local, sa_af(occd));
	sa_set_str(&local, sa_af(occd) == AF_INET6 ? "::1" : "127.0.0.1", 0);
	if (!sa_is_loopback(occd))
		sa_init(&local, sa_af(occd));     /* any address */
	err = sip_alloc(&c->sip, NULL, 32, 32, 32, "occctl", no_exit, NULL);
	err = err ? err : sip_transp_add(c->sip, SIP_TRANSP_UDP, &local);
	err = err ? err : sipsess_listen(&c->sock, c->sip, 32, NULL, NULL);
	if (err)
		return err;
	err = sip_transp_laddr(c->sip, &laddr, SIP_TRANSP_UDP, occd);
	err = err ? err : mep_alloc(&c->mep, &laddr, audio_h, NULL, c);
	err = err ? err : mep_offer(c->mep, &offer);
	if (err)
		return err;
	re_snprintf(to, sizeof(to), "sip:%s@%J", number, occd);
	re_snprintf(from_uri, sizeof(from_uri), "sip:%s@%J", from, &laddr);
	printf("%6.2f  calling %s from %s\n", since(c), to, from);
	fflush(stdout);
	err = sipsess_connect(&c->sess, c->sock, to, NULL, from_uri, from,
			      NULL, 0, "application/sdp", offer, NULL, NULL,
			      false, offer_h, answer_h, progress_h, estab_h,
			      NULL, NULL, close_h, c, NULL);
	mem_deref(offer);
	if (!err)
		tmr_start(&c->tmr_end, 1000ull * secs, end_h, c);
	return err;
}

int h_call(struct ctx *x)
{
	struct caller c = { .status = 0 };
	const char *keys = opt(x, "keys"), *from = opt(x, "from");
	const char *sip = opt(x, "sip"), *secs = opt(x, "secs");
	const char *gap = opt(x, "gap"), *rec = opt(x, "record");
	struct sa occd;
	int64_t n = 30, g = 400;
	int err;

	if (!sip)
		sip = x->sip_listen;
	if (sa_decode(&occd, sip, strlen(sip))) {
		fprintf(stderr, "occctl: bad SIP address '%s': expected "
			"HOST:PORT\n", sip);
		return EXIT_ERR;
	}
	if (sa_is_any(&occd))     /* listening on all: call it on loopback */
		sa_set_str(&occd, "127.0.0.1", sa_port(&occd));
	if (secs && !parse_id(secs, &n))
		return EXIT_USAGE;
	if (gap && !parse_id(gap, &g))
		return EXIT_USAGE;
	c.keys = keys;
	c.gap_ms = (unsigned)g;
	tmr_init(&c.tmr_end);
	tmr_init(&c.tmr_keys);
	err = libre_init();
	if (err)
		return check(err, "libre");
	c.t0 = (int64_t)tmr_jiffies();
	if (rec && recorder_alloc(&c.rec, rec, NULL)) {
		fprintf(stderr, "occctl: cannot create %s\n", rec);
		libre_close();
		return EXIT_ERR;
	}
	err = place_call(&c, &occd, x->pos[0], from ? from : "13800000000",
			 (unsigned)n);
	if (err)
		fprintf(stderr, "occctl: cannot call %s at %s: %s\n",
			x->pos[0], sip, strerror(err));
	else
		re_main(NULL);
	tmr_cancel(&c.tmr_end);
	tmr_cancel(&c.tmr_keys);
	c.voice = mem_deref(c.voice);
	c.sess = mem_deref(c.sess);
	c.rec = mem_deref(c.rec);
	c.mep = mem_deref(c.mep);
	c.sock = mem_deref(c.sock);
	if (c.sip)
		sip_close(c.sip, true);
	c.sip = mem_deref(c.sip);
	libre_close();
	return err || !c.answered ? EXIT_ERR : 0;
}
