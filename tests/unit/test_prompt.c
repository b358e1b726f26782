/*
 * test_prompt.c — prompts (media/player.c player_prompt, sip/routing.c
 * leg_play): the samples out are the files', in order, then done once; a
 * missing file is a short silence, logged once however often it is met;
 * a stopped prompt is silent at once and its done handler never runs; a
 * leg hears the prompt instead of the call, and the recording says so.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <re.h>
#include <rem.h>
#include "unit.h"
#include "base/log.h"
#include "core/model.h"
#include "media/clock.h"
#include "media/player.h"
#include "media/recorder.h"
#include "sip/call_impl.h"

enum { A_LEN = 160 * 5 + 37, B_LEN = 160 * 2, OUT_MAX = 8000 * 3 };

struct out {
	int16_t pcm[OUT_MAX];
	size_t n;
	unsigned done;
	struct player *p;
	bool stop_after_first;    /* barge-in from inside the sink */
};

static void sink(const int16_t *pcm, size_t n, void *arg)
{
	struct out *o = arg;

	if (o->n + n <= OUT_MAX) {
		memcpy(o->pcm + o->n, pcm, n * sizeof(*pcm));
		o->n += n;
	}
	if (o->stop_after_first) {
		o->p = mem_deref(o->p);
		re_cancel();
	}
}

static void done(void *arg)
{
	struct out *o = arg;

	o->done++;
	o->p = mem_deref(o->p);
	re_cancel();
}

static void guard(void *arg)
{
	(void)arg;
	re_cancel();
}

static void run(unsigned ms)
{
	struct tmr t;

	tmr_init(&t);
	tmr_start(&t, ms, guard, NULL);
	re_main(NULL);
	tmr_cancel(&t);
}

static int wav_write(const char *path, const int16_t *s, size_t n)
{
	struct aufile_prm prm = { 8000, 1, AUFMT_S16LE };
	struct aufile *af = NULL;
	int err = aufile_open(&af, &prm, path, AUFILE_WRITE);

	if (!err)
		err = aufile_write(af, (const uint8_t *)s, n * sizeof(*s));
	mem_deref(af);
	return err;
}

struct files {
	char dir[40], a[64], b[64], missing[64];
	int16_t sa[A_LEN], sb[B_LEN];
};

static int files_make(struct files *f)
{
	snprintf(f->dir, sizeof(f->dir), "/tmp/occ-unit-prompt-XXXXXX");
	if (!mkdtemp(f->dir))
		return errno;
	snprintf(f->a, sizeof(f->a), "%s/a.wav", f->dir);
	snprintf(f->b, sizeof(f->b), "%s/b.wav", f->dir);
	snprintf(f->missing, sizeof(f->missing), "%s/none.wav", f->dir);
	for (size_t i = 0; i < A_LEN; i++)
		f->sa[i] = (int16_t)(i * 37 - 16000);
	for (size_t i = 0; i < B_LEN; i++)
		f->sb[i] = (int16_t)(12000 - (int)i * 5);
	return wav_write(f->a, f->sa, A_LEN) | wav_write(f->b, f->sb, B_LEN);
}

static void files_remove(struct files *f)
{
	unlink(f->a);
	unlink(f->b);
	rmdir(f->dir);
}

UNIT_TEST(prompt_plays_the_files_in_order_then_done)
{
	static struct out o;
	static struct files f;
	const char *paths[2];
	size_t a_frames = (A_LEN + 159) / 160;

	memset(&o, 0, sizeof(o));
	UT_EQ_INT(files_make(&f), 0);
	paths[0] = f.a;
	paths[1] = f.b;
	UT_EQ_INT(player_prompt(&o.p, paths, 0, sink, done, &o), EINVAL);
	UT_EQ_INT(player_prompt(&o.p, paths, 2, sink, done, &o), 0);
	UT_ASSERT(player_is_prompt(o.p));
	run(3000);
	files_remove(&f);
	UT_EQ_INT(o.done, 1);
	UT_ASSERT(o.p == NULL);
	/* a's samples, its last frame filled with silence, then b's */
	UT_EQ_INT(o.n, (a_frames + B_LEN / 160) * 160);
	UT_ASSERT(!memcmp(o.pcm, f.sa, sizeof(f.sa)));
	for (size_t i = A_LEN; i < a_frames * 160; i++)
		UT_EQ_INT(o.pcm[i], 0);
	UT_ASSERT(!memcmp(o.pcm + a_frames * 160, f.sb, sizeof(f.sb)));
}

UNIT_TEST(prompt_missing_file_is_silence_logged_once)
{
	static struct out o;
	static struct files f;
	FILE *log = tmpfile();
	enum log_level saved = log_level_current;
	const char *paths[2];
	char *text;
	char want[96];

	UT_ASSERT(log);
	UT_EQ_INT(files_make(&f), 0);
	paths[0] = f.missing;
	paths[1] = f.b;
	log_set_output(log);
	log_set_level(LOG_LVL_INFO);
	/* three calls meet the missing file */
	for (int i = 0; i < 3; i++) {
		memset(&o, 0, sizeof(o));
		UT_EQ_INT(player_prompt(&o.p, paths, 1 + (i == 0), sink, done,
					&o), 0);
		run(3000);
		UT_EQ_INT(o.done, 1);
	}
	/* the first: the silence, then b; the others: just the silence */
	UT_EQ_INT(o.n, PLAYER_MISSING_MS / 20 * 160);
	for (size_t i = 0; i < o.n; i++)
		UT_EQ_INT(o.pcm[i], 0);
	log_set_output(NULL);
	log_set_level(saved);
	text = unit_read_all(log);
	fclose(log);
	UT_ASSERT(text);
	snprintf(want, sizeof(want), "prompt %s: cannot be read", f.missing);
	UT_EQ_INT(unit_count(text, want), 1);
	UT_EQ_INT(unit_count(text, "level=warn"), 1);
	free(text);
	files_remove(&f);
}

UNIT_TEST(prompt_stopped_is_silent_at_once_without_done)
{
	static struct out o;
	static struct files f;
	const char *paths[1];

	memset(&o, 0, sizeof(o));
	UT_EQ_INT(files_make(&f), 0);
	paths[0] = f.a;
	o.stop_after_first = true;
	UT_EQ_INT(player_prompt(&o.p, paths, 1, sink, done, &o), 0);
	run(3000);
	usleep(100 * 1000);
	run(100);                /* nothing more comes */
	files_remove(&f);
	UT_EQ_INT(o.n, 160);
	UT_EQ_INT(o.done, 0);
}

struct leg_dones {
	unsigned n;
	bool tone_gone;         /* the leg heard the call again at done */
};

static void leg_done(struct leg *l, void *arg)
{
	struct leg_dones *d = arg;

	d->n++;
	d->tone_gone = l->tone == NULL;
	re_cancel();
}

UNIT_TEST(prompt_on_a_leg_instead_of_the_call_then_done)
{
	struct call *c = mem_zalloc(sizeof(*c), NULL);
	struct leg *ag = mem_zalloc(sizeof(*ag), NULL);
	struct leg *cu = mem_zalloc(sizeof(*cu), NULL);
	static struct files f;
	enum { LATE = 10 * 160 };     /* the recorder's frames may lag */
	static int16_t lr[2 * (A_LEN + LATE)];
	char wav[80];
	struct leg_dones dones = { 0 };
	FILE *rf;
	bool same = false;
	size_t got;

	UT_ASSERT(c && ag && cu);
	UT_EQ_INT(files_make(&f), 0);
	snprintf(wav, sizeof(wav), "%s/rec.wav", f.dir);
	ag->call = cu->call = c;
	ag->role = ROLE_AGENT;
	cu->role = ROLE_CUSTOMER;
	ag->state = cu->state = LEG_UP;
	c->legs[ROLE_AGENT] = ag;
	c->legs[ROLE_CUSTOMER] = cu;
	remix(c);
	UT_ASSERT(recorder_alloc(&c->rec, wav, NULL) == 0);
	UT_EQ_INT(leg_play(cu, f.a, leg_done, &dones), 0);
	UT_ASSERT(cu->tone && player_is_prompt(cu->tone));
	leg_stop_play(ag);            /* no prompt there: nothing happens */
	run(3000);
	UT_EQ_INT(dones.n, 1);
	UT_ASSERT(dones.tone_gone);   /* hears the call again */
	run(100);                     /* the recorder writes the last frame */
	c->rec = mem_deref(c->rec);
	/* the customer's ear (left) heard the file, after the frames of
	 * silence the recorder wrote before the prompt's first came */
	rf = fopen(wav, "rb");
	UT_ASSERT(rf);
	UT_ASSERT(fseek(rf, 44, SEEK_SET) == 0);
	got = fread(lr, 2 * sizeof(int16_t), A_LEN + LATE, rf);
	fclose(rf);
	UT_ASSERT(got >= A_LEN);
	for (size_t late = 0; late + A_LEN <= got && !same; late += 160) {
		same = true;
		for (size_t i = 0; i < A_LEN && same; i++)
			same = lr[2 * (late + i)] == f.sa[i];
	}
	UT_ASSERT(same);
	/* barge-in: a prompt stopped at once, its handler never runs */
	UT_EQ_INT(leg_play(cu, f.a, leg_done, &dones), 0);
	leg_stop_play(cu);
	UT_ASSERT(cu->tone == NULL);
	run(200);
	UT_EQ_INT(dones.n, 1);
	unlink(wav);
	files_remove(&f);
	mem_deref(c);
	mem_deref(ag);
	mem_deref(cu);
}
