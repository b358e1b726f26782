/*
 * fuzz_callback.c — libFuzzer target for callback_name_valid() (src/api/
 * script.c), the gate in front of the only request text the Script
 * interface echoes back as JavaScript (the JSONP callback name).
 *
 * The contract (script.c, api.h): a name is accepted iff it matches
 *   ^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)*$
 * and is at most 128 bytes. Every input is judged by two checkers written
 * here independently of script.c — a hand-written scanner and POSIX
 * regexec() on the regex above — and callback_name_valid() must agree with
 * them both ways. An accepted name that breaks the contract is a script
 * injection; a rejected valid one breaks clients.
 *
 * The input is tried as a C string directly, and as a query string whose
 * `callback` parameter is checked, as script_handle() does.
 */
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "base/form.h"
#include "api/api.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_callback: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { NAME_MAX_BYTES = 128 };

static const char name_re[] =
	"^[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*$";

static bool is_start(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		c == '_' || c == '$';
}

static bool is_part(unsigned char c)
{
	return is_start(c) || (c >= '0' && c <= '9');
}

/* State machine: 0 = at the start of a segment, 1 = inside one. */
static bool scan_ok(const char *s)
{
	size_t n = 0;
	int state = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++, n++) {
		if (n >= NAME_MAX_BYTES)
			return false;
		if (state == 0) {
			if (!is_start(*p))
				return false;
			state = 1;
		}
		else if (*p == '.') {
			state = 0;
		}
		else if (!is_part(*p)) {
			return false;
		}
	}
	return state == 1;
}

static void print_escaped(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x20 && *p < 0x7f && *p != '\\')
			fputc(*p, stderr);
		else
			fprintf(stderr, "\\x%02x", *p);
	fputc('\n', stderr);
}

static void judge(const char *s, const regex_t *re)
{
	bool got = callback_name_valid(s);
	bool want = scan_ok(s);

	/* Independent checkers first: they must agree with each other. */
	bool rx = strlen(s) <= NAME_MAX_BYTES &&
		regexec(re, s, 0, NULL, 0) == 0;
	if (rx != want) {
		fprintf(stderr, "fuzz_callback: the two checkers disagree "
			"(regex %d, scanner %d) on: ", rx, want);
		print_escaped(s);
		abort();
	}
	if (got != want) {
		fprintf(stderr, "fuzz_callback: callback_name_valid() %s a "
			"name it should %s: ", got ? "ACCEPTED" : "rejected",
			got ? "reject" : "accept");
		print_escaped(s);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static regex_t re;
	static int inited;
	struct form f;
	char *s;

	if (!inited) {
		CHECK(regcomp(&re, name_re, REG_EXTENDED | REG_NOSUB) == 0);
		inited = 1;
	}

	/* 1. the bytes as a C string (stopping at the first NUL) */
	s = malloc(size + 1);
	CHECK(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	judge(s, &re);
	free(s);

	/* 2. as a request: ...&callback=<name>&... */
	form_init(&f);
	if (form_parse(&f, (const char *)data, size) == 0) {
		const char *cb = form_get(&f, "callback");
		if (cb)
			judge(cb, &re);
	}
	form_reset(&f);
	return 0;
}
