/*
 * auth.c — see auth.h.
 */
#include <string.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "core.auth"
#include "base/log.h"
#include "core/auth.h"
#include "core/pwhash.h"
#include "core/ratelimit.h"

enum { MAX_KEYS = 65536 };

static struct {
	uint8_t mac_key[crypto_auth_hmacsha256_KEYBYTES];
	/* the keyed state, computed once: a request copies it instead of
	 * re-keying (which costs two extra SHA-256 blocks) */
	crypto_auth_hmacsha256_state mac_base;
	struct ratelimit *by_user;     /* "team/user@address" */
	struct ratelimit *by_source;   /* "address" */
	char dummy_hash[PWHASH_LEN];   /* what an unknown user is checked against */
} auth;

int auth_init(const struct auth_limits *lim)
{
	int64_t win = (int64_t)lim->window_s * 1000;
	int err;

	auth_close();
	randombytes_buf(auth.mac_key, sizeof(auth.mac_key));
	crypto_auth_hmacsha256_init(&auth.mac_base, auth.mac_key,
				    sizeof(auth.mac_key));
	err = ratelimit_alloc(&auth.by_user, lim->user_fails, win, MAX_KEYS);
	err |= ratelimit_alloc(&auth.by_source, lim->source_fails, win,
			       MAX_KEYS);
	err |= pwhash_make_plain(auth.dummy_hash, "occ: no such user");
	return err ? ENOMEM : 0;
}

void auth_close(void)
{
	auth.by_user = mem_deref(auth.by_user);
	auth.by_source = mem_deref(auth.by_source);
}

static void compute_mac(uint8_t out[32], const char *pwhash, const char *md5hex)
{
	crypto_auth_hmacsha256_state st = auth.mac_base;

	crypto_auth_hmacsha256_update(&st, (const uint8_t *)pwhash,
				      strlen(pwhash) + 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)md5hex,
				      strlen(md5hex));
	crypto_auth_hmacsha256_final(&st, out);
}

struct keys {
	char user[ST_NAME * 2 + 64];
	char source[64];
};

static void make_keys(struct keys *k, const char *who, const struct sa *peer)
{
	if (peer && sa_isset(peer, SA_ADDR))
		re_snprintf(k->source, sizeof(k->source), "%j", peer);
	else
		str_ncpy(k->source, "-", sizeof(k->source));
	re_snprintf(k->user, sizeof(k->user), "%s@%s", who, k->source);
}

/* Runs the slow hash unless a limit says no; counts a failure. */
static bool slow_check(const char *pwhash, const char *md5hex,
		       const char *who, const struct keys *k, int64_t now)
{
	if (ratelimit_exceeded(auth.by_user, k->user, now) ||
	    ratelimit_exceeded(auth.by_source, k->source, now))
		return false;
	if (pwhash_verify(pwhash, md5hex))
		return true;
	ratelimit_count(auth.by_user, k->user, now);
	ratelimit_count(auth.by_source, k->source, now);
	OCC_INFO("login failed user=%H source=%s", LQ(who), k->source);
	return false;
}

bool auth_verify(struct authcache *ac, const char *pwhash, const char *md5hex,
		 const char *who, const struct sa *peer, int64_t now)
{
	uint8_t mac[32];
	struct keys k;

	if (!pwhash[0])
		return false;
	compute_mac(mac, pwhash, md5hex);
	if (ac->valid && !sodium_memcmp(mac, ac->mac, sizeof(mac)))
		return true;
	make_keys(&k, who, peer);
	if (!slow_check(pwhash, md5hex, who, &k, now))
		return false;
	memcpy(ac->mac, mac, sizeof(mac));
	ac->valid = true;
	ratelimit_clear(auth.by_user, k.user);
	return true;
}

void auth_reject_unknown(const char *md5hex, const char *who,
			 const struct sa *peer, int64_t now)
{
	struct keys k;

	make_keys(&k, who, peer);
	(void)slow_check(auth.dummy_hash, md5hex, who, &k, now);
}
