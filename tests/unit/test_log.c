/*
 * test_log.c — log lines: values a client chose cannot forge fields, and a
 * flood from one statement is cut to its budget with a count of the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "unit.h"
#define LOG_TOPIC "test.log"
#include "base/log.h"
#include "base/tokenbucket.h"

static const char *q(char *buf, size_t size, const char *v)
{
	re_snprintf(buf, size, "%H", log_q, v);
	return buf;
}

UNIT_TEST(log_quotes_values_that_could_forge_fields)
{
	char b[128];
	struct pl pl;

	UT_EQ_STR(q(b, sizeof(b), "8001"), "8001");
	UT_EQ_STR(q(b, sizeof(b), "demo/8001"), "demo/8001");
	UT_EQ_STR(q(b, sizeof(b), "李雷"), "李雷");
	UT_EQ_STR(q(b, sizeof(b), "8001 forged=1"), "\"8001 forged=1\"");
	UT_EQ_STR(q(b, sizeof(b), "a=b"), "\"a=b\"");
	UT_EQ_STR(q(b, sizeof(b), "say \"hi\""), "\"say \\\"hi\\\"\"");
	UT_EQ_STR(q(b, sizeof(b), "x\r\nts=1 level=error"),
		  "\"x\\r\\nts=1 level=error\"");
	UT_EQ_STR(q(b, sizeof(b), "tab\there\x01\x7f\\"),
		  "\"tab\\there\\x01\\x7f\\\\\"");
	UT_EQ_STR(q(b, sizeof(b), ""), "\"\"");
	UT_EQ_STR(q(b, sizeof(b), NULL), "\"\"");
	pl_set_str(&pl, "sip:a b@x");
	re_snprintf(b, sizeof(b), "%H", LQPL(&pl));
	UT_EQ_STR(b, "\"sip:a b@x\"");
}

UNIT_TEST(token_bucket_allows_a_burst_then_the_rate)
{
	struct token_bucket bk = { 0 };
	int n = 0;

	for (int i = 0; i < 50; i++)
		n += token_bucket_take(&bk, 1000, 10, 5);
	UT_EQ_INT(n, 5);                      /* the burst */
	n = 0;
	for (int i = 0; i < 50; i++)
		n += token_bucket_take(&bk, 1500, 10, 5);
	UT_EQ_INT(n, 5);                      /* half a second at 10/s */
	UT_ASSERT(!token_bucket_take(&bk, 1500, 10, 5));
	UT_EQ_INT(token_bucket_wait_ms(&bk, 10), 100);  /* the next token */
	UT_ASSERT(token_bucket_take(&bk, 1600, 10, 5));
	n = 0;
	for (int i = 0; i < 50; i++)
		n += token_bucket_take(&bk, 100000, 10, 5);
	UT_EQ_INT(n, 5);                      /* refills to the burst only */
	n = 0;
	for (int i = 0; i < 50; i++)
		n += token_bucket_take(&bk, 100000, 0, 5);
	UT_EQ_INT(n, 50);                     /* rate 0: no limit */
}

UNIT_TEST(log_flood_of_one_statement_is_cut_and_counted)
{
	FILE *f = tmpfile();
	enum log_level saved = log_level_current;
	uint64_t start = tmr_jiffies();
	char *out;
	int flood, other, slack;

	UT_ASSERT(f);
	log_set_output(f);
	log_set_level(LOG_LVL_INFO);
	log_set_rate(1, 10);
	for (int i = 0; i < 1000; i++)
		OCC_WARN("bad packet n=%d", i);
	OCC_WARN("another statement still gets through");
	OCC_DBG("below the level: neither written nor counted");
	/* lines the 1/s rate allowed however slow this run was */
	slack = (int)((tmr_jiffies() - start) / 1000) + 1;
	log_flush_suppressed();
	log_set_output(NULL);
	log_set_rate(20, 100);
	log_set_level(saved);
	out = unit_read_all(f);
	fclose(f);
	UT_ASSERT(out);
	flood = unit_count(out, "msg=bad packet n=");
	other = unit_count(out, "another statement");
	/* 10 at once, then 1 a second */
	UT_ASSERT(flood >= 10 && flood <= 10 + slack);
	UT_EQ_INT(other, 1);
	UT_EQ_INT(unit_count(out, "below the level"), 0);
	UT_EQ_INT(unit_count(out, "level=warn topic=test.log msg=suppressed similar"
			" lines n="), 1);
	{
		char want[64];
		snprintf(want, sizeof(want), "n=%d ", 1000 - flood);
		UT_ASSERT(strstr(out, want) != NULL);
	}
	UT_ASSERT(strstr(out, "format=\"bad packet n=%d\"") != NULL);
	free(out);
}

UNIT_TEST(log_lines_name_their_node)
{
	FILE *f = tmpfile();
	char *out;

	UT_ASSERT(f);
	log_set_output(f);
	log_set_node("occ-a.example");
	OCC_WARN("first");
	log_set_node("two words");          /* cannot forge a field */
	OCC_WARN("second");
	log_set_node(NULL);
	OCC_WARN("third");
	log_set_output(NULL);
	out = unit_read_all(f);
	fclose(f);
	UT_ASSERT(out);
	UT_EQ_INT(unit_count(out, "Z node=occ-a.example level=warn topic=test.log"
			" msg=first"), 1);
	UT_EQ_INT(unit_count(out, "Z node=\"two words\" level=warn"), 1);
	UT_EQ_INT(unit_count(out, "Z level=warn topic=test.log msg=third"), 1);
	free(out);
}
