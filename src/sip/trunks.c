/*
 * trunks.c — registering occd with the SIP gateways that want it.
 *
 * A trunk configured with --register gets a libre sipreg that keeps a
 * binding at the gateway (refreshing it, retrying after failures), with the
 * trunk's digest credentials. On every reload the wanted set is compared
 * with the running one: unchanged trunks keep their registration, changed
 * or removed ones are dropped (sipreg unregisters on deref), new ones start.
 * Outgoing INVITEs authenticate with the same credentials (call.c).
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.trunk"
#include "base/log.h"
#include "core/model.h"
#include "core/occ.h"
#include "sip/tel.h"
#include "sip/tel_impl.h"

enum { TRUNK_REG_EXPIRES_S = 600 };

struct trunk_reg {
	struct le le;
	struct tel *tel;
	char team[ST_NAME];
	struct st_trunk cfg;
	struct sipreg *reg;
	bool seen;             /* still wanted after this reload */
	bool ok;
};

static void trunk_reg_destructor(void *arg)
{
	struct trunk_reg *tr = arg;

	list_unlink(&tr->le);
	mem_deref(tr->reg);        /* sends REGISTER with expires 0 */
}

int trunk_auth(char **user, char **pass, const char *realm, void *arg)
{
	const struct st_trunk *t = arg;   /* trunk_cred's: it has a user */

	return str_dup(user, t->username) | str_dup(pass, t->password);
}

struct st_trunk *trunk_cred(const struct st_trunk *t)
{
	struct st_trunk *c;

	if (!t->username[0])
		return NULL;
	c = mem_alloc(sizeof(*c), NULL);
	if (c)
		*c = *t;
	return c;
}

static void reg_resp(int err, const struct sip_msg *msg, void *arg)
{
	struct trunk_reg *tr = arg;
	bool ok = !err && msg && msg->scode < 300;

	/* a failure each time (libre retries, waiting longer each time),
	 * success once after a failure or the start */
	if (!ok && msg)
		OCC_WARN("trunk registration team=%s trunk=%s failed (%u %r)",
			 tr->team, tr->cfg.name, msg->scode, &msg->reason);
	else if (!ok)
		OCC_WARN("trunk registration team=%s trunk=%s failed: %m",
			 tr->team, tr->cfg.name, err);
	else if (!tr->ok)
		OCC_INFO("trunk registration team=%s trunk=%s ok (%u)",
			 tr->team, tr->cfg.name, msg->scode);
	tr->ok = ok;
}

void tel_trunk_regs(const struct tel *tel, tel_trunk_reg_h *h, void *arg)
{
	struct le *le;

	LIST_FOREACH(&tel->trunk_regs, le) {
		const struct trunk_reg *tr = le->data;
		h(tr->team, tr->cfg.name, tr->ok, arg);
	}
}

/* What a registration depends on */
static bool same_cfg(const struct st_trunk *a, const struct st_trunk *b)
{
	return !strcmp(a->name, b->name) && !strcmp(a->uri, b->uri) &&
		!strcmp(a->username, b->username) &&
		!strcmp(a->password, b->password);
}

static struct trunk_reg *find(struct tel *tel, const char *team,
			      const struct st_trunk *cfg)
{
	struct le *le;

	LIST_FOREACH(&tel->trunk_regs, le) {
		struct trunk_reg *tr = le->data;
		if (!strcmp(tr->team, team) && same_cfg(&tr->cfg, cfg))
			return tr;
	}
	return NULL;
}

static int start(struct tel *tel, const struct team *t,
		 const struct st_trunk *cfg)
{
	struct trunk_reg *tr = mem_zalloc(sizeof(*tr), trunk_reg_destructor);
	const char *host = strchr(cfg->uri, ':');
	char aor[ST_URL + ST_NAME];
	struct st_trunk *cred;
	int err;

	if (!tr || !host)
		return tr ? (mem_deref(tr), EINVAL) : ENOMEM;
	tr->tel = tel;
	str_ncpy(tr->team, t->name, sizeof(tr->team));
	tr->cfg = *cfg;
	tr->seen = true;
	re_snprintf(aor, sizeof(aor), "sip:%s@%s",
		    cfg->username[0] ? cfg->username : t->name, host + 1);
	list_append(&tel->trunk_regs, &tr->le, tr);
	cred = trunk_cred(cfg);
	/* the response handler's tr: libre's sipreg no longer calls it once
	 * tr has dropped it (it sends the last REGISTER on its own) */
	err = sipreg_register(&tr->reg, tel->sip, cfg->uri, aor, NULL, aor,
			      TRUNK_REG_EXPIRES_S, cfg->name, NULL, 0, 0,
			      cred ? trunk_auth : NULL, cred, true, reg_resp,
			      tr, NULL, NULL);
	mem_deref(cred);            /* the sipreg holds its own reference */
	if (err) {
		OCC_WARN("trunk registration not started team=%s trunk=%s: %m",
			 t->name, cfg->name, err);
		mem_deref(tr);
	}
	return err;
}

void trunks_sync(struct tel *tel)
{
	struct le *le, *le2;

	LIST_FOREACH(&tel->trunk_regs, le)
		((struct trunk_reg *)le->data)->seen = false;
	LIST_FOREACH(&tel->occ->m->teams, le) {
		const struct team *t = le->data;
		LIST_FOREACH(&t->trunks, le2) {
			const struct trunk *tk = le2->data;
			struct trunk_reg *tr;
			if (!tk->cfg.do_register)
				continue;
			tr = find(tel, t->name, &tk->cfg);
			if (tr)
				tr->seen = true;
			else
				start(tel, t, &tk->cfg);
		}
	}
	le = list_head(&tel->trunk_regs);
	while (le) {
		struct trunk_reg *tr = le->data;
		le = le->next;
		if (!tr->seen)
			mem_deref(tr);
	}
}

void trunks_close(struct tel *tel)
{
	list_flush(&tel->trunk_regs);
}
