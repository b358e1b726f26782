/*
 * agent.c — operations on the calling agent's session: login, logout,
 * setdevice, agentStatus, agentRealtime.
 */
#include <string.h>
#include <re.h>
#include "core/agent.h"
#include "ops/op.h"
#include "ops/util.h"

/* The login `param` status vocabulary: idel (sic), ringing, busy, pause. */
static const char *param_status(const struct agent *a)
{
	switch (a->state) {
	case AS_RING:  return "ringing";
	case AS_BUSY:
	case AS_ACW:   return "busy";
	case AS_PAUSE: return "pause";
	default:       return "idel";
	}
}

static int print_param(struct op_result *res, const struct agent *a)
{
	struct le *le;
	int err = 0;

	if (!a)
		return res_extra(res, "%s", "");
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		err |= res_extra(res, "agent_group_id=%lld&groupname=%s"
				 "&status=%s&groupadmin=%s&agenttype=%s"
				 "&agentline=%s&errorcall=no&agent_id=%lld|||",
				 (long long)mb->group->id, mb->group->name,
				 param_status(a), mb->leader ? "yes" : "no",
				 mb->dynamic ? "dynamic" : "static",
				 mb->checked_in ? "online" : "offline",
				 (long long)a->id);
	}
	if (!res->extra)
		err |= res_extra(res, "%s", "");
	return err;
}

void op_login(struct op_ctx *ctx, struct op_result *res)
{
	struct agent *a = ctx->agent;

	if (a) {
		res->already = a->logged_in;
		agent_login(ctx->m, a);
	}
	res_set(res, OP_OK, BM_LOGIN_OK, NULL);
	print_param(res, a);
}

void op_logout(struct op_ctx *ctx, struct op_result *res)
{
	if (ctx->agent)
		agent_logout(ctx->m, ctx->agent);
	res_set(res, OP_OK, BM_LOGOUT_OK, NULL);
}

void op_set_device(struct op_ctx *ctx, struct op_result *res)
{
	const char *exten = ctx->args[P_EXTEN];

	if (!exten_find(ctx->team, exten)) {
		res_set(res, OP_FAIL, BM_EXTEN_NOT_EXIST, NULL);
		return;
	}
	if (agent_checked_in_dynamic(ctx->agent)) {
		res_set(res, OP_FAIL, BM_CHECK_OUT_FIRST, NULL);
		return;
	}
	agent_set_device(ctx->m, ctx->agent, exten);
	res_set(res, OP_OK, BM_EXTEN_SET, NULL);
}

void op_agent_status(struct op_ctx *ctx, struct op_result *res)
{
	const struct agent *a = ctx->agent;
	struct le *le;

	if (list_isempty(&a->members)) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		return;
	}
	res_set(res, OP_OK, BM_GET_OK, NULL);
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		res_extra(res, "%lld-%s,", (long long)mb->group->id,
			  mb->checked_in ? agent_state_name(a->state) : "logout");
	}
}

void op_agent_realtime(struct op_ctx *ctx, struct op_result *res)
{
	const struct agent *a = ctx->agent;
	struct agent_day d;
	int64_t state_s;

	if (agent_day_stats(ctx->m, a, ctx->now, &d)) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		return;
	}
	state_s = a->since_ms ? (ctx->now - a->since_ms) / 1000 : 0;
	if (state_s < 0)
		state_s = 0;
	/* totals are the sums of the printed parts, so they always add up */
	int64_t secs[PK_COUNT], total_s = 0;
	for (int k = 0; k < PK_COUNT; k++) {
		secs[k] = d.pause_ms[k] / 1000;
		total_s += secs[k];
	}
	res_data(res, OP_OK, "%s|%s|%s|%lld|%u", a->name, a->number,
		 agent_state_name(a->state), (long long)state_s, d.pause_total);
	for (int k = 0; k < PK_COUNT; k++)
		res_data(res, OP_OK, "|%u", d.pause_count[k]);
	res_data(res, OP_OK, "|%lld", (long long)total_s);
	for (int k = 0; k < PK_COUNT; k++)
		res_data(res, OP_OK, "|%lld", (long long)secs[k]);
}
