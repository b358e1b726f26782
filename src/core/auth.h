/*
 * auth.h — checking a presented password against a stored slow hash.
 *
 * The cocc protocol sends the password with every request. argon2id on each
 * would cap the API at a few dozen requests per second and hand attackers a
 * CPU lever, so the slow hash is verified once; afterwards an HMAC-SHA256
 * (per-process random key) over (stored hash, presented MD5) is kept and
 * compared in constant time. The stored hash is part of the MAC input, so a
 * password change invalidates the cache by itself.
 *
 * A cache miss is verified off the loop (core/slowhash.h): the check
 * answers AUTH_PENDING with a struct auth_wait; the caller parks the
 * request, and when the wait is done runs it again inside
 * auth_replay_begin/end, where the same check takes the wait's verdict
 * instead of hashing. A full queue answers AUTH_BUSY without hashing.
 *
 * Failures are limited per (user, source address), per source address and
 * per source network (/24 for IPv4, /64 for IPv6): past a limit within the
 * window, attempts are refused without running the slow hash. Keying the
 * user limit by source too means nobody can lock an agent out from
 * elsewhere. An unknown user, or an unknown team, costs the same slow hash
 * as a wrong password, so response times do not tell which agent numbers
 * or teams exist.
 */
#ifndef OCC_AUTH_H
#define OCC_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "core/model.h"

struct auth_limits {
	unsigned user_fails;     /* per (user, source) and window */
	unsigned source_fails;   /* per source and window */
	unsigned network_fails;   /* per network (/24, /64) and window */
	unsigned window_s;
	unsigned hash_queue;     /* verifications waiting at most */
	unsigned hash_rate;      /* verifications per second at most */
};

enum auth_verdict {
	AUTH_OK,
	AUTH_FAIL,      /* wrong, unknown, or refused by a limit */
	AUTH_BUSY,      /* too many verifications waiting: try later */
	AUTH_PENDING,   /* being verified: wait, then replay */
};

struct auth_wait;
typedef void (auth_wait_h)(void *arg);

int  auth_init(const struct auth_limits *lim);
void auth_close(void);
/* who names the user ("team/user"), peer the source (NULL: unknown).
 * AUTH_PENDING sets *waitp (a reference the caller owns). */
enum auth_verdict auth_verify(struct authcache *ac, const char *pwhash,
			      const char *md5hex, const char *who,
			      const struct sa *peer, int64_t now,
			      struct auth_wait **waitp);
/* The same cost and accounting for a user (or team) that does not exist;
 * never AUTH_OK. */
enum auth_verdict auth_reject_unknown(const char *md5hex, const char *who,
				      const struct sa *peer, int64_t now,
				      struct auth_wait **waitp);
/* An agent's credential, the one check every interface shares: the agent
 * user of team t (NULL: no such team; org names it for the limits and the
 * log as "org/user") against md5hex, the lowercase MD5 hex of the presented
 * password (what pwdtype=md5 sends, and the agentpull channel carries).
 * Stored is argon2id of that MD5, so it is checked as is; an unknown team
 * or agent costs the same and counts the same as a wrong password.
 * AUTH_OK sets *ap. Whether the agent's account is enabled is the
 * caller's business (dispatch answers it with its own BackMsg). */
enum auth_verdict auth_check_md5(struct team *t, const char *org,
				 const char *user, const char *md5hex,
				 const struct sa *peer, int64_t now,
				 struct auth_wait **waitp, struct agent **ap);
/* Call h(arg) on the loop when w's verdict is in (never from inside this
 * call: a wait just returned is not done yet); h NULL: nobody waits any
 * more. */
void auth_wait_notify(struct auth_wait *w, auth_wait_h *h, void *arg);
/* The network a source counts in: "a.b.c.0/24" for IPv4 (mapped into
 * IPv6 too), "p:q:r:s::/64" for IPv6. */
void auth_network_of(char *out, size_t size, const struct sa *peer);
/* While a replay is on, the checks above answer w's verdict. */
void auth_replay_begin(struct auth_wait *w);
void auth_replay_end(void);
/* Is a replay on (a parked request routed again: it cannot wait again)? */
bool auth_replaying(void);

#endif
