/*
 * replay_main.c — a standalone main for the fuzz targets, so their corpora
 * run as regression tests without libFuzzer (any C compiler; ASan/UBSan
 * recommended).
 *
 *   replay <target-name> <dir-or-file>...
 *
 * Every regular file in each directory (in name order) and every file named
 * directly goes through LLVMFuzzerTestOneInput() once. Paths that do not
 * exist are skipped (fuzz/crashes/<target>/ usually does not), but finding
 * no input at all is an error. A failed check in a target aborts, so any
 * failure ends the run with a non-zero status; on success prints
 * "replay <target>: N inputs ok".
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static const char *target = "fuzz";

static int run_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;

	if (!fp) {
		fprintf(stderr, "replay %s: %s: %s\n", target, path,
			strerror(errno));
		return -1;
	}
	for (;;) {
		size_t got;
		if (len == cap) {
			uint8_t *nb;
			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "replay %s: out of memory\n",
					target);
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nb;
		}
		got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay %s: %s: read error\n", target, path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);

	/* Hand the target an exactly-sized copy so ASan catches overreads. */
	uint8_t *exact = malloc(len ? len : 1);
	if (!exact) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	if (getenv("REPLAY_VERBOSE"))
		fprintf(stderr, "replay %s: %s (%zu bytes)\n", target, path,
			len);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int skip_entry(const struct dirent *d)
{
	return d->d_name[0] != '.';    /* ., .., and hidden files */
}

/* Returns the number of inputs run, or -1. */
static long run_path(const char *path)
{
	struct stat st;
	struct dirent **ents;
	long count = 0;
	int n;

	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return run_file(path) < 0 ? -1 : 1;

	n = scandir(path, &ents, skip_entry, by_name);
	if (n < 0) {
		fprintf(stderr, "replay %s: %s: %s\n", target, path,
			strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char *full;
		if (count >= 0 &&
		    asprintf(&full, "%s/%s", path, ents[i]->d_name) >= 0) {
			if (stat(full, &st) == 0 && S_ISREG(st.st_mode))
				count = run_file(full) < 0 ? -1 : count + 1;
			free(full);
		}
		free(ents[i]);
	}
	free(ents);
	return count;
}

int main(int argc, char **argv)
{
	long total = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s <target-name> <dir-or-file>...\n",
			argv[0]);
		return 2;
	}
	target = argv[1];
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 2; i < argc; i++) {
		long n = run_path(argv[i]);
		if (n < 0)
			return 1;
		total += n;
	}
	if (total == 0) {
		fprintf(stderr, "replay %s: no inputs found\n", target);
		return 1;
	}
	printf("replay %s: %ld inputs ok\n", target, total);
	return 0;
}
