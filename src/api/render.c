/*
 * render.c — the one place each wire shape of a result is produced.
 *
 * Code 3 of a repeated login exists only on the Script interface (manual
 * §4.1); SOAP and HTTP, whose manual documents codes 1 and 2 there, say 1.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/conf.h"
#include "api/api.h"

int render_message(struct re_printf *pf, void *arg)
{
	const struct render_args *ra = arg;
	const struct op_result *res = ra->res;

	int err;

	if (res->backmsg == BM_NONE)
		return re_hprintf(pf, "%b", res->data ? res->data->buf : NULL,
				  res->data ? res->data->end : (size_t)0);
	err = backmsg_print(pf, res->backmsg, res->arg, ra->lang);
	for (size_t i = 0; i < RES_MORE && res->more[i] && !err; i++) {
		err = re_hprintf(pf, ",");
		err |= backmsg_print(pf, res->more[i], NULL, ra->lang);
	}
	return err;
}

int render_retuen(struct re_printf *pf, void *arg)
{
	const struct render_args *ra = arg;
	const struct op_result *res = ra->res;
	int err = re_hprintf(pf, "|Retuen|%d|Retuen|%H", res->code,
			     render_message, arg);

	if (res->extra && res->code == OP_OK)
		err |= re_hprintf(pf, "|Retuen|%b", res->extra->buf,
				  res->extra->end);
	return err;
}

int render_plain(struct re_printf *pf, void *arg)
{
	const struct render_args *ra = arg;
	struct render_args code_only = *ra;

	/* the manual shows codes here ("0|BackMsg_02"), whatever the language */
	code_only.lang = "code";
	return re_hprintf(pf, "%d|%H", ra->res->code == OP_OK ? 1 : 0,
			  render_message, &code_only);
}

int json_str(struct re_printf *pf, const char *s)
{
	int err = re_hprintf(pf, "\"");

	for (const unsigned char *p = (const unsigned char *)s; *p && !err; p++) {
		unsigned c = *p;
		if (c == '"' || c == '\\')
			err = re_hprintf(pf, "\\%c", c);
		else if (c < 0x20 || c == '<' || c == '>' || c == '&')
			err = re_hprintf(pf, "\\u%04x", c);
		else if (c == 0xe2 && p[1] == 0x80 &&
			 (p[2] == 0xa8 || p[2] == 0xa9)) {
			/* U+2028/2029 end a JS string before ES2019 */
			err = re_hprintf(pf, "\\u20%s",
					 p[2] == 0xa8 ? "28" : "29");
			p += 2;
		}
		else
			err = re_hprintf(pf, "%c", c);
	}
	return err | re_hprintf(pf, "\"");
}

int json_str_h(struct re_printf *pf, void *str)
{
	return json_str(pf, str);
}

static int json_mbuf(struct re_printf *pf, const struct mbuf *mb)
{
	char *s = NULL;
	int err = re_sdprintf(&s, "%b", mb ? mb->buf : NULL,
			      mb ? mb->end : (size_t)0);

	if (!err)
		err = json_str(pf, s ? s : "");
	mem_deref(s);
	return err;
}

int render_json(struct re_printf *pf, void *arg)
{
	const struct render_args *ra = arg;
	const struct op_result *res = ra->res;
	char *msg = NULL;
	int code = res->already ? OP_PARTIAL : res->code;
	int err;

	err = re_sdprintf(&msg, "%H", render_message, arg);
	if (err)
		return err;
	err = re_hprintf(pf, "{\"code\":%d,\"message\":", code);
	if (res->json && res->backmsg == BM_NONE && msg[0])
		err |= re_hprintf(pf, "%s", msg);
	else
		err |= json_str(pf, msg);
	if (res->extra && res->code == OP_OK && ra->op && ra->op->extra_name) {
		err |= re_hprintf(pf, ",\"%s\":", ra->op->extra_name);
		err |= json_mbuf(pf, res->extra);
	}
	err |= re_hprintf(pf, "}");
	mem_deref(msg);
	return err;
}

int render_json_object(struct re_printf *pf, void *arg)
{
	const struct render_args *ra = arg;
	const struct op_result *res = ra->res;
	const struct mbuf *d = res->data;

	if (res->code == OP_OK && res->json && res->backmsg == BM_NONE &&
	    d && d->end > 2 && d->buf[0] == '{')
		return re_hprintf(pf, "{\"code\":%d,%b", res->code,
				  d->buf + 1, d->end - 1);
	return render_json(pf, arg);
}

const char *request_lang(const struct api *api, const char *param)
{
	if (param && *param && backmsg_lang_valid(param))
		return param;
	return api->cfg->message_lang;
}
