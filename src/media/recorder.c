/*
 * recorder.c — see recorder.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#define LOG_TOPIC "media.recorder"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/mworker.h"
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
	OUTBUF = 4096,         /* bytes written at a time (as stdio did) */
};

struct side_buf {
	int16_t s[RING];
	size_t head, len;      /* ring of len samples starting at head */
};

struct recorder {
	int fd;                /* -1: not open yet (a worker's), or failed */
	bool opening;          /* its worker opens the file (open_cmd, or
				* its first tick if the queue was full) */
	uint8_t out[OUTBUF];   /* frames not written yet */
	size_t out_len;
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

static int seal(int fd, uint64_t *datap);

/* The file cannot grow (a full disk): it keeps what it holds, its header
 * made to say so (a playable recording up to there); said once, then the
 * recorder only drops audio. */
static void fail(struct recorder *r, const char *what)
{
	uint64_t data = 0;     /* seal sets it only when it succeeds */

	if (r->fd >= 0)
		(void)seal(r->fd, &data);
	OCC_ERR("recording %s failed path=%s kept_ms=%llu", what, r->path,
		(unsigned long long)(data / BLOCK / 8));
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->opening = false;
	mclock_leave(&r->clk);
}

static bool flush(struct recorder *r)
{
	size_t done = 0;

	while (done < r->out_len) {
		ssize_t n = write(r->fd, r->out + done, r->out_len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fail(r, "write");
			return false;
		}
		done += (size_t)n;
	}
	r->out_len = 0;
	return true;
}

/* Frames up to `upto` (due by the clock): each as soon as both sides
 * have it, or with silence for a side once it is SLACK frames overdue
 * (final: at once, the recording ends). */
static void write_frames(struct recorder *r, uint64_t upto, bool final)
{
	int16_t a[FRAME], c[FRAME], lr[2 * FRAME];

	while (r->frames < upto && r->fd >= 0) {
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
		if (r->out_len + sizeof(lr) > sizeof(r->out) && !flush(r))
			return;
		memcpy(r->out + r->out_len, lr, sizeof(lr));
		r->out_len += sizeof(lr);
		r->frames++;
	}
}

static int write_header(int fd, uint64_t data);

/* A new WAV file at path, its header written, positioned for the data.
 * O_EXCL: two calls must never write (or truncate) one file. Touches no
 * recorder: it runs outside the worker's hold (mworker_unlocked). */
struct creation {
	const char *path;
	int fd;
	int err;
};

static void create_file(void *arg)
{
	struct creation *c = arg;

	c->fd = open(c->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (c->fd < 0) {
		c->err = errno;
		return;
	}
	c->err = write_header(c->fd, 0);
	if (!c->err && lseek(c->fd, HEADER, SEEK_SET) != HEADER)
		c->err = errno;
	if (c->err) {
		close(c->fd);
		c->fd = -1;
	}
}

/* without_hold: in a command on the recorder's worker (open_cmd), outside
 * the worker's hold on the media state (mworker_unlocked), or the loop
 * would wait for the lock behind the creation; elsewhere (the loop, a
 * tick: inside the worker's clock) with whatever the caller holds */
static int open_file(struct recorder *r, bool without_hold)
{
	struct creation c = { .path = r->path, .fd = -1 };

	r->opening = false;    /* (a worker's ticks run on its own thread) */
	if (without_hold)
		mworker_unlocked(create_file, &c);
	else
		create_file(&c);
	r->fd = c.fd;
	return c.err;
}

/* A call's recording is created on its media worker, since creating a
 * file can take a millisecond (ext4 looking for a free inode), too long
 * for the control loop at a hundred calls a second: by open_cmd, or by
 * the first tick (keeping the worker's hold) when it could not be
 * posted. */
static void open_on_worker(struct recorder *r, bool without_hold)
{
	int err;

	if (r->opening && (err = open_file(r, without_hold))) {
		OCC_ERR("cannot record to %s: %m", r->path, err);
		mclock_leave(&r->clk);
	}
}

/* posted to the worker at once (recorder_alloc), holding a reference:
 * the recorder outlives the creation even if its call ends meanwhile */
static void open_cmd(void *arg)
{
	struct recorder *r = arg;

	open_on_worker(r, true);
	mem_deref(r);
}

static void tick(void *arg)
{
	struct recorder *r = arg;
	uint64_t due = (uint64_t)(now_ms() - r->start_ms) / 20;

	open_on_worker(r, false);   /* if the command queue was full */
	if (r->fd < 0) {
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
	/* ended before its worker's first tick: made here */
	if (r->opening && open_file(r, false))
		OCC_ERR("cannot record to %s", r->path);
	/* flush what both sides delivered in the last frame period */
	if (r->fd >= 0)
		write_frames(r, (uint64_t)(now_ms() - r->start_ms) / 20,
			     true);
	if (r->fd >= 0) {
		if (!flush(r) ||
		    write_header(r->fd, r->frames * FRAME * BLOCK))
			OCC_ERR("recording not finished path=%s", r->path);
		if (r->fd >= 0)
			close(r->fd);
	}
	mem_deref(r->path);
}

int recorder_alloc(struct recorder **rp, const char *path, struct mworker *w)
{
	struct recorder *r = mem_zalloc(sizeof(*r), recorder_destructor);
	int err;

	if (!r)
		return ENOMEM;
	r->fd = -1;
	err = str_dup(&r->path, path);
	if (!err && !w)
		err = open_file(r, false);
	if (err) {
		OCC_ERR("cannot record to %s: %m", path, err);
		mem_deref(r);
		return err;
	}
	r->opening = w != NULL;
	r->start_ms = now_ms();
	mclock_join_on(&r->clk, w, tick, r);
	if (w && mworker_post(w, open_cmd, mem_ref(r)))
		mem_deref(r);        /* full: its first tick opens it */
	*rp = r;
	return 0;
}

/* The header made to say what the file holds: its samples up to the last
 * whole frame (what a crash or a full disk left); *datap their bytes. */
static int seal(int fd, uint64_t *datap)
{
	struct stat st;
	uint64_t data;

	if (fstat(fd, &st) || st.st_size < HEADER)
		return EINVAL;
	data = (uint64_t)(st.st_size - HEADER) / BLOCK * BLOCK;
	if (ftruncate(fd, (off_t)(HEADER + data)) || write_header(fd, data))
		return EIO;
	*datap = data;
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
	wav_header(want, 0);
	/* ours: the same format fields, whatever the lengths say */
	if (memcmp(h, want, 4) || memcmp(h + 8, want + 8, 32) ||
	    memcmp(h + 36, want + 36, 4)) {
		err = EINVAL;
		goto out;
	}
	err = seal(fd, &data);
	if (!err && framesp)
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
