/*
 * push.c — pushToken: a subscription token for browser events
 * (events/push.h). Not in the manuals; see the row's notes in optable.c.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "ops/op.h"
#include "core/occ.h"
#include "events/push.h"

static bool leads_any(const struct agent *a)
{
	struct le *le;

	if (!a)
		return false;
	LIST_FOREACH(&a->members, le)
		if (((const struct member *)le->data)->leader)
			return true;
	return false;
}

void op_push_token(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_TYPE];
	const struct agent *a = NULL;
	char tok[PUSH_TOKEN_MAX];
	int64_t exp;
	bool team;

	if (!*type)
		team = ctx->account != NULL;
	else if (!strcasecmp(type, "team"))
		team = true;
	else if (!strcasecmp(type, "agent"))
		team = false;
	else {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "type");
		return;
	}
	if (team && !ctx->account && !leads_any(ctx->agent)) {
		res_set(res, OP_FAIL, BM_NOT_LEADER_AGENT, NULL);
		return;
	}
	if (!team) {
		a = ctx->agent;
		if (!a) {
			res_set(res, OP_FAIL, BM_NO_ACCOUNT_AGENT, NULL);
			return;
		}
	}
	if (!ctx->occ->push ||
	    push_token(ctx->occ->push, ctx->team, a, PUSH_TOKEN_TTL, tok,
		       sizeof(tok), &exp)) {
		res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
		return;
	}
	res_data(res, OP_OK, "%s", tok);
	res_extra(res, "channel=%s%s&expires=%lld&ttl=%u", a ? "agent:" : "team",
		  a ? a->number : "", (long long)exp, (unsigned)PUSH_TOKEN_TTL);
}
