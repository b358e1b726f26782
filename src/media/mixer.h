/*
 * mixer.h — what one listener hears of several speakers: the sum of their
 * frames, through a limiter. A lone speaker (the others silent, or sending
 * nothing, which reads as silence) passes at the level it was sent,
 * sample for sample, as long as it stays under the limiter's threshold;
 * voices that together would pass the threshold are turned down just
 * enough, so the output never reaches the rail (±32767/−32768).
 *
 * The limiter's state belongs to the listener: its gain falls at once to
 * what the loudest sample of a frame needs, and comes back to 1 within
 * about 400 ms, in steps spread over each frame (no clicks).
 */
#ifndef OCC_MIXER_H
#define OCC_MIXER_H

#include <stddef.h>
#include <stdint.h>

enum { MIX_LIMIT = 32000 };   /* the loudest sample a mix may carry */

struct mix_limiter {
	float gain;           /* 0 (zeroed): not used yet, i.e. 1 */
};

/* out[0..n) = the limited sum of frames[0..nframes)[0..n); out may be one
 * of the frames. */
void mix_frames(struct mix_limiter *lim, const int16_t *const frames[],
		size_t nframes, int16_t *out, size_t n);

#endif
