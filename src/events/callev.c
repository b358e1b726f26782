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

/* The manual's inbound shapes (callev.h). */
static int print_dialin(struct mbuf *mb, const struct call_event *ce,
			const char *ts, const char *uid, const char *team,
			const char *group)
{
	bool whole = !strcmp(ce->source, "CONVERSATION");
	int err = 0;

	if (!strcmp(ce->event, "incoming")) {
		err |= event_field(mb, "source", ce->source);
		err |= event_field(mb, "event", ce->event);
		err |= event_field(mb, "modeltype", ce->modeltype);
		err |= event_field(mb, "uniqueid", uid);
		err |= event_field(mb, "model_id", ce->model_id);
		err |= event_field(mb, "from", "dialin");
		err |= event_field(mb, "sessionid", ce->sessionid);
		err |= event_field(mb, "channel", ce->channel);
	}
	else {
		err |= event_field(mb, "calleridnum", ce->calleridnum);
		err |= event_field(mb, "didnumber", ce->didnumber);
		err |= event_field(mb, "activenum", ce->activenum);
		err |= event_field(mb, "source", ce->source);
		err |= event_field(mb, "event", ce->event);
		err |= event_field(mb, "uniqueid", uid);
		err |= event_field(mb, "sessionid", ce->sessionid);
		err |= event_field(mb, "eventTime", ts);
		err |= event_field(mb, "AgentTeamId", team);
		err |= event_field(mb, "modeltype", ce->modeltype);
		err |= event_field(mb, "model_id", ce->model_id);
		err |= event_field(mb, "AgentGroupId", group);
		if (whole) {
			err |= event_field(mb, "channel", ce->channel);
			err |= event_field(mb, "from", "dialin");
		}
		else {
			err |= event_field(mb, "from", "dialin");
			err |= event_field(mb, "channel", ce->channel);
		}
	}
	if (ce->userdata && ce->userdata[0])
		err |= event_field(mb, "userdata", ce->userdata);
	return err;
}

int call_event_print(struct mbuf *mb, const struct call_event *ce)
{
	char ts[20], uid[24], team[24], group[24];
	int err;

	event_time(ts, ce->ts_ms);
	re_snprintf(uid, sizeof(uid), "%lld", (long long)ce->uniqueid);
	re_snprintf(team, sizeof(team), "%lld", (long long)ce->team_id);
	re_snprintf(group, sizeof(group), "%lld", (long long)ce->group_id);
	if (ce->calltype && !strcmp(ce->calltype, "dialin"))
		return print_dialin(mb, ce, ts, uid, team, group);
	err = event_field(mb, "calleridnum", ce->calleridnum);
	err |= event_field(mb, "didnumber", ce->didnumber);
	err |= event_field(mb, "activenum", ce->activenum);
	err |= event_field(mb, "source", ce->source);
	err |= event_field(mb, "event", ce->event);
	err |= event_field(mb, "uniqueid", uid);
	err |= event_field(mb, "sessionid", ce->sessionid);
	err |= event_field(mb, "eventTime", ts);
	err |= event_field(mb, "AgentTeamId", team);
	err |= event_field(mb, "modeltype", ce->modeltype);
	err |= event_field(mb, "model_id", ce->model_id);
	err |= event_field(mb, "AgentGroupId", group);
	err |= event_field(mb, "calltype", ce->calltype);
	err |= event_field(mb, "channel", ce->channel);
	err |= event_field(mb, "from", ce->calltype);
	err |= event_field(mb, "userdata", ce->userdata);
	return err;
}
