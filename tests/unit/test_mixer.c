/*
 * test_mixer.c — the mixer (media/mixer.h) and the routing in front of it
 * (sip/routing.c): a lone speaker reaches a listener of a 3- or 4-party
 * mix at the level it was sent; speakers together never reach the rail;
 * a two-party call's samples pass through unchanged. And the recordings
 * behind it: files opened exclusively, repaired after a cut, named apart.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <re.h>
#include "unit.h"
#include "core/model.h"
#include "media/mixer.h"
#include "media/recorder.h"
#include "sip/call_impl.h"
#include "sip/tel.h"

enum { FRAMES = 50, N = MIX_FRAME };     /* one second */

static void sine(int16_t *out, size_t n, size_t at, double f, double amp)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (int16_t)lrint(amp * sin(2 * M_PI * f *
						  (double)(at + i) / 8000));
}

static double rms(const int16_t *s, size_t n)
{
	double acc = 0;

	for (size_t i = 0; i < n; i++)
		acc += (double)s[i] * s[i];
	return sqrt(acc / (double)n);
}

/* dB of what a listener of `parties - 1` speakers hears when only the
 * first speaks, a sine of amplitude amp */
static double lone_speaker_db(int parties, double amp)
{
	struct mix_limiter lim = { 0 };
	int16_t voice[N], silence[N] = { 0 }, out[N];
	const int16_t *heard[4] = { voice, silence, silence, silence };
	double in = 0, got = 0;

	for (size_t f = 0; f < FRAMES; f++) {
		sine(voice, N, f * N, 1000, amp);
		mix_frames(&lim, heard, (size_t)parties - 1, out, N);
		in += rms(voice, N);
		got += rms(out, N);
	}
	return 20 * log10(got / in);
}

UNIT_TEST(mixer_lone_speaker_keeps_its_level_in_3_and_4_party_mixes)
{
	for (int parties = 3; parties <= 4; parties++) {
		double quiet = lone_speaker_db(parties, 8000);
		double loud = lone_speaker_db(parties, 32767);
		UT_ASSERT(fabs(quiet) <= 1.0);
		UT_ASSERT(fabs(loud) <= 1.0);
		UT_ASSERT(fabs(quiet) < 0.001);   /* under the limit: exact */
	}
}

UNIT_TEST(mixer_full_scale_speakers_never_reach_the_rail)
{
	struct mix_limiter lim = { 0 };
	int16_t a[N], b[N], c[N], out[N];
	const int16_t *heard[3] = { a, b, c };
	int peak = 0;

	for (size_t f = 0; f < 2 * FRAMES; f++) {
		/* two tones at full scale; a third joins halfway, then a
		 * square wave at the rails on all three */
		sine(a, N, f * N, 907, 32767);
		sine(b, N, f * N, 1243, 32767);
		if (f < FRAMES / 2)
			memset(c, 0, sizeof(c));
		else if (f < FRAMES)
			sine(c, N, f * N, 1687, 32767);
		else
			for (size_t i = 0; i < N; i++)
				a[i] = b[i] = c[i] = (i / 20) % 2 ? 32767 :
					-32768;
		mix_frames(&lim, heard, f < FRAMES / 2 ? 2 : 3, out, N);
		for (size_t i = 0; i < N; i++)
			if (abs(out[i]) > peak)
				peak = abs(out[i]);
	}
	UT_ASSERT(peak < 32767);
	UT_ASSERT(peak <= MIX_LIMIT);
	UT_ASSERT(peak > MIX_LIMIT * 9 / 10);   /* limited, not averaged */
}

/* After a loud moment the gain comes back: a lone voice is at its level
 * again within half a second. */
UNIT_TEST(mixer_gain_recovers_after_a_loud_moment)
{
	struct mix_limiter lim = { 0 };
	int16_t a[N], b[N], out[N];
	const int16_t *heard[2] = { a, b };

	sine(a, N, 0, 907, 32767);
	sine(b, N, 0, 1243, 32767);
	mix_frames(&lim, heard, 2, out, N);
	UT_ASSERT(lim.gain < 0.7f);
	memset(b, 0, sizeof(b));
	for (size_t f = 1; f < 25; f++) {
		sine(a, N, f * N, 907, 8000);
		mix_frames(&lim, heard, 2, out, N);
	}
	UT_ASSERT(memcmp(out, a, sizeof(out)) == 0);
}

/* Two parties go through routing's relay: whatever the customer says
 * (full-scale noise included) reaches the agent's ear unchanged — read
 * back from the call's recording (right channel). */
UNIT_TEST(mixer_two_party_call_is_bit_exact)
{
	struct call *c = mem_zalloc(sizeof(*c), NULL);
	struct leg *ag = mem_zalloc(sizeof(*ag), NULL);
	struct leg *cu = mem_zalloc(sizeof(*cu), NULL);
	char path[] = "/tmp/occ-unit-mixer-XXXXXX";
	char wav[64];
	int16_t said[N], lr[2 * N];
	FILE *f;
	bool same = true;

	UT_ASSERT(c && ag && cu && mkdtemp(path));
	snprintf(wav, sizeof(wav), "%s/r.wav", path);
	ag->call = cu->call = c;
	ag->role = ROLE_AGENT;
	cu->role = ROLE_CUSTOMER;
	ag->state = cu->state = LEG_UP;
	c->legs[ROLE_AGENT] = ag;
	c->legs[ROLE_CUSTOMER] = cu;
	remix(c);
	UT_ASSERT(!mclock_joined(&c->mix_clk));       /* no mixer */
	srand(7);
	for (size_t i = 0; i < N; i++)
		said[i] = (int16_t)((rand() & 0xffff) - 32768);
	said[0] = 32767;
	said[1] = -32768;
	UT_ASSERT(recorder_alloc(&c->rec, wav, NULL) == 0);
	leg_audio(NULL, said, N, cu);
	usleep(30 * 1000);            /* one 20 ms frame due */
	c->rec = mem_deref(c->rec);   /* writes it */
	f = fopen(wav, "rb");
	UT_ASSERT(f);
	UT_ASSERT(fseek(f, 44, SEEK_SET) == 0);
	UT_ASSERT(fread(lr, sizeof(lr), 1, f) == 1);
	fclose(f);
	for (size_t i = 0; i < N; i++)
		same = same && lr[2 * i + 1] == said[i];
	unlink(wav);
	rmdir(path);
	mem_deref(c);
	mem_deref(ag);
	mem_deref(cu);
	UT_ASSERT(same);
}

/* The recorder never opens an existing file (O_EXCL), and a recording
 * cut short (its header still says 0 frames) is repaired from its data. */
UNIT_TEST(recorder_exclusive_and_repaired_after_a_cut)
{
	char dir[] = "/tmp/occ-unit-rec-XXXXXX", wav[64];
	struct recorder *r = NULL;
	uint8_t h[44], data[4 * 800 + 3] = { 0 };
	uint64_t frames = 0;
	FILE *f;

	UT_ASSERT(mkdtemp(dir));
	snprintf(wav, sizeof(wav), "%s/cut.wav", dir);
	UT_ASSERT(recorder_alloc(&r, wav, NULL) == 0);
	UT_EQ_INT(recorder_alloc(&r, wav, NULL), EEXIST);    /* r unchanged */
	/* the process dies: only the header (0 frames) and the data the
	 * stdio buffer flushed are on disk; simulate with a raw append */
	f = fopen(wav, "r+b");
	UT_ASSERT(f && fread(h, sizeof(h), 1, f) == 1);
	UT_EQ_INT(h[40] | h[41] << 8 | h[42] << 16, 0);
	UT_ASSERT(fseek(f, 0, SEEK_END) == 0 &&
		  fwrite(data, sizeof(data), 1, f) == 1);
	fclose(f);
	UT_EQ_INT(recorder_repair(wav, &frames), 0);
	UT_EQ_INT(frames, 800);                   /* the torn sample dropped */
	f = fopen(wav, "rb");
	UT_ASSERT(f && fread(h, sizeof(h), 1, f) == 1);
	fclose(f);
	UT_EQ_INT(h[40] | h[41] << 8 | h[42] << 16, 800 * 4);
	UT_EQ_INT(h[4] | h[5] << 8 | h[6] << 16, 36 + 800 * 4);
	r = mem_deref(r);     /* finishing it writes the header once more */
	unlink(wav);
	/* not a WAV of ours */
	f = fopen(wav, "wb");
	UT_ASSERT(f && fwrite(data, 100, 1, f) == 1);
	fclose(f);
	UT_EQ_INT(recorder_repair(wav, &frames), EINVAL);
	unlink(wav);
	rmdir(dir);
}

/* Same second, same agent number, same number: the team and the call's
 * sessionid keep the names apart. */
UNIT_TEST(recording_names_carry_team_and_sessionid)
{
	char a[128], b[128];

	tel_recording_name(a, sizeof(a), 1796405154715, "demo", "8006",
			   "138-0013/8000", "55bd892356606dbd15ffaec6f83e189c");
	tel_recording_name(b, sizeof(b), 1796405154999, "ac.me", "8006",
			   "138-0013/8000", "0123456789abcdef0123456789abcdef");
	UT_ASSERT(strcmp(a, b) != 0);
	UT_ASSERT(strstr(a, "-8006-13800138000-demo-"
			 "55bd892356606dbd15ffaec6f83e189c.wav") != NULL);
	UT_ASSERT(strstr(b, "-acme-0123456789abcdef") != NULL);
	UT_ASSERT(!strchr(a, '/') && !strchr(b, '/'));
	UT_ASSERT(strlen(a) == 14 + strlen("-8006-13800138000-demo-") + 32 +
		  4);
}
