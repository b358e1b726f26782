/*
 * test_api.c — the parsers and renderers that face the network: the form
 * parser, JSONP callback names, BackMsg rendering, JSON strings, config.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "unit.h"
#include "base/conf.h"
#include "base/form.h"
#include "api/api.h"
#include "api/optable.h"

UNIT_TEST(form_decodes_pairs)
{
	struct form f;
	static const char in[] = "EVENT=LOGIN&user=80%30%31&name=a+b&x&=y&User=dup";

	form_init(&f);
	UT_EQ_INT(form_parse(&f, in, strlen(in)), 0);
	UT_EQ_STR(form_get(&f, "event"), "LOGIN");
	UT_EQ_STR(form_get(&f, "USER"), "8001");
	UT_EQ_STR(form_get(&f, "name"), "a b");
	UT_EQ_STR(form_get(&f, "x"), "");
	UT_ASSERT(form_get(&f, "y") == NULL);
	UT_EQ_INT((long long)f.n, 4);  /* empty name dropped, dup ignored */
	form_reset(&f);
}

UNIT_TEST(form_rejects_bad_input)
{
	struct form f;
	static const char *bad[] = { "a=%", "a=%4", "a=%zz", "a=%00", "%=1" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		form_init(&f);
		UT_EQ_INT(form_parse(&f, bad[i], strlen(bad[i])), EINVAL);
		form_reset(&f);
	}
}

UNIT_TEST(form_bounds_pairs_and_bytes)
{
	struct form f;
	struct mbuf *mb = mbuf_alloc(4096);
	char *big;

	for (int i = 0; i < FORM_MAX_PAIRS + 1; i++)
		mbuf_printf(mb, "k%d=v&", i);
	form_init(&f);
	UT_EQ_INT(form_parse(&f, (char *)mb->buf, mb->end), E2BIG);
	form_reset(&f);
	mem_deref(mb);

	big = malloc(FORM_MAX_BYTES + 2);
	memset(big, 'a', FORM_MAX_BYTES + 1);
	big[0] = 'k';
	big[1] = '=';
	form_init(&f);
	UT_EQ_INT(form_parse(&f, big, FORM_MAX_BYTES + 1), E2BIG);
	form_reset(&f);
	free(big);
}

UNIT_TEST(callback_names)
{
	UT_ASSERT(callback_name_valid("cb"));
	UT_ASSERT(callback_name_valid("jQuery331_1700000000"));
	UT_ASSERT(callback_name_valid("app.ui.$done"));
	UT_ASSERT(!callback_name_valid(""));
	UT_ASSERT(!callback_name_valid("alert(1)"));
	UT_ASSERT(!callback_name_valid("a;b"));
	UT_ASSERT(!callback_name_valid("1abc"));
	UT_ASSERT(!callback_name_valid("a..b"));
	UT_ASSERT(!callback_name_valid("a."));
	UT_ASSERT(!callback_name_valid("a b"));
	UT_ASSERT(!callback_name_valid("x</script>"));
	char longname[130];
	memset(longname, 'a', 129);
	longname[129] = 0;
	UT_ASSERT(!callback_name_valid(longname));
	longname[128] = 0;
	UT_ASSERT(callback_name_valid(longname));
}

UNIT_TEST(backmsg_rendering)
{
	char buf[256];

	re_snprintf(buf, sizeof(buf), "%H", backmsg_print_h,
		    &(struct backmsg_args){ 9, "8009", "code" });
	UT_EQ_STR(buf, "BackMsg_09[8009]");
	re_snprintf(buf, sizeof(buf), "%H", backmsg_print_h,
		    &(struct backmsg_args){ 110, NULL, "code" });
	UT_EQ_STR(buf, "BackMsg_110");
	re_snprintf(buf, sizeof(buf), "%H", backmsg_print_h,
		    &(struct backmsg_args){ 9, "8009", "cn" });
	UT_EQ_STR(buf, "坐席工号不存在[8009]");
	re_snprintf(buf, sizeof(buf), "%H", backmsg_print_h,
		    &(struct backmsg_args){ 9, "8009", "fr" });
	UT_EQ_STR(buf, "Agent number does not exist [8009]");
	re_snprintf(buf, sizeof(buf), "%H", backmsg_print_h,
		    &(struct backmsg_args){ 4, NULL, "en" });
	UT_EQ_STR(buf, "Login succeeded");
	UT_ASSERT(backmsg_exists(404));
	UT_ASSERT(!backmsg_exists(121));
	UT_ASSERT(backmsg_lang_valid("cn") && !backmsg_lang_valid("xx"));
}

UNIT_TEST(json_strings_are_script_safe)
{
	char buf[128];

	re_snprintf(buf, sizeof(buf), "%H", json_str_h,
		    (void *)"a\"b\\c</script>\n\xe2\x80\xa8");
	UT_EQ_STR(buf, "\"a\\\"b\\\\c\\u003c/script\\u003e\\u000a\\u2028\"");
}

UNIT_TEST(table_is_consistent)
{
	for (size_t i = 0; i < op_count; i++) {
		const struct op *op = &op_table[i];
		size_t ns = op_param_count(op->script_params);
		UT_ASSERT(op->id && op->summary);
		/* every required parameter is one the SOAP order carries */
		for (size_t r = 0; r < OP_MAX_PARAMS && op->required[r]; r++) {
			bool found = false;
			for (size_t k = 0; k < op_param_count(op->soap_params); k++)
				found |= op->soap_params[k] == op->required[r];
			UT_ASSERT(found);
		}
		/* every declared code exists in the catalog */
		for (size_t c = 0; c < OP_MAX_CODES && op->codes[c]; c++)
			UT_ASSERT(backmsg_exists(op->codes[c]));
		if (op->script) {
			bool cb = false;
			for (size_t k = 0; k < ns; k++)
				cb |= op->script_params[k] == P_CALLBACKFUC;
			UT_ASSERT(cb);
			UT_ASSERT(op_find_script(op->script) == op);
		}
		if (op->http)
			UT_ASSERT(op_find_http(op->http) == op);
		if (op->soap)
			UT_ASSERT(op_find_soap(op->soap) == op);
	}
	UT_EQ_INT((long long)op_count, 45);
	UT_ASSERT(param_lookup("phonenummer") == P_PHONENUMBER);
	UT_ASSERT(param_lookup("QUEUENUM") == P_QUEUENUMBER);
	UT_ASSERT(param_lookup("Model_id") == P_MODEL_ID);
	UT_ASSERT(op_find_http("agenttolvr") == op_find_http("AgentToIvr"));
	/* cocc's DeviceCall with a user is backCall: the rows name it */
	UT_ASSERT(op_find_http("DeviceCall")->with_user &&
		  op_find_id(op_find_http("DeviceCall")->with_user) ==
		  op_find_http("DeviceCallBackCall"));
	UT_ASSERT(op_find_http("backcall") == op_find_soap("backCall"));
	for (size_t i = 0; i < op_count; i++)
		UT_ASSERT(!op_table[i].with_user ||
			  op_find_id(op_table[i].with_user));
}

UNIT_TEST(conf_file_and_errors)
{
	char path[] = "/tmp/occ-conf-XXXXXX", err[256];
	struct conf c;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "; cocc.conf\n[system]\nwebroot_address = http://192.168.1.100:8880/\n"
		"[http]\nlisten=127.0.0.1:9999\n[security]\npwhash_opslimit = 3\n");
	fclose(f);
	conf_defaults(&c);
	UT_EQ_INT(conf_load(&c, path, err, sizeof(err)), 0);
	UT_EQ_STR(c.webroot_address, "http://192.168.1.100:8880/");
	UT_EQ_STR(c.http_listen, "127.0.0.1:9999");
	UT_EQ_INT(c.pwhash_opslimit, 3);
	UT_EQ_STR(c.message_lang, "code");

	f = fopen(path, "w");
	fprintf(f, "[security]\npwhash_opslimit = 99\n");
	fclose(f);
	UT_EQ_INT(conf_load(&c, path, err, sizeof(err)), EINVAL);
	UT_ASSERT(strstr(err, ":2:") != NULL);
	f = fopen(path, "w");
	fprintf(f, "[nosuch]\nkey = 1\n");
	fclose(f);
	UT_EQ_INT(conf_load(&c, path, err, sizeof(err)), EINVAL);
	unlink(path);
}

static void count_note(const char *section, const char *key, bool restart,
		       void *arg)
{
	unsigned *n = arg;

	(void)section;
	(void)key;
	n[restart]++;
}

/* SIGHUP's half: keys that apply at once are copied, restart-only ones are
 * reported and left alone. */
UNIT_TEST(conf_update_leaves_restart_only_keys)
{
	struct conf live, fresh;
	unsigned notes[2] = { 0, 0 };
	char err[256];

	conf_defaults(&live);
	fresh = live;
	UT_EQ_INT(conf_set(&fresh, "call", "consult_ring_timeout", "12", err,
			   sizeof(err)), 0);
	UT_EQ_INT(conf_set(&fresh, "media", "moh_file", "/srv/moh.wav", err,
			   sizeof(err)), 0);
	UT_EQ_INT(conf_set(&fresh, "sip", "listen", "0.0.0.0:5070", err,
			   sizeof(err)), 0);
	UT_EQ_INT(conf_update(&live, &fresh, count_note, notes), 2);
	UT_EQ_INT(live.consult_ring_timeout, 12);
	UT_EQ_STR(live.moh_file, "/srv/moh.wav");
	UT_EQ_STR(live.sip_listen, "127.0.0.1:5060");
	UT_EQ_INT(notes[0], 2);
	UT_EQ_INT(notes[1], 1);
	UT_EQ_INT(conf_update(&live, &fresh, NULL, NULL), 0);
	UT_EQ_INT(conf_set(&fresh, "call", "consult_ring_timeout", "4", err,
			   sizeof(err)), EINVAL);
}
