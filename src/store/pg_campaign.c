/*
 * pg_campaign.c — the PostgreSQL backend's campaigns, package columns,
 * customers, pre-dial lists, do-not-call lists and reports (store.h), as
 * sqlite_campaign.c is SQLite's. Private to src/store/.
 *
 * Every statement goes through pg_exec() (pg.c): constant SQL, values as
 * parameters only. store.c has checked every argument.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <re.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/pg_impl.h"

/* The columns of a campaign, in the order rd_campaign() reads them and
 * pg_campaign_add() binds them. A column added to campaigns goes here, in
 * rd_campaign(), and in pg_campaign_add()/pg_campaign_set(). */
#define CAMPAIGN_COLS "team_id, id, name, group_id, dial_mode, state," \
	" callerid, profile, window_start, window_end, key_column, timezone," \
	" retry_busy, retry_noanswer, retry_failed, max_attempts, amd," \
	" amd_action, amd_fp_permille, amd_params, abandon_msg"
#define CUSTOMER_COLS "id, team_id, COALESCE(campaign_id, 0), key, data," \
	" owner, status, updated_ms"
#define DIAL_COLS "id, team_id, campaign_id, COALESCE(customer_id, 0)," \
	" number, priority, dial_ms, attempts, last_result, added_ms"

typedef bool (row_fn)(const PGresult *q, int i, void *out);

/* A typed visitor, called back through its own type (emit_*). */
struct vis {
	void (*emit)(const struct vis *v, const void *row);
	void (*h)(void);               /* cast back to its type by emit */
	void *arg;
};

#define EMIT(name, type) \
	static void emit_##name(const struct vis *v, const void *row) \
	{ \
		((void (*)(const type *, void *))v->h)(row, v->arg); \
	}
EMIT(campaign, struct st_campaign)
EMIT(column, struct st_column)
EMIT(customer, struct st_customer)
EMIT(dial, struct st_dial)
EMIT(report, struct st_import_report)
EMIT(ccall, struct st_campaign_call)
EMIT(slog, struct st_state_log)
EMIT(dcount, struct st_dial_count)
EMIT(dnc, struct st_dnc)
#define VIS(name, hh, a) (&(struct vis){ emit_##name, (void (*)(void))(hh), (a) })

/* Run a query: each row read into out by rd, then passed to v (v NULL:
 * the first row only, ENOENT if none). The result is complete before the
 * first callback, so callbacks may call back into the store. */
static int query(struct store *st, row_fn *rd, void *out,
		 const struct vis *v, const char *sql, const char *types, ...)
{
	PGresult *q = NULL;
	va_list ap;
	int err, n;

	va_start(ap, types);
	err = pg_exec_va(st, &q, sql, types, ap);
	va_end(ap);
	if (err)
		return err;
	n = PQntuples(q);
	for (int i = 0; i < n; i++) {
		if (!rd(q, i, out)) {
			OCC_ERR("store: over-long value in %s", sql);
			err = EIO;
			break;
		}
		if (!v)
			break;
		v->emit(v, out);
	}
	PQclear(q);
	if (!err && !v && !n)
		err = ENOENT;
	return err;
}

/* A write: *changesp rows changed, *idp the RETURNING id (both optional). */
static int run(struct store *st, int *changesp, int64_t *idp,
	       const char *sql, const char *types, ...)
{
	PGresult *q = NULL;
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, &q, sql, types, ap);
	va_end(ap);
	if (!err && changesp)
		*changesp = pg_changes(q);
	if (!err && idp && PQntuples(q))
		*idp = pg_int(q, 0, 0);
	PQclear(q);
	return err;
}

/* ---- campaigns ---- */

static bool rd_campaign(const PGresult *q, int i, void *out)
{
	struct st_campaign *c = out;

	memset(c, 0, sizeof(*c));
	c->team_id = pg_int(q, i, 0);
	c->id = pg_int(q, i, 1);
	c->group_id = pg_int(q, i, 3);
	c->window_start = (int)pg_int(q, i, 8);
	c->window_end = (int)pg_int(q, i, 9);
	c->retry_busy = (int)pg_int(q, i, 12);
	c->retry_noanswer = (int)pg_int(q, i, 13);
	c->retry_failed = (int)pg_int(q, i, 14);
	c->max_attempts = (int)pg_int(q, i, 15);
	c->amd = (int)pg_int(q, i, 16);
	c->amd_fp_permille = (int)pg_int(q, i, 18);
	return pg_text(c->name, sizeof(c->name), q, i, 2) &&
		pg_text(c->dial_mode, sizeof(c->dial_mode), q, i, 4) &&
		pg_text(c->state, sizeof(c->state), q, i, 5) &&
		pg_text(c->callerid, sizeof(c->callerid), q, i, 6) &&
		pg_text(c->profile, sizeof(c->profile), q, i, 7) &&
		pg_text(c->key_column, sizeof(c->key_column), q, i, 10) &&
		pg_text(c->timezone, sizeof(c->timezone), q, i, 11) &&
		pg_text(c->amd_action, sizeof(c->amd_action), q, i, 17) &&
		pg_text(c->amd_params, sizeof(c->amd_params), q, i, 19) &&
		pg_text(c->abandon_msg, sizeof(c->abandon_msg), q, i, 20);
}

int pg_campaign_add(struct store *st, const struct st_campaign *c)
{
	return run(st, NULL, NULL, "INSERT INTO campaigns (" CAMPAIGN_COLS ")"
		   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,"
		   " $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
		   "IItIttttiittiiiiititt", c->team_id, c->id, c->name,
		   c->group_id, c->dial_mode, c->state, c->callerid, c->profile,
		   c->window_start, c->window_end, c->key_column, c->timezone,
		   c->retry_busy, c->retry_noanswer, c->retry_failed,
		   c->max_attempts, c->amd,
		   c->amd_action[0] ? c->amd_action : "hangup",
		   c->amd_fp_permille, c->amd_params, c->abandon_msg);
}

int pg_campaign_set(struct store *st, const struct st_campaign *c)
{
	return pg_run1(st, "UPDATE campaigns SET name = $3, group_id = $4,"
		    " dial_mode = $5, callerid = $6, profile = $7,"
		    " window_start = $8, window_end = $9, key_column = $10,"
		    " timezone = $11, retry_busy = $12, retry_noanswer = $13,"
		    " retry_failed = $14, max_attempts = $15, amd = $16,"
		    " amd_action = $17, amd_fp_permille = $18,"
		    " amd_params = $19, abandon_msg = $20"
		    " WHERE team_id = $1 AND id = $2", "IItItttiittiiiiititt",
		    c->team_id, c->id, c->name, c->group_id, c->dial_mode,
		    c->callerid, c->profile, c->window_start, c->window_end,
		    c->key_column, c->timezone, c->retry_busy,
		    c->retry_noanswer, c->retry_failed, c->max_attempts,
		    c->amd, c->amd_action[0] ? c->amd_action : "hangup",
		    c->amd_fp_permille, c->amd_params, c->abandon_msg);
}

int pg_campaign_get(struct store *st, int64_t team_id, int64_t id,
		    struct st_campaign *c)
{
	return query(st, rd_campaign, c, NULL, "SELECT " CAMPAIGN_COLS
		     " FROM campaigns WHERE team_id = $1 AND id = $2", "II",
		     team_id, id);
}

int pg_campaign_set_state(struct store *st, int64_t team_id, int64_t id,
			  const char *state)
{
	return pg_run1(st, "UPDATE campaigns SET state = $3"
		    " WHERE team_id = $1 AND id = $2", "IIt", team_id, id,
		    state);
}

int pg_campaign_del(struct store *st, int64_t team_id, int64_t id)
{
	/* the trigger campaigns_unassign unassigns its customers */
	return pg_run1(st, "DELETE FROM campaigns WHERE team_id = $1 AND id = $2",
		    "II", team_id, id);
}

int pg_campaign_visit(struct store *st, int64_t team_id,
		      void (*h)(const struct st_campaign *c, void *arg),
		      void *arg)
{
	struct st_campaign c;

	return query(st, rd_campaign, &c, VIS(campaign, h, arg),
		     "SELECT " CAMPAIGN_COLS " FROM campaigns"
		     " WHERE team_id = $1 ORDER BY id", "I", team_id);
}

/* ---- do-not-call lists ---- */

static bool rd_dnc(const PGresult *q, int i, void *out)
{
	struct st_dnc *d = out;

	memset(d, 0, sizeof(*d));
	d->team_id = pg_int(q, i, 0);
	d->campaign_id = pg_int(q, i, 1);
	d->added_ms = pg_int(q, i, 3);
	return pg_text(d->number, sizeof(d->number), q, i, 2);
}

int pg_dnc_add(struct store *st, const struct st_dnc *d)
{
	return run(st, NULL, NULL, "INSERT INTO dnc (team_id, campaign_id,"
		   " number, added_ms) VALUES ($1, $2, $3, $4)"
		   " ON CONFLICT DO NOTHING", "IItI", d->team_id,
		   d->campaign_id, d->number, d->added_ms);
}

int pg_dnc_del(struct store *st, int64_t team_id, int64_t campaign_id,
	       const char *number)
{
	return pg_run1(st, "DELETE FROM dnc WHERE team_id = $1 AND"
		    " campaign_id = $2 AND number = $3", "IIt", team_id,
		    campaign_id, number);
}

int pg_dnc_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		 void (*h)(const struct st_dnc *d, void *arg), void *arg)
{
	struct st_dnc d;

	return query(st, rd_dnc, &d, VIS(dnc, h, arg), "SELECT team_id,"
		     " campaign_id, number, added_ms FROM dnc WHERE"
		     " team_id = $1 AND campaign_id = $2"
		     " ORDER BY number COLLATE \"C\"", "II", team_id,
		     campaign_id);
}

int pg_dnc_match(struct store *st, int64_t team_id, int64_t campaign_id,
		 const char *number, bool *hitp)
{
	struct st_dnc d;
	int err = query(st, rd_dnc, &d, NULL, "SELECT team_id, campaign_id,"
			" number, added_ms FROM dnc WHERE number = $3 AND"
			" ((team_id = 0 AND campaign_id = 0) OR"
			" (team_id = $1 AND campaign_id IN (0, $2))) LIMIT 1",
			"IIt", team_id, campaign_id, number);

	*hitp = !err;
	return err == ENOENT ? 0 : err;
}

/* ---- package columns ---- */

static bool rd_column(const PGresult *q, int i, void *out)
{
	struct st_column *c = out;

	memset(c, 0, sizeof(*c));
	c->team_id = pg_int(q, i, 0);
	c->campaign_id = pg_int(q, i, 1);
	c->pos = (int)pg_int(q, i, 2);
	return pg_text(c->name, sizeof(c->name), q, i, 3) &&
		pg_text(c->display, sizeof(c->display), q, i, 4);
}

int pg_column_add(struct store *st, const struct st_column *c)
{
	return run(st, NULL, NULL, "INSERT INTO campaign_columns (team_id,"
		   " campaign_id, pos, name, display)"
		   " VALUES ($1, $2, $3, $4, $5)", "IIitt", c->team_id,
		   c->campaign_id, c->pos, c->name, c->display);
}

int pg_column_del(struct store *st, int64_t team_id, int64_t campaign_id,
		  const char *name)
{
	return pg_run1(st, "DELETE FROM campaign_columns WHERE team_id = $1"
		    " AND campaign_id = $2 AND name = $3", "IIt", team_id,
		    campaign_id, name);
}

int pg_column_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		    void (*h)(const struct st_column *c, void *arg),
		    void *arg)
{
	struct st_column c;

	return query(st, rd_column, &c, VIS(column, h, arg),
		     "SELECT team_id, campaign_id, pos, name, display"
		     " FROM campaign_columns WHERE team_id = $1 AND"
		     " campaign_id = $2 ORDER BY pos, name COLLATE \"C\"",
		     "II", team_id, campaign_id);
}

/* ---- customers ---- */

static bool rd_customer(const PGresult *q, int i, void *out)
{
	struct st_customer *cu = out;

	cu->id = pg_int(q, i, 0);
	cu->team_id = pg_int(q, i, 1);
	cu->campaign_id = pg_int(q, i, 2);
	cu->status = (int)pg_int(q, i, 6);
	cu->updated_ms = pg_int(q, i, 7);
	return pg_text(cu->key, sizeof(cu->key), q, i, 3) &&
		pg_text(cu->data, sizeof(cu->data), q, i, 4) &&
		pg_text(cu->owner, sizeof(cu->owner), q, i, 5);
}

int pg_customer_get(struct store *st, int64_t team_id, const char *key,
		    struct st_customer *cu)
{
	return query(st, rd_customer, cu, NULL, "SELECT " CUSTOMER_COLS
		     " FROM customers WHERE team_id = $1 AND key = $2", "It",
		     team_id, key);
}

int pg_customer_get_id(struct store *st, int64_t team_id, int64_t id,
		       struct st_customer *cu)
{
	return query(st, rd_customer, cu, NULL, "SELECT " CUSTOMER_COLS
		     " FROM customers WHERE team_id = $1 AND id = $2", "II",
		     team_id, id);
}

int pg_customer_add(struct store *st, const struct st_customer *cu,
		    int64_t *idp)
{
	/* a package must be one of the team's campaigns */
	int n = 0, err = run(st, &n, idp, "INSERT INTO customers (team_id,"
			     " campaign_id, key, data, owner, status,"
			     " updated_ms) SELECT $1, $2, $3, $4, $5, $6, $7"
			     " WHERE $2 IS NULL OR EXISTS (SELECT 1 FROM"
			     " campaigns WHERE team_id = $1 AND id = $2)"
			     " RETURNING id",
			     "INtttiI", cu->team_id, cu->campaign_id, cu->key,
			     cu->data, cu->owner, cu->status, cu->updated_ms);

	return err ? err : n ? 0 : ENOENT;
}

int pg_customer_update(struct store *st, const struct st_customer *cu)
{
	return pg_run1(st, "UPDATE customers SET campaign_id = $3, data = $4,"
		    " owner = $5, status = $6, updated_ms = $7"
		    " WHERE id = $1 AND team_id = $2 AND ($3 IS NULL OR"
		    " EXISTS (SELECT 1 FROM campaigns WHERE team_id = $2"
		    " AND id = $3))", "IINttiI", cu->id, cu->team_id,
		    cu->campaign_id, cu->data, cu->owner, cu->status,
		    cu->updated_ms);
}

int pg_customer_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		      void (*h)(const struct st_customer *cu, void *arg),
		      void *arg)
{
	struct st_customer *cu = mem_zalloc(sizeof(*cu), NULL);
	int err;

	if (!cu)
		return ENOMEM;
	err = query(st, rd_customer, cu, VIS(customer, h, arg),
		    "SELECT " CUSTOMER_COLS " FROM customers"
		    " WHERE team_id = $1"
		    " AND campaign_id IS NOT DISTINCT FROM $2 ORDER BY id",
		    "IN", team_id, campaign_id);
	mem_deref(cu);
	return err;
}

/* ---- pre-dial lists ---- */

static bool rd_dial(const PGresult *q, int i, void *out)
{
	struct st_dial *d = out;

	memset(d, 0, sizeof(*d));
	d->id = pg_int(q, i, 0);
	d->team_id = pg_int(q, i, 1);
	d->campaign_id = pg_int(q, i, 2);
	d->customer_id = pg_int(q, i, 3);
	d->priority = (int)pg_int(q, i, 5);
	d->dial_ms = pg_int(q, i, 6);
	d->attempts = (int)pg_int(q, i, 7);
	d->added_ms = pg_int(q, i, 9);
	return pg_text(d->number, sizeof(d->number), q, i, 4) &&
		pg_text(d->last_result, sizeof(d->last_result), q, i, 8);
}

int pg_dial_add(struct store *st, const struct st_dial *d, int64_t *idp)
{
	return run(st, NULL, idp, "INSERT INTO dial_list (team_id,"
		   " campaign_id, customer_id, number, priority, dial_ms,"
		   " attempts, last_result, added_ms)"
		   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
		   "IINtiIitI", d->team_id, d->campaign_id, d->customer_id,
		   d->number, d->priority, d->dial_ms, d->attempts,
		   d->last_result, d->added_ms);
}

int pg_dial_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		  void (*h)(const struct st_dial *d, void *arg), void *arg)
{
	struct st_dial d;

	return query(st, rd_dial, &d, VIS(dial, h, arg),
		     "SELECT " DIAL_COLS " FROM dial_list WHERE team_id = $1"
		     " AND campaign_id = $2 ORDER BY priority DESC, dial_ms,"
		     " id", "II", team_id, campaign_id);
}

int pg_dial_take(struct store *st, int64_t team_id, int64_t campaign_id,
		 int64_t now_ms, struct st_dial *d)
{
	/* one statement: two occd could never take the same row. The row
	 * comes back as it was before the take (t, not the updated row), as
	 * SQLite's does: the dialer's rules look at its last result, and a
	 * refused number is put back with it (not with "dialing", which no
	 * take would ever pick up again). */
	return query(st, rd_dial, d, NULL, "WITH t AS (SELECT " DIAL_COLS
		     " FROM dial_list WHERE team_id = $1"
		     "  AND campaign_id = $2 AND last_result <> 'dialing'"
		     "  AND dial_ms <= $3"
		     "  ORDER BY priority DESC, dial_ms, id LIMIT 1"
		     "  FOR UPDATE SKIP LOCKED)"
		     " UPDATE dial_list SET last_result = 'dialing' FROM t"
		     " WHERE dial_list.id = t.id RETURNING t.*", "III",
		     team_id, campaign_id, now_ms);
}

int pg_dial_result(struct store *st, int64_t team_id, int64_t id,
		   int attempts, const char *result, int64_t next_ms)
{
	return pg_run1(st, "UPDATE dial_list SET attempts = $3, last_result = $4,"
		    " dial_ms = $5 WHERE team_id = $1 AND id = $2", "IIitI",
		    team_id, id, attempts, result, next_ms);
}

int pg_dial_interrupted(struct store *st, int64_t next_ms, int *np)
{
	return run(st, np, NULL, "UPDATE dial_list SET attempts = attempts + 1,"
		   " last_result = 'interrupted', dial_ms = $1"
		   " WHERE last_result = 'dialing'", "I", next_ms);
}

/* ---- import reports ---- */

#define REPORT_COLS "id, team_id, campaign_id, url, state, created_ms," \
	" updated_ms, rows, failed, counts, errors, msg, exe_ms, request"

static bool rd_report(const PGresult *q, int i, void *out)
{
	struct st_import_report *r = out;

	memset(r, 0, sizeof(*r));
	r->id = pg_int(q, i, 0);
	r->team_id = pg_int(q, i, 1);
	r->campaign_id = pg_int(q, i, 2);
	r->created_ms = pg_int(q, i, 5);
	r->updated_ms = pg_int(q, i, 6);
	r->rows = pg_int(q, i, 7);
	r->failed = pg_int(q, i, 8);
	r->exe_ms = pg_int(q, i, 12);
	return pg_text(r->url, sizeof(r->url), q, i, 3) &&
		pg_text(r->state, sizeof(r->state), q, i, 4) &&
		pg_text(r->counts, sizeof(r->counts), q, i, 9) &&
		pg_text(r->errors, sizeof(r->errors), q, i, 10) &&
		pg_text(r->msg, sizeof(r->msg), q, i, 11) &&
		pg_text(r->request, sizeof(r->request), q, i, 13);
}

int pg_import_report_put(struct store *st, const struct st_import_report *r,
			 int64_t *idp)
{
	if (!r->id)
		return run(st, NULL, idp, "INSERT INTO import_reports"
			   " (team_id, campaign_id, url, state, created_ms,"
			   " updated_ms, rows, failed, counts, errors, msg,"
			   " exe_ms, request) VALUES ($1, $2, $3, $4, $5, $6,"
			   " $7, $8, $9, $10, $11, $12, $13) RETURNING id",
			   "IIttIIIItttIt", r->team_id, r->campaign_id, r->url,
			   r->state, r->created_ms, r->updated_ms, r->rows,
			   r->failed, r->counts, r->errors, r->msg, r->exe_ms,
			   r->request);
	*idp = r->id;
	return pg_run1(st, "UPDATE import_reports SET state = $3,"
		    " updated_ms = $4, rows = $5, failed = $6, counts = $7,"
		    " errors = $8, msg = $9, request = $10"
		    " WHERE id = $1 AND team_id = $2",
		    "IItIIItttt", r->id, r->team_id, r->state, r->updated_ms,
		    r->rows, r->failed, r->counts, r->errors, r->msg,
		    r->request);
}

int pg_import_report_visit(struct store *st, int64_t team_id,
			   int64_t campaign_id,
			   void (*h)(const struct st_import_report *r,
				     void *arg), void *arg)
{
	struct st_import_report *r = mem_zalloc(sizeof(*r), NULL);
	int err;

	if (!r)
		return ENOMEM;
	err = query(st, rd_report, r, VIS(report, h, arg),
		    "SELECT " REPORT_COLS " FROM import_reports"
		    " WHERE ($1 = 0 OR team_id = $1)"
		    " AND ($2 = 0 OR campaign_id = $2)"
		    " ORDER BY id DESC", "II", team_id, campaign_id);
	mem_deref(r);
	return err;
}

/* ---- campaign reports ---- */

static bool rd_ccall(const PGresult *q, int i, void *out)
{
	struct st_campaign_call *c = out;

	c->start_ms = pg_int(q, i, 0);
	c->answer_ms = pg_int(q, i, 1);
	c->end_ms = pg_int(q, i, 2);
	c->agent_ms = pg_int(q, i, 5);
	return pg_text(c->agent, sizeof(c->agent), q, i, 3) &&
		pg_text(c->vars, sizeof(c->vars), q, i, 4);
}

int pg_campaign_call_visit(struct store *st, int64_t team_id,
			   int64_t campaign_id, int64_t from_ms, int64_t to_ms,
			   void (*h)(const struct st_campaign_call *c,
				     void *arg), void *arg)
{
	struct st_campaign_call *c = mem_zalloc(sizeof(*c), NULL);
	char id[24];
	int err;

	if (!c)
		return ENOMEM;
	re_snprintf(id, sizeof(id), "%lld", (long long)campaign_id);
	err = query(st, rd_ccall, c, VIS(ccall, h, arg),
		    "SELECT c.start_ms, c.answer_ms, c.end_ms, c.agent, c.vars,"
		    " COALESCE((SELECT MIN(l.answer_ms) FROM cdr_legs AS l"
		    "  WHERE l.sessionid = c.sessionid AND l.role = 'agent'"
		    "  AND l.answer_ms > 0), 0)"
		    " FROM cdr AS c WHERE c.team_id = $1 AND c.start_ms >= $3"
		    " AND c.start_ms < $4 AND c.modeltype = 'Campaign'"
		    " AND c.model_id = $2 ORDER BY c.start_ms, c.seq",
		    "ItII", team_id, id, from_ms, to_ms);
	mem_deref(c);
	return err;
}

static bool rd_dcount(const PGresult *q, int i, void *out)
{
	struct st_dial_count *c = out;

	c->rows = pg_int(q, i, 1);
	c->attempts = pg_int(q, i, 2);
	c->due = pg_int(q, i, 3);
	return pg_text(c->result, sizeof(c->result), q, i, 0);
}

int pg_dial_count_visit(struct store *st, int64_t team_id,
			int64_t campaign_id, int64_t now_ms,
			void (*h)(const struct st_dial_count *c, void *arg),
			void *arg)
{
	struct st_dial_count c;

	return query(st, rd_dcount, &c, VIS(dcount, h, arg),
		     "SELECT last_result, count(*), sum(attempts),"
		     " sum(CASE WHEN last_result = '' AND dial_ms <= $3"
		     "  THEN 1 ELSE 0 END) FROM dial_list"
		     " WHERE team_id = $1 AND campaign_id = $2"
		     " GROUP BY last_result ORDER BY last_result COLLATE \"C\"",
		     "III", team_id, campaign_id, now_ms);
}

static bool rd_slog(const PGresult *q, int i, void *out)
{
	struct st_state_log *l = out;

	l->agent_id = pg_int(q, i, 0);
	l->ts_ms = pg_int(q, i, 1);
	l->state = (int)pg_int(q, i, 2);
	return pg_text(l->pause_reason, sizeof(l->pause_reason), q, i, 3);
}

int pg_group_state_log_visit(struct store *st, int64_t group_id,
			     int64_t from_ms, int64_t to_ms,
			     void (*h)(const struct st_state_log *l,
				       void *arg), void *arg)
{
	struct st_state_log l;

	return query(st, rd_slog, &l, VIS(slog, h, arg),
		     "SELECT s.agent_id, s.ts_ms, s.state, s.pause_reason, s.id"
		     " FROM members AS m JOIN state_log AS s"
		     " ON s.agent_id = m.agent_id WHERE m.group_id = $1"
		     " AND s.ts_ms >= $2 AND s.ts_ms < $3"
		     " UNION ALL"
		     " SELECT s.agent_id, s.ts_ms, s.state, s.pause_reason, s.id"
		     " FROM members AS m JOIN state_log AS s ON s.id ="
		     "  (SELECT p.id FROM state_log AS p"
		     "   WHERE p.agent_id = m.agent_id AND p.ts_ms < $2"
		     "   ORDER BY p.ts_ms DESC, p.id DESC LIMIT 1)"
		     " WHERE m.group_id = $1"
		     " ORDER BY 1, 2, 5", "III", group_id, from_ms, to_ms);
}
