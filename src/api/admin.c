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
 *   POST /admin/api/logout   ends the session
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
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "admin"
#include "base/conf.h"
#include "base/form.h"
#include "base/log.h"
#include "api/api.h"
#include "cli/exec.h"
#include "core/auth.h"
#include "core/agent_state.h"
#include "core/occ.h"
#include "core/pwhash.h"
#include "inbound/routing.h"
#include "sip/registrar.h"
#include "sip/tel.h"

enum { TOKEN_HEX = 65, ADMIN_MAX_SESSIONS = 64 };

struct admin_session {
	struct le le;
	char token[TOKEN_HEX];
	char csrf[TOKEN_HEX];
	char team[ST_NAME];
	char user[ST_NAME];
	uint64_t expires;           /* tmr_jiffies() ms */
};

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

static void reply(struct http_resp *resp, unsigned status, const char *fmt,
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

static void fail(struct http_resp *resp, unsigned status, const char *msg)
{
	reply(resp, status, "{\"ok\":false,\"error\":%H}", json_str_h, msg);
}

/* The session cookie's value, copied into tok; false if none. */
static bool cookie_token(const struct http_req *req, char tok[TOKEN_HEX])
{
	const char *c = http_req_header(req, "Cookie"), *p;

	for (p = c; p && (p = strstr(p, "occadm=")); p += 7) {
		if (p != c && p[-1] != ' ' && p[-1] != ';')
			continue;
		p += 7;
		if (strspn(p, "0123456789abcdef") != TOKEN_HEX - 1)
			return false;
		memcpy(tok, p, TOKEN_HEX - 1);
		tok[TOKEN_HEX - 1] = '\0';
		return true;
	}
	return false;
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

	if (!a || !cookie_token(req, tok)) {
		fail(resp, 401, "not logged in");
		return NULL;
	}
	for (le = list_head(&a->sessions); le; le = le->next) {
		struct admin_session *s = le->data;
		if (sodium_memcmp(s->token, tok, TOKEN_HEX))
			continue;
		if (now >= s->expires) {
			session_end(s);
			fail(resp, 401, "session expired: log in again");
			return NULL;
		}
		if (!admin_account(team_find(api->occ->m, s->team), s->user)) {
			session_end(s);
			fail(resp, 401, "the account is no longer allowed in "
			     "the console");
			return NULL;
		}
		s->expires = now + 1000ULL * api->cfg->admin_session_s;
		return s;
	}
	fail(resp, 401, "not logged in");
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
	reply(resp, 200, "{\"ok\":true,\"team\":%H,\"user\":%H,\"csrf\":\"%s\","
	      "\"session_s\":%u}", json_str_h, s->team, json_str_h, s->user,
	      s->csrf, secs);
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
		fail(resp, 400, "bad form");
		return;
	}
	team = form_get(&f, "team");
	user = form_get(&f, "user");
	pw = form_get(&f, "password");
	if (!team || !user || !pw || !*team || !*user || !*pw ||
	    strlen(team) >= ST_NAME || strlen(user) >= ST_NAME) {
		form_reset(&f);
		fail(resp, 400, "team, account and password are required");
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
		fail(resp, 503, "busy: try again in a moment");
		return;
	}
	if (v != AUTH_OK || !ac->enabled) {
		OCC_INFO("console login failed who=%H", LQ(who));
		form_reset(&f);
		fail(resp, 401, "wrong team, account or password");
		return;
	}
	if (ac->agent_number[0]) {
		OCC_INFO("console login refused (an agent's account) who=%H",
			 LQ(who));
		form_reset(&f);
		fail(resp, 403, "this account belongs to an agent; the console"
		     " is for the team's administrator accounts");
		return;
	}
	if (list_count(&a->sessions) >= ADMIN_MAX_SESSIONS)
		session_end(list_ledata(list_head(&a->sessions)));
	s = mem_zalloc(sizeof(*s), NULL);
	if (!s) {
		form_reset(&f);
		fail(resp, 500, "out of memory");
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
				  "\"queue\":%H,\"members\":[",
				  le == list_head(&t->groups) ? "" : ",",
				  (long long)g->id, json_str_h, g->name,
				  json_str_h, g->queue);
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
		dids_json(pf, t) | re_hprintf(pf, "}");
}

/* ---- changes: occctl commands ---- */

/* A console command: occctl's noun and verb, the form fields that become
 * its arguments after TEAM, its --options and its --flags (a flag is set
 * by the field's value "1"). */
static const struct admin_cmd {
	const char *cmd;
	const char *pos[4], *opts[3], *flags[2];
} admin_cmds[] = {
	{ "agent add", { "number", "password" }, { "name", "exten" }, { 0 } },
	{ "agent passwd", { "number", "password" }, { 0 }, { 0 } },
	{ "agent remove", { "number" }, { 0 }, { 0 } },
	{ "group add", { "id", "name", "queue" },
	  { "acw", "workway", "acw-time" },
	  { 0 } },
	{ "group remove", { "id" }, { 0 }, { 0 } },
	{ "member add", { "group", "agent" }, { 0 }, { "dynamic", "leader" } },
	{ "member remove", { "group", "agent" }, { 0 }, { 0 } },
	{ "exten add", { "number", "secret" }, { 0 }, { "virtual" } },
	{ "exten passwd", { "number", "secret" }, { 0 }, { 0 } },
	{ "exten remove", { "number" }, { 0 }, { 0 } },
	{ "did add", { "did", "dest" }, { 0 }, { 0 } },
	{ "did remove", { "did" }, { 0 }, { 0 } },
};

enum { ADMIN_ARGV = 3 + 4 + 2 * 3 + 2 };

/* One form field as an argument; false after answering 400. occctl would
 * take a value starting with "--" for an option, so none may. */
static bool field(const struct form *f, const char *name, const char **vp,
		  struct http_resp *resp)
{
	const char *v = form_get(f, name);

	*vp = v && *v ? v : NULL;
	if (*vp && !strncmp(v, "--", 2)) {
		fail(resp, 400, "a value may not start with --");
		return false;
	}
	return true;
}

/* argv for k from the form (dashed holds the option words); false after
 * answering 400. */
static bool build_argv(const struct admin_cmd *k, const struct form *f,
		       const char *team, char *words, char dashed[5][16],
		       char **argv, int *argcp, struct http_resp *resp)
{
	const char *sp = strchr(k->cmd, ' '), *v;
	int n = 0, nd = 0;

	memcpy(words, k->cmd, strlen(k->cmd) + 1);
	words[sp - k->cmd] = '\0';
	argv[n++] = words;
	argv[n++] = words + (sp - k->cmd) + 1;
	argv[n++] = (char *)team;
	for (size_t i = 0; i < ARRAY_SIZE(k->pos) && k->pos[i]; i++) {
		if (!field(f, k->pos[i], &v, resp))
			return false;
		if (!v) {
			fail(resp, 400, "a required field is empty");
			return false;
		}
		argv[n++] = (char *)v;
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->opts) && k->opts[i]; i++) {
		if (!field(f, k->opts[i], &v, resp))
			return false;
		if (!v)
			continue;
		re_snprintf(dashed[nd], 16, "--%s", k->opts[i]);
		argv[n++] = dashed[nd++];
		argv[n++] = (char *)v;
	}
	for (size_t i = 0; i < ARRAY_SIZE(k->flags) && k->flags[i]; i++) {
		v = form_get(f, k->flags[i]);
		if (!v || strcmp(v, "1"))
			continue;
		re_snprintf(dashed[nd], 16, "--%s", k->flags[i]);
		argv[n++] = dashed[nd++];
	}
	*argcp = n;
	return true;
}

static void run(struct api *api, const struct http_req *req,
		struct http_resp *resp, const struct admin_session *s)
{
	const struct admin_cmd *k = NULL;
	char words[32], dashed[5][16], *argv[ADMIN_ARGV];
	char *out = NULL, *err = NULL, msg[512];
	const char *cmd;
	struct form f;
	int argc = 0, rc;

	form_init(&f);
	if (form_parse(&f, req->body, req->body_len)) {
		form_reset(&f);
		fail(resp, 400, "bad form");
		return;
	}
	cmd = form_get(&f, "cmd");
	for (size_t i = 0; cmd && i < ARRAY_SIZE(admin_cmds); i++)
		k = !strcmp(admin_cmds[i].cmd, cmd) ? &admin_cmds[i] : k;
	if (!k) {
		form_reset(&f);
		fail(resp, 400, "unknown command");
		return;
	}
	if (!build_argv(k, &f, s->team, words, dashed, argv, &argc, resp)) {
		form_reset(&f);
		return;
	}
	rc = occctl_exec(api->occ->st, api->cfg->data_dir, argc, argv, &out,
			 &err);
	form_reset(&f);
	/* the command only: fields may hold passwords */
	OCC_INFO("console %s team=%H user=%H: %s", k->cmd, LQ(s->team),
		 LQ(s->user), rc ? "refused" : "done");
	if (rc) {
		const char *m = err && *err ? err : "refused";
		if (!strncmp(m, "occctl: ", 8))
			m += 8;
		str_ncpy(msg, m, sizeof(msg));
		msg[strcspn(msg, "\n")] = '\0';
		fail(resp, 400, msg);
	}
	else {
		if (api->reload)
			api->reload();
		reply(resp, 200, "{\"ok\":true,\"out\":%H}", json_str_h,
		      out ? out : "");
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
		fail(resp, 403, "refused: the request does not come from this"
		     " console's page (Origin)");
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
		fail(resp, 403, "refused: missing or wrong CSRF token");
		return true;
	}
	if (!strcmp(p, "session") && !post) {
		session_json(resp, s, api->cfg->admin_session_s);
	}
	else if (!strcmp(p, "state") && !post) {
		reply(resp, 200, "%H", state_json,
		      &(struct state_args){ api, s });
	}
	else if (!strcmp(p, "run") && post) {
		run(api, req, resp, s);
	}
	else if (!strcmp(p, "logout") && post) {
		OCC_INFO("console logout team=%H user=%H", LQ(s->team),
			 LQ(s->user));
		session_end(s);
		reply(resp, 200, "{\"ok\":true}");
		http_resp_header(resp, "Set-Cookie", "occadm=; Path=/admin/; "
				 "HttpOnly; SameSite=Strict; Max-Age=0");
	}
	else {
		fail(resp, 404, "no such call");
	}
	return true;
}
