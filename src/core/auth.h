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
 * Failures are limited twice, per (user, source address) and per source
 * address: past the limit within the window, attempts are refused without
 * running the slow hash. Keying the user limit by source too means nobody
 * can lock an agent out from elsewhere. An unknown user costs the same slow
 * hash as a wrong password, so response times do not tell which agent
 * numbers exist.
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
	unsigned window_s;
};

int  auth_init(const struct auth_limits *lim);
void auth_close(void);
/* who names the user ("team/user"), peer the source (NULL: unknown). */
bool auth_verify(struct authcache *ac, const char *pwhash,
		 const char *md5hex, const char *who, const struct sa *peer,
		 int64_t now);
/* The same cost and accounting for a user that does not exist. */
void auth_reject_unknown(const char *md5hex, const char *who,
			 const struct sa *peer, int64_t now);

#endif
