/*
 * fuzz_dtmf.c — libFuzzer target for src/sip/dtmf_info.c: the body of a
 * SIP INFO from any party of a call, parsed as application/dtmf-relay and
 * as application/dtmf. A key it returns must be one of 0-9 * # A-D; any
 * other result must be EINVAL or (past DTMF_INFO_MAX) EMSGSIZE.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sip/dtmf_info.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_dtmf: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

static void one(enum dtmf_info_type t, const uint8_t *data, size_t size)
{
	/* a copy of exactly size bytes, so ASan sees a read past the body */
	uint8_t *body = malloc(size ? size : 1);
	char d = 0;
	int err;

	CHECK(body);
	memcpy(body, data, size);
	err = dtmf_info_parse(t, body, size, &d);
	if (size > DTMF_INFO_MAX)
		CHECK(err == EMSGSIZE);
	else if (!err)
		CHECK(d && strchr("0123456789*#ABCD", d));
	else
		CHECK(err == EINVAL);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one(DTMF_INFO_RELAY, data, size);
	one(DTMF_INFO_PLAIN, data, size);
	return 0;
}
