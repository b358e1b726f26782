/*
 * recorder.c — see recorder.h.
 */
#include <string.h>
#include <re.h>
#include <rem.h>
#define LOG_TOPIC "media.recorder"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/recorder.h"

enum {
	FRAME = 160,           /* 20 ms at 8 kHz */
	RING = 8000 / 2,       /* 500 ms per side; older audio is dropped */
};

struct side_buf {
	int16_t s[RING];
	size_t head, len;      /* ring of len samples starting at head */
};

struct recorder {
	struct aufile *af;
	struct side_buf side[2];
	struct mclock_user clk;
	int64_t start_ms;
	uint64_t frames;
	char *path;
};

static void take(struct side_buf *b, int16_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (b->len) {
			out[i] = b->s[b->head];
			b->head = (b->head + 1) % RING;
			b->len--;
		}
		else
			out[i] = 0;
	}
}

static void write_frames(struct recorder *r, uint64_t upto)
{
	int16_t a[FRAME], c[FRAME], lr[2 * FRAME];

	while (r->frames < upto) {
		take(&r->side[REC_AGENT], a, FRAME);
		take(&r->side[REC_CUSTOMER], c, FRAME);
		for (size_t i = 0; i < FRAME; i++) {
			lr[2 * i] = a[i];
			lr[2 * i + 1] = c[i];
		}
		if (aufile_write(r->af, (uint8_t *)lr, sizeof(lr))) {
			OCC_ERR("recording write failed path=%s", r->path);
			r->af = mem_deref(r->af);
			return;
		}
		r->frames++;
	}
}

static void tick(void *arg)
{
	struct recorder *r = arg;
	uint64_t due = (uint64_t)(now_ms() - r->start_ms) / 20;

	if (!r->af) {
		mclock_leave(&r->clk);
		return;
	}
	write_frames(r, due);
}

static void recorder_destructor(void *arg)
{
	struct recorder *r = arg;

	mclock_leave(&r->clk);
	/* flush what both sides delivered in the last frame period */
	if (r->af)
		write_frames(r, (uint64_t)(now_ms() - r->start_ms) / 20);
	mem_deref(r->af);
	mem_deref(r->path);
}

int recorder_alloc(struct recorder **rp, const char *path)
{
	struct aufile_prm prm = { .srate = 8000, .channels = 2,
				  .fmt = AUFMT_S16LE };
	struct recorder *r = mem_zalloc(sizeof(*r), recorder_destructor);
	int err;

	if (!r)
		return ENOMEM;
	err = str_dup(&r->path, path);
	if (!err)
		err = aufile_open(&r->af, &prm, path, AUFILE_WRITE);
	if (err) {
		OCC_ERR("cannot record to %s: %m", path, err);
		mem_deref(r);
		return err;
	}
	r->start_ms = now_ms();
	mclock_join(&r->clk, tick, r);
	*rp = r;
	return 0;
}

void recorder_put(struct recorder *r, enum rec_side side, const int16_t *pcm,
		  size_t n)
{
	struct side_buf *b = &r->side[side];

	for (size_t i = 0; i < n; i++) {
		if (b->len == RING) {          /* full: drop the oldest */
			b->head = (b->head + 1) % RING;
			b->len--;
		}
		b->s[(b->head + b->len) % RING] = pcm[i];
		b->len++;
	}
}

uint64_t recorder_samples(const struct recorder *r)
{
	return r->frames * FRAME;
}
