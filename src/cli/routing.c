/*
 * routing.c (occctl) — a team's inbound routing file: check, import,
 * export, clear (docs/INBOUND.md).
 *
 * check and import read the file (at most RT_MAX_FILE bytes), parse it,
 * load its time zones from TZ_ZONEINFO_DIR and open every prompt WAV (an
 * absolute path, or relative to <data>/prompts/<team>/), which must be
 * PCM 16-bit mono 8000 Hz; import also refuses a DID another team's
 * routing already has, and queues, agents and extensions the team does
 * not have (a [queue N] is an agent group's queue number). Any error
 * prints "FILE:LINE: reason" (or "FILE: reason" when no line applies)
 * and stores nothing; a good file is
 * stored as written (comments kept) and run_cmd() has occd reload.
 * export prints the stored text as imported, or with --normalized as occd
 * reads it (routing_print: every non-default value, comments dropped).
 *
 * did add|remove edit one [did NUMBER] section of the stored text (add
 * appends "[did NUMBER] dest = DEST"; remove cuts the section up to the
 * next one, comments in it included) and store the result after the same
 * checks as import: a DID a route still names cannot be removed.
 */
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
#include "inbound/routing_sect.h"
#include "inbound/tz.h"

/* "line N: reason" as "FILE:N: reason" on stderr. */
static int file_err(const char *file, const char *err)
{
	unsigned line;
	int n = 0;

	if (sscanf(err, "line %u:%n", &line, &n) == 1 && n > 0)
		fprintf(cli_err, "%s:%u:%s\n", file, line, err + n);
	else
		fprintf(cli_err, "%s: %s\n", file, err);
	return EXIT_ERR;
}

/* The whole file into a mem buffer (NUL-terminated). */
static int read_file(const char *path, char **textp, size_t *lenp)
{
	struct stat st;
	char *buf;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(cli_err, "%s: %s\n", path, strerror(errno));
		return EXIT_ERR;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		fprintf(cli_err, "%s: not a regular file\n", path);
		close(fd);
		return EXIT_ERR;
	}
	if (st.st_size > RT_MAX_FILE) {
		fprintf(cli_err, "%s:1: the file is %lld bytes, more than %d\n",
			path, (long long)st.st_size, RT_MAX_FILE);
		close(fd);
		return EXIT_ERR;
	}
	buf = mem_alloc((size_t)st.st_size + 2, NULL);
	if (!buf) {
		close(fd);
		return check(ENOMEM, "%s", path);
	}
	/* one byte more than allowed: a file that grew is still refused */
	while (len <= (size_t)st.st_size) {
		ssize_t got = read(fd, buf + len, (size_t)st.st_size + 1 - len);

		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	if (len > RT_MAX_FILE) {
		mem_deref(buf);
		fprintf(cli_err, "%s:1: the file is more than %d bytes\n", path,
			RT_MAX_FILE);
		return EXIT_ERR;
	}
	buf[len] = '\0';
	*textp = buf;
	*lenp = len;
	return 0;
}

static const char *fmt_name(enum aufmt f)
{
	switch (f) {
	case AUFMT_S16LE: return "PCM 16-bit";
	case AUFMT_PCMA:  return "A-law";
	case AUFMT_PCMU:  return "u-law";
	case AUFMT_FLOAT: return "float";
	default:          return "another format";
	}
}

/* One prompt file: PCM 16-bit mono 8000 Hz; a missing one is a warning
 * (occd plays silence in its place), not an error. */
static int check_wav(const char *file, const struct prompt *p, unsigned k,
		     const char *dir, const char *team)
{
	const char *f = p->lang[k].file;
	char path[1024], lang[16] = "";
	struct aufile_prm prm;
	struct aufile *af = NULL;
	struct stat st;
	int err, serr;

	if (routing_prompt_path(path, sizeof(path), dir, team, f)) {
		fprintf(cli_err, "%s:%u: prompt %s: the path is too long\n",
			file, p->lang[k].line, p->name);
		return EXIT_ERR;
	}
	if (p->lang[k].lang[0])
		re_snprintf(lang, sizeof(lang), " (%s)", p->lang[k].lang);
	serr = stat(path, &st) ? errno : 0;
	if (serr == ENOENT) {
		/* occd plays a missing file as silence (media/player.c) */
		fprintf(cli_err, "warning: %s:%u: prompt %s%s: %s: no such file"
			" (calls hear silence in its place until it is there)\n",
			file, p->lang[k].line, p->name, lang, path);
		return 0;
	}
	if (serr || !S_ISREG(st.st_mode)) {
		fprintf(cli_err, "%s:%u: prompt %s%s: %s: %s\n", file,
			p->lang[k].line, p->name, lang, path, serr ?
			strerror(serr) : "not a regular file");
		return EXIT_ERR;
	}
	err = aufile_open(&af, &prm, path, AUFILE_READ);
	mem_deref(af);
	if (err) {
		fprintf(cli_err, "%s:%u: prompt %s%s: %s: not a WAV file in a"
			" format occ reads; prompts are WAV PCM 16-bit mono"
			" 8000 Hz\n", file, p->lang[k].line, p->name, lang,
			path);
		return EXIT_ERR;
	}
	if (prm.srate != 8000 || prm.channels != 1 || prm.fmt != AUFMT_S16LE) {
		fprintf(cli_err, "%s:%u: prompt %s%s: %s is %s, %u channel(s),"
			" %u Hz; prompts are WAV PCM 16-bit mono 8000 Hz"
			" (e.g. sox IN -r 8000 -c 1 -b 16 OUT.wav)\n", file,
			p->lang[k].line, p->name, lang, path,
			fmt_name(prm.fmt), prm.channels, prm.srate);
		return EXIT_ERR;
	}
	return 0;
}

/* Parse, zones, prompts (relative ones only with a team) of text, named
 * file in the errors. */
static int check_text(const char *file, const char *team, const char *dir,
		      const char *text, size_t len, struct routing **rp)
{
	char err[512];
	struct routing *r = NULL;
	int rc;

	rc = routing_parse(&r, team ? team : "", text, len, err, sizeof(err));
	if (rc == ENOMEM)
		return check(rc, "%s", file);
	if (rc)
		return file_err(file, err);
	if (routing_load_zones(r, TZ_ZONEINFO_DIR, err, sizeof(err))) {
		routing_free(r);
		return file_err(file, err);
	}
	for (unsigned i = 0; i < r->nprompts; i++) {
		const struct prompt *p = &r->prompts[i];

		for (unsigned k = 0; k < p->nlang; k++) {
			if (p->lang[k].file[0] != '/' && !team)
				continue;
			if (check_wav(file, p, k, dir, team)) {
				routing_free(r);
				return EXIT_ERR;
			}
		}
	}
	*rp = r;
	return 0;
}

static int check_file(const char *file, const char *team, const char *dir,
		      struct routing **rp, char **textp, size_t *lenp)
{
	int rc = read_file(file, textp, lenp);

	return rc ? rc : check_text(file, team, dir, *textp, *lenp, rp);
}

int h_routing_check(struct ctx *c)
{
	const char *team = opt(c, "team");
	struct routing *r = NULL;
	char *text = NULL;
	size_t len = 0;
	int rc = check_file(c->pos[0], team, c->dir, &r, &text, &len);

	if (!rc) {
		fprintf(cli_out, "%s: ok: %u DIDs, %u routes, %u schedules, %u prompts,"
		       " %u IVR flows, %u queues\n", c->pos[0], r->ndids,
		       r->nroutes, r->nschedules, r->nprompts, r->nflows,
		       r->nqueues);
		if (!team && r->nprompts)
			fprintf(cli_out, "%s: prompt files relative to a team's"
			       " directory were not checked (no --team)\n",
			       c->pos[0]);
	}
	routing_free(r);
	mem_deref(text);
	return rc;
}

/* Another team whose routing has one of r's DIDs. */
struct did_clash {
	const struct routing *r;
	int64_t team_id;
	char other[ST_NAME];
	char did[ST_NUM + 1];
	struct st_team *teams;
	size_t nteams;
};

static void clash_team(const struct st_team *t, void *arg)
{
	struct did_clash *dc = arg;
	struct st_team *n = realloc(dc->teams, (dc->nteams + 1) * sizeof(*n));

	if (!n)
		return;
	dc->teams = n;
	dc->teams[dc->nteams++] = *t;
}

static void clash_routing(const struct st_routing *sr, void *arg)
{
	struct did_clash *dc = arg;
	struct routing *o = NULL;
	char err[8];

	if (sr->team_id == dc->team_id || dc->did[0] ||
	    routing_parse(&o, "", sr->text, sr->len, err, sizeof(err)))
		return;
	for (unsigned i = 0; i < dc->r->ndids && !dc->did[0]; i++) {
		const struct did *d = &dc->r->dids[i];

		for (unsigned k = 0; k < o->ndids; k++) {
			if (strcmp(o->dids[k].number, d->number) ||
			    o->dids[k].match != d->match)
				continue;
			re_snprintf(dc->did, sizeof(dc->did), "%s%s",
				    d->number, d->match == DID_PREFIX
				    ? "*" : "");
			for (size_t t = 0; t < dc->nteams; t++) {
				if (dc->teams[t].id == sr->team_id)
					str_ncpy(dc->other, dc->teams[t].name,
						 sizeof(dc->other));
			}
			break;
		}
	}
	routing_free(o);
}

/* What the file names must exist in the team: a queue number is an
 * agent group's, an agent or an extension the team's. */
struct team_refs {
	struct ctx *c;
	int64_t team_id;
	const char *file;
	int rc;
};

static bool has_group(const struct snap *s, int64_t team, const char *queue)
{
	for (size_t i = 0; i < s->ngroup; i++) {
		if (s->group[i].team_id == team &&
		    !strcmp(s->group[i].queue, queue))
			return true;
	}
	return false;
}

static bool has_agent(const struct snap *s, int64_t team, const char *num)
{
	for (size_t i = 0; i < s->nagent; i++) {
		if (s->agent[i].team_id == team &&
		    !strcmp(s->agent[i].number, num))
			return true;
	}
	return false;
}

static void ref_dest(struct team_refs *tr, const char *sect, const char *name,
		     const char *key, const struct dest *d)
{
	const struct snap *s = &tr->c->snap;
	const char *team = tr->c->pos[0], *what = NULL;

	if (tr->rc)
		return;
	if (d->kind == DEST_QUEUE && !has_group(s, tr->team_id, d->arg))
		what = "no agent group with this queue number";
	else if (d->kind == DEST_AGENT && !has_agent(s, tr->team_id, d->arg))
		what = "no such agent";
	else if (d->kind == DEST_EXTEN && !exten_of(s, tr->team_id, d->arg))
		what = "no such extension";
	if (!what)
		return;
	fprintf(cli_err, "%s: [%s%s%s] %s: %s:%s: team %s has %s\n", tr->file,
		sect, *name ? " " : "", name, key,
		d->kind == DEST_QUEUE ? "queue" : d->kind == DEST_AGENT
		? "agent" : "exten", d->arg, team, what);
	tr->rc = EXIT_ERR;
}

static void ref_node(struct team_refs *tr, const struct ivr_flow *f,
		     const struct ivr_node *n)
{
	char name[2 * RT_NAME + 2], key[ST_NUM + 8];

	re_snprintf(name, sizeof(name), "%s.%s", f->name, n->name);
	ref_dest(tr, "node", name, "next", &n->next);
	ref_dest(tr, "node", name, "fail", &n->fail);
	for (unsigned k = 0; k < n->nkeys; k++) {
		re_snprintf(key, sizeof(key), "key.%s", n->keys[k].digits);
		ref_dest(tr, "node", name, key, &n->keys[k].dest);
	}
	for (unsigned k = 0; k < n->ntests; k++)
		ref_dest(tr, "node", name, "if", &n->tests[k].dest);
}

static int check_team_refs(struct ctx *c, int64_t team_id, const char *file,
			   const struct routing *r)
{
	struct team_refs tr = { c, team_id, file, snap_load(c) };

	ref_dest(&tr, "lists", "", "blocked", &r->blocked);
	for (unsigned i = 0; i < r->ndids; i++)
		ref_dest(&tr, "did", r->dids[i].number, "dest",
			 &r->dids[i].direct);
	for (unsigned i = 0; i < r->nroutes; i++) {
		ref_dest(&tr, "route", r->routes[i].name, "open",
			 &r->routes[i].open);
		ref_dest(&tr, "route", r->routes[i].name, "closed",
			 &r->routes[i].closed);
	}
	for (unsigned i = 0; i < r->nflows; i++) {
		ref_dest(&tr, "ivr", r->flows[i].name, "fail",
			 &r->flows[i].fail);
		for (unsigned k = 0; k < r->flows[i].nnodes; k++)
			ref_node(&tr, &r->flows[i], &r->flows[i].nodes[k]);
	}
	for (unsigned i = 0; i < r->nqueues && !tr.rc; i++) {
		const struct queue_cfg *q = &r->queues[i];

		if (!has_group(&c->snap, team_id, q->queue)) {
			fprintf(cli_err, "%s: [queue %s]: team %s has no agent"
				" group with this queue number\n", file,
				q->queue, c->pos[0]);
			tr.rc = EXIT_ERR;
		}
		ref_dest(&tr, "queue", q->queue, "exit", &q->exit_dest);
		ref_dest(&tr, "queue", q->queue, "fail", &q->fail);
		for (unsigned k = 0; k < q->nmembers && !tr.rc; k++) {
			if (has_agent(&c->snap, team_id, q->members[k].agent))
				continue;
			fprintf(cli_err, "%s: [queue %s] member.%s: team %s has"
				" no such agent\n", file, q->queue,
				q->members[k].agent, c->pos[0]);
			tr.rc = EXIT_ERR;
		}
	}
	return tr.rc;
}

/* The checks of import on text (named file in the errors), then store it
 * as team c->pos[0]'s routing. */
static int import_text(struct ctx *c, int64_t team_id, const char *file,
		       const char *text, size_t len)
{
	const struct store_visitor v = { .team = clash_team,
					 .routing = clash_routing };
	struct did_clash dc = { 0 };
	struct routing *r = NULL;
	int rc = check_text(file, c->pos[0], c->dir, text, len, &r);

	if (!rc) {
		dc.r = r;
		dc.team_id = team_id;
		rc = check(store_load(c->st, &v, &dc), "reading the store");
	}
	if (!rc)
		rc = check_team_refs(c, team_id, file, r);
	if (!rc && dc.did[0]) {
		fprintf(cli_err, "%s: [did %s] is already routed by team %s\n",
			file, dc.did, dc.other);
		rc = EXIT_ERR;
	}
	if (!rc)
		rc = check(store_routing_set(c->st, team_id, text, len,
					     wall_ms()), "team %s", c->pos[0]);
	free(dc.teams);
	routing_free(r);
	return rc;
}

int h_routing_import(struct ctx *c)
{
	char *text = NULL;
	size_t len = 0;
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = read_file(c->pos[1], &text, &len);
	if (!rc)
		rc = import_text(c, team_id, c->pos[1], text, len);
	if (!rc)
		fprintf(cli_out, "team %s: routing imported from %s\n",
			c->pos[0], c->pos[1]);
	mem_deref(text);
	return rc;
}

int h_routing_export(struct ctx *c)
{
	struct routing *r = NULL;
	char *text = NULL, err[512];
	int64_t team_id, ms = 0;
	int rc = team_arg(c, &team_id), e;

	if (rc)
		return rc;
	e = store_routing_get(c->st, team_id, &text, &ms);
	if (e == ENOENT) {
		fprintf(cli_err, "occctl: team %s has no routing\n", c->pos[0]);
		return EXIT_ERR;
	}
	if (e)
		return check(e, "team %s", c->pos[0]);
	if (!opt(c, "normalized")) {
		fputs(text, cli_out);
	}
	else if (routing_parse(&r, c->pos[0], text, strlen(text), err,
				 sizeof(err))) {
		fprintf(cli_err, "occctl: team %s: the stored routing does not"
			" parse: %s\n", c->pos[0], err);
		rc = EXIT_ERR;
	}
	else {
		char *out = NULL;

		/* not re_fprintf: base/libre_log.c routes that to the log */
		rc = check(re_sdprintf(&out, "%H", routing_print, r),
			   "team %s", c->pos[0]);
		if (out)
			fputs(out, cli_out);
		mem_deref(out);
	}
	routing_free(r);
	mem_deref(text);
	return rc;
}

int h_routing_clear(struct ctx *c)
{
	int64_t team_id;
	int rc = team_arg(c, &team_id), e;

	if (rc)
		return rc;
	e = store_routing_del(c->st, team_id);
	if (e == ENOENT) {
		fprintf(cli_err, "occctl: team %s has no routing\n", c->pos[0]);
		return EXIT_ERR;
	}
	rc = check(e, "team %s", c->pos[0]);
	if (!rc)
		fprintf(cli_out, "team %s: routing cleared\n", c->pos[0]);
	return rc;
}

/* ---- DIDs: one [did] section of the routing file at a time ---- */

/* The stored routing text ("" when the team has none yet). */
static int stored_text(struct ctx *c, int64_t team_id, char **textp)
{
	int64_t ms = 0;
	int e = store_routing_get(c->st, team_id, textp, &ms);

	if (e == ENOENT)
		return check(str_dup(textp, ""), "team %s", c->pos[0]);
	return check(e, "team %s", c->pos[0]);
}

/* Where the section "[KIND NAME]" of text starts and where the next one
 * (or the end) starts; false if text has none. */
static bool section_of(const char *text, const char *kind, const char *name,
		       size_t *startp, size_t *endp)
{
	struct rt_sect sc;

	if (!rt_sect_find(text, strlen(text), kind, name, &sc))
		return false;
	*startp = sc.start;
	*endp = sc.end;
	return true;
}

int h_did_list(struct ctx *c)
{
	struct tbl t = { .ncol = 3 };
	struct routing *r = NULL;
	char *text = NULL, err[512];
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = stored_text(c, team_id, &text);
	if (!rc && routing_parse(&r, c->pos[0], text, strlen(text), err,
				 sizeof(err))) {
		fprintf(cli_err, "occctl: team %s: the stored routing does not"
			" parse: %s\n", c->pos[0], err);
		rc = EXIT_ERR;
	}
	mem_deref(text);
	if (rc)
		return rc;
	tbl_row(&t, "DID", "DEST", "GROUP");
	for (unsigned i = 0; i < r->ndids; i++) {
		const struct did *d = &r->dids[i];
		char num[ST_NUM + 2], dest[RT_NAME + 32] = "";

		re_snprintf(num, sizeof(num), "%s%s", d->number,
			    d->match == DID_PREFIX ? "*" : "");
		if (d->direct.kind)
			routing_dest_str(dest, sizeof(dest), &d->direct);
		tbl_row(&t, num, dest, d->group);
	}
	routing_free(r);
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_did_add(struct ctx *c)
{
	char *text = NULL, *next = NULL;
	size_t s0, s1;
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = stored_text(c, team_id, &text);
	if (!rc && section_of(text, "did", c->pos[1], &s0, &s1)) {
		fprintf(cli_err, "occctl: team %s already has [did %s]\n",
			c->pos[0], c->pos[1]);
		rc = EXIT_ERR;
	}
	if (!rc)
		rc = check(re_sdprintf(&next, "%s%s[did %s]\ndest = %s\n",
				       text, *text && text[strlen(text) - 1]
				       != '\n' ? "\n\n" : *text ? "\n" : "",
				       c->pos[1], c->pos[2]), "team %s",
			   c->pos[0]);
	if (!rc)
		rc = import_text(c, team_id, "routing", next, strlen(next));
	if (!rc)
		fprintf(cli_out, "team %s: did %s -> %s\n", c->pos[0],
			c->pos[1], c->pos[2]);
	mem_deref(next);
	mem_deref(text);
	return rc;
}

int h_did_remove(struct ctx *c)
{
	char *text = NULL;
	size_t s0 = 0, s1 = 0;
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc)
		rc = stored_text(c, team_id, &text);
	if (!rc && !section_of(text, "did", c->pos[1], &s0, &s1)) {
		fprintf(cli_err, "occctl: team %s has no [did %s]\n",
			c->pos[0], c->pos[1]);
		rc = EXIT_ERR;
	}
	if (!rc) {
		memmove(text + s0, text + s1, strlen(text + s1) + 1);
		rc = import_text(c, team_id, "routing", text, strlen(text));
	}
	if (!rc)
		fprintf(cli_out, "team %s: did %s removed\n", c->pos[0],
			c->pos[1]);
	mem_deref(text);
	return rc;
}

/* ---- any section: routing set|remove ---- */

/* text with [start, end) replaced by "[KIND NAME]\nBODY\n\n" (appended
 * when start == end == strlen(text)); a libre string in *outp. */
static int section_splice(char **outp, const char *text, size_t start, size_t end,
		  const char *kind, const char *name, const char *body)
{
	size_t bl = strlen(body);
	const char *sep = "";

	if (start == end && start && text[start - 1] != '\n')
		sep = "\n\n";
	else if (start == end && start && (start < 2 || text[start - 2] != '\n'))
		sep = "\n";

	return re_sdprintf(outp, "%b%s[%s%s%s]\n%s%s\n%s", text, start, sep,
			   kind, *name ? " " : "", name, body,
			   bl && body[bl - 1] != '\n' ? "\n" : "",
			   text + end);
}

/* text with [SECTION] set to BODY (sec, body) in place or at the end;
 * *textp replaced by the new libre string. */
static int set_one(struct ctx *c, char **textp, const char *sec,
		   const char *body)
{
	char kind[16], name[128], *next = NULL;
	size_t s0, s1;
	int rc;

	(void)rt_sect_name(sec, kind, name);   /* checked: SECTION */
	if (!section_of(*textp, kind, name, &s0, &s1))
		s0 = s1 = strlen(*textp);
	rc = check(section_splice(&next, *textp, s0, s1, kind, name,
				  body ? body : ""), "team %s", c->pos[0]);
	if (!rc) {
		mem_deref(*textp);
		*textp = next;
	}
	return rc;
}

int h_routing_set(struct ctx *c)
{
	char *text = NULL;
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	if (!rc && c->pos[3] && !strcmp(c->pos[1], c->pos[3])) {
		fprintf(cli_err, "occctl: [%s] given twice\n", c->pos[1]);
		rc = EXIT_ERR;
	}
	if (!rc)
		rc = stored_text(c, team_id, &text);
	if (!rc)
		rc = set_one(c, &text, c->pos[1], c->pos[2]);
	if (!rc && c->pos[3])
		rc = set_one(c, &text, c->pos[3], c->pos[4]);
	if (!rc)
		rc = import_text(c, team_id, "routing", text, strlen(text));
	if (!rc)
		fprintf(cli_out, "team %s: [%s]%s%s%s set\n", c->pos[0],
			c->pos[1], c->pos[3] ? " and [" : "",
			c->pos[3] ? c->pos[3] : "", c->pos[3] ? "]" : "");
	mem_deref(text);
	return rc;
}

/* The first [node FLOW.*] of text. */
struct node_of {
	const char *flow;
	struct rt_sect sc;
	bool found;
};

static bool node_of_flow(const struct rt_sect *s, void *arg)
{
	struct node_of *n = arg;
	size_t fl = strlen(n->flow);

	if (s->kind_len != 4 || memcmp(s->kind, "node", 4) ||
	    s->name_len <= fl || memcmp(s->name, n->flow, fl) ||
	    s->name[fl] != '.')
		return true;
	n->sc = *s;
	n->found = true;
	return false;
}

int h_routing_remove(struct ctx *c)
{
	char kind[16], name[128], *text = NULL;
	size_t s0 = 0, s1 = 0;
	int64_t team_id;
	int rc = team_arg(c, &team_id);

	(void)rt_sect_name(c->pos[1], kind, name);
	if (!rc)
		rc = stored_text(c, team_id, &text);
	if (!rc && !section_of(text, kind, name, &s0, &s1)) {
		fprintf(cli_err, "occctl: team %s has no [%s]\n", c->pos[0],
			c->pos[1]);
		rc = EXIT_ERR;
	}
	if (!rc)
		memmove(text + s0, text + s1, strlen(text + s1) + 1);
	while (!rc && !strcmp(kind, "ivr")) {
		struct node_of n = { .flow = name };

		rt_sect_each(text, strlen(text), node_of_flow, &n);
		if (!n.found)
			break;
		memmove(text + n.sc.start, text + n.sc.end,
			strlen(text + n.sc.end) + 1);
	}
	if (!rc)
		rc = import_text(c, team_id, "routing", text, strlen(text));
	if (!rc)
		fprintf(cli_out, "team %s: [%s] removed\n", c->pos[0],
			c->pos[1]);
	mem_deref(text);
	return rc;
}
