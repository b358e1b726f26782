/*
 * form.h — application/x-www-form-urlencoded and query-string parser.
 *
 * Faces the network: bounded in pairs and bytes, rejects NUL bytes and bad
 * percent escapes. Names are matched case-insensitively (the manuals mix
 * `userType` and `usertype`). A repeated name keeps its first value.
 * The parsed form owns one decoded copy of the input; pairs point into it.
 */
#ifndef OCC_FORM_H
#define OCC_FORM_H

#include <stddef.h>

enum { FORM_MAX_PAIRS = 64, FORM_MAX_BYTES = 65536 };

struct form_pair {
	const char *name;
	const char *value;
};

struct form {
	struct form_pair v[FORM_MAX_PAIRS];
	size_t n;
	char *buf;       /* decoded text (mem_alloc), NUL-separated */
	size_t used, size;
};

void form_init(struct form *f);
void form_reset(struct form *f);
/* Parse (and append) one urlencoded string. Returns 0, EINVAL on a bad
 * escape or NUL byte, E2BIG past FORM_MAX_PAIRS or FORM_MAX_BYTES. */
int form_parse(struct form *f, const char *s, size_t len);
/* Add one already-decoded pair (copied). */
int form_add(struct form *f, const char *name, const char *value);
const char *form_get(const struct form *f, const char *name);

/* Percent-decode in place semantics: decode src[0..len) into dst (size >= len+1).
 * plus_is_space: '+' becomes ' ' (form bodies and queries). Returns decoded
 * length or -1 on a bad escape or a NUL byte. */
long url_decode(char *dst, const char *src, size_t len, int plus_is_space);

#endif
