/*
 * pwhash.c — see pwhash.h.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>
#include <re.h>
#include "core/pwhash.h"

static unsigned long long cost_ops = 2;
static size_t cost_mem = 19456u * 1024u;

int pwhash_init(void)
{
	return sodium_init() < 0 ? ENOSYS : 0;
}

void pwhash_set_cost(unsigned opslimit, unsigned memlimit_kib)
{
	cost_ops = opslimit;
	cost_mem = (size_t)memlimit_kib * 1024u;
	if (cost_mem < crypto_pwhash_MEMLIMIT_MIN)
		cost_mem = crypto_pwhash_MEMLIMIT_MIN;
	if (cost_ops < crypto_pwhash_OPSLIMIT_MIN)
		cost_ops = crypto_pwhash_OPSLIMIT_MIN;
}

void md5_hex_of(char out[MD5HEX_LEN], const char *plain)
{
	uint8_t d[16];

	md5((const uint8_t *)plain, strlen(plain), d);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
	out[32] = '\0';
}

int pw_to_md5hex(char out[MD5HEX_LEN], const char *pwdtype, const char *pw)
{
	if (!strcasecmp(pwdtype, "md5")) {
		if (strlen(pw) != 32)
			return EINVAL;
		for (int i = 0; i < 32; i++) {
			if (!isxdigit((unsigned char)pw[i]))
				return EINVAL;
			out[i] = (char)tolower((unsigned char)pw[i]);
		}
		out[32] = '\0';
		return 0;
	}
	md5_hex_of(out, pw);
	return 0;
}

int pwhash_make(char out[PWHASH_LEN], const char *md5hex)
{
	_Static_assert(PWHASH_LEN >= crypto_pwhash_STRBYTES,
		       "hash buffer too small");
	if (crypto_pwhash_str_alg(out, md5hex, strlen(md5hex), cost_ops,
				  cost_mem, crypto_pwhash_ALG_ARGON2ID13))
		return ENOMEM;
	return 0;
}

int pwhash_make_plain(char out[PWHASH_LEN], const char *plain)
{
	char hex[MD5HEX_LEN];

	md5_hex_of(hex, plain);
	return pwhash_make(out, hex);
}

bool pwhash_verify(const char *stored, const char *md5hex)
{
	return crypto_pwhash_str_verify(stored, md5hex, strlen(md5hex)) == 0;
}
