/*
 * agentinfo.c — the original plugin's MyInfo and DefaultGroup (issue 11):
 * what the browser extension asks once an agent signs in, and the group
 * its calls go out in when makeCall names none.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#include "api/api.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/pwhash.h"
#include "core/occ.h"
#include "ops/op.h"
#include "ops/util.h"
#include "store/store.h"

enum { MYINFO_CDRS = 20 };

struct member *dialout_member(const struct agent *a)
{
	struct member *first = NULL;
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct member *mb = le->data;
		if (!mb->checked_in)
			continue;
		if (mb->group->id == a->default_group_id)
			return mb;
		if (!first)
			first = mb;
	}
	return first;
}

/* The default dial-out group as MyInfo and DefaultGroup tell it: the one
 * set, else the group makeCall would use now, else none (0). */
static int64_t default_group_id(const struct agent *a)
{
	const struct member *mb;

	if (a->default_group_id)
		return a->default_group_id;
	mb = dialout_member(a);
	return mb ? mb->group->id : 0;
}

struct cdr_walk {
	struct op_result *res;
	const char *agent;
	unsigned n;
};

static void on_cdr(const struct st_cdr *c, void *arg)
{
	struct cdr_walk *w = arg;
	time_t t = (time_t)(c->start_ms / 1000);
	char start[24];
	struct tm tm;
	int64_t end = c->end_ms ? c->end_ms : now_ms();

	if (w->n >= MYINFO_CDRS || strcmp(c->agent, w->agent))
		return;
	localtime_r(&t, &tm);
	strftime(start, sizeof(start), "%Y-%m-%d %H:%M:%S", &tm);
	res_data(w->res, OP_OK, "%s{\"sessionid\":\"%s\",\"calldate\":\"%s\","
		 "\"starttime\":\"%s\",\"direction\":\"%s\",\"caller\":%H,"
		 "\"callee\":%H,\"disposition\":\"%s\",\"duration\":%lld,"
		 "\"billsec\":%lld}", w->n ? "," : "", c->sessionid,
		 c->calldate, start, c->direction, json_str_h, c->caller,
		 json_str_h, c->callee, c->disposition,
		 (long long)((end - c->start_ms) / 1000),
		 (long long)(c->answer_ms ? (end - c->answer_ms) / 1000 : 0));
	w->n++;
}

void op_my_info(struct op_ctx *ctx, struct op_result *res)
{
	const struct agent *a = ctx->agent;
	char md5hex[MD5HEX_LEN];
	struct le *le;
	bool first = true;

	/* The presented credential has just been verified against the stored
	 * hash; its MD5 is what the extension signs with (pwdtype=md5). occ
	 * keeps no MD5: it hands back the one this request proved. */
	if (pw_to_md5hex(md5hex, ctx->args[P_PWDTYPE], ctx->args[P_PASSWORD])) {
		res_set(res, OP_FAIL, BM_BAD_CREDENTIALS, NULL);
		return;
	}
	res->json = true;
	res_data(res, OP_OK, "{\"agentno\":%H,\"agentpassword\":\"%s\","
		 "\"orgidentity\":%H,\"agentname\":%H,"
		 "\"dialout_default_group_id\":\"%lld\",\"agent_group\":[",
		 json_str_h, a->number, md5hex, json_str_h, ctx->team->name,
		 json_str_h, a->name, (long long)default_group_id(a));
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		res_data(res, OP_OK, "%s{\"agent_group_id\":\"%lld\","
			 "\"groupname\":%H,\"queue\":%H,\"checked_in\":%s,"
			 "\"leader\":%s,\"acw_mode\":%d,\"work_mode\":%d}",
			 first ? "" : ",", (long long)mb->group->id,
			 json_str_h, mb->group->name, json_str_h,
			 mb->group->queue, mb->checked_in ? "true" : "false",
			 mb->leader ? "true" : "false", mb->acw_mode,
			 mb->work_mode);
		first = false;
	}
	res_data(res, OP_OK, "],\"cdrs\":[");
	struct cdr_walk w = { .res = res, .agent = a->number };
	if (store_cdr_visit(ctx->occ->st, ctx->team->id,
			    day_start_ms(ctx->now), 0, on_cdr, NULL, &w)) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		return;
	}
	res_data(res, OP_OK, "]}");
}

void op_default_group(struct op_ctx *ctx, struct op_result *res)
{
	struct agent *a = ctx->agent;
	const struct group *g = group_of_str(ctx->team,
					     ctx->args[P_AGENT_GROUP_ID]);
	char cur[24];

	/* a failure names the current default, which the extension
	 * selects again */
	re_snprintf(cur, sizeof(cur), "%lld", (long long)default_group_id(a));
	if (!g) {
		res_set(res, OP_FAIL, BM_GROUP_ID_NOT_EXIST, cur);
		return;
	}
	if (!agent_membership(a, g)) {
		res_set(res, OP_FAIL, BM_ACW_MODE_FAIL, cur);
		return;
	}
	agent_set_default_group(ctx->occ->m, a, g->id);
	res_data(res, OP_OK, "%lld", (long long)g->id);
}
