/*
 * player.h — a 20 ms clock producing audio for a leg: tones with a cadence
 * (ringback, the built-in phones' and customers' voices), a WAV file in a
 * loop (music on hold), or prompts: WAV files played once, one after the
 * other, then a done handler. The sink gets each frame; mem_deref() stops
 * a player at once (a prompt's done handler is then not called: a caller
 * who pressed a key during a prompt — barge-in — knows it stopped).
 *
 * Prompt files are read when their turn comes, at each play, not cached:
 * an operator replaces a prompt (or fixes a missing one) without a
 * restart. A prompt of a few seconds is a few tens of KiB, read from the
 * page cache; PLAYER_PROMPT_MAX_S bounds one file. A file that is missing,
 * unreadable or not 8 kHz mono 16-bit plays PLAYER_MISSING_MS of silence
 * instead, and is logged once (warn) — not per call — until it plays
 * again.
 */
#ifndef OCC_PLAYER_H
#define OCC_PLAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct player;

typedef void (player_sink_h)(const int16_t *pcm, size_t n, void *arg);
/* A prompt has played to its end. The player may be dereferenced here. */
typedef void (player_done_h)(void *arg);

enum { PLAYER_PROMPT_MAX_S = 300, PLAYER_MISSING_MS = 500,
       PLAYER_PROMPT_FILES = 16 };

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
/* The n files (at most PLAYER_PROMPT_FILES, n >= 1) once, in order, then
 * done(arg); sink and done share arg. EINVAL for a bad n. */
int player_prompt(struct player **pp, const char *const paths[], size_t n,
		  player_sink_h *sink, player_done_h *done, void *arg);
/* Was p made by player_prompt (played to its end or not)? */
bool player_is_prompt(const struct player *p);

#endif
