/*
 * player.c — see player.h. Frames are generated when due by wall clock, so
 * a late timer catches up instead of slowing the stream down.
 */
#include <math.h>
#include <string.h>
#include <re.h>
#include <rem.h>
#define LOG_TOPIC "media.player"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/player.h"

enum { FRAME = 160, WAV_MAX = 8000 * 120 };  /* MOH files up to 2 minutes */

const struct tone_spec tone_ringback = {
	.f1 = 450, .amp = 8000, .on_ms = 1000, .off_ms = 4000,
};

struct player {
	struct mclock_user clk;
	int64_t start_ms;
	uint64_t frames;
	player_sink_h *sink;
	void *arg;
	/* tone */
	struct tone_spec tone;
	uint64_t n;            /* samples generated */
	/* wav */
	int16_t *wav;
	size_t wav_len, wav_pos;
};

static void player_destructor(void *arg)
{
	struct player *p = arg;

	mclock_leave(&p->clk);
	mem_deref(p->wav);
}

static void gen_tone(struct player *p, int16_t *out)
{
	const struct tone_spec *t = &p->tone;
	uint64_t period = (uint64_t)(t->on_ms + t->off_ms) * 8;

	for (size_t i = 0; i < FRAME; i++, p->n++) {
		bool on = !t->off_ms || (p->n % period) < (uint64_t)t->on_ms * 8;
		double x = 0, ph = (double)p->n / 8000.0;
		if (on) {
			x = sin(2 * M_PI * t->f1 * ph);
			if (t->f2 > 0)
				x += sin(2 * M_PI * t->f2 * ph);
		}
		out[i] = (int16_t)(x * t->amp);
	}
}

static void gen_wav(struct player *p, int16_t *out)
{
	for (size_t i = 0; i < FRAME; i++) {
		out[i] = p->wav[p->wav_pos++];
		if (p->wav_pos == p->wav_len)
			p->wav_pos = 0;
	}
}

static void tick(void *arg)
{
	struct player *p = arg;
	uint64_t due = mclock_due(p->start_ms, now_ms(), &p->frames);
	int16_t frame[FRAME];

	while (p->frames < due) {
		p->frames++;
		if (p->wav)
			gen_wav(p, frame);
		else
			gen_tone(p, frame);
		mem_ref(p);
		p->sink(frame, FRAME, p->arg);
		bool gone = mem_nrefs(p) == 1;
		mem_deref(p);
		if (gone)
			return;
	}
}

static int start(struct player *p, player_sink_h *sink, void *arg)
{
	p->sink = sink;
	p->arg = arg;
	p->start_ms = now_ms();
	mclock_join(&p->clk, tick, p);
	return 0;
}

int player_tone(struct player **pp, const struct tone_spec *t,
		player_sink_h *sink, void *arg)
{
	struct player *p = mem_zalloc(sizeof(*p), player_destructor);

	if (!p)
		return ENOMEM;
	p->tone = *t;
	start(p, sink, arg);
	*pp = p;
	return 0;
}

int player_wav(struct player **pp, const char *path, player_sink_h *sink,
	       void *arg)
{
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct player *p;
	int err;

	err = aufile_open(&af, &prm, path, AUFILE_READ);
	if (err)
		return err;
	if (prm.srate != 8000 || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
		OCC_WARN("music on hold %s: need 8 kHz mono 16-bit WAV", path);
		mem_deref(af);
		return EINVAL;
	}
	p = mem_zalloc(sizeof(*p), player_destructor);
	if (p)
		p->wav = mem_alloc(WAV_MAX * sizeof(int16_t), NULL);
	if (!p || !p->wav) {
		mem_deref(af);
		mem_deref(p);
		return ENOMEM;
	}
	while (p->wav_len < WAV_MAX) {
		size_t sz = (WAV_MAX - p->wav_len) * sizeof(int16_t);
		if (aufile_read(af, (uint8_t *)(p->wav + p->wav_len), &sz) ||
		    sz == 0)
			break;
		p->wav_len += sz / sizeof(int16_t);
	}
	mem_deref(af);
	if (p->wav_len < FRAME) {
		mem_deref(p);
		return EINVAL;
	}
	start(p, sink, arg);
	*pp = p;
	return 0;
}
