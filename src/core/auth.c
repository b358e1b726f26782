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

static uint8_t mac_key[crypto_auth_hmacsha256_KEYBYTES];
static unsigned fail_limit = 10;
static int64_t fail_window_ms = 60000;

void auth_init(void)
{
	randombytes_buf(mac_key, sizeof(mac_key));
}

void auth_set_limits(unsigned limit, unsigned window_s)
{
	fail_limit = limit;
	fail_window_ms = (int64_t)window_s * 1000;
}

static void compute_mac(uint8_t out[32], const char *pwhash, const char *md5hex)
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, mac_key, sizeof(mac_key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)pwhash,
				      strlen(pwhash) + 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)md5hex,
				      strlen(md5hex));
	crypto_auth_hmacsha256_final(&st, out);
}

bool auth_verify(struct authcache *ac, const char *pwhash, const char *md5hex,
		 int64_t now)
{
	uint8_t mac[32];

	if (!pwhash[0])
		return false;
	compute_mac(mac, pwhash, md5hex);
	if (ac->valid && !sodium_memcmp(mac, ac->mac, sizeof(mac)))
		return true;
	if (now - ac->window_start_ms >= fail_window_ms) {
		ac->window_start_ms = now;
		ac->fails = 0;
	}
	if (ac->fails >= fail_limit)
		return false;
	if (!pwhash_verify(pwhash, md5hex)) {
		ac->fails++;
		return false;
	}
	memcpy(ac->mac, mac, sizeof(mac));
	ac->valid = true;
	ac->fails = 0;
	return true;
}
