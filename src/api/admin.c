/*
 * admin.c — the team admin console's JSON API, /admin/api/ (the page is
 * web/admin/, served by web.c like /agent/; docs/OPERATIONS.md).
 *
 *   POST /admin/api/login    team, user, password (a form body): one of
 *                            the team's accounts that is enabled and not
 *                            an agent's (no --agent link); answers the
 *                            CSRF token and sets the session cookie
 *   GET  /admin/api/session  who is logged in, and the CSRF token again
 *   GET  /admin/api/state    the team: agents, groups and members,
 *                            extensions (registered or not), DIDs
 *   POST /admin/api/run      cmd=NOUN VERB and its fields: one occctl
 *                            command (cli/exec.h) for the session's team
 *   POST /admin/api/upload   ?offset=N&total=T, a piece of a file as the
 *                            raw body: a file staged in the session (at
 *                            most ADMIN_UPLOAD_MAX bytes, in pieces of at
 *                            most HTTPD_MAX_BODY) for the next command
 *                            whose table entry takes "@file" (e.g.
 *                            occctl prompt add): run writes it to a
 *                            temporary file, passes its path, removes it;
 *                            or for the next CSV import (admin_ops.c).
 *                            All sessions together hold at most
 *                            ADMIN_UPLOAD_ALL bytes of uploads
 *   GET  /admin/api/run      cmd=NOUN VERB and its fields: one of
 *                            occctl's read commands (a report), its output
 *   POST /admin/api/logout   ends the session
 *   ...                      the operations tabs' calls (admin_ops.c)
 *
 * Sessions live in occd's memory (a restart ends them): a random token in
 * an HttpOnly, SameSite=Strict cookie, valid [security] admin_session_s
 * seconds after the last request. Every POST must come with an Origin
 * header naming this host (the browser sets it; another site's page
 * cannot), and every POST but login with the session's CSRF token in
 * X-OCC-CSRF, which only the console's own script can read. The account
 * is checked again on every request: disabling or removing it, or linking
 * it to an agent, ends its sessions at once.
 *
 * Every change is an occctl command run in-process against occd's store
 * (the same table, checks and handler as the CLI), with TEAM always the
 * session's team; after a change occd reloads provisioning as it does on
 * occctl's SIGHUP, so the change applies before the reply. Passwords are
 * never echoed, logged or sent back: the log line names the command only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "admin"
#include "base/conf.h"
#include "base/form.h"
#include "base/log.h"
#include "api/api.h"
#include "api/admin.h"
#include "api/admin_routing.h"
#include "cli/exec.h"
#include "core/auth.h"
#include "core/agent_state.h"
#include "core/occ.h"
#include "core/pwhash.h"
#include "inbound/routing.h"
#include "sip/registrar.h"
#include "sip/tel.h"

/* A session stages at most ADMIN_UPLOAD_MAX bytes, all sessions together
 * at most ADMIN_UPLOAD_ALL (the memory the console's uploads may hold). */
enum { TOKEN_HEX = ADMIN_TOKEN_HEX, ADMIN_MAX_SESSIONS = 64,
       ADMIN_UPLOAD_MAX = 4 * 1024 * 1024,
       ADMIN_UPLOAD_ALL = 4 * ADMIN_UPLOAD_MAX };

static void session_destructor(void *arg)
{
	struct admin_session *s = arg;

	mem_deref(s->upload);
}

struct admin {
	struct list sessions;
};

static void admin_destructor(void *arg)
{
	struct admin *a = arg;

	list_flush(&a->sessions);
}

static struct admin *admin_of(struct api *api)
{
	if (!api->admin)
		api->admin = mem_zalloc(sizeof(*api->admin), admin_destructor);
	return api->admin;
}

static void random_hex(char out[TOKEN_HEX])
{
	uint8_t b[32];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(out, TOKEN_HEX, b, sizeof(b));
	sodium_memzero(b, sizeof(b));
}

void admin_reply(struct http_resp *resp, unsigned status, const char *fmt,
		 ...)
{
	va_list ap;

	resp->status = status;
	resp->ctype = "application/json; charset=utf-8";
	mem_deref(resp->body);
	resp->body = mbuf_alloc(256);
	if (resp->body) {
		va_start(ap, fmt);
		(void)mbuf_vprintf(resp->body, fmt, ap);
		va_end(ap);
		resp->body->pos = 0;
	}
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
}

void admin_fail(struct http_resp *resp, unsigned status, const char *msg)
{
	admin_reply(resp, status, "{\"ok\":false,\"error\":%H}", json_str_h,
		    msg);
}

/* An account that may hold a console session: enabled, not an agent's. */
static struct account *admin_account(const struct team *t, const char *user)
{
	struct account *ac = t ? account_find(t, user) : NULL;

	return ac && ac->enabled && !ac->agent_number[0] ? ac : NULL;
}

static void session_end(struct admin_session *s)
{
	list_unlink(&s->le);
	sodium_memzero(s->token, sizeof(s->token));
	mem_deref(s);
}

/* The request's live session, its expiry pushed on; NULL after answering
 * 401. */
static struct admin_session *session_of(struct api *api,
					const struct http_req *req,
					struct http_resp *resp)
{
	struct admin *a = admin_of(api);
	uint64_t now = tmr_jiffies();
	char tok[TOKEN_HEX];
	struct le *le;

	if (!a || !admin_cookie_token(http_req_header(req, "Cookie"), tok)) {
		admin_fail(resp, 401, "not logged in");
		return NULL;
	}
	for (le = list_head(&a->sessions); le; le = le->next) {
		struct admin_session *s = le->data;
		if (sodium_memcmp(s->token, tok, TOKEN_HEX))
			continue;
		if (now >= s->expires) {
			session_end(s);
			admin_fail(resp, 401, "session expired: log in again");
			return NULL;
		}
		if (!admin_account(team_find(api->occ->m, s->team), s->user)) {
			session_end(s);
			admin_fail(resp, 401, "the account is no longer "
				   "allowed in the console");
			return NULL;
		}
		s->expires = now + 1000ULL * api->cfg->admin_session_s;
		return s;
	}
	admin_fail(resp, 401, "not logged in");
	return NULL;
}

/* A POST from a page of this host: Origin is http(s)://<Host>. */
static bool same_origin(const struct http_req *req)
{
	const char *o = http_req_header(req, "Origin");
	const char *h = http_req_header(req, "Host");

	if (!o || !h || !*h)
		return false;
	if (!strncmp(o, "http://", 7))
		o += 7;
	else if (!strncmp(o, "https://", 8))
		o += 8;
	else
		return false;
	return !strcasecmp(o, h);
}

static bool csrf_ok(const struct http_req *req, const struct admin_session *s)
{
	const char *t = http_req_header(req, "X-OCC-CSRF");

	return t && strlen(t) == TOKEN_HEX - 1 &&
		!sodium_memcmp(t, s->csrf, TOKEN_HEX - 1);
}

static void session_json(struct http_resp *resp, const struct admin_session *s,
			 unsigned secs)
{
	admin_reply(resp, 200, "{\"ok\":true,\"team\":%H,\"user\":%H,"
		    "\"csrf\":\"%s\",\"session_s\":%u}", json_str_h, s->team,
		    json_str_h, s->user, s->csrf, secs);
}

static void login(struct api *api, const struct http_req *req,
		  struct http_resp *resp, struct auth_wait **waitp)
{
	struct admin *a = admin_of(api);
	const char *team, *user, *pw;
	char md5hex[MD5HEX_LEN], who[ST_NAME * 2 + 16];
	struct admin_session *s;
	struct account *ac;
	struct team *t;
	struct form f;
	enum auth_verdict v;

	form_init(&f);
	if (!a || form_parse(&f, req->body, req->body_len)) {
		form_reset(&f);
		admin_fail(resp, 400, "bad form");
		return;
	}
	team = form_get(&f, "team");
	user = form_get(&f, "user");
	pw = form_get(&f, "password");
	if (!team || !user || !pw || !*team || !*user || !*pw ||
	    strlen(team) >= ST_NAME || strlen(user) >= ST_NAME) {
		form_reset(&f);
		admin_fail(resp, 400, "team, account and password are "
			   "required");
		return;
	}
	md5_hex_of(md5hex, pw);
	re_snprintf(who, sizeof(who), "%s/account:%s", team, user);
	t = team_find(api->occ->m, team);
	ac = t ? account_find(t, user) : NULL;
	v = ac ? auth_verify(&ac->ac, ac->pwhash, md5hex, who, &req->peer,
			     now_ms(), waitp)
		: auth_reject_unknown(md5hex, who, &req->peer,
				      now_ms(), waitp);
	sodium_memzero(md5hex, sizeof(md5hex));
	if (v == AUTH_PENDING) {
		form_reset(&f);
		return;
	}
	if (v == AUTH_BUSY) {
		form_reset(&f);
		admin_fail(resp, 503, "busy: try again in a moment");
		return;
	}
	if (v != AUTH_OK || !ac->enabled) {
		OCC_INFO("console login failed who=%H", LQ(who));
		form_reset(&f);
		admin_fail(resp, 401, "wrong team, account or password");
		return;
	}
	if (ac->agent_number[0]) {
		OCC_INFO("console login refused (an agent's account) who=%H",
			 LQ(who));
		form_reset(&f);
		admin_fail(resp, 403, "this account belongs to an agent; the "
			   "console is for the team's administrator accounts");
		return;
	}
	if (list_count(&a->sessions) >= ADMIN_MAX_SESSIONS)
		session_end(list_ledata(list_head(&a->sessions)));
	s = mem_zalloc(sizeof(*s), session_destructor);
	if (!s) {
		form_reset(&f);
		admin_fail(resp, 500, "out of memory");
		return;
	}
	random_hex(s->token);
	random_hex(s->csrf);
	str_ncpy(s->team, t->name, sizeof(s->team));
	str_ncpy(s->user, ac->name, sizeof(s->user));
	s->expires = tmr_jiffies() + 1000ULL * api->cfg->admin_session_s;
	list_append(&a->sessions, &s->le, s);
	form_reset(&f);
	OCC_INFO("console login who=%H", LQ(who));
	session_json(resp, s, api->cfg->admin_session_s);
	http_resp_headerf(resp, "Set-Cookie", "occadm=%s; Path=/admin/; "
			  "HttpOnly; SameSite=Strict", s->token);
}

/* ---- the team, as JSON ---- */

static int agents_json(struct re_printf *pf, const struct team *t)
{
	int err = re_hprintf(pf, "\"agents\":[");
	struct le *le;

	for (le = list_head(&t->agent_list); le; le = le->next) {
		const struct agent *ag = le->data;
		err |= re_hprintf(pf, "%s{\"number\":%H,\"name\":%H,"
				  "\"exten\":%H,\"account\":%H,"
				  "\"logged_in\":%s,\"device\":%H,"
				  "\"state\":%H}", le == list_head(
				  &t->agent_list) ? "" : ",",
				  json_str_h, ag->number, json_str_h, ag->name,
				  json_str_h, ag->exten, json_str_h,
				  ag->account ? ag->account->name : "",
				  ag->logged_in ? "true" : "false",
				  json_str_h, ag->device, json_str_h,
				  agent_state_name(ag->state));
	}
	return err | re_hprintf(pf, "]");
}

static int groups_json(struct re_printf *pf, const struct team *t)
{
	int err = re_hprintf(pf, "\"groups\":[");
	struct le *le, *m;

	for (le = list_head(&t->groups); le; le = le->next) {
		const struct group *g = le->data;
		err |= re_hprintf(pf, "%s{\"id\":%lld,\"name\":%H,"
				  "\"queue\":%H,\"acw_s\":%d,\"members\":[",
				  le == list_head(&t->groups) ? "" : ",",
				  (long long)g->id, json_str_h, g->name,
				  json_str_h, g->queue, g->acw_s);
		for (m = list_head(&g->members); m; m = m->next) {
			const struct member *mb = m->data;
			err |= re_hprintf(pf, "%s{\"agent\":%H,\"dynamic\":%s,"
					  "\"leader\":%s,\"checked_in\":%s}",
					  m == list_head(&g->members) ? "" :
					  ",", json_str_h, mb->agent->number,
					  mb->dynamic ? "true" : "false",
					  mb->leader ? "true" : "false",
					  mb->checked_in ? "true" : "false");
		}
		err |= re_hprintf(pf, "]}");
	}
	return err | re_hprintf(pf, "]");
}

static int extens_json(struct re_printf *pf, const struct team *t,
		       const struct tel *tel)
{
	const struct registrar *reg = tel ? tel_registrar(tel) : NULL;
	int err = re_hprintf(pf, "\"extens\":[");
	struct le *le;

	for (le = list_head(&t->extens); le; le = le->next) {
		const struct exten *e = le->data;
		const struct binding *b = reg ? registrar_lookup(reg, t->name,
							 e->number) : NULL;
		err |= re_hprintf(pf, "%s{\"number\":%H,\"kind\":%H,"
				  "\"registered\":%s}",
				  le == list_head(&t->extens) ? "" : ",",
				  json_str_h, e->number, json_str_h, e->kind,
				  b ? "true" : "false");
	}
	return err | re_hprintf(pf, "]");
}

static int dids_json(struct re_printf *pf, const struct team *t)
{
	const struct routing *r = t->routing;
	int err = re_hprintf(pf, "\"dids\":[");

	for (unsigned i = 0; r && i < r->ndids; i++) {
		const struct did *d = &r->dids[i];
		char dest[RT_NAME + 32] = "";

		if (d->direct.kind)
			routing_dest_str(dest, sizeof(dest), &d->direct);
		err |= re_hprintf(pf, "%s{\"did\":\"%s%s\",\"dest\":%H,"
				  "\"group\":%H}", i ? "," : "", d->number,
				  d->match == DID_PREFIX ? "*" : "",
				  json_str_h, dest, json_str_h, d->group);
	}
	return err | re_hprintf(pf, "]");
}

struct state_args {
	const struct api *api;
	const struct admin_session *s;
};

static int state_json(struct re_printf *pf, void *arg)
{
	const struct state_args *sa = arg;
	const struct api *api = sa->api;
	const struct admin_session *s = sa->s;
	const struct team *t = team_find(api->occ->m, s->team);

	return re_hprintf(pf, "{\"ok\":true,\"team\":%H,\"user\":%H,",
			  json_str_h, s->team, json_str_h, s->user) |
		agents_json(pf, t) | re_hprintf(pf, ",") |
		groups_json(pf, t) | re_hprintf(pf, ",") |
		extens_json(pf, t, api->occ->tel) | re_hprintf(pf, ",") |
		dids_json(pf, t) | admin_routing_json(pf, api, t) |
		re_hprintf(pf, "}");
}

/* ---- changes: occctl commands ---- */

/* A console command: occctl's noun and verb, the form fields that become
 * its arguments after TEAM ("=word": the word itself, not a field;
 * "?name": an optional field, left out when it and every later one are
 * empty, else passed as ""; "*name": a field that may be empty, always
 * passed; "@file": the session's uploaded file (upload), as a temporary
 * file's path), its --options and its --flags (a flag is set by the
 * field's value "1"), then the fields given as KEY=VALUE arguments (those
 * not empty), and for a team_opt command --team TEAM (TEAM is never a
 * field). A read command (occctl's lists and reports, no change) is
 * asked for with GET, and answers what occctl prints. */
#pragma GCC diagnostic push   /* settings, read and as: optional */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct admin_cmd {
	const char *cmd;
	const char *pos[4], *opts[6], *flags[2];
	const char *settings[6];
	bool read;
	const char *as;             /* occctl's words, if not cmd's */
	bool team_opt;              /* TEAM as --team TEAM (dnc), last */
} admin_cmds[] = {
	{ "agent add", { "number", "password" }, { "name", "exten" }, { 0 } },
	{ "agent passwd", { "number", "password" }, { 0 }, { 0 } },
	{ "agent remove", { "number" }, { 0 }, { 0 } },
	{ "group add", { "id", "name", "queue" },
	  { "acw", "workway", "acw-time" },
	  { 0 } },
	{ "group set", { "id" }, { "name", "acw-time" }, { 0 } },
	{ "group remove", { "id" }, { 0 }, { 0 } },
	{ "member add", { "group", "agent" }, { 0 }, { "dynamic", "leader" } },
	{ "member remove", { "group", "agent" }, { 0 }, { 0 } },
	{ "exten add", { "number", "secret" }, { 0 }, { "virtual" } },
	{ "exten passwd", { "number", "secret" }, { 0 }, { 0 } },
	{ "exten remove", { "number" }, { 0 }, { 0 } },
	{ "did add", { "did", "dest" }, { 0 }, { 0 } },
	{ "did remove", { "did" }, { 0 }, { 0 } },
	{ "trunk add", { "name", "uri" },
	  { "user", "password", "callerid", "strip", "prefix" },
	  { "default", "register" } },
	{ "trunk set", { "name", "uri" },
	  { "user", "password", "callerid", "strip", "prefix" },
	  { "register", "no-password" } },
	{ "trunk default", { "name" }, { 0 }, { 0 } },
	{ "trunk remove", { "name" }, { 0 }, { 0 } },
	{ "routing set", { "section", "?body", "?section2", "?body2" }, { 0 },
	  { 0 } },
	{ "routing remove", { "section" }, { 0 }, { 0 } },
	{ "prompt add", { "name", "@file" }, { 0 }, { 0 } },
	{ "prompt remove", { "name" }, { 0 }, { 0 } },
	/* the operations tabs (web/admin/ops.js) */
	{ "agent set", { "number" }, { "name", "exten" }, { "no-exten" } },
	{ "team set", { "=event_url", "*value" }, { 0 }, { 0 } },
	{ "campaign add", { "id", "name" }, { "group", "mode", "profile",
	  "callerid", "window", "key" }, { 0 } },
	{ "campaign set", { "id" }, { 0 }, { 0 }, { "mode", "profile",
	  "callerid", "group", "window", "timezone" } },
	{ "campaign amd", { "id" }, { 0 }, { 0 }, { "amd", "amd_action",
	  "amd_fp", "retry_busy", "retry_noanswer", "max_attempts" },
	  .as = "campaign set" },
	{ "campaign column", { "id", "column", "display" }, { 0 }, { 0 } },
	{ "campaign start", { "id" }, { 0 }, { 0 } },
	{ "campaign pause", { "id" }, { 0 }, { 0 } },
	{ "campaign stop", { "id" }, { 0 }, { 0 } },
	{ "campaign show", { "id" }, { 0 }, { 0 }, .read = true },
	{ "campaign report", { "id" }, { "day", "days" }, { "json" },
	  .read = true },
	{ "campaign import-report", { "id" }, { "task" }, { 0 },
	  .read = true },
	/* the team's and its campaigns' do-not-call lists (never the
	 * system's: --team is always the session's team) */
	{ "dnc add", { "number" }, { "campaign" }, { 0 }, .team_opt = true },
	{ "dnc remove", { "number" }, { "campaign" }, { 0 },
	  .team_opt = true },
	{ "dnc list", { 0 }, { "campaign" }, { 0 }, .read = true,
	  .team_opt = true },
};
#pragma GCC diagnostic pop

/* noun verb TEAM, positionals, --options, flags, settings, --team */
enum { ADMIN_ARGV = 3 + 4 + 2 * 6 + 2 + 6 + 1, ADMIN_KV = 160 };

/* One form field as an argument; false after answering 400. occctl would
 * take a value starting with "--" for an option, so none may. */
static bool field(const struct form *f, const char *name, const char **vp,
		  struct http_resp *resp)
{
	const char *v = form_get(f, name);

	*vp = v && *v ? v : NULL;
	if (*vp && !strncmp(v, "--", 2)) {
		admin_fail(resp, 400, "a value may not start with --");
		return false;
	}
	return true;
}

/* A positional entry's form field: its name without the marker. */
static const char *pos_field(const char *name)
{
	return name + (*name == '?' || *name == '*');
}

/* Whether a field after the i-th positional one is given. */
static bool later_field(const struct admin_cmd *k, size_t i,
			const struct form *f)
{
	for (; i < ARRAY_SIZE(k->pos) && k->pos[i]; i++) {
		const char *v = form_get(f, pos_field(k->pos[i]));

		if (v && *v)
			return true;
	}
	return false;
}

/* What argv points into besides the form: the command's words, the
 * --option words, the KEY=VALUE arguments. */
struct argv_buf {
	char words[32];
	char dashed[8][16];
	char kv[6][ADMIN_KV];
};

/* argv for k from the form (file: the staged upload's path, for
 * "@file"); false after answering 400. */
static bool build_argv(const struct admin_cmd *k, const struct form *f,
		       const char *team, const char *file,
		       struct argv_buf *b, char **argv, int *argcp,
		       struct http_resp *resp)
{
	const char *cmd = k->as ? k->as : k->cmd;
	const char *sp = strchr(cmd, ' '), *v;
	int n = 0, nd = 0, nkv = 0;

	memcpy(b->words, cmd, strlen(cmd) + 1);
	b->words[sp - cmd] = '\0';
	argv[n++] = b->words;
	argv[n++] = b->words + (sp - cmd) + 1;
	if (!k->team_opt)
		argv[n++] = (char *)team;
	for (size_t i = 0; i < ARRAY_SIZE(k->pos) && k->pos[i]; i++) {
		const char *name = k->pos[i];

		if (*name == '=') {
			argv[n++] = (char *)name + 1;
			continue;
		}
		if (!strcmp(name, "@file")) {
			argv[n++] = (char *)file;
			continue;
		}
		if (!field(f, pos_field(name), &v, resp))
			return false;
		if (!v && *name == '?' && !later_field(k, i + 1, f))
			break;
		if (!v && *name != '?' && *name != '*') {
			admin_fail(resp, 400, "a required field is empty");
			return false;
		}
		argv[n++] = (char *)(v ? v : "");
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->opts) && k->opts[i]; i++) {
		if (!field(f, k->opts[i], &v, resp))
			return false;
		if (!v)
			continue;
		re_snprintf(b->dashed[nd], 16, "--%s", k->opts[i]);
		argv[n++] = b->dashed[nd++];
		argv[n++] = (char *)v;
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->flags) && k->flags[i]; i++) {
		v = form_get(f, k->flags[i]);
		if (!v || strcmp(v, "1"))
			continue;
		re_snprintf(b->dashed[nd], 16, "--%s", k->flags[i]);
		argv[n++] = b->dashed[nd++];
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->settings) && k->settings[i];
	     i++) {
		if (!field(f, k->settings[i], &v, resp))
			return false;
		if (!v)
			continue;
		if (strlen(k->settings[i]) + 1 + strlen(v) >= ADMIN_KV) {
			admin_fail(resp, 400, "a value is too long");
			return false;
		}
		re_snprintf(b->kv[nkv], ADMIN_KV, "%s=%s", k->settings[i], v);
		argv[n++] = b->kv[nkv++];
	}
	if (k->settings[0] && !nkv) {
		admin_fail(resp, 400, "nothing to change");
		return false;
	}
	if (k->team_opt) {
		argv[n++] = (char *)"--team";
		argv[n++] = (char *)team;
	}
	*argcp = n;
	return true;
}

struct mbuf *admin_upload_take(struct admin_session *s)
{
	struct mbuf *mb = s->upload;

	s->upload = NULL;
	if (mb && mb->end == s->upload_total)
		return mb;
	return mem_deref(mb);
}

/* The session's uploaded file as a temporary file in the data directory
 * (path filled), for a command that takes "@file"; false after answering
 * 400. The upload is used up either way. */
static bool staged_file(struct api *api, struct admin_session *s,
			char path[600], struct http_resp *resp)
{
	struct mbuf *mb = admin_upload_take(s);
	int fd;
	bool ok;

	if (!mb) {
		admin_fail(resp, 400, "upload the file first");
		return false;
	}
	re_snprintf(path, 600, "%s/.admin-upload-XXXXXX", api->cfg->data_dir);
	fd = mkstemp(path);
	ok = fd >= 0 && write(fd, mb->buf, mb->end) == (ssize_t)mb->end;
	if (fd >= 0)
		close(fd);
	mem_deref(mb);
	if (!ok) {
		OCC_WARN("console upload: cannot write %s: %m", path, errno);
		if (fd >= 0)
			(void)unlink(path);
		admin_fail(resp, 500, "the uploaded file could not be stored");
	}
	return ok;
}

/* The bytes the other sessions' uploads hold, after ending the sessions
 * that have expired (their uploads with them). */
static size_t uploads_held(struct admin *a, const struct admin_session *self)
{
	uint64_t now = tmr_jiffies();
	size_t held = 0;
	struct le *le = list_head(&a->sessions);

	while (le) {
		struct admin_session *o = le->data;
		le = le->next;
		if (o != self && now >= o->expires)
			session_end(o);
		else if (o != self && o->upload)
			held += o->upload->size;
	}
	return held;
}

/* A piece of a file for the next "@file" command or import: ?offset=N&
 * total=T, pieces in order from 0. */
static void upload(struct api *api, const struct http_req *req,
		   struct http_resp *resp, struct admin_session *s)
{
	unsigned long long off = 0, total = 0;

	if (admin_upload_range(req->query, &off, &total)) {
		admin_fail(resp, 400, "offset and total (bytes) are required");
		return;
	}
	if (total > ADMIN_UPLOAD_MAX) {
		admin_fail(resp, 413, "the file is too large: at most 4 MiB");
		return;
	}
	if (!off && uploads_held(admin_of(api), s) + total >
	    ADMIN_UPLOAD_ALL) {
		s->upload = mem_deref(s->upload);
		admin_fail(resp, 503, "other uploads hold the console's upload "
			   "memory (16 MiB in all): try again in a moment");
		return;
	}
	if (!off) {
		s->upload = mem_deref(s->upload);
		s->upload = mbuf_alloc((size_t)total);
		s->upload_total = (size_t)total;
		if (!s->upload) {
			admin_fail(resp, 500, "out of memory");
			return;
		}
	}
	if (!s->upload || off != s->upload->end || total != s->upload_total ||
	    off + req->body_len > total) {
		s->upload = mem_deref(s->upload);
		admin_fail(resp, 409, "upload out of order: start it again");
		return;
	}
	(void)mbuf_write_mem(s->upload, (const uint8_t *)req->body,
			     req->body_len);
	admin_reply(resp, 200, "{\"ok\":true,\"received\":%zu,"
		    "\"complete\":%s}", s->upload->end,
		    s->upload->end == total ? "true" : "false");
}

/* The lines of err that start with "warning: ", as one line. */
static void warnings_of(const char *err, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (const char *p = err; p && *p && n + 1 < size;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, "warning: ", 9)) {
			int w = re_snprintf(buf + n, size - n, "%s%b",
					    n ? "; " : "", p + 9, l - 9);
			n += w > 0 ? (size_t)w : 0;
			n = n < size ? n : size - 1;
		}
		p = nl ? nl + 1 : NULL;
	}
}

static void run(struct api *api, const struct http_req *req,
		struct http_resp *resp, struct admin_session *s, bool post)
{
	const struct admin_cmd *k = NULL;
	struct argv_buf b;
	char *argv[ADMIN_ARGV];
	char *out = NULL, *err = NULL, msg[512], file[600] = "";
	const char *cmd;
	struct form f;
	int argc = 0, rc;

	form_init(&f);
	if (post ? form_parse(&f, req->body, req->body_len)
	    : form_parse(&f, req->query, strlen(req->query))) {
		form_reset(&f);
		admin_fail(resp, 400, "bad form");
		return;
	}
	cmd = form_get(&f, "cmd");
	for (size_t i = 0; cmd && i < ARRAY_SIZE(admin_cmds); i++)
		k = !strcmp(admin_cmds[i].cmd, cmd) ? &admin_cmds[i] : k;
	if (!k || k->read == post) {
		form_reset(&f);
		admin_fail(resp, 400, !k ? "unknown command" :
			   post ? "a read command: ask with GET" :
			   "a change: POST it");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->pos) && k->pos[i]; i++) {
		if (!strcmp(k->pos[i], "@file") &&
		    !staged_file(api, s, file, resp)) {
			form_reset(&f);
			return;
		}
	}
	if (!build_argv(k, &f, s->team, file, &b, argv, &argc, resp)) {
		form_reset(&f);
		if (file[0])
			(void)unlink(file);
		return;
	}
	rc = occctl_exec(api->occ->st, api->cfg->data_dir, argc, argv, &out,
			 &err);
	form_reset(&f);
	if (file[0])
		(void)unlink(file);
	/* the command only: fields may hold passwords */
	if (!k->read)
		OCC_INFO("console %s team=%H user=%H: %s", k->cmd,
			 LQ(s->team), LQ(s->user), rc ? "refused" : "done");
	if (rc) {
		const char *m = err && *err ? err : "refused";
		/* the error, not the warnings before it */
		while (!strncmp(m, "warning: ", 9) && strchr(m, '\n') &&
		       strchr(m, '\n')[1])
			m = strchr(m, '\n') + 1;
		if (!strncmp(m, "occctl: ", 8))
			m += 8;
		str_ncpy(msg, m, sizeof(msg));
		msg[strcspn(msg, "\n")] = '\0';
		admin_fail(resp, 400, msg);
	}
	else {
		warnings_of(err, msg, sizeof(msg));
		if (msg[0])
			OCC_WARN("console %s team=%H: %s", k->cmd, LQ(s->team),
				 msg);
		if (api->reload && !k->read)
			api->reload();
		admin_reply(resp, 200, "{\"ok\":true,\"out\":%H,"
			    "\"warning\":%H}", json_str_h, out ? out : "",
			    json_str_h, msg);
	}
	mem_deref(out);
	mem_deref(err);
}

bool admin_route(struct api *api, const struct http_req *req,
		 struct http_resp *resp, struct auth_wait **waitp)
{
	const char *p = req->path + strlen("/admin/api/");
	bool post = !strcmp(req->method, "POST");
	struct admin_session *s;

	if (strncmp(req->path, "/admin/api/", 11))
		return false;
	if (post && !same_origin(req)) {
		admin_fail(resp, 403, "refused: the request does not come "
			   "from this console's page (Origin)");
		return true;
	}
	if (!strcmp(p, "login") && post) {
		login(api, req, resp, waitp);
		return true;
	}
	s = session_of(api, req, resp);
	if (!s)
		return true;
	if (post && !csrf_ok(req, s)) {
		admin_fail(resp, 403, "refused: missing or wrong CSRF token");
		return true;
	}
	if (!strcmp(p, "session") && !post) {
		session_json(resp, s, api->cfg->admin_session_s);
	}
	else if (!strcmp(p, "state") && !post) {
		admin_reply(resp, 200, "%H", state_json,
			    &(struct state_args){ api, s });
	}
	else if (!strcmp(p, "run")) {
		run(api, req, resp, s, post);
	}
	else if (!strcmp(p, "upload") && post) {
		upload(api, req, resp, s);
	}
	else if (!strcmp(p, "logout") && post) {
		OCC_INFO("console logout team=%H user=%H", LQ(s->team),
			 LQ(s->user));
		session_end(s);
		admin_reply(resp, 200, "{\"ok\":true}");
		http_resp_header(resp, "Set-Cookie", "occadm=; Path=/admin/; "
				 "HttpOnly; SameSite=Strict; Max-Age=0");
	}
	else if (!admin_ops_route(api, req, resp, s, p, post)) {
		admin_fail(resp, 404, "no such call");
	}
	return true;
}
