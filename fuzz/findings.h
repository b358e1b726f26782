/*
 * fuzz/findings.h — known findings of a fuzz target: behaviour that is
 * wrong but known. Each is strict (aborts) unless OCC_FUZZ_STRICT says
 * otherwise ("0": none, "1"/"all": every one, or a comma list of ids);
 * the tolerated ones met are named in one line at exit.
 *
 * Header-only, included by one target file each (fuzz_rtp.c, fuzz_sdp.c):
 * every target is its own binary, so the state below is per target.
 */
#ifndef OCC_FUZZ_FINDINGS_H
#define OCC_FUZZ_FINDINGS_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct finding {
	const char *id;
	const char *what;
	bool seen;
};

static struct {
	const char *target;     /* "fuzz_rtp": the prefix of every line */
	struct finding *v;
	size_t n;
	const char *strict_env; /* OCC_FUZZ_STRICT at start */
} findings;

static bool finding_strict(const char *id)
{
	const char *s = findings.strict_env;
	size_t n = strlen(id);

	/* the findings are fixed in mep.c: strict unless told otherwise */
	if (!s || !*s)
		return true;
	if (!strcmp(s, "0"))
		return false;
	if (!strcmp(s, "1") || !strcasecmp(s, "all"))
		return true;
	for (const char *p = s; (p = strstr(p, id)); p += n)
		if ((p == s || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void finding(int i, const char *cond, const char *file, int line)
{
	struct finding *f = &findings.v[i];

	if (finding_strict(f->id)) {
		fprintf(stderr, "%s: %s:%d: finding %s: %s (%s)\n",
			findings.target, file, line, f->id, f->what, cond);
		abort();
	}
	f->seen = true;
}

/* One line at exit: which known findings this run met. */
static void findings_summary(void)
{
	char ids[128] = "";

	for (size_t i = 0; i < findings.n; i++)
		if (findings.v[i].seen)
			snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids),
				 " %s", findings.v[i].id);
	if (ids[0])
		fprintf(stderr, "%s: known findings met, tolerated:%s "
			"(OCC_FUZZ_STRICT=1 aborts on them)\n",
			findings.target, ids);
}

/* Once, at the target's first input. */
static void findings_init(const char *target, struct finding *v, size_t n)
{
	findings.target = target;
	findings.v = v;
	findings.n = n;
	findings.strict_env = getenv("OCC_FUZZ_STRICT");
	atexit(findings_summary);
}

#define FINDING(i, cond) do { \
	if (!(cond)) \
		finding(i, #cond, __FILE__, __LINE__); \
} while (0)

#endif
