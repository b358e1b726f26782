/*
 * test_dtmf.c — key presses: the SIP INFO body parser (sip/dtmf_info.c),
 * and the one place a call's keys arrive (call_digit): an RFC 4733 event
 * reported once however many packets carry it, an INFO key the same way,
 * both to the call's digit hook.
 */
#include <errno.h>
#include <re.h>
#include "unit.h"
#include "sip/call_impl.h"
#include "sip/dtmf_info.h"

static char parse(enum dtmf_info_type t, const char *body)
{
	char d = 0;

	return dtmf_info_parse(t, (const uint8_t *)body, strlen(body), &d)
		? '!' : d;
}

UNIT_TEST(dtmf_info_bodies)
{
	char big[DTMF_INFO_MAX + 2], d;

	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=5\r\nDuration=160\r\n"), '5');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Duration=100\r\nSignal= #\r\n"), '#');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "signal = *\n"), '*');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "SIGNAL=a"), 'A');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=10\r\n"), '*');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=11\r\n"), '#');
	UT_EQ_INT(parse(DTMF_INFO_PLAIN, "7"), '7');
	UT_EQ_INT(parse(DTMF_INFO_PLAIN, " 0\r\n"), '0');
	/* nothing else is a key */
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=\r\n"), '!');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=55\r\n"), '!');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signal=16\r\n"), '!');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Signals=5\r\n"), '!');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "Duration=160\r\n"), '!');
	UT_EQ_INT(parse(DTMF_INFO_RELAY, "5"), '!');
	UT_EQ_INT(parse(DTMF_INFO_PLAIN, "E"), '!');
	UT_EQ_INT(parse(DTMF_INFO_PLAIN, "1 2"), '!');
	UT_EQ_INT(parse(DTMF_INFO_PLAIN, ""), '!');
	memset(big, ' ', sizeof(big));
	big[0] = '5';
	UT_EQ_INT(dtmf_info_parse(DTMF_INFO_PLAIN, (uint8_t *)big, sizeof(big),
				  &d), EMSGSIZE);
}

struct keys {
	char got[16];
	size_t n;
	struct leg *from;
};

static void on_digit(struct call *c, struct leg *l, char digit, void *arg)
{
	struct keys *k = arg;

	(void)c;
	k->from = l;
	if (k->n < sizeof(k->got) - 1)
		k->got[k->n++] = digit;
}

/* one RFC 4733 packet: event, E bit, duration */
static void event(struct leg *l, uint8_t code, bool end, uint16_t dur,
		  uint32_t ts)
{
	uint8_t p[4] = { code, end ? 0x80 : 0, (uint8_t)(dur >> 8),
			 (uint8_t)dur };

	leg_event(NULL, p, sizeof(p), ts, !dur, l);
}

UNIT_TEST(dtmf_digit_hook)
{
	static struct call c;         /* large: not on the stack */
	static struct leg cust, agent;
	struct keys k = { 0 };

	memset(&c, 0, sizeof(c));
	cust.call = agent.call = &c;
	cust.role = ROLE_CUSTOMER;
	agent.role = ROLE_AGENT;
	c.legs[ROLE_CUSTOMER] = &cust;
	c.legs[ROLE_AGENT] = &agent;
	c.digith = on_digit;
	c.digit_arg = &k;

	/* '5': start, two updates, three end packets; then '5' again */
	event(&cust, 5, false, 0, 1000);
	event(&cust, 5, false, 160, 1000);
	event(&cust, 5, false, 320, 1000);
	for (int i = 0; i < 3; i++)
		event(&cust, 5, true, 480, 1000);
	event(&cust, 5, false, 0, 2000);
	event(&cust, 5, true, 400, 2000);
	/* '#' whose first packets were lost; a flash (16) is no key */
	event(&cust, 11, false, 320, 3000);
	event(&cust, 16, false, 0, 4000);
	/* an INFO key arrives the same way */
	call_digit(&c, &cust, '7', true);
	UT_EQ_STR(k.got, "55#7");
	UT_ASSERT(k.from == &cust);
}
