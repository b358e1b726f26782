/*
 * recorder.h — records a call as a stereo 8 kHz 16-bit WAV: left channel
 * the agent, right channel the customer. Each side's audio is put in as it
 * arrives; a 20 ms clock writes aligned frames (silence where a side sent
 * nothing for 200 ms: audio up to that late still lands in its place), so
 * the two channels stay in step whatever the packet timing.
 *
 * The file is created with O_EXCL (an existing file is never truncated or
 * shared: EEXIST) — by recorder_alloc on the control loop, or, for a
 * recorder of a media worker, on the worker's first tick (creating a file
 * can take a millisecond: ext4 searching for a free inode), where a
 * failure is logged ("cannot record to ...") and the audio dropped. mem_deref() finishes it (the WAV header gets its
 * length); a file cut short by a crash keeps a header saying 0 frames
 * until recorder_repair() sets it from the data on disk.
 */
#ifndef OCC_RECORDER_H
#define OCC_RECORDER_H

#include <stddef.h>
#include <stdint.h>

enum rec_side { REC_AGENT = 0, REC_CUSTOMER = 1 };

struct recorder;
struct mworker;

/* w: the media worker whose clock writes the file, the one whose
 * endpoints put the audio in (the call's); NULL: the control loop's. */
int  recorder_alloc(struct recorder **rp, const char *path, struct mworker *w);
void recorder_put(struct recorder *r, enum rec_side side, const int16_t *pcm,
		  size_t n);
/* Samples written per channel so far. */
uint64_t recorder_samples(const struct recorder *r);

/* A recording left unfinished (by kill -9, a power cut): sets its header's
 * lengths from the data on disk and drops a torn last sample. *framesp:
 * the samples per channel it holds. EINVAL if it is not our WAV. */
int  recorder_repair(const char *path, uint64_t *framesp);

#endif
