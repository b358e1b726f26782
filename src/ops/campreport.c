/*
 * campreport.c — campaign reports per day (campreport.h,
 * docs/CAMPAIGNS.md "Campaign reports") and the campaign_report
 * operation.
 *
 * The definitions, as the dialer host records a dial (docs/DIALER.md):
 * a dial is a CDR of the campaign; an answer, one whose customer
 * answered; a live answer, an answer AMD did not call MACHINE; an
 * abandon, a live answer that ended with no agent having answered (the
 * pre-dial list's `abandoned`); the wait, from the customer's answer to
 * the agent's. The compliance window is the profile's: the 30 days up to
 * the day (us, none) or the 24 h up to its end (uk, or up to now). The
 * pre-dial list is reported as it is now (it keeps a row's last result
 * only).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>
#include "api/api.h"
#include "core/agent_state.h"
#include "core/model.h"
#include "core/occ.h"
#include "ops/campreport.h"
#include "ops/import.h"
#include "ops/op.h"
#include "store/store.h"

/* ---- the aggregation (pure) ---- */

static void amd_count(struct crep_day *d, const char *verdict)
{
	size_t i;

	for (i = 0; i < d->namd; i++)
		if (!strcmp(d->amd[i].verdict, verdict))
			break;
	if (i == d->namd) {
		if (d->namd == CREP_AMD)
			return;          /* more verdicts than AMD has */
		snprintf(d->amd[i].verdict, sizeof(d->amd[i].verdict), "%s",
			 verdict);
		d->namd++;
	}
	d->amd[i].n++;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* nearest rank: the smallest wait with p % of the waits at or below it */
static int64_t rank(const int64_t *v, size_t n, unsigned p)
{
	size_t k = (p * n + 99) / 100;

	return v[k ? k - 1 : 0];
}

bool crep_is_live(const struct crep_call *c)
{
	return c->answer_ms > 0 && strcmp(c->amd, "MACHINE");
}

bool crep_is_abandon(const struct crep_call *c)
{
	return crep_is_live(c) && !c->agent_ms && c->end_ms > 0;
}

bool crep_is_machine(const struct crep_call *c)
{
	return c->answer_ms > 0 && !strcmp(c->amd, "MACHINE") &&
		!c->agent_ms && c->end_ms > 0;
}

static void day_calls(struct crep_day *d, const struct crep_call *calls,
		      size_t ncalls, int64_t *waits, int64_t now_ms)
{
	size_t nw = 0;

	for (size_t i = 0; i < ncalls; i++) {
		const struct crep_call *c = &calls[i];

		if (c->start_ms >= d->win_from_ms && c->start_ms < d->win_to_ms) {
			d->win_live += crep_is_live(c);
			d->win_abandons += crep_is_abandon(c);
			d->win_machines += crep_is_machine(c);
		}
		if (c->start_ms < d->from_ms || c->start_ms >= d->to_ms)
			continue;
		d->dials++;
		if (!c->answer_ms)
			continue;
		d->answers++;
		d->live += crep_is_live(c);
		d->abandons += crep_is_abandon(c);
		d->machines += crep_is_machine(c);
		if (c->amd[0])
			amd_count(d, c->amd);
		if (c->agent_ms) {
			int64_t end = c->end_ms ? c->end_ms : now_ms;
			int64_t w = c->agent_ms - c->answer_ms;
			waits[nw++] = w > 0 ? w : 0;
			if (end > c->agent_ms)
				d->talk_ms += end - c->agent_ms;
		}
	}
	d->amd_fp_est = d->amd_fp * d->machines;
	d->win_amd_fp_est = d->amd_fp * d->win_machines;
	d->waits = (unsigned)nw;
	if (!nw)
		return;
	qsort(waits, nw, sizeof(*waits), cmp_i64);
	for (size_t i = 0; i < nw; i++) {
		if (waits[i] <= 1000)
			d->wait_1s++;
		else if (waits[i] <= 2000)
			d->wait_2s++;
		else
			d->wait_over++;
	}
	d->wait_p50 = rank(waits, nw, 50);
	d->wait_p90 = rank(waits, nw, 90);
	d->wait_max = waits[nw - 1];
}

/* the agent's state s over [a, b), clipped to each day */
static void span(struct crep_day *days, size_t ndays, int s, int64_t a,
		 int64_t b)
{
	bool working = s == AS_IDLE || s == AS_RING || s == AS_BUSY ||
		s == AS_ACW;

	if (!working || b <= a)
		return;
	for (size_t i = 0; i < ndays; i++) {
		int64_t x = a > days[i].from_ms ? a : days[i].from_ms;
		int64_t y = b < days[i].to_ms ? b : days[i].to_ms;
		if (y <= x)
			continue;
		days[i].avail_ms += y - x;
		if (s != AS_IDLE)
			days[i].handle_ms += y - x;
	}
}

int crep_compute(struct crep_day *days, size_t ndays,
		 const struct crep_call *calls, size_t ncalls,
		 const struct crep_log *log, size_t nlog, int64_t now_ms)
{
	int64_t *waits = NULL;

	for (size_t i = 0; i < ndays; i++) {
		struct crep_day *d = &days[i];
		memset(&d->dials, 0, sizeof(*d) - offsetof(struct crep_day,
							    dials));
	}
	if (ncalls) {
		waits = malloc(ncalls * sizeof(*waits));
		if (!waits)
			return ENOMEM;
	}
	for (size_t i = 0; i < ndays; i++)
		day_calls(&days[i], calls, ncalls, waits, now_ms);
	free(waits);
	for (size_t i = 0; i < nlog; i++) {
		bool last = i + 1 == nlog || log[i + 1].agent_id !=
			log[i].agent_id;
		span(days, ndays, log[i].state, log[i].ts_ms,
		     last ? now_ms : log[i + 1].ts_ms);
	}
	return 0;
}

double crep_pct(unsigned part, unsigned whole)
{
	return whole ? 100.0 * part / whole : 0;
}

double crep_abandon_pct(unsigned abandons, unsigned live, double fp)
{
	double whole = live + fp;

	return whole > 0 ? 100.0 * (abandons + fp) / whole : 0;
}

/* ---- from the store ---- */

struct rows {
	struct crep_call *calls;
	size_t ncalls, ccap;
	struct crep_log *log;
	size_t nlog, lcap;
	int err;
};

static bool grow(void **p, size_t *cap, size_t n, size_t size)
{
	void *q;
	size_t c;

	if (n < *cap)
		return true;
	c = *cap ? *cap * 2 : 256;
	q = realloc(*p, c * size);
	if (!q)
		return false;
	*p = q;
	*cap = c;
	return true;
}

/* the verdict of "...&amd=MACHINE&..." */
static void amd_of(const char *vars, char *out, size_t sz)
{
	const char *p = vars;

	out[0] = '\0';
	while ((p = strstr(p, "amd=")) && p != vars && p[-1] != '&')
		p += 4;
	if (p) {
		size_t n = strcspn(p + 4, "&");
		snprintf(out, sz, "%.*s", (int)n, p + 4);
	}
}

void crep_call_of(struct crep_call *x, const struct st_campaign_call *c)
{
	x->start_ms = c->start_ms;
	x->answer_ms = c->answer_ms;
	x->agent_ms = c->agent_ms;
	x->end_ms = c->end_ms;
	amd_of(c->vars, x->amd, sizeof(x->amd));
}

static void call_row(const struct st_campaign_call *c, void *arg)
{
	struct rows *r = arg;
	struct crep_call *x;

	if (r->err)
		return;
	if (!grow((void **)&r->calls, &r->ccap, r->ncalls, sizeof(*x))) {
		r->err = ENOMEM;
		return;
	}
	crep_call_of(&r->calls[r->ncalls++], c);
}

static void log_row(const struct st_state_log *l, void *arg)
{
	struct rows *r = arg;

	if (r->err)
		return;
	if (!grow((void **)&r->log, &r->lcap, r->nlog, sizeof(*r->log))) {
		r->err = ENOMEM;
		return;
	}
	r->log[r->nlog++] = (struct crep_log){ l->agent_id, l->ts_ms,
		l->state };
}

static void list_row(const struct st_dial_count *c, void *arg)
{
	struct crep *r = arg;

	r->attempts += c->attempts;
	if (!c->result[0]) {
		r->waiting = c->rows;
		r->due = c->due;
	}
	else if (r->nlist < CREP_RESULTS) {
		snprintf(r->list[r->nlist].result,
			 sizeof(r->list[r->nlist].result), "%s", c->result);
		r->list[r->nlist++].n = c->rows;
	}
}

/* local midnight of y-m-d plus k days (mktime normalizes) */
static int64_t midnight(int y, int m, int d, int k, char *label)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1,
			 .tm_mday = d + k, .tm_isdst = -1 };
	time_t t = mktime(&tm);

	if (label)
		strftime(label, 11, "%Y-%m-%d", &tm);
	return (int64_t)t * 1000;
}

int crep_load(struct store *st, const struct st_campaign *c, const char *day,
	      int ndays, int64_t now_ms, struct crep *r)
{
	struct rows rows = { 0 };
	bool uk = !strcmp(c->profile, "uk");
	int y, m, d, err;
	char tail;

	if (ndays < 1 || ndays > CREP_MAX_DAYS)
		return EINVAL;
	if (day && day[0]) {
		if (strlen(day) != 10 || sscanf(day, "%4d-%2d-%2d%c", &y, &m,
						&d, &tail) != 3 ||
		    y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
			return EINVAL;
	}
	else {
		time_t t = (time_t)(now_ms / 1000);
		struct tm tm;
		localtime_r(&t, &tm);
		y = tm.tm_year + 1900;
		m = tm.tm_mon + 1;
		d = tm.tm_mday;
	}
	memset(r, 0, sizeof(*r));
	r->campaign_id = c->id;
	snprintf(r->profile, sizeof(r->profile), "%s", c->profile);
	r->ndays = (size_t)ndays;
	for (int i = 0; i < ndays; i++) {
		struct crep_day *x = &r->days[i];
		int k = i - (ndays - 1);
		x->amd_fp = c->amd_fp_permille / 1000.0;
		x->from_ms = midnight(y, m, d, k, x->day);
		x->to_ms = midnight(y, m, d, k + 1, NULL);
		if (uk) {
			x->win_to_ms = x->to_ms < now_ms ? x->to_ms : now_ms;
			x->win_from_ms = x->win_to_ms - 86400000;
		}
		else {
			x->win_from_ms = midnight(y, m, d, k + 1 -
						  CREP_WINDOW_DAYS, NULL);
			x->win_to_ms = x->to_ms;
		}
	}
	if (day && day[0] && strcmp(r->days[ndays - 1].day, day))
		return EINVAL;           /* 2026-02-31 */
	err = store_campaign_call_visit(st, c->team_id, c->id,
					r->days[0].win_from_ms < 0 ? 0 :
					r->days[0].win_from_ms,
					r->days[ndays - 1].to_ms, call_row,
					&rows);
	if (!err && c->group_id > 0)
		err = store_group_state_log_visit(st, c->group_id,
						  r->days[0].from_ms,
						  r->days[ndays - 1].to_ms,
						  log_row, &rows);
	if (!err)
		err = store_dial_count_visit(st, c->team_id, c->id, now_ms,
					     list_row, r);
	if (!err)
		err = rows.err;
	if (!err)
		err = crep_compute(r->days, r->ndays, rows.calls, rows.ncalls,
				   rows.log, rows.nlog, now_ms);
	free(rows.calls);
	free(rows.log);
	return err;
}

/* ---- JSON ---- */

static int amd_json(struct re_printf *pf, const struct crep_day *d)
{
	int err = re_hprintf(pf, "{");

	for (size_t i = 0; i < d->namd && !err; i++)
		err = re_hprintf(pf, "%s%H:%u", i ? "," : "", json_str_h,
				 d->amd[i].verdict, d->amd[i].n);
	return err ? err : re_hprintf(pf, "}");
}

static int day_json(struct re_printf *pf, const char *profile,
		    const struct crep_day *d)
{
	double hours = (double)d->avail_ms / 3600000.0;
	double talk = (double)d->talk_ms / 60000.0;
	char num[7][24];

	snprintf(num[0], sizeof(num[0]), "%.1f",
		 crep_abandon_pct(d->abandons, d->live, d->amd_fp_est));
	snprintf(num[1], sizeof(num[1]), "%.2f",
		 crep_abandon_pct(d->win_abandons, d->win_live,
				  d->win_amd_fp_est));
	snprintf(num[5], sizeof(num[5]), "%.1f", d->amd_fp_est);
	snprintf(num[6], sizeof(num[6]), "%.1f", d->win_amd_fp_est);
	snprintf(num[2], sizeof(num[2]), "%.2f", talk);
	snprintf(num[3], sizeof(num[3]), "%.3f", hours);
	snprintf(num[4], sizeof(num[4]), "%.1f", hours > 0 ? talk / hours : 0);
	int err = re_hprintf(pf, "{\"day\":\"%s\",\"dials\":%u,"
			     "\"answers\":%u,\"live\":%u,\"abandons\":%u,"
			     "\"machines\":%u,\"amd_fp_est\":%s,"
			     "\"abandon_pct\":%s,\"window\":{\"profile\":"
			     "%H,\"live\":%u,\"abandons\":%u,\"machines\":"
			     "%u,\"amd_fp_est\":%s,\"abandon_pct\":"
			     "%s},\"amd\":", d->day, d->dials, d->answers,
			     d->live, d->abandons, d->machines, num[5],
			     num[0], json_str_h, profile, d->win_live,
			     d->win_abandons, d->win_machines, num[6],
			     num[1]);
	if (!err)
		err = amd_json(pf, d);
	if (!err)
		err = re_hprintf(pf, ",\"talk_min\":%s,\"agent_hours\":%s,"
				 "\"talk_min_per_agent_hour\":%s,"
				 "\"occupancy_pct\":%u", num[2], num[3],
				 num[4], (unsigned)(d->avail_ms ? (d->handle_ms
				 * 100 + d->avail_ms / 2) / d->avail_ms : 0));
	if (!err)
		err = re_hprintf(pf, ",\"wait\":{\"answers\":%u,\"p50_ms\":"
				 "%lld,\"p90_ms\":%lld,\"max_ms\":%lld,"
				 "\"le_1s\":%u,\"le_2s\":%u,\"over_2s\":%u}}",
				 d->waits, (long long)d->wait_p50,
				 (long long)d->wait_p90,
				 (long long)d->wait_max, d->wait_1s,
				 d->wait_2s, d->wait_over);
	return err;
}

int crep_json(struct re_printf *pf, void *arg)
{
	const struct crep *r = arg;
	int err = re_hprintf(pf, "{\"campaignid\":%lld,\"profile\":%H,"
			     "\"list\":{\"waiting\":%lld,\"due\":%lld,"
			     "\"attempts\":%lld,\"results\":{",
			     (long long)r->campaign_id, json_str_h,
			     r->profile, (long long)r->waiting,
			     (long long)r->due, (long long)r->attempts);

	for (size_t i = 0; i < r->nlist && !err; i++)
		err = re_hprintf(pf, "%s%H:%lld", i ? "," : "", json_str_h,
				 r->list[i].result, (long long)r->list[i].n);
	if (!err)
		err = re_hprintf(pf, "}},\"days\":[");

	for (size_t i = 0; i < r->ndays && !err; i++) {
		if (i)
			err = re_hprintf(pf, ",");
		if (!err)
			err = day_json(pf, r->profile, &r->days[i]);
	}
	return err ? err : re_hprintf(pf, "]}");
}

/* ---- the operation (occ's addition) ---- */

void op_campaign_report(struct op_ctx *ctx, struct op_result *res)
{
	const char *const *a = ctx->args;
	struct st_campaign camp;
	struct crep *r;
	int ndays = 1, err;

	if (!import_campaign_of(ctx, a[P_CAMPAIGNID], &camp, res,
				IMPORT_LEADERS))
		return;
	if (a[P_DAYS][0]) {
		char *end;
		long v = strtol(a[P_DAYS], &end, 10);
		if (*end || v < 1 || v > CREP_MAX_DAYS) {
			res_set(res, OP_FAIL, BM_PARAM_ERROR, "days");
			return;
		}
		ndays = (int)v;
	}
	r = mem_zalloc(sizeof(*r), NULL);
	if (!r) {
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
		return;
	}
	err = crep_load(ctx->occ->st, &camp, a[P_DAY], ndays, ctx->now, r);
	if (err == EINVAL)
		res_set(res, OP_FAIL, BM_PARAM_ERROR, "day");
	else if (err)
		res_set(res, OP_FAIL, BM_IMPORT_STORAGE, NULL);
	else {
		res->json = true;
		res_data(res, OP_OK, "%H", crep_json, r);
	}
	mem_deref(r);
}
