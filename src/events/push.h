/*
 * push.h — browser event delivery, built into occd: a sink of the event
 * bus that hands each event to the browsers subscribed to its channel.
 *
 * Channels: a team's channel carries all its events; an agent's channel
 * those that name the agent (agent1/agent2 of the event). Subscribing
 * needs a token: PushToken / pushTokenCJI (ops/push.c) gives one to an
 * agent for its own channel, and to an account or a group leader for the
 * team channel. A token is stateless:
 *
 *   2-<team id>-<agent id, 0 for the team>-<expiry, unix s>-<by>-<by id>-<mac>
 *
 * by/by id name the credential that asked for it (1 an agent, 2 an
 * account). mac = the first 128 bits of HMAC-SHA256(key, "occ-push:" +
 * the part before it + NUL + the credential's epoch), hex, the epoch being
 * its stored password hash (a new random salt with every password
 * change); the key is random, made once, kept in <data>/push.key (0600),
 * so tokens survive restarts. Every use checks the credential again: a
 * password changed, an account disabled (the agent's account, for an
 * agent), a leader no longer leading (team channel) or the agent or
 * account gone refuses the token with 403, and on a reload (SIGHUP, which
 * occctl sends after each change) the open subscriptions of such tokens
 * are closed; SSE streams are also checked at each keepalive. Tokens last
 * PUSH_TOKEN_TTL; a stream is closed when its token expires (the page
 * fetches a new one).
 *
 * Endpoints (all GET, all with CORS, all refusing a bad or expired token
 * with 403):
 *
 *   /push/sse?token=T[&last=N]          Server-Sent Events. Resumes after
 *       the Last-Event-ID header, else after last=N, else from now. Each
 *       event is "id: <eventid>" + "data: <message>"; a comment every
 *       15 s keeps the connection alive. The stream opens with a named
 *       event "cursor", id N (where it starts) and data "N", "N reset"
 *       (the client was ahead of the store, as after a data reset: it
 *       must take N) or "N gap" (it was more than PUSH_REPLAY_MAX events
 *       behind: the older ones are skipped).
 *   /push/poll?token=T[&last=N][&callback=F]   long-poll: the events after
 *       N at once (at most PUSH_POLL_MAX), else the next one within 25 s,
 *       else none (without last=, at once none, N being "now"): {"last":N,"events":[{"eventid":N,"message":"..."}]}
 *       (N: the cursor; "reset":true or "gap":true as above), or
 *       F({...}); as JSONP.
 *   /agentindesks/agentpull/<T>, /publicapi/agentpull/<T>,
 *   /systemevents/agentpull/<T>           the original deployment's nginx
 *       push-stream long-polling subscriber; the channel name is the token.
 *       Resumes after If-None-Match or etag= (an eventid), else after
 *       If-Modified-Since or since= (an HTTP date or unix seconds), else
 *       from now; answers {"text":"<message>","tag":<eventid>,"time":
 *       "<HTTP date>"} with Etag: <eventid> and Last-Modified: <time>, or
 *       304 after 60 s. With callback=F: F([message, ...]); with all the
 *       messages after the cursor (at most PUSH_POLL_MAX), else one.
 *       A channel that is not token-shaped is the original browser
 *       extension's "<orgidentity>-<agentno>-<md5 of the password>":
 *       authenticated like a password (auth_check_md5, the same limits;
 *       a cache miss parks the request, whose replay answers at once),
 *       cursor If-None-Match (an eventid; 0/null/junk: none) else
 *       If-Modified-Since (that second and later) else now; the reply is
 *       text/plain, each event a JSON object of its fields + "\r\n" (at
 *       most PUSH_POLL_MAX), Etag/Last-Modified on every reply, errors
 *       included, which are held HELD_ERROR_MS (its client polls again
 *       at once).
 *   /getccdate/getccdate              {"ccdate":"<HTTP date>"}: now.
 *   /agentindesks/pushagent (and the others): 403, publishing is occd's.
 *
 * Replay comes from the store (events_replay), then the subscriber goes
 * live; both happen on the loop thread, and an event is stored before any
 * sink sees it, so nothing published during a replay page is lost (the
 * next page reads it) or doubled (live delivery takes only eventids above
 * the last one sent).
 */
#ifndef OCC_PUSH_H
#define OCC_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Subscribers are bounded in all, per team and per channel (tabs,
 * reloads) by [push] max_subscribers, max_per_team and max_per_channel
 * (src/base/conf.c: 4096, 1024 and 32 by default); beyond, 503. */

struct occ;
struct team;
struct agent;
struct http_req;
struct http_resp;
struct push;

enum {
	PUSH_TOKEN_TTL      = 12 * 3600,   /* seconds */
	PUSH_TOKEN_MAX      = 160,         /* bytes, NUL included */
	PUSH_REPLAY_MAX     = 10000,       /* events replayed per connect */
	PUSH_POLL_MAX       = 100,         /* events per long-poll reply */
	PUSH_BODY_MAX       = 262144,      /* bytes per long-poll reply */
	PUSH_SSE_PENDING    = 262144,      /* bytes waiting for a client */
};

/* Registers the bus sink; occ->ev must exist. The key comes from (or goes
 * to) <data_dir>/push.key. */
int  push_alloc(struct push **pp, struct occ *occ, const char *data_dir);
/* The endpoints above; false if the path is none of them. *waitp set:
 * the channel's password is being verified (core/auth.h), the caller
 * parks the request and routes it again when the verdict is in. */
struct auth_wait;
bool push_route(struct push *p, const struct http_req *req,
		struct http_resp *resp, struct auth_wait **waitp);
/* A token for team t's channel (a NULL) or agent a's, valid ttl_s seconds,
 * bound to the credential that asked for it (by_agent or by_account);
 * *expp (may be NULL) = its expiry in unix seconds. */
struct account;
int  push_token(const struct push *p, const struct team *t,
		const struct agent *a, const struct agent *by_agent,
		const struct account *by_account, unsigned ttl_s, char *tok,
		size_t size, int64_t *expp);
/* Several nodes: the team a subscription (/push/sse, /push/poll,
 * /push/auth, the agentpull channels) names, so that a node that does not
 * serve it passes it on (api/forward.c): *team for the extension's
 * channel (the orgidentity in it), else *team_id from the token. false:
 * no subscription, or none that names a team. Nothing is checked here. */
bool push_request_team(const struct http_req *req, char *team, size_t sz,
		       int64_t *team_id);
/* Provisioning was reloaded: close the subscriptions whose token no
 * longer holds (SSE streams end, waiting polls get 403). */
void push_reload(struct push *p);
/* h(arg) runs before each loop pass's fan-out: occd serves the API's
 * ready sockets there (httpd_serve_ready), so a request waits for at
 * most the slice under way, not for the next one too. */
void push_set_before_pass(struct push *p, void (*h)(void *arg), void *arg);
/* How long each loop pass spent fanning events out (for /metrics). */
struct hist;
const struct hist *push_fanout_passes(const struct push *p);

#endif
