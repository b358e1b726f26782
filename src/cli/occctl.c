/*
 * occctl.c — the provisioning and inspection CLI.
 *
 *   occctl [--data DIR] [--config FILE] COMMAND [SUBCOMMAND] ARGS...
 *
 * Every command is one row of cmds[]: noun, verb, usage, flags, handler and
 * a one-line summary. The usage string is the only description of a
 * command's arguments: run_cmd() derives from it the argument count, the
 * options and the check each value gets (by placeholder: TEAM, NUMBER,
 * NAME, ...; see vtypes[]), and `--help` prints it. Handlers therefore start
 * with valid, bounded strings.
 *
 * Exit status: 0 success, 1 error (one line on stderr), 2 usage error.
 * After a successful write (CMD_WRITE) a running occd, named by
 * <data>/occd.pid, gets SIGHUP and reloads provisioning.
 *
 * To add a command: one cmds[] row and one handler; a new kind of argument
 * also needs one vtypes[] row.
 */
#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#define LOG_TOPIC "occctl"
#include "base/conf.h"
#include "base/log.h"
#include "core/agent_state.h"
#include "core/provision.h"
#include "core/pwhash.h"
#include "store/store.h"

enum { EXIT_ERR = 1, EXIT_USAGE = 2 };
enum { MAX_POS = 4, MAX_OPT = 4, TOK_LEN = 40, PW_MAX = 127 };
enum { CMD_WRITE = 1 << 0 };  /* changes the store: signal occd after */

/* ---- value checks, chosen by the placeholder in a usage string ---- */

static bool is_team(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= ST_NAME)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	}
	return true;
}

static bool is_digits(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= ST_NUM)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

static bool no_ctrl(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

static bool is_name(const char *s)
{
	return *s && strlen(s) < ST_NAME && no_ctrl(s);
}

static bool is_secret(const char *s)
{
	return *s && strlen(s) <= PW_MAX && no_ctrl(s);
}

static bool parse_id(const char *s, int64_t *idp)
{
	char *end;
	long long v;

	if (!is_digits(s) || strlen(s) > 10)
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 1 || v > 2147483647)
		return false;
	if (idp)
		*idp = v;
	return true;
}

static bool is_id(const char *s)
{
	return parse_id(s, NULL);
}

static bool is_id_or_auto(const char *s)
{
	return !strcmp(s, "auto") || is_id(s);
}

static const struct vtype {
	const char *name;
	bool (*ok)(const char *s);
	const char *expect;
} vtypes[] = {
	{ "TEAM", is_team, "1-63 characters of A-Z a-z 0-9 _ . -" },
	{ "NAME", is_name, "1-63 bytes without control characters" },
	{ "NUMBER", is_digits, "1-31 digits" },
	{ "AGENT", is_digits, "an agent number, 1-31 digits" },
	{ "EXTEN", is_digits, "an extension number, 1-31 digits" },
	{ "QUEUE", is_digits, "a queue number, 1-31 digits" },
	{ "PASSWORD", is_secret, "1-127 bytes without control characters" },
	{ "SECRET", is_secret, "1-127 bytes without control characters" },
	{ "ID", is_id_or_auto, "a group id 1-2147483647 or 'auto'" },
	{ "GROUPID", is_id, "a group id 1-2147483647" },
};

/* Index of s in "a|b|c", or -1. */
static int alt_index(const char *alts, const char *s)
{
	size_t n = strlen(s);
	int i = 0;

	for (const char *p = alts; p; p = strchr(p, '|'), i++) {
		if (*p == '|')
			p++;
		if (!strncmp(p, s, n) && (p[n] == '|' || p[n] == '\0'))
			return i;
	}
	return -1;
}

/* 0 if s fits placeholder type; else prints why and returns EXIT_ERR. */
static int check_value(const char *type, const char *s)
{
	if (strchr(type, '|')) {
		if (alt_index(type, s) >= 0)
			return 0;
		fprintf(stderr, "occctl: bad value '%s': expected one of %s\n",
			s, type);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < ARRAY_SIZE(vtypes); i++) {
		if (strcmp(vtypes[i].name, type))
			continue;
		if (vtypes[i].ok(s))
			return 0;
		fprintf(stderr, "occctl: bad %s '%s': expected %s\n", type, s,
			vtypes[i].expect);
		return EXIT_ERR;
	}
	return 0;
}

/* ---- the command table ---- */

struct ctx;
typedef int (cmd_h)(struct ctx *c);

struct cmd {
	const char *noun, *verb;   /* verb NULL: a one-word command */
	const char *usage;         /* arguments; parsed by spec_parse() */
	unsigned flags;
	cmd_h *h;
	const char *summary;
};

static cmd_h h_team_add, h_team_list, h_team_remove;
static cmd_h h_account_add, h_account_list, h_account_remove;
static cmd_h h_account_passwd, h_account_disable, h_account_enable;
static cmd_h h_agent_add, h_agent_list, h_agent_remove, h_agent_passwd;
static cmd_h h_group_add, h_group_list, h_group_remove;
static cmd_h h_member_add, h_member_list, h_member_remove;
static cmd_h h_exten_add, h_exten_list, h_exten_remove, h_exten_passwd;
static cmd_h h_status, h_demo;

#define W CMD_WRITE
static const struct cmd cmds[] = {
	{ "team", "add", "TEAM", W, h_team_add, "add a team" },
	{ "team", "list", "", 0, h_team_list, "list teams" },
	{ "team", "remove", "TEAM", W, h_team_remove,
	  "remove a team and everything in it" },
	{ "account", "add", "TEAM NAME PASSWORD [--agent AGENT]", W,
	  h_account_add, "add an account, optionally linked to an agent" },
	{ "account", "list", "TEAM", 0, h_account_list, "list accounts" },
	{ "account", "remove", "TEAM NAME", W, h_account_remove,
	  "remove an account" },
	{ "account", "passwd", "TEAM NAME PASSWORD", W, h_account_passwd,
	  "set an account's password" },
	{ "account", "disable", "TEAM NAME", W, h_account_disable,
	  "disable an account" },
	{ "account", "enable", "TEAM NAME", W, h_account_enable,
	  "enable an account" },
	{ "agent", "add", "TEAM NUMBER PASSWORD [--name NAME] [--exten EXTEN]"
	  " [--account NAME]", W, h_agent_add, "add an agent" },
	{ "agent", "list", "TEAM", 0, h_agent_list, "list agents" },
	{ "agent", "remove", "TEAM NUMBER", W, h_agent_remove,
	  "remove an agent (and its memberships and state)" },
	{ "agent", "passwd", "TEAM NUMBER PASSWORD", W, h_agent_passwd,
	  "set an agent's password" },
	{ "group", "add", "TEAM ID NAME QUEUE [--acw ring|answer|off]"
	  " [--workway all|dialin|dialout]", W, h_group_add,
	  "add an agent group (ID may be auto; default --acw off"
	  " --workway all)" },
	{ "group", "list", "TEAM", 0, h_group_list, "list agent groups" },
	{ "group", "remove", "TEAM GROUPID", W, h_group_remove,
	  "remove an agent group and its memberships" },
	{ "member", "add", "TEAM GROUPID AGENT [--dynamic] [--leader]", W,
	  h_member_add, "add an agent to a group (static unless --dynamic)" },
	{ "member", "list", "TEAM [GROUPID]", 0, h_member_list,
	  "list group members" },
	{ "member", "remove", "TEAM GROUPID AGENT", W, h_member_remove,
	  "remove an agent from a group" },
	{ "exten", "add", "TEAM NUMBER SECRET [--virtual]", W, h_exten_add,
	  "add a SIP extension (or a virtual one)" },
	{ "exten", "list", "TEAM", 0, h_exten_list, "list extensions" },
	{ "exten", "remove", "TEAM NUMBER", W, h_exten_remove,
	  "remove an extension" },
	{ "exten", "passwd", "TEAM NUMBER SECRET", W, h_exten_passwd,
	  "set an extension's SIP secret" },
	{ "status", NULL, "[TEAM]", 0, h_status,
	  "agents' login, state and group check-in, per team" },
	{ "demo", NULL, "", W, h_demo, "fill an empty store with demo data" },
};
#undef W

/* ---- usage strings: "POS [OPTPOS] [--opt TYPE] [--flag]" ---- */

struct spec {
	int nreq, npos, nopt;
	char pos[MAX_POS][TOK_LEN];
	struct { char name[TOK_LEN], type[TOK_LEN]; } opt[MAX_OPT];
};

static void tok_copy(char dst[TOK_LEN], const char *s, size_t n)
{
	if (n && s[n - 1] == ']')
		n--;
	if (n >= TOK_LEN)
		n = TOK_LEN - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

static void spec_parse(const char *usage, struct spec *sp)
{
	const char *p = usage;

	memset(sp, 0, sizeof(*sp));
	while (*p) {
		size_t n = strcspn(p, " ");

		if (!strncmp(p, "[--", 3) && sp->nopt < MAX_OPT) {
			tok_copy(sp->opt[sp->nopt].name, p + 3, n - 3);
			if (p[n - 1] != ']') {           /* "[--opt TYPE]" */
				p += n + 1;
				n = strcspn(p, " ");
				tok_copy(sp->opt[sp->nopt].type, p, n);
			}
			sp->nopt++;
		}
		else if (n && sp->npos < MAX_POS) {
			bool optional = *p == '[';
			tok_copy(sp->pos[sp->npos++], p + optional,
				 n - optional);
			if (!optional)
				sp->nreq = sp->npos;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

/* ---- the parsed command line of one command ---- */

struct snap {
	struct st_team *team;
	struct st_account *account;
	struct st_agent *agent;
	struct st_group *group;
	struct st_member *member;
	struct st_exten *exten;
	struct st_agent_state *state;
	size_t nteam, naccount, nagent, ngroup, nmember, nexten, nstate;
	bool oom;
};

struct ctx {
	const struct cmd *cmd;
	struct spec sp;
	const char *pos[MAX_POS];
	const char *optv[MAX_OPT];   /* value, "" for a flag, NULL if absent */
	const char *dir;
	struct store *st;
	struct snap snap;
	bool loaded;
};

static const char *opt(const struct ctx *c, const char *name)
{
	for (int i = 0; i < c->sp.nopt; i++) {
		if (!strcmp(c->sp.opt[i].name, name))
			return c->optv[i];
	}
	return NULL;
}

static void print_cmd(FILE *f, const struct cmd *k, int width)
{
	char head[64];

	snprintf(head, sizeof(head), "%s%s%s", k->noun, k->verb ? " " : "",
		 k->verb ? k->verb : "");
	if (width)
		fprintf(f, "  %-*s %s\n      %s\n", width, head, k->usage,
			k->summary);
	else
		fprintf(f, "usage: occctl %s %s\n  %s\n", head, k->usage,
			k->summary);
}

/* All commands, or those of one noun. */
static void print_cmds(FILE *f, const char *noun)
{
	int width = 0;

	if (!noun) {
		fprintf(f, "usage: occctl [--data DIR] [--config FILE] [--help]"
			" COMMAND ...\n\n"
			"  --data DIR     data directory (default: [store]"
			" data_dir of the config, else ./data)\n"
			"  --config FILE  occd's INI file\n\ncommands:\n");
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		int n = (int)(strlen(cmds[i].noun) + 1 +
			      (cmds[i].verb ? strlen(cmds[i].verb) : 0));
		width = n > width ? n : width;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (!noun || !strcmp(cmds[i].noun, noun))
			print_cmd(f, &cmds[i], width);
	}
	if (!noun)
		fprintf(f, "\nEach command takes --help. Exit status: 0 ok,"
			" 1 error, 2 usage error.\n");
}

static int usage_err(const struct cmd *k, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "occctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	if (k)
		print_cmd(stderr, k, 0);
	return EXIT_USAGE;
}

static int opt_index(const struct spec *sp, const char *name)
{
	for (int i = 0; i < sp->nopt; i++) {
		if (!strcmp(sp->opt[i].name, name))
			return i;
	}
	return -1;
}

/* Fill c->pos/optv from argv. Returns 0, EXIT_USAGE, or -1 for --help. */
static int parse_args(struct ctx *c, int argc, char **argv)
{
	const struct cmd *k = c->cmd;
	int npos = 0;
	bool opts_done = false;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		int o;

		if (opts_done || strncmp(a, "--", 2)) {
			if (npos == c->sp.npos)
				return usage_err(k, "too many arguments");
			c->pos[npos++] = a;
			continue;
		}
		if (!strcmp(a, "--")) {
			opts_done = true;
			continue;
		}
		if (!strcmp(a, "--help"))
			return -1;
		o = opt_index(&c->sp, a + 2);
		if (o < 0)
			return usage_err(k, "unknown option %s", a);
		if (!c->sp.opt[o].type[0]) {
			c->optv[o] = "";
			continue;
		}
		if (i + 1 == argc)
			return usage_err(k, "%s needs a value", a);
		c->optv[o] = argv[++i];
	}
	if (npos < c->sp.nreq)
		return usage_err(k, "missing arguments");
	return 0;
}

static int check_args(const struct ctx *c)
{
	for (int i = 0; i < c->sp.npos; i++) {
		if (c->pos[i] && check_value(c->sp.pos[i], c->pos[i]))
			return EXIT_ERR;
	}
	for (int i = 0; i < c->sp.nopt; i++) {
		if (c->optv[i] && c->sp.opt[i].type[0] &&
		    check_value(c->sp.opt[i].type, c->optv[i]))
			return EXIT_ERR;
	}
	return 0;
}

/* ---- errors ---- */

static const char *err_text(int err)
{
	switch (err) {
	case EEXIST:  return "already exists";
	case ENOENT:  return "not found";
	case EINVAL:  return "invalid value";
	case EIO:     return "database error";
	case ENOTSUP: return "the database was written by a newer occ";
	default:      return strerror(err);
	}
}

/* 0 if !err, else print "occctl: <what>: <reason>" and return EXIT_ERR. */
static int check(int err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return 0;
	fprintf(stderr, "occctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, ": %s\n", err_text(err));
	return EXIT_ERR;
}

/* ---- the store as loaded, for lists and lookups ---- */

/* Room for one more element in a vector of n: grow at 0, 8, 16, 32... */
static void *vec_room(void *arr, size_t n, size_t size)
{
	if (n && (n < 8 || (n & (n - 1))))
		return arr;
	return realloc(arr, (n ? 2 * n : 8) * size);
}

#define SNAP_PUSH(s, vec, cnt, row) do { \
	void *p_ = vec_room((s)->vec, (s)->cnt, sizeof(*(s)->vec)); \
	if (!p_) { (s)->oom = true; return; } \
	(s)->vec = p_; (s)->vec[(s)->cnt++] = *(row); } while (0)

static void on_team(const struct st_team *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, team, nteam, r); }
static void on_account(const struct st_account *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, account, naccount, r); }
static void on_agent(const struct st_agent *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, agent, nagent, r); }
static void on_group(const struct st_group *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, group, ngroup, r); }
static void on_member(const struct st_member *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, member, nmember, r); }
static void on_exten(const struct st_exten *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, exten, nexten, r); }
static void on_state(const struct st_agent_state *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, state, nstate, r); }

static void snap_free(struct snap *s)
{
	free(s->team);
	free(s->account);
	free(s->agent);
	free(s->group);
	free(s->member);
	free(s->exten);
	free(s->state);
	memset(s, 0, sizeof(*s));
}

static int snap_load(struct ctx *c)
{
	static const struct store_visitor v = {
		.team = on_team, .account = on_account, .agent = on_agent,
		.group = on_group, .member = on_member, .exten = on_exten,
		.agent_state = on_state,
	};
	int err;

	snap_free(&c->snap);
	err = store_load(c->st, &v, &c->snap);
	if (!err && c->snap.oom)
		err = ENOMEM;
	return check(err, "loading %s/occ.db", c->dir);
}

static const struct st_team *find_team(const struct snap *s, const char *name)
{
	for (size_t i = 0; i < s->nteam; i++) {
		if (!strcmp(s->team[i].name, name))
			return &s->team[i];
	}
	return NULL;
}

static const struct st_agent *agent_by_id(const struct snap *s, int64_t id)
{
	for (size_t i = 0; i < s->nagent; i++) {
		if (s->agent[i].id == id)
			return &s->agent[i];
	}
	return NULL;
}

static const struct st_group *group_by_id(const struct snap *s, int64_t id)
{
	for (size_t i = 0; i < s->ngroup; i++) {
		if (s->group[i].id == id)
			return &s->group[i];
	}
	return NULL;
}

static const struct st_account *account_by(const struct snap *s,
					   int64_t team_id, int64_t id,
					   const char *name)
{
	for (size_t i = 0; i < s->naccount; i++) {
		const struct st_account *a = &s->account[i];
		if (a->team_id == team_id &&
		    (name ? !strcmp(a->name, name) : a->id == id))
			return a;
	}
	return NULL;
}

static const struct st_agent_state *state_of(const struct snap *s,
					     int64_t agent_id)
{
	for (size_t i = 0; i < s->nstate; i++) {
		if (s->state[i].agent_id == agent_id)
			return &s->state[i];
	}
	return NULL;
}

/* The team named by argument 0; prints the error itself. */
static int team_arg(struct ctx *c, int64_t *idp)
{
	struct st_team t;
	int err;

	*idp = 0;
	err = store_team_get(c->st, c->pos[0], &t);
	if (err == ENOENT) {
		fprintf(stderr, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	if (!err)
		*idp = t.id;
	return check(err, "team %s", c->pos[0]);
}

static int agent_arg(struct ctx *c, int64_t team_id, const char *number,
		     struct st_agent *a)
{
	int err = store_agent_get(c->st, team_id, number, a);

	if (err == ENOENT) {
		fprintf(stderr, "occctl: no agent %s in team %s\n", number,
			c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "agent %s", number);
}

/* The group named by a GROUPID argument, which must belong to the team. */
static int group_arg(struct ctx *c, int64_t team_id, const char *id,
		     const struct st_group **gp)
{
	int64_t gid = 0;

	(void)parse_id(id, &gid);
	if (snap_load(c))
		return EXIT_ERR;
	*gp = group_by_id(&c->snap, gid);
	if (*gp && (*gp)->team_id == team_id)
		return 0;
	fprintf(stderr, "occctl: no group %s in team %s\n", id, c->pos[0]);
	return EXIT_ERR;
}

/* ---- aligned tables ---- */

enum { TBL_MAX_COLS = 8 };

struct tbl {
	size_t ncol, nrow;
	char **cell;       /* nrow * ncol strdup'ed strings */
	bool oom;
};

static void tbl_row(struct tbl *t, ...)
{
	char **cell;
	va_list ap;

	cell = realloc(t->cell, (t->nrow + 1) * t->ncol * sizeof(*cell));
	if (!cell) {
		t->oom = true;
		return;
	}
	t->cell = cell;
	va_start(ap, t);
	for (size_t i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);
		cell[t->nrow * t->ncol + i] = strdup(s && *s ? s : "-");
	}
	va_end(ap);
	t->nrow++;
}

/* Print and free; rows[0] is the header. */
static void tbl_print(struct tbl *t)
{
	size_t w[TBL_MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t i = 0; i < t->ncol; i++) {
			const char *s = t->cell[r * t->ncol + i];
			size_t n = s ? strlen(s) : 0;
			if (n > w[i])
				w[i] = n;
		}
	}
	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t i = 0; i < t->ncol; i++) {
			const char *s = t->cell[r * t->ncol + i];
			bool last = i + 1 == t->ncol;
			printf("%-*s%s", last ? 0 : (int)w[i], s ? s : "?",
			       last ? "\n" : "  ");
			free(t->cell[r * t->ncol + i]);
		}
	}
	free(t->cell);
	t->cell = NULL;
	t->nrow = 0;
}

static const char *i64s(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

/* ---- handlers: teams ---- */

static int h_team_add(struct ctx *c)
{
	return check(store_team_add(c->st, c->pos[0], NULL), "team %s",
		     c->pos[0]);
}

static int h_team_remove(struct ctx *c)
{
	int err = store_team_del(c->st, c->pos[0]);

	if (err == ENOENT) {
		fprintf(stderr, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "team %s", c->pos[0]);
}

/* Accounts, agents, groups and extensions of a team. */
static void team_counts(const struct snap *s, int64_t tid, int64_t n[4])
{
	memset(n, 0, 4 * sizeof(n[0]));
	for (size_t i = 0; i < s->naccount; i++)
		n[0] += s->account[i].team_id == tid;
	for (size_t i = 0; i < s->nagent; i++)
		n[1] += s->agent[i].team_id == tid;
	for (size_t i = 0; i < s->ngroup; i++)
		n[2] += s->group[i].team_id == tid;
	for (size_t i = 0; i < s->nexten; i++)
		n[3] += s->exten[i].team_id == tid;
}

static int h_team_list(struct ctx *c)
{
	struct tbl t = { .ncol = 5 };
	const struct snap *s = &c->snap;

	if (snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "TEAM", "ACCOUNTS", "AGENTS", "GROUPS", "EXTENS");
	for (size_t i = 0; i < s->nteam; i++) {
		char b[4][24];
		int64_t n[4];
		team_counts(s, s->team[i].id, n);
		tbl_row(&t, s->team[i].name, i64s(b[0], n[0]),
			i64s(b[1], n[1]), i64s(b[2], n[2]), i64s(b[3], n[3]));
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* ---- accounts ---- */

static int h_account_add(struct ctx *c)
{
	struct st_account a = { .enabled = true };
	struct st_agent ag;
	const char *agent = opt(c, "agent");

	if (team_arg(c, &a.team_id))
		return EXIT_ERR;
	if (agent && agent_arg(c, a.team_id, agent, &ag))
		return EXIT_ERR;
	snprintf(a.name, sizeof(a.name), "%s", c->pos[1]);
	snprintf(a.agent, sizeof(a.agent), "%s", agent ? agent : "");
	if (check(pwhash_make_plain(a.pwhash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_account_add(c->st, &a), "account %s in team %s",
		     c->pos[1], c->pos[0]);
}

static int h_account_list(struct ctx *c)
{
	struct tbl t = { .ncol = 3 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "ACCOUNT", "ENABLED", "AGENT");
	for (size_t i = 0; i < c->snap.naccount; i++) {
		const struct st_account *a = &c->snap.account[i];
		if (a->team_id == tid)
			tbl_row(&t, a->name, a->enabled ? "yes" : "no",
				a->agent);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

static int h_account_remove(struct ctx *c)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_account_del(c->st, tid, c->pos[1]),
		     "account %s in team %s", c->pos[1], c->pos[0]);
}

static int h_account_passwd(struct ctx *c)
{
	char hash[PWHASH_LEN];
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (check(pwhash_make_plain(hash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_account_set_pwhash(c->st, tid, c->pos[1], hash),
		     "account %s in team %s", c->pos[1], c->pos[0]);
}

static int account_enable(struct ctx *c, bool on)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_account_set_enabled(c->st, tid, c->pos[1], on),
		     "account %s in team %s", c->pos[1], c->pos[0]);
}

static int h_account_disable(struct ctx *c)
{
	return account_enable(c, false);
}

static int h_account_enable(struct ctx *c)
{
	return account_enable(c, true);
}

/* ---- agents ---- */

static int h_agent_add(struct ctx *c)
{
	struct st_agent a = { 0 };
	const char *acc = opt(c, "account"), *exten = opt(c, "exten");
	const char *name = opt(c, "name");

	if (team_arg(c, &a.team_id))
		return EXIT_ERR;
	if (acc) {
		const struct st_account *ac;
		if (snap_load(c))
			return EXIT_ERR;
		ac = account_by(&c->snap, a.team_id, 0, acc);
		if (!ac) {
			fprintf(stderr, "occctl: no account %s in team %s\n",
				acc, c->pos[0]);
			return EXIT_ERR;
		}
		a.account_id = ac->id;
	}
	snprintf(a.number, sizeof(a.number), "%s", c->pos[1]);
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	snprintf(a.exten, sizeof(a.exten), "%s", exten ? exten : "");
	if (check(pwhash_make_plain(a.pwhash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_agent_add(c->st, &a), "agent %s in team %s",
		     c->pos[1], c->pos[0]);
}

static int h_agent_list(struct ctx *c)
{
	struct tbl t = { .ncol = 4 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "AGENT", "NAME", "EXTEN", "ACCOUNT");
	for (size_t i = 0; i < c->snap.nagent; i++) {
		const struct st_agent *a = &c->snap.agent[i];
		const struct st_account *ac;
		if (a->team_id != tid)
			continue;
		ac = account_by(&c->snap, tid, a->account_id, NULL);
		tbl_row(&t, a->number, a->name, a->exten, ac ? ac->name : "");
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

static int h_agent_remove(struct ctx *c)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_agent_del(c->st, tid, c->pos[1]),
		     "agent %s in team %s", c->pos[1], c->pos[0]);
}

static int h_agent_passwd(struct ctx *c)
{
	char hash[PWHASH_LEN];
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (check(pwhash_make_plain(hash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_agent_set_pwhash(c->st, tid, c->pos[1], hash),
		     "agent %s in team %s", c->pos[1], c->pos[0]);
}

/* ---- groups ---- */

/* Indexed by the st_group values; the usage strings list the same words. */
static const char *const acw_names[] = { "?", "ring", "answer", "off" };
static const char *const work_names[] = { "all", "dialin", "dialout" };

static const char *mode_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

/* A clearer message than EEXIST when the id or the queue is taken. */
static int group_free(struct ctx *c, const struct st_group *g)
{
	const struct st_group *r = g->id ? group_by_id(&c->snap, g->id) : NULL;

	if (r) {
		fprintf(stderr, "occctl: group id %lld is taken\n",
			(long long)g->id);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		r = &c->snap.group[i];
		if (r->team_id == g->team_id && !strcmp(r->queue, g->queue)) {
			fprintf(stderr, "occctl: queue %s in team %s is taken"
				" by group %lld\n", g->queue, c->pos[0],
				(long long)r->id);
			return EXIT_ERR;
		}
	}
	return 0;
}

static int h_group_add(struct ctx *c)
{
	const char *acw = opt(c, "acw"), *work = opt(c, "workway");
	struct st_group g = {
		.acw_mode = acw ? alt_index("ring|answer|off", acw) + 1 : 3,
		.work_mode = work ? alt_index("all|dialin|dialout", work) : 0,
	};
	bool autoid = !strcmp(c->pos[1], "auto");

	if (team_arg(c, &g.team_id) || snap_load(c))
		return EXIT_ERR;
	if (!autoid)
		(void)parse_id(c->pos[1], &g.id);
	snprintf(g.name, sizeof(g.name), "%s", c->pos[2]);
	snprintf(g.queue, sizeof(g.queue), "%s", c->pos[3]);
	if (group_free(c, &g) ||
	    check(store_group_add(c->st, &g), "group %s in team %s",
		  c->pos[1], c->pos[0]))
		return EXIT_ERR;
	if (!autoid)
		return 0;
	/* store_group_add does not return the id: find it by its queue. */
	if (snap_load(c))
		return EXIT_ERR;
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		const struct st_group *r = &c->snap.group[i];
		if (r->team_id == g.team_id && !strcmp(r->queue, g.queue))
			printf("group %lld\n", (long long)r->id);
	}
	return 0;
}

static int h_group_list(struct ctx *c)
{
	struct tbl t = { .ncol = 6 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "GROUP", "NAME", "QUEUE", "ACW", "WORKWAY", "MEMBERS");
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		const struct st_group *g = &c->snap.group[i];
		char id[24], n[24];
		int64_t k = 0;
		if (g->team_id != tid)
			continue;
		for (size_t j = 0; j < c->snap.nmember; j++)
			k += c->snap.member[j].group_id == g->id;
		tbl_row(&t, i64s(id, g->id), g->name, g->queue,
			mode_name(acw_names, ARRAY_SIZE(acw_names), g->acw_mode),
			mode_name(work_names, ARRAY_SIZE(work_names),
				  g->work_mode), i64s(n, k));
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

static int h_group_remove(struct ctx *c)
{
	int64_t tid, gid = 0;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	(void)parse_id(c->pos[1], &gid);
	return check(store_group_del(c->st, tid, gid), "group %s in team %s",
		     c->pos[1], c->pos[0]);
}

/* ---- members ---- */

static int h_member_add(struct ctx *c)
{
	const struct st_group *g;
	struct st_agent a;
	struct st_member m = { .dynamic = opt(c, "dynamic") != NULL,
			       .leader = opt(c, "leader") != NULL };
	int64_t tid;
	int err;

	if (team_arg(c, &tid) || group_arg(c, tid, c->pos[1], &g) ||
	    agent_arg(c, tid, c->pos[2], &a))
		return EXIT_ERR;
	m.group_id = g->id;
	m.agent_id = a.id;
	m.acw_mode = g->acw_mode;
	m.work_mode = g->work_mode;
	err = store_member_add(c->st, &m);
	if (err == EEXIST) {
		fprintf(stderr, "occctl: agent %s is already in group %s\n",
			c->pos[2], c->pos[1]);
		return EXIT_ERR;
	}
	return check(err, "agent %s in group %s", c->pos[2], c->pos[1]);
}

static void member_row(struct tbl *t, const struct snap *s,
		       const struct st_member *m)
{
	const struct st_group *g = group_by_id(s, m->group_id);
	const struct st_agent *a = agent_by_id(s, m->agent_id);
	char id[24];

	if (!g || !a)
		return;
	tbl_row(t, i64s(id, g->id), g->name, a->number, a->name,
		m->dynamic ? "dynamic" : "static", m->leader ? "yes" : "no",
		m->checked_in ? "yes" : "no");
}

static int h_member_list(struct ctx *c)
{
	struct tbl t = { .ncol = 7 };
	const struct st_group *only = NULL;
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (c->pos[1] ? group_arg(c, tid, c->pos[1], &only) : snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "GROUP", "NAME", "AGENT", "AGENT NAME", "TYPE", "LEADER",
		"CHECKED IN");
	for (size_t i = 0; i < c->snap.nmember; i++) {
		const struct st_member *m = &c->snap.member[i];
		const struct st_group *g = group_by_id(&c->snap, m->group_id);
		if (g && g->team_id == tid && (!only || only->id == g->id))
			member_row(&t, &c->snap, m);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

static int h_member_remove(struct ctx *c)
{
	const struct st_group *g;
	struct st_agent a;
	int64_t tid;
	int err;

	if (team_arg(c, &tid) || group_arg(c, tid, c->pos[1], &g) ||
	    agent_arg(c, tid, c->pos[2], &a))
		return EXIT_ERR;
	err = store_member_del(c->st, g->id, a.id);
	if (err == ENOENT) {
		fprintf(stderr, "occctl: agent %s is not in group %s\n",
			c->pos[2], c->pos[1]);
		return EXIT_ERR;
	}
	return check(err, "agent %s in group %s", c->pos[2], c->pos[1]);
}

/* ---- extensions ---- */

static int h_exten_add(struct ctx *c)
{
	struct st_exten e = { 0 };

	if (team_arg(c, &e.team_id))
		return EXIT_ERR;
	snprintf(e.number, sizeof(e.number), "%s", c->pos[1]);
	snprintf(e.kind, sizeof(e.kind), "%s",
		 opt(c, "virtual") ? "virtual" : "sip");
	if (check(exten_ha1(e.ha1, c->pos[1], c->pos[0], c->pos[2]),
		  "extension %s secret", c->pos[1]))
		return EXIT_ERR;
	return check(store_exten_add(c->st, &e), "extension %s in team %s",
		     c->pos[1], c->pos[0]);
}

static int h_exten_list(struct ctx *c)
{
	struct tbl t = { .ncol = 3 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "EXTEN", "KIND", "AGENTS");
	for (size_t i = 0; i < c->snap.nexten; i++) {
		const struct st_exten *e = &c->snap.exten[i];
		char users[256] = "";
		size_t n = 0;
		if (e->team_id != tid)
			continue;
		/* agents whose default extension this is */
		for (size_t j = 0; j < c->snap.nagent; j++) {
			const struct st_agent *a = &c->snap.agent[j];
			if (a->team_id == tid && !strcmp(a->exten, e->number) &&
			    n < sizeof(users))
				n += (size_t)snprintf(users + n,
					sizeof(users) - n, "%s%s",
					n ? "," : "", a->number);
		}
		tbl_row(&t, e->number, e->kind, users);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

static int h_exten_remove(struct ctx *c)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_exten_del(c->st, tid, c->pos[1]),
		     "extension %s in team %s", c->pos[1], c->pos[0]);
}

static int h_exten_passwd(struct ctx *c)
{
	char ha1[40];
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (check(exten_ha1(ha1, c->pos[1], c->pos[0], c->pos[2]),
		  "extension %s secret", c->pos[1]))
		return EXIT_ERR;
	return check(store_exten_set_ha1(c->st, tid, c->pos[1], ha1),
		     "extension %s in team %s", c->pos[1], c->pos[0]);
}

/* ---- status ---- */

static const char *local_time(char buf[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm))
		return "";
	return buf;
}

/* "1 Sales: in (leader); 2 Support: out (dynamic)" */
static void groups_of(char *buf, size_t size, const struct snap *s,
		      int64_t agent_id)
{
	static const char *const flags[2][2] = {
		{ "", " (dynamic)" }, { " (leader)", " (leader, dynamic)" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nmember && n < size; i++) {
		const struct st_member *m = &s->member[i];
		const struct st_group *g = group_by_id(s, m->group_id);
		if (m->agent_id != agent_id || !g)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%lld %s: %s%s",
			n ? "; " : "", (long long)g->id, g->name,
			m->checked_in ? "in" : "out",
			flags[m->leader][m->dynamic]);
	}
}

static void status_team(const struct snap *s, const struct st_team *team)
{
	struct tbl t = { .ncol = 8 };

	printf("team %s\n", team->name);
	tbl_row(&t, "AGENT", "NAME", "LOGIN", "DEVICE", "STATE", "REASON",
		"SINCE", "GROUPS");
	for (size_t i = 0; i < s->nagent; i++) {
		const struct st_agent *a = &s->agent[i];
		const struct st_agent_state *st;
		char since[32], groups[512];
		if (a->team_id != team->id)
			continue;
		st = state_of(s, a->id);
		groups_of(groups, sizeof(groups), s, a->id);
		tbl_row(&t, a->number, a->name,
			st && st->logged_in ? "yes" : "no",
			st ? st->device : "",
			agent_state_name(st ? (enum agent_state)st->state
					 : AS_LOGOUT),
			st ? st->pause_reason : "",
			st ? local_time(since, st->since_ms) : "", groups);
	}
	tbl_print(&t);
}

static int h_status(struct ctx *c)
{
	const struct st_team *only = NULL;

	if (snap_load(c))
		return EXIT_ERR;
	if (c->pos[0] && !(only = find_team(&c->snap, c->pos[0]))) {
		fprintf(stderr, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < c->snap.nteam; i++) {
		const struct st_team *t = &c->snap.team[i];
		if (only && only != t)
			continue;
		if (!only && i)
			printf("\n");
		status_team(&c->snap, t);
	}
	return 0;
}

static int h_demo(struct ctx *c)
{
	int err = provision_demo(c->st);

	if (err == EEXIST) {
		fprintf(stderr, "occctl: demo: the store in %s is not empty;"
			" demo data goes into an empty store only\n", c->dir);
		return EXIT_ERR;
	}
	return check(err, "demo");
}

/* ---- running a command ---- */

/*
 * Ask a running occd to reload. The pid file may be stale and the pid
 * reused, so on Linux only a process whose command line mentions occd gets
 * the signal (SIGHUP would kill most other programs).
 */
static void notify_occd(const char *dir)
{
	char path[600], cmdline[512];
	FILE *f;
	long pid = 0;
	size_t n;

	snprintf(path, sizeof(path), "%s/occd.pid", dir);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 1)
		return;
	if (access("/proc/self/cmdline", R_OK) == 0) {
		snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
		f = fopen(path, "r");
		if (!f)
			return;                /* not running */
		n = fread(cmdline, 1, sizeof(cmdline) - 1, f);
		fclose(f);
		for (size_t i = 0; i < n; i++)
			cmdline[i] = cmdline[i] ? cmdline[i] : ' ';
		cmdline[n] = '\0';
		if (!strstr(cmdline, "occd"))
			return;                /* the pid was reused */
	}
	if (kill((pid_t)pid, SIGHUP) && errno != ESRCH)
		fprintf(stderr, "occctl: warning: cannot signal occd (pid %ld):"
			" %s; restart it to load the change\n", pid,
			strerror(errno));
}

struct globals {
	const char *data, *config;
};

/* Cost, log level and data directory from --config, if given. */
static int apply_config(const struct globals *g, char *dir, size_t dirsz)
{
	struct conf cf;
	enum log_level lvl = LOG_LVL_WARN;
	char err[300];

	conf_defaults(&cf);
	if (g->config && conf_load(&cf, g->config, err, sizeof(err))) {
		fprintf(stderr, "occctl: config: %s\n", err);
		return EXIT_ERR;
	}
	pwhash_set_cost(cf.pwhash_opslimit, cf.pwhash_memlimit_kib);
	/* a CLI keeps quiet about info (e.g. a migration); errors and debug
	 * stay as configured */
	if (!log_level_parse(cf.log_level, &lvl) && lvl == LOG_LVL_INFO)
		lvl = LOG_LVL_WARN;
	log_set_level(lvl);
	snprintf(dir, dirsz, "%s", g->data ? g->data : cf.data_dir);
	return 0;
}

static int open_store(struct ctx *c)
{
	char path[600];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/occ.db", c->dir);
	if (!(c->cmd->flags & CMD_WRITE) && stat(path, &sb)) {
		fprintf(stderr, "occctl: no database in %s (create one with"
			" 'occctl demo' or 'occctl team add')\n", c->dir);
		return EXIT_ERR;
	}
	if (check(pwhash_init(), "libsodium"))
		return EXIT_ERR;
	return check(store_open(&c->st, c->dir), "opening %s", path);
}

static int run_cmd(const struct globals *g, const struct cmd *k, int argc,
		   char **argv)
{
	struct ctx c = { .cmd = k };
	char dir[512];
	int rc;

	spec_parse(k->usage, &c.sp);
	rc = parse_args(&c, argc, argv);
	if (rc < 0) {
		print_cmd(stdout, k, 0);
		return 0;
	}
	if (rc || (rc = check_args(&c)) || (rc = apply_config(g, dir,
							      sizeof(dir))))
		return rc;
	c.dir = dir;
	rc = open_store(&c);
	if (!rc)
		rc = k->h(&c);
	if (!rc && (k->flags & CMD_WRITE))
		notify_occd(dir);
	snap_free(&c.snap);
	mem_deref(c.st);
	return rc;
}

/* The row for argv[0] (and argv[1]); *usedp = words consumed. */
static int find_cmd(int argc, char **argv, const struct cmd **kp, int *usedp)
{
	bool noun_known = false;

	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		const struct cmd *k = &cmds[i];
		if (strcmp(k->noun, argv[0]))
			continue;
		noun_known = true;
		if (!k->verb || (argc > 1 && !strcmp(k->verb, argv[1]))) {
			*kp = k;
			*usedp = k->verb ? 2 : 1;
			return 0;
		}
	}
	if (!noun_known)
		return usage_err(NULL, "unknown command '%s' (see occctl --help)",
				 argv[0]);
	if (argc > 1 && !strcmp(argv[1], "--help")) {
		print_cmds(stdout, argv[0]);
		return -1;
	}
	if (argc > 1)
		fprintf(stderr, "occctl: unknown command '%s %s'\n", argv[0],
			argv[1]);
	else
		fprintf(stderr, "occctl: '%s' needs a subcommand\n", argv[0]);
	print_cmds(stderr, argv[0]);
	return EXIT_USAGE;
}

/* Global options. Returns 0 with *ip at the command word, -1 after
 * printing --help, or EXIT_USAGE. */
static int parse_globals(int argc, char **argv, struct globals *g, int *ip)
{
	int i = 1;

	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char **dst = !strcmp(argv[i], "--data") ? &g->data :
			!strcmp(argv[i], "--config") ? &g->config : NULL;
		if (!strcmp(argv[i], "--help")) {
			print_cmds(stdout, NULL);
			return -1;
		}
		if (!dst)
			return usage_err(NULL, "unknown option %s (see occctl"
					 " --help)", argv[i]);
		if (i + 1 == argc || !*argv[i + 1])
			return usage_err(NULL, "%s needs a value", argv[i]);
		*dst = argv[++i];
	}
	if (i == argc)
		return usage_err(NULL, "no command (see occctl --help)");
	*ip = i;
	return 0;
}

int main(int argc, char **argv)
{
	struct globals g = { NULL, NULL };
	const struct cmd *k = NULL;
	int i = 0, used = 0, rc;

	rc = parse_globals(argc, argv, &g, &i);
	if (!rc)
		rc = find_cmd(argc - i, argv + i, &k, &used);
	if (rc)
		return rc < 0 ? 0 : rc;
	return run_cmd(&g, k, argc - i - used, argv + i + used);
}
