/*
 * admin_routing.c — the admin console's view of a team's trunks, inbound
 * routing sections and prompt files (admin_routing.h).
 *
 * The routing is shown as stored (the text occctl routing import/set
 * wrote), one entry per section, so the page edits what the
 * administrator wrote; occd's parsed routing is what calls use, and the
 * two are the same text. Prompt files are listed from the team's
 * directory only; names starting with a dot (occctl's temporary files)
 * are left out.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <re.h>
#include "base/conf.h"
#include "api/api.h"
#include "api/admin_routing.h"
#include "core/occ.h"
#include "inbound/routing_sect.h"

static int trunks_json(struct re_printf *pf, const struct team *t)
{
	int err = re_hprintf(pf, ",\"trunks\":[");
	struct le *le;

	for (le = list_head(&t->trunks); le; le = le->next) {
		const struct st_trunk *k = &((const struct trunk *)
					      le->data)->cfg;
		err |= re_hprintf(pf, "%s{\"name\":%H,\"uri\":%H,"
				  "\"default\":%s,\"register\":%s,"
				  "\"user\":%H,\"password\":%s,"
				  "\"callerid\":%H,\"strip\":%H,"
				  "\"prefix\":%H}",
				  le == list_head(&t->trunks) ? "" : ",",
				  json_str_h, k->name, json_str_h, k->uri,
				  k->is_default ? "true" : "false",
				  k->do_register ? "true" : "false",
				  json_str_h, k->username,
				  k->password[0] ? "true" : "false",
				  json_str_h, k->callerid,
				  json_str_h, k->strip_prefix,
				  json_str_h, k->add_prefix);
	}
	return err | re_hprintf(pf, "]");
}

struct sect_pf {
	struct re_printf *pf;
	const char *text;
	unsigned n;
	int err;
};

static bool sect_json(const struct rt_sect *s, void *arg)
{
	struct sect_pf *sp = arg;
	char kind[16], name[128], *body = NULL;

	if (s->kind_len >= sizeof(kind) || s->name_len >= sizeof(name))
		return true;
	memcpy(kind, s->kind, s->kind_len);
	kind[s->kind_len] = '\0';
	memcpy(name, s->name, s->name_len);
	name[s->name_len] = '\0';
	if (re_sdprintf(&body, "%b", sp->text + s->body,
			s->end - s->body)) {
		sp->err = ENOMEM;
		return false;
	}
	sp->err |= re_hprintf(sp->pf, "%s{\"kind\":%H,\"name\":%H,"
			      "\"body\":%H}", sp->n++ ? "," : "",
			      json_str_h, kind, json_str_h, name,
			      json_str_h, body);
	mem_deref(body);
	return true;
}

static int routing_json(struct re_printf *pf, const struct api *api,
			const struct team *t)
{
	struct sect_pf sp = { .pf = pf };
	char *text = NULL;
	int64_t ms = 0;
	int err = re_hprintf(pf, ",\"routing\":[");

	if (!store_routing_get(api->occ->st, t->id, &text, &ms)) {
		sp.text = text;
		rt_sect_each(text, strlen(text), sect_json, &sp);
		err |= sp.err;
	}
	mem_deref(text);
	return err | re_hprintf(pf, "]");
}

static int prompts_json(struct re_printf *pf, const struct api *api,
			const struct team *t)
{
	char dir[1024], path[1400];
	int err = re_hprintf(pf, ",\"prompts\":[");
	struct dirent *de;
	unsigned n = 0;
	DIR *d = NULL;

	/* a team named . or .. has no directory of its own */
	if (strcmp(t->name, ".") && strcmp(t->name, "..") &&
	    re_snprintf(dir, sizeof(dir), "%s/prompts/%s",
			api->cfg->data_dir, t->name) > 0)
		d = opendir(dir);
	while (d && (de = readdir(d)) && n < 1000) {
		size_t l = strlen(de->d_name);
		struct stat st;

		if (de->d_name[0] == '.' || l < 5 ||
		    strcmp(de->d_name + l - 4, ".wav"))
			continue;
		re_snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		err |= re_hprintf(pf, "%s{\"file\":%H,\"bytes\":%lld}",
				  n++ ? "," : "", json_str_h, de->d_name,
				  (long long)st.st_size);
	}
	if (d)
		closedir(d);
	return err | re_hprintf(pf, "]");
}

int admin_routing_json(struct re_printf *pf, const struct api *api,
		       const struct team *t)
{
	if (!t)
		return 0;
	return trunks_json(pf, t) | routing_json(pf, api, t) |
		prompts_json(pf, api, t);
}
