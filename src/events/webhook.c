/*
 * webhook.c — backend event POST with the event log as durable outbox
 * (see webhook.h).
 *
 * One sender per team that has (or had, since start) an event_url. Its
 * states: idle (nothing after the cursor, or no address), kicked (tmr at
 * 0 ms), sending (req set, deadline tmo running), backing off (tmr running,
 * failures > 0). At most one request per team is in flight, which is what
 * keeps the POSTs in eventid order; teams are independent of each other.
 * Everything is asynchronous on the loop: a slow or dead receiver costs a
 * socket and a timer, never a blocked loop.
 *
 * Events are read from the store a few at a time (BATCH) into the sender;
 * they are immutable, so the batch stays valid across address changes.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "events.webhook"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "store/store.h"
#include "events/events.h"
#include "events/httpout.h"
#include "events/webhook.h"

enum {
	BATCH = 16,                /* events read from the store at once */
	RESP_MAX = 64 * 1024,      /* response body bytes we accept */
	LOG_EVERY = 10,            /* a warning every N consecutive failures */
};

static const char SINK[] = WEBHOOK_SINK;

struct webhook {
	struct occ *occ;
	struct http_cli *cli;
	struct list senders;
	struct tmr start;
	uint32_t timeout_ms, retry_min_ms, retry_max_ms;
};

struct queued {
	int64_t eventid;
	char *text;
};

struct sender {
	struct le le;
	struct webhook *wh;
	int64_t team_id;
	char team[ST_NAME];
	bool have_cursor;
	int64_t cursor;            /* last delivered eventid (persisted) */
	struct queued batch[BATCH];
	unsigned nbatch, ibatch;
	struct http_req *req;      /* the POST in flight */
	struct tmr tmr;            /* kick or retry */
	struct tmr tmo;            /* deadline of req */
	char url[ST_URL];          /* the address of the current attempt */
	char bad_url[ST_URL];      /* last address reported as unusable */
	uint32_t delay_ms;         /* the next retry delay */
	unsigned failures;         /* consecutive failed attempts */
	size_t rx;                 /* response body bytes so far */
};

static void send_next(void *arg);

static void batch_clear(struct sender *s)
{
	for (unsigned i = 0; i < s->nbatch; i++)
		s->batch[i].text = mem_deref(s->batch[i].text);
	s->nbatch = s->ibatch = 0;
}

static void abort_req(struct sender *s)
{
	tmr_cancel(&s->tmo);
	s->req = mem_deref(s->req);   /* no callback follows */
}

static void sender_destructor(void *arg)
{
	struct sender *s = arg;

	abort_req(s);
	tmr_cancel(&s->tmr);
	list_unlink(&s->le);
	batch_clear(s);
}

static struct sender *sender_find(struct webhook *wh, int64_t team_id)
{
	struct le *le;

	LIST_FOREACH(&wh->senders, le) {
		struct sender *s = le->data;
		if (s->team_id == team_id)
			return s;
	}
	return NULL;
}

static struct sender *sender_get(struct webhook *wh, const struct team *t)
{
	struct sender *s = sender_find(wh, t->id);

	if (s)
		return s;
	s = mem_zalloc(sizeof(*s), sender_destructor);
	if (!s)
		return NULL;
	s->wh = wh;
	s->team_id = t->id;
	str_ncpy(s->team, t->name, sizeof(s->team));
	s->delay_ms = wh->retry_min_ms;
	tmr_init(&s->tmr);
	tmr_init(&s->tmo);
	list_append(&wh->senders, &s->le, s);
	return s;
}

/* Start sending unless a request or a retry is already under way. */
static void kick(struct sender *s)
{
	if (s->req || tmr_isrunning(&s->tmr))
		return;
	tmr_start(&s->tmr, 0, send_next, s);
}

/* Drop whatever is under way (the address changed): the event is sent
 * again, to the new address, without waiting for the backoff. */
static void restart(struct sender *s)
{
	abort_req(s);
	tmr_cancel(&s->tmr);
	s->failures = 0;
	s->delay_ms = s->wh->retry_min_ms;
	kick(s);
}

static void failed(struct sender *s, const char *why, int err, uint16_t scode)
{
	const struct queued *q = s->ibatch < s->nbatch
		? &s->batch[s->ibatch] : NULL;
	char origin[128];

	s->failures++;
	if (s->failures > 1) {
		s->delay_ms = s->delay_ms > s->wh->retry_max_ms / 2
			? s->wh->retry_max_ms : s->delay_ms * 2;
	}
	else {
		s->delay_ms = s->wh->retry_min_ms;
	}
	if (s->delay_ms > s->wh->retry_max_ms)
		s->delay_ms = s->wh->retry_max_ms;
	httpout_origin(origin, sizeof(origin), s->url);
	if (s->failures == 1 || s->failures % LOG_EVERY == 0)
		OCC_WARN("event POST failed team=%s eventid=%lld to=%s why=%s "
			 "err=%m status=%u failures=%u retry_ms=%u", s->team,
			 (long long)(q ? q->eventid : s->cursor + 1),
			 origin, why, err, scode, s->failures, s->delay_ms);
	else
		OCC_DBG("event POST failed team=%s to=%s why=%s err=%m "
			"status=%u failures=%u retry_ms=%u", s->team, origin,
			why, err, scode, s->failures, s->delay_ms);
	tmr_start(&s->tmr, s->delay_ms, send_next, s);
}

static void delivered(struct sender *s)
{
	const struct queued *q = &s->batch[s->ibatch];
	int err;

	if (s->failures) {
		char origin[128];
		httpout_origin(origin, sizeof(origin), s->url);
		OCC_INFO("event POST delivering again team=%s to=%s after "
			 "failures=%u", s->team, origin, s->failures);
	}
	s->failures = 0;
	s->delay_ms = s->wh->retry_min_ms;
	s->cursor = q->eventid;
	err = store_cursor_set(s->wh->occ->st, s->team_id, SINK, s->cursor);
	if (err)   /* keep going: after a crash more events arrive twice */
		OCC_ERR("cannot save the delivery cursor team=%s eventid=%lld:"
			" %m", s->team, (long long)s->cursor, err);
	OCC_DBG("event delivered team=%s eventid=%lld", s->team,
		(long long)s->cursor);
	s->ibatch++;
	kick(s);
}

static void resp_handler(int err, const struct http_msg *msg, void *arg)
{
	struct sender *s = arg;

	/* libre cleared s->req before calling us */
	tmr_cancel(&s->tmo);
	/* a 2xx counts even if the body was cut (too long, closed early) */
	if (msg && msg->scode >= 200 && msg->scode <= 299) {
		delivered(s);
		return;
	}
	failed(s, msg ? "status" : "transport", err, msg ? msg->scode : 0);
}

static int data_handler(const uint8_t *buf, size_t size,
			const struct http_msg *msg, void *arg)
{
	struct sender *s = arg;

	s->rx += size;
	return s->rx > RESP_MAX ? EOVERFLOW : 0;
}

static void timeout_handler(void *arg)
{
	struct sender *s = arg;

	s->req = mem_deref(s->req);
	failed(s, "timeout", ETIMEDOUT, 0);
}

static void on_row(const struct st_event *e, void *arg)
{
	struct sender *s = arg;
	struct queued *q;

	if (s->nbatch == BATCH || e->eventid <= s->cursor)
		return;
	q = &s->batch[s->nbatch];
	if (str_dup(&q->text, e->text))
		return;            /* ENOMEM: the batch ends here */
	q->eventid = e->eventid;
	s->nbatch++;
}

static int load_cursor(struct sender *s)
{
	struct store *st = s->wh->occ->st;
	int64_t last = 0;
	int err;

	err = store_cursor_get(st, s->team_id, SINK, &s->cursor);
	if (err)
		return err;
	/* a cursor past the log (a store restored from an older copy)
	 * would hide the new events behind it */
	if (!store_event_last(st, s->team_id, &last) && s->cursor > last) {
		OCC_WARN("delivery cursor past the last event, reset team=%s "
			 "cursor=%lld last=%lld", s->team,
			 (long long)s->cursor, (long long)last);
		s->cursor = last;
	}
	s->have_cursor = true;
	OCC_DBG("sender team=%s cursor=%lld", s->team, (long long)s->cursor);
	return 0;
}

static void send_next(void *arg)
{
	struct sender *s = arg;
	struct webhook *wh = s->wh;
	const struct team *t = team_find(wh->occ->m, s->team);
	const char *url = t && t->id == s->team_id
		? team_setting(t, "event_url") : NULL;
	char u[ST_URL + 16];
	struct mbuf *body;
	int err;

	if (!t || t->id != s->team_id) {   /* the team was deleted */
		mem_deref(s);
		return;
	}
	if (!url || !*url) {               /* no address: idle, keep cursor */
		s->url[0] = '\0';
		s->failures = 0;
		s->delay_ms = wh->retry_min_ms;
		return;
	}
	str_ncpy(s->url, url, sizeof(s->url));
	if (!s->have_cursor) {
		err = load_cursor(s);
		if (err) {
			failed(s, "store", err, 0);
			return;
		}
	}
	if (s->ibatch == s->nbatch) {
		batch_clear(s);
		/* only committed events leave (group commit, store.h) */
		(void)store_sync(wh->occ->st);
		err = store_event_visit(wh->occ->st, s->team_id, s->cursor,
					NULL, BATCH, on_row, s);
		if (err) {
			batch_clear(s);
			failed(s, "store", err, 0);
			return;
		}
		if (!s->nbatch)
			return;            /* all delivered: idle */
	}
	if (httpout_url(u, sizeof(u), url)) {
		if (strcmp(s->bad_url, url)) {
			str_ncpy(s->bad_url, url, sizeof(s->bad_url));
			OCC_ERR("unusable event_url team=%s (expected http:// or "
				"https://host[:port]/path)", s->team);
		}
		failed(s, "url", EINVAL, 0);
		return;
	}
	body = mbuf_alloc(1024);
	if (!body) {
		failed(s, "memory", ENOMEM, 0);
		return;
	}
	const struct queued *q = &s->batch[s->ibatch];
	err = httpout_form(body, q->text);
	s->rx = 0;
	if (!err)
		err = http_request(&s->req, wh->cli, "POST", u, resp_handler,
				   data_handler, s,
				   "Content-Type: application/x-www-form-"
				   "urlencoded\r\n"
				   "User-Agent: occ\r\n"
				   "X-Occ-Team: %s\r\n"
				   "X-Occ-Eventid: %lld\r\n"
				   "Content-Length: %zu\r\n"
				   "\r\n%b",
				   s->team, (long long)q->eventid, body->end,
				   body->buf, body->end);
	mem_deref(body);
	if (err) {
		s->req = NULL;
		failed(s, "request", err, 0);
		return;
	}
	tmr_start(&s->tmo, wh->timeout_ms, timeout_handler, s);
}

static void on_event(const struct event *ev, void *arg)
{
	struct webhook *wh = arg;
	struct sender *s = sender_find(wh, ev->team_id);

	if (!s) {
		const struct team *t = team_find(wh->occ->m, ev->team);
		const char *url = t ? team_setting(t, "event_url") : NULL;
		if (!url || !*url)
			return;
		s = sender_get(wh, t);
		if (!s)
			return;    /* ENOMEM: picked up at the next event */
	}
	kick(s);
}

void webhook_reload(struct webhook *wh)
{
	struct le *le;

	if (!wh)
		return;
	/* teams with an address get a sender (a new address: the backlog) */
	LIST_FOREACH(&wh->occ->m->teams, le) {
		const struct team *t = le->data;
		const char *url = team_setting(t, "event_url");
		if (url && *url)
			(void)sender_get(wh, t);
	}
	le = wh->senders.head;
	while (le) {
		struct sender *s = le->data;
		const struct team *t = team_find(wh->occ->m, s->team);
		const char *url;

		le = le->next;
		if (!t || t->id != s->team_id) {
			mem_deref(s);
			continue;
		}
		url = team_setting(t, "event_url");
		if (!url)
			url = "";
		if (strcmp(url, s->url) && (s->req || s->failures)) {
			char origin[128];
			httpout_origin(origin, sizeof(origin), url);
			OCC_INFO("event_url changed team=%s to=%s: resending "
				 "at once", s->team, *url ? origin : "(none)");
			restart(s);
		}
		else {
			kick(s);
		}
	}
}

static void start_handler(void *arg)
{
	webhook_reload(arg);
}

static void webhook_destructor(void *arg)
{
	struct webhook *wh = arg;

	tmr_cancel(&wh->start);
	list_flush(&wh->senders);  /* aborts requests before the client */
	mem_deref(wh->cli);
}

int webhook_alloc(struct webhook **whp, struct occ *occ)
{
	struct webhook *wh;
	int err;

	if (!whp || !occ || !occ->ev)
		return EINVAL;
	wh = mem_zalloc(sizeof(*wh), webhook_destructor);
	if (!wh)
		return ENOMEM;
	wh->occ = occ;
	wh->timeout_ms = occ->cfg->webhook_timeout * 1000;
	wh->retry_min_ms = occ->cfg->webhook_retry_min * 1000;
	wh->retry_max_ms = occ->cfg->webhook_retry_max * 1000;
	if (wh->retry_max_ms < wh->retry_min_ms)
		wh->retry_max_ms = wh->retry_min_ms;
	tmr_init(&wh->start);
	err = httpout_client(&wh->cli);
	if (!err)
		err = events_sink_add(occ->ev, on_event, wh);
	if (err) {
		mem_deref(wh);
		return err;
	}
	/* the backlog of teams with an address, once the loop runs */
	tmr_start(&wh->start, 0, start_handler, wh);
	*whp = wh;
	return 0;
}

void webhook_backlog(const struct webhook *wh, webhook_backlog_h *h, void *arg)
{
	struct le *le;

	if (!wh)
		return;
	LIST_FOREACH(&wh->senders, le) {
		const struct sender *s = le->data;
		int64_t last;
		if (!s->url[0] || !s->have_cursor)
			continue;
		/* eventids are consecutive per team (events/bus.c) */
		last = events_last(wh->occ->ev, s->team);
		h(s->team, last > s->cursor ? (uint64_t)(last - s->cursor) : 0,
		  arg);
	}
}
