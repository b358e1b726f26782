/*
 * cdr.c — `occctl cdr`: call history, newest first, one line per call and
 * one indented line per leg:
 *
 *   SESSIONID  CALLDATE HH:MM:SS  [team TEAM]  agent A  DIR  CALLER → CALLEE
 *       DISPOSITION  talk Ns  recording FILE
 *       inbound  queue Q  wait S.MMMs  OUTCOME  path P   (only an inbound
 *                                                  call's)
 *       vars NAME=value&...                      (only if the call has vars)
 *       billed to ACCOUNT                        (only a backCall's)
 *       leg UNIQUEID  CHANNEL  ROLE  PEER  DISPOSITION
 *
 * (one line up to "recording"). The team is named only when all teams are
 * listed; a call of a deleted team shows "team -". Talk time is end minus
 * answer; a call still open shows "IN PROGRESS" and "talk -". An inbound
 * call's OUTCOME is "answered by AGENT", "abandoned" (the caller hung up
 * in a queue or while a phone rang) or "-" (neither, or not yet). Values come
 * from the network (caller ids, channels), so control characters print as
 * '?' and cannot drive the terminal. Everything goes to cli_out, so the
 * command prints into occd's buffer when occd runs it (cli/exec.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "cli/occctl.h"

enum { DEFAULT_LIMIT = 20 };

struct cdr_out {
	const struct snap *snap;
	bool all_teams;
	unsigned n;
};

/* s with control characters as '?', or "-" if empty. */
static void put(const char *s)
{
	if (!*s) {
		fputc('-', cli_out);
		return;
	}
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s,
		      cli_out);
}

static const char *team_name(const struct snap *s, int64_t id)
{
	for (size_t i = 0; i < s->nteam; i++) {
		if (s->team[i].id == id)
			return s->team[i].name;
	}
	return "";
}

/* The inbound line: where the call waited, how long, how it went. */
static void put_inbound(const struct st_cdr *c)
{
	fprintf(cli_out, "    inbound  queue ");
	put(c->queue);
	fprintf(cli_out, "  wait %lld.%03llds  ",
		(long long)(c->queue_wait_ms / 1000),
		(long long)(c->queue_wait_ms % 1000));
	if (c->abandoned) {
		fprintf(cli_out, "abandoned");
	}
	else if (c->answer_ms && c->agent[0]) {
		fprintf(cli_out, "answered by ");
		put(c->agent);
	}
	else {
		put("");
	}
	fprintf(cli_out, "  path ");
	put(c->ivrpath);
	fprintf(cli_out, "\n");
}

static void on_cdr(const struct st_cdr *c, void *arg)
{
	struct cdr_out *o = arg;
	char when[32] = "", talk[32] = "-";
	time_t t = (time_t)(c->start_ms / 1000);
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (c->end_ms)
		snprintf(talk, sizeof(talk), "%llds", (long long)
			 (c->answer_ms && c->end_ms > c->answer_ms ?
			  (c->end_ms - c->answer_ms) / 1000 : 0));
	put(c->sessionid);
	fprintf(cli_out, "  ");
	put(c->calldate);
	fprintf(cli_out, " %s", when);
	if (o->all_teams) {
		fprintf(cli_out, "  team ");
		put(team_name(o->snap, c->team_id));
	}
	fprintf(cli_out, "  agent ");
	put(c->agent);
	fprintf(cli_out, "  ");
	put(c->direction);
	fprintf(cli_out, "  ");
	put(c->caller);
	fprintf(cli_out, " → ");
	put(c->callee);
	fprintf(cli_out, "  ");
	put(c->end_ms ? c->disposition : "IN PROGRESS");
	fprintf(cli_out, "  talk %s  recording ", talk);
	put(c->recording);
	fprintf(cli_out, "\n");
	if (!strcmp(c->direction, "in"))
		put_inbound(c);
	if (c->vars[0]) {
		fprintf(cli_out, "    vars ");
		put(c->vars);
		fprintf(cli_out, "\n");
	}
	if (c->account[0]) {
		fprintf(cli_out, "    billed to ");
		put(c->account);
		fprintf(cli_out, "\n");
	}
	o->n++;
}

static void on_leg(const struct st_cdr_leg *l, void *arg)
{
	(void)arg;
	fprintf(cli_out, "    leg %lld  ", (long long)l->uniqueid);
	put(l->channel);
	fprintf(cli_out, "  ");
	put(l->role);
	fprintf(cli_out, "  ");
	put(l->peer);
	fprintf(cli_out, "  ");
	put(l->end_ms ? l->disposition : "IN PROGRESS");
	fprintf(cli_out, "\n");
}

/* Local midnight at the start of date (checked YYYY-MM-DD), in ms. */
static int64_t day_start_ms(const char *date)
{
	struct tm tm = { .tm_isdst = -1 };

	if (!strptime(date, "%Y-%m-%d", &tm))
		return 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int h_cdr(struct ctx *c)
{
	struct cdr_out o = { .snap = &c->snap, .all_teams = !c->pos[0] };
	const char *since = opt(c, "since"), *limit = opt(c, "limit");
	int64_t tid = 0, n = DEFAULT_LIMIT, since_ms = 0;
	int err;

	if (c->pos[0] ? team_arg(c, &tid) : snap_load(c))
		return EXIT_ERR;
	if (limit)
		(void)parse_id(limit, &n);
	if (since)
		since_ms = day_start_ms(since);
	err = store_cdr_visit(c->st, tid, since_ms, (unsigned)n, on_cdr,
			      on_leg, &o);
	if (check(err, "listing calls"))
		return EXIT_ERR;
	if (!o.n)
		fprintf(cli_out, "no calls%s%s%s%s\n",
			c->pos[0] ? " in team " : "",
			c->pos[0] ? c->pos[0] : "", since ? " since " : "",
			since ? since : "");
	return 0;
}
