/*
 * mixer.c — see mixer.h. Why a sum and not the average: an average of k
 * speakers turns each voice down by k even while the others are silent
 * (−6 dB as soon as a third party joins). Summing keeps every voice at its
 * level; only when the sum would pass MIX_LIMIT does the limiter step in.
 */
#include <stdlib.h>
#include "media/mixer.h"

enum { MIX_MAX_N = 8000 / 10 };       /* 100 ms: more than a frame */

/* per frame, the gain recovers this share of its distance to 1, and snaps
 * to 1 from 0.995 (a 0.04 dB step): back from halving in about 400 ms */
static const float RELEASE = 0.2f;

void mix_frames(struct mix_limiter *lim, const int16_t *const frames[],
		size_t nframes, int16_t *out, size_t n)
{
	int32_t sum[MIX_MAX_N];
	int32_t peak = 0;
	float from, to;

	if (n > MIX_MAX_N)
		n = MIX_MAX_N;
	for (size_t i = 0; i < n; i++) {
		int32_t s = 0;
		for (size_t k = 0; k < nframes; k++)
			s += frames[k][i];
		sum[i] = s;
		if (abs(s) > peak)
			peak = abs(s);
	}
	from = lim->gain > 0 ? lim->gain : 1.0f;
	to = from + (1.0f - from) * RELEASE;            /* recovering */
	if (peak > 0 && (float)peak * to > MIX_LIMIT)
		to = (float)MIX_LIMIT / (float)peak;     /* attack: at once */
	else if (to > 0.995f)
		to = 1.0f;            /* back to the exact sum */
	if (to < from)
		from = to;            /* a falling gain applies to all the frame */
	lim->gain = to;
	for (size_t i = 0; i < n; i++) {
		/* a rising gain ramps over the frame, each step under 'to',
		 * which keeps the frame's peak at or under the limit */
		float g = from + (to - from) * (float)(i + 1) / (float)n;
		float v = g >= 1.0f ? (float)sum[i] : (float)sum[i] * g;
		if (v > MIX_LIMIT)
			v = MIX_LIMIT;
		else if (v < -MIX_LIMIT)
			v = -MIX_LIMIT;
		out[i] = (int16_t)v;
	}
}
