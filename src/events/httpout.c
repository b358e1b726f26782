/*
 * httpout.c — shared pieces of the outgoing HTTP sinks (see httpout.h).
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#define LOG_TOPIC "events.http"
#include "base/log.h"
#include "events/httpout.h"

int httpout_client(struct http_cli **clip)
{
	struct sa nsv[8];
	uint32_t nsn = ARRAY_SIZE(nsv);
	struct dnsc *dnsc = NULL;
	char domain[64] = "";
	int err;

	if (dns_srv_get(domain, sizeof(domain), nsv, &nsn) || !nsn) {
		/* no resolver configured: numeric URLs still work */
		sa_set_str(&nsv[0], "127.0.0.1", 53);
		nsn = 1;
	}
	err = dnsc_alloc(&dnsc, NULL, nsv, nsn);
	if (err)
		return err;
	err = http_client_alloc(clip, dnsc);
	mem_deref(dnsc);           /* the client holds its own reference */
	return err;
}

/* Split url into scheme length, authority [a, ae) and the rest. */
static int split(const char *url, const char **a, const char **ae)
{
	const char *p;

	if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		p = url + 8;
	else
		return EINVAL;
	*a = p;
	while (*p && !strchr("/?#", *p))
		p++;
	*ae = p;
	return 0;
}

static bool append(char *out, size_t size, size_t *len, const char *p,
		   size_t n)
{
	if (*len + n >= size)
		return false;
	memcpy(out + *len, p, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

int httpout_url(char *out, size_t size, const char *url)
{
	const char *a, *ae, *colon, *frag;
	size_t hl, len = 0;
	bool local;

	if (!url || !size || split(url, &a, &ae))
		return EINVAL;
	for (const char *p = url; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return EINVAL;
	}
	/* host[:port]; no userinfo, no IPv6 literal (libre's parser) */
	for (const char *p = a; p < ae; p++) {
		if (*p == '@' || *p == '[' || *p == ']')
			return EINVAL;
	}
	colon = memchr(a, ':', (size_t)(ae - a));
	hl = (size_t)((colon ? colon : ae) - a);
	if (!hl)
		return EINVAL;
	if (colon) {
		unsigned long port = 0;
		if (colon + 1 == ae)
			return EINVAL;
		for (const char *p = colon + 1; p < ae; p++) {
			if (*p < '0' || *p > '9')
				return EINVAL;
			port = port * 10 + (unsigned long)(*p - '0');
			if (port > 65535)
				return EINVAL;
		}
		if (!port)
			return EINVAL;
	}
	frag = strchr(ae, '#');            /* a fragment is never sent */
	if (!frag)
		frag = ae + strlen(ae);
	local = hl == 9 && !strncasecmp(a, "localhost", 9);
	out[0] = '\0';
	if (!append(out, size, &len, url, (size_t)(a - url)) ||
	    !append(out, size, &len, local ? "127.0.0.1" : a,
		    local ? strlen("127.0.0.1") : hl) ||
	    !append(out, size, &len, colon ? colon : "",
		    colon ? (size_t)(ae - colon) : 0) ||
	    !append(out, size, &len, "/", *ae == '/' ? 0 : 1) ||
	    !append(out, size, &len, ae, (size_t)(frag - ae)))
		return EINVAL;
	return 0;
}

void httpout_origin(char *out, size_t size, const char *url)
{
	const char *a, *ae;

	if (!url || split(url, &a, &ae)) {
		re_snprintf(out, size, "(invalid)");
		return;
	}
	re_snprintf(out, size, "%b", url, (size_t)(ae - url));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode [p, e) (percent escapes only: '+' is a plus in event messages)
 * and append it form-encoded. */
static int put_encoded(struct mbuf *mb, const char *p, const char *e)
{
	int err = 0;

	while (p < e && !err) {
		unsigned char c = (unsigned char)*p++;
		int h, l;
		if (c == '%' && e - p >= 2 && (h = hexval(p[0])) >= 0 &&
		    (l = hexval(p[1])) >= 0) {
			c = (unsigned char)(h << 4 | l);
			p += 2;
		}
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			err = mbuf_write_u8(mb, c);
		else if (c == ' ')
			err = mbuf_write_u8(mb, '+');
		else
			err = mbuf_printf(mb, "%%%02X", c);
	}
	return err;
}

int httpout_form(struct mbuf *mb, const char *msg)
{
	const char *p = msg ? msg : "";
	bool first = true;
	int err = 0;

	while (*p && !err) {
		const char *e = strchr(p, '&'), *eq;
		if (!e)
			e = p + strlen(p);
		if (e > p) {
			eq = memchr(p, '=', (size_t)(e - p));
			if (!first)
				err |= mbuf_write_u8(mb, '&');
			err |= put_encoded(mb, p, eq ? eq : e);
			err |= mbuf_write_u8(mb, '=');
			if (eq)
				err |= put_encoded(mb, eq + 1, e);
			first = false;
		}
		p = *e ? e + 1 : e;
	}
	return err;
}
