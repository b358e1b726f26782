/*
 * pwhash.h — how passwords are stored and checked.
 *
 * The API accepts a password as plain text (pwdtype=plaintext) or as the
 * lowercase hex MD5 of it (pwdtype=md5). Both reduce to the MD5 hex string,
 * and only a slow hash (argon2id, libsodium) of that string is stored, so
 * neither form is ever in the database. Verification of the slow hash is done
 * once per (user, password) and cached by core/auth.c.
 */
#ifndef OCC_PWHASH_H
#define OCC_PWHASH_H

#include <stdbool.h>
#include <stddef.h>

enum { PWHASH_LEN = 160, MD5HEX_LEN = 33 };

int  pwhash_init(void);
/* Cost of new hashes (argon2id opslimit and memlimit in KiB). */
void pwhash_set_cost(unsigned opslimit, unsigned memlimit_kib);
void md5_hex_of(char out[MD5HEX_LEN], const char *plain);
/* Normalise a presented password to lowercase MD5 hex. pwdtype "md5" takes
 * 32 hex digits in either case. Returns EINVAL for a malformed md5. */
int  pw_to_md5hex(char out[MD5HEX_LEN], const char *pwdtype, const char *pw);
int  pwhash_make(char out[PWHASH_LEN], const char *md5hex);
int  pwhash_make_plain(char out[PWHASH_LEN], const char *plain);
bool pwhash_verify(const char *stored, const char *md5hex);

#endif
