/*
 * push.c — pushToken: a subscription token for browser events
 * (events/push.h). Not in the manuals; see the row's notes in optable.c.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "ops/op.h"
#include "core/occ.h"
#include "core/agent.h"
#include "events/push.h"

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
	if (team && !ctx->account && !agent_leads_any(ctx->agent)) {
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
	    push_token(ctx->occ->push, ctx->team, a,
		       ctx->account ? NULL : ctx->agent, ctx->account,
		       PUSH_TOKEN_TTL, tok, sizeof(tok), &exp)) {
		res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
		return;
	}
	res_data(res, OP_OK, "%s", tok);
	res_extra(res, "channel=%s%s&expires=%lld&ttl=%u", a ? "agent:" : "team",
		  a ? a->number : "", (long long)exp, (unsigned)PUSH_TOKEN_TTL);
}
