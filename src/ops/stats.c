/*
 * stats.c — state listings and counts: agentgroupStatus, teamStatus,
 * groupStatusNum; and today's figures, agentStatisticDay (the counters
 * are events/stats.c's).
 *
 * Listings say `agent:state` with state idle, ring, busy, acw, pause, or
 * logout for an agent not checked in (to that group, or to any group for
 * teamStatus). The filter words select by that state; `login` selects every
 * checked-in agent and `all` everyone.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "core/agent.h"
#include "core/occ.h"
#include "events/stats.h"
#include "api/api.h"
#include "ops/op.h"
#include "ops/util.h"
#include "sip/call.h"
#include "sip/inbound.h"
#include "sip/tel.h"

enum filter_bits {
	F_ALL = 1 << 0, F_LOGIN = 1 << 1, F_LOGOUT = 1 << 2,
	F_STATE = 1 << 3,  /* + (1 << (F_STATE_SHIFT + state)) */
};
enum { F_STATE_SHIFT = 4 };

static const struct { const char *word; unsigned bits; } filter_words[] = {
	{ "all", F_ALL }, { "login", F_LOGIN }, { "logout", F_LOGOUT },
	{ "idle", 1u << (F_STATE_SHIFT + AS_IDLE) },
	{ "idel", 1u << (F_STATE_SHIFT + AS_IDLE) },
	{ "busy", 1u << (F_STATE_SHIFT + AS_BUSY) },
	{ "ring", 1u << (F_STATE_SHIFT + AS_RING) },
	{ "ringing", 1u << (F_STATE_SHIFT + AS_RING) },
	{ "pause", 1u << (F_STATE_SHIFT + AS_PAUSE) },
	{ "acw", 1u << (F_STATE_SHIFT + AS_ACW) },
};

static bool parse_filter(const char *s, unsigned *bits)
{
	struct pl tok;

	*bits = 0;
	while (list_next(&s, &tok)) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(filter_words); i++) {
			if (!pl_strcasecmp(&tok, filter_words[i].word)) {
				*bits |= filter_words[i].bits;
				known = true;
			}
		}
		if (!known)
			return false;
	}
	return *bits != 0;
}

static bool matches(unsigned bits, bool checked_in, enum agent_state s)
{
	if (bits & F_ALL)
		return true;
	if (!checked_in)
		return bits & F_LOGOUT;
	return (bits & F_LOGIN) || (bits & (1u << (F_STATE_SHIFT + s)));
}

static void list_agent(struct op_result *res, unsigned bits,
		       const struct agent *a, bool checked_in)
{
	if (!matches(bits, checked_in, a->state))
		return;
	res_data(res, OP_OK, "%s%s:%s", res->data ? "," : "", a->number,
		 checked_in ? agent_state_name(a->state) : "logout");
}

static void finish_listing(struct op_result *res, bool any_agent)
{
	if (!any_agent)
		res_set(res, OP_FAIL, BM_NO_AGENTS, NULL);
	else if (!res->data)
		res_set(res, OP_FAIL, BM_NO_AGENTS_IN_STATE, NULL);
}

void op_agentgroup_status(struct op_ctx *ctx, struct op_result *res)
{
	struct group *g = group_of_str(ctx->team, ctx->args[P_AGENT_GROUP_ID]);
	unsigned bits;
	struct le *le;

	if (!parse_filter(ctx->args[P_STATUS], &bits)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "status");
		return;
	}
	LIST_FOREACH(&g->members, le) {
		const struct member *mb = le->data;
		list_agent(res, bits, mb->agent, mb->checked_in);
	}
	finish_listing(res, !list_isempty(&g->members));
}

void op_team_status(struct op_ctx *ctx, struct op_result *res)
{
	unsigned bits;
	struct le *le;

	if (!parse_filter(ctx->args[P_STATUS], &bits)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "status");
		return;
	}
	LIST_FOREACH(&ctx->team->agent_list, le) {
		const struct agent *a = le->data;
		list_agent(res, bits, a, a->state != AS_LOGOUT);
	}
	finish_listing(res, !list_isempty(&ctx->team->agent_list));
}

void op_group_status_num(struct op_ctx *ctx, struct op_result *res)
{
	static const struct { const char *word; enum agent_state s; } one[] = {
		{ "idle", AS_IDLE }, { "ringing", AS_RING },
		{ "pause", AS_PAUSE }, { "busy", AS_BUSY }, { "acw", AS_ACW },
	};
	const struct group *g = group_by_queue(ctx->team,
					       ctx->args[P_QUEUENUMBER]);
	unsigned count[AS_COUNT] = {0}, total = 0;
	struct le *le;

	if (!g) {
		res_set(res, OP_FAIL, BM_GROUP_NOT_EXIST, NULL);
		return;
	}
	LIST_FOREACH(&g->members, le) {
		const struct member *mb = le->data;
		if (!mb->checked_in)
			continue;
		total++;
		count[mb->agent->state]++;
	}
	for (size_t i = 0; i < ARRAY_SIZE(one); i++) {
		if (!strcasecmp(ctx->args[P_TYPE], one[i].word)) {
			res_data(res, OP_OK, "%u", count[one[i].s]);
			return;
		}
	}
	res_data(res, OP_OK, "%u|%u|%u|%u|%u|%u", total, count[AS_IDLE],
		 count[AS_RING], count[AS_PAUSE], count[AS_BUSY],
		 count[AS_ACW]);
}

/* queueCustomerNum: total|ringing|waiting|talking of a queue (or of all,
 * queuenumber 0), counting callers of priority prio and above */
void op_queue_customer_num(struct op_ctx *ctx, struct op_result *res)
{
	const char *q = ctx->args[P_QUEUENUMBER], *p = ctx->args[P_PRIO];
	struct queue_counts n = { 0 };
	char *end;
	long prio = 0;

	if (p[0]) {
		prio = strtol(p, &end, 10);
		if (*end || prio < -1000000 || prio > 1000000) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "prio");
			return;
		}
	}
	if (strcmp(q, "0") && !group_by_queue(ctx->team, q)) {
		res_set(res, OP_FAIL, BM_GROUP_NOT_EXIST, NULL);
		return;
	}
	/* a group whose queue has never seen a caller counts nothing */
	if (inbound_queue_counts(ctx->occ->tel, ctx->team->name, q, (int)prio,
				 &n) && strcmp(q, "0"))
		memset(&n, 0, sizeof(n));
	res_data(res, OP_OK, "%u|%u|%u|%u", n.total, n.ringing, n.waiting,
		 n.talking);
}

/* Callers in the group's queue waiting for an agent, of any priority. */
static unsigned waiting_in(const struct op_ctx *ctx, const struct group *g)
{
	struct queue_counts n = { 0 };

	if (!g->queue[0] || inbound_queue_counts(ctx->occ->tel,
						 ctx->team->name, g->queue,
						 INT_MIN, &n))
		return 0;
	return n.waiting;
}

/* One group's object of agentStatisticDay's message. */
static void statistic_day_group(struct op_ctx *ctx, struct op_result *res,
				const struct group *g)
{
	const struct agent *a = ctx->agent;
	const struct member *mb = agent_membership(a, g);
	struct stats_day d;
	int64_t secs;

	stats_agent_day(ctx->occ->stats, ctx->team->id, a->number, g->id,
			ctx->now, &d);
	secs = d.talk_ms / 1000;
	res_data(res, OP_OK, "%s\"%lld\":{\"agent_status\":\"%s\","
		 "\"total_call_duration\":\"%02lld:%02lld:%02lld\","
		 "\"in_bound_call_answered\":%u,"
		 "\"out_bound_call_answered\":%u,\"total_calls\":%u,"
		 "\"waiting_calls\":%u}",
		 res->data ? "," : "{", (long long)g->id,
		 mb && mb->checked_in ? agent_state_name(a->state) : "logout",
		 (long long)(secs / 3600), (long long)(secs / 60 % 60),
		 (long long)(secs % 60), d.in_answered, d.out_answered,
		 d.total_calls, waiting_in(ctx, g));
}

void op_agent_statistic_day(struct op_ctx *ctx, struct op_result *res)
{
	const char *list = ctx->args[P_AGENT_GROUP_ID];
	struct pl tok;
	struct le *le;

	res->json = true;
	if (!*list || !strcmp(list, "0")) {
		LIST_FOREACH(&ctx->agent->members, le)
			statistic_day_group(ctx, res,
				((const struct member *)le->data)->group);
	}
	else {
		while (list_next(&list, &tok)) {
			const struct group *g = group_of_pl(ctx->team, &tok);
			if (!g) {
				char id[24];
				pl_strcpy(&tok, id, sizeof(id));
				res_set(res, OP_FAIL, BM_GROUP_ID_NOT_EXIST,
					id);
				return;
			}
			statistic_day_group(ctx, res, g);
		}
	}
	if (!res->data) {
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		return;
	}
	res_data(res, OP_OK, "}");
}

/* ---- queueStatistic: the wallboard's numbers -------------------------------- */

struct qlive {
	const char *team, *queue;
	struct tel_queue q;
	bool found;
};

static void queue_live(const struct tel_queue *q, void *arg)
{
	struct qlive *l = arg;

	if (!l->found && !strcmp(q->team, l->team) &&
	    !strcmp(q->queue, l->queue)) {
		l->q = *q;
		l->found = true;
	}
}

/* May the caller see group g: the team's accounts all, leaders theirs. */
static bool sees(const struct op_ctx *ctx, const struct group *g)
{
	return ctx->account || agent_leads(ctx->agent, g);
}

static void queue_object(struct op_ctx *ctx, struct op_result *res,
			 const struct group *g, unsigned sl, bool first)
{
	struct qlive l = { .team = ctx->team->name, .queue = g->queue };
	unsigned n[AS_COUNT] = { 0 }, logout = 0, within;
	struct stats_queue q;
	struct le *le;
	char pct[16] = "null";

	if (g->queue[0] && ctx->occ->tel)
		tel_queues(ctx->occ->tel, queue_live, &l);
	LIST_FOREACH(&g->members, le) {
		const struct member *mb = le->data;
		if (!mb->checked_in)
			logout++;
		else if ((unsigned)mb->agent->state < AS_COUNT)
			n[mb->agent->state]++;
	}
	stats_queue_day(ctx->occ->stats, ctx->team->id, g->id, ctx->now, &q);
	within = stats_answered_within(&q, sl);
	if (q.answered + q.abandoned)
		re_snprintf(pct, sizeof(pct), "%u", (within * 100 +
			    (q.answered + q.abandoned) / 2) /
			    (q.answered + q.abandoned));
	res_data(res, OP_OK, "%s{\"group\":%lld,\"name\":%H,\"queue\":%H,"
		 "\"waiting\":%u,\"ringing\":%u,\"talking\":%u,"
		 "\"longest_wait\":%llu,\"answered\":%u,"
		 "\"answered_within\":%u,\"abandoned\":%u,\"other\":%u,"
		 "\"service_level\":%s,\"asa\":%llu,\"aht\":%lld,"
		 "\"agents\":{\"idle\":%u,\"ring\":%u,\"busy\":%u,\"acw\":%u,"
		 "\"pause\":%u,\"logout\":%u}}",
		 first ? "" : ",", (long long)g->id, json_str_h, g->name,
		 json_str_h, g->queue, l.q.waiting, l.q.ringing, l.q.talking,
		 (unsigned long long)(l.q.longest_wait_ms / 1000), q.answered,
		 within, q.abandoned, q.other, pct,
		 (unsigned long long)(q.answered ? (q.wait_s + q.answered / 2)
				      / q.answered : 0),
		 (long long)(q.handled ? q.handle_ms / q.handled / 1000 : 0),
		 n[AS_IDLE], n[AS_RING], n[AS_BUSY], n[AS_ACW], n[AS_PAUSE],
		 logout);
}

static void agent_object(struct op_ctx *ctx, struct op_result *res,
			 const struct agent *a, bool first)
{
	const struct call *c = ctx->occ->tel && a->state != AS_LOGOUT
		? call_of_agent(ctx->occ->tel, ctx->team->name, a->number)
		: NULL;
	static const char *const modes[] = { "monitor", "whisper", "barge" };
	enum supervise_mode mode = SUP_MONITOR;
	const char *sup = c ? call_supervisor(c, &mode) : NULL;
	bool in = agent_checked_in_any(a), one = true;
	struct le *le;

	res_data(res, OP_OK, "%s{\"agent\":%H,\"name\":%H,\"state\":\"%s\","
		 "\"since\":%lld,\"party\":%H,\"supervisor\":%H,"
		 "\"supervision\":\"%s\",\"groups\":[", first ? "" : ",",
		 json_str_h, a->number, json_str_h, a->name,
		 in ? agent_state_name(a->state) : "logout",
		 (long long)(a->since_ms && ctx->now > a->since_ms
			     ? (ctx->now - a->since_ms) / 1000 : 0),
		 json_str_h, c ? call_party(c, a->number) : "",
		 json_str_h, sup ? sup : "", sup ? modes[mode] : "");
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		if (!sees(ctx, mb->group))
			continue;
		res_data(res, OP_OK, "%s%lld", one ? "" : ",",
			 (long long)mb->group->id);
		one = false;
	}
	res_data(res, OP_OK, "]}");
}

static bool sees_agent(const struct op_ctx *ctx, const struct agent *a)
{
	struct le *le;

	LIST_FOREACH(&a->members, le)
		if (sees(ctx, ((const struct member *)le->data)->group))
			return true;
	return false;
}

/* Has A changed since SINCE (ms): its state, or it is in a call (whose
 * party may change without a state change)? */
static bool changed_since(const struct op_ctx *ctx, const struct agent *a,
			  int64_t since)
{
	return a->since_ms >= since ||
	       (ctx->occ->tel && (a->state == AS_RING || a->state == AS_BUSY) &&
		call_of_agent(ctx->occ->tel, ctx->team->name, a->number));
}

void op_queue_statistic(struct op_ctx *ctx, struct op_result *res)
{
	const char *p = ctx->args[P_SERVICELEVEL];
	const char *as = ctx->args[P_AGENTSINCE];
	unsigned long sl = 20;
	long long since = -1;
	int64_t now = now_ms();
	bool first = true;
	struct le *le;
	char *end;

	if (!ctx->account && !agent_leads_any(ctx->agent)) {
		res_set(res, OP_FAIL, BM_NOT_LEADER_AGENT, NULL);
		return;
	}
	if (*p) {
		sl = strtoul(p, &end, 10);
		if (*end || !sl || sl > STATS_WAIT_MAX) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "servicelevel");
			return;
		}
	}
	if (*as) {
		errno = 0;
		since = strtoll(as, &end, 10);
		if (*end || errno || since < 0) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "agentsince");
			return;
		}
	}
	res->json = true;
	res_data(res, OP_OK, "{\"servicelevel\":%lu,\"now\":%lld,"
		 "\"queues\":[", sl, (long long)now);
	LIST_FOREACH(&ctx->team->groups, le) {
		const struct group *g = le->data;
		if (!sees(ctx, g))
			continue;
		queue_object(ctx, res, g, (unsigned)sl, first);
		first = false;
	}
	first = true;
	res_data(res, OP_OK, "],\"agents\":[");
	LIST_FOREACH(&ctx->team->agent_list, le) {
		const struct agent *a = le->data;
		if (!sees_agent(ctx, a) ||
		    (since >= 0 && !changed_since(ctx, a, since)))
			continue;
		agent_object(ctx, res, a, first);
		first = false;
	}
	res_data(res, OP_OK, "]}");
}
