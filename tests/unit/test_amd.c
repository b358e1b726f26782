/*
 * test_amd.c — answering-machine detection (media/amd.h) on synthesized
 * signals: a short "hello" then silence is HUMAN, a long greeting is
 * MACHINE (LONGGREETING, MAXWORDS), a long initial silence is MACHINE
 * (INITIALSILENCE); each parameter at its boundary (one frame short of
 * it, then at it); the feed's timestamps (gaps are silence, overlaps
 * dropped, chunking changes nothing); the parameters by name; the WAV
 * reader of occ-amd.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "media/amd.h"

enum { MAXS = 12 * AMD_RATE };     /* 12 s of signal */
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

struct sig {
	int16_t s[MAXS];
	size_t n;
	uint32_t seed;
};

static struct sig g;

static void sig_reset(void)
{
	g.n = 0;
	g.seed = 12345;
}

static void silence(unsigned ms)
{
	for (size_t i = 0; i < ms * 8u && g.n < MAXS; i++)
		g.s[g.n++] = 0;
}

/* a flat level: a square wave of amplitude amp (mean |x| = amp) */
static void level(unsigned ms, int amp)
{
	for (size_t i = 0; i < ms * 8u && g.n < MAXS; i++)
		g.s[g.n++] = (int16_t)((i / 8) % 2 ? amp : -amp);
}

/* speech-like: noise under a syllable envelope (4 Hz), never below a
 * quarter of its peak within the burst, so a burst is one voiced stretch */
static void burst(unsigned ms, double peak)
{
	size_t len = ms * 8u;

	for (size_t i = 0; i < len && g.n < MAXS; i++) {
		double env = 0.25 + 0.75 * fabs(sin(M_PI * 4.0 * (double)i /
						     AMD_RATE + 0.3));
		double noise;

		g.seed = g.seed * 1103515245u + 12345u;
		noise = ((double)(g.seed >> 16 & 0x7fff) / 16384.0) - 1.0;
		g.s[g.n++] = (int16_t)lrint(peak * env * noise);
	}
}

/* feed the signal in chunks of `chunk` samples with exact timestamps,
 * then silence up to 20 s */
static struct amd_result run_chunked(const struct amd_params *p,
				     size_t chunk)
{
	struct amd d;

	amd_init(&d, p);
	for (size_t i = 0; i < g.n; i += chunk) {
		size_t k = g.n - i < chunk ? g.n - i : chunk;
		if (amd_feed(&d, g.s + i, k, (int64_t)(i / 8)))
			break;
	}
	amd_advance(&d, 20000);
	return *amd_result(&d);
}

static struct amd_result run(const struct amd_params *p)
{
	return run_chunked(p, 160);    /* 20 ms packets */
}

static struct amd_params defaults(void)
{
	struct amd_params p;

	amd_params_default(&p);
	return p;
}

#define EXPECT(r, st, ca) do { \
	UT_EQ_STR(amd_status_name((r).status), st); \
	UT_EQ_STR(amd_cause_name((r).cause), ca); } while (0)

UNIT_TEST(amd_defaults_are_asterisk_amd_conf)
{
	struct amd_params p = defaults();

	UT_EQ_INT(p.initial_silence, 2500);
	UT_EQ_INT(p.greeting, 1500);
	UT_EQ_INT(p.after_greeting_silence, 800);
	UT_EQ_INT(p.total_analysis_time, 5000);
	UT_EQ_INT(p.min_word_length, 100);
	UT_EQ_INT(p.maximum_word_length, 5000);
	UT_EQ_INT(p.between_words_silence, 50);
	UT_EQ_INT(p.maximum_number_of_words, 2);
	UT_EQ_INT(p.silence_threshold, 256);
}

UNIT_TEST(amd_short_hello_then_silence_is_human)
{
	struct amd_params p = defaults();
	struct amd_result r;

	/* "Hello?" 0.7 s after 0.4 s of line noise-free silence */
	sig_reset();
	silence(400);
	burst(700, 9000);
	silence(3000);
	r = run(&p);
	EXPECT(r, "HUMAN", "HUMAN");
	UT_EQ_INT(r.words, 1);
	UT_EQ_INT(r.at_ms, 400 + 700 + 800);

	/* "Hel- lo?": two words, 120 ms apart: still a human (2 words) */
	sig_reset();
	silence(300);
	burst(300, 9000);
	silence(120);
	burst(400, 9000);
	silence(3000);
	r = run(&p);
	EXPECT(r, "HUMAN", "HUMAN");
	UT_EQ_INT(r.words, 2);
}

UNIT_TEST(amd_long_greeting_is_machine)
{
	struct amd_params p = defaults();
	struct amd_result r;

	/* flowing speech, 4.5 s, syllables 30 ms apart (one long word) */
	sig_reset();
	silence(200);
	for (int i = 0; i < 15; i++) {
		burst(270, 9000);
		silence(30);
	}
	silence(2000);
	r = run(&p);
	EXPECT(r, "MACHINE", "LONGGREETING");
	UT_EQ_INT(r.voice_ms, 1500);

	/* words: 250 ms each, 150 ms apart, for 4.4 s: the third word */
	sig_reset();
	silence(200);
	for (int i = 0; i < 11; i++) {
		burst(250, 9000);
		silence(150);
	}
	r = run(&p);
	EXPECT(r, "MACHINE", "MAXWORDS");
	UT_EQ_INT(r.words, 3);
	UT_EQ_INT(r.at_ms, 200 + 2 * 400 + 100);
}

UNIT_TEST(amd_long_initial_silence_is_machine)
{
	struct amd_params p = defaults();
	struct amd_result r;
	struct amd d;

	sig_reset();
	silence(4000);
	burst(1000, 9000);
	r = run(&p);
	EXPECT(r, "MACHINE", "INITIALSILENCE");
	UT_EQ_INT(r.at_ms, 2500);

	/* no audio at all: not a machine but a dead media path */
	amd_init(&d, &p);
	UT_EQ_INT(amd_advance(&d, 1000), AMD_PENDING);
	UT_EQ_INT(amd_advance(&d, 3000), AMD_NOTSURE);
	EXPECT(*amd_result(&d), "NOTSURE", "NOAUDIODATA");
}

/* A signal from a spec: "s2490 v500 l3000:255": silence, voice (a flat
 * level of 5000), a level of the given mean |x|, each for so many ms. */
static void build(const char *spec)
{
	sig_reset();
	while (*spec) {
		char kind = *spec++;
		unsigned ms = (unsigned)strtoul(spec, (char **)&spec, 10);
		int amp = 5000;

		if (*spec == ':')
			amp = (int)strtol(spec + 1, (char **)&spec, 10);
		if (kind == 's')
			silence(ms);
		else
			level(ms, amp);
		while (*spec == ' ')
			spec++;
	}
}

/* Each parameter one frame short of its value, then at it. */
static const struct boundary {
	const char *what, *params, *spec, *status, *cause;
	int at_ms, words;          /* -1: not checked */
} boundaries[] = {
	{ "initial_silence 2490", "", "s2490 v500", "HUMAN", "HUMAN", -1, 1 },
	{ "initial_silence 2500", "", "s2500 v500", "MACHINE",
	  "INITIALSILENCE", 2500, 0 },
	{ "greeting 1490", "", "s100 v1490", "HUMAN", "HUMAN", 2390, 1 },
	{ "greeting 1500", "", "s100 v1500", "MACHINE", "LONGGREETING", 1600,
	  1 },
	{ "after_greeting_silence 790", "", "s100 v300 s790 v300 s900",
	  "HUMAN", "HUMAN", 2290, 2 },
	{ "after_greeting_silence 800", "", "s100 v300 s800 v300", "HUMAN",
	  "HUMAN", 1200, 1 },
	{ "total_analysis_time 1000", "total_analysis_time=1000"
	  " maximum_number_of_words=100 greeting=60000",
	  "v200 s400 v200 s400", "NOTSURE", "TOOLONG", 1000, 2 },
	{ "min_word_length 90 (no word: the initial silence runs on)", "",
	  "s500 v90 s3000", "MACHINE", "INITIALSILENCE", 590 + 2500, 0 },
	{ "min_word_length 100", "", "s500 v100 s3000", "HUMAN", "HUMAN", -1,
	  1 },
	{ "between_words_silence 40 (one word)", "",
	  "s100 v150 s40 v150 s40 v150 s1000", "HUMAN", "HUMAN", -1, 1 },
	{ "between_words_silence 50 (three words)", "",
	  "s100 v150 s50 v150 s50 v150 s1000", "MACHINE", "MAXWORDS", -1, 3 },
	{ "maximum_number_of_words 3", "maximum_number_of_words=3",
	  "s100 v150 s200 v150 s200 v150 s1000", "HUMAN", "HUMAN", -1, 3 },
	{ "maximum_number_of_words 2", "",
	  "s100 v150 s200 v150 s200 v150 s1000", "MACHINE", "MAXWORDS",
	  100 + 2 * 350 + 100, 3 },
	{ "maximum_number_of_words 0", "maximum_number_of_words=0",
	  "s100 v150 s1000", "MACHINE", "MAXWORDS", 200, 1 },
	{ "maximum_word_length 990", "greeting=60000"
	  " maximum_word_length=1000", "s100 v990 s1000", "HUMAN", "HUMAN",
	  -1, 1 },
	{ "maximum_word_length 1000", "greeting=60000"
	  " maximum_word_length=1000", "s100 v1000 s1000", "MACHINE",
	  "MAXWORDLENGTH", 1100, 1 },
	{ "silence_threshold: 255 is silence", "", "l3000:255", "MACHINE",
	  "INITIALSILENCE", 2500, 0 },
	{ "silence_threshold: 256 is voice", "", "l3000:256", "MACHINE",
	  "LONGGREETING", 1500, 1 },
	{ "silence_threshold 257", "silence_threshold=257", "l3000:256",
	  "MACHINE", "INITIALSILENCE", 2500, 0 },
};

static void set_params(struct amd_params *p, const char *spec, int *failed)
{
	char buf[200], *save = NULL;

	amd_params_default(p);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *kv = strtok_r(buf, " ", &save); kv;
	     kv = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(kv, '=');

		*eq = '\0';
		if (amd_param_set(p, kv, eq + 1))
			(*failed)++;
	}
}

UNIT_TEST(amd_boundaries)
{
	for (size_t i = 0; i < ARRAY_LEN(boundaries); i++) {
		const struct boundary *b = &boundaries[i];
		struct amd_params p;
		struct amd_result r;
		int bad = 0;

		set_params(&p, b->params, &bad);
		build(b->spec);
		r = run(&p);
		if (bad || strcmp(amd_status_name(r.status), b->status) ||
		    strcmp(amd_cause_name(r.cause), b->cause) ||
		    (b->at_ms >= 0 && r.at_ms != b->at_ms) ||
		    (b->words >= 0 && (int)r.words != b->words)) {
			fprintf(stderr, "  %s: %s %s at %lld ms, %u words;"
				" expected %s %s at %d, %d words\n", b->what,
				amd_status_name(r.status),
				amd_cause_name(r.cause), (long long)r.at_ms,
				r.words, b->status, b->cause, b->at_ms,
				b->words);
			(*unit_failed_)++;
		}
	}
}

UNIT_TEST(amd_total_analysis_time_default)
{
	struct amd_params p = defaults();
	struct amd d;

	/* words 200 ms apart forever, neither too many nor too long */
	p.maximum_number_of_words = 100;
	p.greeting = 60000;
	build("v200 s400 v200 s400 v200 s400 v200 s400 v200 s400 v200 s400"
	      " v200 s400 v200 s400 v200 s400");
	amd_init(&d, &p);
	UT_EQ_INT(amd_feed(&d, g.s, 4990 * 8, 0), AMD_PENDING);
	UT_EQ_INT(amd_feed(&d, g.s + 4990 * 8, 80, 4990), AMD_NOTSURE);
	EXPECT(*amd_result(&d), "NOTSURE", "TOOLONG");
	UT_EQ_INT(amd_result(&d)->at_ms, 5000);
}

UNIT_TEST(amd_feed_chunking_and_timestamps)
{
	struct amd_params p = defaults();
	struct amd_result a, b, c;
	struct amd d;

	sig_reset();
	silence(330);
	burst(650, 9000);
	silence(2000);
	a = run_chunked(&p, 1);
	b = run_chunked(&p, 160);
	c = run_chunked(&p, 333);
	UT_EQ_INT(a.status, b.status);
	UT_EQ_INT(a.at_ms, b.at_ms);
	UT_EQ_INT(c.at_ms, b.at_ms);
	UT_EQ_INT(a.voice_ms, c.voice_ms);

	/* a gap between packets is silence: hello, then a packet 1 s later */
	amd_init(&d, &p);
	UT_EQ_INT(amd_feed(&d, g.s + 330 * 8, 650 * 8, 300), AMD_PENDING);
	UT_EQ_INT(amd_feed(&d, g.s, 160, 2000), AMD_HUMAN);
	UT_EQ_INT(amd_result(&d)->at_ms, 300 + 650 + 800);
	/* the verdict stays; later audio is ignored */
	UT_EQ_INT(amd_feed(&d, g.s + 330 * 8, 650 * 8, 3000), AMD_HUMAN);
	UT_EQ_INT(amd_result(&d)->at_ms, 1750);

	/* a repeated packet (overlap) is dropped, not counted twice */
	amd_init(&d, &p);
	sig_reset();
	level(1000, 5000);
	for (int k = 0; k < 50; k++) {
		amd_feed(&d, g.s + k * 160, 160, k * 20);
		amd_feed(&d, g.s + k * 160, 160, k * 20);
	}
	UT_EQ_INT(amd_result(&d)->voice_ms, 1000);
	/* far-off and negative timestamps are clamped, never overflow */
	amd_init(&d, &p);
	UT_EQ_INT(amd_feed(&d, g.s, 160, INT64_MAX), AMD_MACHINE);
	amd_init(&d, &p);
	UT_EQ_INT(amd_feed(&d, g.s, 160, INT64_MIN), AMD_PENDING);
}

UNIT_TEST(amd_params_by_name)
{
	struct amd_params p = defaults();

	UT_EQ_INT(amd_param_set(&p, "greeting", "2000"), 0);
	UT_EQ_INT(p.greeting, 2000);
	UT_EQ_INT(amd_param_set(&p, "maximum_number_of_words", "0"), 0);
	UT_EQ_INT(p.maximum_number_of_words, 0);
	UT_EQ_INT(amd_param_set(&p, "silence_threshold", "32767"), 0);
	UT_EQ_INT(amd_param_set(&p, "silence_threshold", "32768"), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greeting", "9"), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greeting", "60001"), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greeting", "-5"), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greeting", "15x"), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greeting", ""), EINVAL);
	UT_EQ_INT(amd_param_set(&p, "greetings", "100"), ENOENT);
	UT_EQ_INT(p.greeting, 2000);
	/* each name sets its own field */
	for (size_t i = 0; i < 9; i++) {
		char v[8];

		snprintf(v, sizeof(v), "%zu", 11 + i);
		UT_EQ_INT(amd_param_set(&p, amd_param_names[i], v), 0);
	}
	for (size_t i = 0; i < 9; i++)
		UT_EQ_INT(amd_param_get(&p, i), 11 + i);
	UT_EQ_INT(p.initial_silence, 11);
	UT_EQ_INT(p.silence_threshold, 19);
}

static size_t wav(uint8_t *b, unsigned fmt, unsigned ch, unsigned rate,
		  unsigned bits, size_t samples, uint32_t datalen)
{
	size_t n = 0;
#define LE16(v) do { b[n++] = (uint8_t)(v); b[n++] = (uint8_t)((v) >> 8); } while (0)
#define LE32(v) do { LE16((v) & 0xffff); LE16((uint32_t)(v) >> 16); } while (0)
	memcpy(b, "RIFF", 4); n = 4;
	LE32(36 + samples * 2);
	memcpy(b + n, "WAVE", 4); n += 4;
	memcpy(b + n, "LIST", 4); n += 4;        /* a chunk to skip, odd */
	LE32(3);
	b[n++] = 'a'; b[n++] = 'b'; b[n++] = 'c'; b[n++] = 0;
	memcpy(b + n, "fmt ", 4); n += 4;
	LE32(16);
	LE16(fmt); LE16(ch); LE32(rate); LE32(rate * ch * bits / 8);
	LE16(ch * bits / 8); LE16(bits);
	memcpy(b + n, "data", 4); n += 4;
	LE32(datalen);
	for (size_t i = 0; i < samples; i++)
		LE16((uint16_t)(int16_t)(i * 7 - 300));
	return n;
#undef LE16
#undef LE32
}

UNIT_TEST(amd_wav_reader)
{
	static uint8_t b[4096];
	char why[200];
	size_t off = 0, ns = 0, n;

	n = wav(b, 1, 1, 8000, 16, 100, 200);
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), 0);
	UT_EQ_INT(ns, 100);
	UT_EQ_INT(off, n - 200);
	UT_EQ_INT(amd_wav_sample(b + off, 0), -300);
	UT_EQ_INT(amd_wav_sample(b + off, 99), 99 * 7 - 300);
	/* a data length past the end: what is there */
	n = wav(b, 1, 1, 8000, 16, 100, 100000);
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), 0);
	UT_EQ_INT(ns, 100);
	n = wav(b, 1, 2, 8000, 16, 100, 200);
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), EINVAL);
	UT_ASSERT(strstr(why, "2 channel(s)"));
	n = wav(b, 1, 1, 44100, 16, 100, 200);
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), EINVAL);
	UT_ASSERT(strstr(why, "44100 Hz"));
	n = wav(b, 1, 1, 8000, 8, 100, 200);
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), EINVAL);
	n = wav(b, 6, 1, 8000, 16, 100, 200);     /* A-law */
	UT_EQ_INT(amd_wav_parse(b, n, &off, &ns, why, sizeof(why)), EINVAL);
	UT_EQ_INT(amd_wav_parse(b, 11, &off, &ns, why, sizeof(why)), EINVAL);
	UT_EQ_INT(amd_wav_parse((const uint8_t *)"RIFF\0\0\0\0WAVX", 12,
				&off, &ns, why, sizeof(why)), EINVAL);
	n = wav(b, 1, 1, 8000, 16, 0, 0);
	UT_EQ_INT(amd_wav_parse(b, n - 8, &off, &ns, why, sizeof(why)),
		  EINVAL);
	UT_ASSERT(strstr(why, "no data chunk"));
}
