/*
 * test_callev.c — occ's own call event shapes (events/callev.h): QUEUE
 * join and leave, IVR input, field for field; and that the manual's
 * shapes do not carry their fields.
 */
#include <re.h>
#include "unit.h"
#include "events/callev.h"

static const char *printed(const struct call_event *ce)
{
	static char out[1024];
	struct mbuf *mb = mbuf_alloc(256);

	out[0] = '\0';
	if (mb && !call_event_print(mb, ce))
		snprintf(out, sizeof(out), "%.*s", (int)mb->end,
			 (const char *)mb->buf);
	mem_deref(mb);
	return out;
}

static struct call_event base(const char *source, const char *event)
{
	return (struct call_event){
		.calleridnum = "13800138000", .didnumber = "800888",
		.activenum = "8005", .source = source, .event = event,
		.uniqueid = 41, .sessionid = "s1", .ts_ms = 1764929523000,
		.team_id = 1, .modeltype = "", .model_id = "",
		.group_id = 2, .calltype = "dialin", .channel = "",
		.userdata = "", .queuenumber = "6002", .position = 3,
		.prio = 5, .reason = "abandon", .waittime = 67,
		.flow = "main", .node = "welcome", .digits = "2",
		.result = "ok",
	};
}

UNIT_TEST(callev_queue_and_ivr_shapes)
{
	char ts[20], want[512];
	struct call_event ce = base("QUEUE", "join");

	event_time(ts, ce.ts_ms);
	snprintf(want, sizeof(want), "calleridnum=13800138000&"
		 "didnumber=800888&source=QUEUE&event=join&uniqueid=41&"
		 "sessionid=s1&eventTime=%s&AgentTeamId=1&AgentGroupId=2&"
		 "queuenumber=6002&position=3&prio=5&from=dialin&", ts);
	UT_EQ_STR(printed(&ce), want);
	ce = base("QUEUE", "leave");
	snprintf(want, sizeof(want), "calleridnum=13800138000&"
		 "didnumber=800888&source=QUEUE&event=leave&uniqueid=41&"
		 "sessionid=s1&eventTime=%s&AgentTeamId=1&AgentGroupId=2&"
		 "queuenumber=6002&reason=abandon&position=3&waittime=67&"
		 "from=dialin&", ts);
	UT_EQ_STR(printed(&ce), want);
	ce = base("IVR", "input");
	ce.calltype = "dialout";          /* agentToIvr on an agent's call */
	ce.didnumber = "";
	ce.digits = "12&3";               /* escaped as any value */
	snprintf(want, sizeof(want), "calleridnum=13800138000&didnumber=&"
		 "source=IVR&event=input&uniqueid=41&sessionid=s1&"
		 "eventTime=%s&AgentTeamId=1&flow=main&node=welcome&"
		 "digits=12%%263&result=ok&from=dialout&", ts);
	UT_EQ_STR(printed(&ce), want);
	/* the manual's shapes are unchanged by the new fields */
	ce = base("CALLER", "incoming");
	snprintf(want, sizeof(want), "source=CALLER&event=incoming&"
		 "modeltype=&uniqueid=41&model_id=&from=dialin&sessionid=s1&"
		 "channel=&");
	UT_EQ_STR(printed(&ce), want);
}
