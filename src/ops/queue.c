/*
 * queue.c — the agent's work in its groups: queueAction (check in/out),
 * queuePause, acwAction, acwOff, workwayAction.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "core/agent.h"
#include "ops/op.h"
#include "ops/util.h"

/* queueAction's per-group outcome words (manual §4.3) */
static const char *check_in(struct op_ctx *ctx, struct group *g)
{
	struct member *mb = g ? agent_membership(ctx->agent, g) : NULL;

	if (!g)
		return "NotFoundGroup";
	if (!mb)
		return "NotInGroup";
	if (mb->checked_in)
		return "CheckedIn";
	agent_checkin(ctx->m, mb);
	return "success";
}

static const char *check_out(struct op_ctx *ctx, struct group *g)
{
	struct member *mb = g ? agent_membership(ctx->agent, g) : NULL;

	if (!g)
		return "NotFoundGroup";
	if (!mb || !mb->checked_in)
		return "NotChecked";
	agent_checkout(ctx->m, mb);
	return "success";
}

static void queue_one(struct op_ctx *ctx, struct op_result *res, bool in,
		      const struct pl *tok, struct group *g, bool *any_ok)
{
	const char *word = in ? check_in(ctx, g) : check_out(ctx, g);

	*any_ok |= !strcmp(word, "success");
	res_data(res, OP_OK, "%s%r:%s", res->data ? "," : "", tok, word);
}

void op_queue_action(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_TYPE], *list = ctx->args[P_LIST];
	const char *dev = ctx->args[P_DEVICEEXTEN];
	struct agent *a = ctx->agent;
	bool in, any_ok = false;
	struct pl tok;

	if (strcmp(type, "1") && strcmp(type, "2")) {
		res_set(res, OP_FAIL, BM_BAD_TYPE, NULL);
		return;
	}
	in = type[0] == '1';
	/* the device matters on check-in only */
	if (in && *dev && !exten_find(ctx->team, dev)) {
		res_set(res, OP_FAIL, BM_EXTEN_NOT_EXIST, NULL);
		return;
	}
	if (!*list && list_isempty(&a->members)) {
		res_set(res, OP_FAIL, in ? BM_NO_GROUP_TO_CHECKIN
			: BM_NOT_CHECKED_IN, NULL);
		return;
	}
	if (!*list && !in && !agent_checked_in_any(a)) {
		res_set(res, OP_FAIL, BM_NOT_CHECKED_IN, NULL);
		return;
	}
	if (*list) {
		while (list_next(&list, &tok))
			queue_one(ctx, res, in, &tok,
				  group_of_pl(ctx->team, &tok), &any_ok);
	}
	else {
		struct le *le;
		LIST_FOREACH(&a->members, le) {
			struct member *mb = le->data;
			char id[24];
			re_snprintf(id, sizeof(id), "%lld",
				    (long long)mb->group->id);
			pl_set_str(&tok, id);
			queue_one(ctx, res, in, &tok, mb->group, &any_ok);
		}
	}
	if (!res->data) {          /* a list of only commas and blanks */
		res_set(res, OP_FAIL, BM_EMPTY_PARAM, "list");
		return;
	}
	res->code = any_ok ? OP_OK : OP_PARTIAL;
	if (in && *dev && any_ok)
		agent_set_device(ctx->m, a, dev);
}

void op_queue_pause(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_TYPE];
	const char *reason = ctx->args[P_PAUSE_REASON];
	bool dnd = ctx->args[P_DND][0] != '\0';
	struct agent *a = ctx->agent;

	if (strcmp(type, "1") && strcmp(type, "2")) {
		res_set(res, OP_FAIL, BM_BAD_TYPE, NULL);
		return;
	}
	if (!agent_checked_in_any(a)) {
		res_set(res, OP_FAIL, BM_NOT_CHECKED_IN, NULL);
		return;
	}
	if (type[0] == '1') {
		if (!*reason) {
			res_set(res, OP_FAIL, BM_EMPTY_PARAM, "pause_reason");
			return;
		}
		if (a->state == AS_PAUSE) {
			res_set(res, OP_FAIL, BM_ALREADY_PAUSED, NULL);
			return;
		}
		if (a->state != AS_IDLE && a->state != AS_ACW) {
			res_set(res, OP_FAIL, BM_QUEUE_SWITCH_FAIL, NULL);
			return;
		}
		agent_pause(ctx->m, a, reason);
		if (dnd)
			agent_set_dnd(ctx->m, a, true);
	}
	else if (a->state != AS_PAUSE && dnd && a->dnd) {
		agent_set_dnd(ctx->m, a, false);   /* unpaused earlier */
	}
	else {
		if (a->state != AS_PAUSE) {
			res_set(res, OP_FAIL, BM_QUEUE_SWITCH_FAIL, NULL);
			return;
		}
		agent_unpause(ctx->m, a);
		if (dnd)
			agent_set_dnd(ctx->m, a, false);
	}
	res_set(res, OP_OK, BM_QUEUE_SWITCH_OK, NULL);
}

/* Collect the checked-in memberships named by list (empty: all checked-in
 * ones). Returns false if any named group is unknown, not the agent's, or
 * not checked in: nothing is changed then. */
static bool checked_in_members(struct op_ctx *ctx, const char *list,
			       struct member **out, size_t max, size_t *n)
{
	struct pl tok;
	struct le *le;

	*n = 0;
	if (!*list) {
		LIST_FOREACH(&ctx->agent->members, le) {
			struct member *mb = le->data;
			if (mb->checked_in && *n < max)
				out[(*n)++] = mb;
		}
		return true;
	}
	while (list_next(&list, &tok)) {
		struct group *g = group_of_pl(ctx->team, &tok);
		struct member *mb = g ? agent_membership(ctx->agent, g) : NULL;
		if (!mb || !mb->checked_in || *n >= max)
			return false;
		out[(*n)++] = mb;
	}
	return *n > 0;
}

enum { MAX_GROUPS = 256 };

void op_acw_action(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_TYPE];
	struct member *mbs[MAX_GROUPS];
	size_t n;

	if (strcmp(type, "1") && strcmp(type, "2") && strcmp(type, "3")) {
		res_set(res, OP_FAIL, BM_BAD_TYPE, NULL);
		return;
	}
	if (!agent_checked_in_any(ctx->agent)) {
		res_set(res, OP_FAIL, BM_NOT_CHECKED_IN, NULL);
		return;
	}
	if (!checked_in_members(ctx, ctx->args[P_AGENT_GROUP_ID], mbs,
				MAX_GROUPS, &n)) {
		res_set(res, OP_FAIL, BM_ACW_MODE_FAIL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		member_set_modes(ctx->m, mbs[i], type[0] - '0', -1);
	res_set(res, OP_OK, BM_ACW_MODE_OK, NULL);
}

void op_acw_off(struct op_ctx *ctx, struct op_result *res)
{
	if (ctx->agent->state != AS_ACW) {
		res_set(res, OP_FAIL, BM_NOT_IN_ACW, NULL);
		return;
	}
	agent_acw_end(ctx->m, ctx->agent);
	res_set(res, OP_OK, BM_ACW_END_OK, NULL);
}

void op_workway_action(struct op_ctx *ctx, struct op_result *res)
{
	static const char *const words[] = {
		[WORK_ALL] = "all", [WORK_DIALIN] = "dialin",
		[WORK_DIALOUT] = "dialout",
	};
	struct member *mbs[MAX_GROUPS];
	int mode = -1;
	size_t n;

	for (int i = 0; i < (int)ARRAY_SIZE(words); i++)
		if (!strcasecmp(ctx->args[P_STATUS], words[i]))
			mode = i;
	if (mode < 0) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "status");
		return;
	}
	if (!agent_checked_in_any(ctx->agent)) {
		res_set(res, OP_FAIL, BM_NOT_CHECKED_IN, NULL);
		return;
	}
	if (!checked_in_members(ctx, ctx->args[P_AGENT_GROUP_ID], mbs,
				MAX_GROUPS, &n)) {
		res_set(res, OP_FAIL, BM_WORKWAY_FAIL, NULL);
		return;
	}
	for (size_t i = 0; i < n; i++)
		member_set_modes(ctx->m, mbs[i], 0, mode);
	res_set(res, OP_OK, BM_WORKWAY_OK, NULL);
}
