/*
 * callev.c — formatting call events (see callev.h).
 */
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "events/callev.h"

int event_field(struct mbuf *mb, const char *key, const char *value)
{
	int err = mbuf_printf(mb, "%s=", key);

	for (const unsigned char *p = (const unsigned char *)(value ? value
							      : "");
	     *p && !err; p++) {
		if (*p == '%' || *p == '&' || *p == '=' || *p < 0x20 ||
		    *p == 0x7f)
			err = mbuf_printf(mb, "%%%02X", *p);
		else
			err = mbuf_write_u8(mb, *p);
	}
	return err | mbuf_write_u8(mb, '&');
}

void event_time(char out[20], int64_t ts_ms)
{
	time_t t = (time_t)(ts_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 20, "%Y-%m-%d %H:%M:%S", &tm);
}

/* The shapes (callev.h): the keys in the order each one prints them. */
static const char *const shape_out[] = {
	"calleridnum", "didnumber", "activenum", "source", "event",
	"uniqueid", "sessionid", "eventTime", "AgentTeamId", "modeltype",
	"model_id", "AgentGroupId", "calltype", "channel", "from", "userdata",
	NULL,
};
static const char *const shape_incoming[] = {
	"source", "event", "modeltype", "uniqueid", "model_id", "from",
	"sessionid", "channel", "userdata", NULL,
};
static const char *const shape_in_leg[] = {
	"calleridnum", "didnumber", "activenum", "source", "event",
	"uniqueid", "sessionid", "eventTime", "AgentTeamId", "modeltype",
	"model_id", "AgentGroupId", "from", "channel", "userdata", NULL,
};
static const char *const shape_in_whole[] = {
	"calleridnum", "didnumber", "activenum", "source", "event",
	"uniqueid", "sessionid", "eventTime", "AgentTeamId", "modeltype",
	"model_id", "AgentGroupId", "channel", "from", "userdata", NULL,
};

/* occ's own sources: a caller entering and leaving a queue, an IVR input */
static const char *const shape_queue_join[] = {
	"calleridnum", "didnumber", "source", "event", "uniqueid",
	"sessionid", "eventTime", "AgentTeamId", "AgentGroupId",
	"queuenumber", "position", "prio", "from", NULL,
};
static const char *const shape_queue_leave[] = {
	"calleridnum", "didnumber", "source", "event", "uniqueid",
	"sessionid", "eventTime", "AgentTeamId", "AgentGroupId",
	"queuenumber", "reason", "position", "waittime", "from", NULL,
};
static const char *const shape_ivr_input[] = {
	"calleridnum", "didnumber", "source", "event", "uniqueid",
	"sessionid", "eventTime", "AgentTeamId", "flow", "node", "digits",
	"result", "from", NULL,
};

static const char *const *shape_of(const struct call_event *ce, bool dialin)
{
	if (!strcmp(ce->source, "QUEUE"))
		return !strcmp(ce->event, "join") ? shape_queue_join
			: shape_queue_leave;
	if (!strcmp(ce->source, "IVR"))
		return shape_ivr_input;
	return !dialin ? shape_out
		: !strcmp(ce->event, "incoming") ? shape_incoming
		: !strcmp(ce->source, "CONVERSATION") ? shape_in_whole
		: shape_in_leg;
}

int call_event_print(struct mbuf *mb, const struct call_event *ce)
{
	char ts[20], uid[24], team[24], group[24], pos[12], prio[12],
		wait[12];
	bool dialin = ce->calltype && !strcmp(ce->calltype, "dialin");
	const char *const *shape = shape_of(ce, dialin);
	const struct { const char *key, *value; } values[] = {
		{ "calleridnum", ce->calleridnum }, { "didnumber", ce->didnumber },
		{ "activenum", ce->activenum }, { "source", ce->source },
		{ "event", ce->event }, { "uniqueid", uid },
		{ "sessionid", ce->sessionid }, { "eventTime", ts },
		{ "AgentTeamId", team }, { "modeltype", ce->modeltype },
		{ "model_id", ce->model_id }, { "AgentGroupId", group },
		{ "calltype", ce->calltype }, { "channel", ce->channel },
		{ "from", ce->calltype }, { "userdata", ce->userdata },
		{ "queuenumber", ce->queuenumber }, { "position", pos },
		{ "prio", prio }, { "reason", ce->reason },
		{ "waittime", wait }, { "flow", ce->flow },
		{ "node", ce->node }, { "digits", ce->digits },
		{ "result", ce->result },
	};
	int err = 0;

	event_time(ts, ce->ts_ms);
	re_snprintf(uid, sizeof(uid), "%lld", (long long)ce->uniqueid);
	re_snprintf(team, sizeof(team), "%lld", (long long)ce->team_id);
	re_snprintf(group, sizeof(group), "%lld", (long long)ce->group_id);
	re_snprintf(pos, sizeof(pos), "%u", ce->position);
	re_snprintf(prio, sizeof(prio), "%d", ce->prio);
	re_snprintf(wait, sizeof(wait), "%u", ce->waittime);
	for (const char *const *k = shape; *k && !err; k++) {
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			if (strcmp(values[i].key, *k))
				continue;
			/* inbound shapes carry userdata only where there is some
			 * (occ's addition; the manual's examples have none) */
			if (dialin && !strcmp(*k, "userdata") &&
			    !(values[i].value && values[i].value[0]))
				break;
			err = event_field(mb, *k, values[i].value);
			break;
		}
	}
	return err;
}
