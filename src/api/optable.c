/*
 * optable.c — the operation table: one row per operation of the manuals
 * (shared/spec/API.md §3), in the cocc manual's parameter orders, with the
 * asterCC 2.1 spellings accepted as aliases. See optable.h for the columns.
 */
#include <string.h>
#include <strings.h>
#include "api/optable.h"
#include "ops/op.h"

#define L(...) { __VA_ARGS__ }
/* the five credentials, in the order most operations use */
#define AUTH5 P_ORGIDENTITY, P_USERTYPE, P_USER, P_PWDTYPE, P_PASSWORD
#define CRED3 P_ORGIDENTITY, P_USER, P_PASSWORD
/* codes any credentialed operation can return */
#define AUTH_CODES 1, 2, 3, 5, 28, 63, 100

const struct param_def param_defs[P_COUNT] = {
	[P_ORGIDENTITY]  = { "orgidentity", {0}, 64, "team (organization) identity" },
	[P_USERTYPE]     = { "usertype", {0}, 16, "`agent` or `account` (default agent)" },
	[P_USER]         = { "user", { "phoneuser" }, 64, "agent number or account name" },
	[P_PWDTYPE]      = { "pwdtype", {0}, 16, "`plaintext` or `md5` (lowercase hex MD5 of the password; default plaintext)" },
	[P_PASSWORD]     = { "password", { "phonepwd" }, 128, "password" },
	[P_TYPE]         = { "type", {0}, 16, "operation type (per operation)", .echoed = true },
	[P_LIST]         = { "list", {0}, 1024, "comma-separated agent group ids; empty = all of the agent's groups", .echoed = true },
	[P_DEVICEEXTEN]  = { "deviceexten", {0}, 32, "extension to work on after check-in", .echoed = true },
	[P_PUSHEVENT]    = { "pushevent", {0}, 8, "`yes` to send agent notification events (default no)" },
	[P_PAUSE_REASON] = { "pause_reason", {0}, 64, "training, meeting, leave, lunch, rest, other (free text counts as other)" },
	[P_DND]          = { "dnd", {0}, 16, "non-empty: the extension enters/leaves do-not-disturb too" },
	[P_AGENT_GROUP_ID] = { "agent_group_id", {0}, 1024, "agent group id (comma-separated list where the operation allows)", .echoed = true },
	[P_STATUS]       = { "status", {0}, 128, "status word or comma-separated filter (per operation)", .echoed = true },
	[P_TARGETDN]     = { "targetdn", {0}, 64, "target agent number, or phone number: `[0-9*#+]` only", .echoed = true },
	[P_TARGETTYPE]   = { "targettype", {0}, 16, "`exter` phone number, `inner` agent" },
	[P_AGENTGROUPID] = { "agentgroupid", {0}, 32, "agent group id", .echoed = true },
	[P_MODELTYPE]    = { "modeltype", {0}, 32, "BusinessApp, Campaign, Virtualcustomer, Customerservice" },
	[P_MODEL_ID]     = { "model_id", {0}, 64, "business id (e.g. campaign id)" },
	[P_USERDATA]     = { "userdata", {0}, 2048, "free text returned in the call events" },
	[P_AGENTEXTEN]   = { "agentexten", {0}, 32, "extension the agent uses for this call" },
	[P_CALLERID]     = { "callerid", {0}, 64, "caller id to present: `[0-9*#+]` only" },
	[P_TRUNKIDENTITY] = { "trunkidentity", {0}, 64, "trunk to dial out on" },
	[P_CIDTYPE]      = { "cidtype", {0}, 16, "caller-id type (original plugin)" },
	[P_CALLERNAME]   = { "callername", {0}, 64, "caller name (original plugin)" },
	[P_CONSULTTYPE]  = { "consulttype", {0}, 16, "`internal` or `external`" },
	[P_UNIQUEID]     = { "uniqueid", {0}, 1024, "comma-separated call-leg uniqueids", .echoed = true },
	[P_TARGETAGENT]  = { "targetagent", {0}, 32, "agent number whose call is acted on", .echoed = true },
	[P_TARGET]       = { "target", {0}, 32, "hangup target or supervised agent number", .echoed = true },
	[P_PHONENUMBER]  = { "phonenumber", { "phonenummer", "phonenumbe" }, 64, "supervisor's extension, or phone number: `[0-9*#+]` only", .echoed = true },
	[P_SILENCE]      = { "silence", {0}, 4, "`1` silence, `0` music on hold" },
	[P_SESSIONID]    = { "sessionid", {0}, 64, "call session id (from events)", .echoed = true },
	[P_CALLDATE]     = { "calldate", {0}, 32, "call date YYYY-MM-DD", .echoed = true },
	[P_SOURCE]       = { "source", {0}, 8, "`data`, `http` or `ftp`" },
	[P_CONTEXT]      = { "context", {0}, 16384, "record (name=value||...) or file URL" },
	[P_SOURCE_USER]  = { "source_user", {0}, 64, "file server user" },
	[P_SOURCE_PWD]   = { "source_pwd", {0}, 128, "file server password" },
	[P_EXETIME]      = { "exetime", {0}, 32, "YYYY-MM-DD hh:mm:ss or empty for now" },
	[P_DELROW]       = { "delrow", {0}, 8, "leading rows to skip" },
	[P_PHONE_FIELD]  = { "phone_field", {0}, 64, "phone column for the pre-dial list" },
	[P_PRIORITY_FIELD] = { "priority_field", {0}, 64, "priority column" },
	[P_DIALTIME_FIELD] = { "dialtime_field", {0}, 64, "dial-time column" },
	[P_EMPTYAGENT]   = { "emptyagent", {0}, 8, "yes/no" },
	[P_RESETSTATUS]  = { "resetstatus", {0}, 8, "yes/no" },
	[P_DUPWAY]       = { "dupway", {0}, 16, "update/skip" },
	[P_DUPDIALLIST]  = { "dupdiallist", {0}, 32, "ignoreDuplicate/all/ignoreSuccess" },
	[P_CHANGEPACKAGE] = { "changepackage", {0}, 32, "skip/unassignToCurrent/reassignToCurrent" },
	[P_QUEUENUMBER]  = { "queuenumber", { "queuenum" }, 32, "queue number", .echoed = true },
	[P_PRIO]         = { "prio", {0}, 8, "minimum customer priority" },
	[P_DTMF]         = { "dtmf", {0}, 64, "digits, * and #" },
	[P_VARNAME]      = { "varname", {0}, 64, "[A-Z0-9][A-Z0-9_-]*" },
	[P_VARVALUE]     = { "varvalue", {0}, 1024, "value" },
	[P_IVREXTEN]     = { "ivrexten", {0}, 32, "main IVR number", .echoed = true },
	[P_IVRFLOW]      = { "ivrflow", {0}, 64, "menu keys, dash-separated (1-2-5)", .echoed = true },
	[P_TRANSFER]     = { "transfer", {0}, 4, "`0` release, `1` suspend" },
	[P_EXTEN]        = { "exten", {0}, 32, "extension number", .echoed = true },
	[P_ICALLERID]    = { "icallerid", {0}, 64, "qbackcall: caller id shown to the initiator: `[0-9*#+]` only" },
	[P_XCALLERID]    = { "xcallerid", {0}, 64, "qbackcall: caller id shown to the target: `[0-9*#+]` only" },
	[P_ACTION]       = { "action", {0}, 16, "`start` or `stop`" },
	[P_MP3]          = { "mp3", {0}, 8, "ignored: occ records WAV" },
	[P_FILENAME]     = { "filename", {0}, 128, "a recording segment's file name (from monitorCtrl)", .echoed = true },
	[P_CAMPAIGNID]   = { "campaignid", {0}, 64, "campaign id (an import's model_id)" },
	[P_PHONENUM]     = { "phonenum", {0}, 64, "number to dial: `[0-9*#+]` only" },
	[P_PRIORITY]     = { "priority", {0}, 16, "pre-dial priority, an integer (higher first; empty 0)" },
	[P_DIALTIME]     = { "dialtime", {0}, 32, "YYYY-MM-DD hh:mm:ss: not before (empty: at once)" },
	[P_TASKID]       = { "taskid", {0}, 24, "a file import's task id (empty: every task of the campaign)" },
	[P_DAY]          = { "day", {0}, 16, "YYYY-MM-DD, occd's local time (empty: today)" },
	[P_DAYS]         = { "days", {0}, 8, "how many days up to `day`, 1-31 (empty: 1)" },
	[P_SERVICELEVEL] = { "servicelevel", {0}, 8, "service-level threshold in seconds, 1-600 (empty: 20)" },
	[P_AGENTSINCE] = { "agentsince", {0}, 16, "QueueStatistic: only the agents changed since this time (ms, an earlier reply's `now`; empty: every agent)" },
	[P_CUSTOMERID]   = { "customer_id", {0}, 24, "a customer's id (the `customer_id` of a dialer call's userdata)", .echoed = true },
	[P_CALLBACKFUC]  = { "callbackFuc", {0}, 128, "callback: a function or the name of one" },
};

const struct op op_table[] = {
{
	.id = "login", .soap = "login", .http = "LOGIN", .script = "loginCJI",
	.soap_params   = L(AUTH5),
	.http_params   = L(AUTH5),
	.script_params = L(AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 4),
	.extra_name = "param",
	.handler = op_login,
	.summary = "Log in as an agent or an account.",
	.notes = "Success carries the per-group `param` string (SOAP third field `param`, HTTP `status`, Script `param`). A repeated login succeeds again; the Script interface reports it with code 3 as the manual says.",
},
{
	.id = "logout", .soap = "logout", .http = "LOGOUT", .script = "logoutCJI",
	.soap_params     = L(AUTH5),
	.soap_params_alt = L(P_ORGIDENTITY, P_USER, P_PASSWORD),
	.http_params     = L(AUTH5),
	.script_params   = L(AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 8),
	.handler = op_logout,
	.summary = "Log out: checks the agent out of every group.",
	.notes = "The asterCC 2.1 three-argument SOAP form (orgidentity, user, password) is accepted.",
},
{
	.id = "queue_action", .soap = "queueAction", .http = "QUEUE",
	.script = "queueActionCJI",
	.soap_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_LIST, P_PWDTYPE, P_PASSWORD, P_DEVICEEXTEN, P_PUSHEVENT),
	.soap_params_alt = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_LIST, P_PWDTYPE, P_PASSWORD),
	.http_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_LIST, P_PWDTYPE, P_PASSWORD, P_DEVICEEXTEN, P_PUSHEVENT),
	.script_params = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_LIST, P_PWDTYPE, P_PASSWORD, P_DEVICEEXTEN, P_PUSHEVENT, P_CALLBACKFUC),
	.required = L(P_TYPE, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 13, 38, 57, 58, 110),
	.handler = op_queue_action,
	.summary = "Check the agent in to (type 1) or out of (type 2) agent groups.",
	.notes = "Message lists `groupid:result` per group (success, CheckedIn, NotInGroup, NotFoundGroup, NotChecked); code 1 if any group succeeded, 3 if none did. Checking in also logs the agent in.",
},
{
	.id = "queue_pause", .soap = "queuePause", .http = "QUEUEPAUSE",
	.script = "queuePauseCJI",
	.soap_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_PAUSE_REASON, P_DND),
	.http_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PAUSE_REASON, P_PWDTYPE, P_PASSWORD, P_DND),
	.script_params = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_PAUSE_REASON, P_PUSHEVENT, P_CALLBACKFUC, P_DND),
	.required = L(P_TYPE, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 10, 13, 14, 38, 58, 66),
	.handler = op_queue_pause,
	.summary = "Pause (type 1, with a reason) or unpause (type 2) the agent in all checked-in groups.",
	.notes = "Reasons rest, leave, meeting, training, lunch are counted separately by agentRealtime; any other text counts as other. Unpausing an agent that is not paused answers BackMsg_10. `dnd` (any non-empty value): type 1 also puts the agent in do-not-disturb, type 2 ends it; DND outlasts the pause (an unpause without `dnd` leaves the agent idle but DND): the ACD offers a DND agent no caller, whatever its state, until a type 2 with `dnd` (accepted then even though the agent is not paused) or a logout ends it. DND is kept across restarts. A phone's own DND (it answers an offer 486, 600 or 603, or 480) counts as busy or ring-no-answer for the queue.",
},
{
	.id = "acw_action", .soap = "acwAction", .http = "ACW",
	.script = "acwActionCJI",
	.soap_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.http_params   = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_AGENT_GROUP_ID, P_PWDTYPE, P_PASSWORD),
	.script_params = L(P_TYPE, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID, P_PUSHEVENT, P_CALLBACKFUC),
	.required = L(P_TYPE, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 13, 38, 58, 59, 60),
	.handler = op_acw_action,
	.summary = "Set the after-call-work mode (1 after ring, 2 after answer, 3 off) in checked-in groups.",
	.notes = "Empty agent_group_id means every checked-in group.",
},
{
	.id = "acw_off", .soap = "acwOff", .http = "ACWOFF",
	.script = "acwOffCJI",
	.soap_params   = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD),
	.http_params   = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD),
	.script_params = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_PUSHEVENT, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 61, 90),
	.handler = op_acw_off,
	.summary = "End the agent's after-call work.",
},
{
	.id = "workway_action", .soap = "workwayAction", .http = "WORKWAY",
	.script = "workwayActionCJI",
	.soap_params   = L(P_STATUS, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.soap_params_alt = L(P_STATUS, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.http_params   = L(P_STATUS, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.script_params = L(P_STATUS, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID, P_PUSHEVENT, P_CALLBACKFUC),
	.required = L(P_STATUS, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 58, 62, 91),
	.handler = op_workway_action,
	.summary = "Set the work mode (dialin, dialout, all) in checked-in groups.",
	.notes = "Empty agent_group_id means every checked-in group. An unknown status word answers BackMsg_28.",
},
{
	.id = "make_call", .soap = "makeCall", .http = "MAKECALL",
	.script = "makeCallCJI",
	.soap_params   = L(P_TARGETDN, P_TARGETTYPE, P_AGENTGROUPID, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_MODELTYPE, P_MODEL_ID, P_USERDATA, P_AGENTEXTEN, P_CALLERID, P_TRUNKIDENTITY),
	.soap_params_alt = L(P_TARGETDN, P_TARGETTYPE, P_AGENTGROUPID, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_MODELTYPE, P_MODEL_ID, P_USERDATA),
	.http_params   = L(P_TARGETDN, P_TARGETTYPE, P_AGENTGROUPID, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_MODELTYPE, P_MODEL_ID, P_USERDATA, P_AGENTEXTEN, P_CALLERID, P_TRUNKIDENTITY, P_CALLERNAME, P_CIDTYPE),
	.script_params = L(P_TARGETDN, P_TARGETTYPE, P_AGENTGROUPID, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_MODELTYPE, P_MODEL_ID, P_USERDATA, P_CALLBACKFUC, P_AGENTEXTEN, P_CALLERID, P_TRUNKIDENTITY),
	.required = L(P_TARGETDN, P_TARGETTYPE, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 16, 17, 18, 19, 20, 22, 24, 30, 38, 110, 118, 119),
	.handler = op_make_call,
	.summary = "Call a number or an agent: the agent's phone rings first, then the target.",
	.notes = "Dial strings: `targetdn` (for `exter`) and `callerid` "
		 "take only digits, `*`, `#` and `+`; anything else answers "
		 "`BackMsg_28[targetdn]` or `BackMsg_28[callerid]` and nothing "
		 "is dialled. "
		 "`BackMsg_20[trunk]`: no such trunk (or no default one). "
		 "`BackMsg_20[busy]`: occd is overloaded (it used `[call] "
		 "overload_cpu` of its core in the last second, its loop ran "
		 "`overload_lag_ms` late, or a media worker thread ran "
		 "`overload_media_ms` late) and refuses new calls rather than "
		 "harm the ones up; try again later.",
},
{
	.id = "consult", .soap = "consult", .http = "CONSULT",
	.script = "consultCJI",
	.soap_params   = L(P_TARGETDN, P_AGENTGROUPID, P_CONSULTTYPE, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_TARGETDN, P_AGENTGROUPID, P_CONSULTTYPE, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_TARGETDN, P_AGENTGROUPID, P_CONSULTTYPE, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGETDN, P_CONSULTTYPE, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 21, 25, 26, 27, 38, 56, 95, 118, 119),
	.handler = op_consult,
	.summary = "Consult a third party (agent or number) while the customer is held.",
	.notes = "An external `targetdn` takes only digits, `*`, `#` and "
		 "`+` (`BackMsg_28[targetdn]` otherwise). "
		 "The consulted party's phone rings at most `[call] "
		 "consult_ring_timeout` seconds (30). If the customer hangs up "
		 "during a consult or a conference, the agent and the consulted "
		 "party stay connected until one of them hangs up (transfer and "
		 "conference are then refused, callReturn ends the call). occ's "
		 "choice: the manual is silent.",
},
{
	.id = "transfer", .soap = "transfer", .http = "TRANSFER",
	.script = "transferCJI",
	.soap_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 29, 31, 38),
	.handler = op_transfer,
	.summary = "Complete a transfer: the customer is connected to the consulted party.",
},
{
	.id = "call_return", .soap = "callReturn", .http = "CALLRETURN",
	.script = "callReturnCJI",
	.soap_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 32, 33, 38),
	.handler = op_call_return,
	.summary = "Drop the consulted party and return to the held customer.",
},
{
	.id = "conference", .soap = "conference", .http = "CONFERENCE",
	.script = "conferenceCJI",
	.soap_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 34, 35, 38),
	.handler = op_conference,
	.summary = "Join customer, agent and consulted party in a conference.",
},
{
	.id = "hangup", .soap = "hangup", .http = "HANGUP",
	.script = "hangupCJI",
	.soap_params   = L(P_UNIQUEID, P_TARGETAGENT, P_TARGET, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_UNIQUEID, P_TARGETAGENT, P_TARGET, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_UNIQUEID, P_TARGETAGENT, P_TARGET, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGET, CRED3),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 9, 37, 38, 68, 92),
	.handler = op_hangup,
	.summary = "Hang up legs by uniqueid, or the agent's, caller's, consulted, supervisor's or all legs.",
},
{
	.id = "intrude", .soap = "intrude", .http = "INTRUDE",
	.script = "intrudeCJI",
	.soap_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGET, P_PHONENUMBER, CRED3),
	.auth = AUTH_USER, .flags = OPF_LEADER_TARGET,
	.codes = L(AUTH_CODES, 9, 39, 40, 68, 92),
	.handler = op_intrude,
	.summary = "Group leader barges into an agent's call (three-way).",
},
{
	.id = "silent_monitor", .soap = "silentMonitor", .http = "SILENTMONITOR",
	.script = "silentMonitorCJI",
	.soap_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGET, P_PHONENUMBER, CRED3),
	.auth = AUTH_USER, .flags = OPF_LEADER_TARGET,
	.codes = L(AUTH_CODES, 9, 41, 42, 68, 92),
	.handler = op_silent_monitor,
	.summary = "Group leader listens to an agent's call unheard.",
	.notes = "occd calls the leader at `phonenumber` (his extension, or "
		 "a number over the default trunk; it rings at most `[call] "
		 "consult_ring_timeout` seconds). A leader who is checked in "
		 "and idle is busy while he supervises and idle again after, "
		 "without after-call work. A `phonenumber` that is not an "
		 "extension takes only digits, `*`, `#` and `+` "
		 "(`BackMsg_28[phonenumber]` otherwise). occd's INVITE to an "
		 "extension asks the phone to answer at once (`Call-Info: "
		 "answer-after=0`, `Alert-Info: info=alert-autoanswer`): the "
		 "wallboard's browser phone does. A leader cannot supervise "
		 "a call he is in (his own) or one that would ring a phone "
		 "already in it: `BackMsg_28[target]`; a call supervised "
		 "already (by him too): BackMsg_42. The same for whisper "
		 "(49) and intrude (40).",
},
{
	.id = "agent_status", .soap = "agentStatus", .http = "AGENTSTATUS",
	.script = "agentStatusCJI",
	.soap_params   = L(AUTH5),
	.http_params   = L(AUTH5),
	.script_params = L(AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 43, 44),
	.extra_name = "status",
	.handler = op_agent_status,
	.summary = "The agent's state in each of its groups.",
	.notes = "Third field `status`: `groupid-state,` per group, each entry ending with a comma; state is idle, ring, busy, acw, pause, or logout for a group the agent is not checked in to. BackMsg_44 when the agent belongs to no group.",
},
{
	.id = "whisper", .soap = "whisper", .http = "Whisper",
	.script = "whisperCJI",
	.soap_params   = L(P_TARGET, P_PHONENUMBER, P_USERTYPE, P_USER, P_PWDTYPE, P_PASSWORD, P_ORGIDENTITY),
	.soap_params_alt = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGET, P_PHONENUMBER, CRED3),
	.auth = AUTH_USER, .flags = OPF_LEADER_TARGET,
	.codes = L(AUTH_CODES, 9, 48, 49, 68, 92),
	.handler = op_whisper,
	.summary = "Group leader speaks to the agent only.",
},
{
	.id = "agentgroup_status", .soap = "agentgroupStatus",
	.http = "AgentgroupStatus", .script = "agentgroupStatusCJI",
	.soap_params   = L(AUTH5, P_AGENT_GROUP_ID, P_STATUS),
	.http_params   = L(AUTH5, P_AGENT_GROUP_ID, P_STATUS),
	.script_params = L(AUTH5, P_AGENT_GROUP_ID, P_STATUS, P_CALLBACKFUC),
	.required = L(CRED3, P_AGENT_GROUP_ID, P_STATUS),
	.auth = AUTH_USER, .flags = OPF_LEADER_GROUP,
	.codes = L(AUTH_CODES, 43, 50, 65, 93, 94),
	.handler = op_agentgroup_status,
	.summary = "Group leader lists the agents of a group in the given states.",
	.notes = "status is a comma-separated filter of all, idle, busy, ring, pause, acw, login (checked in), logout (not checked in). Message `agent:state,...` in agent-number order.",
},
{
	.id = "forced_release", .soap = "forcedRelease", .http = "ForcedRelease",
	.script = "forcedReleaseCJI",
	.soap_params   = L(P_TARGET, P_PHONENUMBER, P_USERTYPE, P_USER, P_PWDTYPE, P_PASSWORD, P_ORGIDENTITY),
	.soap_params_alt = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.http_params   = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY),
	.script_params = L(P_TARGET, P_PHONENUMBER, P_PWDTYPE, P_PASSWORD, P_USERTYPE, P_USER, P_ORGIDENTITY, P_CALLBACKFUC),
	.required = L(P_TARGET, CRED3),
	.auth = AUTH_USER, .flags = OPF_LEADER_TARGET,
	.codes = L(AUTH_CODES, 9, 46, 47, 68, 92),
	.handler = op_forced_release,
	.summary = "Group leader ends an agent's call.",
},
{
	.id = "hold", .soap = "hold", .http = "Hold", .script = "holdCJI",
	.soap_params   = L(P_SILENCE, AUTH5),
	.http_params   = L(P_SILENCE, AUTH5),
	.script_params = L(P_SILENCE, AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 51, 52, 92, 96),
	.handler = op_hold,
	.summary = "Hold the customer (silence 1) or play music on hold (silence 0).",
},
{
	.id = "resume", .soap = "resume", .http = "Resume", .script = "resumeCJI",
	.soap_params   = L(AUTH5),
	.http_params   = L(AUTH5),
	.script_params = L(AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 53, 54, 92),
	.handler = op_resume,
	.summary = "Take the customer off hold.",
},
{
	.id = "get_monitor", .soap = "getMonitor", .http = "GetMonitor",
	.script = "getMonitorCJI",
	.soap_params   = L(P_SESSIONID, P_CALLDATE),
	.http_params   = L(P_SESSIONID, P_CALLDATE, P_MP3, P_FILENAME),
	.script_params = L(P_SESSIONID, P_CALLDATE, P_CALLBACKFUC, P_MP3, P_FILENAME),
	.required = L(P_SESSIONID),
	.auth = AUTH_NONE,
	.codes = L(1, 28, 44, 404),
	.handler = op_get_monitor,
	.summary = "The URL of a call's recording.",
	.notes = "`filename` (sent by the original plugin's getMonitorCJI, "
		 "with `mp3`, which occ ignores: it records WAV) names a "
		 "recording segment of the call that monitorCtrl made; it "
		 "must be one of this session's files (its name ends in "
		 "`-<sessionid>.wav`), else BackMsg_404. Empty: the whole "
		 "call's recording.",
},
{
	.id = "monitor_ctrl", .http = "MonitorCtrl", .script = "monitorCtrlCJI",
	.soap_params   = L(P_ACTION, AUTH5, P_PUSHEVENT),
	.http_params   = L(P_ACTION, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_PUSHEVENT),
	.script_params = L(P_ACTION, P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_PUSHEVENT, P_CALLBACKFUC),
	.required = L(P_ACTION, CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 44, 92),
	.handler = op_monitor_ctrl,
	.summary = "Start or stop a separate recording segment of the agent's call (the original plugin's monitorCtrlCJI).",
	.notes = "Neither manual has it: the original plugin sends "
		 "`GET /setevent/monitorCtrlCJI?action=start|stop&usertype&"
		 "user&orgidentity&pwdtype&password&pushevent`. `start` opens "
		 "a recording of the agent's current call from now, in a file "
		 "of its own beside the whole call's recording (which goes "
		 "on); `stop` closes it; the call's end closes it too. "
		 "Message: the segment's file name, which getMonitor takes "
		 "as `filename` (with the call's `sessionid`) to give its URL. "
		 "BackMsg_92: no call, or nobody talks yet; BackMsg_44: start "
		 "while a segment is open, stop without one; "
		 "`BackMsg_28[action]`: neither word. At most one segment a "
		 "second (names carry the second). `pushevent=yes`: the "
		 "agent notification event `monitorstart` or `monitorstop` "
		 "with `filename` (below, Agent notification events).",
},
{
	.id = "yealink_answer", .http = "YealinkAnswer",
	.script = "yealinkAnswerCJI",
	.soap_params   = L(P_ORGIDENTITY, P_TYPE, P_TARGET, P_USER, P_PASSWORD, P_PWDTYPE, P_USERTYPE),
	.http_params   = L(P_ORGIDENTITY, P_TYPE, P_TARGET, P_USER, P_PASSWORD, P_PWDTYPE, P_USERTYPE),
	.script_params = L(P_ORGIDENTITY, P_TYPE, P_TARGET, P_USER, P_PASSWORD, P_CALLBACKFUC, P_PWDTYPE, P_USERTYPE),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 92, 119, 120),
	.handler = op_yealink_answer,
	.summary = "Answer the agent's ringing phone from afar (the original plugin's yealinkAnswerCJI).",
	.notes = "Neither manual has it: the original plugin's "
		 "`yealinkAnswerCJI(orgidentity, type, target, phoneuser, "
		 "phonepwd)`. occ reads `phoneuser`/`phonepwd` as the "
		 "agent's number and password (`user`/`password`, with "
		 "`pwdtype` and `usertype` as everywhere; an account acts "
		 "through its agent) and finds the phone itself: the one "
		 "ringing for the agent (its makeCall, an inner call or "
		 "consult to it, an inbound offer). `target` (the phone's "
		 "address in the original) is not needed and ignored. The "
		 "phone gets a SIP NOTIFY with `Event: talk` (BroadSoft's "
		 "remote answer, which Yealink, Polycom and Grandstream "
		 "phones take) in the ringing INVITE's dialog (its Call-ID, "
		 "occ's From tag and the phone's To tag, to the Contact of "
		 "the phone's 180); `type=action-uri` sends Yealink's Action "
		 "URI instead (`Event: ACTION-URI`, body `key=OK`, out of "
		 "dialog; the phone must allow remote control), any other "
		 "`type` is `talk`. `BackMsg_120[address]`: the NOTIFY went "
		 "to the phone at that address (the phone's 200 to the "
		 "INVITE then answers the call, with the usual events); a "
		 "built-in phone answers at once (`BackMsg_120[built-in]`). "
		 "BackMsg_92: nothing rings for the agent; BackMsg_119: no "
		 "address to reach the phone. A phone that ignores the "
		 "NOTIFY keeps ringing. Phones that should answer by "
		 "themselves: the team setting `auto_answer` "
		 "(docs/OPERATIONS.md) puts `Call-Info: answer-after=0` and "
		 "`Alert-Info: info=alert-autoanswer` in occd's INVITE. HTTP "
		 "`EVENT=YealinkAnswer` is occ's addition.",
},
{
	.id = "import_data", .soap = "importWS", .http = "Import",
	.script = "importCJI", .script_alias = "importCJl",
	.soap_params   = L(AUTH5, P_MODELTYPE, P_MODEL_ID, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD, P_EXETIME, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD, P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY, P_DUPDIALLIST, P_CHANGEPACKAGE),
	.soap_params_alt = L(P_ORGIDENTITY, P_USER, P_USERTYPE, P_USER, P_PWDTYPE, P_PASSWORD, P_MODELTYPE, P_MODEL_ID, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD, P_EXETIME, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD, P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY, P_DUPDIALLIST, P_CHANGEPACKAGE),
	.http_params   = L(AUTH5, P_MODELTYPE, P_MODEL_ID, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD, P_EXETIME, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD, P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY, P_DUPDIALLIST, P_CHANGEPACKAGE),
	.script_params = L(AUTH5, P_MODELTYPE, P_MODEL_ID, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD, P_EXETIME, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD, P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY, P_DUPDIALLIST, P_CHANGEPACKAGE, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 60, 67, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 404),
	.handler = op_import_data,
	.summary = "Import customer data into a campaign's customer package.",
	.notes = "`modeltype` must be `Campaign` (BackMsg_70), `model_id` "
		 "a campaign of the caller's team (67 not an id, 73 no such "
		 "campaign); the team's accounts may import, and agents of "
		 "the campaign's group (60 otherwise). `source` data, http or "
		 "ftp (72), `context` not empty (71). `source=data`: one "
		 "record `name=value||name=value` naming columns by column or "
		 "display name (74 unknown field, 75 malformed or a column "
		 "named twice, 76 the key column missing: `BackMsg_76["
		 "电话号码一(phone1)]`). `phone_field`, `priority_field` and "
		 "`dialtime_field` name columns (74 if the package has none); "
		 "a bad phone, priority or time answers `BackMsg_28[field]`. "
		 "Rule words are case-insensitive, empty means the first: "
		 "emptyagent/resetstatus no, dupway skip, dupdiallist "
		 "ignoreDuplicate, changepackage skip (28 otherwise). Success "
		 "(code 1): the record's outcome as codes, comma-separated: "
		 "84 new (83 also put into the pre-dial list; `84,82` when "
		 "its number already waited there); an existing customer: 78 "
		 "updated (dupway=update) or 81 first when its data was left, "
		 "then 79 owner cleared, 77 status reset, then 80 listed or "
		 "82 number already waiting. A customer of another package "
		 "(or unassigned) is only `81` unless changepackage moves it "
		 "(reassignToCurrent: from any package; unassignToCurrent: "
		 "only an unassigned one); then the rules above apply. "
		 "`source=http|ftp`: a `.csv` URL (86 otherwise) of the "
		 "source's scheme (75) inside the operator's `[import] allow` "
		 "(89 otherwise, before any connection) answers code 1 with "
		 "the import task id; each row of the file then goes through "
		 "the same rules (title row: column or display names, "
		 "`delrow`), counted in the task's report (`import_report`); "
		 "`exetime` ahead queues the task until then (it survives a "
		 "restart). "
		 "The asterCC 2.1 22-argument SOAP form (user twice) is "
		 "accepted. docs/CAMPAIGNS.md has the details.",
},
{
	.id = "group_status_num", .soap = "groupStatusNum",
	.soap_params   = L(P_ORGIDENTITY, P_QUEUENUMBER, P_TYPE),
	.required = L(P_ORGIDENTITY, P_QUEUENUMBER),
	.auth = AUTH_TEAM, .flags = OPF_PLAIN_SOAP,
	.codes = L(1, 2, 28, 30, 100),
	.handler = op_group_status_num,
	.summary = "Counts of a queue's agents by state (SOAP only, no credentials).",
	.notes = "type idle|ringing|pause|busy|acw gives `1|count`; all, empty or anything else gives `1|checked-in|idle|ringing|paused|busy|acw`. Failure `0|BackMsg_NN`.",
},
{
	.id = "queue_customer_num", .soap = "queueCustomerNum",
	.http = "queueCustomerNum", .script = "queueCustomerNumCJI",
	.soap_params   = L(P_ORGIDENTITY, P_QUEUENUMBER, P_PRIO),
	.http_params   = L(P_ORGIDENTITY, P_QUEUENUMBER, P_PRIO),
	.script_params = L(P_ORGIDENTITY, P_QUEUENUMBER, P_PRIO, P_CALLBACKFUC),
	.required = L(P_ORGIDENTITY, P_QUEUENUMBER),
	.auth = AUTH_TEAM, .flags = OPF_PLAIN_SOAP,
	.codes = L(1, 2, 28, 30, 100),
	.handler = op_queue_customer_num,
	.summary = "Counts of a queue's waiting customers by state (no credentials).",
	.notes = "`total|ringing|waiting|talking` of the callers in the queue whose number is `queuenumber` (`0`: all of the team's queues) with a priority of at least `prio` (empty: all). `ringing`: an agent's phone rings for them; `waiting`: in the queue, nobody rings; `talking`: with an agent the queue gave them. `queuenum` is accepted for `queuenumber`.",
},
{
	.id = "team_status", .soap = "teamStatus", .http = "TeamStatus",
	.script = "teamStatusCJI",
	.soap_params   = L(AUTH5, P_STATUS),
	.http_params   = L(AUTH5, P_STATUS),
	.script_params = L(AUTH5, P_STATUS, P_CALLBACKFUC),
	.required = L(CRED3, P_STATUS),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 43, 93, 94),
	.handler = op_team_status,
	.summary = "The state of every agent of the team, filtered by status.",
	.notes = "Same filter words and message format as agentgroupStatus. Any authenticated agent or account of the team may call it (the manuals mark no role).",
},
{
	.id = "agent_realtime", .soap = "agentRealtime", .http = "AgentRealtime",
	.script = "agentRealtimeCJI",
	.soap_params   = L(AUTH5),
	.http_params   = L(AUTH5),
	.script_params = L(AUTH5, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 43, 44),
	.handler = op_agent_realtime,
	.summary = "The agent's state, its duration and today's pause counts and durations.",
	.notes = "18 `|`-separated fields: name|number|state|state seconds|pauses|rest|leave|meeting|training|lunch|other|pause seconds|rest s|leave s|meeting s|training s|lunch s|other s. \"Today\" is the server's local day; a pause still running counts up to now.",
},
{
	.id = "agent_statistic_day", .soap = "agentStatisticDay",
	.http = "AgentStatisticDay", .script = "agentStatisticDayCJI",
	.soap_params   = L(AUTH5, P_AGENT_GROUP_ID),
	.http_params   = L(AUTH5, P_AGENT_GROUP_ID),
	.script_params = L(AUTH5, P_AGENT_GROUP_ID, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 11, 38, 44),
	.handler = op_agent_statistic_day,
	.summary = "The agent's figures for today, per group (the original plugin's call).",
	.notes = "Neither manual has it: the original astcc_CJI.js sends "
		 "`agentStatisticDayCJI` (ORIGINAL-CLIENT-WIRE.md); the HTTP "
		 "`AgentStatisticDay` and SOAP `agentStatisticDay` forms are "
		 "occ's additions, with the same message. `agent_group_id`: a "
		 "comma list of group ids (an unknown one answers "
		 "`BackMsg_11[id]`), or `0` or empty for every group of the "
		 "agent (BackMsg_44 if it has none). The message is a JSON "
		 "object (on Script the `message` value itself, on HTTP and "
		 "SOAP its text): `{\"<gid>\":{\"agent_status\":\"idle\","
		 "\"total_call_duration\":\"HH:MM:SS\","
		 "\"in_bound_call_answered\":n,\"out_bound_call_answered\":n,"
		 "\"total_calls\":n,\"waiting_calls\":n},...}`. agent_status "
		 "is the agent's state word (idle, ring, busy, acw, pause; "
		 "logout where it is not checked in). Today is the server's "
		 "local day; the figures come from the call events of the "
		 "calls the agent placed or was offered in that group "
		 "(docs/ARCHITECTURE.md, Statistics): total_calls every call "
		 "that rang the agent's phone, in/out_bound_call_answered the "
		 "inbound calls it answered and the outbound calls whose "
		 "customer answered, total_call_duration the talk time from "
		 "that answer to the agent's hangup (a call in progress counts "
		 "up to now). waiting_calls: callers waiting in the group's "
		 "queue now, for an agent, not yet ringing (queueCustomerNum's "
		 "`waiting`).",
},
{
	.id = "send_dtmf", .soap = "sendDtmf", .http = "SendDtmf",
	.script = "dtmfCJI",
	.soap_params   = L(AUTH5, P_DTMF),
	.soap_params_alt = L(P_ORGIDENTITY, P_USER, P_PASSWORD, P_DTMF),
	.http_params   = L(AUTH5, P_DTMF),
	.script_params = L(AUTH5, P_DTMF, P_CALLBACKFUC),
	.required = L(CRED3, P_DTMF),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 92, 97, 98, 99),
	.handler = op_send_dtmf,
	.summary = "Send DTMF digits on the agent's call.",
},
{
	.id = "set_var", .soap = "setVar", .http = "SetVar",
	.script = "setvarCJI",
	.soap_params   = L(AUTH5, P_VARNAME, P_VARVALUE),
	.http_params   = L(AUTH5, P_VARNAME, P_VARVALUE),
	.script_params = L(AUTH5, P_VARNAME, P_VARVALUE, P_CALLBACKFUC),
	.required = L(CRED3, P_VARNAME),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 92, 101, 102, 103),
	.handler = op_set_var,
	.summary = "Attach a variable to the agent's current call.",
},
{
	.id = "agent_to_ivr", .soap = "agentToIvr", .soap_alias = "agentTolvr",
	.http = "AgentToIvr", .http_alias = { "AgentTolvr" },
	.script = "agenttoivrCJI",
	.soap_params   = L(AUTH5, P_IVREXTEN, P_IVRFLOW, P_TRANSFER),
	.http_params   = L(AUTH5, P_IVREXTEN, P_IVRFLOW, P_TRANSFER),
	.script_params = L(AUTH5, P_IVREXTEN, P_IVRFLOW, P_TRANSFER, P_CALLBACKFUC),
	.required = L(CRED3, P_IVREXTEN),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 38, 92, 104, 105, 106, 107, 108, 109),
	.handler = op_agent_to_ivr,
	.summary = "Transfer the agent's call into an IVR, optionally at a menu path.",
	.notes = "`ivrexten` names a main flow by its internal number; `ivrflow` `1-2-5` walks keys 1, 2 and 5 through the menus without playing them (empty: the flow's start). `transfer=0` (release, the default): the agent leaves (after-call state as after a call) and the customer goes on where the IVR leads; `transfer=1` (suspend): the agent stays on the call hearing nothing and has the customer back when the IVR ends, with the variables it collected attached to the call. 104 while consulting, 105 a release in a conference, 106 no such main IVR, 107 a path whose keys do not exist, 92 no call.",
},
{
	.id = "device_call", .soap = "deviceCall", .http = "DeviceCall",
	.script = "devicecallCJI",
	.soap_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID),
	/* cocc's merged prototype: deviceCall with backCall's arguments */
	.soap_params_alt = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID, P_USER, P_PASSWORD, P_PWDTYPE),
	.http_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID),
	.script_params = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID, P_CALLBACKFUC),
	.required = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN),
	.auth = AUTH_TEAM, .flags = OPF_ASTERCC_ONLY,
	.codes = L(1, 2, 19, 20, 22, 28, 100, 110, 119),
	.with_user = "back_call",
	.handler = op_device_call,
	.summary = "Dial from an extension (asterCC 2.1; no credentials).",
	.notes = "`exten` must be an extension of the team (BackMsg_110), "
		 "registered or built-in (BackMsg_119). It rings first; when "
		 "it answers occd dials `targetdn`: an extension of the team "
		 "rings that phone, anything else (`[0-9*#+]` only, "
		 "`BackMsg_28[targetdn]` otherwise) goes over the team's "
		 "default trunk (`BackMsg_20[trunk]` without one) with "
		 "`callerid`, else the trunk's caller id. An agent checked in, "
		 "idle and working on `exten` owns the call: its state rings, "
		 "talks and goes to ACW as with makeCall (in its first "
		 "checked-in group), and a second request while it is in a "
		 "call answers BackMsg_22. Without such an agent no agent "
		 "state changes. Events and CDR are makeCall's (the first "
		 "leg's events say `source=AGENT`). BackMsg_19 once the "
		 "extension is being rung. The cocc manual turned this "
		 "section into backCall: a `DeviceCall` request (or a "
		 "seven-argument SOAP `deviceCall`) that carries `user` is "
		 "served as backCall, with an account's credentials.",
},
{
	.id = "back_call", .soap = "backCall", .http = "BackCall",
	.http_alias = { "DeviceCallBackCall" },
	.script = "backcallCJI",
	.soap_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID, P_USER, P_PASSWORD, P_PWDTYPE),
	.http_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID, P_USER, P_PASSWORD, P_PWDTYPE, P_USERDATA),
	.script_params = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_CALLERID, P_USER, P_PASSWORD, P_PWDTYPE, P_CALLBACKFUC, P_USERDATA),
	.required = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_USER, P_PASSWORD),
	.auth = AUTH_ACCOUNT, .flags = OPF_COCC_ONLY,
	.codes = L(AUTH_CODES, 19, 20, 22, 119),
	.handler = op_back_call,
	.summary = "Two-leg callback: call the initiator, then the target (cocc).",
	.notes = "The manual prints this section as a tracked-changes merge "
		 "with deviceCall (API.md §4.32); occ reads it as: `user`, "
		 "`password`, `pwdtype` are an account's (BackMsg_63 when "
		 "wrong), the account is billed (the CDR's `account`), and "
		 "`exten`, the initiator, is any phone: an extension of the "
		 "team rings that phone (BackMsg_119 if it is not "
		 "registered), anything else is a number (`[0-9*#+]`, "
		 "`BackMsg_28[exten]` otherwise) dialled over the team's "
		 "default trunk. When the initiator answers, `targetdn` is "
		 "dialled as for deviceCall; `callerid` is presented to both "
		 "numbers dialled over the trunk, else the trunk's caller id. "
		 "EVENT spellings: `BackCall`, `DeviceCallBackCall` (as "
		 "printed), and `DeviceCall` with a `user` (without one it is "
		 "asterCC's deviceCall); Script `backcallCJI` and SOAP "
		 "`backCall` (or a seven-argument `deviceCall`). An initiator "
		 "that is no agent's extension changes no agent's state; one "
		 "an idle, checked-in agent works on makes it the agent's "
		 "call, as deviceCall does. `userdata` (sent by the original "
		 "plugin) comes back in the call's events. Events and CDR are "
		 "makeCall's.",
},
{
	.id = "qback_call", .http = "QBackCall", .script = "qbackcallCJI",
	.soap_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_ICALLERID, P_XCALLERID, P_USER, P_PASSWORD, P_PWDTYPE, P_USERDATA),
	.http_params   = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_ICALLERID, P_XCALLERID, P_USER, P_PASSWORD, P_PWDTYPE, P_USERDATA),
	.script_params = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_ICALLERID, P_XCALLERID, P_USER, P_PASSWORD, P_PWDTYPE, P_USERDATA, P_CALLBACKFUC),
	.required = L(P_ORGIDENTITY, P_EXTEN, P_TARGETDN, P_USER, P_PASSWORD),
	.auth = AUTH_ACCOUNT,
	.codes = L(AUTH_CODES, 19, 20, 22, 119),
	.handler = op_qback_call,
	.summary = "backCall with a caller id per leg (the original plugin's qbackcallCJI).",
	.notes = "Neither manual has it: the original plugin's "
		 "`qbackcallCJI(orgidentity, exten, targetdn, icallerid, "
		 "xcallerid, user, password, pwdtype, userdata, callbackFuc)`. "
		 "It is backCall (same credentials: an account's, billed; "
		 "same initiator and target rules, codes, events and CDR), "
		 "except for the caller ids: `icallerid` is presented to the "
		 "initiator (the From of its INVITE over the trunk, or the "
		 "caller shown on its extension), `xcallerid` to the target; "
		 "either empty: the trunk's caller id. Both take only digits, "
		 "`*`, `#` and `+` (`BackMsg_28[icallerid]` / "
		 "`[xcallerid]` otherwise). `userdata` comes back in every "
		 "event of the call. HTTP `EVENT=QBackCall` is occ's addition.",
},
{
	.id = "set_device", .soap = "setdevice", .http = "SetDevice",
	.script = "setdeviceCJI",
	.soap_params   = L(P_ORGIDENTITY, P_EXTEN, P_USER, P_PWDTYPE, P_PASSWORD),
	.http_params   = L(P_ORGIDENTITY, P_EXTEN, P_USER, P_PWDTYPE, P_PASSWORD),
	.script_params = L(P_ORGIDENTITY, P_EXTEN, P_USER, P_PWDTYPE, P_PASSWORD, P_CALLBACKFUC),
	.required = L(P_ORGIDENTITY, P_EXTEN, P_USER, P_PASSWORD),
	.auth = AUTH_AGENT, .flags = OPF_COCC_ONLY,
	.codes = L(AUTH_CODES, 110, 111, 112),
	.handler = op_set_device,
	.summary = "Change the extension the agent works on (hot-desking; cocc).",
	.notes = "An agent checked in to a group as a dynamic member must check out first (BackMsg_111).",
},
{
	.id = "my_info", .http = "MyInfo", .script = "getMyInfoCJI",
	.soap_params   = L(P_ORGIDENTITY, P_USER, P_PASSWORD, P_PWDTYPE),
	.http_params   = L(P_ORGIDENTITY, P_USER, P_PASSWORD, P_PWDTYPE),
	.script_params = L(P_ORGIDENTITY, P_USER, P_PASSWORD, P_PWDTYPE, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_AGENT, .flags = OPF_JSON_HTTP,
	.codes = L(AUTH_CODES, 44),
	.handler = op_my_info,
	.summary = "The agent's own data for the original plugin's getMyInfo (occ's reading of it).",
	.notes = "Neither manual has it: the original astcc_CJI.js sends "
		 "`GET /asterccinterfaces?EVENT=MyInfo&orgidentity=&user=&"
		 "password=&pwdtype=plaintext|md5` and parses the reply with "
		 "`$.parseJSON` outside any try (ORIGINAL-CLIENT-WIRE.md). "
		 "So the HTTP reply is a JSON object served as `text/plain` "
		 "(with `application/json` jQuery would parse it first and "
		 "`$.parseJSON` of an object throws), failures included: "
		 "`{\"code\":2,\"message\":\"BackMsg_03\"}`. Success: "
		 "`{\"code\":1,\"agentno\":\"8001\",\"agentpassword\":"
		 "\"<md5>\",\"orgidentity\":\"demo\",\"agentname\":\"...\","
		 "\"dialout_default_group_id\":\"1\",\"agent_group\":[{"
		 "\"agent_group_id\":\"1\",\"groupname\":\"Sales\","
		 "\"queue\":\"6001\",\"checked_in\":true,\"leader\":false,"
		 "\"acw_mode\":3,\"work_mode\":0}],\"cdrs\":[{\"sessionid\","
		 "\"calldate\",\"starttime\",\"direction\",\"caller\","
		 "\"callee\",\"disposition\",\"duration\",\"billsec\"}]}`. "
		 "`agentpassword` is the lowercase hex MD5 of the password, "
		 "which the extension then sends with `pwdtype=md5`. occ "
		 "stores no MD5 (only argon2id of it): it returns the MD5 of "
		 "the credential this very request presented and that was just "
		 "verified (the MD5 of a plaintext password, or the md5 value "
		 "as sent). Trade-off: that MD5 is a password equivalent on "
		 "this protocol (pwdtype=md5 accepts it), so the reply hands "
		 "it only to a caller who has just proved it; it dies with a "
		 "password change. Only agents (an account has no agent "
		 "password to give). `dialout_default_group_id`: the group "
		 "set by DefaultGroup, else the one makeCall would use now "
		 "(the first checked-in group), else `0`. `agent_group`: every "
		 "group the agent is a member of. `cdrs`: the agent's calls of "
		 "today (server's local day), newest first, at most 20; "
		 "duration and billsec (talk) in seconds, up to now for a call "
		 "in progress. Script `getMyInfoCJI` gives the same object as "
		 "`message`.",
},
{
	.id = "default_group", .http = "DefaultGroup",
	.script = "setDefaultGroupCJI",
	.soap_params   = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.http_params   = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID),
	.script_params = L(P_USERTYPE, P_USER, P_ORGIDENTITY, P_PWDTYPE, P_PASSWORD, P_AGENT_GROUP_ID, P_CALLBACKFUC),
	.required = L(CRED3, P_AGENT_GROUP_ID),
	.auth = AUTH_USER, .flags = OPF_AGENT,
	.codes = L(AUTH_CODES, 11, 38, 60),
	.handler = op_default_group,
	.summary = "Set the agent's default dial-out group (the original plugin's setDefaultGroupCJI).",
	.notes = "Neither manual has it: the original plugin POSTs "
		 "`EVENT=DefaultGroup` with usertype, user, orgidentity, "
		 "pwdtype, password, agent_group_id and splits the reply on "
		 "`|Retuen|` (text/plain like every HTTP reply). makeCall "
		 "without `agentgroupid` then calls in that group while the "
		 "agent is checked in there (else in its first checked-in "
		 "group). Success: message the group id. Failures carry the "
		 "current default group id (`0`: none) as the bracket "
		 "argument, which the extension selects again: "
		 "`BackMsg_11[1]` no such group in the team, `BackMsg_60[1]` "
		 "the agent is not a member of it. Saved with the agent's "
		 "state: kept across SIGHUP reloads and restarts (a group "
		 "deleted since reads as none).",
},
{
	.id = "dialer_list", .http = "DialerList", .script = "dialerListCJI",
	.soap_params   = L(AUTH5, P_CAMPAIGNID, P_PHONENUM, P_PRIORITY, P_DIALTIME),
	.http_params   = L(AUTH5, P_CAMPAIGNID, P_PHONENUM, P_PRIORITY, P_DIALTIME),
	.script_params = L(AUTH5, P_CAMPAIGNID, P_PHONENUM, P_PRIORITY, P_DIALTIME, P_CALLBACKFUC),
	.required = L(CRED3, P_CAMPAIGNID, P_PHONENUM),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 60, 67, 73, 80, 82, 85),
	.handler = op_dialer_list,
	.summary = "Put one number into a campaign's pre-dial list (the original plugin's dialerListCJI).",
	.notes = "Neither manual has it: the original plugin sends "
		 "`GET /setevent/dialerListCJI?orgidentity&usertype&user&"
		 "pwdtype&password&campaignid&phonenum&priority&dialtime`; "
		 "`EVENT=DialerList` is occ's HTTP form. Who may: as import "
		 "(the team's accounts, agents of the campaign's group, else "
		 "BackMsg_60); 67 `campaignid` not an id, 73 no such campaign "
		 "in the team. `phonenum` `[0-9*#+]` only, `priority` an "
		 "integer (higher first, empty 0), `dialtime` `YYYY-MM-DD "
		 "hh:mm:ss` in occd's time zone (empty: at once); "
		 "`BackMsg_28[name]` otherwise. Success BackMsg_80; a number "
		 "still waiting in the list answers code 2 BackMsg_82.",
},
{
	.id = "import_report", .http = "ImportReport",
	.script = "importReportCJI",
	.soap_params   = L(AUTH5, P_CAMPAIGNID, P_TASKID),
	.http_params   = L(AUTH5, P_CAMPAIGNID, P_TASKID),
	.script_params = L(AUTH5, P_CAMPAIGNID, P_TASKID, P_CALLBACKFUC),
	.required = L(CRED3, P_CAMPAIGNID),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 28, 60, 67, 73, 85),
	.handler = op_import_report,
	.summary = "The reports of a campaign's file imports (occ's addition).",
	.notes = "Neither manual has it. `taskid` is the id a file import "
		 "(`source=http|ftp`) answered; empty: every file import of "
		 "the campaign, newest first. Same rights as import (the "
		 "team's accounts, agents of the campaign's group, else "
		 "BackMsg_60); 67 `campaignid` not an id, 73 no such "
		 "campaign in the team, `BackMsg_28[taskid]` no such task in "
		 "it. The message is a JSON array: `[{\"taskid\":17,"
		 "\"campaignid\":10,\"url\":\"http://...\",\"state\":"
		 "\"done\",\"records\":5,\"refused\":1,\"outcomes\":"
		 "{\"83\":3,\"81\":1},\"errors\":[\"line 6: 76[...]\"],"
		 "\"error\":\"\"}]` (state running, done or failed; "
		 "outcomes by each record's first code; the first 20 refused "
		 "records; error: why a failed task failed), docs/CAMPAIGNS.md.",
},
{
	.id = "customer_record", .soap = "customerRecord",
	.http = "CustomerRecord", .script = "customerRecordCJI",
	.soap_params   = L(AUTH5, P_CAMPAIGNID, P_CUSTOMERID),
	.http_params   = L(AUTH5, P_CAMPAIGNID, P_CUSTOMERID),
	.script_params = L(AUTH5, P_CAMPAIGNID, P_CUSTOMERID, P_CALLBACKFUC),
	.required = L(CRED3, P_CAMPAIGNID, P_CUSTOMERID),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 28, 44, 60, 67, 73, 85),
	.handler = op_customer_record,
	.summary = "One customer record of a campaign's package, with its columns' display names (occ's addition; the agent desktop's pop-up).",
	.notes = "Neither manual has it. A dialer call carries "
		 "`modeltype=Campaign&model_id=<campaign>` and the userdata "
		 "`dial_id=<row>&customer_id=<customer>` (docs/DIALER.md); "
		 "this answers that customer's record. Who may: the team's "
		 "accounts and the agents of the campaign's agent group "
		 "(other agents BackMsg_60); 67 `campaignid` not an id, 73 no "
		 "such campaign in the team, `BackMsg_28[customer_id]` not an "
		 "id, 44 no such customer in that campaign's package (another "
		 "team's or another package's customer answers the same). The "
		 "message is a JSON object: `{\"campaignid\":10,\"campaign\":"
		 "\"Demo campaign\",\"customer_id\":5,\"key\":"
		 "\"13900000001\",\"owner\":\"\",\"status\":\"new\","
		 "\"fields\":[{\"name\":\"name\",\"display\":\"姓名\","
		 "\"value\":\"...\"},{\"name\":\"phone1\",\"display\":"
		 "\"电话号码一\",\"value\":\"13900000001\"}]}` (status "
		 "new, following, success or failure; fields in the package's "
		 "column order, those without a value left out, then fields "
		 "of columns the package no longer has, display = name), "
		 "docs/CAMPAIGNS.md.",
},
{
	.id = "campaign_report", .http = "CampaignReport",
	.script = "campaignReportCJI",
	.soap_params   = L(AUTH5, P_CAMPAIGNID, P_DAY, P_DAYS),
	.http_params   = L(AUTH5, P_CAMPAIGNID, P_DAY, P_DAYS),
	.script_params = L(AUTH5, P_CAMPAIGNID, P_DAY, P_DAYS, P_CALLBACKFUC),
	.required = L(CRED3, P_CAMPAIGNID),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 28, 60, 67, 73, 85),
	.handler = op_campaign_report,
	.summary = "A campaign's dialing report per day (occ's addition).",
	.notes = "Neither manual has it. The team's accounts and the "
		 "leaders of the campaign's agent group may ask (other "
		 "agents BackMsg_60); 67 `campaignid` not an id, 73 no such "
		 "campaign in the team, `BackMsg_28[day]` or `[days]` a bad "
		 "day or count. The message is a JSON object, one entry per "
		 "day (the `days` days up to `day`, oldest first): "
		 "`{\"campaignid\":10,\"profile\":\"us\",\"list\":"
		 "{\"waiting\":5,\"due\":2,\"attempts\":3,\"results\":"
		 "{\"abandoned\":1,\"answered\":2}},\"days\":"
		 "[{\"day\":\"2026-12-06\",\"dials\":3,\"answers\":2,"
		 "\"live\":2,\"abandons\":1,\"abandon_pct\":50.0,"
		 "\"window\":{\"profile\":\"us\",\"live\":40,"
		 "\"abandons\":1,\"abandon_pct\":2.50},\"amd\":"
		 "{\"HUMAN\":2},\"talk_min\":3.50,\"agent_hours\":"
		 "1.000,\"talk_min_per_agent_hour\":3.5,\"occupancy_pct\":"
		 "20,\"wait\":{\"answers\":1,\"p50_ms\":640,\"p90_ms\":"
		 "640,\"max_ms\":640,\"le_1s\":1,\"le_2s\":0,"
		 "\"over_2s\":0}}]}` (the window: the compliance "
		 "profile's, 30 days up to the day or uk's 24 h; the list: "
		 "the pre-dial list now), computed from the CDRs, the "
		 "agents' state log and the pre-dial list, "
		 "docs/CAMPAIGNS.md \"Campaign reports\".",
},
{
	.id = "push_token", .http = "PushToken", .script = "pushTokenCJI",
	.soap_params   = L(AUTH5, P_TYPE),
	.http_params   = L(AUTH5, P_TYPE),
	.script_params = L(AUTH5, P_TYPE, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER,
	.codes = L(AUTH_CODES, 38, 65),
	.extra_name = "param",
	.handler = op_push_token,
	.summary = "A token to subscribe to browser events (occ's addition).",
	.notes = "Not in the manuals: the manuals' push script (cocc_nginx_http_push.js) does not say how it identifies the agent, so occ's script asks for a token first. `type` `agent` (an agent's default): the agent's own channel, the events that name it (an account acts through its linked agent, else BackMsg_38); `team` (an account's default): every event of the team, for accounts and group leaders (other agents BackMsg_65). Message: the token; third field `channel=agent:<number>` or `channel=team`, `&expires=<unix seconds>&ttl=<seconds>`. The token subscribes at `/push/sse?token=`, `/push/poll?token=` and as the channel name of `/agentindesks/agentpull/<token>` (docs/ARCHITECTURE.md, Events); it lasts 12 hours and survives restarts, but not the credential that asked for it: after a password change, a disabled account (the agent's, for an agent) or a leader no longer leading, it is refused with 403 and its open subscriptions are closed. Not offered on SOAP.",
},
{
	.id = "queue_statistic", .http = "QueueStatistic",
	.script = "queueStatisticCJI",
	.soap_params   = L(AUTH5, P_SERVICELEVEL, P_AGENTSINCE),
	.http_params   = L(AUTH5, P_SERVICELEVEL, P_AGENTSINCE),
	.script_params = L(AUTH5, P_SERVICELEVEL, P_AGENTSINCE, P_CALLBACKFUC),
	.required = L(CRED3),
	.auth = AUTH_USER, .flags = OPF_JSON_HTTP,
	.codes = L(AUTH_CODES, 28, 65),
	.handler = op_queue_statistic,
	.summary = "Live figures of the queues and agents a supervisor sees (occ's addition; the wallboard's source).",
	.notes = "Neither manual has it. The team's accounts see every "
		 "group, a group leader the groups he leads (another agent: "
		 "BackMsg_65). `servicelevel`: the threshold in seconds, 1 to "
		 "600 (empty 20; `BackMsg_28[servicelevel]` otherwise). The "
		 "HTTP reply is a JSON object (as `text/plain`, like MyInfo), "
		 "failures too; on Script the same object is `message`: "
		 "`{\"servicelevel\":20,\"now\":1765000000000,\"queues\":"
		 "[{\"group\":1,\"name\":"
		 "\"Sales\",\"queue\":\"6001\",\"waiting\":1,\"ringing\":0,"
		 "\"talking\":0,\"longest_wait\":12,\"answered\":3,"
		 "\"answered_within\":2,\"abandoned\":1,\"other\":0,"
		 "\"service_level\":50,\"asa\":9,\"aht\":41,\"agents\":{"
		 "\"idle\":1,\"ring\":0,\"busy\":1,\"acw\":0,\"pause\":0,"
		 "\"logout\":4}}],\"agents\":[{\"agent\":\"8001\",\"name\":"
		 "\"...\",\"state\":\"busy\",\"since\":35,\"party\":"
		 "\"13800138000\",\"supervisor\":\"8001\",\"supervision\":"
		 "\"monitor\",\"groups\":[1]}]}`. Live (now): waiting "
		 "(for an agent, nobody rings), ringing, talking and "
		 "longest_wait (seconds the longest-waiting caller has "
		 "waited) as queueCustomerNum and /metrics count them; agents "
		 "of the group by state (logout: members not checked in). "
		 "Today (the server's local day, from the queue's `QUEUE "
		 "leave` events, docs/ARCHITECTURE.md, Statistics): answered "
		 "(reason answered), answered_within (of those, a `waittime` "
		 "of at most `servicelevel` seconds), abandoned (reason "
		 "abandon), other (timeout, full, empty, exit, system); "
		 "service_level the percentage answered_within / (answered + "
		 "abandoned), `null` before any; asa the mean `waittime` of "
		 "the answered (seconds); aht the mean talk time of the "
		 "group's inbound agent legs that ended today (seconds). "
		 "agents: every agent of the visible groups, its state (as "
		 "teamStatus), since: seconds in that state, party: whom it "
		 "talks with (the customer's number, or the other agent), "
		 "supervisor: the leader (agent number or account) whose "
		 "monitor, whisper or barge-in has joined its call, and "
		 "supervision which of the three (both empty without one), "
		 "groups: its visible groups. now: the server's time (Unix "
		 "ms) when the reply was made. `agentsince` (Unix ms, "
		 "usually an earlier reply's `now`; `BackMsg_28[agentsince]` "
		 "if not a number): the agents list holds only the agents "
		 "whose state changed at or after it, and those in a call "
		 "(whose party may change meanwhile); the queues are all "
		 "there. The wallboard asks so each second, and for every "
		 "agent every 10 s (names, memberships). Not offered on SOAP.",
},
};

const size_t op_count = sizeof(op_table) / sizeof(op_table[0]);

static bool name_is(const char *a, const char *b)
{
	return a && b && !strcasecmp(a, b);
}

const struct op *op_find_id(const char *id)
{
	for (size_t i = 0; i < op_count; i++)
		if (name_is(op_table[i].id, id))
			return &op_table[i];
	return NULL;
}

const struct op *op_find_soap(const char *name)
{
	/* SOAP method names are case-sensitive in WSDL; accept exact or alias */
	for (size_t i = 0; i < op_count; i++) {
		const struct op *op = &op_table[i];
		if ((op->soap && !strcmp(op->soap, name)) ||
		    (op->soap_alias && !strcmp(op->soap_alias, name)))
			return op;
	}
	return NULL;
}

const struct op *op_find_http(const char *event)
{
	for (size_t i = 0; i < op_count; i++) {
		const struct op *op = &op_table[i];
		if (name_is(op->http, event))
			return op;
		for (size_t k = 0; k < ARRAY_SIZE(op->http_alias); k++)
			if (name_is(op->http_alias[k], event))
				return op;
	}
	return NULL;
}

const struct op *op_find_script(const char *fn)
{
	for (size_t i = 0; i < op_count; i++) {
		const struct op *op = &op_table[i];
		if (name_is(op->script, fn) || name_is(op->script_alias, fn))
			return op;
	}
	return NULL;
}

size_t op_param_count(const enum param *list)
{
	size_t n = 0;

	while (n < OP_MAX_PARAMS && list[n] != P_END)
		n++;
	return n;
}

bool op_declares_code(const struct op *op, int code)
{
	for (size_t i = 0; i < OP_MAX_CODES && op->codes[i]; i++)
		if (op->codes[i] == code)
			return true;
	return false;
}

enum param param_lookup(const char *name)
{
	for (int p = 1; p < P_COUNT; p++) {
		const struct param_def *d = &param_defs[p];
		if (name_is(d->name, name))
			return (enum param)p;
		for (size_t k = 0; k < ARRAY_SIZE(d->alias); k++)
			if (name_is(d->alias[k], name))
				return (enum param)p;
	}
	return P_END;
}
