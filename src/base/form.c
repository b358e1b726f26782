/*
 * form.c — see form.h. One pass over the input; every pair is decoded into
 * the form's own buffer so callers may free the input right after parsing.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/form.h"

static int hexval(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

long url_decode(char *dst, const char *src, size_t len, int plus_is_space)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)src[i];
		if (c == '%') {
			int hi, lo;
			if (i + 2 >= len)
				return -1;
			hi = hexval((unsigned char)src[i + 1]);
			lo = hexval((unsigned char)src[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = hi << 4 | lo;
			i += 2;
		}
		else if (c == '+' && plus_is_space) {
			c = ' ';
		}
		if (c == 0)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = '\0';
	return (long)o;
}

void form_init(struct form *f)
{
	memset(f, 0, sizeof(*f));
}

void form_reset(struct form *f)
{
	mem_deref(f->buf);
	form_init(f);
}

/* Reserve n bytes in the decode buffer. Pairs hold pointers into it, so it
 * is sized once for the worst case and never moved. */
static char *reserve(struct form *f, size_t n)
{
	char *p;

	if (!f->buf) {
		f->buf = mem_alloc(FORM_MAX_BYTES, NULL);
		if (!f->buf)
			return NULL;
		f->size = FORM_MAX_BYTES;
	}
	if (f->size - f->used < n)
		return NULL;
	p = f->buf + f->used;
	f->used += n;
	return p;
}

static int add_raw(struct form *f, const char *name, size_t nlen,
		   const char *val, size_t vlen, int decode)
{
	char *dn, *dv;
	long ln, lv;

	if (nlen == 0)
		return 0;              /* "&&" or "=x": nothing to keep */
	if (f->n >= FORM_MAX_PAIRS)
		return E2BIG;
	dn = reserve(f, nlen + 1);
	dv = dn ? reserve(f, vlen + 1) : NULL;
	if (!dn || !dv)
		return E2BIG;
	if (decode) {
		ln = url_decode(dn, name, nlen, 1);
		lv = url_decode(dv, val, vlen, 1);
		if (ln < 0 || lv < 0)
			return EINVAL;
	}
	else {
		if (memchr(name, 0, nlen) || memchr(val, 0, vlen))
			return EINVAL;
		memcpy(dn, name, nlen);
		dn[nlen] = '\0';
		memcpy(dv, val, vlen);
		dv[vlen] = '\0';
	}
	if (form_get(f, dn))
		return 0;              /* first value wins */
	f->v[f->n].name = dn;
	f->v[f->n].value = dv;
	f->n++;
	return 0;
}

int form_parse(struct form *f, const char *s, size_t len)
{
	size_t i = 0;

	if (len > FORM_MAX_BYTES)
		return E2BIG;
	while (i < len) {
		size_t start = i, eq = (size_t)-1;
		int err;
		while (i < len && s[i] != '&' && s[i] != ';') {
			if (s[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (eq == (size_t)-1)
			err = add_raw(f, s + start, i - start, "", 0, 1);
		else
			err = add_raw(f, s + start, eq - start, s + eq + 1,
				      i - eq - 1, 1);
		if (err)
			return err;
		i++;                   /* skip the separator */
	}
	return 0;
}

int form_add(struct form *f, const char *name, const char *value)
{
	return add_raw(f, name, strlen(name), value, strlen(value), 0);
}

const char *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcasecmp(f->v[i].name, name))
			return f->v[i].value;
	return NULL;
}
