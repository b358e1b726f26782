/*
 * player.c — see player.h. Frames are generated when due by wall clock, so
 * a late timer catches up instead of slowing the stream down.
 */
#include <math.h>
#include <string.h>
#include <sys/stat.h>
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
	/* prompt: the files, the next one to load, silence frames to play */
	bool prompt, is_prompt;   /* playing; made by player_prompt */
	char *paths[PLAYER_PROMPT_FILES];
	size_t npaths, next;
	unsigned gap;
	player_done_h *doneh;
};

static void player_destructor(void *arg)
{
	struct player *p = arg;

	mclock_leave(&p->clk);
	mem_deref(p->wav);
	for (size_t i = 0; i < p->npaths; i++)
		mem_deref(p->paths[i]);
}

/* An 8 kHz mono 16-bit WAV file, whole (at most max samples): *samplesp
 * (mem_alloc'd) and *np. EINVAL for another format or an empty file. */
static int wav_read(const char *path, size_t max, int16_t **samplesp,
		    size_t *np)
{
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct stat st;
	int16_t *s;
	size_t n = 0, room;
	int err;

	if (stat(path, &st))
		return errno;
	if (!S_ISREG(st.st_mode))
		return EINVAL;     /* a FIFO would block the loop at open */
	err = aufile_open(&af, &prm, path, AUFILE_READ);
	if (err)
		return err;
	if (prm.srate != 8000 || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
		mem_deref(af);
		return EINVAL;
	}
	/* the file's size bounds the samples it can hold */
	room = (size_t)st.st_size / sizeof(int16_t);
	if (room > max)
		room = max;
	s = room ? mem_alloc(room * sizeof(int16_t), NULL) : NULL;
	if (!s) {
		mem_deref(af);
		return room ? ENOMEM : EINVAL;
	}
	while (n < room) {
		size_t sz = (room - n) * sizeof(int16_t);
		if (aufile_read(af, (uint8_t *)(s + n), &sz) || sz == 0)
			break;
		n += sz / sizeof(int16_t);
	}
	mem_deref(af);
	if (!n) {
		mem_deref(s);
		return EINVAL;
	}
	*samplesp = s;
	*np = n;
	return 0;
}

/* Prompt files that failed to play, by hash of their path, so each is
 * logged once however many calls meet it; a file that plays again is
 * forgotten, so a new failure is logged again. A small ring: past it the
 * oldest are forgotten (and would be logged once more). */
static uint64_t failed_files[64];
static size_t failed_next;

static uint64_t path_hash(const char *path)
{
	uint64_t h = 1469598103934665603ull;     /* FNV-1a */

	for (; *path; path++)
		h = (h ^ (uint8_t)*path) * 1099511628211ull;
	return h | 1;                            /* 0 marks a free slot */
}

static bool failed_known(uint64_t h, bool forget)
{
	for (size_t i = 0; i < ARRAY_SIZE(failed_files); i++)
		if (failed_files[i] == h) {
			if (forget)
				failed_files[i] = 0;
			return true;
		}
	return false;
}

/* The next prompt file, or silence in its place. */
static void prompt_load(struct player *p, const char *path)
{
	uint64_t h = path_hash(path);
	int err;

	p->wav = mem_deref(p->wav);
	p->wav_len = p->wav_pos = 0;
	err = wav_read(path, (size_t)PLAYER_PROMPT_MAX_S * 8000, &p->wav,
		       &p->wav_len);
	if (!err) {
		(void)failed_known(h, true);
		return;
	}
	p->gap = PLAYER_MISSING_MS / MCLOCK_MS;
	if (failed_known(h, false))
		return;
	failed_files[failed_next++ % ARRAY_SIZE(failed_files)] = h;
	if (err == EINVAL)
		OCC_WARN("prompt %s: not an 8 kHz mono 16-bit WAV; silence "
			 "instead", path);
	else
		OCC_WARN("prompt %s: cannot be read (%m); silence instead",
			 path, err);
}

/* The next prompt frame; false when every file has played. */
static bool gen_prompt(struct player *p, int16_t *out)
{
	size_t n;

	while (p->wav_pos >= p->wav_len && !p->gap) {
		if (p->next >= p->npaths)
			return false;
		prompt_load(p, p->paths[p->next++]);
	}
	if (p->gap) {
		p->gap--;
		memset(out, 0, FRAME * sizeof(*out));
		return true;
	}
	n = p->wav_len - p->wav_pos;
	if (n > FRAME)
		n = FRAME;
	memcpy(out, p->wav + p->wav_pos, n * sizeof(*out));
	memset(out + n, 0, (FRAME - n) * sizeof(*out));   /* the last frame */
	p->wav_pos += n;
	return true;
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
		if (p->prompt) {
			if (!gen_prompt(p, frame)) {
				/* over: done, once; it may deref us */
				mclock_leave(&p->clk);
				p->prompt = false;
				if (p->doneh)
					p->doneh(p->arg);
				return;
			}
		}
		else if (p->wav)
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
	struct player *p = mem_zalloc(sizeof(*p), player_destructor);
	int err;

	if (!p)
		return ENOMEM;
	err = wav_read(path, WAV_MAX, &p->wav, &p->wav_len);
	if (err == EINVAL)
		OCC_WARN("music on hold %s: need 8 kHz mono 16-bit WAV", path);
	if (!err && p->wav_len < FRAME)
		err = EINVAL;
	if (err) {
		mem_deref(p);
		return err;
	}
	start(p, sink, arg);
	*pp = p;
	return 0;
}

int player_prompt(struct player **pp, const char *const paths[], size_t n,
		  player_sink_h *sink, player_done_h *done, void *arg)
{
	struct player *p;

	if (!n || n > PLAYER_PROMPT_FILES)
		return EINVAL;
	p = mem_zalloc(sizeof(*p), player_destructor);
	if (!p)
		return ENOMEM;
	for (; p->npaths < n; p->npaths++)
		if (str_dup(&p->paths[p->npaths], paths[p->npaths])) {
			mem_deref(p);
			return ENOMEM;
		}
	p->prompt = p->is_prompt = true;
	p->doneh = done;
	start(p, sink, arg);
	*pp = p;
	return 0;
}

bool player_is_prompt(const struct player *p)
{
	return p->is_prompt;
}
