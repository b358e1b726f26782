/*
 * campaign.c — `occctl campaign ...`: a team's outbound campaigns
 * (docs/CAMPAIGNS.md): create, list, show, start, pause, stop, remove, and
 * the columns of a campaign's customer package; its file imports' reports
 * and its dialing report (ops/campreport.h).
 *
 * occd reads campaigns from the store on every request that needs one
 * (import, dialerList), so a change here takes effect at once on a running
 * occd; the SIGHUP every write sends is harmless. Removing a campaign keeps
 * its customers in the team's master table, unassigned.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "cli/occctl.h"
#include "ops/campreport.h"
#include "dialer/dialer.h"
#include "inbound/tz.h"
#include "media/amd.h"

static int campaign_err(const struct ctx *c, int err)
{
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no campaign %s in team %s\n",
			c->pos[1], c->pos[0]);
		return EXIT_ERR;
	}
	if (err == EEXIST) {
		fprintf(cli_err, "occctl: team %s already has campaign %s\n",
			c->pos[0], c->pos[1]);
		return EXIT_ERR;
	}
	return check(err, "campaign %s in team %s", c->pos[1], c->pos[0]);
}

/* "HH:MM-HH:MM" into minutes; 24:00 ends a day. */
static bool window_parse(const char *s, int *startp, int *endp)
{
	unsigned h1, m1, h2, m2;
	char tail;

	if (sscanf(s, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 ||
	    m1 > 59 || m2 > 59 || h1 * 60 + m1 > 1440 || h2 * 60 + m2 > 1440)
		return false;
	*startp = (int)(h1 * 60 + m1);
	*endp = (int)(h2 * 60 + m2);
	return true;
}

int h_campaign_add(struct ctx *c)
{
	struct st_campaign k = { .window_start = 8 * 60,
				 .window_end = 21 * 60,
				 .amd_fp_permille = ST_AMD_FP_DEFAULT };
	const char *v;
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	k.team_id = tid;
	(void)parse_id(c->pos[1], &k.id);
	snprintf(k.name, sizeof(k.name), "%s", c->pos[2]);
	if ((v = opt(c, "group"))) {
		const struct st_group *g;
		if (group_arg(c, tid, v, &g))
			return EXIT_ERR;
		k.group_id = g->id;
	}
	v = opt(c, "mode");
	snprintf(k.dial_mode, sizeof(k.dial_mode), "%s", v ? v : "preview");
	snprintf(k.state, sizeof(k.state), "stopped");
	v = opt(c, "profile");
	snprintf(k.profile, sizeof(k.profile), "%s", v ? v : "us");
	v = opt(c, "callerid");
	snprintf(k.callerid, sizeof(k.callerid), "%s", v ? v : "");
	v = opt(c, "key");
	snprintf(k.key_column, sizeof(k.key_column), "%s", v ? v : "phone1");
	if ((v = opt(c, "window")) &&
	    !window_parse(v, &k.window_start, &k.window_end)) {
		fprintf(cli_err, "occctl: bad window '%s': expected"
			" HH:MM-HH:MM\n", v);
		return EXIT_ERR;
	}
	return campaign_err(c, store_campaign_add(c->st, &k));
}

static void list_one(const struct st_campaign *k, void *arg)
{
	struct tbl *t = arg;
	char id[24], gid[24], win[16];

	re_snprintf(win, sizeof(win), "%02d:%02d-%02d:%02d",
		    k->window_start / 60, k->window_start % 60,
		    k->window_end / 60, k->window_end % 60);
	tbl_row(t, i64s(id, k->id), k->name,
		k->group_id ? i64s(gid, k->group_id) : "-", k->dial_mode,
		k->state, k->profile, win, k->callerid[0] ? k->callerid : "-",
		k->key_column);
}

int h_campaign_list(struct ctx *c)
{
	struct tbl t = { .ncol = 9 };
	int64_t tid;
	int err;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	tbl_row(&t, "CAMPAIGN", "NAME", "GROUP", "MODE", "STATE", "PROFILE",
		"WINDOW", "CALLERID", "KEY");
	err = store_campaign_visit(c->st, tid, list_one, &t);
	if (err) {
		tbl_free(&t);
		return check(err, "campaigns of team %s", c->pos[0]);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* The campaign named by pos[0] (team) and pos[1] (id). */
static int campaign_arg(struct ctx *c, struct st_campaign *k)
{
	int64_t tid, id = 0;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	(void)parse_id(c->pos[1], &id);
	return campaign_err(c, store_campaign_get(c->st, tid, id, k));
}

static void column_one(const struct st_column *col, void *arg)
{
	struct tbl *t = arg;
	char pos[24];

	tbl_row(t, "column", col->name, col->display, i64s(pos, col->pos));
}

static void customer_one(const struct st_customer *cu, void *arg)
{
	struct tbl *t = arg;
	static const char *const st[] = { "new", "following", "success",
					  "failure" };

	tbl_row(t, "customer", cu->key, cu->owner[0] ? cu->owner : "-",
		st[cu->status & 3]);
}

static void dial_one(const struct st_dial *d, void *arg)
{
	struct tbl *t = arg;
	char prio[24], when[32], st[96];
	const char *next = d->dial_ms == INT64_MAX ? "never"
		: d->dial_ms ? local_time(when, d->dial_ms) : "now";

	/* dialled: its last result and attempts, then its next try */
	if (d->last_result[0])
		snprintf(st, sizeof(st), "%s x%d, next %s", d->last_result,
			 d->attempts, next);
	tbl_row(t, "dial", d->number, i64s(prio, d->priority),
		d->last_result[0] ? st : next);
}

int h_campaign_show(struct ctx *c)
{
	struct st_campaign k;
	struct tbl t = { .ncol = 4 };
	int err;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	fprintf(cli_out, "campaign %lld %s: group %lld, %s, %s, profile %s, key %s\n",
	       (long long)k.id, k.name, (long long)k.group_id, k.dial_mode,
	       k.state, k.profile, k.key_column);
	/* 0: the default (docs/DIALER.md, "Compliance") */
	fprintf(cli_out, "window %02d:%02d-%02d:%02d, timezone %s, retry busy %d s,"
	       " noanswer %d s, failed %d s, max attempts %d (0: default)\n",
	       k.window_start / 60, k.window_start % 60, k.window_end / 60,
	       k.window_end % 60, k.timezone[0] ? k.timezone : "occd's",
	       k.retry_busy, k.retry_noanswer, k.retry_failed,
	       k.max_attempts);
	fprintf(cli_out, "amd %s, action %s, false positives %d.%d %%, params %s,"
	       " abandon message %s\n", k.amd ? "on" : "off", k.amd_action,
	       k.amd_fp_permille / 10, k.amd_fp_permille % 10,
	       k.amd_params[0] ? k.amd_params : "[amd]'s",
	       k.abandon_msg[0] ? k.abandon_msg : "(tone)");
	tbl_row(&t, "WHAT", "NAME/KEY/NUMBER", "DISPLAY/OWNER/PRIORITY",
		"POS/STATUS/WHEN");
	err = store_column_visit(c->st, k.team_id, k.id, column_one, &t);
	if (!err)
		err = store_customer_visit(c->st, k.team_id, k.id,
					   customer_one, &t);
	if (!err)
		err = store_dial_visit(c->st, k.team_id, k.id, dial_one, &t);
	if (err) {
		tbl_free(&t);
		return campaign_err(c, err);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

struct report_arg {
	int64_t task;
	unsigned n;
};

static void report_one(const struct st_import_report *r, void *arg)
{
	struct report_arg *ra = arg;

	if (ra->task && r->id != ra->task)
		return;
	ra->n++;
	fprintf(cli_out, "task %lld: %s, %s\n  records %lld, refused %lld, outcomes"
	       " %s\n", (long long)r->id, r->url, r->state,
	       (long long)r->rows, (long long)r->failed,
	       r->counts[0] ? r->counts : "-");
	if (r->msg[0])
		fprintf(cli_out, "  error %s\n", r->msg);
	for (const char *p = r->errors; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(cli_out, "  %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

int h_campaign_import_report(struct ctx *c)
{
	struct st_campaign k;
	struct report_arg ra = { 0 };
	const char *task = opt(c, "task");
	int err;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	if (task) {
		char *end;
		ra.task = strtoll(task, &end, 10);
		if (*end || ra.task <= 0) {
			fprintf(cli_err, "occctl: --task: not a task id: %s\n",
				task);
			return EXIT_ERR;
		}
	}
	err = store_import_report_visit(c->st, k.team_id, k.id, report_one,
					&ra);
	if (err)
		return campaign_err(c, err);
	if (task && !ra.n) {
		fprintf(cli_err, "occctl: no import task %s in campaign %lld\n",
			task, (long long)k.id);
		return EXIT_ERR;
	}
	return 0;
}

static int set_state(struct ctx *c, const char *state)
{
	struct st_campaign k;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	return campaign_err(c, store_campaign_set_state(c->st, k.team_id,
							k.id, state));
}

int h_campaign_start(struct ctx *c)
{
	return set_state(c, "running");
}

int h_campaign_pause(struct ctx *c)
{
	return set_state(c, "paused");
}

int h_campaign_stop(struct ctx *c)
{
	return set_state(c, "stopped");
}

int h_campaign_remove(struct ctx *c)
{
	struct st_campaign k;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	return campaign_err(c, store_campaign_del(c->st, k.team_id, k.id));
}

struct maxpos {
	int pos;
};

static void max_pos(const struct st_column *col, void *arg)
{
	struct maxpos *m = arg;

	if (col->pos > m->pos)
		m->pos = col->pos;
}

int h_campaign_column(struct ctx *c)
{
	struct st_campaign k;
	struct st_column col = { 0 };
	struct maxpos m = { 0 };
	int err;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	/* appended after the campaign's other columns */
	err = store_column_visit(c->st, k.team_id, k.id, max_pos, &m);
	col.team_id = k.team_id;
	col.campaign_id = k.id;
	col.pos = m.pos + 1;
	snprintf(col.name, sizeof(col.name), "%s", c->pos[2]);
	snprintf(col.display, sizeof(col.display), "%s", c->pos[3]);
	if (!err)
		err = store_column_add(c->st, &col);
	if (err == EEXIST) {
		fprintf(cli_err, "occctl: campaign %s already has a column %s"
			" or display name %s\n", c->pos[1], c->pos[2],
			c->pos[3]);
		return EXIT_ERR;
	}
	return campaign_err(c, err);
}

int h_campaign_column_remove(struct ctx *c)
{
	struct st_campaign k;
	int err;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	err = store_column_del(c->st, k.team_id, k.id, c->pos[2]);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: campaign %s has no column %s\n",
			c->pos[1], c->pos[2]);
		return EXIT_ERR;
	}
	return campaign_err(c, err);
}

static void report_day(const struct crep_day *d)
{
	double hours = (double)d->avail_ms / 3600000.0;
	double talk = (double)d->talk_ms / 60000.0;

	fprintf(cli_out, "%s: dials %u, answers %u, live %u, abandons %u, machines %u,"
	       " amd_fp_est %.1f (%.1f %%)\n", d->day, d->dials, d->answers,
	       d->live, d->abandons, d->machines, d->amd_fp_est,
	       crep_abandon_pct(d->abandons, d->live, d->amd_fp_est));
	fprintf(cli_out, "  window: live %u, abandons %u, machines %u, amd_fp_est %.1f"
	       " (%.2f %%)\n", d->win_live, d->win_abandons, d->win_machines,
	       d->win_amd_fp_est, crep_abandon_pct(d->win_abandons,
	       d->win_live, d->win_amd_fp_est));
	fprintf(cli_out, "  amd:");
	for (size_t i = 0; i < d->namd; i++)
		fprintf(cli_out, " %s=%u", d->amd[i].verdict, d->amd[i].n);
	fprintf(cli_out, "%s\n", d->namd ? "" : " -");
	fprintf(cli_out, "  talk %.2f min, agent-hours %.3f, talk min per agent-hour"
	       " %.1f, occupancy %.0f %%\n", talk, hours,
	       hours > 0 ? talk / hours : 0, d->avail_ms ? 100.0 *
	       (double)d->handle_ms / (double)d->avail_ms : 0);
	fprintf(cli_out, "  wait to agent: %u answers, p50 %lld ms, p90 %lld ms, max"
	       " %lld ms; <=1 s %u, 1-2 s %u, >2 s %u\n", d->waits,
	       (long long)d->wait_p50, (long long)d->wait_p90,
	       (long long)d->wait_max, d->wait_1s, d->wait_2s, d->wait_over);
}

int h_campaign_report(struct ctx *c)
{
	struct st_campaign k;
	struct crep *r;
	const char *days = opt(c, "days");
	long n = 1;
	int err;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	if (days) {
		char *end;
		n = strtol(days, &end, 10);
		if (*end || n < 1 || n > CREP_MAX_DAYS) {
			fprintf(cli_err, "occctl: --days: 1 to %d: %s\n",
				CREP_MAX_DAYS, days);
			return EXIT_ERR;
		}
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return check(ENOMEM, "report");
	err = crep_load(c->st, &k, opt(c, "day"), (int)n,
			(int64_t)time(NULL) * 1000, r);
	if (err == EINVAL) {
		fprintf(cli_err, "occctl: --day: not a day (YYYY-MM-DD): %s\n",
			opt(c, "day"));
		free(r);
		return EXIT_ERR;
	}
	if (err) {
		free(r);
		return campaign_err(c, err);
	}
	if (opt(c, "json")) {
		char *json = NULL;
		err = re_sdprintf(&json, "%H", crep_json, r);
		if (!err)
			fprintf(cli_out, "%s\n", json);
		mem_deref(json);
		if (err) {
			free(r);
			return check(err, "report");
		}
	}
	else {
		fprintf(cli_out, "campaign %lld, profile %s (window: %s)\n",
		       (long long)r->campaign_id, r->profile,
		       strcmp(r->profile, "uk") ? "30 days" : "24 h");
		fprintf(cli_out, "pre-dial list now: waiting %lld (due %lld), attempts"
		       " %lld;", (long long)r->waiting, (long long)r->due,
		       (long long)r->attempts);
		for (size_t i = 0; i < r->nlist; i++)
			fprintf(cli_out, " %s %lld", r->list[i].result,
			       (long long)r->list[i].n);
		fprintf(cli_out, "\n");
		for (size_t i = 0; i < r->ndays; i++)
			report_day(&r->days[i]);
	}
	free(r);
	return 0;
}
/* ---- settings ---------------------------------------------------------- */

/* A percentage with at most one decimal, 0..100, in tenths. */
static bool permille_parse(const char *s, int *vp)
{
	size_t a = strspn(s, "0123456789");
	unsigned v = 0;

	if (!a || a > 3)
		return false;
	for (size_t i = 0; i < a; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	v *= 10;
	if (s[a] == '.' && s[a + 1] >= '0' && s[a + 1] <= '9' && !s[a + 2])
		v += (unsigned)(s[a + 1] - '0');
	else if (s[a])
		return false;
	if (v > 1000)
		return false;
	*vp = (int)v;
	return true;
}

/* The abandon message: an 8 kHz mono 16-bit PCM WAV of at most
 * ABANDON_MSG_MAX bytes, stored by its absolute path (occd reads it at
 * each play). "" clears it (the tone again). */
enum { ABANDON_MSG_MAX = 1024 * 1024 };
static int abandon_msg_set(struct st_campaign *k, const char *v)
{
	char path[PATH_MAX], why[160];
	uint8_t *buf;
	size_t n, off, ns;
	FILE *f;
	int err;

	if (!*v) {
		k->abandon_msg[0] = '\0';
		return 0;
	}
	if (!realpath(v, path) || !(f = fopen(path, "rb"))) {
		fprintf(cli_err, "occctl: abandon_msg '%s': %s\n", v,
			strerror(errno));
		return EXIT_ERR;
	}
	buf = malloc(ABANDON_MSG_MAX + 1);
	n = buf ? fread(buf, 1, ABANDON_MSG_MAX + 1, f) : 0;
	fclose(f);
	if (!buf)
		return check(ENOMEM, "abandon_msg");
	if (n > ABANDON_MSG_MAX)
		snprintf(why, sizeof(why), "larger than 1 MiB");
	err = n > ABANDON_MSG_MAX ? EINVAL
		: amd_wav_parse(buf, n, &off, &ns, why, sizeof(why));
	free(buf);
	if (!err && !ns) {
		snprintf(why, sizeof(why), "no audio in it");
		err = EINVAL;
	}
	if (!err && strlen(path) >= sizeof(k->abandon_msg)) {
		snprintf(why, sizeof(why), "path longer than %zu bytes",
			 sizeof(k->abandon_msg) - 1);
		err = EINVAL;
	}
	if (err) {
		fprintf(cli_err, "occctl: abandon_msg '%s': %s; it must be an"
			" 8 kHz mono 16-bit PCM WAV of at most 1 MiB\n", v,
			why);
		return EXIT_ERR;
	}
	memcpy(k->abandon_msg, path, strlen(path) + 1);   /* fits: above */
	return 0;
}

/* amd_params: checked by the detector's own parser over [amd]'s names */
static int amd_params_setting(struct st_campaign *k, const char *v)
{
	struct amd_params p;
	char bad[96];
	int err;

	amd_params_default(&p);
	err = amd_params_parse(&p, v, bad, sizeof(bad));
	if (err) {
		fprintf(cli_err, "occctl: amd_params: %s '%s' (NAME=VALUE,..."
			" with the [amd] names: docs/DIALER.md)\n",
			err == ENOENT ? "unknown parameter in"
			: err == E2BIG ? "too long:" : "bad value", bad);
		return EXIT_ERR;
	}
	snprintf(k->amd_params, sizeof(k->amd_params), "%s", v);
	return 0;
}

/* A number of seconds (or attempts) 0..max into *vp. */
static bool count_parse(const char *s, long max, int *vp)
{
	char *end;
	long v;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 9)
		return false;
	v = strtol(s, &end, 10);
	if (*end || v > max)
		return false;
	*vp = (int)v;
	return true;
}

static int setting_one(struct ctx *c, struct st_campaign *k, const char *kv)
{
	static const char *const modes = "preview|progressive|predictive";
	static const char *const profiles = "us|uk|none";
	const char *v = strchr(kv, '=') + 1;
	size_t kn = (size_t)(v - 1 - kv);
	char key[32];
	int64_t tid = k->team_id;
	bool ok = true;

	snprintf(key, sizeof(key), "%.*s", (int)(kn < 31 ? kn : 31), kv);
	if (!strcmp(key, "mode"))
		ok = alt_index(modes, v) >= 0 &&
			snprintf(k->dial_mode, sizeof(k->dial_mode), "%s", v);
	else if (!strcmp(key, "profile"))
		ok = alt_index(profiles, v) >= 0 &&
			snprintf(k->profile, sizeof(k->profile), "%s", v);
	else if (!strcmp(key, "callerid"))
		ok = strlen(v) < sizeof(k->callerid) &&
			strspn(v, "0123456789+*#") == strlen(v) &&
			snprintf(k->callerid, sizeof(k->callerid), "%s", v) >= 0;
	else if (!strcmp(key, "group")) {
		const struct st_group *g;
		if (group_arg(c, tid, v, &g))
			return EXIT_ERR;
		k->group_id = g->id;
	}
	else if (!strcmp(key, "window"))
		ok = window_parse(v, &k->window_start, &k->window_end);
	else if (!strcmp(key, "timezone")) {
		struct tz *z = NULL;
		if (*v && tz_load(&z, TZ_ZONEINFO_DIR, v)) {
			fprintf(cli_err, "occctl: unknown time zone '%s' (not"
				" in %s)\n", v, TZ_ZONEINFO_DIR);
			return EXIT_ERR;
		}
		mem_deref(z);
		ok = strlen(v) < sizeof(k->timezone) &&
			snprintf(k->timezone, sizeof(k->timezone), "%s", v) >= 0;
	}
	else if (!strcmp(key, "retry_busy"))
		ok = count_parse(v, 30 * 86400, &k->retry_busy);
	else if (!strcmp(key, "retry_noanswer"))
		ok = count_parse(v, 30 * 86400, &k->retry_noanswer);
	else if (!strcmp(key, "retry_failed"))
		ok = count_parse(v, 30 * 86400, &k->retry_failed);
	else if (!strcmp(key, "max_attempts"))
		ok = count_parse(v, 255, &k->max_attempts);
	else if (!strcmp(key, "amd")) {
		int i = alt_index("off|on", v);
		ok = i >= 0;
		k->amd = i > 0;
	}
	else if (!strcmp(key, "amd_action"))
		ok = alt_index("hangup|message", v) >= 0 &&
			snprintf(k->amd_action, sizeof(k->amd_action), "%s", v);
	else if (!strcmp(key, "amd_fp"))
		ok = permille_parse(v, &k->amd_fp_permille);
	else if (!strcmp(key, "amd_params"))
		return amd_params_setting(k, v);
	else if (!strcmp(key, "abandon_msg"))
		return abandon_msg_set(k, v);
	else {
		fprintf(cli_err, "occctl: unknown campaign setting '%s'\n", key);
		return EXIT_ERR;
	}
	if (!ok) {
		fprintf(cli_err, "occctl: bad value for %s: '%s'\n", key, v);
		return EXIT_ERR;
	}
	return 0;
}

int h_campaign_set(struct ctx *c)
{
	struct st_campaign k;

	if (campaign_arg(c, &k))
		return EXIT_ERR;
	for (int i = 2; i < MAX_POS && c->pos[i]; i++)
		if (setting_one(c, &k, c->pos[i]))
			return EXIT_ERR;
	return campaign_err(c, store_campaign_set(c->st, &k));
}

/* ---- do-not-call lists ------------------------------------------------- */

/* The list --team/--campaign name: team 0 the system's. */
static int dnc_list_arg(struct ctx *c, int64_t *tidp, int64_t *cidp)
{
	const char *team = opt(c, "team"), *camp = opt(c, "campaign");
	struct st_team t;
	struct st_campaign k;
	int err;

	*tidp = *cidp = 0;
	if (camp && !team) {
		fprintf(cli_err, "occctl: --campaign needs --team\n");
		return EXIT_ERR;
	}
	if (!team)
		return 0;
	err = store_team_get(c->st, team, &t);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no such team: %s\n", team);
		return EXIT_ERR;
	}
	if (err)
		return check(err, "team %s", team);
	*tidp = t.id;
	if (!camp)
		return 0;
	(void)parse_id(camp, cidp);
	err = store_campaign_get(c->st, t.id, *cidp, &k);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no campaign %s in team %s\n", camp,
			team);
		return EXIT_ERR;
	}
	return check(err, "campaign %s", camp);
}

static int dnc_each(struct ctx *c, bool add)
{
	int64_t tid, cid;

	if (dnc_list_arg(c, &tid, &cid))
		return EXIT_ERR;
	for (int i = 0; i < MAX_POS && c->pos[i]; i++) {
		struct st_dnc d = { .team_id = tid, .campaign_id = cid,
				    .added_ms = (int64_t)time(NULL) * 1000 };
		int err;
		(void)dialer_number_digits(c->pos[i], d.number,
					   sizeof(d.number));
		err = add ? store_dnc_add(c->st, &d)
			: store_dnc_del(c->st, tid, cid, d.number);
		if (err == ENOENT) {
			fprintf(cli_err, "occctl: %s is not on that list\n",
				c->pos[i]);
			return EXIT_ERR;
		}
		if (err)
			return check(err, "number %s", c->pos[i]);
	}
	return 0;
}

int h_dnc_add(struct ctx *c)
{
	return dnc_each(c, true);
}

int h_dnc_remove(struct ctx *c)
{
	return dnc_each(c, false);
}

static void dnc_one(const struct st_dnc *d, void *arg)
{
	struct tbl *t = arg;
	char when[32];

	tbl_row(t, d->number, local_time(when, d->added_ms));
}

int h_dnc_list(struct ctx *c)
{
	struct tbl t = { .ncol = 2 };
	int64_t tid, cid;
	int err;

	if (dnc_list_arg(c, &tid, &cid))
		return EXIT_ERR;
	tbl_row(&t, "NUMBER", "ADDED");
	err = store_dnc_visit(c->st, tid, cid, dnc_one, &t);
	if (err) {
		tbl_free(&t);
		return check(err, "do-not-call list");
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}
