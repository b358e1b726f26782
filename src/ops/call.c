/*
 * call.c — call control on the agent's call: makeCall, hangup, hold,
 * resume, sendDtmf, setVar, and getMonitor for recordings. The telephony
 * is src/sip/call.c; this file decides what each request may do and which
 * BackMsg answers it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/conf.h"
#include "core/agent.h"
#include "core/occ.h"
#include "ops/op.h"
#include "ops/util.h"
#include "sip/call.h"
#include "sip/registrar.h"
#include "sip/tel.h"

static struct tel *tel_of(const struct op_ctx *ctx)
{
	return ctx->occ->tel;
}

/* The membership that governs this call: agentgroupid if given, else the
 * agent's first checked-in group. */
static struct member *call_member(struct op_ctx *ctx, struct op_result *res)
{
	const char *gid = ctx->args[P_AGENTGROUPID];
	struct member *mb;

	if (*gid) {
		struct group *g = group_of_str(ctx->team, gid);
		mb = g ? agent_membership(ctx->agent, g) : NULL;
		if (!g) {
			res_set(res, OP_FAIL, BM_GROUP_NOT_EXIST, NULL);
			return NULL;
		}
		if (!mb || !mb->checked_in) {
			res_set(res, OP_FAIL, BM_CALL_NOT_CHECKED_IN, NULL);
			return NULL;
		}
		return mb;
	}
	mb = dialout_member(ctx->agent);
	if (!mb)
		res_set(res, OP_FAIL, BM_CALL_NOT_CHECKED_IN, NULL);
	return mb;
}

static bool modeltype_ok(const char *s)
{
	static const char *const words[] = { "", "BusinessApp", "Campaign",
		"Virtualcustomer", "Customerservice" };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (!strcasecmp(s, words[i]))
			return true;
	return false;
}

/* The extension that will ring, if it can ring (118/119 otherwise). */
static bool device_ready(struct op_ctx *ctx, const struct agent *a,
			 struct op_result *res)
{
	const struct exten *e = a->device[0] ? exten_find(ctx->team, a->device)
		: NULL;

	if (!e) {
		res_set(res, OP_FAIL, BM_NO_DEVICE, NULL);
		return false;
	}
	if (strcmp(e->kind, "virtual") &&
	    !registrar_lookup(tel_registrar(tel_of(ctx)), ctx->team->name,
			      e->number)) {
		res_set(res, OP_FAIL, BM_NOT_REGISTERED, NULL);
		return false;
	}
	return true;
}

void op_make_call(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_TARGETTYPE];
	const char *exten = ctx->args[P_AGENTEXTEN];
	struct agent *a = ctx->agent, *callee = NULL;
	struct member *mb;
	char sessionid[ST_SESSIONID];
	bool inner = !strcasecmp(type, "inner");

	if (!inner && strcasecmp(type, "exter")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "targettype");
		return;
	}
	if (!inner && !dial_string_ok(ctx->args[P_TARGETDN])) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "targetdn");
		return;
	}
	if (*ctx->args[P_CALLERID] && !dial_string_ok(ctx->args[P_CALLERID])) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "callerid");
		return;
	}
	if (!modeltype_ok(ctx->args[P_MODELTYPE])) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "modeltype");
		return;
	}
	if (*exten && !exten_find(ctx->team, exten)) {
		res_set(res, OP_FAIL, BM_EXTEN_NOT_EXIST, NULL);
		return;
	}
	if (!agent_checked_in_any(a)) {
		res_set(res, OP_FAIL, BM_CALL_NOT_CHECKED_IN, NULL);
		return;
	}
	if (call_of_agent(tel_of(ctx), ctx->team->name, a->number)) {
		res_set(res, OP_FAIL, BM_CALL_DUPLICATE, NULL);
		return;
	}
	if (a->state != AS_IDLE) {
		res_set(res, OP_FAIL, BM_CALL_AGENT_STATE,
			agent_state_name(a->state));
		return;
	}
	mb = call_member(ctx, res);
	if (!mb)
		return;
	if (mb->work_mode == WORK_DIALIN) {
		res_set(res, OP_FAIL, BM_CALL_RESTRICTED, NULL);
		return;
	}
	if (*exten)
		agent_set_device(ctx->m, a, exten);
	if (!device_ready(ctx, a, res))
		return;
	if (inner) {
		callee = agent_find(ctx->team, ctx->args[P_TARGETDN]);
		if (!callee || callee == a) {
			res_set(res, OP_FAIL, BM_CALL_NO_AGENT, NULL);
			return;
		}
		if (call_of_agent(tel_of(ctx), ctx->team->name,
				  callee->number)) {
			res_set(res, OP_FAIL, BM_CALL_AGENT_STATE, "busy");
			return;
		}
		if (!device_ready(ctx, callee, res))
			return;
	}
	struct call_req req = {
		.team = ctx->team->name, .agent = a->number,
		.agent_exten = a->device, .group_id = mb->group->id,
		.acw_mode = mb->acw_mode, .target = ctx->args[P_TARGETDN],
		.target_inner = inner,
		.target_exten = callee ? callee->device : "",
		.callee_acw_mode = callee ? agent_acw_mode(callee, mb->group)
					  : ACW_OFF,
		.callerid = ctx->args[P_CALLERID],
		.trunk = ctx->args[P_TRUNKIDENTITY],
		.modeltype = ctx->args[P_MODELTYPE],
		.model_id = ctx->args[P_MODEL_ID],
		.userdata = ctx->args[P_USERDATA],
	};
	call_result(res, call_make(tel_of(ctx), &req, sessionid));
}

/* The agent whose call is meant: targetagent, or the caller. Acting on
 * another agent's call takes a leader of one of its groups (or an
 * account). */
static struct agent *target_agent(struct op_ctx *ctx, struct op_result *res)
{
	const char *num = ctx->args[P_TARGETAGENT];
	struct agent *t;
	struct le *le;

	if (!*num || (ctx->agent && !strcmp(num, ctx->agent->number))) {
		if (!ctx->agent)
			res_set(res, OP_FAIL, BM_NO_ACCOUNT_AGENT, NULL);
		return ctx->agent;
	}
	t = agent_find(ctx->team, num);
	if (!t) {
		res_set(res, OP_FAIL, BM_AGENT_NOT_EXIST, num);
		return NULL;
	}
	if (ctx->account)
		return t;
	LIST_FOREACH(&t->members, le)
		if (agent_leads(ctx->agent, ((struct member *)le->data)->group))
			return t;
	res_set(res, OP_FAIL, BM_NOT_LEADER, NULL);
	return NULL;
}

static void hangup_channels(struct op_ctx *ctx, struct op_result *res)
{
	const char *list = ctx->args[P_UNIQUEID];
	bool any = false;
	struct pl tok;

	if (!*list) {
		res_set(res, OP_FAIL, BM_EMPTY_PARAM, "uniqueid");
		return;
	}
	while (list_next(&list, &tok)) {
		bool ok = false;
		char *end, id[24];
		if (tok.l < sizeof(id)) {
			pl_strcpy(&tok, id, sizeof(id));
			long long v = strtoll(id, &end, 10);
			ok = !*end && v > 0 &&
				!call_hangup_leg(tel_of(ctx), ctx->team->name, v);
		}
		any |= ok;
		res_data(res, OP_OK, "%s%r:%s", res->data ? "," : "", &tok,
			 ok ? "success" : "failed");
	}
	if (!res->data)
		res_set(res, OP_FAIL, BM_EMPTY_PARAM, "uniqueid");
	else if (!any)
		res->code = OP_FAIL;
}

void op_hangup(struct op_ctx *ctx, struct op_result *res)
{
	static const struct { const char *word; int t; } targets[] = {
		{ "channel", -1 }, { "agent", TARGET_AGENT },
		{ "caller", TARGET_CALLER }, { "all", TARGET_ALL },
		{ "consult", -4 }, { "groupadmin", -2 },
	};
	const char *target = ctx->args[P_TARGET];
	struct agent *a;
	struct call *c;
	int t = -3;

	for (size_t i = 0; i < ARRAY_SIZE(targets); i++)
		if (!strcasecmp(target, targets[i].word))
			t = targets[i].t;
	if (t == -3) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "target");
		return;
	}
	if (t == -1) {
		hangup_channels(ctx, res);
		return;
	}
	a = target_agent(ctx, res);
	if (!a)
		return;
	c = call_of_agent(tel_of(ctx), ctx->team->name, a->number);
	if (c && t == -4) {                     /* consult: by uniqueid or any */
		const char *u = ctx->args[P_UNIQUEID];
		long long id = *u ? strtoll(u, NULL, 10) : 0;
		if (call_hangup_consult(c, id)) {
			res_set(res, OP_FAIL, BM_NO_CALL, NULL);
			return;
		}
		res_set(res, OP_OK, BM_HANGUP_OK, NULL);
		return;
	}
	if (c && t == -2) {                     /* groupadmin: the supervisor */
		/* a monitored agent may not end (nor detect) its monitoring:
		 * this is the leader's, named by targetagent, or an account's */
		if (!ctx->account && a == ctx->agent) {
			res_set(res, OP_FAIL, BM_NOT_LEADER, NULL);
			return;
		}
		if (call_hangup_supervisor(c)) {
			res_set(res, OP_FAIL, BM_NO_CALL, NULL);
			return;
		}
		res_set(res, OP_OK, BM_HANGUP_OK, NULL);
		return;
	}
	if (!c || t < 0 || call_hangup(c, t, "api")) {
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_HANGUP_OK, NULL);
}

static struct call *agent_call(struct op_ctx *ctx, struct op_result *res)
{
	struct call *c = call_of_agent(tel_of(ctx), ctx->team->name,
				       ctx->agent->number);
	if (!c)
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
	return c;
}

void op_hold(struct op_ctx *ctx, struct op_result *res)
{
	const char *silence = ctx->args[P_SILENCE];
	struct call *c = agent_call(ctx, res);

	if (!c)
		return;
	if (*silence && strcmp(silence, "0") && strcmp(silence, "1")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "silence");
		return;
	}
	if (!call_two_party(c)) {
		res_set(res, OP_FAIL, BM_NOT_TWO_PARTY, NULL);
		return;
	}
	if (call_on_hold(c) || call_hold(c, silence[0] == '1')) {
		res_set(res, OP_FAIL, BM_HOLD_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_HOLD_OK, NULL);
}

void op_resume(struct op_ctx *ctx, struct op_result *res)
{
	struct call *c = agent_call(ctx, res);

	if (!c)
		return;
	if (!call_on_hold(c) || call_resume(c)) {
		res_set(res, OP_FAIL, BM_RESUME_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_RESUME_OK, NULL);
}

void op_send_dtmf(struct op_ctx *ctx, struct op_result *res)
{
	const char *d = ctx->args[P_DTMF];
	struct call *c;

	for (const char *p = d; *p; p++) {
		if (!((*p >= '0' && *p <= '9') || *p == '*' || *p == '#')) {
			res_set(res, OP_FAIL, BM_DTMF_BAD, NULL);
			return;
		}
	}
	c = agent_call(ctx, res);
	if (!c)
		return;
	if (call_send_dtmf(c, d)) {
		res_set(res, OP_FAIL, BM_DTMF_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_DTMF_OK, NULL);
}

void op_set_var(struct op_ctx *ctx, struct op_result *res)
{
	const char *name = ctx->args[P_VARNAME];
	struct call *c;

	/* ^[A-Z0-9][A-Z0-9_-]*$ (manual §4.29) */
	for (const char *p = name; *p; p++) {
		bool up = *p >= 'A' && *p <= 'Z', dig = *p >= '0' && *p <= '9';
		if (!(up || dig || (p != name && (*p == '_' || *p == '-')))) {
			res_set(res, OP_FAIL, BM_VARNAME_BAD, NULL);
			return;
		}
	}
	c = agent_call(ctx, res);
	if (!c)
		return;
	if (call_set_var(c, name, ctx->args[P_VARVALUE])) {
		res_set(res, OP_FAIL, BM_SETVAR_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_SETVAR_OK, NULL);
}

/* Is file a recording of this session (named "...-<sessionid>.wav")? */
static bool segment_of(const char *file, const char *sid)
{
	size_t fl = strlen(file), sl = strlen(sid);

	return sl && fl > sl + 5 && file[fl - sl - 5] == '-' &&
		!strncmp(file + fl - sl - 4, sid, sl) &&
		!strcmp(file + fl - 4, ".wav");
}

void op_monitor_ctrl(struct op_ctx *ctx, struct op_result *res)
{
	const char *action = ctx->args[P_ACTION];
	bool start = !strcasecmp(action, "start");
	char file[128];
	struct call *c;
	int err;

	if (!start && strcasecmp(action, "stop")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "action");
		return;
	}
	c = agent_call(ctx, res);
	if (!c)
		return;
	err = start ? call_segment_start(c, file, sizeof(file))
		: call_segment_stop(c, file, sizeof(file));
	if (err == EINVAL)
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
	else if (err)
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
	else
		res_data(res, OP_OK, "%s", file);
}

void op_yealink_answer(struct op_ctx *ctx, struct op_result *res)
{
	bool action_uri = !strcasecmp(ctx->args[P_TYPE], "action-uri");
	char where[128];
	int err;

	err = call_remote_answer(tel_of(ctx), ctx->team->name,
				 ctx->agent->number, action_uri, where,
				 sizeof(where));
	if (!err)
		res_set(res, OP_OK, BM_PHONE_REQUEST_SENT, where);
	else if (err == ENOENT)
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
	else
		res_set(res, OP_FAIL, BM_NOT_REGISTERED, NULL);
}

void op_get_monitor(struct op_ctx *ctx, struct op_result *res)
{
	const char *sid = ctx->args[P_SESSIONID], *date = ctx->args[P_CALLDATE];
	const char *seg = ctx->args[P_FILENAME];
	struct st_cdr *cdr = mem_zalloc(sizeof(*cdr), NULL);
	const struct team *t;
	char url[1024];

	if (!cdr) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		return;
	}
	if (store_cdr_get(ctx->occ->st, sid, cdr) ||
	    (*date && strcmp(date, cdr->calldate))) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		goto out;
	}
	t = team_find_id(ctx->occ->m, cdr->team_id);  /* NULL: deleted */
	if (*seg && !segment_of(seg, cdr->sessionid)) {
		res_set(res, OP_FAIL, BM_FILE_NOT_FOUND, NULL);
		goto out;
	}
	if (!cdr->recording[0] ||
	    tel_recording_url(tel_of(ctx), t ? t->name : NULL,
			      *seg ? seg : cdr->recording, url, sizeof(url))) {
		res_set(res, OP_FAIL, BM_FILE_NOT_FOUND, NULL);
		goto out;
	}
	res_data(res, OP_OK, "%s", url);
 out:
	mem_deref(cdr);
}

/* ---- consult, transfer, call return, conference ------------------------- */

void op_consult(struct op_ctx *ctx, struct op_result *res)
{
	const char *type = ctx->args[P_CONSULTTYPE];
	const char *target = ctx->args[P_TARGETDN];
	bool inner = !strcasecmp(type, "internal");
	struct agent *k = NULL;
	struct member *consult_mb = NULL;
	struct call *c;

	if (!inner && strcasecmp(type, "external")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "consulttype");
		return;
	}
	if (!inner && !dial_string_ok(target)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "targetdn");
		return;
	}
	c = call_of_agent(tel_of(ctx), ctx->team->name, ctx->agent->number);
	if (c && call_consulting(c)) {
		res_set(res, OP_FAIL, BM_ALREADY_CONSULTING, NULL);
		return;
	}
	if (!c || !call_two_party(c)) {
		res_set(res, OP_FAIL, BM_CONSULT_FAIL, NULL);
		return;
	}
	if (inner) {
		struct group *g = group_of_str(ctx->team,
					       ctx->args[P_AGENTGROUPID]);
		k = agent_find(ctx->team, target);
		consult_mb = k && g ? agent_membership(k, g) : NULL;
		if (!k || k == ctx->agent || !consult_mb ||
		    !consult_mb->checked_in) {
			res_set(res, OP_FAIL, BM_CONSULTEE_NOT_IN, NULL);
			return;
		}
		if (k->state != AS_IDLE ||
		    call_of_agent(tel_of(ctx), ctx->team->name, k->number)) {
			res_set(res, OP_FAIL, BM_CONSULT_STATE,
				agent_state_name(k->state));
			return;
		}
		if (!device_ready(ctx, k, res))
			return;
	}
	struct consult_req req = {
		.inner = inner, .target = target,
		.exten = k ? k->device : "", .trunk = "",
		.acw_mode = consult_mb ? consult_mb->acw_mode : ACW_OFF,
	};
	if (call_consult(c, &req)) {
		res_set(res, OP_FAIL, BM_CONSULT_DIAL_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_CONSULT_OK, NULL);
}

/* The three that act on an ongoing consult. */
static void consult_op(struct op_ctx *ctx, struct op_result *res,
		       int (*act)(struct call *c), int ok, int fail)
{
	struct call *c = call_of_agent(tel_of(ctx), ctx->team->name,
				       ctx->agent->number);

	if (!c || act(c)) {
		res_set(res, OP_FAIL, fail, NULL);
		return;
	}
	res_set(res, OP_OK, ok, NULL);
}

void op_transfer(struct op_ctx *ctx, struct op_result *res)
{
	consult_op(ctx, res, call_transfer, BM_TRANSFER_OK, BM_TRANSFER_FAIL);
}

void op_call_return(struct op_ctx *ctx, struct op_result *res)
{
	consult_op(ctx, res, call_consult_return, BM_RETURN_OK,
		   BM_RETURN_FAIL);
}

void op_conference(struct op_ctx *ctx, struct op_result *res)
{
	consult_op(ctx, res, call_conference, BM_CONFERENCE_OK,
		   BM_CONFERENCE_FAIL);
}

/* ---- supervision (leader rights checked by the dispatcher) -------------- */

static void supervise(struct op_ctx *ctx, struct op_result *res,
		      enum supervise_mode mode, int ok, int fail)
{
	const char *number = ctx->args[P_PHONENUMBER];
	const struct exten *e = exten_find(ctx->team, number);
	struct call *c = call_of_agent(tel_of(ctx), ctx->team->name,
				       ctx->args[P_TARGET]);
	const char *leader = ctx->agent ? ctx->agent->number
		: ctx->account->name;

	if (!e && !dial_string_ok(number)) {    /* it would go to the trunk */
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "phonenumber");
		return;
	}
	if (!c || !call_talking(c)) {
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
		return;
	}
	/* not a call he is in (his own), nor one with his phone in it */
	if (call_involves(c, leader, e ? e->number : NULL)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "target");
		return;
	}
	/* an extension must be able to ring; a number goes to the trunk */
	if (e && strcmp(e->kind, "virtual") &&
	    !registrar_lookup(tel_registrar(tel_of(ctx)), ctx->team->name,
			      e->number)) {
		res_set(res, OP_FAIL, fail, NULL);
		return;
	}
	if (call_supervise(c, mode, leader, number, e ? e->number : NULL)) {
		res_set(res, OP_FAIL, fail, NULL);
		return;
	}
	res_set(res, OP_OK, ok, NULL);
}

void op_silent_monitor(struct op_ctx *ctx, struct op_result *res)
{
	supervise(ctx, res, SUP_MONITOR, BM_MONITOR_OK, BM_MONITOR_FAIL);
}

void op_whisper(struct op_ctx *ctx, struct op_result *res)
{
	supervise(ctx, res, SUP_WHISPER, BM_WHISPER_OK, BM_WHISPER_FAIL);
}

void op_intrude(struct op_ctx *ctx, struct op_result *res)
{
	supervise(ctx, res, SUP_BARGE, BM_BARGE_OK, BM_BARGE_FAIL);
}

void op_forced_release(struct op_ctx *ctx, struct op_result *res)
{
	struct call *c = call_of_agent(tel_of(ctx), ctx->team->name,
				       ctx->args[P_TARGET]);

	if (!c) {
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
		return;
	}
	if (call_hangup(c, TARGET_ALL, "api")) {
		res_set(res, OP_FAIL, BM_RELEASE_FAIL, NULL);
		return;
	}
	res_set(res, OP_OK, BM_RELEASE_OK, NULL);
}

/* ---- agentToIvr ------------------------------------------------------------ */

void op_agent_to_ivr(struct op_ctx *ctx, struct op_result *res)
{
	const char *flow = ctx->args[P_IVRFLOW], *tr = ctx->args[P_TRANSFER];
	struct call *c = call_of_agent(tel_of(ctx), ctx->team->name,
				       ctx->agent->number);
	int err;

	if (tr[0] && strcmp(tr, "0") && strcmp(tr, "1")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "transfer");
		return;
	}
	/* keys and dashes: the walk checks the keys themselves */
	if (strspn(flow, "0123456789*-") != strlen(flow)) {
		res_set(res, OP_FAIL, BM_IVR_BAD_FLOW, NULL);
		return;
	}
	if (!c) {
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
		return;
	}
	err = call_to_ivr(c, ctx->args[P_IVREXTEN], flow, !strcmp(tr, "1"));
	switch (err) {
	case 0:
		res_set(res, OP_OK, BM_IVR_OK, NULL);
		break;
	case EBUSY:
		res_set(res, OP_FAIL, BM_IVR_IN_CONSULT, NULL);
		break;
	case EPERM:
		res_set(res, OP_FAIL, BM_IVR_IN_CONFERENCE, NULL);
		break;
	case ENOENT:
		res_set(res, OP_FAIL, BM_IVR_NO_MAIN, NULL);
		break;
	case EINVAL:
		res_set(res, OP_FAIL, BM_IVR_BAD_FLOW, NULL);
		break;
	case ENOTCONN:
		res_set(res, OP_FAIL, BM_NO_CALL, NULL);
		break;
	default:
		res_set(res, OP_FAIL, BM_IVR_FAIL, NULL);
		break;
	}
}
