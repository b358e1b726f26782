/*
 * callback.c — calls placed for a phone rather than by an agent:
 * deviceCall (asterCC 2.1: an extension of the team dials, no
 * credentials) and backCall (cocc: two-leg callback billed to an
 * account; the initiator is any number). Both ring the initiator first
 * and, once it answers, the target — the engine's makeCall path
 * (sip/call.c) with its events, recording and CDR.
 *
 * Whose call it is: an agent who is checked in, idle and working on the
 * initiating extension (its `device`) owns the call — its state rings,
 * talks and goes to ACW as with makeCall, in its first checked-in group.
 * Otherwise the call has no agent and changes no agent's state (a paused
 * agent's deskphone may still dial; the pause stands).
 *
 * The target: an extension of the team rings that phone (SIP or
 * built-in; if an agent works on it and is idle, its state follows, as
 * for makeCall's targettype=inner); anything else is a number dialled
 * over the team's default trunk.
 */
#include <string.h>
#include <re.h>
#include "core/agent.h"
#include "core/occ.h"
#include "ops/op.h"
#include "ops/util.h"
#include "sip/call.h"
#include "sip/registrar.h"
#include "sip/tel.h"

/* The checked-in agent working on extension number, or NULL. */
static struct agent *agent_on(const struct team *t, const char *number)
{
	struct le *le;

	LIST_FOREACH(&t->agent_list, le) {
		struct agent *a = le->data;
		if (!strcmp(a->device, number) && agent_checked_in_any(a))
			return a;
	}
	return NULL;
}

static struct member *first_checked_in(const struct agent *a)
{
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct member *mb = le->data;
		if (mb->checked_in)
			return mb;
	}
	return NULL;
}

/* Can extension e ring now (built-in, or registered)? */
static bool exten_can_ring(const struct op_ctx *ctx, const struct exten *e)
{
	return !strcmp(e->kind, "virtual") ||
		registrar_lookup(tel_registrar(ctx->occ->tel),
				 ctx->team->name, e->number);
}

/* The call's target in req: an extension of the team, or a number. */
static bool target_of(struct op_ctx *ctx, struct call_req *req,
		      struct op_result *res)
{
	const char *dn = ctx->args[P_TARGETDN];
	const struct exten *e = exten_find(ctx->team, dn);
	const struct agent *a;

	if (!dial_string_ok(dn)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "targetdn");
		return false;
	}
	req->target = dn;
	if (!e)
		return true;                  /* over the trunk */
	if (!exten_can_ring(ctx, e)) {
		res_set(res, OP_FAIL, BM_NOT_REGISTERED, NULL);
		return false;
	}
	req->target_inner = true;
	req->target_exten = e->number;
	a = agent_on(ctx->team, e->number);
	if (a && a->state == AS_IDLE &&
	    !call_of_agent(ctx->occ->tel, ctx->team->name, a->number))
		req->target = a->number;      /* its state follows */
	else
		req->target_exten_only = true;
	return true;
}

/* The initiator in req: an extension of the team (its agent, if one is
 * idle on it, owns the call), or — for backCall — a number. */
static bool initiator_of(struct op_ctx *ctx, struct call_req *req,
			 bool any_number, struct op_result *res)
{
	const char *exten = ctx->args[P_EXTEN];
	const struct exten *e = exten_find(ctx->team, exten);
	struct agent *a;
	struct member *mb;

	req->agent = "";
	req->agent_exten = exten;
	if (!e) {
		if (!any_number) {
			res_set(res, OP_FAIL, BM_EXTEN_NOT_EXIST, NULL);
			return false;
		}
		if (!dial_string_ok(exten)) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "exten");
			return false;
		}
		req->first_over_trunk = true;
		return true;
	}
	if (!exten_can_ring(ctx, e)) {
		res_set(res, OP_FAIL, BM_NOT_REGISTERED, NULL);
		return false;
	}
	a = agent_on(ctx->team, e->number);
	if (a && call_of_agent(ctx->occ->tel, ctx->team->name, a->number)) {
		res_set(res, OP_FAIL, BM_CALL_DUPLICATE, NULL);
		return false;
	}
	mb = a && a->state == AS_IDLE ? first_checked_in(a) : NULL;
	if (mb) {
		req->agent = a->number;
		req->group_id = mb->group->id;
		req->acw_mode = mb->acw_mode;
	}
	return true;
}

/* Caller ids: the target's (callerid; qbackcall's xcallerid) and, for
 * qbackcall, the initiator's own (icallerid). */
static void place(struct op_ctx *ctx, struct call_req *req,
		  enum param target_cid, enum param first_cid,
		  struct op_result *res)
{
	char sessionid[ST_SESSIONID];

	req->team = ctx->team->name;
	req->callerid = ctx->args[target_cid];
	req->first_callerid = first_cid ? ctx->args[first_cid] : "";
	req->trunk = "";
	req->modeltype = req->model_id = "";
	req->userdata = ctx->args[P_USERDATA];
	if (*req->callerid && !dial_string_ok(req->callerid)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR,
			param_defs[target_cid].name);
		return;
	}
	if (*req->first_callerid && !dial_string_ok(req->first_callerid)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, param_defs[first_cid].name);
		return;
	}
	call_result(res, call_make(ctx->occ->tel, req, sessionid));
}

void op_device_call(struct op_ctx *ctx, struct op_result *res)
{
	struct call_req req = { 0 };

	if (initiator_of(ctx, &req, false, res) && target_of(ctx, &req, res))
		place(ctx, &req, P_CALLERID, P_END, res);
}

void op_back_call(struct op_ctx *ctx, struct op_result *res)
{
	struct call_req req = { .account = ctx->account->name };

	if (initiator_of(ctx, &req, true, res) && target_of(ctx, &req, res))
		place(ctx, &req, P_CALLERID, P_END, res);
}

void op_qback_call(struct op_ctx *ctx, struct op_result *res)
{
	struct call_req req = { .account = ctx->account->name };

	if (initiator_of(ctx, &req, true, res) && target_of(ctx, &req, res))
		place(ctx, &req, P_XCALLERID, P_ICALLERID, res);
}
