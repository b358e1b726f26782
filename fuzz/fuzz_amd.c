/*
 * fuzz_amd.c — libFuzzer target for the answering-machine detector
 * (src/media/amd.c): its WAV reader (the occ-amd tool's input, a file an
 * operator hands it) and its frame feed (the audio and timestamps a call
 * leg's tap passes).
 *
 * The input (at most MAX_LEN_amd bytes) is read as a WAV file. Checked:
 *   - amd_wav_parse returns 0 or EINVAL, a non-empty reason on EINVAL;
 *     on 0 the samples lie inside the input (offset >= 12, offset + 2 x
 *     count <= size) and the format fields say PCM, mono, 8000 Hz, 16 bit;
 * then the detector runs, with parameters taken from the input's last 10
 * bytes (each within amd_param_set's ranges), over the WAV's samples if
 * it parsed, else over the input's bytes as samples, in chunks and with
 * timestamps (jitter, gaps, repeats, negative and far-off times) taken
 * from the input too. Checked:
 *   - the status is PENDING, HUMAN, MACHINE or NOTSURE with its own causes
 *     (HUMAN: HUMAN; MACHINE: INITIALSILENCE, LONGGREETING, MAXWORDS,
 *     MAXWORDLENGTH; NOTSURE: TOOLONG, NOAUDIODATA), PENDING without one;
 *   - a verdict comes at a whole frame within the analysis time, and
 *     after amd_advance to the analysis time there is always one;
 *   - voice never exceeds the analysed time; a verdict never changes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/amd.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_amd: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { IN_MAX = 65536 };

static void params_from(struct amd_params *p, const uint8_t *b, size_t n)
{
	static const unsigned ms[] = { 10, 50, 100, 800, 1500, 2500, 5000,
				       60000 };
	char v[16];

	amd_params_default(p);
	for (size_t i = 0; i < 9 && i < n; i++) {
		unsigned val = i == 7 ? b[i] % 8u
			: i == 8 ? (unsigned)b[i] * 8u
			: ms[b[i] % 8u] + (b[i] >> 3) * 10u;
		snprintf(v, sizeof(v), "%u", val);
		CHECK(amd_param_set(p, amd_param_names[i], v) == 0 ||
		      val > 60000);
	}
}

static void check_result(const struct amd *d)
{
	const struct amd_result *r = amd_result(d);

	switch (r->status) {
	case AMD_PENDING:
		CHECK(r->cause == AMD_CAUSE_NONE);
		break;
	case AMD_HUMAN:
		CHECK(r->cause == AMD_CAUSE_HUMAN);
		break;
	case AMD_MACHINE:
		CHECK(r->cause == AMD_CAUSE_INITIALSILENCE ||
		      r->cause == AMD_CAUSE_LONGGREETING ||
		      r->cause == AMD_CAUSE_MAXWORDS ||
		      r->cause == AMD_CAUSE_MAXWORDLENGTH);
		break;
	case AMD_NOTSURE:
		CHECK(r->cause == AMD_CAUSE_TOOLONG ||
		      r->cause == AMD_CAUSE_NOAUDIODATA);
		break;
	default:
		CHECK(0);
	}
	CHECK(r->at_ms >= 0 && r->at_ms % AMD_FRAME_MS == 0);
	CHECK(r->at_ms <= (int64_t)d->p.total_analysis_time);
	CHECK(r->voice_ms <= r->at_ms);
	CHECK(amd_status_name(r->status)[0]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int16_t pcm[IN_MAX / 2];
	struct amd_params p;
	struct amd d;
	struct amd_result first;
	char why[256] = "";
	size_t off = 0, ns = 0, i = 0, k = 0;
	int64_t ts = 0;
	int err;

	if (size > IN_MAX)
		size = IN_MAX;
	err = amd_wav_parse(data, size, &off, &ns, why, sizeof(why));
	CHECK(err == 0 || err == EINVAL);
	if (err) {
		CHECK(why[0]);
		ns = size / 2;
		for (size_t j = 0; j < ns; j++)
			pcm[j] = amd_wav_sample(data, j);
	}
	else {
		CHECK(off >= 12 && off <= size && ns <= (size - off) / 2);
		for (size_t j = 0; j < ns; j++)
			pcm[j] = amd_wav_sample(data + off, j);
	}

	params_from(&p, size >= 10 ? data + size - 10 : data,
		    size >= 10 ? 9 : size);
	amd_init(&d, &p);
	/* chunks of 1..320 samples; the timestamp moves by the chunk, plus
	 * a step taken from the input: on time, late, early, a gap, a
	 * repeat, or a wild value */
	while (i < ns) {
		uint8_t c = data[k++ % size];
		size_t len = 1 + (size_t)c * 5 % 320;
		int64_t at = ts;

		if (len > ns - i)
			len = ns - i;
		switch (c >> 5) {
		case 1: at += c % 7; break;
		case 2: at -= c % 5; break;
		case 3: at += 200; break;
		case 4: at -= 40; break;
		case 5: at = c & 1 ? INT64_MAX : INT64_MIN; break;
		default: break;
		}
		amd_feed(&d, pcm + i, len, at);
		check_result(&d);
		i += len;
		ts = at < 0 || at > 100000 ? ts : at;
		ts += (int64_t)len / 8;
	}
	amd_advance(&d, (int64_t)p.total_analysis_time);
	check_result(&d);
	CHECK(amd_result(&d)->status != AMD_PENDING);
	first = *amd_result(&d);
	amd_feed(&d, pcm, ns < 160 ? ns : 160, ts);
	amd_advance(&d, INT64_MAX);
	CHECK(!memcmp(&first, amd_result(&d), sizeof(first)));
	return 0;
}
