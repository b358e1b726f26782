/*
 * dispatch.c — checks run once, centrally, in this order:
 *
 *   1. every value within its parameter's maxlen, and no '|' in the
 *      identifiers that replies echo                     BackMsg_28[name]
 *   2. required parameters present and not blank         BackMsg_01[name]
 *   3. usertype / pwdtype words (defaults agent, plaintext)  BackMsg_28[name]
 *   4. team from orgidentity                             BackMsg_02
 *      (for operations with credentials, after the slow hash a wrong
 *      password costs: timing does not tell which teams exist); with
 *      several nodes, a team that exists but is not served here (a
 *      takeover under way, or forwarding failed)         BackMsg_100
 *   5. credentials: agent 03, account 63, disabled account 05 (failures
 *      rate-limited per user, source and network, core/auth.h);
 *      verifications busy                                BackMsg_100
 *   6. OPF_AGENT: an account acts through its linked agent   BackMsg_38
 *   7. OPF_LEADER_GROUP / OPF_LEADER_TARGET              BackMsg_50/65, 09/68
 *   8. the handler (none yet: BackMsg_100)
 *
 * Before them, a row with `with_user` hands a request that carries a user
 * to that row (cocc's DeviceCall with an account is backCall).
 *
 * A credential check that needs the slow hash does not answer at once:
 * dispatch_run returns the wait, the adapter parks the request
 * (api_park) and the route runs again with the verdict.
 *
 * A handler that returns a BackMsg its row does not declare is logged as an
 * error; the API tests fail on such lines.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#define LOG_TOPIC "api.dispatch"
#include "base/log.h"
#include "base/form.h"
#include "core/auth.h"
#include "core/agent.h"
#include "core/pwhash.h"
#include "api/dispatch.h"
#include "cluster/cluster.h"
#include "core/occ.h"
#include "events/callev.h"
#include "events/events.h"
#include "ops/util.h"

void dispatch_args_named(struct dispatch_args *da, const struct form *f)
{
	memset(da, 0, sizeof(*da));
	for (size_t i = 0; i < f->n; i++) {
		enum param p = param_lookup(f->v[i].name);
		if (p != P_END && !da->v[p])
			da->v[p] = f->v[i].value;
	}
}

static bool word_ok(const char *v, const char *a, const char *b)
{
	return !v || !*v || !strcasecmp(v, a) || !strcasecmp(v, b);
}

/* Does mapping vals by order put sensible words in usertype and pwdtype? */
static bool order_fits(const enum param *order, const char *const *vals,
		       size_t n)
{
	const char *ut = NULL, *pt = NULL;

	for (size_t i = 0; i < n; i++) {
		if (order[i] == P_USERTYPE)
			ut = vals[i];
		else if (order[i] == P_PWDTYPE)
			pt = vals[i];
	}
	return word_ok(ut, "agent", "account") &&
		word_ok(pt, "plaintext", "md5");
}

bool dispatch_args_positional(struct dispatch_args *da, const struct op *op,
			      const char *const *vals, size_t n)
{
	const enum param *order = op->soap_params;
	size_t nmain = op_param_count(op->soap_params);
	size_t nalt = op_param_count(op->soap_params_alt);

	memset(da, 0, sizeof(*da));
	if (nalt && n == nalt && n != nmain)
		order = op->soap_params_alt;
	else if (n > nmain)
		return false;
	/* Same arity, other order (whisper and forcedRelease: the manuals'
	 * prototype and table disagree): the usertype/pwdtype vocabularies
	 * tell which one the caller followed. */
	else if (nalt == nmain && n == nmain &&
		 !order_fits(order, vals, n) &&
		 order_fits(op->soap_params_alt, vals, n))
		order = op->soap_params_alt;
	for (size_t i = 0; i < n; i++)
		da->v[order[i]] = vals[i];
	return true;
}

static bool blank(const char *s)
{
	if (!s)
		return true;
	while (*s && isspace((unsigned char)*s))
		s++;
	return *s == '\0';
}

static bool check_params(const struct op *op, const struct dispatch_args *da,
			 struct op_result *res)
{
	for (int p = 1; p < P_COUNT; p++) {
		const char *v = da->v[p];
		/* a '|' echoed back would add a |Retuen| field */
		if (v && (strlen(v) > param_defs[p].maxlen ||
			  (param_defs[p].echoed && strchr(v, '|')))) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, param_defs[p].name);
			return false;
		}
	}
	for (size_t i = 0; i < OP_MAX_PARAMS && op->required[i]; i++) {
		enum param p = op->required[i];
		if (blank(da->v[p])) {
			res_set(res, OP_FAIL, BM_EMPTY_PARAM, param_defs[p].name);
			return false;
		}
	}
	return true;
}

/* Step 3: the credential words, with their defaults. */
static bool check_words(struct op_ctx *ctx, struct op_result *res)
{
	const char **ut = &ctx->args[P_USERTYPE], **pt = &ctx->args[P_PWDTYPE];

	if (ctx->op->auth < AUTH_USER)
		return true;
	if (!**ut)
		*ut = ctx->op->auth == AUTH_ACCOUNT ? "account" : "agent";
	if (ctx->op->auth == AUTH_USER && strcasecmp(*ut, "agent") &&
	    strcasecmp(*ut, "account")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "usertype");
		return false;
	}
	if (!**pt)
		*pt = "plaintext";
	if (strcasecmp(*pt, "plaintext") && strcasecmp(*pt, "md5")) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "pwdtype");
		return false;
	}
	return true;
}

/* The presented password as lowercase MD5 hex, and "team/[account:]user"
 * for the limits and the log. */
static void presented(const struct op_ctx *ctx, bool as_account,
		      char md5hex[MD5HEX_LEN], char *who, size_t whosz)
{
	/* a malformed md5 can match nothing; it still costs a check */
	if (pw_to_md5hex(md5hex, ctx->args[P_PWDTYPE], ctx->args[P_PASSWORD]))
		str_ncpy(md5hex, "-", MD5HEX_LEN);
	re_snprintf(who, whosz, "%s/%s%s",
		    ctx->team ? ctx->team->name : ctx->args[P_ORGIDENTITY],
		    as_account ? "account:" : "", ctx->args[P_USER]);
}

/* A verdict other than AUTH_OK ends the checks: res gets fail_code, or
 * BackMsg_100 when verifications are busy; AUTH_PENDING leaves res for
 * the replay. */
static bool settle(enum auth_verdict v, int fail_code, struct op_result *res)
{
	if (v == AUTH_BUSY)
		res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
	else if (v == AUTH_FAIL)
		res_set(res, OP_FAIL, fail_code, NULL);
	return v == AUTH_OK;
}

/* Step 4 for an unknown team: BackMsg_02 as the manual says, but only
 * after the same slow hash a known team's wrong password costs, so the
 * answer's timing does not tell which teams exist. */
static void unknown_team(struct op_ctx *ctx, const struct sa *peer,
			 struct op_result *res, struct auth_wait **waitp)
{
	char md5hex[MD5HEX_LEN], who[ST_NAME * 2 + 16];
	enum auth_verdict v = AUTH_FAIL;

	if (ctx->op->auth >= AUTH_USER) {
		presented(ctx, false, md5hex, who, sizeof(who));
		v = auth_reject_unknown(md5hex, who, peer, ctx->now, waitp);
	}
	settle(v, BM_BAD_ORG, res);
}

/* Step 4 with several nodes: a team this node does not serve but that
 * exists (api_forward did not pass the request on: no live node holds
 * it yet, or its owner did not answer) is busy for now, not unknown. */
static bool team_elsewhere(struct op_ctx *ctx, struct op_result *res)
{
	const char *http;

	if (!ctx->occ->cluster ||
	    cluster_route(ctx->occ->cluster, ctx->args[P_ORGIDENTITY], NULL,
			  &http) == CLUSTER_UNKNOWN)
		return false;
	OCC_DBG("team %H: not served here now: busy",
		LQ(ctx->args[P_ORGIDENTITY]));
	res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
	return true;
}

/* Step 5: who is calling. Fills ctx->agent or ctx->account. */
static bool authenticate(struct op_ctx *ctx, const struct sa *peer,
			 struct op_result *res, struct auth_wait **waitp)
{
	bool as_account = ctx->op->auth == AUTH_ACCOUNT ||
		!strcasecmp(ctx->args[P_USERTYPE], "account");
	char md5hex[MD5HEX_LEN], who[ST_NAME * 2 + 16];
	enum auth_verdict v;

	presented(ctx, as_account, md5hex, who, sizeof(who));
	if (as_account) {
		struct account *ac = account_find(ctx->team, ctx->args[P_USER]);
		v = ac ? auth_verify(&ac->ac, ac->pwhash, md5hex, who, peer,
				     ctx->now, waitp)
			: auth_reject_unknown(md5hex, who, peer, ctx->now,
					      waitp);
		if (v == AUTH_OK && !ac->enabled)
			v = AUTH_FAIL;
		if (!settle(v, BM_ACCOUNT_LOGIN_FAIL, res))
			return false;
		ctx->account = ac;
		if (ac->agent_number[0])
			ctx->agent = agent_find(ctx->team, ac->agent_number);
		return true;
	}
	struct agent *a = NULL;
	v = auth_check_md5(ctx->team, ctx->team->name, ctx->args[P_USER],
			   md5hex, peer, ctx->now, waitp, &a);
	if (!settle(v, BM_BAD_CREDENTIALS, res))
		return false;
	if (a->account && !a->account->enabled) {
		res_set(res, OP_FAIL, BM_ACCOUNT_DISABLED, NULL);
		return false;
	}
	ctx->agent = a;
	return true;
}

static bool check_rights(struct op_ctx *ctx, struct op_result *res)
{
	unsigned flags = ctx->op->flags;

	if ((flags & OPF_AGENT) && !ctx->agent) {
		res_set(res, OP_FAIL, BM_NO_ACCOUNT_AGENT, NULL);
		return false;
	}
	if (flags & OPF_LEADER_GROUP) {
		/* the same parser as the handler's: they must agree */
		struct group *g = group_of_str(ctx->team,
					       ctx->args[P_AGENT_GROUP_ID]);
		if (!g) {
			res_set(res, OP_FAIL, BM_NO_GROUP_IN_TEAM, NULL);
			return false;
		}
		if (!ctx->account && !agent_leads(ctx->agent, g)) {
			res_set(res, OP_FAIL, BM_NOT_LEADER_AGENT, NULL);
			return false;
		}
	}
	if (flags & OPF_LEADER_TARGET) {
		struct agent *t = agent_find(ctx->team, ctx->args[P_TARGET]);
		bool leads = false;
		struct le *le;
		if (!t) {
			res_set(res, OP_FAIL, BM_AGENT_NOT_EXIST,
				ctx->args[P_TARGET]);
			return false;
		}
		LIST_FOREACH(&t->members, le)
			leads |= agent_leads(ctx->agent,
					     ((struct member *)le->data)->group);
		if (!ctx->account && !leads) {
			res_set(res, OP_FAIL, BM_NOT_LEADER, NULL);
			return false;
		}
	}
	return true;
}

/* Does any interface of op take parameter p? */
static bool op_takes(const struct op *op, enum param p)
{
	const enum param *lists[] = { op->soap_params, op->http_params,
				      op->script_params };

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < op_param_count(lists[l]); i++)
			if (lists[l][i] == p)
				return true;
	return false;
}

/* The original extension's name for what op did (it reads nothing else),
 * or "state"; *per_group: one event per group the op named. */
static const char *notify_name(const struct op_ctx *ctx, bool *per_group)
{
	const char *id = ctx->op->id, *type = ctx->args[P_TYPE];
	const char *st = ctx->args[P_STATUS];

	*per_group = true;
	if (!strcmp(id, "queue_action"))
		return !strcmp(type, "2") ? "logoff" : "login";
	if (!strcmp(id, "acw_action"))
		return !strcmp(type, "1") ? "acwring" : !strcmp(type, "2")
			? "acwanswer" : "acwoff";
	if (!strcmp(id, "workway_action"))
		return !strcasecmp(st, "dialin") ? "workwaydialin"
			: !strcasecmp(st, "dialout") ? "workwaydialout"
			: "workwayall";
	if (!strcmp(id, "acw_off"))
		return "acwstop";
	*per_group = false;
	if (!strcmp(id, "queue_pause"))
		return !strcmp(type, "2") ? "nopaused" : "paused";
	if (!strcmp(id, "logout"))
		return "logoff";
	if (!strcmp(id, "login"))
		return "login";
	if (!strcmp(id, "monitor_ctrl"))
		return !strcasecmp(ctx->args[P_ACTION], "start")
			? "monitorstart" : "monitorstop";
	return "state";
}

/* Is group gid in the op's list ("1,2,"; empty: every checked-in one)? */
static bool notify_group(const struct op_ctx *ctx, const struct member *mb)
{
	const char *list = ctx->args[P_LIST][0] ? ctx->args[P_LIST]
		: ctx->args[P_AGENT_GROUP_ID];
	char id[24];
	size_t n = 0;

	if (!list[0])
		return mb->checked_in || !strcmp(ctx->op->id, "queue_action");
	re_snprintf(id, sizeof(id), "%lld", (long long)mb->group->id);
	for (const char *s = list; *s; s += n + (s[n] == ','))
		if ((n = strcspn(s, ",")) == strlen(id) && !strncmp(s, id, n))
			return true;
	return false;
}

/* The operation's name in its events: its SOAP name; the plugin's own
 * (monitorCtrlCJI) has only a Script one, its name without "CJI". */
static void notify_action(const struct op *op, char *out, size_t size)
{
	if (op->soap || !op->script || strlen(op->script) < 4)
		str_ncpy(out, op->soap ? op->soap : op->id, size);
	else
		re_snprintf(out, size, "%b", op->script,
			    strlen(op->script) - 3);
}

/* filename: monitorCtrl's segment (the reply's message), else NULL */
static void notify_one(struct op_ctx *ctx, const char *name,
		       const char *action, int64_t gid, const char *filename)
{
	const struct agent *a = ctx->agent;
	struct mbuf *mb = mbuf_alloc(256);
	char ts[20], team[24], group[24];
	struct le *le;
	bool first = true;

	if (!mb)
		return;
	event_time(ts, ctx->now);
	re_snprintf(team, sizeof(team), "%lld", (long long)ctx->team->id);
	re_snprintf(group, sizeof(group), "%lld", (long long)gid);
	event_field(mb, "source", "AGENT");
	event_field(mb, "event", name);
	event_field(mb, "agentno", a->number);
	event_field(mb, "agentnum", a->number);
	event_field(mb, "state", agent_state_name(a->state));
	event_field(mb, "pause_reason", a->pause_reason);
	mbuf_printf(mb, "checkedin=");
	LIST_FOREACH(&a->members, le) {
		const struct member *mb2 = le->data;
		if (!mb2->checked_in)
			continue;
		mbuf_printf(mb, "%s%lld", first ? "" : ",",
			    (long long)mb2->group->id);
		first = false;
	}
	mbuf_printf(mb, "&");
	event_field(mb, "action", action);
	if (filename)
		event_field(mb, "filename", filename);
	if (gid)
		event_field(mb, "AgentGroupId", group);
	event_field(mb, "AgentTeamId", team);
	event_field(mb, "eventTime", ts);
	if (!mbuf_write_u8(mb, 0))
		events_publish(ctx->occ->ev, ctx->team->name, a->number, NULL,
			       (const char *)mb->buf);
	mem_deref(mb);
}

/* pushevent=yes: after a successful change, agent notification events on
 * the agent's channel (format in docs/API.md, "Agent notification
 * events"), named as the original extension expects. */
static void notify_agent(struct op_ctx *ctx, const struct op_result *res)
{
	const struct agent *a = ctx->agent;
	char filename[128] = "", action[40];
	const char *name;
	bool per_group;
	struct le *le;

	if (!ctx->occ->ev || !a || !op_takes(ctx->op, P_PUSHEVENT) ||
	    strcasecmp(ctx->args[P_PUSHEVENT], "yes"))
		return;
	name = notify_name(ctx, &per_group);
	notify_action(ctx->op, action, sizeof(action));
	if (!strcmp(ctx->op->id, "monitor_ctrl") && res->data)
		re_snprintf(filename, sizeof(filename), "%b", res->data->buf,
			    res->data->end);
	if (!per_group) {
		notify_one(ctx, name, action, 0,
			   filename[0] ? filename : NULL);
		return;
	}
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		if (notify_group(ctx, mb))
			notify_one(ctx, name, action, mb->group->id, NULL);
	}
}

struct auth_wait *dispatch_run(struct occ *occ, const struct op *op,
			       const struct dispatch_args *da,
			       struct op_result *res)
{
	struct auth_wait *wait = NULL;
	struct model *m = occ->m;
	struct op_ctx ctx = { .op = op, .occ = occ, .m = m, .now = now_ms() };

	/* one name, two rows: cocc's DeviceCall with a user is backCall */
	if (op->with_user && !blank(da->v[P_USER]) && op_find_id(op->with_user))
		ctx.op = op = op_find_id(op->with_user);
	for (int p = 0; p < P_COUNT; p++)
		ctx.args[p] = da->v[p] ? da->v[p] : "";

	if (!check_params(op, da, res) || !check_words(&ctx, res))
		goto out;
	if (op->auth != AUTH_NONE) {
		ctx.team = team_find(m, ctx.args[P_ORGIDENTITY]);
		if (!ctx.team) {
			if (!team_elsewhere(&ctx, res))
				unknown_team(&ctx, da->peer, res, &wait);
			goto out;
		}
	}
	if (op->auth >= AUTH_USER &&
	    !authenticate(&ctx, da->peer, res, &wait))
		goto out;
	if (!check_rights(&ctx, res))
		goto out;
	if (!op->handler) {
		res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
		goto out;
	}
	op->handler(&ctx, res);
	if (res->code == OP_OK)
		notify_agent(&ctx, res);
 out:
	if (wait) {
		OCC_DBG("op=%s team=%s user=%s: verifying", op->id,
			ctx.args[P_ORGIDENTITY], ctx.args[P_USER]);
		return wait;
	}
	if (res->backmsg && !op_declares_code(op, res->backmsg))
		OCC_ERR("undeclared backmsg op=%s code=%d", op->id,
			res->backmsg);
	for (size_t i = 0; i < RES_MORE && res->more[i]; i++)
		if (!op_declares_code(op, res->more[i]))
			OCC_ERR("undeclared backmsg op=%s code=%d", op->id,
				res->more[i]);
	OCC_DBG("op=%s team=%H user=%H code=%d backmsg=%d", op->id,
		LQ(ctx.args[P_ORGIDENTITY]), LQ(ctx.args[P_USER]), res->code,
		res->backmsg);
	return NULL;
}
