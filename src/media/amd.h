/*
 * amd.h — answering-machine detection, energy and word based, in the
 * style of Asterisk's app_amd: the same parameters, the same defaults
 * (amd.conf.sample), the same verdicts and causes. Pure: no libre, no
 * clock, no allocation; a host feeds 8 kHz 16-bit PCM with timestamps
 * (the call leg's tap, src/sip/amdtap.c; the occ-amd tool; the tests).
 *
 * The audio is cut into 10 ms frames. A frame is silence when the mean
 * absolute sample is below silence_threshold; time with no audio fed
 * (a gap between timestamps, amd_advance) is silence too. Then, frame by
 * frame, the first rule that holds decides:
 *
 *   analysed time reaches total_analysis_time      NOTSURE  TOOLONG
 *   silence, before any word, reaches initial_silence
 *                                                  MACHINE  INITIALSILENCE
 *     (NOTSURE NOAUDIODATA when nothing at all was fed: a dead media path
 *      is not a machine)
 *   silence after the first word reaches after_greeting_silence
 *                                                  HUMAN    HUMAN
 *   one word's voice reaches maximum_word_length   MACHINE  MAXWORDLENGTH
 *   the words exceed maximum_number_of_words       MACHINE  MAXWORDS
 *   voice since the first word began reaches greeting
 *                                                  MACHINE  LONGGREETING
 *
 * A word is min_word_length of voice in which no silence lasts
 * between_words_silence; a silence that long ends the word. Voice before
 * the first word counts towards the greeting (as in app_amd).
 *
 * A human answers with one or two short words ("Hello?") and waits; a
 * machine speaks on ("Hi, you have reached ... please leave a message").
 * A talkative human is a false positive (MACHINE): see docs/DIALER.md.
 */
#ifndef OCC_AMD_H
#define OCC_AMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum amd_status { AMD_PENDING = 0, AMD_HUMAN, AMD_MACHINE, AMD_NOTSURE,
		  AMD_HANGUP };
enum amd_cause { AMD_CAUSE_NONE = 0, AMD_CAUSE_HUMAN,
		 AMD_CAUSE_INITIALSILENCE, AMD_CAUSE_LONGGREETING,
		 AMD_CAUSE_MAXWORDLENGTH, AMD_CAUSE_MAXWORDS,
		 AMD_CAUSE_TOOLONG, AMD_CAUSE_NOAUDIODATA };

/* Times in ms. The names of amd_param_set are Asterisk's amd.conf keys. */
struct amd_params {
	unsigned initial_silence;          /* 2500 */
	unsigned greeting;                 /* 1500 */
	unsigned after_greeting_silence;   /*  800 */
	unsigned total_analysis_time;      /* 5000 */
	unsigned min_word_length;          /*  100 */
	unsigned maximum_word_length;      /* 5000 */
	unsigned between_words_silence;    /*   50 */
	unsigned maximum_number_of_words;  /*    2 */
	unsigned silence_threshold;        /*  256 (mean |sample|) */
};

enum { AMD_RATE = 8000, AMD_FRAME_MS = 10,
       AMD_FRAME = AMD_RATE / 1000 * AMD_FRAME_MS };

void amd_params_default(struct amd_params *p);
/* Set one parameter by its amd.conf name from a decimal string; EINVAL
 * for a bad value (out of the ranges below), ENOENT for an unknown name.
 * Ranges: times 10..60000 ms, words 0..100, threshold 0..32767. */
int  amd_param_set(struct amd_params *p, const char *name, const char *val);
/* A list of overrides, NAME=VALUE separated by commas or spaces (a
 * campaign's amd_params, e.g. "greeting=2000,maximum_number_of_words=3"),
 * applied over *p in order; at most AMD_PARAMS_MAX bytes. EINVAL or ENOENT
 * as amd_param_set (E2BIG: too long), with the item at fault in bad. */
enum { AMD_PARAMS_MAX = 255 };
int  amd_params_parse(struct amd_params *p, const char *list, char *bad,
		      size_t badsz);
/* Every parameter's name, in amd.conf's order, for listings. */
extern const char *const amd_param_names[9];
unsigned amd_param_get(const struct amd_params *p, size_t i);

struct amd_result {
	enum amd_status status;
	enum amd_cause cause;
	int64_t at_ms;          /* analysed time when it was decided */
	unsigned words;
	unsigned voice_ms;      /* voice seen in all */
	unsigned silence_ms;    /* the silence running at the verdict */
};

struct amd {
	struct amd_params p;
	struct amd_result r;
	int64_t pos;            /* samples analysed or pending in the frame */
	uint64_t acc;           /* sum of |sample| of the pending frame */
	unsigned acc_n;         /* samples in the pending frame */
	bool heard;             /* any audio fed */
	bool greeting;          /* the first word was heard */
	bool in_word;
	unsigned silence_ms, word_ms;
};

void amd_init(struct amd *d, const struct amd_params *p);
/* n samples of audio whose first sample is at ts_ms on the analysis
 * timeline (0: where the analysis starts, e.g. the answer). Audio
 * starting within 1 ms of the end of what was fed continues it; a longer
 * gap is silence; audio overlapping what was fed already by 1 ms or more
 * loses its overlapping part. Returns the status: AMD_PENDING until a
 * verdict, then the verdict (later audio is ignored). */
enum amd_status amd_feed(struct amd *d, const int16_t *pcm, size_t n,
			 int64_t ts_ms);
/* Nothing was heard up to now_ms: silence until then. */
enum amd_status amd_advance(struct amd *d, int64_t now_ms);
const struct amd_result *amd_result(const struct amd *d);

const char *amd_status_name(enum amd_status s);  /* "HUMAN", ... */
const char *amd_cause_name(enum amd_cause c);    /* "MAXWORDS", "" */

/* A WAV file in memory, PCM 16-bit 8000 Hz mono only: its samples start
 * at buf + *offp, *nsp of them (a data chunk running past the end is cut
 * to what is there). EINVAL otherwise, with the reason in why. */
enum { AMD_WAV_MAX = 64 * 1024 * 1024 };
int  amd_wav_parse(const uint8_t *buf, size_t len, size_t *offp,
		   size_t *nsp, char *why, size_t whysz);
/* Little-endian sample i of such data. */
static inline int16_t amd_wav_sample(const uint8_t *data, size_t i)
{
	return (int16_t)(uint16_t)(data[2 * i] | (data[2 * i + 1] << 8));
}

#endif
