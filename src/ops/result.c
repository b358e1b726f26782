/*
 * result.c — building op results (see op.h).
 */
#include <stdarg.h>
#include <string.h>
#include <re.h>
#include "ops/op.h"

void res_init(struct op_result *r)
{
	memset(r, 0, sizeof(*r));
	r->code = OP_FAIL;
}

void res_reset(struct op_result *r)
{
	mem_deref(r->data);
	mem_deref(r->extra);
	res_init(r);
}

void res_set(struct op_result *r, int code, int backmsg, const char *arg)
{
	r->code = code;
	r->backmsg = backmsg;
	memset(r->more, 0, sizeof(r->more));
	str_ncpy(r->arg, arg ? arg : "", sizeof(r->arg));
}

void res_add_code(struct op_result *r, int backmsg)
{
	if (!r->backmsg) {
		r->backmsg = backmsg;
		return;
	}
	for (size_t i = 0; i < RES_MORE; i++) {
		if (!r->more[i]) {
			r->more[i] = backmsg;
			return;
		}
	}
}

static int vprint_into(struct mbuf **mbp, const char *fmt, va_list ap)
{
	if (!*mbp) {
		*mbp = mbuf_alloc(128);
		if (!*mbp)
			return ENOMEM;
	}
	return mbuf_vprintf(*mbp, fmt, ap);
}

int res_data(struct op_result *r, int code, const char *fmt, ...)
{
	va_list ap;
	int err;

	r->code = code;
	r->backmsg = BM_NONE;
	va_start(ap, fmt);
	err = vprint_into(&r->data, fmt, ap);
	va_end(ap);
	return err;
}

int res_extra(struct op_result *r, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vprint_into(&r->extra, fmt, ap);
	va_end(ap);
	return err;
}
