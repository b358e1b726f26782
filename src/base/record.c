/*
 * record.c — see record.h.
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "base/record.h"

static char *trim(char *s, char **endp)
{
	char *e = *endp;

	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*endp = e;
	return s;
}

int record_parse(struct record *r, const char *s, size_t len)
{
	char *p, *end;

	r->n = 0;
	if (!s || len > REC_MAX_BYTES)
		return s ? E2BIG : EINVAL;
	if (memchr(s, '\0', len))
		return EINVAL;
	memcpy(r->buf, s, len);
	r->buf[len] = '\0';
	p = r->buf;
	end = r->buf + len;
	while (p < end) {
		char *seg_end = strstr(p, "||"), *eq, *name, *name_end;
		char *value, *value_end;

		if (!seg_end)
			seg_end = end;
		*seg_end = '\0';
		name_end = seg_end;
		name = trim(p, &name_end);
		p = seg_end == end ? end : seg_end + 2;
		if (name == name_end)
			continue;                    /* empty segment */
		eq = memchr(name, '=', (size_t)(name_end - name));
		if (!eq)
			return EINVAL;
		value = eq + 1;
		value_end = name_end;
		*eq = '\0';
		name_end = eq;
		name = trim(name, &name_end);
		value = trim(value, &value_end);
		*name_end = '\0';
		*value_end = '\0';
		if (name == name_end)
			return EINVAL;
		if ((size_t)(name_end - name) > REC_MAX_NAME ||
		    (size_t)(value_end - value) > REC_MAX_VALUE ||
		    r->n == REC_MAX_FIELDS)
			return E2BIG;
		for (size_t i = 0; i < r->n; i++)
			if (!strcmp(r->f[i].name, name))
				return EINVAL;
		r->f[r->n].name = name;
		r->f[r->n].value = value;
		r->n++;
	}
	return r->n ? 0 : EINVAL;
}

static int encode(struct mbuf *mb, const char *s)
{
	int err = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p && !err;
	     p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			err = mbuf_write_u8(mb, *p);
		else
			err = mbuf_printf(mb, "%%%02X", *p);
	}
	return err;
}

int record_encode(struct mbuf *mb, const char *name, const char *value)
{
	int err = 0;

	if (mb->end)
		err = mbuf_write_u8(mb, '&');
	err |= encode(mb, name);
	err |= mbuf_write_u8(mb, '=');
	return err | encode(mb, value);
}
