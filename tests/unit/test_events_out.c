/*
 * test_events_out.c — the pure parts of the outgoing event sinks: the form
 * encoding of event messages, URL checks, nchan channel names.
 */
#include <re.h>
#include "unit.h"
#include "events/httpout.h"
#include "events/nchan.h"

static int form(char *out, size_t size, const char *msg)
{
	struct mbuf *mb = mbuf_alloc(256);
	int err;

	if (!mb)
		return ENOMEM;
	err = httpout_form(mb, msg);
	if (!err)
		re_snprintf(out, size, "%b", mb->buf, mb->end);
	mem_deref(mb);
	return err;
}

UNIT_TEST(events_form_encoding)
{
	char out[512];

	/* the manual's values: spaces, '/', '@', ';'; a '+' that must stay
	 * a plus; the bus's own escapes of '&', '=', '%' decoded once */
	UT_EQ_INT(form(out, sizeof(out),
		       "calleridnum=+86 138&eventTime=2010-01-01 08:22:47&"
		       "channel=Local/0138@hosted-dialout-7636;1&"
		       "userdata=a%26b%3Dc%25d&eventid=5&"), 0);
	UT_EQ_STR(out, "calleridnum=%2B86+138&"
		  "eventTime=2010-01-01+08%3A22%3A47&"
		  "channel=Local%2F0138%40hosted-dialout-7636%3B1&"
		  "userdata=a%26b%3Dc%25d&eventid=5");
	/* empty values, a pair without '=', empty pairs, UTF-8, a stray % */
	UT_EQ_INT(form(out, sizeof(out),
		       "didnumber=&&flag&name=\xe5\xbc\xa0&p=100%&q=%zz"), 0);
	UT_EQ_STR(out, "didnumber=&flag=&name=%E5%BC%A0&p=100%25&q=%25zz");
	UT_EQ_INT(form(out, sizeof(out), ""), 0);
	UT_EQ_STR(out, "");
}

UNIT_TEST(events_url_checks)
{
	char out[256];

	UT_EQ_INT(httpout_url(out, sizeof(out), "http://localhost:8080"), 0);
	UT_EQ_STR(out, "http://127.0.0.1:8080/");
	UT_EQ_INT(httpout_url(out, sizeof(out),
			      "https://crm.example.com/ev?t=1#frag"), 0);
	UT_EQ_STR(out, "https://crm.example.com/ev?t=1");
	UT_EQ_INT(httpout_url(out, sizeof(out), "http://h?x=1"), 0);
	UT_EQ_STR(out, "http://h/?x=1");
	UT_EQ_INT(httpout_url(out, sizeof(out), "HTTP://10.0.0.1:80/a/b"), 0);
	UT_EQ_STR(out, "HTTP://10.0.0.1:80/a/b");
	UT_EQ_INT(httpout_url(out, 10, "http://example.com/"), EINVAL);
	const char *bad[] = {
		"ftp://h/", "http://", "http:///x", "http://:80/",
		"http://u:p@h/", "http://[::1]:80/", "http://h:99999/",
		"http://h:/", "http://h:0/", "http://h:8x/", "http://h/a b",
		"h/x", "",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (httpout_url(out, sizeof(out), bad[i]) != EINVAL) {
			fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
			UT_ASSERT(0);
		}
	}
	httpout_origin(out, sizeof(out), "https://crm.example.com:8443/ev?tok=s");
	UT_EQ_STR(out, "https://crm.example.com:8443");
}

UNIT_TEST(events_nchan_channels)
{
	char out[64];

	UT_EQ_INT(nchan_team_channel(out, sizeof(out), "demo"), 0);
	UT_EQ_STR(out, "team-demo");
	UT_EQ_INT(nchan_agent_channel(out, sizeof(out), "my.team_1", "8001"), 0);
	UT_EQ_STR(out, "agent-my.team_1-8001");
	UT_EQ_INT(nchan_team_channel(out, sizeof(out), "a/b c"), 0);
	UT_EQ_STR(out, "team-a%2Fb%20c");
	UT_EQ_INT(nchan_team_channel(out, 12, "abcdefghijk"), E2BIG);
}
