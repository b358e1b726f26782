/*
 * recorder.c — see recorder.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#define LOG_TOPIC "media.recorder"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/recorder.h"

enum {
	FRAME = 160,           /* 20 ms at 8 kHz */
	RING = 4096,           /* ~500 ms per side; older audio is dropped
				* (a power of two: the index is a mask) */
	CHANNELS = 2,
	BLOCK = 2 * CHANNELS,  /* bytes per sample frame */
	HEADER = 44,           /* RIFF, fmt (PCM, 16 bytes), data */
	/* a frame missing on a side is silence only once it is this late
	 * (frames): audio that comes late (its thread was busy, a packet
	 * was delayed) still lands in its own place */
	SLACK = 10,
};

struct side_buf {
	int16_t s[RING];
	size_t head, len;      /* ring of len samples starting at head */
};

struct recorder {
	FILE *f;
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
			b->head = (b->head + 1) & (RING - 1);
			b->len--;
		}
		else
			out[i] = 0;
	}
}

/* Frames up to `upto` (due by the clock): each as soon as both sides
 * have it, or with silence for a side once it is SLACK frames overdue
 * (final: at once, the recording ends). */
static void write_frames(struct recorder *r, uint64_t upto, bool final)
{
	int16_t a[FRAME], c[FRAME], lr[2 * FRAME];

	while (r->frames < upto) {
		if (!final && r->frames + SLACK >= upto &&
		    (r->side[REC_AGENT].len < FRAME ||
		     r->side[REC_CUSTOMER].len < FRAME))
			break;
		take(&r->side[REC_AGENT], a, FRAME);
		take(&r->side[REC_CUSTOMER], c, FRAME);
		for (size_t i = 0; i < FRAME; i++) {
			lr[2 * i] = a[i];
			lr[2 * i + 1] = c[i];
		}
		if (fwrite(lr, sizeof(lr), 1, r->f) != 1) {
			OCC_ERR("recording write failed path=%s", r->path);
			fclose(r->f);
			r->f = NULL;
			return;
		}
		r->frames++;
	}
}

static void tick(void *arg)
{
	struct recorder *r = arg;
	uint64_t due = (uint64_t)(now_ms() - r->start_ms) / 20;

	if (!r->f) {
		mclock_leave(&r->clk);
		return;
	}
	write_frames(r, due, false);
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The canonical 44-byte header of a PCM WAV with `data` bytes of samples
 * (little-endian, as the host: x86 and arm64). */
static void wav_header(uint8_t h[HEADER], uint32_t data)
{
	memcpy(h, "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0", 22);
	put_le32(h + 4, 36 + data);
	h[22] = CHANNELS;
	h[23] = 0;
	put_le32(h + 24, 8000);
	put_le32(h + 28, 8000 * BLOCK);
	h[32] = BLOCK;
	h[33] = 0;
	h[34] = 16;
	h[35] = 0;
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data);
}

static int write_header(int fd, uint64_t data)
{
	uint8_t h[HEADER];

	wav_header(h, data > UINT32_MAX - 36 ? UINT32_MAX - 36 : (uint32_t)data);
	return pwrite(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) ? 0 : EIO;
}

static void recorder_destructor(void *arg)
{
	struct recorder *r = arg;

	mclock_leave(&r->clk);
	/* flush what both sides delivered in the last frame period */
	if (r->f)
		write_frames(r, (uint64_t)(now_ms() - r->start_ms) / 20,
			     true);
	if (r->f) {
		if (fflush(r->f) ||
		    write_header(fileno(r->f), r->frames * FRAME * BLOCK))
			OCC_ERR("recording not finished path=%s", r->path);
		fclose(r->f);
	}
	mem_deref(r->path);
}

int recorder_alloc(struct recorder **rp, const char *path, struct mworker *w)
{
	struct recorder *r = mem_zalloc(sizeof(*r), recorder_destructor);
	int fd = -1, err;

	if (!r)
		return ENOMEM;
	err = str_dup(&r->path, path);
	if (!err) {
		/* O_EXCL: two calls must never write (or truncate) one file */
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		err = fd < 0 ? errno : write_header(fd, 0);
	}
	if (!err) {
		r->f = fdopen(fd, "wb");
		err = r->f ? 0 : errno;
	}
	if (!err && fseek(r->f, HEADER, SEEK_SET))
		err = errno;
	if (err) {
		OCC_ERR("cannot record to %s: %m", path, err);
		if (!r->f && fd >= 0)
			close(fd);
		mem_deref(r);
		return err;
	}
	r->start_ms = now_ms();
	mclock_join_on(&r->clk, w, tick, r);
	*rp = r;
	return 0;
}

int recorder_repair(const char *path, uint64_t *framesp)
{
	uint8_t h[HEADER], want[HEADER];
	struct stat st;
	uint64_t data;
	int fd, err = 0;

	/* O_NONBLOCK: a FIFO put in its place must not hang the start */
	fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size < HEADER ||
	    pread(fd, h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		err = EINVAL;
		goto out;
	}
	data = (uint64_t)(st.st_size - HEADER) / BLOCK * BLOCK;
	wav_header(want, 0);
	/* ours: the same format fields, whatever the lengths say */
	if (memcmp(h, want, 4) || memcmp(h + 8, want + 8, 32) ||
	    memcmp(h + 36, want + 36, 4)) {
		err = EINVAL;
		goto out;
	}
	if (ftruncate(fd, (off_t)(HEADER + data)) || write_header(fd, data))
		err = EIO;
	else if (framesp)
		*framesp = data / BLOCK;
 out:
	close(fd);
	return err;
}

void recorder_put(struct recorder *r, enum rec_side side, const int16_t *pcm,
		  size_t n)
{
	struct side_buf *b = &r->side[side];

	for (size_t i = 0; i < n; i++) {
		if (b->len == RING) {          /* full: drop the oldest */
			b->head = (b->head + 1) & (RING - 1);
			b->len--;
		}
		b->s[(b->head + b->len) & (RING - 1)] = pcm[i];
		b->len++;
	}
}

uint64_t recorder_samples(const struct recorder *r)
{
	return r->frames * FRAME;
}
