/*
 * recorder.h — records a call as a stereo 8 kHz 16-bit WAV: left channel
 * the agent, right channel the customer. Each side's audio is put in as it
 * arrives; a 20 ms clock writes aligned frames (silence where a side sent
 * nothing), so the two channels stay in step whatever the packet timing.
 * mem_deref() finishes the file (the WAV header gets its length).
 */
#ifndef OCC_RECORDER_H
#define OCC_RECORDER_H

#include <stddef.h>
#include <stdint.h>

enum rec_side { REC_AGENT = 0, REC_CUSTOMER = 1 };

struct recorder;

int  recorder_alloc(struct recorder **rp, const char *path);
void recorder_put(struct recorder *r, enum rec_side side, const int16_t *pcm,
		  size_t n);
/* Samples written per channel so far. */
uint64_t recorder_samples(const struct recorder *r);

#endif
