/*
 * fuzz_wav.c — libFuzzer target for recorder_repair() (src/media/
 * recorder.c), which reads a recording left by a crash and rewrites its
 * WAV header from the data on disk: the file is whatever was on disk.
 *
 * Each input (at most WAV_MAX bytes, longer ones are cut) is written to one
 * temporary file per process, reused, and repaired through its
 * /proc/self/fd/<n> name: the file is unlinked as soon as it is made, so no
 * exit path (libFuzzer's -max_total_time ends with _Exit) leaves it behind.
 * Checked:
 *   - the result is 0 or EINVAL, and 0 exactly when the input is at least a
 *     44-byte header with our format fields ("RIFF", "WAVEfmt ", PCM, 2
 *     channels, 8000 Hz, 16 bits, "data"), whatever its lengths say;
 *   - EINVAL: the file is unchanged byte for byte, *frames untouched;
 *   - 0: the file is the 44-byte header with both lengths set from the
 *     data, followed by the input's data cut to whole 4-byte frames
 *     (never longer than the input); *frames is that data / 4; a second
 *     repair finds the same and changes nothing.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "media/recorder.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_wav: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { HEADER = 44, BLOCK = 4, WAV_MAX = 65536 };
static const uint64_t UNTOUCHED = 0xdeadbeefcafef00dULL;

static char path[64];
static int tmp_fd = -1;

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The header of a stereo 8 kHz 16-bit PCM WAV, written from the format. */
static void ref_header(uint8_t h[HEADER], uint32_t data)
{
	memcpy(h, "RIFF", 4);
	put_le32(h + 4, 36 + data);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);              /* fmt chunk size */
	h[20] = 1; h[21] = 0;              /* PCM */
	h[22] = 2; h[23] = 0;              /* channels */
	put_le32(h + 24, 8000);            /* sample rate */
	put_le32(h + 28, 8000 * BLOCK);    /* byte rate */
	h[32] = BLOCK; h[33] = 0;          /* block align */
	h[34] = 16; h[35] = 0;             /* bits per sample */
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data);
}

/* Ours: everything but the two length fields matches. */
static bool ref_ours(const uint8_t *d, size_t n)
{
	uint8_t h[HEADER];

	if (n < HEADER)
		return false;
	ref_header(h, 0);
	return !memcmp(d, h, 4) && !memcmp(d + 8, h + 8, 32) &&
	       !memcmp(d + 36, h + 36, 4);
}

static size_t read_back(uint8_t *buf, size_t cap)
{
	struct stat st;
	ssize_t got;

	CHECK(!fstat(tmp_fd, &st));
	CHECK(st.st_size >= 0 && (uint64_t)st.st_size <= cap);
	got = pread(tmp_fd, buf, cap, 0);
	CHECK(got == st.st_size);
	return (size_t)got;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t back[WAV_MAX + HEADER];
	uint8_t want[HEADER];
	uint64_t frames = UNTOUCHED, frames2 = UNTOUCHED, dlen;
	size_t n;
	int err;

	if (tmp_fd < 0) {
		char tmpl[] = "/tmp/occ-fuzz-wav-XXXXXX";

		tmp_fd = mkstemp(tmpl);
		CHECK(tmp_fd >= 0);
		unlink(tmpl);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", tmp_fd);
	}
	if (size > WAV_MAX)
		size = WAV_MAX;
	CHECK(!ftruncate(tmp_fd, 0));
	CHECK(size == 0 || pwrite(tmp_fd, data, size, 0) == (ssize_t)size);

	err = recorder_repair(path, &frames);
	CHECK(err == 0 || err == EINVAL);
	CHECK(!err == ref_ours(data, size));
	n = read_back(back, sizeof(back));
	if (err) {
		CHECK(frames == UNTOUCHED);
		CHECK(n == size && (!n || !memcmp(back, data, n)));
		return 0;
	}
	dlen = (size - HEADER) / BLOCK * BLOCK;
	CHECK(frames == dlen / BLOCK);
	CHECK(n == HEADER + dlen && n <= size);
	ref_header(want, (uint32_t)dlen);
	CHECK(!memcmp(back, want, HEADER));
	CHECK(!memcmp(back + HEADER, data + HEADER, dlen));

	/* repaired once: a second repair finds it whole */
	CHECK(recorder_repair(path, &frames2) == 0);
	CHECK(frames2 == frames);
	CHECK(read_back(back, sizeof(back)) == n);
	CHECK(!memcmp(back, want, HEADER));
	/* the caller may not want the count */
	CHECK(recorder_repair(path, NULL) == 0);
	return 0;
}
