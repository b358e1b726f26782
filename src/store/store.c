/*
 * store.c — the public store API: chooses the backend, checks arguments once
 * and dispatches through struct store_ops (store_impl.h).
 *
 * Every check a backend could get wrong the same way lives here: strings are
 * present, NUL-terminated within their struct field and not silently cut;
 * ids are positive; modes and states are in range; a password hash is a PHC
 * argon2 string (so a plaintext password can never reach a backend by
 * mistake); an HA1 and a sessionid are 32 lowercase hex digits; a trunk URI
 * is sip:/sips: or "virtual:"; a team setting key is [a-z_]{1,63}; a CDR's
 * direction, calldate shape and disposition are the ones store.h lists; an
 * event's text is non-empty, its eventid positive; a cursor's sink name is
 * [a-z_]{1,31}. Backends may assume all of it.
 *
 * To add a store function: declare it in store.h, add the ops member in
 * store_impl.h, a checked wrapper here and the implementation in each
 * backend.
 */
#include <errno.h>
#include <string.h>
#include "core/agent_state.h"
#include "store/store_impl.h"

/* Return a write of the loop's path, timed for /metrics (store.h's
 * store_write_latency). */
#define TIMED(st, call) do { \
	uint64_t t0_ = hist_now_ns(); \
	return hist_done(&(st)->write_latency, t0_, (call)); \
} while (0)

/* A write of the loop's path: timed, and in the pass's transaction when
 * group commit is on. */
#define WRITE(st, call) do { \
	pass_enter(st); \
	TIMED(st, call); \
} while (0)

static void pass_end(void *arg)
{
	(void)store_sync(arg);
}

/* Open the pass's transaction at its first write; if BEGIN fails, the
 * write goes alone, as without group commit. */
static void pass_enter(struct store *st)
{
	if (!st->group || st->pass_open || st->ops->begin(st))
		return;
	st->pass_open = true;
	tmr_start(&st->pass_tmr, 0, pass_end, st);
}

void store_group_commit(struct store *st, bool on)
{
	if (!st)
		return;
	if (!on)
		(void)store_sync(st);
	st->group = on && st->ops->group_commit;
}

int store_background(struct store *st, bool on)
{
	if (!st)
		return EINVAL;
	return st->ops->background ? st->ops->background(st, on) : 0;
}

bool store_pending(const struct store *st)
{
	return st && st->pass_open;
}

void store_on_sync(struct store *st, store_synced_h *h, void *arg)
{
	if (!st)
		return;
	st->synch = h;
	st->sync_arg = arg;
}

/* Tell the sync handler what a commit did, once it really ended the
 * transaction: inside an outer one (an import's store_begin() spanning
 * the pass's end) the pass's rows are stored only when that one commits,
 * in store_commit(). */
static void synced(struct store *st, int err)
{
	if (!err && st->ops->in_txn && st->ops->in_txn(st)) {
		st->sync_owed = true;
		return;
	}
	st->sync_owed = false;
	if (st->synch)
		st->synch(err, st->sync_arg);
}

int store_sync(struct store *st)
{
	uint64_t t0;
	int err;

	if (!st || !st->pass_open)
		return 0;
	st->pass_open = false;
	tmr_cancel(&st->pass_tmr);
	t0 = hist_now_ns();
	err = hist_done(&st->write_latency, t0, st->ops->commit(st));
	synced(st, err);
	return err;
}

uint64_t store_write_mark(struct store *st)
{
	return st && st->ops->changes ? st->ops->changes(st) : 0;
}

int store_sync_since(struct store *st, uint64_t mark)
{
	if (st && st->ops->changes && st->ops->changes(st) == mark)
		return 0;
	return store_sync(st);
}

void store_close_pass(struct store *st)
{
	(void)store_sync(st);
	tmr_cancel(&st->pass_tmr);
}

const struct hist *store_write_latency(const struct store *st)
{
	return &st->write_latency;
}

int store_open(struct store **stp, const char *dir)
{
	if (!stp || !dir || !*dir)
		return EINVAL;
	return sqlite_store_open(stp, dir);
}

int store_open_backend(struct store **stp, const char *backend,
		       const char *dir, const char *conninfo)
{
	if (!stp || !backend)
		return EINVAL;
	if (!*backend || !strcmp(backend, "sqlite"))
		return store_open(stp, dir);
	if (!strcmp(backend, "postgresql"))
		return pg_store_open(stp, conninfo);
	return EINVAL;
}

/* Present, non-empty and shorter than its field. */
static bool str_ok(const char *s, size_t size)
{
	return s && *s && strnlen(s, size) < size;
}

/* May be empty, but must fit. */
static bool str_fits(const char *s, size_t size)
{
	return s && strnlen(s, size) < size;
}

static bool hash_ok(const char *h)
{
	return str_ok(h, ST_HASH) && !strncmp(h, "$argon2", 7);
}

/* Exactly 32 lowercase hex digits (an MD5, a sessionid). */
static bool hex32_ok(const char *h)
{
	if (strnlen(h, 33) != 32)
		return false;
	for (; *h; h++) {
		if (!((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f')))
			return false;
	}
	return true;
}

static bool ha1_ok(const char *h, size_t size)
{
	char one[33];

	if (!str_fits(h, size))
		return false;
	if (!*h)
		return true;         /* no SIP secret (virtual) */
	/* one HA1, or the three of the digest usernames (st_exten) */
	for (int i = 0; i < 3; i++, h += 33) {
		if (strnlen(h, 32) < 32)
			return false;
		memcpy(one, h, 32);
		one[32] = '\0';
		if (!hex32_ok(one))
			return false;
		if (!h[32])
			return true;
		if (i == 2 || h[32] != ' ')
			return false;
	}
	return false;
}

static bool sessionid_ok(const char *s)
{
	return s && hex32_ok(s);
}

static bool has_prefix(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

/* "sip:" or "sips:" and something after it, or exactly "virtual:"; no
 * spaces or control characters. */
static bool trunk_uri_ok(const char *u)
{
	if (!str_ok(u, ST_URL))
		return false;
	for (const char *p = u; *p; p++) {
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	}
	if (!strcmp(u, "virtual:"))
		return true;
	if (has_prefix(u, "sip:"))
		return u[4] != '\0';
	if (has_prefix(u, "sips:"))
		return u[5] != '\0';
	return false;
}

/* [a-z_]{1,63} */
static bool setting_key_ok(const char *k)
{
	if (!str_ok(k, ST_NAME))
		return false;
	for (; *k; k++) {
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return false;
	}
	return true;
}

/* A delivery cursor's sink: [a-z_]{1,31}. */
static bool sink_ok(const char *k)
{
	if (!str_ok(k, 32))
		return false;
	for (; *k; k++) {
		if (!((*k >= 'a' && *k <= 'z') || *k == '_'))
			return false;
	}
	return true;
}

/* YYYY-MM-DD by shape (the digits are occd's business). */
static bool date_ok(const char *d, size_t size)
{
	if (!str_fits(d, size) || strlen(d) != 10)
		return false;
	for (int i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9'))
			return false;
	}
	return true;
}

/* The dispositions store.h lists; "" while the call or leg is open. */
static bool disposition_ok(const char *d, size_t size)
{
	static const char *const known[] = {
		"", "ANSWERED", "NO ANSWER", "BUSY", "FAILED", "CANCEL",
		"INTERRUPTED",
	};

	if (!str_fits(d, size))
		return false;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (!strcmp(d, known[i]))
			return true;
	}
	return false;
}

static bool times_ok(int64_t start_ms, int64_t answer_ms, int64_t end_ms)
{
	return start_ms >= 0 && answer_ms >= 0 && end_ms >= 0;
}

static bool acw_ok(int m)
{
	return m >= 1 && m <= 3;
}

static bool work_ok(int m)
{
	return m >= 0 && m <= 2;
}

#define CHECK(cond) do { if (!(cond)) return EINVAL; } while (0)

int store_load(struct store *st, const struct store_visitor *v, void *arg)
{
	CHECK(st && v);
	return st->ops->load(st, v, arg);
}

/* A team's name is a directory name under the data directory (prompts,
 * recordings): no separators, control characters, "." or "..". */
static bool team_name_ok(const char *s)
{
	if (!str_ok(s, ST_NAME) || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++) {
		if (*s == '/' || *s == '\\' || (unsigned char)*s < 0x20 ||
		    *s == 0x7f)
			return false;
	}
	return true;
}

int store_team_add(struct store *st, const char *name, int64_t *idp)
{
	CHECK(st && team_name_ok(name));
	return st->ops->team_add(st, name, idp);
}

int store_team_del(struct store *st, const char *name)
{
	CHECK(st && str_ok(name, ST_NAME));
	return st->ops->team_del(st, name);
}

int store_team_get(struct store *st, const char *name, struct st_team *t)
{
	CHECK(st && t && str_ok(name, ST_NAME));
	return st->ops->team_get(st, name, t);
}

int store_account_add(struct store *st, const struct st_account *a)
{
	CHECK(st && a && a->team_id > 0 && str_ok(a->name, sizeof(a->name)));
	CHECK(hash_ok(a->pwhash) && str_fits(a->agent, sizeof(a->agent)));
	return st->ops->account_add(st, a);
}

int store_account_del(struct store *st, int64_t team_id, const char *name)
{
	CHECK(st && team_id > 0 && str_ok(name, ST_NAME));
	return st->ops->account_del(st, team_id, name);
}

int store_account_set_pwhash(struct store *st, int64_t team_id,
			     const char *name, const char *pwhash)
{
	CHECK(st && team_id > 0 && str_ok(name, ST_NAME) && hash_ok(pwhash));
	return st->ops->account_set_pwhash(st, team_id, name, pwhash);
}

int store_account_set_enabled(struct store *st, int64_t team_id,
			      const char *name, bool enabled)
{
	CHECK(st && team_id > 0 && str_ok(name, ST_NAME));
	return st->ops->account_set_enabled(st, team_id, name, enabled);
}

int store_agent_add(struct store *st, const struct st_agent *a)
{
	CHECK(st && a && a->team_id > 0 && a->account_id >= 0);
	CHECK(str_ok(a->number, sizeof(a->number)) && hash_ok(a->pwhash));
	CHECK(str_fits(a->name, sizeof(a->name)));
	CHECK(str_fits(a->exten, sizeof(a->exten)));
	return st->ops->agent_add(st, a);
}

int store_agent_del(struct store *st, int64_t team_id, const char *number)
{
	CHECK(st && team_id > 0 && str_ok(number, ST_NUM));
	return st->ops->agent_del(st, team_id, number);
}

int store_agent_set_pwhash(struct store *st, int64_t team_id,
			   const char *number, const char *pwhash)
{
	CHECK(st && team_id > 0 && str_ok(number, ST_NUM) && hash_ok(pwhash));
	return st->ops->agent_set_pwhash(st, team_id, number, pwhash);
}

int store_agent_set_info(struct store *st, int64_t team_id,
			 const char *number, const char *name,
			 const char *exten)
{
	CHECK(st && team_id > 0 && str_ok(number, ST_NUM) &&
	      (!name || str_fits(name, ST_NAME)) &&
	      (!exten || str_fits(exten, ST_NUM)));
	return st->ops->agent_set_info(st, team_id, number, name, exten);
}

int store_agent_get(struct store *st, int64_t team_id, const char *number,
		    struct st_agent *a)
{
	CHECK(st && a && team_id > 0 && str_ok(number, ST_NUM));
	return st->ops->agent_get(st, team_id, number, a);
}

int store_group_add(struct store *st, const struct st_group *g)
{
	CHECK(st && g && g->id >= 0 && g->team_id > 0);
	CHECK(str_ok(g->name, sizeof(g->name)));
	CHECK(str_ok(g->queue, sizeof(g->queue)));
	CHECK(acw_ok(g->acw_mode) && work_ok(g->work_mode));
	CHECK(g->acw_s >= 0 && g->acw_s <= ST_ACW_S_MAX);
	return st->ops->group_add(st, g);
}

int store_group_del(struct store *st, int64_t team_id, int64_t group_id)
{
	CHECK(st && team_id > 0 && group_id > 0);
	return st->ops->group_del(st, team_id, group_id);
}

int store_group_set(struct store *st, int64_t team_id, int64_t group_id,
		    const char *name, int acw_s)
{
	CHECK(st && team_id > 0 && group_id > 0);
	CHECK(!name || str_ok(name, ST_NAME));
	CHECK(acw_s >= -1 && acw_s <= ST_ACW_S_MAX);
	return st->ops->group_set(st, team_id, group_id, name, acw_s);
}

/* acw_mode 0 in store_member_add means "the group's acw_mode". */
int store_member_add(struct store *st, const struct st_member *m)
{
	CHECK(st && m && m->group_id > 0 && m->agent_id > 0);
	CHECK((m->acw_mode == 0 || acw_ok(m->acw_mode)) &&
	      work_ok(m->work_mode));
	return st->ops->member_add(st, m);
}

int store_member_del(struct store *st, int64_t group_id, int64_t agent_id)
{
	CHECK(st && group_id > 0 && agent_id > 0);
	return st->ops->member_del(st, group_id, agent_id);
}

int store_exten_add(struct store *st, const struct st_exten *e)
{
	CHECK(st && e && e->team_id > 0);
	CHECK(str_ok(e->number, sizeof(e->number)));
	CHECK(ha1_ok(e->ha1, sizeof(e->ha1)));
	CHECK(str_fits(e->kind, sizeof(e->kind)));
	CHECK(!strcmp(e->kind, "sip") || !strcmp(e->kind, "virtual"));
	return st->ops->exten_add(st, e);
}

int store_exten_del(struct store *st, int64_t team_id, const char *number)
{
	CHECK(st && team_id > 0 && str_ok(number, ST_NUM));
	return st->ops->exten_del(st, team_id, number);
}

int store_exten_set_ha1(struct store *st, int64_t team_id,
			const char *number, const char *ha1)
{
	CHECK(st && team_id > 0 && str_ok(number, ST_NUM));
	CHECK(ha1_ok(ha1, sizeof(((struct st_exten *)0)->ha1)));
	return st->ops->exten_set_ha1(st, team_id, number, ha1);
}

static bool trunk_ok(const struct st_trunk *t)
{
	return t && t->team_id > 0 && str_ok(t->name, sizeof(t->name)) &&
		str_fits(t->uri, sizeof(t->uri)) && trunk_uri_ok(t->uri) &&
		str_fits(t->username, sizeof(t->username)) &&
		str_fits(t->password, sizeof(t->password)) &&
		str_fits(t->callerid, sizeof(t->callerid)) &&
		str_fits(t->strip_prefix, sizeof(t->strip_prefix)) &&
		str_fits(t->add_prefix, sizeof(t->add_prefix));
}

int store_trunk_add(struct store *st, const struct st_trunk *t)
{
	CHECK(st && trunk_ok(t));
	return st->ops->trunk_add(st, t);
}

int store_trunk_set(struct store *st, const struct st_trunk *t,
		    bool keep_password)
{
	CHECK(st && trunk_ok(t));
	return st->ops->trunk_set(st, t, keep_password);
}

int store_trunk_del(struct store *st, int64_t team_id, const char *name)
{
	CHECK(st && team_id > 0 && str_ok(name, ST_NAME));
	return st->ops->trunk_del(st, team_id, name);
}

int store_trunk_set_default(struct store *st, int64_t team_id,
			    const char *name)
{
	CHECK(st && team_id > 0 && str_ok(name, ST_NAME));
	return st->ops->trunk_set_default(st, team_id, name);
}

int store_team_setting_set(struct store *st, int64_t team_id,
			   const char *key, const char *value)
{
	CHECK(st && team_id > 0 && setting_key_ok(key));
	CHECK(str_fits(value, ST_URL));
	return st->ops->team_setting_set(st, team_id, key, value);
}

int store_routing_set(struct store *st, int64_t team_id, const char *text,
		      size_t len, int64_t updated_ms)
{
	CHECK(st && team_id > 0 && text && len <= ST_ROUTING);
	CHECK(!memchr(text, '\0', len));
	return st->ops->routing_set(st, team_id, text, len, updated_ms);
}

int store_routing_del(struct store *st, int64_t team_id)
{
	CHECK(st && team_id > 0);
	return st->ops->routing_del(st, team_id);
}

int store_routing_get(struct store *st, int64_t team_id, char **textp,
		      int64_t *updated_msp)
{
	CHECK(st && team_id > 0 && textp);
	return st->ops->routing_get(st, team_id, textp, updated_msp);
}

int store_agent_state_save(struct store *st, const struct st_agent_state *s)
{
	CHECK(st && s && s->agent_id > 0);
	CHECK(s->state >= 0 && s->state < AS_COUNT);
	CHECK(str_fits(s->device, sizeof(s->device)));
	CHECK(str_fits(s->pause_reason, sizeof(s->pause_reason)));
	WRITE(st, st->ops->agent_state_save(st, s));
}

int store_member_state_save(struct store *st, const struct st_member *m)
{
	CHECK(st && m && m->group_id > 0 && m->agent_id > 0);
	CHECK(acw_ok(m->acw_mode) && work_ok(m->work_mode));
	WRITE(st, st->ops->member_state_save(st, m));
}

int store_state_log_append(struct store *st, const struct st_state_log *l)
{
	CHECK(st && l && l->agent_id > 0);
	CHECK(l->state >= 0 && l->state < AS_COUNT);
	CHECK(str_fits(l->pause_reason, sizeof(l->pause_reason)));
	WRITE(st, st->ops->state_log_append(st, l));
}

int store_state_log_visit(struct store *st, int64_t agent_id, int64_t since_ms,
			  void (*h)(const struct st_state_log *l, void *arg),
			  void *arg)
{
	CHECK(st && h && agent_id > 0);
	return st->ops->state_log_visit(st, agent_id, since_ms, h, arg);
}

int store_state_log_prune(struct store *st, int64_t team_id,
			  int64_t before_ms, unsigned limit, unsigned *np)
{
	unsigned n = 0;
	int err;

	CHECK(st && team_id > 0 && limit > 0);
	err = st->ops->state_log_prune(st, team_id, before_ms, limit, &n);
	if (np)
		*np = err ? 0 : n;
	return err;
}

int store_registration_save(struct store *st,
			    const struct st_registration *r)
{
	CHECK(st && r && r->team_id > 0 && r->expires_ms > 0);
	CHECK(str_ok(r->exten, sizeof(r->exten)));
	CHECK(str_ok(r->contact, sizeof(r->contact)));
	CHECK(str_fits(r->source, sizeof(r->source)));
	CHECK(str_fits(r->user_agent, sizeof(r->user_agent)));
	CHECK(str_fits(r->path, sizeof(r->path)));
	WRITE(st, st->ops->registration_save(st, r));
}

int store_registration_del(struct store *st, int64_t team_id,
			   const char *exten, const char *contact)
{
	CHECK(st && team_id > 0 && str_ok(exten, ST_NUM));
	CHECK(str_ok(contact, ST_URL));
	WRITE(st, st->ops->registration_del(st, team_id, exten, contact));
}

static bool cdr_ok(const struct st_cdr *c)
{
	return c && c->team_id > 0 &&
	       str_fits(c->sessionid, sizeof(c->sessionid)) &&
	       sessionid_ok(c->sessionid) &&
	       str_fits(c->agent, sizeof(c->agent)) &&
	       str_fits(c->direction, sizeof(c->direction)) &&
	       (!strcmp(c->direction, "in") || !strcmp(c->direction, "out")) &&
	       str_fits(c->caller, sizeof(c->caller)) &&
	       str_fits(c->callee, sizeof(c->callee)) &&
	       date_ok(c->calldate, sizeof(c->calldate)) &&
	       c->start_ms > 0 &&
	       times_ok(c->start_ms, c->answer_ms, c->end_ms) &&
	       disposition_ok(c->disposition, sizeof(c->disposition)) &&
	       str_fits(c->hangup_by, sizeof(c->hangup_by)) &&
	       str_fits(c->account, sizeof(c->account)) &&
	       str_fits(c->recording, sizeof(c->recording)) &&
	       str_fits(c->modeltype, sizeof(c->modeltype)) &&
	       str_fits(c->model_id, sizeof(c->model_id)) &&
	       str_fits(c->userdata, sizeof(c->userdata)) &&
	       str_fits(c->vars, sizeof(c->vars)) &&
	       str_fits(c->queue, sizeof(c->queue)) &&
	       c->queue_wait_ms >= 0 &&
	       str_fits(c->ivrpath, sizeof(c->ivrpath));
}

int store_cdr_begin(struct store *st, const struct st_cdr *c)
{
	CHECK(st && cdr_ok(c));
	WRITE(st, st->ops->cdr_begin(st, c));
}

int store_cdr_end(struct store *st, const struct st_cdr *c)
{
	CHECK(st && cdr_ok(c));
	WRITE(st, st->ops->cdr_end(st, c));
}

int store_cdr_leg_save(struct store *st, const struct st_cdr_leg *l)
{
	CHECK(st && l && l->uniqueid > 0);
	CHECK(str_fits(l->sessionid, sizeof(l->sessionid)) &&
	      sessionid_ok(l->sessionid));
	CHECK(str_fits(l->channel, sizeof(l->channel)));
	CHECK(str_fits(l->role, sizeof(l->role)));
	CHECK(str_fits(l->peer, sizeof(l->peer)));
	CHECK(times_ok(l->start_ms, l->answer_ms, l->end_ms));
	CHECK(disposition_ok(l->disposition, sizeof(l->disposition)));
	WRITE(st, st->ops->cdr_leg_save(st, l));
}

int store_cdr_get(struct store *st, const char *sessionid, struct st_cdr *c)
{
	CHECK(st && c && str_fits(sessionid, ST_SESSIONID) &&
	      sessionid_ok(sessionid));
	return st->ops->cdr_get(st, sessionid, c);
}

int store_cdr_visit(struct store *st, int64_t team_id, int64_t since_ms,
		    unsigned limit,
		    void (*cdr_h)(const struct st_cdr *c, void *arg),
		    void (*leg_h)(const struct st_cdr_leg *l, void *arg),
		    void *arg)
{
	CHECK(st && cdr_h && team_id >= 0);
	return st->ops->cdr_visit(st, team_id, since_ms, limit, cdr_h, leg_h,
				  arg);
}

int store_cdr_visit_open(struct store *st,
			 void (*cdr_h)(const struct st_cdr *c, void *arg),
			 void (*leg_h)(const struct st_cdr_leg *l, void *arg),
			 void *arg)
{
	CHECK(st && cdr_h);
	return st->ops->cdr_visit_open(st, cdr_h, leg_h, arg);
}

int store_cdr_close_open(struct store *st, int64_t now_ms, unsigned *np)
{
	unsigned n = 0;
	int err;

	CHECK(st && now_ms > 0);
	err = st->ops->cdr_close_open(st, now_ms, &n);
	if (np)
		*np = err ? 0 : n;
	return err;
}

int store_event_append(struct store *st, const struct st_event *e)
{
	CHECK(st && e && e->team_id > 0 && e->eventid > 0 && e->ts_ms >= 0);
	CHECK(str_fits(e->agent1, sizeof(e->agent1)));
	CHECK(str_fits(e->agent2, sizeof(e->agent2)));
	CHECK(str_ok(e->text, sizeof(e->text)));
	WRITE(st, st->ops->event_append(st, e));
}

int store_event_last(struct store *st, int64_t team_id, int64_t *eventidp)
{
	CHECK(st && eventidp && team_id > 0);
	return st->ops->event_last(st, team_id, eventidp);
}

int store_event_before(struct store *st, int64_t team_id, int64_t ts_ms,
		       int64_t *eventidp)
{
	CHECK(st && eventidp && team_id > 0);
	return st->ops->event_before(st, team_id, ts_ms, eventidp);
}

int store_event_visit(struct store *st, int64_t team_id, int64_t after,
		      const char *agent, unsigned limit,
		      void (*h)(const struct st_event *e, void *arg),
		      void *arg)
{
	CHECK(st && h && team_id > 0 && after >= 0);
	/* "" would select the events that concern no agent */
	CHECK(!agent || str_ok(agent, ST_NUM));
	return st->ops->event_visit(st, team_id, after, agent, limit, h, arg);
}

int store_event_prune(struct store *st, int64_t team_id, int64_t upto,
		      int64_t before_ms, unsigned limit, unsigned *np)
{
	unsigned n = 0;
	int err;

	CHECK(st && team_id > 0 && limit > 0);
	err = st->ops->event_prune(st, team_id, upto, before_ms, limit, &n);
	if (np)
		*np = err ? 0 : n;
	return err;
}

int store_cursor_get(struct store *st, int64_t team_id, const char *sink,
		     int64_t *eventidp)
{
	CHECK(st && eventidp && team_id > 0 && sink_ok(sink));
	return st->ops->cursor_get(st, team_id, sink, eventidp);
}

int store_cursor_set(struct store *st, int64_t team_id, const char *sink,
		     int64_t eventid)
{
	CHECK(st && team_id > 0 && sink_ok(sink) && eventid >= 0);
	WRITE(st, st->ops->cursor_set(st, team_id, sink, eventid));
}

/* ---- several nodes ---- */

static bool name_ok(const char *s)
{
	return s && *s && strlen(s) < ST_NAME;
}

int store_node_beat(struct store *st, const char *name, const char *sip,
		    const char *http, bool first, int64_t *reloadp)
{
	CHECK(st && name_ok(name) && sip && strlen(sip) < ST_ADDR && http &&
	      strlen(http) < ST_ADDR);
	if (!st->ops->node_beat)
		return ENOTSUP;
	TIMED(st, st->ops->node_beat(st, name, sip, http, first,
					   reloadp));
}

int store_lease_renew(struct store *st, const char *node, unsigned lease_s,
		      void (*h)(const char *team, int64_t epoch,
				const char *wanted, void *arg), void *arg)
{
	CHECK(st && name_ok(node) && lease_s > 0);
	if (!st->ops->lease_renew)
		return ENOTSUP;
	TIMED(st, st->ops->lease_renew(st, node, lease_s, h, arg));
}

int store_lease_claim(struct store *st, const char *team, const char *node,
		      unsigned lease_s, int64_t *epochp)
{
	CHECK(st && name_ok(team) && name_ok(node) && lease_s > 0 && epochp);
	if (!st->ops->lease_claim)
		return ENOTSUP;
	TIMED(st, st->ops->lease_claim(st, team, node, lease_s, epochp));
}

int store_lease_release(struct store *st, const char *team, const char *node)
{
	CHECK(st && name_ok(team) && name_ok(node));
	if (!st->ops->lease_release)
		return ENOTSUP;
	TIMED(st, st->ops->lease_release(st, team, node));
}

int store_lease_want(struct store *st, const char *team, const char *node)
{
	CHECK(st && name_ok(team) && name_ok(node));
	if (!st->ops->lease_want)
		return ENOTSUP;
	return st->ops->lease_want(st, team, node);
}

int store_did_replace(struct store *st, const char *team,
		      const char *const *dids, const bool *prefix, size_t n)
{
	CHECK(st && name_ok(team) && (!n || (dids && prefix)));
	for (size_t i = 0; i < n; i++)
		CHECK(dids[i] && *dids[i] && strlen(dids[i]) < ST_NUM);
	if (!st->ops->did_replace)
		return ENOTSUP;
	TIMED(st, st->ops->did_replace(st, team, dids, prefix, n));
}

int store_lease_get(struct store *st, const char *team, struct st_lease *l,
		    struct st_node *n)
{
	CHECK(st && name_ok(team) && l && n);
	if (!st->ops->lease_get)
		return ENOTSUP;
	return st->ops->lease_get(st, team, l, n);   /* a read: not TIMED */
}

int store_cluster_visit(struct store *st,
			void (*node_h)(const struct st_node *n, void *arg),
			void (*lease_h)(const struct st_lease *l, void *arg),
			void *arg)
{
	CHECK(st);
	if (!st->ops->cluster_visit)
		return ENOTSUP;
	return st->ops->cluster_visit(st, node_h, lease_h, arg);
}

int store_counter_next(struct store *st, const char *name, int64_t *valp)
{
	CHECK(st && valp && str_ok(name, ST_NAME));
	WRITE(st, st->ops->counter_next(st, name, valp));
}

/* ---- campaigns ---- */

static bool word_in(const char *s, size_t size, const char *const *words)
{
	if (!str_ok(s, size))
		return false;
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

static const char *const dial_modes[] = { "preview", "progressive",
					  "predictive", NULL };
static const char *const campaign_states[] = { "stopped", "running",
					       "paused", NULL };
static const char *const profiles[] = { "us", "uk", "none", NULL };

/* A column name: [A-Za-z0-9_]+ (it is matched against file headers and
 * record field names). */
static bool colname_ok(const char *s)
{
	if (!str_ok(s, ST_NAME))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* [0-9*#+]+, the dial strings of util.c */
static bool number_ok(const char *s)
{
	if (!str_ok(s, ST_NUM))
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '*' || *s == '#' ||
		      *s == '+'))
			return false;
	return true;
}

static bool campaign_settings_ok(const struct st_campaign *c)
{
	return str_fits(c->timezone, ST_NAME) &&
		!strstr(c->timezone, "..") && c->timezone[0] != '/' &&
		c->retry_busy >= 0 && c->retry_noanswer >= 0 &&
		c->retry_failed >= 0 && c->max_attempts >= 0 &&
		c->max_attempts <= 255 && (c->amd == 0 || c->amd == 1) &&
		(!c->amd_action[0] || !strcmp(c->amd_action, "hangup") ||
		 !strcmp(c->amd_action, "message")) &&
		c->amd_fp_permille >= 0 && c->amd_fp_permille <= 1000 &&
		str_fits(c->amd_params, sizeof(c->amd_params)) &&
		str_fits(c->abandon_msg, sizeof(c->abandon_msg));
}

int store_campaign_add(struct store *st, const struct st_campaign *c)
{
	CHECK(st && c && c->team_id > 0 && c->id > 0 && c->group_id >= 0);
	CHECK(str_ok(c->name, ST_NAME));
	CHECK(word_in(c->dial_mode, sizeof(c->dial_mode), dial_modes));
	CHECK(word_in(c->state, sizeof(c->state), campaign_states));
	CHECK(word_in(c->profile, sizeof(c->profile), profiles));
	CHECK(str_fits(c->callerid, ST_NUM) &&
	      (!c->callerid[0] || number_ok(c->callerid)));
	CHECK(c->window_start >= 0 && c->window_start <= 1440);
	CHECK(c->window_end >= 0 && c->window_end <= 1440);
	CHECK(colname_ok(c->key_column));
	CHECK(campaign_settings_ok(c));
	return st->ops->campaign_add(st, c);
}

int store_campaign_set(struct store *st, const struct st_campaign *c)
{
	CHECK(st && c && c->team_id > 0 && c->id > 0 && c->group_id >= 0);
	CHECK(str_ok(c->name, ST_NAME));
	CHECK(word_in(c->dial_mode, sizeof(c->dial_mode), dial_modes));
	CHECK(word_in(c->profile, sizeof(c->profile), profiles));
	CHECK(str_fits(c->callerid, ST_NUM) &&
	      (!c->callerid[0] || number_ok(c->callerid)));
	CHECK(c->window_start >= 0 && c->window_start <= 1440);
	CHECK(c->window_end >= 0 && c->window_end <= 1440);
	CHECK(colname_ok(c->key_column));
	CHECK(campaign_settings_ok(c));
	return st->ops->campaign_set(st, c);
}

static bool dnc_number_ok(const char *s)
{
	return str_ok(s, ST_NUM) && strspn(s, "0123456789") == strlen(s);
}

int store_dnc_add(struct store *st, const struct st_dnc *d)
{
	CHECK(st && d && d->team_id >= 0 && d->campaign_id >= 0);
	CHECK(d->team_id || !d->campaign_id);
	CHECK(dnc_number_ok(d->number));
	return st->ops->dnc_add(st, d);
}

int store_dnc_del(struct store *st, int64_t team_id, int64_t campaign_id,
		  const char *number)
{
	CHECK(st && team_id >= 0 && campaign_id >= 0 && dnc_number_ok(number));
	return st->ops->dnc_del(st, team_id, campaign_id, number);
}

int store_dnc_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		    void (*h)(const struct st_dnc *d, void *arg), void *arg)
{
	CHECK(st && team_id >= 0 && campaign_id >= 0 && h);
	return st->ops->dnc_visit(st, team_id, campaign_id, h, arg);
}

int store_dnc_match(struct store *st, int64_t team_id, int64_t campaign_id,
		    const char *number, bool *hitp)
{
	CHECK(st && hitp && team_id >= 0 && campaign_id >= 0 &&
	      dnc_number_ok(number));
	return st->ops->dnc_match(st, team_id, campaign_id, number, hitp);
}

int store_customer_get_id(struct store *st, int64_t team_id, int64_t id,
			  struct st_customer *cu)
{
	CHECK(st && cu && team_id > 0 && id > 0);
	return st->ops->customer_get_id(st, team_id, id, cu);
}

int store_campaign_get(struct store *st, int64_t team_id, int64_t id,
		       struct st_campaign *c)
{
	CHECK(st && c && team_id > 0 && id > 0);
	return st->ops->campaign_get(st, team_id, id, c);
}

int store_campaign_set_state(struct store *st, int64_t team_id, int64_t id,
			     const char *state)
{
	CHECK(st && team_id > 0 && id > 0);
	CHECK(word_in(state, 16, campaign_states));
	return st->ops->campaign_set_state(st, team_id, id, state);
}

int store_campaign_del(struct store *st, int64_t team_id, int64_t id)
{
	CHECK(st && team_id > 0 && id > 0);
	return st->ops->campaign_del(st, team_id, id);
}

int store_campaign_visit(struct store *st, int64_t team_id,
			 void (*h)(const struct st_campaign *c, void *arg),
			 void *arg)
{
	CHECK(st && team_id > 0 && h);
	return st->ops->campaign_visit(st, team_id, h, arg);
}

int store_column_add(struct store *st, const struct st_column *c)
{
	CHECK(st && c && c->team_id > 0 && c->campaign_id > 0);
	CHECK(colname_ok(c->name) && str_ok(c->display, ST_NAME));
	/* a display name is matched like the field names of a record */
	CHECK(!strchr(c->display, '=') && !strstr(c->display, "||"));
	return st->ops->column_add(st, c);
}

int store_column_del(struct store *st, int64_t team_id, int64_t campaign_id,
		     const char *name)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && str_ok(name, ST_NAME));
	return st->ops->column_del(st, team_id, campaign_id, name);
}

int store_column_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		       void (*h)(const struct st_column *c, void *arg),
		       void *arg)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && h);
	return st->ops->column_visit(st, team_id, campaign_id, h, arg);
}

static bool customer_ok(const struct st_customer *cu)
{
	return cu && cu->team_id > 0 && cu->campaign_id >= 0 &&
		str_ok(cu->key, ST_NAME) && str_fits(cu->data, ST_RECORD) &&
		str_fits(cu->owner, ST_NUM) && cu->status >= ST_CUST_NEW &&
		cu->status <= ST_CUST_FAILURE;
}

int store_customer_get(struct store *st, int64_t team_id, const char *key,
		       struct st_customer *cu)
{
	CHECK(st && cu && team_id > 0 && str_ok(key, ST_NAME));
	return st->ops->customer_get(st, team_id, key, cu);
}

int store_customer_add(struct store *st, const struct st_customer *cu,
		       int64_t *idp)
{
	int64_t id = 0;

	CHECK(st && customer_ok(cu));
	return st->ops->customer_add(st, cu, idp ? idp : &id);
}

int store_customer_update(struct store *st, const struct st_customer *cu)
{
	CHECK(st && customer_ok(cu) && cu->id > 0);
	return st->ops->customer_update(st, cu);
}

int store_customer_visit(struct store *st, int64_t team_id,
			 int64_t campaign_id,
			 void (*h)(const struct st_customer *cu, void *arg),
			 void *arg)
{
	CHECK(st && team_id > 0 && campaign_id >= 0 && h);
	return st->ops->customer_visit(st, team_id, campaign_id, h, arg);
}

int store_dial_add(struct store *st, const struct st_dial *d, int64_t *idp)
{
	int64_t id = 0;

	CHECK(st && d && d->team_id > 0 && d->campaign_id > 0);
	CHECK(d->customer_id >= 0 && number_ok(d->number));
	CHECK(d->attempts >= 0 && d->dial_ms >= 0);
	CHECK(str_fits(d->last_result, ST_DIAL_RESULT));
	return st->ops->dial_add(st, d, idp ? idp : &id);
}

int store_dial_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		     void (*h)(const struct st_dial *d, void *arg), void *arg)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && h);
	return st->ops->dial_visit(st, team_id, campaign_id, h, arg);
}

int store_dial_take(struct store *st, int64_t team_id, int64_t campaign_id,
		    int64_t now_ms, struct st_dial *d)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && d);
	return st->ops->dial_take(st, team_id, campaign_id, now_ms, d);
}

int store_dial_result(struct store *st, int64_t team_id, int64_t id,
		      int attempts, const char *result, int64_t next_ms)
{
	CHECK(st && team_id > 0 && id > 0 && attempts >= 0 && next_ms >= 0);
	CHECK(result && str_fits(result, ST_DIAL_RESULT));
	return st->ops->dial_result(st, team_id, id, attempts, result,
				    next_ms);
}

int store_dial_interrupted(struct store *st, int64_t next_ms, int *np)
{
	int n = 0;

	CHECK(st && next_ms >= 0);
	return st->ops->dial_interrupted(st, next_ms, np ? np : &n);
}

int store_import_report_put(struct store *st,
			    const struct st_import_report *r, int64_t *idp)
{
	int64_t id = 0;

	CHECK(st && r && r->team_id > 0 && r->campaign_id > 0 && r->id >= 0);
	CHECK(str_fits(r->url, ST_URL) && str_fits(r->state, 16));
	CHECK(str_fits(r->counts, ST_IMPORT_COUNTS));
	CHECK(str_fits(r->errors, ST_IMPORT_ERRORS));
	CHECK(str_fits(r->msg, sizeof(r->msg)));
	CHECK(str_fits(r->request, ST_IMPORT_REQUEST) && r->exe_ms >= 0);
	return st->ops->import_report_put(st, r, idp ? idp : &id);
}

int store_import_report_visit(struct store *st, int64_t team_id,
			      int64_t campaign_id,
			      void (*h)(const struct st_import_report *r,
					void *arg), void *arg)
{
	CHECK(st && team_id >= 0 && campaign_id >= 0 && h);
	return st->ops->import_report_visit(st, team_id, campaign_id, h, arg);
}

int store_campaign_call_visit(struct store *st, int64_t team_id,
			      int64_t campaign_id, int64_t from_ms,
			      int64_t to_ms,
			      void (*h)(const struct st_campaign_call *c,
					void *arg), void *arg)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && h);
	CHECK(from_ms >= 0 && to_ms >= from_ms);
	return st->ops->campaign_call_visit(st, team_id, campaign_id, from_ms,
					    to_ms, h, arg);
}

int store_dial_count_visit(struct store *st, int64_t team_id,
			   int64_t campaign_id, int64_t now_ms,
			   void (*h)(const struct st_dial_count *c, void *arg),
			   void *arg)
{
	CHECK(st && team_id > 0 && campaign_id > 0 && now_ms >= 0 && h);
	return st->ops->dial_count_visit(st, team_id, campaign_id, now_ms, h,
					 arg);
}

int store_group_state_log_visit(struct store *st, int64_t group_id,
				int64_t from_ms, int64_t to_ms,
				void (*h)(const struct st_state_log *l,
					  void *arg), void *arg)
{
	CHECK(st && group_id >= 0 && h);
	CHECK(from_ms >= 0 && to_ms >= from_ms);
	return st->ops->group_state_log_visit(st, group_id, from_ms, to_ms, h,
					      arg);
}

int store_begin(struct store *st)
{
	CHECK(st);
	return st->ops->begin(st);
}

int store_commit(struct store *st)
{
	uint64_t t0;
	int err;

	CHECK(st);
	t0 = hist_now_ns();
	err = hist_done(&st->write_latency, t0, st->ops->commit(st));
	if (st->sync_owed)
		synced(st, err);
	return err;
}
