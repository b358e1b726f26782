/*
 * occ-amd — run the answering-machine detector (src/media/amd.h) over a
 * WAV file (PCM 16-bit 8000 Hz mono) and print its verdict, for operators
 * tuning the parameters on recorded greetings:
 *
 *   occ-amd [-p NAME=VALUE]... [-v] FILE.wav
 *
 * The file starts where the call is answered; its end counts as silence
 * (the line goes quiet) until the detector decides. Prints
 *   STATUS CAUSE at MS ms (words N, voice MS ms)
 * Exit status 0 with a verdict, 1 for a usage error, 2 for a file that
 * cannot be read or is not 8 kHz mono 16-bit PCM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "media/amd.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: occ-amd [-p NAME=VALUE]... [-v] FILE.wav\n"
		"  runs answering-machine detection over FILE (PCM 16-bit,"
		" 8000 Hz, mono)\n"
		"  and prints: STATUS CAUSE at MS ms (words N, voice MS ms)\n"
		"  -p NAME=VALUE  a parameter (Asterisk amd.conf names),"
		" default in brackets:\n");
	for (size_t i = 0; i < 9; i++) {
		struct amd_params p;

		amd_params_default(&p);
		fprintf(f, "                 %s [%u]\n", amd_param_names[i],
			amd_param_get(&p, i));
	}
	fprintf(f, "  -v             print the parameters used\n");
}

/* The whole file, at most AMD_WAV_MAX bytes (+1 to tell it is larger). */
static uint8_t *slurp(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (len == cap) {
			uint8_t *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > (size_t)AMD_WAV_MAX + 1)
				cap = (size_t)AMD_WAV_MAX + 1;
			if (len == cap)
				break;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, f);
		len += got;
		if (!got)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*lenp = len;
	return buf ? buf : malloc(1);
}

int main(int argc, char **argv)
{
	struct amd_params p;
	const struct amd_result *r;
	const char *path = NULL;
	bool verbose = false;
	int16_t chunk[AMD_FRAME * 2];
	struct amd d;
	uint8_t *buf;
	size_t len = 0, off = 0, ns = 0;
	char why[256];

	amd_params_default(&p);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
		}
		else if (!strcmp(argv[i], "-p") && i + 1 < argc) {
			char name[64];
			const char *eq = strchr(argv[++i], '=');
			size_t n = eq ? (size_t)(eq - argv[i]) : 0;
			int err;

			if (!eq || n >= sizeof(name)) {
				fprintf(stderr, "occ-amd: -p %s: want"
					" NAME=VALUE\n", argv[i]);
				return 1;
			}
			memcpy(name, argv[i], n);
			name[n] = '\0';
			err = amd_param_set(&p, name, eq + 1);
			if (err) {
				fprintf(stderr, "occ-amd: -p %s: %s\n", argv[i],
					err == ENOENT ? "no such parameter"
					: "bad value (times 10..60000 ms,"
					" words 0..100, threshold 0..32767)");
				return 1;
			}
		}
		else if (argv[i][0] == '-' || path) {
			usage(stderr);
			return 1;
		}
		else
			path = argv[i];
	}
	if (!path) {
		usage(stderr);
		return 1;
	}
	buf = slurp(path, &len);
	if (!buf) {
		fprintf(stderr, "occ-amd: %s: %s\n", path, strerror(errno));
		return 2;
	}
	if (amd_wav_parse(buf, len, &off, &ns, why, sizeof(why))) {
		fprintf(stderr, "occ-amd: %s: %s\n", path, why);
		free(buf);
		return 2;
	}
	if (verbose)
		for (size_t i = 0; i < 9; i++)
			printf("%s=%u\n", amd_param_names[i],
			       amd_param_get(&p, i));

	/* 20 ms packets, as RTP brings them */
	amd_init(&d, &p);
	for (size_t i = 0; i < ns; i += AMD_FRAME * 2) {
		size_t n = ns - i < AMD_FRAME * 2 ? ns - i : AMD_FRAME * 2;

		for (size_t j = 0; j < n; j++)
			chunk[j] = amd_wav_sample(buf + off, i + j);
		if (amd_feed(&d, chunk, n, (int64_t)(i / 8)))
			break;
	}
	amd_advance(&d, p.total_analysis_time);
	free(buf);
	r = amd_result(&d);
	printf("%s %s at %lld ms (words %u, voice %u ms)\n",
	       amd_status_name(r->status), amd_cause_name(r->cause),
	       (long long)r->at_ms, r->words, r->voice_ms);
	return 0;
}
