/*
 * backmsg.c — the catalog table and message rendering (see backmsg.h).
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "api/backmsg.h"

struct backmsg_row {
	const char *zh;
	const char *en;
};

#define BM_ROW(n, z, e) [n] = { .zh = z, .en = e }
static const struct backmsg_row rows[BACKMSG_MAX] = {
#include "api/backmsg_table.h"
};
#undef BM_ROW

bool backmsg_exists(int code)
{
	return code > 0 && code < BACKMSG_MAX && rows[code].zh;
}

const char *backmsg_text(int code, bool chinese)
{
	if (!backmsg_exists(code))
		return NULL;
	return chinese ? rows[code].zh : rows[code].en;
}

bool backmsg_lang_valid(const char *lang)
{
	static const char *const langs[] = {
		"code", "cn", "en", "jp", "kr", "ru", "fr", "de", "es",
	};
	for (size_t i = 0; i < ARRAY_SIZE(langs); i++)
		if (!strcasecmp(lang, langs[i]))
			return true;
	return false;
}

int backmsg_print(struct re_printf *pf, int code, const char *arg,
		  const char *lang)
{
	const char *text, *open, *close;
	bool has_arg = arg && arg[0];

	if (!lang || !strcasecmp(lang, "code") || !backmsg_exists(code))
		return re_hprintf(pf, "BackMsg_%02d%s%s%s", code,
				  has_arg ? "[" : "", has_arg ? arg : "",
				  has_arg ? "]" : "");
	text = backmsg_text(code, !strcasecmp(lang, "cn"));
	open = strchr(text, '[');
	close = open ? strchr(open, ']') : NULL;
	if (!open || !close)
		return re_hprintf(pf, "%s%s%s%s", text, has_arg ? "[" : "",
				  has_arg ? arg : "", has_arg ? "]" : "");
	/* "坐席工号不存在[坐席工号]" -> "坐席工号不存在[8009]" */
	return re_hprintf(pf, "%b[%s]%s", text, (size_t)(open - text),
			  has_arg ? arg : "", close + 1);
}

int backmsg_print_h(struct re_printf *pf, void *arg)
{
	const struct backmsg_args *a = arg;
	return backmsg_print(pf, a->code, a->arg, a->lang);
}
