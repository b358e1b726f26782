/*
 * player.h — a 20 ms clock producing audio for a leg: tones with a cadence
 * (ringback, the built-in phones' and customers' voices) or a WAV file in a
 * loop (music on hold). The sink gets each frame; mem_deref() stops it.
 */
#ifndef OCC_PLAYER_H
#define OCC_PLAYER_H

#include <stddef.h>
#include <stdint.h>

struct player;

typedef void (player_sink_h)(const int16_t *pcm, size_t n, void *arg);

struct tone_spec {
	double f1, f2;         /* Hz; f2 0 for a single tone */
	int16_t amp;           /* peak of each component */
	unsigned on_ms, off_ms;/* cadence; off_ms 0 = continuous */
};

extern const struct tone_spec tone_ringback;   /* 450 Hz, 1 s on 4 s off */

int player_tone(struct player **pp, const struct tone_spec *t,
		player_sink_h *sink, void *arg);
/* An 8 kHz mono 16-bit WAV, looped; other formats are refused (EINVAL). */
int player_wav(struct player **pp, const char *path, player_sink_h *sink,
	       void *arg);

#endif
