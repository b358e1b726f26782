/*
 * main.c — runs every registered unit test. `unit-tests [filter]` runs the
 * tests whose name contains filter, `unit-tests '!filter'` the others.
 * Exit status is non-zero on failure.
 */
#include <stdlib.h>
#include <re.h>
#include "unit.h"
#include "base/log.h"

enum { MAX_TESTS = 512 };
static struct { const char *name; unit_fn *fn; } tests[MAX_TESTS];
static int ntests;
static const char *skipped;

void unit_skip(const char *why)
{
	skipped = why;
}

void unit_register(const char *name, unit_fn *fn)
{
	if (ntests < MAX_TESTS) {
		tests[ntests].name = name;
		tests[ntests].fn = fn;
		ntests++;
	}
}

char *unit_read_all(FILE *f)
{
	long len;
	char *s;

	fflush(f);
	len = ftell(f);
	s = calloc(1, (size_t)len + 1);
	rewind(f);
	if (s && fread(s, 1, (size_t)len, f) != (size_t)len)
		s[0] = '\0';
	return s;
}

unsigned unit_count(const char *s, const char *what)
{
	unsigned n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0, nskipped = 0;

	libre_init();
	/* migrations and such log at info; tests only want problems */
	log_set_level(LOG_LVL_WARN);
	for (int i = 0; i < ntests; i++) {
		int f = 0;
		if (argc > 1 && argv[1][0] == '!' ?
		    strstr(tests[i].name, argv[1] + 1) != NULL :
		    argc > 1 && !strstr(tests[i].name, argv[1]))
			continue;
		skipped = NULL;
		tests[i].fn(&f);
		if (skipped && !f) {
			printf("ok - %s # SKIP %s\n", tests[i].name, skipped);
			nskipped++;
			continue;
		}
		printf("%s - %s\n", f ? "not ok" : "ok", tests[i].name);
		if (f)
			failed++;
		else
			passed++;
	}
	libre_close();
	if (nskipped)
		printf("unit: %d passed, %d failed, %d skipped\n", passed,
		       failed, nskipped);
	else
		printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
