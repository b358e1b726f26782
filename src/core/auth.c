/*
 * auth.c — see auth.h. The limits are decided here; core/slowhash.c only
 * runs the hashes.
 */
#include <string.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "core.auth"
#include "base/log.h"
#include "core/auth.h"
#include "core/pwhash.h"
#include "core/ratelimit.h"
#include "core/slowhash.h"

enum { MAX_KEYS = 65536 };

struct keys {
	char user[ST_NAME * 2 + 64];
	char source[64];
	char prefix[72];
};

struct auth_wait {
	char pwhash[PWHASH_LEN];
	char md5hex[MD5HEX_LEN];
	struct keys k;
	char who[ST_NAME * 2 + 16];
	bool done, ok;
	auth_wait_h *h;
	void *arg;
};

static struct {
	uint8_t mac_key[crypto_auth_hmacsha256_KEYBYTES];
	/* the keyed state, computed once: a request copies it instead of
	 * re-keying (which costs two extra SHA-256 blocks) */
	crypto_auth_hmacsha256_state mac_base;
	struct ratelimit *by_user;     /* "team/user@address" */
	struct ratelimit *by_source;   /* "address" */
	struct ratelimit *by_network;   /* "address/24" or "address/64" */
	char dummy_hash[PWHASH_LEN];   /* what an unknown user is checked against */
	struct auth_wait *replay;
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
	err |= ratelimit_alloc(&auth.by_network, lim->network_fails, win,
			       MAX_KEYS);
	err |= pwhash_make_plain(auth.dummy_hash, "occ: no such user");
	if (err)
		return ENOMEM;
	return slowhash_init(lim->hash_queue, lim->hash_rate);
}

void auth_close(void)
{
	slowhash_close();
	auth.by_user = mem_deref(auth.by_user);
	auth.by_source = mem_deref(auth.by_source);
	auth.by_network = mem_deref(auth.by_network);
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

/* As a /64 an IPv4 address mapped into IPv6 (a dual-stack socket) would
 * share its network with every IPv4 client. */
void auth_network_of(char *out, size_t size, const struct sa *peer)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	struct sa net = *peer;
	uint8_t a[16];

	if (sa_af(peer) == AF_INET) {
		sa_set_in(&net, sa_in(peer) & 0xffffff00u, 0);
		re_snprintf(out, size, "%j/24", &net);
		return;
	}
	sa_in6(peer, a);
	if (!memcmp(a, v4mapped, sizeof(v4mapped))) {
		re_snprintf(out, size, "%u.%u.%u.0/24", a[12], a[13], a[14]);
		return;
	}
	memset(a + 8, 0, 8);
	sa_set_in6(&net, a, 0);
	re_snprintf(out, size, "%j/64", &net);
}

static void make_keys(struct keys *k, const char *who, const struct sa *peer)
{
	if (peer && sa_isset(peer, SA_ADDR)) {
		re_snprintf(k->source, sizeof(k->source), "%j", peer);
		auth_network_of(k->prefix, sizeof(k->prefix), peer);
	}
	else {
		str_ncpy(k->source, "-", sizeof(k->source));
		str_ncpy(k->prefix, "-", sizeof(k->prefix));
	}
	re_snprintf(k->user, sizeof(k->user), "%s@%s", who, k->source);
}

static bool limited(const struct keys *k, int64_t now)
{
	return ratelimit_exceeded(auth.by_user, k->user, now) ||
		ratelimit_exceeded(auth.by_source, k->source, now) ||
		ratelimit_exceeded(auth.by_network, k->prefix, now);
}

/* Loop thread: a verification finished. Failures count now, whether or
 * not anybody still waits for the answer. */
static void hashed(struct slowhash_job *job, bool ok, void *arg)
{
	struct auth_wait *w = arg;
	int64_t now = now_ms();

	(void)job;
	w->done = true;
	w->ok = ok;
	if (ok)
		ratelimit_clear(auth.by_user, w->k.user);
	else {
		ratelimit_count(auth.by_user, w->k.user, now);
		ratelimit_count(auth.by_source, w->k.source, now);
		ratelimit_count(auth.by_network, w->k.prefix, now);
		OCC_INFO("login failed user=%H source=%s", LQ(w->who),
			 w->k.source);
	}
	if (w->h)
		w->h(w->arg);
	mem_deref(w);
}

/* A full queue means a flood: one line a second, with the count. */
static void note_busy(const char *who, const char *source, int64_t now)
{
	static int64_t logged_at;
	static unsigned skipped;

	if (now - logged_at < 1000) {
		skipped++;
		return;
	}
	OCC_WARN("login refused, verifications busy user=%H source=%s "
		 "also_refused=%u", LQ(who), source, skipped);
	logged_at = now;
	skipped = 0;
}

/* Start the slow hash unless a limit says no. */
static enum auth_verdict slow_check(const char *pwhash, const char *md5hex,
				    const char *who, const struct sa *peer,
				    int64_t now, struct auth_wait **waitp)
{
	struct auth_wait *w;
	struct keys k;
	int err;

	make_keys(&k, who, peer);
	if (limited(&k, now))
		return AUTH_FAIL;
	w = mem_zalloc(sizeof(*w), NULL);
	if (!w)
		return AUTH_BUSY;
	str_ncpy(w->pwhash, pwhash, sizeof(w->pwhash));
	str_ncpy(w->md5hex, md5hex, sizeof(w->md5hex));
	w->k = k;
	str_ncpy(w->who, who, sizeof(w->who));
	err = slowhash_submit(pwhash, md5hex, hashed, mem_ref(w));
	if (err) {
		mem_deref(w);
		mem_deref(w);
		note_busy(who, k.source, now);
		return AUTH_BUSY;
	}
	*waitp = w;
	return AUTH_PENDING;
}

/* In a replay: the verdict of the wait, if it is about this hash and
 * password (a password changed meanwhile counts as wrong). */
static bool replayed(const char *pwhash, const char *md5hex)
{
	const struct auth_wait *w = auth.replay;

	return w->done && w->ok && !strcmp(w->pwhash, pwhash) &&
		!strcmp(w->md5hex, md5hex);
}

enum auth_verdict auth_verify(struct authcache *ac, const char *pwhash,
			      const char *md5hex, const char *who,
			      const struct sa *peer, int64_t now,
			      struct auth_wait **waitp)
{
	uint8_t mac[32];

	if (!pwhash[0])
		return AUTH_FAIL;
	compute_mac(mac, pwhash, md5hex);
	if (ac->valid && !sodium_memcmp(mac, ac->mac, sizeof(mac)))
		return AUTH_OK;
	if (!auth.replay)
		return slow_check(pwhash, md5hex, who, peer, now, waitp);
	if (!replayed(pwhash, md5hex))
		return AUTH_FAIL;
	memcpy(ac->mac, mac, sizeof(mac));
	ac->valid = true;
	return AUTH_OK;
}

enum auth_verdict auth_reject_unknown(const char *md5hex, const char *who,
				      const struct sa *peer, int64_t now,
				      struct auth_wait **waitp)
{
	if (auth.replay)
		return AUTH_FAIL;
	return slow_check(auth.dummy_hash, md5hex, who, peer, now, waitp);
}

enum auth_verdict auth_check_md5(struct team *t, const char *org,
				 const char *user, const char *md5hex,
				 const struct sa *peer, int64_t now,
				 struct auth_wait **waitp, struct agent **ap)
{
	struct agent *a = t ? agent_find(t, user) : NULL;
	char who[ST_NAME * 2 + 16];
	enum auth_verdict v;

	re_snprintf(who, sizeof(who), "%s/%s", t ? t->name : org, user);
	v = a ? auth_verify(&a->ac, a->pwhash, md5hex, who, peer, now, waitp)
		: auth_reject_unknown(md5hex, who, peer, now, waitp);
	if (v == AUTH_OK)
		*ap = a;
	return v;
}

void auth_wait_notify(struct auth_wait *w, auth_wait_h *h, void *arg)
{
	w->h = h;
	w->arg = arg;
}

void auth_replay_begin(struct auth_wait *w)
{
	auth.replay = w;
}

void auth_replay_end(void)
{
	auth.replay = NULL;
}

bool auth_replaying(void)
{
	return auth.replay != NULL;
}
