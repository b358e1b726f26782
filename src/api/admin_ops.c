/*
 * admin_ops.c — the admin console's operations tabs (web/admin/ops.js):
 * campaigns and their imports, CDR search with the recording, the event
 * URL. admin.c has checked the session (and for a POST its Origin and
 * CSRF token) before any of these runs; each acts on the session's team
 * only. Changes to campaigns and settings are occctl commands (admin.c's
 * /admin/api/run); what is here reads, and takes an uploaded CSV file:
 *
 *   GET  ops        the team's campaigns and its event URL
 *   POST import     ?model_id=ID&delrow=&phone_field=&dupway=&...: the
 *                   CSV file the session staged (/admin/api/upload, in
 *                   pieces; admin.c), at most IMPORT_MAX, used up here:
 *                   the same import as EVENT=Import source=http (rules,
 *                   import_record(), report; ops/import.c import_upload),
 *                   answers the task id; its report: the read command
 *                   "campaign import-report"
 *   GET  cdr        ?from=&to=&number=&agent=&did=&queue=&campaign=: the
 *                   team's calls, newest first, at most CDR_MAX of the
 *                   range's newest CDR_SCAN
 *   GET  recording  ?id=SESSIONID: the call's recording (audio/wav), if the
 *                   call is the team's; through the getMonitor URL's own
 *                   checks (sip/recordings.c), never a path from the page
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "admin"
#include "base/conf.h"
#include "base/form.h"
#include "base/log.h"
#include "api/api.h"
#include "api/admin.h"
#include "api/httpd.h"
#include "core/occ.h"
#include "ops/import.h"
#include "ops/op.h"
#include "sip/tel.h"

/* a search answers at most CDR_MAX calls, found among the range's newest
 * CDR_SCAN (the store is read on the loop: bounded work) */
enum { CDR_MAX = 200, CDR_SCAN = 20000 };

/* An uploaded CSV is imported at once on the loop: at most IMPORT_MAX
 * bytes (about 4 s of the loop at 12 bytes a record on a busy machine,
 * well under 1 s for customer records of 60 bytes and more). */
enum { IMPORT_MAX = 1024 * 1024 };

/* ---- campaigns and settings ---- */

struct camp_json {
	struct re_printf *pf;
	unsigned n;
	int err;
};

static void camp_one(const struct st_campaign *k, void *arg)
{
	struct camp_json *cj = arg;

	cj->err |= re_hprintf(cj->pf, "%s{\"id\":%lld,\"name\":%H,"
			      "\"group\":%lld,\"mode\":%H,\"state\":%H,"
			      "\"profile\":%H,\"window\":\"%02d:%02d-%02d:%02d\","
			      "\"callerid\":%H,\"key\":%H,\"timezone\":%H,"
			      "\"amd\":%s,\"amd_action\":%H,\"amd_fp\":\"%d.%d\","
			      "\"retry_busy\":%d,\"retry_noanswer\":%d,"
			      "\"max_attempts\":%d}", cj->n++ ? "," : "",
			      (long long)k->id, json_str_h, k->name,
			      (long long)k->group_id, json_str_h,
			      k->dial_mode, json_str_h, k->state, json_str_h,
			      k->profile, k->window_start / 60,
			      k->window_start % 60, k->window_end / 60,
			      k->window_end % 60, json_str_h, k->callerid,
			      json_str_h, k->key_column, json_str_h,
			      k->timezone, k->amd ? "true" : "false",
			      json_str_h, k->amd_action,
			      k->amd_fp_permille / 10, k->amd_fp_permille % 10,
			      k->retry_busy, k->retry_noanswer,
			      k->max_attempts);
}

struct ops_args {
	struct api *api;
	const struct team *t;
};

static int ops_json(struct re_printf *pf, void *arg)
{
	const struct ops_args *oa = arg;
	const char *url = team_setting(oa->t, "event_url");
	struct camp_json cj = { .pf = pf };
	int err;

	cj.err = re_hprintf(pf, "{\"ok\":true,\"event_url\":%H,"
			    "\"campaigns\":[", json_str_h, url ? url : "");
	err = store_campaign_visit(oa->api->occ->st, oa->t->id, camp_one, &cj);
	return err ? err : cj.err | re_hprintf(pf, "]}");
}

/* ---- an uploaded file ---- */

/* A BackMsg answer as the console shows it: "BackMsg_73 no such ...". */
static void fail_backmsg(struct http_resp *resp, const struct op_result *r)
{
	const char *text = backmsg_text(r->backmsg, false);
	char msg[256];

	re_snprintf(msg, sizeof(msg), "BackMsg_%02d%s%s%s: %s", r->backmsg,
		    r->arg[0] ? "[" : "", r->arg, r->arg[0] ? "]" : "",
		    text ? text : "refused");
	admin_fail(resp, 400, msg);
}

/* The upload's file name for its report: printable ASCII, no '/'. */
static void upload_name(char *out, size_t sz, const char *name)
{
	size_t n = 0;

	for (; name && *name && n + 1 < sz; name++)
		out[n++] = *name > ' ' && *name < 127 && *name != '/' ?
			*name : '_';
	out[n] = '\0';
	if (!n)
		str_ncpy(out, "file.csv", sz);
}

static void import_csv(struct api *api, const struct http_req *req,
		       struct http_resp *resp, struct admin_session *s)
{
	static const enum param params[] = {
		P_MODEL_ID, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD,
		P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY,
		P_DUPDIALLIST, P_CHANGEPACKAGE,
	};
	struct team *t = team_find(api->occ->m, s->team);
	struct op_ctx ctx = { .occ = api->occ, .m = api->occ->m, .team = t,
			      .now = now_ms() };
	struct mbuf *csv = admin_upload_take(s);
	struct op_result res;
	char name[64];
	struct form f;

	for (size_t i = 0; i < P_COUNT; i++)
		ctx.args[i] = "";
	ctx.account = t ? account_find(t, s->user) : NULL;
	form_init(&f);
	if (!ctx.account || form_parse(&f, req->query, strlen(req->query))) {
		admin_fail(resp, 400, "bad request");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(params); i++) {
		const char *v = form_get(&f, param_defs[params[i]].name);
		if (v && strlen(v) > param_defs[params[i]].maxlen) {
			admin_fail(resp, 400, "a value is too long");
			goto out;
		}
		if (v)
			ctx.args[params[i]] = v;
	}
	upload_name(name, sizeof(name), form_get(&f, "name"));
	if (!csv || !csv->end) {
		admin_fail(resp, 400, csv ? "the file is empty" :
			   "upload the file first");
		goto out;
	}
	if (csv->end > IMPORT_MAX) {
		admin_fail(resp, 413, "the file is too large to import from "
			   "the console: at most 1 MiB (split it, or import "
			   "it from a web server: source=http)");
		goto out;
	}
	res_init(&res);
	import_upload(&ctx, name, csv->buf, csv->end, &res);
	OCC_INFO("console import team=%H user=%H file=%H bytes=%zu: %s",
		 LQ(s->team), LQ(s->user), LQ(name), csv->end,
		 res.code == OP_OK ? "done" : "refused");
	if (res.code != OP_OK)
		fail_backmsg(resp, &res);
	else
		admin_reply(resp, 200, "{\"ok\":true,\"task\":%b}",
			    res.data ? (char *)res.data->buf : "0",
			    res.data ? res.data->end : (size_t)1);
	res_reset(&res);
 out:
	form_reset(&f);
	mem_deref(csv);
}

/* ---- CDR search ---- */

/* What a search asks for; empty strings match everything. */
struct cdr_query {
	int64_t since_ms;
	char from[11], to[11];        /* calldate range, YYYY-MM-DD */
	const char *number, *agent, *did, *queue, *campaign;
};

/* The one decision of a search: does call c match q. */
static bool cdr_match(const struct st_cdr *c, const struct cdr_query *q)
{
	if (q->to[0] && strcmp(c->calldate, q->to) > 0)
		return false;
	if (q->from[0] && strcmp(c->calldate, q->from) < 0)
		return false;
	if (*q->number && !strstr(c->caller, q->number) &&
	    !strstr(c->callee, q->number))
		return false;
	if (*q->agent && strcmp(c->agent, q->agent))
		return false;
	if (*q->did && (strcmp(c->direction, "in") ||
			strcmp(c->callee, q->did)))
		return false;
	if (*q->queue && strcmp(c->queue, q->queue))
		return false;
	return !*q->campaign || (!strcasecmp(c->modeltype, "campaign") &&
				 !strcmp(c->model_id, q->campaign));
}

static bool is_day(const char *s)
{
	return s && strlen(s) == 10 && s[4] == '-' && s[7] == '-' &&
		strspn(s, "0123456789-") == 10;
}

struct cdr_json {
	struct mbuf *mb;
	const struct cdr_query *q;
	unsigned n, seen;
	bool more;
	int err;
};

static void cdr_one(const struct st_cdr *c, void *arg)
{
	struct cdr_json *cj = arg;

	if (++cj->seen >= CDR_SCAN)
		cj->more = true;    /* older calls of the range not looked at */
	if (!cdr_match(c, cj->q))
		return;
	if (cj->n >= CDR_MAX) {
		cj->more = true;
		return;
	}
	cj->err |= mbuf_printf(cj->mb, "%s{\"id\":%H,\"start_ms\":%lld,"
			       "\"calldate\":%H,\"direction\":%H,\"caller\":%H,"
			       "\"callee\":%H,\"agent\":%H,\"queue\":%H,"
			       "\"campaign\":%H,\"disposition\":%H,"
			       "\"talk_s\":%lld,\"recording\":%s}",
			       cj->n++ ? "," : "", json_str_h, c->sessionid,
			       (long long)c->start_ms, json_str_h, c->calldate,
			       json_str_h, c->direction, json_str_h,
			       c->caller, json_str_h, c->callee, json_str_h,
			       c->agent, json_str_h, c->queue, json_str_h,
			       strcasecmp(c->modeltype, "campaign") ? "" :
			       c->model_id, json_str_h, c->disposition,
			       (long long)(c->answer_ms && c->end_ms >
					   c->answer_ms ? (c->end_ms -
					   c->answer_ms) / 1000 : 0),
			       c->recording[0] ? "true" : "false");
}

static void cdr_search(struct api *api, const struct http_req *req,
		       struct http_resp *resp, const struct team *t)
{
	struct cdr_query q = { 0 };
	struct cdr_json cj = { .q = &q };
	const char *from, *to;
	struct tm tm = { 0 };
	struct form f;
	int err;

	form_init(&f);
	if (form_parse(&f, req->query, strlen(req->query))) {
		form_reset(&f);
		admin_fail(resp, 400, "bad request");
		return;
	}
	from = form_get(&f, "from");
	to = form_get(&f, "to");
	if ((from && *from && !is_day(from)) || (to && *to && !is_day(to))) {
		form_reset(&f);
		admin_fail(resp, 400, "a date is YYYY-MM-DD");
		return;
	}
	if (from && *from) {
		str_ncpy(q.from, from, sizeof(q.from));
		tm.tm_year = atoi(from) - 1900;
		tm.tm_mon = atoi(from + 5) - 1;
		tm.tm_mday = atoi(from + 8) - 1;    /* a day early: time zones */
		tm.tm_isdst = -1;
		q.since_ms = (int64_t)mktime(&tm) * 1000;
		if (q.since_ms < 0)
			q.since_ms = 0;
	}
	if (to && *to)
		str_ncpy(q.to, to, sizeof(q.to));
	q.number = form_get(&f, "number");
	q.agent = form_get(&f, "agent");
	q.did = form_get(&f, "did");
	q.queue = form_get(&f, "queue");
	q.campaign = form_get(&f, "campaign");
	q.number = q.number ? q.number : "";
	q.agent = q.agent ? q.agent : "";
	q.did = q.did ? q.did : "";
	q.queue = q.queue ? q.queue : "";
	q.campaign = q.campaign ? q.campaign : "";
	cj.mb = mbuf_alloc(4096);
	err = cj.mb ? store_cdr_visit(api->occ->st, t->id, q.since_ms,
				      CDR_SCAN, cdr_one, NULL, &cj) : ENOMEM;
	form_reset(&f);
	if (err || cj.err)
		admin_fail(resp, 500, "the call history could not be read");
	else
		admin_reply(resp, 200, "{\"ok\":true,\"more\":%s,\"calls\":[%b]}",
			    cj.more ? "true" : "false", cj.mb->buf,
			    cj.mb->end);
	mem_deref(cj.mb);
}

/* The recording of the team's call ?id=: the store names the file, the
 * getMonitor URL's token for the team opens it (sip/recordings.c). */
static void recording(struct api *api, const struct http_req *req,
		      struct http_resp *resp, const struct team *t)
{
	struct st_cdr *c = mem_zalloc(sizeof(*c), NULL);
	char url[1024], *q;
	const char *id, *file;
	struct form f;
	int err = ENOENT;

	form_init(&f);
	if (!c || form_parse(&f, req->query, strlen(req->query)))
		goto out;
	id = form_get(&f, "id");
	if (!id || strlen(id) != ST_SESSIONID - 1 ||
	    strspn(id, "0123456789abcdef") != ST_SESSIONID - 1 ||
	    !api->occ->tel)
		goto out;
	err = store_cdr_get(api->occ->st, id, c);
	if (err || c->team_id != t->id || !c->recording[0]) {
		err = ENOENT;            /* another team's call: not here */
		goto out;
	}
	form_reset(&f);
	err = tel_recording_url(api->occ->tel, t->name, c->recording, url,
				sizeof(url));
	file = err ? NULL : strstr(url, "getMonitor/");
	q = file ? strchr(file, '?') : NULL;
	if (!q) {
		err = err ? err : ENOENT;
		goto out;
	}
	*q++ = '\0';
	file += strlen("getMonitor/");
	err = form_parse(&f, q, strlen(q));
	if (!err)
		err = tel_recording_open(api->occ->tel, file, form_get(&f, "o"),
					 form_get(&f, "e"), form_get(&f, "t"),
					 &resp->fd, &resp->fd_size);
 out:
	form_reset(&f);
	mem_deref(c);
	if (err) {
		admin_fail(resp, 404, "no recording of this call");
		return;
	}
	resp->status = 200;
	resp->ctype = "audio/wav";
	http_resp_header(resp, "Cache-Control", "private, no-store");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
}

bool admin_ops_route(struct api *api, const struct http_req *req,
		     struct http_resp *resp, struct admin_session *s,
		     const char *p, bool post)
{
	struct team *t = team_find(api->occ->m, s->team);

	if (!t)
		return false;
	if (!strcmp(p, "ops") && !post)
		admin_reply(resp, 200, "%H", ops_json,
			    &(struct ops_args){ api, t });
	else if (!strcmp(p, "import") && post)
		import_csv(api, req, resp, s);
	else if (!strcmp(p, "cdr") && !post)
		cdr_search(api, req, resp, t);
	else if (!strcmp(p, "recording") && !post)
		recording(api, req, resp, t);
	else
		return false;
	return true;
}
