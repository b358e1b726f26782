/*
 * import.c — import_data (importWS, EVENT=Import, importCJI) and
 * dialer_list (dialerListCJI, EVENT=DialerList): customers into a
 * campaign's package, numbers into its pre-dial list (API.md §4.23,
 * docs/CAMPAIGNS.md).
 *
 * A request is checked in the manual's terms first (70 modeltype, 67
 * model_id, 72 source, 71 context, 73 no such campaign in the caller's
 * team, 60 an agent outside the campaign's group; 28 for a bad rule word)
 * and becomes an import_rules; then each record goes through
 * import_record(): the inline one of source=data here, and each row of a
 * CSV file (source=http|ftp: import_file() starts the fetch job of
 * src/import/ and answers the task id; file_row() takes the rows on the
 * loop and counts their outcomes in the task's import report, kept in the
 * store; import_report answers it).
 *
 * A record's outcome is a list of codes, rendered comma-separated with
 * code 1: 84 new customer (83 when also listed for dialing), or for a
 * customer already in the package 78 (dupway=update), 79 (emptyagent=yes),
 * 77 (resetstatus=yes), 81 first when its data was left as it was; 80 when
 * put into the pre-dial list, 82 when the number was already waiting
 * there.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "ops.import"
#include "base/log.h"
#include "base/form.h"
#include "core/agent.h"
#include "core/model.h"
#include "api/api.h"
#include "core/occ.h"
#include "import/fetch.h"
#include "ops/import.h"
#include "ops/op.h"
#include "ops/util.h"

/* ---- the words of a request ---- */

static bool blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return !*s;
}

/* Index of v (case-insensitive; blank: 0, the default) in words, or -1. */
static int word(const char *v, const char *const *words)
{
	if (blank(v))
		return 0;
	for (int i = 0; words[i]; i++)
		if (!strcasecmp(v, words[i]))
			return i;
	return -1;
}

/* A positive decimal id of at most 18 digits, or 0. */
static int64_t id_of(const char *s)
{
	int64_t v = 0;
	size_t n = strlen(s);

	if (!n || n > 18)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD hh:mm:ss" local time into ms; empty or all zero: 0 (now).
 * false if it is no such time. */
static bool time_of(const char *s, int64_t *msp)
{
	struct tm tm = { 0 }, norm;
	const char *end;
	time_t t;

	*msp = 0;
	if (blank(s) || !strcmp(s, "0000-00-00 00:00:00"))
		return true;
	end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);
	if (!end || *end || strlen(s) != 19)
		return false;
	tm.tm_isdst = -1;
	norm = tm;
	t = mktime(&norm);
	if (t == (time_t)-1 || norm.tm_mday != tm.tm_mday ||
	    norm.tm_mon != tm.tm_mon)
		return false;
	*msp = (int64_t)t * 1000;
	return true;
}

/* A priority: an integer within ±1000000 (empty: 0). */
static bool prio_of(const char *s, int *p)
{
	char *end;
	long v;

	*p = 0;
	if (blank(s))
		return true;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < -1000000 || v > 1000000)
		return false;
	*p = (int)v;
	return true;
}

/* ---- columns ---- */

static void add_col(const struct st_column *c, void *arg)
{
	struct import_rules *job = arg;

	if (job->ncol < IMPORT_MAX_COLS)
		job->cols[job->ncol++] = *c;
}

/* The column a field names: its column name (case-insensitive) or its
 * display name (exactly); -1 if none. */
static int col_find(const struct import_rules *job, const char *name)
{
	for (size_t i = 0; i < job->ncol; i++)
		if (!strcasecmp(job->cols[i].name, name) ||
		    !strcmp(job->cols[i].display, name))
			return (int)i;
	return -1;
}

static void fail(struct import_outcome *out, int code, const char *arg)
{
	out->error = code;
	str_ncpy(out->arg, arg ? arg : "", sizeof(out->arg));
}

static void code(struct import_outcome *out, int c)
{
	if (out->ncodes < IMPORT_MAX_CODES)
		out->codes[out->ncodes++] = c;
}

/* "display(name)", BackMsg_76's argument */
static void col_label(char *buf, size_t size, const struct st_column *c)
{
	re_snprintf(buf, size, "%s(%s)", c->display, c->name);
}

/* ---- one record ---- */

/* The customer's data: the record's values in column order, then (for an
 * update) the stored values of fields the record does not give. */
static int encode_data(const struct import_rules *job, const char **vals,
		       const char *stored, struct mbuf *mb)
{
	struct form old;
	int err = 0;

	form_init(&old);
	if (stored && *stored)
		(void)form_parse(&old, stored, strlen(stored));
	for (size_t i = 0; i < job->ncol && !err; i++) {
		const char *v = vals[i] ? vals[i]
			: form_get(&old, job->cols[i].name);
		if (v)
			err = record_encode(mb, job->cols[i].name, v);
	}
	/* fields of columns this package lacks (a customer from another
	 * package) are kept */
	for (size_t i = 0; i < old.n && !err; i++)
		if (col_find(job, old.v[i].name) < 0)
			err = record_encode(mb, old.v[i].name, old.v[i].value);
	form_reset(&old);
	if (!err && mb->end >= ST_RECORD)
		err = E2BIG;
	return err;
}

/* Into the pre-dial list: 80, or 82 when the number already waits. */
static int list_number(struct import_rules *job, int64_t customer_id,
		       const char *number, int prio, int64_t dial_ms,
		       struct import_outcome *out, int ok_code)
{
	struct st_dial d = {
		.team_id = job->camp.team_id, .campaign_id = job->camp.id,
		.customer_id = customer_id, .priority = prio,
		.dial_ms = dial_ms, .added_ms = job->now_ms,
	};
	int err;

	str_ncpy(d.number, number, sizeof(d.number));
	err = store_dial_add(job->st, &d, NULL);
	if (err == EEXIST) {
		code(out, BM_IMPORT_DUP_PHONE);
		return 0;
	}
	if (!err)
		code(out, ok_code);
	return err;
}

/* The dup rules for a customer already in the team (cu, found by key). */
static int existing(struct import_rules *job, struct st_customer *cu,
		    const char **vals, const char *phone, int prio,
		    int64_t dial_ms, struct import_outcome *out)
{
	bool changed = false, here = cu->campaign_id == job->camp.id;
	bool updated = false;
	struct mbuf *mb;
	int err = 0;

	if (!here) {
		/* a customer of the master table outside this package */
		bool move = job->changepackage == CP_REASSIGN_TO_CURRENT ||
			(job->changepackage == CP_UNASSIGN_TO_CURRENT &&
			 !cu->campaign_id);
		if (!move) {
			code(out, BM_IMPORT_DUP);
			return 0;
		}
		cu->campaign_id = job->camp.id;
		changed = true;
	}
	if (job->update) {
		mb = mbuf_alloc(512);
		if (!mb)
			return ENOMEM;
		err = encode_data(job, vals, cu->data, mb);
		if (!err) {
			memcpy(cu->data, mb->buf, mb->end);
			cu->data[mb->end] = '\0';
		}
		mem_deref(mb);
		if (err)
			return err;
		updated = changed = true;
	}
	if (!updated)
		code(out, BM_IMPORT_DUP);
	else
		code(out, BM_IMPORT_UPDATED);
	if (job->emptyagent) {
		cu->owner[0] = '\0';
		changed = true;
		code(out, BM_IMPORT_OWNER_CLEARED);
	}
	if (job->resetstatus) {
		cu->status = ST_CUST_NEW;
		changed = true;
		code(out, BM_IMPORT_STATUS_RESET);
	}
	if (changed) {
		cu->updated_ms = job->now_ms;
		err = store_customer_update(job->st, cu);
		if (err)
			return err;
	}
	if (!phone || job->dupdiallist == DL_IGNORE_DUPLICATE ||
	    (job->dupdiallist == DL_IGNORE_SUCCESS &&
	     cu->status == ST_CUST_SUCCESS))
		return 0;
	return list_number(job, cu->id, phone, prio, dial_ms, out,
			   BM_IMPORT_LISTED);
}

void import_record(struct import_rules *job, const struct rec_field *f,
		   size_t n, struct import_outcome *out)
{
	const char *vals[IMPORT_MAX_COLS] = { 0 };
	const char *key, *phone = NULL;
	struct st_customer *cu = NULL;
	struct mbuf *mb = NULL;
	char label[2 * ST_NAME + 4];
	int64_t dial_ms = 0, id = 0;
	int prio = 0, err;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		int c = col_find(job, f[i].name);
		if (c < 0)
			{ fail(out, BM_IMPORT_HEADER, f[i].name); return; }
		if (vals[c])      /* by column name and display name */
			{ fail(out, BM_IMPORT_BAD_CONTEXT, f[i].name); return; }
		vals[c] = f[i].value;
	}
	key = vals[job->key_col];
	if (!key || blank(key)) {
		col_label(label, sizeof(label), &job->cols[job->key_col]);
		{ fail(out, BM_IMPORT_MISSING_FIELD, label); return; }
	}
	if (strlen(key) >= ST_NAME)
		{ fail(out, BM_PARAM_ERROR, job->cols[job->key_col].name); return; }
	if (job->phone_col >= 0) {
		phone = vals[job->phone_col];
		if (!phone || blank(phone)) {
			col_label(label, sizeof(label),
				  &job->cols[job->phone_col]);
			{ fail(out, BM_IMPORT_MISSING_FIELD, label); return; }
		}
		if (!dial_string_ok(phone) || strlen(phone) >= ST_NUM)
			{ fail(out, BM_PARAM_ERROR, job->phone_field); return; }
	}
	if (job->prio_col >= 0 && vals[job->prio_col] &&
	    !prio_of(vals[job->prio_col], &prio))
		{ fail(out, BM_PARAM_ERROR, job->prio_field); return; }
	if (job->time_col >= 0 && vals[job->time_col] &&
	    !time_of(vals[job->time_col], &dial_ms))
		{ fail(out, BM_PARAM_ERROR, job->time_field); return; }

	cu = mem_zalloc(sizeof(*cu), NULL);
	mb = mbuf_alloc(512);
	if (!cu || !mb) {
		err = ENOMEM;
		goto out;
	}
	err = store_begin(job->st);
	if (err)
		goto out;
	err = store_customer_get(job->st, job->camp.team_id, key, cu);
	if (!err) {
		err = existing(job, cu, vals, phone, prio, dial_ms, out);
	}
	else if (err == ENOENT) {
		err = encode_data(job, vals, NULL, mb);
		memset(cu, 0, sizeof(*cu));
		cu->team_id = job->camp.team_id;
		cu->campaign_id = job->camp.id;
		str_ncpy(cu->key, key, sizeof(cu->key));
		cu->updated_ms = job->now_ms;
		if (!err) {
			memcpy(cu->data, mb->buf, mb->end);
			cu->data[mb->end] = '\0';
			err = store_customer_add(job->st, cu, &id);
		}
		if (!err && phone) {
			err = list_number(job, id, phone, prio, dial_ms, out,
					  BM_IMPORT_NEW_LISTED);
			/* the number already waited: new customer, 84,82 */
			if (!err && out->codes[0] == BM_IMPORT_DUP_PHONE) {
				out->ncodes = 0;
				code(out, BM_IMPORT_NEW);
				code(out, BM_IMPORT_DUP_PHONE);
			}
		}
		else if (!err) {
			code(out, BM_IMPORT_NEW);
		}
	}
	err |= store_commit(job->st);
 out:
	if (err == E2BIG) {
		fail(out, BM_IMPORT_BAD_CONTEXT, "context");
	}
	else if (err) {
		OCC_WARN("import: team %lld campaign %lld key %s: %m",
			 (long long)job->camp.team_id,
			 (long long)job->camp.id, key, err);
		fail(out, BM_IMPORT_STORAGE, NULL);
	}
	mem_deref(cu);
	mem_deref(mb);
}

/* ---- requests ---- */

/* The campaign of model_id in the caller's team, and may the caller use
 * it? (import.h) */
bool import_campaign_of(struct op_ctx *ctx, const char *id_s,
			struct st_campaign *camp, struct op_result *res,
			enum import_rights rights)
{
	int64_t id = id_of(id_s);
	struct group *g;
	int err;

	if (!id) {
		res_set(res, OP_FAIL, BM_IMPORT_BAD_CAMPAIGN_ID, NULL);
		return false;
	}
	err = store_campaign_get(ctx->occ->st, ctx->team->id, id, camp);
	if (err == ENOENT) {
		res_set(res, OP_FAIL, BM_IMPORT_NO_CAMPAIGN, NULL);
		return false;
	}
	if (err) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return false;
	}
	if (ctx->account || rights == IMPORT_ANYONE)
		return true;
	g = team_group(ctx->team, camp->group_id);
	if (!ctx->agent || !g || !agent_membership(ctx->agent, g) ||
	    (rights == IMPORT_LEADERS && !agent_leads(ctx->agent, g))) {
		res_set(res, OP_FAIL, BM_ACW_MODE_FAIL, NULL);
		return false;
	}
	return true;
}

/* A field named by a request (phone_field, ...): its column, -1 if the
 * parameter is blank; false (74) if the package has no such column. */
static bool field_param(struct import_rules *job, const char *v, int *colp,
			const char **namep, struct op_result *res)
{
	*colp = -1;
	*namep = v;
	if (blank(v))
		return true;
	*colp = col_find(job, v);
	if (*colp >= 0)
		return true;
	res_set(res, OP_FAIL, BM_IMPORT_HEADER, v);
	return false;
}

static const char *const yes_no[] = { "no", "yes", NULL };
static const char *const dupways[] = { "skip", "update", NULL };
static const char *const dupdiallists[] = { "ignoreDuplicate", "all",
					    "ignoreSuccess", NULL };
static const char *const changepackages[] = { "skip", "unassignToCurrent",
					      "reassignToCurrent", NULL };

/* Everything but the records: the job, or false with res set. rights:
 * may the caller use the campaign (false: a scheduled import, checked
 * when it was asked for). */
static bool import_prepare(struct op_ctx *ctx, struct import_rules *job,
			   struct op_result *res, bool rights)
{
	const char *const *a = ctx->args;
	static const struct { enum param p; const char *const *words; }
	rules[] = {
		{ P_EMPTYAGENT, yes_no }, { P_RESETSTATUS, yes_no },
		{ P_DUPWAY, dupways }, { P_DUPDIALLIST, dupdiallists },
		{ P_CHANGEPACKAGE, changepackages },
	};
	int w[ARRAY_SIZE(rules)];
	int err;

	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		w[i] = word(a[rules[i].p], rules[i].words);
		if (w[i] < 0) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR,
				param_defs[rules[i].p].name);
			return false;
		}
	}
	job->emptyagent = w[0];
	job->resetstatus = w[1];
	job->update = w[2];
	job->dupdiallist = (enum import_dupdiallist)w[3];
	job->changepackage = (enum import_changepackage)w[4];
	job->st = ctx->occ->st;
	job->now_ms = ctx->now;
	if (!import_campaign_of(ctx, a[P_MODEL_ID], &job->camp, res,
				rights ? IMPORT_MEMBERS : IMPORT_ANYONE))
		return false;
	err = store_column_visit(job->st, job->camp.team_id, job->camp.id,
				 add_col, job);
	if (err) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return false;
	}
	job->key_col = col_find(job, job->camp.key_column);
	if (job->key_col < 0) {
		/* a package without its key column takes no record */
		res_set(res, OP_FAIL, BM_IMPORT_HEADER, job->camp.key_column);
		return false;
	}
	return field_param(job, a[P_PHONE_FIELD], &job->phone_col,
			   &job->phone_field, res) &&
		field_param(job, a[P_PRIORITY_FIELD], &job->prio_col,
			    &job->prio_field, res) &&
		field_param(job, a[P_DIALTIME_FIELD], &job->time_col,
			    &job->time_field, res);
}

/* ---- source=http|ftp: a CSV file ---- */

/* A file import under way: the request's rules, the fetch job, the title
 * row's column names and the report kept in the store. Rows come on the
 * loop in batches (fetch.h); the rows of one loop callback are written in
 * one transaction, committed by a zero timer once the callback has
 * returned (the report's counts with them), so the loop is free between
 * batches and a large file is not one long transaction. */
struct file_task {
	struct le le;
	struct import_rules rules;
	struct import_job *fj;
	struct tmr commit;
	bool in_txn;
	char *names[IMPORT_MAX_COLS];   /* by CSV column; NULL: not mapped */
	size_t nnames;
	unsigned skipped;               /* delrow records seen */
	char fields[3][ST_NAME];        /* rules' *_field, the request's gone */
	size_t count[IMPORT_CODE_MAX + 1];  /* records by first code */
	unsigned nerr;
	struct st_import_report rep;
};

static struct list file_tasks;
static struct list queued_tasks;        /* struct queued_task */

static void task_destructor(void *arg)
{
	struct file_task *t = arg;

	tmr_cancel(&t->commit);
	list_unlink(&t->le);
	t->fj = mem_deref(t->fj);
	if (t->in_txn)
		(void)store_commit(t->rules.st);
	for (size_t i = 0; i < t->nnames; i++)
		mem_deref(t->names[i]);
}

/* The report's counts from t->count: "84=10,81=2". */
static void report_counts(struct file_task *t)
{
	struct st_import_report *r = &t->rep;
	size_t len = 0;

	r->counts[0] = '\0';
	for (int c = 0; c <= IMPORT_CODE_MAX; c++) {
		int n;
		if (!t->count[c])
			continue;
		n = re_snprintf(r->counts + len, sizeof(r->counts) - len,
				"%s%d=%zu", len ? "," : "", c, t->count[c]);
		if (n < 0 || (size_t)n >= sizeof(r->counts) - len)
			break;
		len += (size_t)n;
	}
}

static void report_save(struct file_task *t)
{
	report_counts(t);
	t->rep.updated_ms = (int64_t)time(NULL) * 1000;
	if (store_import_report_put(t->rules.st, &t->rep, NULL))
		OCC_WARN("import: task %lld: report not saved",
			 (long long)t->rep.id);
}

/* A refused record into the report's first errors. */
static void report_error(struct file_task *t, size_t line, int code,
			 const char *arg)
{
	struct st_import_report *r = &t->rep;
	size_t len = strlen(r->errors);

	t->rep.failed++;
	if (t->nerr >= IMPORT_REPORT_ERRORS)
		return;
	t->nerr++;
	(void)re_snprintf(r->errors + len, sizeof(r->errors) - len,
			  "line %zu: %d[%s]\n", line, code, arg ? arg : "");
}

static void commit_h(void *arg)
{
	struct file_task *t = arg;

	if (!t->in_txn)
		return;
	t->in_txn = false;
	if (store_commit(t->rules.st))
		OCC_WARN("import: task %lld: commit failed",
			 (long long)t->rep.id);
	report_save(t);
}

/* The title row (the first delrow record): its names, each a column or
 * display name of the package (74 otherwise). */
static int file_skip(void *arg, size_t line, const char *const *f, size_t n)
{
	struct file_task *t = arg;

	(void)line;
	if (t->skipped++)
		return 0;
	if (n > IMPORT_MAX_COLS) {
		re_snprintf(t->rep.msg, sizeof(t->rep.msg), "%d[%zu columns]",
			    BM_IMPORT_HEADER, n);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!*f[i]) {        /* an untitled column is not imported */
			t->names[t->nnames++] = NULL;
			continue;
		}
		if (col_find(&t->rules, f[i]) < 0) {
			re_snprintf(t->rep.msg, sizeof(t->rep.msg), "%d[%s]",
				    BM_IMPORT_HEADER, f[i]);
			return 1;
		}
		if (str_dup(&t->names[t->nnames], f[i]))
			return 1;
		t->nnames++;
	}
	return 0;
}

static int file_row(void *arg, size_t line, const char *const *f, size_t n)
{
	struct file_task *t = arg;
	struct rec_field rf[IMPORT_MAX_COLS];
	struct import_outcome out;
	size_t k = 0;

	t->rep.rows++;
	for (size_t i = 0; i < n; i++) {
		const char *name;
		if (!*f[i])          /* empty: not given */
			continue;
		if (i >= t->nnames) {
			report_error(t, line, BM_IMPORT_HEADER, "column");
			return 0;
		}
		name = t->names[i];
		if (!name)
			continue;
		rf[k].name = name;
		rf[k++].value = f[i];
	}
	if (!t->in_txn) {
		if (store_begin(t->rules.st)) {
			report_error(t, line, BM_IMPORT_STORAGE, NULL);
			return 0;
		}
		t->in_txn = true;
		t->rules.now_ms = (int64_t)time(NULL) * 1000;
		tmr_start(&t->commit, 0, commit_h, t);
	}
	import_record(&t->rules, rf, k, &out);
	if (out.error) {
		report_error(t, line, out.error, out.arg);
		return 0;
	}
	if (out.ncodes && out.codes[0] <= IMPORT_CODE_MAX)
		t->count[out.codes[0]]++;
	return 0;
}

static void file_done(enum import_err err, const char *msg, size_t rows,
		      void *arg)
{
	struct file_task *t = arg;

	(void)rows;
	tmr_cancel(&t->commit);
	commit_h(t);
	t->fj = mem_deref(t->fj);
	if (err == IMPORT_OK) {
		str_ncpy(t->rep.state, "done", sizeof(t->rep.state));
	}
	else {
		str_ncpy(t->rep.state, "failed", sizeof(t->rep.state));
		if (err != IMPORT_E_ABORT || !t->rep.msg[0])
			re_snprintf(t->rep.msg, sizeof(t->rep.msg), "%d[%s]",
				    import_err_backmsg(err) ?
				    import_err_backmsg(err) :
				    BM_IMPORT_TASK_FAIL, msg);
	}
	report_save(t);
	OCC_INFO("import: task %lld campaign %lld: %s, %lld records, %lld"
		 " refused%s%s", (long long)t->rep.id,
		 (long long)t->rep.campaign_id, t->rep.state,
		 (long long)t->rep.rows, (long long)t->rep.failed,
		 t->rep.msg[0] ? ": " : "", t->rep.msg);
	mem_deref(t);
}

void import_tasks_close(void)
{
	struct le *le;

	while ((le = list_head(&queued_tasks)))
		mem_deref(le->data);    /* still queued in the store */

	while ((le = list_head(&file_tasks))) {
		struct file_task *t = le->data;

		tmr_cancel(&t->commit);
		commit_h(t);
		t->fj = mem_deref(t->fj);    /* stops the transfer */
		str_ncpy(t->rep.state, "failed", sizeof(t->rep.state));
		re_snprintf(t->rep.msg, sizeof(t->rep.msg), "%d[occd stopped]",
			    BM_IMPORT_TASK_FAIL);
		report_save(t);
		mem_deref(t);
	}
}

/* The URL as the report keeps it: no user:password@. */
static void url_public(char *dst, size_t size, const char *url)
{
	const char *p = strstr(url, "://");
	const char *host = p ? p + 3 : url;
	const char *at = strchr(host, '@');
	size_t hn = strcspn(host, "/?#");

	if (at && (size_t)(at - host) < hn)
		re_snprintf(dst, size, "%b%s", url, (size_t)(host - url),
			    at + 1);
	else
		str_ncpy(dst, url, size);
}

/* A running task for the file at url (its rows through file_skip and
 * file_row), its report rep (id 0: a new one) saved as running: rep->id
 * set; copts set for the parser. NULL with *errp. */
static struct file_task *task_new(struct store *st,
				  const struct import_rules *rules, int delrow,
				  const char *url, struct st_import_report *rep,
				  struct csv_opts *copts, int *errp)
{
	struct file_task *t;
	int err;

	t = mem_zalloc(sizeof(*t), task_destructor);
	if (!t) {
		*errp = ENOMEM;
		return NULL;
	}
	list_append(&file_tasks, &t->le, t);
	tmr_init(&t->commit);
	t->rules = *rules;
	t->rules.st = st;
	str_ncpy(t->fields[0], rules->phone_field, sizeof(t->fields[0]));
	str_ncpy(t->fields[1], rules->prio_field, sizeof(t->fields[1]));
	str_ncpy(t->fields[2], rules->time_field, sizeof(t->fields[2]));
	t->rules.phone_field = t->fields[0];
	t->rules.prio_field = t->fields[1];
	t->rules.time_field = t->fields[2];
	if (!delrow) {      /* no title row: the package's columns in order */
		for (size_t i = 0; i < rules->ncol; i++) {
			err = str_dup(&t->names[t->nnames++],
				      rules->cols[i].name);
			if (err)
				goto fail;
		}
	}
	t->rep = *rep;
	t->rep.team_id = rules->camp.team_id;
	t->rep.campaign_id = rules->camp.id;
	url_public(t->rep.url, sizeof(t->rep.url), url);
	str_ncpy(t->rep.state, "running", sizeof(t->rep.state));
	t->rep.request[0] = '\0';
	if (!t->rep.created_ms)
		t->rep.created_ms = (int64_t)time(NULL) * 1000;
	t->rep.updated_ms = (int64_t)time(NULL) * 1000;
	err = store_import_report_put(st, &t->rep, &t->rep.id);
	if (err)
		goto fail;
	rep->id = t->rep.id;
	copts->delrow = (unsigned)delrow;
	copts->row_h = file_row;
	copts->skip_h = file_skip;
	copts->arg = t;
	return t;
 fail:
	mem_deref(t);
	*errp = err;
	return NULL;
}

/* The fetch of a.url started for a task whose report is rep (id 0: a new
 * one, made here); 0 or an errno (the report then says failed). */
static int task_start(struct store *st, const struct conf *cfg,
		      const struct import_rules *rules,
		      const char *const *a, struct st_import_report *rep)
{
	struct import_src src = { 0 };
	struct csv_opts copts = { 0 };
	struct file_task *t;
	int err = 0, delrow = 0;

	(void)prio_of(a[P_DELROW], &delrow);     /* checked by the caller */
	import_src_conf(&src, cfg);
	src.url = a[P_CONTEXT];
	src.user = a[P_SOURCE_USER];
	src.pwd = a[P_SOURCE_PWD];
	t = task_new(st, rules, delrow, src.url, rep, &copts, &err);
	if (!t)
		return err;
	err = import_job_start(&t->fj, &src, &copts, file_done, t);
	if (err) {
		str_ncpy(t->rep.state, "failed", sizeof(t->rep.state));
		re_snprintf(t->rep.msg, sizeof(t->rep.msg), "%d[%m]",
			    BM_IMPORT_TASK_FAIL, err);
		report_save(t);
		goto fail;
	}
	OCC_INFO("import: team %lld campaign %lld: task %lld started",
		 (long long)rules->camp.team_id, (long long)rules->camp.id,
		 (long long)t->rep.id);
	return 0;
 fail:
	mem_deref(t);
	return err;
}

/* ---- scheduled file imports (exetime) ---- */

/* The parameters a scheduled import keeps in its report's request. */
static const enum param task_params[] = {
	P_MODEL_ID, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD,
	P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD, P_DIALTIME_FIELD,
	P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY, P_DUPDIALLIST, P_CHANGEPACKAGE,
};

struct queued_task {
	struct le le;
	struct tmr tmr;
	struct occ *occ;
	int64_t team_id, id;
};

static void queued_destructor(void *arg)
{
	struct queued_task *q = arg;

	tmr_cancel(&q->tmr);
	list_unlink(&q->le);
}

struct report_find {
	int64_t id;
	struct st_import_report *r;
	bool found;
};

static void report_find_one(const struct st_import_report *r, void *arg)
{
	struct report_find *f = arg;

	if (r->id == f->id) {
		*f->r = *r;
		f->found = true;
	}
}

static void task_fail(struct store *st, struct st_import_report *r,
		      int code, const char *why)
{
	str_ncpy(r->state, "failed", sizeof(r->state));
	r->request[0] = '\0';
	r->updated_ms = (int64_t)time(NULL) * 1000;
	re_snprintf(r->msg, sizeof(r->msg), "%d[%s]", code, why);
	if (store_import_report_put(st, r, NULL))
		OCC_WARN("import: task %lld: report not saved",
			 (long long)r->id);
}

/* A scheduled import's time: its request again, without the caller's
 * rights (checked when it was asked for), then as an import at once. */
static void queued_fire(void *arg)
{
	struct queued_task *q = arg;
	struct occ *occ = q->occ;
	struct st_import_report *r = mem_zalloc(sizeof(*r), NULL);
	struct import_rules *rules = mem_zalloc(sizeof(*rules), NULL);
	struct report_find f = { .id = q->id, .r = r };
	struct op_ctx ctx = { .occ = occ, .m = occ->m };
	struct op_result res;
	struct form *form = mem_zalloc(sizeof(*form), NULL);
	int err;

	res_init(&res);
	if (!r || !rules || !form)
		goto out;
	err = store_import_report_visit(occ->st, q->team_id, 0,
					report_find_one, &f);
	if (err || !f.found || strcmp(r->state, "queued"))
		goto out;
	for (size_t i = 0; i < P_COUNT; i++)
		ctx.args[i] = "";
	form_init(form);
	if (form_parse(form, r->request, strlen(r->request))) {
		task_fail(occ->st, r, BM_IMPORT_TASK_FAIL, "request");
		goto out;
	}
	for (size_t i = 0; i < ARRAY_SIZE(task_params); i++) {
		const char *v = form_get(form, param_defs[task_params[i]].name);
		if (v)
			ctx.args[task_params[i]] = v;
	}
	ctx.team = team_find_id(occ->m, q->team_id);
	ctx.now = (int64_t)time(NULL) * 1000;
	if (!ctx.team) {
		task_fail(occ->st, r, BM_IMPORT_NO_CAMPAIGN, "team");
		goto out;
	}
	if (!import_prepare(&ctx, rules, &res, false)) {
		task_fail(occ->st, r, res.backmsg, res.arg);
		goto out;
	}
	err = task_start(occ->st, occ->cfg, rules, ctx.args, r);
	if (err)
		task_fail(occ->st, r, BM_IMPORT_TASK_FAIL,
			  err == EBUSY ? "busy" : "start");
 out:
	if (form)
		form_reset(form);
	mem_deref(form);
	res_reset(&res);
	mem_deref(r);
	mem_deref(rules);
	mem_deref(q);
}

static int queue_task(struct occ *occ, int64_t team_id, int64_t id,
		      int64_t exe_ms)
{
	struct queued_task *q = mem_zalloc(sizeof(*q), queued_destructor);
	int64_t now = (int64_t)time(NULL) * 1000;

	if (!q)
		return ENOMEM;
	q->occ = occ;
	q->team_id = team_id;
	q->id = id;
	tmr_init(&q->tmr);
	list_append(&queued_tasks, &q->le, q);
	tmr_start(&q->tmr, exe_ms > now ? (uint64_t)(exe_ms - now) : 0,
		  queued_fire, q);
	return 0;
}

struct resume_arg {
	struct occ *occ;
	struct list stale;      /* reports left running */
};

struct stale_report {
	struct le le;
	struct st_import_report r;
};

static void resume_one(const struct st_import_report *r, void *arg)
{
	struct resume_arg *ra = arg;
	struct stale_report *sr;

	if (!strcmp(r->state, "queued")) {
		if (queue_task(ra->occ, r->team_id, r->id, r->exe_ms))
			OCC_WARN("import: task %lld not scheduled",
				 (long long)r->id);
		return;
	}
	if (strcmp(r->state, "running"))
		return;
	sr = mem_zalloc(sizeof(*sr), NULL);
	if (!sr)
		return;
	sr->r = *r;
	list_append(&ra->stale, &sr->le, sr);
}

void import_tasks_resume(struct occ *occ)
{
	struct resume_arg ra = { .occ = occ };
	struct le *le;

	list_init(&ra.stale);
	if (store_import_report_visit(occ->st, 0, 0, resume_one, &ra))
		OCC_WARN("import: scheduled imports not read");
	while ((le = list_head(&ra.stale))) {
		struct stale_report *sr = le->data;

		list_unlink(le);
		task_fail(occ->st, &sr->r, BM_IMPORT_TASK_FAIL,
			  "occd stopped");
		mem_deref(sr);
	}
	if (list_count(&queued_tasks))
		OCC_INFO("import: %u scheduled file imports",
			 list_count(&queued_tasks));
}

/* source=http|ftp: the URL checked (75, 86, 89 before any connection),
 * then the fetch started (or, with exetime ahead, the task queued): the
 * task id (its report's) is the answer. */
static void import_file(struct op_ctx *ctx, struct import_rules *rules,
			struct op_result *res)
{
	const char *const *a = ctx->args;
	const char *url = a[P_CONTEXT];
	const char *scheme = !strcasecmp(a[P_SOURCE], "ftp")
		? "ftp://" : "http";
	size_t n = strcspn(url, "?#");
	struct st_import_report *rep;
	struct import_src src = { 0 };
	char why[256];
	enum import_err e;
	int64_t exe_ms;
	int err = 0, delrow;

	if (strncasecmp(url, scheme, strlen(scheme))) {
		res_set(res, OP_FAIL, BM_IMPORT_BAD_CONTEXT, "context");
		return;
	}
	if (n < 4 || strncasecmp(url + n - 4, ".csv", 4)) {
		res_set(res, OP_FAIL, BM_IMPORT_CSV_ONLY, NULL);
		return;
	}
	if (!time_of(a[P_EXETIME], &exe_ms)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "exetime");
		return;
	}
	if (!prio_of(a[P_DELROW], &delrow) || delrow < 0) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "delrow");
		return;
	}
	import_src_conf(&src, ctx->occ->cfg);
	e = import_allow_check(src.allow, url, why, sizeof(why));
	if (e) {
		OCC_INFO("import: team %s: %s refused: %s", ctx->team->name,
			 import_err_name(e), why);
		res_set(res, OP_FAIL, import_err_backmsg(e), NULL);
		return;
	}
	rep = mem_zalloc(sizeof(*rep), NULL);
	if (!rep) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return;
	}
	rep->created_ms = ctx->now;
	if (exe_ms > ctx->now + 1000) {
		struct mbuf *mb = mbuf_alloc(512);

		for (size_t i = 0; mb && !err && i < ARRAY_SIZE(task_params);
		     i++)
			err = record_encode(mb, param_defs[task_params[i]].name,
					    a[task_params[i]]);
		if (!mb || err || mb->end >= sizeof(rep->request)) {
			mem_deref(mb);
			mem_deref(rep);
			res_set(res, OP_FAIL, BM_IMPORT_BAD_CONTEXT, "context");
			return;
		}
		memcpy(rep->request, mb->buf, mb->end);
		mem_deref(mb);
		rep->team_id = rules->camp.team_id;
		rep->campaign_id = rules->camp.id;
		rep->exe_ms = exe_ms;
		rep->updated_ms = ctx->now;
		url_public(rep->url, sizeof(rep->url), url);
		str_ncpy(rep->state, "queued", sizeof(rep->state));
		err = store_import_report_put(rules->st, rep, &rep->id);
		if (!err)
			err = queue_task(ctx->occ, rep->team_id, rep->id,
					 exe_ms);
		if (err)
			res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		else
			(void)res_data(res, OP_OK, "%lld", (long long)rep->id);
		mem_deref(rep);
		return;
	}
	err = task_start(rules->st, ctx->occ->cfg, rules, a, rep);
	if (err == ENOMEM || (err && !rep->id))
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
	else if (err)
		res_set(res, OP_FAIL, BM_IMPORT_TASK_FAIL, NULL);
	else
		(void)res_data(res, OP_OK, "%lld", (long long)rep->id);
	mem_deref(rep);
}

void op_import_data(struct op_ctx *ctx, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct import_rules *job;
	struct import_outcome out;
	struct record *rec;
	int source, err;

	if (strcasecmp(a[P_MODELTYPE], "Campaign")) {
		res_set(res, OP_FAIL, BM_IMPORT_BAD_MODEL, NULL);
		return;
	}
	source = word(a[P_SOURCE], (const char *const[]){ "data", "http",
							  "ftp", NULL });
	if (source < 0 || blank(a[P_SOURCE])) {
		res_set(res, OP_FAIL, BM_IMPORT_BAD_SOURCE, NULL);
		return;
	}
	if (blank(a[P_CONTEXT])) {
		res_set(res, OP_FAIL, BM_IMPORT_EMPTY_CONTEXT, NULL);
		return;
	}
	job = mem_zalloc(sizeof(*job), NULL);
	rec = mem_zalloc(sizeof(*rec), NULL);
	if (!job || !rec) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		goto out;
	}
	if (!import_prepare(ctx, job, res, true))
		goto out;
	if (source) {
		import_file(ctx, job, res);
		goto out;
	}
	err = record_parse(rec, a[P_CONTEXT], strlen(a[P_CONTEXT]));
	if (err) {
		res_set(res, OP_FAIL, BM_IMPORT_BAD_CONTEXT, "context");
		goto out;
	}
	import_record(job, rec->f, rec->n, &out);
	if (out.error) {
		res_set(res, OP_FAIL, out.error, out.arg);
		goto out;
	}
	res_set(res, OP_OK, out.codes[0], NULL);
	for (size_t i = 1; i < out.ncodes; i++)
		res_add_code(res, out.codes[i]);
	OCC_DBG("import: team %s campaign %lld: %zu codes", ctx->team->name,
		(long long)job->camp.id, out.ncodes);
 out:
	mem_deref(job);
	mem_deref(rec);
}

void import_upload(struct op_ctx *ctx, const char *name, const void *csv,
		   size_t len, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct import_rules *rules = mem_zalloc(sizeof(*rules), NULL);
	struct st_import_report *rep = mem_zalloc(sizeof(*rep), NULL);
	struct csv_opts copts = { 0 };
	struct file_task *t;
	struct csv *c = NULL;
	enum csv_err e;
	enum import_err ie;
	char url[ST_URL];
	int64_t id;
	int err = 0, delrow;

	if (!rules || !rep) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		goto out;
	}
	if (!prio_of(a[P_DELROW], &delrow) || delrow < 0) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "delrow");
		goto out;
	}
	if (!import_prepare(ctx, rules, res, true))
		goto out;
	rep->created_ms = ctx->now;
	re_snprintf(url, sizeof(url), "upload:%s", name);
	t = task_new(rules->st, rules, delrow, url, rep, &copts, &err);
	if (!t) {
		res_set(res, OP_FAIL, err == ENOMEM || !rep->id ?
			BM_IMPORT_STORAGE : BM_IMPORT_TASK_FAIL, NULL);
		goto out;
	}
	id = t->rep.id;
	c = csv_new(&copts);
	e = c ? csv_feed(c, csv, len) : CSV_E_NOMEM;
	if (e == CSV_OK)
		e = csv_finish(c);
	ie = e == CSV_OK ? IMPORT_OK : e == CSV_E_ABORT ? IMPORT_E_ABORT :
		e == CSV_E_NOMEM ? IMPORT_E_NOMEM : IMPORT_E_CSV;
	file_done(ie, c ? csv_errmsg(c) : "out of memory",
		  c ? csv_rows(c) : 0, t);         /* frees t */
	csv_free(c);
	(void)res_data(res, OP_OK, "%lld", (long long)id);
 out:
	mem_deref(rules);
	mem_deref(rep);
}

/* dialerListCJI: one number into a campaign's pre-dial list. */
void op_dialer_list(struct op_ctx *ctx, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct import_rules *job = mem_zalloc(sizeof(*job), NULL);
	struct import_outcome out = { 0 };
	int64_t dial_ms;
	int prio, err;

	if (!job) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return;
	}
	job->st = ctx->occ->st;
	job->now_ms = ctx->now;
	if (!import_campaign_of(ctx, a[P_CAMPAIGNID], &job->camp, res,
				IMPORT_MEMBERS))
		goto out;
	if (!dial_string_ok(a[P_PHONENUM]) || strlen(a[P_PHONENUM]) >= ST_NUM) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "phonenum");
		goto out;
	}
	if (!prio_of(a[P_PRIORITY], &prio)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "priority");
		goto out;
	}
	if (!time_of(a[P_DIALTIME], &dial_ms)) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "dialtime");
		goto out;
	}
	err = list_number(job, 0, a[P_PHONENUM], prio, dial_ms, &out,
			  BM_IMPORT_LISTED);
	if (err)
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
	else if (out.codes[0] == BM_IMPORT_DUP_PHONE)
		res_set(res, OP_FAIL, BM_IMPORT_DUP_PHONE, NULL);
	else
		res_set(res, OP_OK, BM_IMPORT_LISTED, NULL);
 out:
	mem_deref(job);
}

/* ---- import_report (occ's addition) ---- */

struct report_json {
	struct op_result *res;
	int64_t task;
	unsigned n;
	int err;
};

/* "84=10,81=2" as {"84":10,"81":2}; "line 6: ...\n..." as a JSON array */
static int counts_json(struct re_printf *pf, void *arg)
{
	const char *p = arg;
	int err = re_hprintf(pf, "{");

	for (bool first = true; *p && !err; first = false) {
		size_t n = strcspn(p, ",");
		const char *eq = memchr(p, '=', n);
		if (eq)
			err = re_hprintf(pf, "%s\"%b\":%b", first ? "" : ",",
					 p, (size_t)(eq - p), eq + 1,
					 n - (size_t)(eq - p) - 1);
		p += n + (p[n] == ',');
	}
	return err ? err : re_hprintf(pf, "}");
}

static int errors_json(struct re_printf *pf, void *arg)
{
	const char *p = arg;
	char line[256];
	int err = re_hprintf(pf, "[");

	for (bool first = true; *p && !err; first = false) {
		size_t n = strcspn(p, "\n");
		str_ncpy(line, p, n + 1 < sizeof(line) ? n + 1 : sizeof(line));
		err = re_hprintf(pf, "%s%H", first ? "" : ",", json_str_h,
				 line);
		p += n + (p[n] == '\n');
	}
	return err ? err : re_hprintf(pf, "]");
}

static void report_json_one(const struct st_import_report *r, void *arg)
{
	struct report_json *rj = arg;

	if (rj->err || (rj->task && r->id != rj->task))
		return;
	rj->err = res_data(rj->res, OP_OK, "%s{\"taskid\":%lld,"
			   "\"campaignid\":%lld,\"url\":%H,\"state\":%H,"
			   "\"records\":%lld,\"refused\":%lld,"
			   "\"outcomes\":%H,\"errors\":%H,\"error\":%H}",
			   rj->n ? "," : "[", (long long)r->id,
			   (long long)r->campaign_id, json_str_h, r->url,
			   json_str_h, r->state, (long long)r->rows,
			   (long long)r->failed, counts_json, r->counts,
			   errors_json, r->errors, json_str_h, r->msg);
	rj->n++;
}

void op_import_report(struct op_ctx *ctx, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct st_campaign camp;
	struct report_json rj = { .res = res };
	int err;

	if (!import_campaign_of(ctx, a[P_CAMPAIGNID], &camp, res,
				IMPORT_MEMBERS))
		return;
	if (!blank(a[P_TASKID])) {
		rj.task = id_of(a[P_TASKID]);
		if (!rj.task) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "taskid");
			return;
		}
	}
	res->json = true;
	err = store_import_report_visit(ctx->occ->st, camp.team_id, camp.id,
					report_json_one, &rj);
	if (err || rj.err) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return;
	}
	if (rj.task && !rj.n) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "taskid");
		return;
	}
	if (!rj.n)
		res_data(res, OP_OK, "[]");
	else
		res_data(res, OP_OK, "]");
}

/* ---- customer_record (occ's addition) ---- */

/* The package's columns, for customer_record (at most IMPORT_MAX_COLS). */
struct rec_cols {
	struct st_column cols[IMPORT_MAX_COLS];
	size_t n;
};

static void rec_col(const struct st_column *c, void *arg)
{
	struct rec_cols *rc = arg;

	if (rc->n < IMPORT_MAX_COLS)
		rc->cols[rc->n++] = *c;
}

struct rec_json {
	const struct st_campaign *camp;
	const struct st_customer *cu;
	const struct rec_cols *rc;
	const struct form *data;
};

static int rec_field_json(struct re_printf *pf, bool first, const char *name,
			  const char *display, const char *value)
{
	return re_hprintf(pf, "%s{\"name\":%H,\"display\":%H,\"value\":%H}",
			  first ? "" : ",", json_str_h, name, json_str_h,
			  display, json_str_h, value);
}

/* The record as JSON: its fields in the package's column order (a column
 * without a value is left out), then fields of columns the package no
 * longer has (display: the column name). */
static int rec_json(struct re_printf *pf, void *arg)
{
	static const char *const st[] = { "new", "following", "success",
					  "failure" };
	const struct rec_json *r = arg;
	const struct st_customer *cu = r->cu;
	bool first = true;
	int err;

	err = re_hprintf(pf, "{\"campaignid\":%lld,\"campaign\":%H,"
			 "\"customer_id\":%lld,\"key\":%H,\"owner\":%H,"
			 "\"status\":%H,\"fields\":[",
			 (long long)r->camp->id, json_str_h, r->camp->name,
			 (long long)cu->id, json_str_h, cu->key, json_str_h,
			 cu->owner, json_str_h,
			 cu->status >= 0 && cu->status <= 3 ? st[cu->status]
							    : "new");
	for (size_t i = 0; i < r->rc->n && !err; i++) {
		const struct st_column *c = &r->rc->cols[i];
		const char *v = form_get(r->data, c->name);
		if (!v)
			continue;
		err = rec_field_json(pf, first, c->name, c->display, v);
		first = false;
	}
	for (size_t i = 0; i < r->data->n && !err; i++) {
		const char *name = r->data->v[i].name;
		bool known = false;
		for (size_t k = 0; k < r->rc->n && !known; k++)
			known = !strcasecmp(r->rc->cols[k].name, name);
		if (known)
			continue;
		err = rec_field_json(pf, first, name, name,
				     r->data->v[i].value);
		first = false;
	}
	return err ? err : re_hprintf(pf, "]}");
}

void op_customer_record(struct op_ctx *ctx, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct st_campaign camp;
	struct st_customer *cu = NULL;
	struct rec_cols *rc = NULL;
	struct form data;
	int64_t id;
	int err;

	form_init(&data);
	if (!import_campaign_of(ctx, a[P_CAMPAIGNID], &camp, res,
				IMPORT_MEMBERS))
		return;
	id = id_of(a[P_CUSTOMERID]);
	if (!id) {
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "customer_id");
		return;
	}
	cu = mem_zalloc(sizeof(*cu), NULL);
	rc = mem_zalloc(sizeof(*rc), NULL);
	if (!cu || !rc) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		goto out;
	}
	err = store_customer_get_id(ctx->occ->st, camp.team_id, id, cu);
	if (err == ENOENT || (!err && cu->campaign_id != camp.id)) {
		/* another team's, another package's or none: the same answer */
		res_set(res, OP_FAIL, BM_GET_NO_DATA, NULL);
		goto out;
	}
	if (!err)
		err = store_column_visit(ctx->occ->st, camp.team_id, camp.id,
					 rec_col, rc);
	if (!err && cu->data[0])
		err = form_parse(&data, cu->data, strlen(cu->data));
	if (err) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		goto out;
	}
	res->json = true;
	res_data(res, OP_OK, "%H", rec_json,
		 &(struct rec_json){ &camp, cu, rc, &data });
 out:
	form_reset(&data);
	mem_deref(cu);
	mem_deref(rc);
}
