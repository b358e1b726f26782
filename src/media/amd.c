/*
 * amd.c — answering-machine detection (amd.h): the frame rules, the
 * parameters, and the WAV reader of the occ-amd tool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/amd.h"

const char *const amd_param_names[9] = {
	"initial_silence", "greeting", "after_greeting_silence",
	"total_analysis_time", "min_word_length", "maximum_word_length",
	"between_words_silence", "maximum_number_of_words",
	"silence_threshold",
};

static unsigned *param_ref(struct amd_params *p, size_t i)
{
	unsigned *f[9] = {
		&p->initial_silence, &p->greeting, &p->after_greeting_silence,
		&p->total_analysis_time, &p->min_word_length,
		&p->maximum_word_length, &p->between_words_silence,
		&p->maximum_number_of_words, &p->silence_threshold,
	};
	return i < 9 ? f[i] : NULL;
}

unsigned amd_param_get(const struct amd_params *p, size_t i)
{
	unsigned *f = param_ref((struct amd_params *)p, i);
	return f ? *f : 0;
}

void amd_params_default(struct amd_params *p)
{
	*p = (struct amd_params){
		.initial_silence = 2500,
		.greeting = 1500,
		.after_greeting_silence = 800,
		.total_analysis_time = 5000,
		.min_word_length = 100,
		.maximum_word_length = 5000,
		.between_words_silence = 50,
		.maximum_number_of_words = 2,
		.silence_threshold = 256,
	};
}

int amd_param_set(struct amd_params *p, const char *name, const char *val)
{
	unsigned long v, lo = 10, hi = 60000;
	char *end;
	size_t i;

	for (i = 0; i < 9 && strcmp(name, amd_param_names[i]); i++)
		;
	if (i == 9)
		return ENOENT;
	if (!strcmp(name, "maximum_number_of_words"))
		lo = 0, hi = 100;
	else if (!strcmp(name, "silence_threshold"))
		lo = 0, hi = 32767;
	if (!val || *val < '0' || *val > '9')
		return EINVAL;
	errno = 0;
	v = strtoul(val, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return EINVAL;
	*param_ref(p, i) = (unsigned)v;
	return 0;
}

int amd_params_parse(struct amd_params *p, const char *list, char *bad,
		     size_t badsz)
{
	const char *s = list;

	if (badsz)
		bad[0] = '\0';
	if (strlen(list) > AMD_PARAMS_MAX) {
		snprintf(bad, badsz, "longer than %d bytes", AMD_PARAMS_MAX);
		return E2BIG;
	}
	while (*s) {
		size_t n = strcspn(s, ", "), k;
		char item[AMD_PARAMS_MAX + 1], *eq;
		int err;

		if (!n) {
			s++;
			continue;
		}
		memcpy(item, s, n);
		item[n] = '\0';
		s += n;
		eq = strchr(item, '=');
		if (eq)
			*eq = '\0';
		err = eq ? amd_param_set(p, item, eq + 1) : EINVAL;
		if (err) {
			if (eq)
				*eq = '=';
			k = strlen(item);
			snprintf(bad, badsz, "%.*s", (int)(k > 80 ? 80 : k),
				 item);
			return err;
		}
	}
	return 0;
}

void amd_init(struct amd *d, const struct amd_params *p)
{
	memset(d, 0, sizeof(*d));
	if (p)
		d->p = *p;
	else
		amd_params_default(&d->p);
}

static void decide(struct amd *d, enum amd_status s, enum amd_cause c)
{
	d->r.status = s;
	d->r.cause = c;
	d->r.silence_ms = d->silence_ms;
}

/* One 10 ms frame: the rules of amd.h, in their order. */
static void frame(struct amd *d, bool silent)
{
	const struct amd_params *p = &d->p;

	d->r.at_ms += AMD_FRAME_MS;
	if (d->r.at_ms >= p->total_analysis_time) {
		decide(d, AMD_NOTSURE, AMD_CAUSE_TOOLONG);
		return;
	}
	if (silent) {
		d->silence_ms += AMD_FRAME_MS;
		if (d->silence_ms >= p->between_words_silence) {
			d->in_word = false;
			d->word_ms = 0;
		}
		if (!d->greeting && d->silence_ms >= p->initial_silence)
			decide(d, d->heard ? AMD_MACHINE : AMD_NOTSURE,
			       d->heard ? AMD_CAUSE_INITIALSILENCE
			       : AMD_CAUSE_NOAUDIODATA);
		else if (d->greeting &&
			 d->silence_ms >= p->after_greeting_silence)
			decide(d, AMD_HUMAN, AMD_CAUSE_HUMAN);
		return;
	}
	d->silence_ms = 0;
	d->word_ms += AMD_FRAME_MS;
	d->r.voice_ms += AMD_FRAME_MS;
	if (!d->in_word && d->word_ms >= p->min_word_length) {
		d->in_word = true;
		d->r.words++;
	}
	if (d->word_ms >= p->maximum_word_length)
		decide(d, AMD_MACHINE, AMD_CAUSE_MAXWORDLENGTH);
	else if (d->r.words > p->maximum_number_of_words)
		decide(d, AMD_MACHINE, AMD_CAUSE_MAXWORDS);
	else if (d->greeting && d->r.voice_ms >= p->greeting)
		decide(d, AMD_MACHINE, AMD_CAUSE_LONGGREETING);
	else if (d->in_word)
		d->greeting = true;
}

static void put(struct amd *d, uint64_t absval)
{
	d->acc += absval;
	d->pos++;
	if (++d->acc_n < AMD_FRAME)
		return;
	frame(d, d->acc < (uint64_t)d->p.silence_threshold * AMD_FRAME);
	d->acc = 0;
	d->acc_n = 0;
}

/* Silence up to sample position `to`, or to the verdict. Whole frames of
 * silence go at once; the analysis time bounds the loop. */
static void fill(struct amd *d, int64_t to)
{
	while (d->pos < to && !d->r.status) {
		if (!d->acc_n && to - d->pos >= AMD_FRAME) {
			d->pos += AMD_FRAME;
			frame(d, true);
		}
		else
			put(d, 0);
	}
}

enum { ONE_MS = AMD_RATE / 1000 };

/* ms on the timeline to a sample position; far-off times are clamped
 * (the analysis ends within 60 s anyway) */
static int64_t sample_at(int64_t ms)
{
	if (ms < 0)
		return 0;
	if (ms > 3600 * 1000)
		ms = 3600 * 1000;
	return ms * (AMD_RATE / 1000);
}

enum amd_status amd_feed(struct amd *d, const int16_t *pcm, size_t n,
			 int64_t ts_ms)
{
	int64_t start = sample_at(ts_ms);
	size_t i = 0;

	if (d->r.status)
		return d->r.status;
	if (n)
		d->heard = true;
	/* ms timestamps: within a ms of the end of what was fed continues
	 * it (chunks need not be whole ms) */
	if (start > d->pos - ONE_MS && start < d->pos + ONE_MS)
		start = d->pos;
	fill(d, start);
	if (start < d->pos)                 /* overlap: drop what was fed */
		i = (uint64_t)(d->pos - start) < n ? (size_t)(d->pos - start)
			: n;
	for (; i < n && !d->r.status; i++)
		put(d, (uint64_t)abs((int)pcm[i]));
	return d->r.status;
}

enum amd_status amd_advance(struct amd *d, int64_t now_ms)
{
	fill(d, sample_at(now_ms));
	return d->r.status;
}

const struct amd_result *amd_result(const struct amd *d)
{
	return &d->r;
}

const char *amd_status_name(enum amd_status s)
{
	switch (s) {
	case AMD_HUMAN:   return "HUMAN";
	case AMD_MACHINE: return "MACHINE";
	case AMD_NOTSURE: return "NOTSURE";
	case AMD_HANGUP:  return "HANGUP";
	default:          return "PENDING";
	}
}

const char *amd_cause_name(enum amd_cause c)
{
	switch (c) {
	case AMD_CAUSE_HUMAN:          return "HUMAN";
	case AMD_CAUSE_INITIALSILENCE: return "INITIALSILENCE";
	case AMD_CAUSE_LONGGREETING:   return "LONGGREETING";
	case AMD_CAUSE_MAXWORDLENGTH:  return "MAXWORDLENGTH";
	case AMD_CAUSE_MAXWORDS:       return "MAXWORDS";
	case AMD_CAUSE_TOOLONG:        return "TOOLONG";
	case AMD_CAUSE_NOAUDIODATA:    return "NOAUDIODATA";
	default:                       return "";
	}
}

/* ---- WAV ----------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static unsigned le16(const uint8_t *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

int amd_wav_parse(const uint8_t *buf, size_t len, size_t *offp,
		  size_t *nsp, char *why, size_t whysz)
{
	bool fmt = false;
	size_t off = 12;

	if (len > AMD_WAV_MAX) {
		snprintf(why, whysz, "larger than %d MiB",
			 AMD_WAV_MAX >> 20);
		return EINVAL;
	}
	if (len < 12 || memcmp(buf, "RIFF", 4) || memcmp(buf + 8, "WAVE", 4)) {
		snprintf(why, whysz, "not a RIFF/WAVE file");
		return EINVAL;
	}
	/* chunks: id, size, body padded to an even size */
	while (len - off >= 8) {
		const uint8_t *ck = buf + off;
		uint32_t sz = le32(ck + 4);
		size_t body = len - off - 8;

		if (!memcmp(ck, "fmt ", 4)) {
			unsigned tag, ch, bits;
			uint32_t rate;

			if (sz < 16 || body < 16) {
				snprintf(why, whysz, "short fmt chunk");
				return EINVAL;
			}
			tag = le16(ck + 8);
			ch = le16(ck + 10);
			rate = le32(ck + 12);
			bits = le16(ck + 22);
			/* WAVE_FORMAT_EXTENSIBLE carries PCM in its GUID */
			if (tag == 0xfffe && sz >= 40 && body >= 40)
				tag = le16(ck + 32);
			if (tag != 1 || ch != 1 || rate != AMD_RATE ||
			    bits != 16) {
				snprintf(why, whysz, "format %u, %u channel(s),"
					 " %u Hz, %u bits: only PCM (1), mono,"
					 " 8000 Hz, 16 bits is read (sox IN -r"
					 " 8000 -c 1 -b 16 -e signed OUT.wav)",
					 tag, ch, (unsigned)rate, bits);
				return EINVAL;
			}
			fmt = true;
		}
		else if (!memcmp(ck, "data", 4)) {
			if (!fmt) {
				snprintf(why, whysz, "data before fmt chunk");
				return EINVAL;
			}
			*offp = off + 8;
			*nsp = (sz < body ? sz : body) / 2;
			return 0;
		}
		if (sz > body)
			break;
		off += 8 + (size_t)sz + (sz & 1);
		if (off > len)
			break;
	}
	snprintf(why, whysz, fmt ? "no data chunk" : "no fmt chunk");
	return EINVAL;
}
