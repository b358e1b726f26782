/*
 * auth.h — checking a presented password against a stored slow hash.
 *
 * The cocc protocol sends the password with every request. argon2id on each
 * would cap the API at a few dozen requests per second and hand attackers a
 * CPU lever, so the slow hash is verified once; afterwards an HMAC-SHA256
 * (per-process random key) over (stored hash, presented MD5) is kept and
 * compared in constant time. The stored hash is part of the MAC input, so a
 * password change invalidates the cache by itself. Failures are counted per
 * user: past `limit` failures in `window_s` seconds, attempts are refused
 * without running the slow hash until the window ends.
 */
#ifndef OCC_AUTH_H
#define OCC_AUTH_H

#include <stdbool.h>
#include <stdint.h>
#include "core/model.h"

void auth_init(void);
void auth_set_limits(unsigned limit, unsigned window_s);
bool auth_verify(struct authcache *ac, const char *pwhash,
		 const char *md5hex, int64_t now);

#endif
