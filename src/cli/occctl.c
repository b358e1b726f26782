/*
 * occctl.c — the provisioning and inspection CLI: entry point, command
 * table, argument parsing and running a command.
 *
 *   occctl [--data DIR] [--config FILE] COMMAND [SUBCOMMAND] ARGS...
 *
 * Every command is one row of cmds[]: noun, verb, usage, flags, handler and
 * a one-line summary. The usage string is the only description of a
 * command's arguments: run_cmd() derives from it the argument count, the
 * options and the check each value gets (by placeholder: TEAM, NUMBER,
 * NAME, ...; see vtypes[]), and `--help` prints it. Handlers therefore start
 * with valid, bounded strings. The handlers live in the other files of
 * src/cli/ (occctl.h lists which).
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
#include "core/pwhash.h"
#include "cli/occctl.h"
#include "inbound/routing_sect.h"

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

bool no_ctrl(const char *s)
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

bool parse_id(const char *s, int64_t *idp)
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

/* sip:HOST..., sips:HOST... or exactly virtual: (as store.c checks) */
static bool is_trunk_uri(const char *s)
{
	if (strlen(s) >= ST_URL)
		return false;
	for (const char *p = s; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	if (!strcmp(s, "virtual:"))
		return true;
	if (!strncmp(s, "sip:", 4))
		return s[4] != '\0';
	if (!strncmp(s, "sips:", 5))
		return s[5] != '\0';
	return false;
}

/* Fits a trunk's username or password (ST_NAME). */
static bool is_short_secret(const char *s)
{
	return *s && strlen(s) < ST_NAME && no_ctrl(s);
}

/* A caller id: digits, optionally after one '+'. */
static bool is_phone(const char *s)
{
	return is_digits(s + (*s == '+'));
}

/* Dialled-number rewriting: 1-15 of 0-9 + * # */
static bool is_prefix(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < sizeof(((struct st_trunk *)0)->add_prefix) &&
	       strspn(s, "0123456789+*#") == n;
}

/* A real calendar date YYYY-MM-DD. */
static bool is_date(const char *s)
{
	struct tm tm = { 0 }, norm;
	const char *end;

	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return false;
	/* strptime takes 02-31; mktime rolls it into March */
	norm = tm;
	norm.tm_isdst = -1;
	norm.tm_hour = 12;
	return mktime(&norm) != (time_t)-1 && norm.tm_mday == tm.tm_mday &&
	       norm.tm_mon == tm.tm_mon;
}

static bool is_count(const char *s)
{
	int64_t v;

	return parse_id(s, &v) && v <= 100000;
}

/* a group's timed after-call work: 0 (until ACWOFF) to ST_ACW_S_MAX */
static bool is_acw_secs(const char *s)
{
	int64_t v;

	return !strcmp(s, "0") || (parse_id(s, &v) && v <= ST_ACW_S_MAX);
}

/* DTMF keys, as the telephone-event codes carry them */
static bool is_keys(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < ST_NUM && strspn(s, "0123456789*#ABCD") == n;
}

static bool is_hostport(const char *s)
{
	struct sa sa;

	return strlen(s) < 64 && !sa_decode(&sa, s, strlen(s)) &&
	       sa_port(&sa);
}

/* a package column name: [A-Za-z0-9_]{1,63} */
static bool is_column(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < ST_NAME && strspn(s, "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == n;
}

/* a column's display name: a record names fields by it (name=value||) */
static bool is_display(const char *s)
{
	return is_name(s) && !strchr(s, '=') && !strstr(s, "||");
}

static bool is_window(const char *s)
{
	return strlen(s) == 11 && s[2] == ':' && s[5] == '-' && s[8] == ':';
}

static bool is_setting(const char *s)
{
	const char *eq = strchr(s, '=');

	return eq && eq > s && strlen(s) < 300 && no_ctrl(s);
}

static bool is_dnc_number(const char *s)
{
	size_t n = strlen(s), d = 0;

	if (n < 1 || n >= ST_NUM)
		return false;
	for (const char *p = s + (*s == '+'); *p; p++) {
		if (*p >= '0' && *p <= '9')
			d++;
		else if (!strchr(" -.()", *p))
			return false;
	}
	return d > 0;
}

static bool is_name_path(const char *s)
{
	return *s && strlen(s) < 512 && no_ctrl(s);
}

static bool is_did(const char *s)
{
	char d[ST_NUM];
	size_t n = strlen(s);

	if (n < 2 || n > ST_NUM || s[n - 1] != '*')
		return is_digits(s);
	memcpy(d, s, n - 1);
	d[n - 1] = '\0';
	return is_digits(d);
}

/* One word of printable ASCII; routing_parse says whether it names a
 * destination. */
static bool is_dest(const char *s)
{
	if (!*s || strlen(s) >= 64)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	}
	return true;
}

/* "KIND NAME" of a routing file's section (routing_sect.h) */
static bool is_section(const char *s)
{
	char kind[16], name[128];

	return strlen(s) < 140 && rt_sect_name(s, kind, name);
}

/* A prompt file's name in the team's directory: 1-63 of A-Z a-z 0-9 _ - .
 * ending in .wav, not starting with a dot (no path, nothing hidden). */
static bool is_wavname(const char *s)
{
	size_t n = strlen(s);

	return n > 4 && n < ST_NAME && s[0] != '.' &&
	       !strcmp(s + n - 4, ".wav") &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		      "0123456789_-.") == n;
}

static const struct vtype {
	const char *name;
	bool (*ok)(const char *s);
	const char *expect;
} vtypes[] = {
	{ "TEAM", is_team, "1-63 characters of A-Z a-z 0-9 _ . -" },
	{ "NAME", is_name, "1-63 bytes without control characters" },
	{ "NODE", is_team, "a node name: 1-63 characters of A-Z a-z 0-9 _ . -" },
	{ "NUMBER", is_digits, "1-31 digits" },
	{ "AGENT", is_digits, "an agent number, 1-31 digits" },
	{ "EXTEN", is_digits, "an extension number, 1-31 digits" },
	{ "QUEUE", is_digits, "a queue number, 1-31 digits" },
	{ "PASSWORD", is_secret, "1-127 bytes without control characters" },
	{ "SECRET", is_secret, "1-127 bytes without control characters" },
	{ "ID", is_id_or_auto, "a group id 1-2147483647 or 'auto'" },
	{ "GROUPID", is_id, "a group id 1-2147483647" },
	{ "URI", is_trunk_uri, "sip:HOST[:PORT][;transport=tcp|tls],"
	  " sips:HOST[:PORT] or virtual:" },
	{ "USER", is_short_secret, "1-63 bytes without control characters" },
	{ "PASS", is_short_secret, "1-63 bytes without control characters" },
	{ "PHONE", is_phone, "1-31 digits, optionally after a +" },
	{ "PREFIX", is_prefix, "1-15 characters of 0-9 + * #" },
	{ "YYYY-MM-DD", is_date, "a date YYYY-MM-DD" },
	{ "N", is_count, "a number 1-100000" },
	{ "SECONDS", is_acw_secs, "0-3600 seconds" },
	{ "KEYS", is_keys, "1-31 of 0-9 * # A-D" },
	{ "HOSTPORT", is_hostport, "HOST:PORT, e.g. 127.0.0.1:5060" },
	{ "DID", is_did, "1-31 digits, optionally followed by * (a prefix)" },
	{ "DEST", is_dest, "a destination: exten:N, queue:N, agent:N, ivr:NAME,"
	  " prompt:NAME or hangup" },
	{ "FILE", is_name_path, "a file name without control characters" },
	{ "CAMPAIGNID", is_id, "a campaign id (model_id) 1-2147483647" },
	{ "COLUMN", is_column, "1-63 characters of A-Z a-z 0-9 _" },
	{ "DISPLAY", is_display, "1-63 bytes without control characters,"
	  " '=' or '||'" },
	{ "HH:MM-HH:MM", is_window, "a window HH:MM-HH:MM, e.g. 08:00-21:00" },
	{ "SETTING", is_setting, "KEY=VALUE, e.g. retry_busy=300" },
	{ "SECTION", is_section, "a section of the routing file, KIND NAME:"
	  " did N, route NAME, schedule NAME, prompt NAME, ivr FLOW,"
	  " node FLOW.NODE, queue N, or lists" },
	{ "BODY", rt_sect_body_ok, "KEY = VALUE lines (at most 16 KiB, no"
	  " line starting with [)" },
	{ "WAVNAME", is_wavname, "a file name NAME.wav: 1-63 of A-Z a-z"
	  " 0-9 _ - ., not starting with a dot" },
	{ "DNCNUMBER", is_dnc_number, "a phone number: 1-31 digits, spaces,"
	  " dashes, dots, parentheses, a leading +" },
};

/* Index of s in "a|b|c", or -1. */
int alt_index(const char *alts, const char *s)
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
		fprintf(cli_err, "occctl: bad value '%s': expected one of %s\n",
			s, type);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < ARRAY_SIZE(vtypes); i++) {
		if (strcmp(vtypes[i].name, type))
			continue;
		if (vtypes[i].ok(s))
			return 0;
		/* a secret is not repeated (occd's console shows this) */
		if (strstr("PASSWORD SECRET PASS", type))
			fprintf(cli_err, "occctl: bad %s: expected %s\n", type,
				vtypes[i].expect);
		else
			fprintf(cli_err, "occctl: bad %s '%s': expected %s\n",
				type, s, vtypes[i].expect);
		return EXIT_ERR;
	}
	return 0;
}

/* ---- the command table ---- */

#define W CMD_WRITE
static const struct cmd cmds[] = {
	{ "team", "add", "TEAM", W, h_team_add, "add a team" },
	{ "node", "list", "", 0, h_node_list,
	  "several nodes: each node, its addresses, heartbeat and the teams"
	  " it holds" },
	{ "node", "move", "TEAM NODE", 0, h_node_move,
	  "several nodes: hand TEAM over to NODE (its calls end)" },
	{ "team", "list", "", 0, h_team_list, "list teams" },
	{ "team", "remove", "TEAM", W, h_team_remove,
	  "remove a team and everything in it (its call history stays)" },
	{ "team", "set", "TEAM KEY VALUE", W, h_team_set,
	  "set a team setting; VALUE \"\" clears it (keys: event_url, an"
	  " http:// or https:// URL for call events; inbound_from, where"
	  " calls to the team's DIDs may come from besides its trunks: any,"
	  " or addresses and networks a.b.c.d[/n] separated by commas;"
	  " auto_answer, the extensions whose phones are asked to answer"
	  " the agent's calls at once: any, or numbers separated by commas)" },
	{ "team", "show", "TEAM", 0, h_team_show,
	  "show a team and its settings" },
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
	{ "agent", "set", "TEAM NUMBER [--name NAME] [--exten EXTEN]"
	  " [--no-exten]", W, h_agent_set, "change an agent's name or default"
	  " extension (--no-exten: none); a running occd shows it after its"
	  " reload" },
	{ "group", "add", "TEAM ID NAME QUEUE [--acw ring|answer|off]"
	  " [--workway all|dialin|dialout] [--acw-time SECONDS]", W,
	  h_group_add, "add an agent group (ID may be auto; default --acw off"
	  " --workway all; --acw-time: occd ends after-call work after"
	  " SECONDS, default 0: at ACWOFF)" },
	{ "group", "set", "TEAM GROUPID [--name NAME] [--acw-time SECONDS]", W,
	  h_group_set, "change an agent group's name or timed after-call work"
	  " (--acw-time 0-3600 s; 0: none, the agent ends it with ACWOFF);"
	  " a running occd applies it at its reload, to after-call work"
	  " under way too" },
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
	{ "trunk", "add", "TEAM NAME URI [--default] [--register]"
	  " [--user USER] [--password PASS] [--callerid PHONE]"
	  " [--strip PREFIX] [--prefix PREFIX]", W, h_trunk_add,
	  "add a SIP trunk; it becomes the team's default with --default or"
	  " if the team has none. Dialled numbers lose --strip, then get"
	  " --prefix" },
	{ "trunk", "set", "TEAM NAME URI [--register] [--user USER]"
	  " [--password PASS] [--no-password] [--callerid PHONE]"
	  " [--strip PREFIX] [--prefix PREFIX]", W, h_trunk_set,
	  "change a trunk in place: it gets these settings as trunk add"
	  " would give them (an option left out is cleared), but keeps its"
	  " password unless --password or --no-password, and stays the"
	  " default or not (trunk default). A running occd uses it from its"
	  " reload; calls up on the trunk go on" },
	{ "trunk", "list", "TEAM", 0, h_trunk_list,
	  "list trunks (a password shows as yes, never in clear)" },
	{ "trunk", "remove", "TEAM NAME", W, h_trunk_remove,
	  "remove a trunk" },
	{ "trunk", "default", "TEAM NAME", W, h_trunk_default,
	  "make a trunk the team's default" },
	{ "routing", "check", "FILE [--team TEAM]", CMD_NO_STORE,
	  h_routing_check, "check an inbound routing file (docs/INBOUND.md):"
	  " syntax, references, time zones and prompt WAVs (relative ones"
	  " under <data>/prompts/TEAM/ with --team)" },
	{ "routing", "import", "TEAM FILE", W, h_routing_import,
	  "check a routing file, then make it the team's (occd reloads);"
	  " a refused file changes nothing" },
	{ "routing", "export", "TEAM [--normalized]", 0, h_routing_export,
	  "print the team's routing file as imported, or as occd reads it"
	  " (--normalized: every value, no comments)" },
	{ "routing", "clear", "TEAM", W, h_routing_clear,
	  "remove the team's routing (its DIDs then answer 404)" },
	{ "routing", "set", "TEAM SECTION [BODY] [SECTION] [BODY]", W,
	  h_routing_set, "make [SECTION] of the team's routing the KEY ="
	  " VALUE lines of BODY (one a line; a new section is added at the"
	  " end, an existing one replaced where it is), checked as routing"
	  " import checks a file; a second SECTION BODY changes both at"
	  " once (a new IVR flow and its start node); e.g. routing set demo"
	  " 'queue 6001' $'strategy = ringall\\nmax_wait = 60'" },
	{ "routing", "remove", "TEAM SECTION", W, h_routing_remove,
	  "remove [SECTION] from the team's routing (an ivr FLOW with its"
	  " nodes), refused while another section names it" },
	{ "prompt", "add", "TEAM WAVNAME FILE", W, h_prompt_add,
	  "copy FILE, a WAV PCM 16-bit mono 8000 Hz of at most 2 MiB, into"
	  " the team's prompt directory <data>/prompts/TEAM/ as WAVNAME"
	  " (replacing one there; calls play it from their next prompt)" },
	{ "prompt", "list", "TEAM", 0, h_prompt_list,
	  "list the WAVs in the team's prompt directory" },
	{ "prompt", "remove", "TEAM WAVNAME", W, h_prompt_remove,
	  "remove a WAV from the team's prompt directory (a [prompt] that"
	  " names it then plays silence)" },
	{ "did", "list", "TEAM", 0, h_did_list,
	  "list the DIDs of the team's routing and where each goes" },
	{ "did", "add", "TEAM DID DEST", W, h_did_add,
	  "add [did DID] with dest = DEST (e.g. exten:8001, queue:6001,"
	  " agent:1001, ivr:main) to the team's routing, checked as"
	  " routing import checks a file" },
	{ "did", "remove", "TEAM DID", W, h_did_remove,
	  "remove [did DID] from the team's routing (refused while a route"
	  " names it)" },
	{ "campaign", "add", "TEAM CAMPAIGNID NAME [--group GROUPID]"
	  " [--mode preview|progressive|predictive] [--profile us|uk|none]"
	  " [--callerid PHONE] [--window HH:MM-HH:MM] [--key COLUMN]", W,
	  h_campaign_add, "create an outbound campaign (model_id CAMPAIGNID),"
	  " stopped; defaults: preview, profile us, window 08:00-21:00 in"
	  " the record's time zone, key column phone1 (docs/CAMPAIGNS.md)" },
	{ "campaign", "set", "TEAM CAMPAIGNID SETTING [SETTING] [SETTING]"
	  " [SETTING] [SETTING] [SETTING]", W, h_campaign_set,
	  "change a campaign's settings, KEY=VALUE: mode, profile, callerid,"
	  " group, window (HH:MM-HH:MM), timezone (IANA name, '' occd's),"
	  " retry_busy, retry_noanswer, retry_failed (seconds, 0 the"
	  " default), max_attempts (1-255, 0 the default), amd (on|off),"
	  " amd_action (hangup|message), amd_fp (percent, default 10),"
	  " amd_params (NAME=VALUE,... over [amd]), abandon_msg (an 8 kHz"
	  " mono 16-bit WAV, at most 1 MiB; '' the tone); a running"
	  " occd dials by them at once (docs/DIALER.md)" },
	{ "dnc", "add", "DNCNUMBER [DNCNUMBER] [DNCNUMBER] [DNCNUMBER]"
	  " [DNCNUMBER] [DNCNUMBER] [DNCNUMBER] [DNCNUMBER] [--team TEAM]"
	  " [--campaign CAMPAIGNID]", W, h_dnc_add,
	  "put numbers on a do-not-call list: the system's, the team's"
	  " (--team) or a campaign's (--team and --campaign); numbers are"
	  " compared by their digits only. The dialer never dials them" },
	{ "dnc", "remove", "DNCNUMBER [DNCNUMBER] [DNCNUMBER] [DNCNUMBER]"
	  " [DNCNUMBER] [DNCNUMBER] [DNCNUMBER] [DNCNUMBER] [--team TEAM]"
	  " [--campaign CAMPAIGNID]", W, h_dnc_remove,
	  "take numbers off a do-not-call list" },
	{ "dnc", "list", "[--team TEAM] [--campaign CAMPAIGNID]", 0,
	  h_dnc_list, "the numbers of one do-not-call list" },
	{ "campaign", "list", "TEAM", 0, h_campaign_list,
	  "list the team's campaigns" },
	{ "campaign", "show", "TEAM CAMPAIGNID", 0, h_campaign_show,
	  "a campaign's settings, package columns, customers and pre-dial"
	  " list" },
	{ "campaign", "import-report", "TEAM CAMPAIGNID [--task ID]", 0,
	  h_campaign_import_report, "the campaign's file imports (the task"
	  " id the import answered), newest first: state, records by"
	  " outcome code, the first records refused with their line" },
	{ "campaign", "report", "TEAM CAMPAIGNID [--day YYYY-MM-DD] [--days N]"
	  " [--json]", 0, h_campaign_report, "dialing figures per day (the N"
	  " days up to --day, today by default): dials, answers, live"
	  " answers, abandons and the compliance window's rate, AMD"
	  " verdicts, talk min per agent-hour, occupancy, wait to agent" },
	{ "campaign", "start", "TEAM CAMPAIGNID", W, h_campaign_start,
	  "set a campaign running" },
	{ "campaign", "pause", "TEAM CAMPAIGNID", W, h_campaign_pause,
	  "pause a campaign" },
	{ "campaign", "stop", "TEAM CAMPAIGNID", W, h_campaign_stop,
	  "stop a campaign (no new dials; calls up go on)" },
	{ "campaign", "remove", "TEAM CAMPAIGNID", W, h_campaign_remove,
	  "remove a campaign and its pre-dial list; its customers stay in"
	  " the team's master table, unassigned" },
	{ "campaign", "column", "TEAM CAMPAIGNID COLUMN DISPLAY", W,
	  h_campaign_column, "add a column (and its display name) to the"
	  " campaign's customer package; records name fields by either" },
	{ "campaign", "column-remove", "TEAM CAMPAIGNID COLUMN", W,
	  h_campaign_column_remove, "remove a column of the package" },
	{ "cdr", NULL, "[TEAM] [--since YYYY-MM-DD] [--limit N]", 0, h_cdr,
	  "calls, newest first, each with its legs (default --limit 20)" },
	{ "status", NULL, "[TEAM]", 0, h_status,
	  "agents' login, state and group check-in, and extensions'"
	  " registrations, per team" },
	{ "demo", NULL, "", W, h_demo, "fill an empty store with demo data" },
	{ "call", NULL, "NUMBER [--keys KEYS] [--from PHONE] [--sip HOSTPORT]"
	  " [--secs N] [--gap N] [--record FILE]", 0, h_call,
	  "call NUMBER (a DID) at occd's SIP address as an outside caller"
	  " would, press --keys after the answer (--gap ms apart, default"
	  " 400), hang up after --secs (default 30); prints what happens" },
};
#undef W

/* ---- usage strings: "POS [OPTPOS] [--opt TYPE] [--flag]" ---- */

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

const char *opt(const struct ctx *c, const char *name)
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

	fprintf(cli_err, "occctl: ");
	va_start(ap, fmt);
	vfprintf(cli_err, fmt, ap);
	va_end(ap);
	fprintf(cli_err, "\n");
	if (k)
		print_cmd(cli_err, k, 0);
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
		fprintf(cli_err, "occctl: warning: cannot signal occd (pid %ld):"
			" %s; restart it to load the change\n", pid,
			strerror(errno));
}

struct globals {
	const char *data, *config;
};

/* The store of --config ([store] backend and conninfo); --data names an
 * SQLite data directory and overrides them. */
static char store_backend[16] = "sqlite";
static char store_conninfo[1024];

/* Cost, log level, data directory and occd's SIP address from --config,
 * if given. */
static int apply_config(const struct globals *g, char *dir, size_t dirsz,
			char *sip, size_t sipsz)
{
	struct conf cf;
	enum log_level lvl = LOG_LVL_WARN;
	char err[300];

	conf_defaults(&cf);
	if (g->config && conf_load(&cf, g->config, err, sizeof(err))) {
		fprintf(cli_err, "occctl: config: %s\n", err);
		return EXIT_ERR;
	}
	pwhash_set_cost(cf.pwhash_opslimit, cf.pwhash_memlimit_kib);
	/* a CLI keeps quiet about info (e.g. a migration); errors and debug
	 * stay as configured */
	if (!log_level_parse(cf.log_level, &lvl) && lvl == LOG_LVL_INFO)
		lvl = LOG_LVL_WARN;
	log_set_level(lvl);
	snprintf(dir, dirsz, "%s", g->data ? g->data : cf.data_dir);
	if (!g->data) {
		snprintf(store_backend, sizeof(store_backend), "%s",
			 cf.store_backend);
		snprintf(store_conninfo, sizeof(store_conninfo), "%s",
			 cf.store_conninfo);
	}
	snprintf(sip, sipsz, "%s", cf.sip_listen);
	return 0;
}

static int open_store(struct ctx *c)
{
	char path[600];
	struct stat sb;

	if (!strcmp(store_backend, "postgresql")) {
		if (check(pwhash_init(), "libsodium"))
			return EXIT_ERR;
		return check(store_open_backend(&c->st, store_backend, c->dir,
						store_conninfo),
			     "opening the postgresql store");
	}
	snprintf(path, sizeof(path), "%s/occ.db", c->dir);
	if (!(c->cmd->flags & CMD_WRITE) && stat(path, &sb)) {
		fprintf(cli_err, "occctl: no database in %s (create one with"
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
	char dir[512], sip[64];
	int rc;

	spec_parse(k->usage, &c.sp);
	rc = parse_args(&c, argc, argv);
	if (rc < 0) {
		print_cmd(cli_out, k, 0);
		return 0;
	}
	if (rc || (rc = check_args(&c)) ||
	    (rc = apply_config(g, dir, sizeof(dir), sip, sizeof(sip))))
		return rc;
	c.dir = dir;
	c.sip_listen = sip;
	rc = k->flags & CMD_NO_STORE ? 0 : open_store(&c);
	if (!rc)
		rc = k->h(&c);
	if (!rc && (k->flags & CMD_WRITE)) {
		int64_t epoch;
		/* several nodes share the store: each sees the count go up
		 * at its next heartbeat and reloads (cluster.c) */
		if (c.st && !strcmp(store_backend, "postgresql") &&
		    store_counter_next(c.st, STORE_RELOAD_COUNTER, &epoch))
			fprintf(cli_err, "occctl: warning: the other nodes "
				"were not told of the change\n");
		notify_occd(dir);
	}
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
		print_cmds(cli_out, argv[0]);
		return -1;
	}
	if (argc > 1)
		fprintf(cli_err, "occctl: unknown command '%s %s'\n", argv[0],
			argv[1]);
	else
		fprintf(cli_err, "occctl: '%s' needs a subcommand\n", argv[0]);
	print_cmds(cli_err, argv[0]);
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
			print_cmds(cli_out, NULL);
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

FILE *cli_out, *cli_err;

int occctl_main(int argc, char **argv)
{
	struct globals g = { NULL, NULL };
	const struct cmd *k = NULL;
	int i = 0, used = 0, rc;

	cli_out = stdout;
	cli_err = stderr;
	rc = parse_globals(argc, argv, &g, &i);
	if (!rc)
		rc = find_cmd(argc - i, argv + i, &k, &used);
	if (rc)
		return rc < 0 ? 0 : rc;
	return run_cmd(&g, k, argc - i - used, argv + i + used);
}

/* A memstream's text as a libre string ("" if it failed); closes f. */
static char *stream_text(FILE *f, char **bufp)
{
	char *s = NULL;

	if (f)
		fclose(f);              /* sets *bufp */
	(void)str_dup(&s, *bufp ? *bufp : "");
	free(*bufp);
	return s;
}

int occctl_exec(struct store *st, const char *dir, int argc, char **argv,
		char **outp, char **errp)
{
	FILE *save_out = cli_out, *save_err = cli_err;
	char *obuf = NULL, *ebuf = NULL;
	size_t olen = 0, elen = 0;
	const struct cmd *k = NULL;
	struct ctx c = { .dir = dir, .sip_listen = "", .st = st };
	int used = 0, rc;

	cli_out = open_memstream(&obuf, &olen);
	cli_err = open_memstream(&ebuf, &elen);
	if (!cli_out || !cli_err) {
		rc = EXIT_ERR;
		goto out;
	}
	rc = argc > 0 ? find_cmd(argc, argv, &k, &used) : EXIT_USAGE;
	if (!rc && (k->flags & CMD_NO_STORE))
		rc = EXIT_USAGE;        /* files on occd's disk: not here */
	if (!rc) {
		c.cmd = k;
		spec_parse(k->usage, &c.sp);
		rc = parse_args(&c, argc - used, argv + used);
		rc = rc < 0 ? EXIT_USAGE : rc;
	}
	if (!rc)
		rc = check_args(&c);
	if (!rc)
		rc = k->h(&c);
	snap_free(&c.snap);
 out:
	*outp = stream_text(cli_out, &obuf);
	*errp = stream_text(cli_err, &ebuf);
	cli_out = save_out;
	cli_err = save_err;
	return rc < 0 ? EXIT_USAGE : rc;
}
