/*
 * apidoc.c — writes docs/API.md from the operation table, the parameter
 * definitions and the BackMsg catalog (`make docs`; `make check-generated`
 * fails when the checked-in file differs). Never edit docs/API.md by hand.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "api/optable.h"
#include "api/backmsg.h"
#include "base/conf.h"

static const char *auth_text(enum op_auth a)
{
	switch (a) {
	case AUTH_NONE:    return "none (no credentials, as in the manual)";
	case AUTH_TEAM:    return "`orgidentity` only (no credentials, as in the manual)";
	case AUTH_USER:    return "agent or account (`usertype`, `user`, `pwdtype`, `password`)";
	case AUTH_AGENT:   return "agent (`user`, `pwdtype`, `password`; no `usertype`)";
	case AUTH_ACCOUNT: return "account (`user`, `pwdtype`, `password`)";
	}
	return "?";
}

static void print_list(const enum param *list)
{
	for (size_t i = 0; i < op_param_count(list); i++)
		printf("%s%s", i ? ", " : "", param_defs[list[i]].name);
}

static void print_http(const struct op *op)
{
	printf("`EVENT=%s", op->http);
	for (size_t i = 0; i < op_param_count(op->http_params); i++)
		printf("&%s=…", param_defs[op->http_params[i]].name);
	printf("`");
}

static void print_op(const struct op *op)
{
	printf("### %s\n\n%s\n\n", op->soap ? op->soap : op->id, op->summary);
	if (!op->handler)
		printf("**Not available yet:** authenticated calls answer code 2 "
		       "`BackMsg_100` until the telephony engine lands.\n\n");
	printf("| Interface | Call |\n|---|---|\n");
	if (op->soap) {
		printf("| SOAP | `%s(", op->soap);
		print_list(op->soap_params);
		printf(")`");
		if (op->soap_alias)
			printf(" (also `%s`)", op->soap_alias);
		if (op_param_count(op->soap_params_alt)) {
			printf("; also accepted `%s(", op->soap);
			print_list(op->soap_params_alt);
			printf(")`");
		}
		printf(" |\n");
	}
	if (op->http) {
		printf("| HTTP | ");
		print_http(op);
		for (size_t k = 0; k < 3 && op->http_alias[k]; k++)
			printf(" (also `EVENT=%s`)", op->http_alias[k]);
		printf(" |\n");
	}
	else
		printf("| HTTP | not offered (as in the manuals) |\n");
	if (op->script) {
		printf("| Script | `%s(", op->script);
		print_list(op->script_params);
		printf(")`");
		if (op->script_alias)
			printf(" (also `%s`)", op->script_alias);
		printf(" |\n");
	}
	else
		printf("| Script | not offered (as in the manuals) |\n");
	printf("\n- Credentials: %s\n", auth_text(op->auth));
	printf("- Required: ");
	print_list(op->required);
	printf("\n");
	if (op->flags & OPF_AGENT)
		printf("- Acts on an agent: a `usertype=account` caller acts "
		       "through the agent linked to the account (`BackMsg_38` "
		       "if none).\n");
	if (op->flags & OPF_LEADER_GROUP)
		printf("- Leader only: the caller must lead the group "
		       "`agent_group_id` (`BackMsg_50` no such group in the team, "
		       "`BackMsg_65` not its leader); accounts may.\n");
	if (op->flags & OPF_LEADER_TARGET)
		printf("- Leader only: the caller must lead a group of agent "
		       "`target` (`BackMsg_09` unknown agent, `BackMsg_68` not "
		       "a leader); accounts may.\n");
	if (op->flags & OPF_PLAIN_SOAP)
		printf("- SOAP replies in the plain form `1|…` / `0|BackMsg_NN`.\n");
	if (op->flags & OPF_ASTERCC_ONLY)
		printf("- Documented by the asterCC 2.1 manual only.\n");
	if (op->flags & OPF_COCC_ONLY)
		printf("- Documented by the cocc manual only.\n");
	if (op->extra_name)
		printf("- Third field: SOAP/HTTP `|Retuen|…`, Script `%s`.\n",
		       op->extra_name);
	if (op->notes)
		printf("- %s\n", op->notes);
	printf("- BackMsg codes:");
	for (int c = 1, first = 1; c < BACKMSG_MAX; c++) {
		if (!op_declares_code(op, c))
			continue;
		printf("%s `%02d` %s", first ? "" : ";", c,
		       backmsg_text(c, false));
		first = 0;
	}
	printf("\n\n");
}

/* The event formats (src/events/callev.c, src/api/dispatch.c) and where
 * they are delivered (src/events/push.h, webhook.c, nchan.c). */
static void print_events(void)
{
	printf("## Events\n\n"
	       "Every call and agent change is an event: a message of "
	       "`key=value` pairs each followed by `&`, as in the manual "
	       "(chapter 6). `eventid` is monotonic per team, persisted and "
	       "never reused; consumers drop an eventid they have seen.\n\n"
	       "**Call events**, in this field order: `calleridnum` (the "
	       "customer's number), `didnumber`, `activenum` (the number of the "
	       "`source` party: the agent's extension, or the customer's number), "
	       "`source` (`AGENT`, `CALLEE` for the called customer of an "
	       "outbound call, `CALLER` for an inbound caller, `CONVERSATION` for "
	       "the whole call), `event` (`ringing`, `answer`, `hangup`, "
	       "`onhold`, `resume`), `uniqueid` (the leg; `0` for CONVERSATION), "
	       "`sessionid`, `eventTime` (`YYYY-MM-DD hh:mm:ss`, server local "
	       "time), `AgentTeamId`, `modeltype`, `model_id`, `AgentGroupId`, "
	       "`calltype`, `channel` (empty on `answer` and CONVERSATION events, "
	       "as in the manual), `from`, then `userdata` (makeCall's, "
	       "percent-encoded) and `eventid`. Values never contain a raw `&`, "
	       "`=` or `%%`: those are percent-encoded.\n\n"
	       "An outbound makeCall yields, in order: AGENT ringing, AGENT "
	       "answer, CALLEE ringing, CALLEE answer, then the hangups (the party "
	       "that hung up first, the other) and CONVERSATION hangup. Hold and "
	       "consult add CALLEE `onhold`/`resume`; a consulted party has its "
	       "own CONSULT ringing/answer/hangup, and CONSULT `join` when it "
	       "enters a conference or takes a transfer. A supervising leader's "
	       "leg is reported as source AGENT with the leader's phone in "
	       "`activenum`: `join` when it answers, `hangup` when it leaves — on "
	       "the leader's and the team's channels, never the monitored "
	       "agent's.\n\n"
	       "**Inbound calls** (a caller dialled a DID) have the manual's "
	       "inbound shapes (its chapter 6, events 8-13): `from=dialin`, no "
	       "`calltype`, `didnumber` on the legs' events (empty on "
	       "CONVERSATION's, whose `channel=` comes before `from`), and "
	       "`source=CALLER&event=incoming` with only `source`, `event`, "
	       "`modeltype`, `uniqueid`, `model_id`, `from`, `sessionid` and "
	       "`channel`. The caller's events carry the answering agent's phone "
	       "in `activenum`, as the manual's examples do; an agent's events go "
	       "to that agent's channel with its group in `AgentGroupId`. "
	       "Answered: CALLER incoming, AGENT ringing, AGENT answer, then the "
	       "hangups and CONVERSATION hangup; a caller that went through a "
	       "queue or an IVR has occ's QUEUE and IVR events (below) among "
	       "them: CALLER incoming, [IVR input ...], QUEUE join, AGENT "
	       "ringing, AGENT answer, QUEUE leave, CALLER hangup, AGENT hangup, "
	       "CONVERSATION hangup. The manual has none of these "
	       "others; occ sends: **abandoned** in the queue or the IVR: CALLER "
	       "incoming, CALLER hangup, CONVERSATION hangup (no AGENT event; "
	       "in a queue: QUEUE join before the CALLER hangup, QUEUE leave "
	       "`reason=abandon` after it); "
	       "**ring-no-answer**: AGENT ringing, AGENT hangup, then the next "
	       "agent's AGENT ringing with a new `uniqueid` (same `sessionid`); "
	       "**ringall**: an AGENT ringing per agent rung, AGENT answer for "
	       "the one that won, an AGENT hangup for each other; **agentToIvr** "
	       "release: the agent's AGENT hangup, then the next agent's events "
	       "on the same `sessionid`.\n\n"
	       "**Queue and IVR events** (occ's own `source` values; the manual "
	       "has no event for a caller entering a queue or an IVR taking "
	       "input). They name the caller's leg (`uniqueid` of its CALLER "
	       "events) and the call (`sessionid`), carry `from` as the other "
	       "call events (`dialin`; `dialout` for the customer of an "
	       "agent's call sent to an IVR by agentToIvr), go to the team's "
	       "channel (an IVR input of an agentToIvr suspend also to the "
	       "agent's), and keep this field order:\n\n"
	       "| Event | Fields after `source`, `event`, `uniqueid`, "
	       "`sessionid`, `eventTime`, `AgentTeamId` |\n"
	       "|---|---|\n"
	       "| `source=QUEUE&event=join` — the caller enters a queue | "
	       "`AgentGroupId` (the queue's group), `queuenumber`, `position` "
	       "(its place among the callers waiting, 1 = next; told before "
	       "any agent is offered it), `prio`, `from` |\n"
	       "| `source=QUEUE&event=leave` — the caller stops waiting, "
	       "exactly once per join | `AgentGroupId`, `queuenumber`, `reason`, "
	       "`position` (where it was; 0 when answered, while an agent's "
	       "phone rang for it, and when the queue sent it away: `timeout`, "
	       "`empty`, `full`), `waittime` (whole seconds since its join), "
	       "`from` |\n"
	       "| `source=IVR&event=input` — a menu (`play_collect`) attempt "
	       "ended | `flow`, `node`, `digits` (without the `#`), `result`, "
	       "`from` |\n\n"
	       "Each starts with `calleridnum` and `didnumber` (empty for an "
	       "agent's call). `reason`: `answered` (an agent took it; after "
	       "AGENT answer), `abandon` (the caller hung up), `timeout` "
	       "(`max_wait`), `exit` (the exit key), `full` (`max_callers`: "
	       "right after its join), `empty` (no agent to wait for: "
	       "`join_empty`/`leave_empty`), `system` (anything else: the "
	       "call was ended by occd). `result`: `ok` (accepted: the call "
	       "goes on where the key leads), `invalid` (no such key, or too "
	       "few digits) or `noinput` (the timeout passed without a digit). "
	       "Consumers that filter on `source` (occ's statistics count "
	       "AGENT, CALLEE and CONVERSATION events only) are not affected. "
	       "After a crash, a caller that was waiting has its CALLER and "
	       "CONVERSATION hangups from the recovery but no QUEUE leave.\n\n"
	       "```\n"
	       "calleridnum=13800138000&didnumber=800888&source=IVR&event=input&"
	       "uniqueid=41&sessionid=9d1c0e4b2a7f4e6c8b3a5d7e9f1a2b3c&"
	       "eventTime=2026-12-05 10:12:03&AgentTeamId=1&flow=main&"
	       "node=welcome&digits=2&result=ok&from=dialin&eventid=57&\n"
	       "calleridnum=13800138000&didnumber=800888&source=QUEUE&event=join&"
	       "uniqueid=41&sessionid=9d1c0e4b2a7f4e6c8b3a5d7e9f1a2b3c&"
	       "eventTime=2026-12-05 10:12:03&AgentTeamId=1&AgentGroupId=2&"
	       "queuenumber=6002&position=3&prio=0&from=dialin&eventid=58&\n"
	       "calleridnum=13800138000&didnumber=800888&source=QUEUE&event=leave&"
	       "uniqueid=41&sessionid=9d1c0e4b2a7f4e6c8b3a5d7e9f1a2b3c&"
	       "eventTime=2026-12-05 10:13:10&AgentTeamId=1&AgentGroupId=2&"
	       "queuenumber=6002&reason=answered&position=0&waittime=67&"
	       "from=dialin&eventid=61&\n"
	       "```\n\n"
	       "```\n"
	       "calleridnum=13800138000&didnumber=&activenum=8101&source=AGENT&"
	       "event=ringing&uniqueid=1&sessionid=e280c591f12b672683745c8717070f0a&"
	       "eventTime=2026-11-22 00:37:41&AgentTeamId=1&modeltype=Campaign&"
	       "model_id=10&AgentGroupId=1&calltype=dialout&"
	       "channel=Virtual/8101-00000001&from=dialout&userdata=&eventid=2&\n"
	       "```\n\n"
	       "**Agent notification events** (`pushevent=yes` on an operation "
	       "that takes it, after it succeeded), named as the original "
	       "browser extension reads them: queueAction `login` (type 1) or "
	       "`logoff` (type 2), one per group named (an empty list: every "
	       "group); queuePause `paused` or `nopaused`; acwAction `acwring`, "
	       "`acwanswer` or `acwoff` (type 1, 2, 3) and workwayAction "
	       "`workwaydialin`, `workwaydialout` or `workwayall`, one per group "
	       "(empty `agent_group_id`: every checked-in group); acwOff "
	       "`acwstop`, one per checked-in group; monitorCtrl (occ's "
	       "names: the extension reads none) `monitorstart` or "
	       "`monitorstop` with `filename`, the segment's file, and "
	       "`action=monitorCtrl`; any other "
	       "operation `state`. Per-group events carry `AgentGroupId`: "
	       "`source=AGENT&event=paused&agentno=8001&agentnum=8001&"
	       "state=pause&pause_reason=lunch&checkedin=1,2&action=queuePause&"
	       "AgentTeamId=1&eventTime=...&eventid=N&` — `state` in the "
	       "agentRealtime vocabulary, `checkedin` the groups the agent is "
	       "checked in to. Without any `pushevent`: `hangupacw` (with "
	       "`AgentGroupId`, `state=acw`) when a call leaves the agent in "
	       "after-call work, after the call's CONVERSATION hangup. Hold and "
	       "resume are the call's `onhold`/`resume` "
	       "events; consults the CONSULT ringing/answer/join/hangup "
	       "events.\n\n"
	       "**The original browser extension's push** (its push client, as "
	       "deployed with nginx push-stream; no token needed):\n\n"
	       "| request | reply |\n|---|---|\n"
	       "| `GET /getccdate/getccdate` | `{\"ccdate\":\"Sat, 05 Dec 2026 "
	       "10:32:39 GMT\"}`: the server's time, where the client starts |\n"
	       "| `GET /agentindesks/agentpull/<orgidentity>-<agentno>-<md5 of "
	       "the password>` (also `/publicapi/`, `/systemevents/`), "
	       "`If-None-Match: <Etag>`, `If-Modified-Since: <Last-Modified>` "
	       "| `200`, `text/plain`: one JSON object per event, each followed "
	       "by `\\r\\n`, the event's fields at the top level "
	       "(`{\"source\":\"AGENT\",\"event\":\"ringing\",\"calleridnum\":"
	       "…,\"eventid\":\"7\"}`); or `304` with no body after 60 s (`[push] pull_wait`) |\n\n"
	       "- The channel authenticates like a password: the agent's "
	       "password as lowercase (or uppercase) MD5 hex — what "
	       "`pwdtype=md5` sends, and what MyInfo's `agentpassword` is — "
	       "with the same failure limits and lockout as every login. A "
	       "disabled account is refused; a password change closes the "
	       "waiting polls on the next reload.\n"
	       "- The cursor: `If-None-Match` an eventid (the last reply's "
	       "`Etag`) selects the events after it; `0`, `null` or junk "
	       "(the client's first poll, or after a reply it could not read) "
	       "fall back to `If-Modified-Since` (the events of that second "
	       "and later), else from now. Never a 400.\n"
	       "- Every reply, errors included, carries `Etag` (the newest "
	       "eventid sent, or the cursor) and `Last-Modified`, exposed with "
	       "`Access-Control-Expose-Headers`; `OPTIONS` answers the preflight "
	       "(`If-None-Match`, `If-Modified-Since` allowed). At most 100 "
	       "events or 256 KiB a reply.\n"
	       "- The client polls again at once, even after an error: a "
	       "refusal (`403 bad channel`, `503`) is held 3 s before it is "
	       "sent (a request whose password needed the slow hash is "
	       "answered at once, as is a poll that finds nothing then: its "
	       "next poll waits). Waiting polls count as push subscribers "
	       "(`[push] max_per_channel` per agent, `max_subscribers` in "
	       "all); the held errors are bounded by `max_subscribers` too.\n"
	       "- Values never hold a `'` (the client turns each into `\"` "
	       "before parsing): it is sent as `\\u0027`.\n\n"
	       "**Delivery.** Browsers: include `/coccinterface/cocc_nginx_http_"
	       "push.js` (or `/asterccinterface/astercc_nginx_http_push.js`) and "
	       "define `sonAccept(message)`; set `window.coccPush = {orgidentity, "
	       "usertype, user, pwdtype, password}` (or `{token}`) first, or "
	       "log in with `loginCJI` on the same page. The script takes a "
	       "token (`EVENT=PushToken` / `pushTokenCJI`), follows "
	       "`/push/sse` (Server-Sent Events) or `/push/poll` (long-poll), and "
	       "resumes after the last eventid it saw. Backend: `occctl team set "
	       "TEAM event_url URL`: every event is POSTed in order, "
	       "form-urlencoded, retried until the receiver answers 2xx. Large "
	       "fan-out: nginx + nchan (docs/OPERATIONS.md).\n\n");
}

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "config"))
		return re_printf("%H", conf_markdown) ? 1 : 0;
	printf("# occ API reference\n\n"
	       "<!-- generated by `make docs` (tools/apidoc.c) from the operation "
	       "table in src/api/optable.c; do not edit -->\n\n"
	       "occ answers the cocc / asterCC integration API on three "
	       "interfaces, all fed by one operation table:\n\n"
	       "| Interface | Endpoint |\n|---|---|\n"
	       "| SOAP | `POST /coccwi.php` (also `/astcccwi.php`, asterCC "
	       "`/astccwi.php`); WSDL at `?wsdl` (and `/coccwi.wsdl`) |\n"
	       "| HTTP | `POST` or `GET /coccinterfaces` (also "
	       "`/asterccinterfaces`), form-urlencoded, `EVENT=` names matched "
	       "case-insensitively, absolute-form targets accepted |\n"
	       "| Script | `/coccinterface/astcc_CJI.js` (also "
	       "`/asterccinterface/`), JSONP on `/setevent/<function>` |\n\n"
	       "Replies: SOAP and HTTP `|Retuen|code|Retuen|message` (plus "
	       "`|Retuen|third` where noted); Script "
	       "`{\"code\":1,\"message\":\"…\"}` passed to `callbackFuc`. "
	       "Codes: 1 success, 2 failure, 3 queueAction failure with "
	       "per-group results (and, on the Script interface only, a repeated "
	       "login).\n\n"
	       "`message` carries the BackMsg code with its bracketed argument "
	       "(`BackMsg_09[8009]`) unless `[api] message` selects a language "
	       "(`cn` or `en`; the manual's other language codes fall back to "
	       "English); HTTP and Script requests may pass `language=` to "
	       "choose per request. Data results (lists, counts, per-group "
	       "results) are the message itself.\n\n"
	       "Parameters are matched by name case-insensitively on HTTP and "
	       "Script, by position on SOAP. `usertype` defaults to `agent` and "
	       "`pwdtype` to `plaintext` when empty. A value longer than its "
	       "limit below answers `BackMsg_28[name]`, a missing required one "
	       "`BackMsg_01[name]`.\n\n"
	       "`BackMsg_100` (the manual's \"connection to the core "
	       "failed\") means try again: password checks are queued full, "
	       "or, with several nodes, the team exists but no node serves it "
	       "this moment (it is being taken over) or its node did not "
	       "answer. An unknown `orgidentity` answers `BackMsg_02`.\n\n"
	       "## Operations\n\n");
	for (size_t i = 0; i < op_count; i++)
		print_op(&op_table[i]);
	print_events();
	printf("## Parameters\n\n| Name | Also accepted | Max bytes | Meaning |\n"
	       "|---|---|---|---|\n");
	for (int p = 1; p < P_COUNT; p++) {
		const struct param_def *d = &param_defs[p];
		printf("| `%s` | ", d->name);
		for (size_t k = 0; k < 3 && d->alias[k]; k++)
			printf("%s`%s`", k ? ", " : "", d->alias[k]);
		printf(" | %zu | %s |\n", d->maxlen, d->doc);
	}
	printf("\n## BackMsg catalog\n\n| Code | 中文 | English |\n|---|---|---|\n");
	for (int c = 1; c < BACKMSG_MAX; c++)
		if (backmsg_exists(c))
			printf("| `BackMsg_%02d` | %s | %s |\n", c,
			       backmsg_text(c, true), backmsg_text(c, false));
	return 0;
}
