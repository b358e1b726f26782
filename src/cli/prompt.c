/*
 * prompt.c (occctl) — the team's prompt WAVs, the files its routing's
 * [prompt] sections name by a relative path: <data>/prompts/<team>/.
 *
 * prompt add reads FILE (at most PROMPT_MAX bytes), checks that it is a
 * WAV PCM 16-bit mono 8000 Hz with audio in it (amd_wav_parse, which says
 * what is wrong), writes it to a new file beside its destination, opens
 * that with the reader occd's player uses (libre's aufile, the same format
 * test), and renames it into place: a call never reads half a file, and a
 * refused file changes nothing. WAVNAME has no '/' and does not start
 * with a dot (the occctl type WAVNAME), so it stays in the team's
 * directory. occd reads prompt files when it plays them: no reload is
 * needed, a replaced file plays from each call's next prompt. prompt
 * remove warns about each [prompt] that still names the file (it plays
 * as silence).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <re.h>
#include <rem.h>
#include "cli/occctl.h"
#include "inbound/routing.h"
#include "media/amd.h"

enum { PROMPT_MAX = 2 * 1024 * 1024 };

/* <data>/prompts/<team> into buf, made if missing (mkdir -p of two
 * levels); EXIT_ERR after saying why. */
static int team_dir(struct ctx *c, char *buf, size_t size, bool make)
{
	const char *team = c->pos[0];

	/* a team named . or .. would name another directory */
	if (!strcmp(team, ".") || !strcmp(team, "..")) {
		fprintf(cli_err, "occctl: team %s cannot have prompt files\n",
			team);
		return EXIT_ERR;
	}
	if (re_snprintf(buf, size, "%s/prompts", c->dir) < 0 ||
	    (make && mkdir(buf, 0755) && errno != EEXIST) ||
	    re_snprintf(buf, size, "%s/prompts/%s", c->dir, team) < 0 ||
	    (make && mkdir(buf, 0755) && errno != EEXIST))
		return check(errno ? errno : ENAMETOOLONG, "%s", buf);
	return 0;
}

/* The whole of path, at most PROMPT_MAX bytes, into *bufp (malloc). */
static int read_wav(const char *path, uint8_t **bufp, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		fprintf(cli_err, "occctl: %s: %s\n", path, strerror(errno));
		return EXIT_ERR;
	}
	buf = malloc(PROMPT_MAX + 1);
	n = buf ? fread(buf, 1, PROMPT_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return check(ENOMEM, "%s", path);
	if (n > PROMPT_MAX) {
		free(buf);
		fprintf(cli_err, "occctl: %s: larger than %d MiB; prompts are"
			" at most that\n", path, PROMPT_MAX >> 20);
		return EXIT_ERR;
	}
	*bufp = buf;
	*lenp = n;
	return 0;
}

/* What occd's player will take (media/player.c wav_read). */
static bool plays(const char *path)
{
	struct aufile_prm prm;
	struct aufile *af = NULL;
	int err = aufile_open(&af, &prm, path, AUFILE_READ);

	mem_deref(af);
	return !err && prm.srate == 8000 && prm.channels == 1 &&
	       prm.fmt == AUFMT_S16LE;
}

int h_prompt_add(struct ctx *c)
{
	char dir[1024], tmp[1100], dst[1100], why[200] = "";
	uint8_t *buf = NULL;
	size_t len = 0, off, ns = 0;
	int64_t team_id;
	int fd, rc = team_arg(c, &team_id);

	if (!rc)
		rc = read_wav(c->pos[2], &buf, &len);
	if (!rc && (amd_wav_parse(buf, len, &off, &ns, why, sizeof(why)) ||
		    !ns)) {
		fprintf(cli_err, "occctl: %s: not a prompt occd can play: %s\n",
			c->pos[1], *why ? why : "no audio in it; prompts are"
			" WAV PCM 16-bit mono 8000 Hz");
		rc = EXIT_ERR;
	}
	if (!rc)
		rc = team_dir(c, dir, sizeof(dir), true);
	if (!rc) {
		re_snprintf(dst, sizeof(dst), "%s/%s", dir, c->pos[1]);
		re_snprintf(tmp, sizeof(tmp), "%s/.%s.%d.tmp", dir, c->pos[1],
			    (int)getpid());
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			  O_NOFOLLOW, 0644);
		if (fd < 0 || write(fd, buf, len) != (ssize_t)len ||
		    fsync(fd)) {
			rc = check(errno ? errno : EIO, "%s", tmp);
		}
		if (fd >= 0)
			close(fd);
		if (!rc && !plays(tmp)) {
			fprintf(cli_err, "occctl: %s: not a WAV occd's player"
				" reads (PCM 16-bit mono 8000 Hz)\n",
				c->pos[1]);
			rc = EXIT_ERR;
		}
		if (!rc && rename(tmp, dst))
			rc = check(errno, "%s", dst);
		if (rc)
			(void)unlink(tmp);
	}
	if (!rc)
		fprintf(cli_out, "team %s: prompt file %s (%zu.%03zu s)\n",
			c->pos[0], c->pos[1], ns / 8000, ns % 8000 / 8);
	free(buf);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int h_prompt_list(struct ctx *c)
{
	struct tbl t = { .ncol = 2 };
	char dir[1024], path[1400], size[24], **names = NULL;
	size_t n = 0;
	struct dirent *de;
	int64_t team_id;
	DIR *d;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = team_dir(c, dir, sizeof(dir), false);
	if (rc)
		return rc;
	tbl_row(&t, "FILE", "BYTES");
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **nn;

		if (de->d_name[0] == '.' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".wav"))
			continue;
		nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			t.oom = true;
			break;
		}
		names = nn;
		n++;
	}
	if (d)
		closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		struct stat st;

		re_snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		tbl_row(&t, names[i], i64s(size, (int64_t)st.st_size));
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* A warning for each [prompt] of the team's routing that names file. */
static void warn_named(struct ctx *c, int64_t team_id, const char *file)
{
	struct routing *r = NULL;
	char *text = NULL, err[64];
	int64_t ms = 0;

	if (store_routing_get(c->st, team_id, &text, &ms) ||
	    routing_parse(&r, c->pos[0], text, strlen(text), err,
			  sizeof(err))) {
		mem_deref(text);
		return;
	}
	for (unsigned i = 0; i < r->nprompts; i++) {
		for (unsigned k = 0; k < r->prompts[i].nlang; k++) {
			if (strcmp(r->prompts[i].lang[k].file, file))
				continue;
			fprintf(cli_err, "warning: [prompt %s] names %s: calls"
				" hear silence in its place until it is there"
				" again\n", r->prompts[i].name, file);
		}
	}
	routing_free(r);
	mem_deref(text);
}

int h_prompt_remove(struct ctx *c)
{
	char dir[1024], path[1100];
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = team_dir(c, dir, sizeof(dir), false);
	if (rc)
		return rc;
	re_snprintf(path, sizeof(path), "%s/%s", dir, c->pos[1]);
	if (unlink(path)) {
		if (errno == ENOENT) {
			fprintf(cli_err, "occctl: team %s has no prompt file"
				" %s\n", c->pos[0], c->pos[1]);
			return EXIT_ERR;
		}
		return check(errno, "%s", path);
	}
	fprintf(cli_out, "team %s: prompt file %s removed\n", c->pos[0],
		c->pos[1]);
	warn_named(c, team_id, c->pos[1]);
	return 0;
}
