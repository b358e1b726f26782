/*
 * occctl.h — what occctl's files share: the parsed command (struct ctx),
 * the store snapshot commands list and look things up in, aligned tables,
 * error reporting, and every command handler.
 *
 *   occctl.c     entry point, the command table, usage strings, argument
 *                checks, running a command, SIGHUP to occd
 *   snap.c       errors, the store as loaded, lookups, argument resolution
 *   table.c      aligned tables and value formatting
 *   provision.c  teams (and their settings), accounts, agents, groups,
 *                members, extensions, demo data
 *   trunk.c      SIP trunks
 *   cdr.c        call history
 *   status.c     agents' state, check-ins and registrations
 *   routing.c    inbound routing files: check, import, export, clear,
 *                one section at a time (routing set|remove, did)
 *   prompt.c     the team's prompt WAVs
 *   campaign.c   outbound campaigns and their package columns, DNC lists
 *   node.c       several nodes: the nodes and the teams they hold
 *
 * A handler gets a ctx whose arguments have passed the checks of their
 * placeholders and an open store; it returns 0 or EXIT_ERR after printing
 * one line on stderr (check() does both).
 */
#ifndef OCC_CLI_OCCCTL_H
#define OCC_CLI_OCCCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "store/store.h"
#include "cli/exec.h"

enum { EXIT_ERR = 1, EXIT_USAGE = 2 };
enum { MAX_POS = 8, MAX_OPT = 8, TOK_LEN = 40, PW_MAX = 127 };
enum { CMD_WRITE = 1 << 0,   /* changes the store: signal occd after */
       CMD_NO_STORE = 1 << 1 }; /* works on files only: no store opened */

struct ctx;
typedef int (cmd_h)(struct ctx *c);

struct cmd {
	const char *noun, *verb;   /* verb NULL: a one-word command */
	const char *usage;         /* arguments; parsed by spec_parse() */
	unsigned flags;
	cmd_h *h;
	const char *summary;
};

/* A usage string, parsed: "POS [OPTPOS] [--opt TYPE] [--flag]". */
struct spec {
	int nreq, npos, nopt;
	char pos[MAX_POS][TOK_LEN];
	struct { char name[TOK_LEN], type[TOK_LEN]; } opt[MAX_OPT];
};

/* The store as loaded by snap_load(), for lists and lookups. */
struct snap {
	struct st_team *team;
	struct st_account *account;
	struct st_agent *agent;
	struct st_group *group;
	struct st_member *member;
	struct st_exten *exten;
	struct st_agent_state *state;
	struct st_trunk *trunk;
	struct st_registration *reg;
	struct st_team_setting *setting;
	size_t nteam, naccount, nagent, ngroup, nmember, nexten, nstate;
	size_t ntrunk, nreg, nsetting;
	bool oom;
};

/* The parsed command line of one command. */
struct ctx {
	const struct cmd *cmd;
	struct spec sp;
	const char *pos[MAX_POS];
	const char *optv[MAX_OPT];   /* value, "" for a flag, NULL if absent */
	const char *dir;
	const char *sip_listen;      /* occd's SIP address (configuration) */
	struct store *st;
	struct snap snap;
	bool loaded;
};

/* occctl.c: where commands print (stdout and stderr in occctl, buffers
 * while occctl_exec runs one for occd), and helpers */
extern FILE *cli_out, *cli_err;
const char *opt(const struct ctx *c, const char *name);
bool parse_id(const char *s, int64_t *idp);
int  alt_index(const char *alts, const char *s);
bool no_ctrl(const char *s);

/* snap.c: errors */
int  check(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* snap.c: the snapshot and lookups in it */
int  snap_load(struct ctx *c);
void snap_free(struct snap *s);
const struct st_team *find_team(const struct snap *s, const char *name);
const struct st_agent *agent_by_id(const struct snap *s, int64_t id);
const struct st_group *group_by_id(const struct snap *s, int64_t id);
const struct st_account *account_by(const struct snap *s, int64_t team_id,
				    int64_t id, const char *name);
const struct st_agent_state *state_of(const struct snap *s, int64_t agent_id);
const struct st_exten *exten_of(const struct snap *s, int64_t team_id,
				const char *number);

/* snap.c: arguments that name rows; each prints its own error */
int  team_arg(struct ctx *c, int64_t *idp);
int  agent_arg(struct ctx *c, int64_t team_id, const char *number,
	       struct st_agent *a);
int  group_arg(struct ctx *c, int64_t team_id, const char *id,
	       const struct st_group **gp);

/* table.c */
enum { TBL_MAX_COLS = 10 };

struct tbl {
	size_t ncol, nrow;
	char **cell;       /* nrow * ncol strdup'ed strings */
	bool oom;
};

void tbl_row(struct tbl *t, ...);
void tbl_print(struct tbl *t);   /* and tbl_free() */
void tbl_free(struct tbl *t);
const char *i64s(char buf[24], int64_t v);
const char *local_time(char buf[32], int64_t ms);
int64_t wall_ms(void);

/* handlers */
cmd_h h_team_add, h_team_list, h_team_remove, h_team_set, h_team_show;
cmd_h h_account_add, h_account_list, h_account_remove;
cmd_h h_account_passwd, h_account_disable, h_account_enable;
cmd_h h_agent_add, h_agent_list, h_agent_remove, h_agent_passwd, h_agent_set;
cmd_h h_group_add, h_group_list, h_group_remove, h_group_set;
cmd_h h_member_add, h_member_list, h_member_remove;
cmd_h h_exten_add, h_exten_list, h_exten_remove, h_exten_passwd;
cmd_h h_trunk_add, h_trunk_list, h_trunk_remove, h_trunk_default,
      h_trunk_set;
cmd_h h_cdr, h_status, h_demo, h_call;
cmd_h h_campaign_add, h_campaign_list, h_campaign_show, h_campaign_start,
      h_campaign_import_report, h_campaign_report,
      h_campaign_pause, h_campaign_stop, h_campaign_remove,
      h_campaign_column, h_campaign_column_remove, h_campaign_set;
cmd_h h_dnc_add, h_dnc_remove, h_dnc_list;
cmd_h h_routing_check, h_routing_import, h_routing_export, h_routing_clear;
cmd_h h_routing_set, h_routing_remove;
cmd_h h_did_list, h_did_add, h_did_remove;
cmd_h h_prompt_add, h_prompt_list, h_prompt_remove;
cmd_h h_node_list, h_node_move;

#endif
