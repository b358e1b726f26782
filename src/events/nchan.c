/*
 * nchan.c — the nchan publisher (see nchan.h).
 *
 * Each event becomes one message per channel (team, agent1, agent2),
 * sharing one reference-counted copy of the text. A message waits in the
 * queue of its lane (lane = hash(channel) % nchan_connections); each lane
 * has at most one POST in flight, with a deadline ([push] nchan_timeout).
 * At most nchan_queue messages wait in all lanes together; past that new
 * messages are dropped. Drops and failures are counted and logged at most
 * every LOG_INTERVAL_MS.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "events.nchan"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/events.h"
#include "events/httpout.h"
#include "events/nchan.h"

enum {
	CHANNEL_MAX = 160,
	RESP_MAX = 16 * 1024,
	LOG_INTERVAL_MS = 10000,
};

struct lane;

struct nchan {
	struct occ *occ;
	struct http_cli *cli;
	char base[600];            /* publish URL without a trailing '/' */
	struct lane *lanes;
	unsigned nlanes;
	unsigned queued, queue_max;
	uint32_t timeout_ms;
	uint64_t published, failed, dropped;
	uint64_t failed_logged, dropped_logged;
	uint64_t last_log_ms;
};

struct pubmsg {
	struct le le;
	char channel[CHANNEL_MAX];
	int64_t eventid;
	char *text;                /* shared between an event's channels */
};

struct lane {
	struct nchan *nc;
	struct list q;             /* struct pubmsg, head = in flight */
	struct http_req *req;
	struct tmr tmo;
	struct tmr kick;           /* the next message, outside libre's handler */
	size_t rx;
};

static void lane_next(struct lane *l);

static void kick_handler(void *arg)
{
	lane_next(arg);
}

/* Channel names: [A-Za-z0-9_.-] kept (team names are made of these),
 * anything else percent-encoded so it cannot leave the path segment. */
static int put_name(char *out, size_t size, size_t *len, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		int n;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-')
			n = re_snprintf(out + *len, size - *len, "%c", c);
		else
			n = re_snprintf(out + *len, size - *len, "%%%02X", c);
		if (n < 0 || *len + (size_t)n >= size - 1)
			return E2BIG;
		*len += (size_t)n;
	}
	return 0;
}

int nchan_team_channel(char *out, size_t size, const char *team)
{
	size_t len = 0;
	int n = re_snprintf(out, size, "team-");

	if (n < 0)
		return E2BIG;
	len = (size_t)n;
	return put_name(out, size, &len, team);
}

int nchan_agent_channel(char *out, size_t size, const char *team,
			const char *agent)
{
	size_t len;
	int n = re_snprintf(out, size, "agent-");

	if (n < 0)
		return E2BIG;
	len = (size_t)n;
	if (put_name(out, size, &len, team) ||
	    put_name(out, size, &len, "-") ||
	    put_name(out, size, &len, agent))
		return E2BIG;
	return 0;
}

static void pubmsg_destructor(void *arg)
{
	struct pubmsg *m = arg;

	list_unlink(&m->le);
	mem_deref(m->text);
}

static void report(struct nchan *nc)
{
	uint64_t now = tmr_jiffies();

	if (nc->failed == nc->failed_logged &&
	    nc->dropped == nc->dropped_logged)
		return;
	if (nc->last_log_ms && now - nc->last_log_ms < LOG_INTERVAL_MS)
		return;
	nc->last_log_ms = now;
	OCC_WARN("nchan publishing degraded failed=%llu dropped=%llu "
		 "published=%llu queued=%u",
		 (unsigned long long)nc->failed,
		 (unsigned long long)nc->dropped,
		 (unsigned long long)nc->published, nc->queued);
	nc->failed_logged = nc->failed;
	nc->dropped_logged = nc->dropped;
}

/* The head message of the lane is done (published or not). */
static void lane_done(struct lane *l, bool ok)
{
	struct pubmsg *m = list_ledata(l->q.head);

	tmr_cancel(&l->tmo);
	if (m) {
		mem_deref(m);
		l->nc->queued--;
	}
	if (ok)
		l->nc->published++;
	else
		l->nc->failed++;
	report(l->nc);
	tmr_start(&l->kick, 0, kick_handler, l);
}

static void resp_handler(int err, const struct http_msg *msg, void *arg)
{
	struct lane *l = arg;

	if (msg && msg->scode >= 200 && msg->scode <= 299) {
		lane_done(l, true);
		return;
	}
	OCC_DBG("nchan publish failed err=%m status=%u", err,
		msg ? msg->scode : 0);
	lane_done(l, false);
}

static int data_handler(const uint8_t *buf, size_t size,
			const struct http_msg *msg, void *arg)
{
	struct lane *l = arg;

	l->rx += size;
	return l->rx > RESP_MAX ? EOVERFLOW : 0;
}

static void timeout_handler(void *arg)
{
	struct lane *l = arg;

	l->req = mem_deref(l->req);
	lane_done(l, false);
}

static void lane_next(struct lane *l)
{
	struct nchan *nc = l->nc;

	if (tmr_isrunning(&l->kick))
		return;            /* kick_handler comes back here */
	while (!l->req && l->q.head) {
		struct pubmsg *m = l->q.head->data;
		size_t len = strlen(m->text);
		char url[sizeof(nc->base) + CHANNEL_MAX + 2];
		int err;

		re_snprintf(url, sizeof(url), "%s/%s", nc->base, m->channel);
		l->rx = 0;
		err = http_request(&l->req, nc->cli, "POST", url,
				   resp_handler, data_handler, l,
				   "Content-Type: text/plain; charset=utf-8\r\n"
				   "User-Agent: occ\r\n"
				   "Content-Length: %zu\r\n"
				   "\r\n%b", len, m->text, len);
		if (!err) {
			tmr_start(&l->tmo, nc->timeout_ms, timeout_handler, l);
			return;
		}
		l->req = NULL;
		OCC_DBG("nchan publish not sent channel=%s err=%m", m->channel,
			err);
		mem_deref(m);
		nc->queued--;
		nc->failed++;
		report(nc);
	}
}

static void enqueue(struct nchan *nc, const char *channel, int64_t eventid,
		    char *text)
{
	struct lane *l = &nc->lanes[hash_joaat_str(channel) % nc->nlanes];
	struct pubmsg *m;

	if (nc->queued >= nc->queue_max) {
		nc->dropped++;
		report(nc);
		return;
	}
	m = mem_zalloc(sizeof(*m), pubmsg_destructor);
	if (!m) {
		nc->dropped++;
		return;
	}
	str_ncpy(m->channel, channel, sizeof(m->channel));
	m->eventid = eventid;
	m->text = mem_ref(text);
	list_append(&l->q, &m->le, m);
	nc->queued++;
	lane_next(l);
}

static void on_event(const struct event *ev, void *arg)
{
	struct nchan *nc = arg;
	char ch[CHANNEL_MAX];
	char *text;

	if (str_dup(&text, ev->text)) {
		nc->dropped++;
		return;
	}
	if (!nchan_team_channel(ch, sizeof(ch), ev->team))
		enqueue(nc, ch, ev->eventid, text);
	if (ev->agent1 && *ev->agent1 &&
	    !nchan_agent_channel(ch, sizeof(ch), ev->team, ev->agent1))
		enqueue(nc, ch, ev->eventid, text);
	if (ev->agent2 && *ev->agent2 &&
	    (!ev->agent1 || strcmp(ev->agent1, ev->agent2)) &&
	    !nchan_agent_channel(ch, sizeof(ch), ev->team, ev->agent2))
		enqueue(nc, ch, ev->eventid, text);
	mem_deref(text);
}

static void nchan_destructor(void *arg)
{
	struct nchan *nc = arg;

	for (unsigned i = 0; i < nc->nlanes; i++) {
		struct lane *l = &nc->lanes[i];
		tmr_cancel(&l->tmo);
		tmr_cancel(&l->kick);
		l->req = mem_deref(l->req);   /* before the client */
		list_flush(&l->q);
	}
	mem_deref(nc->lanes);
	mem_deref(nc->cli);
}

int nchan_alloc(struct nchan **ncp, struct occ *occ)
{
	const struct conf *cfg;
	struct nchan *nc;
	size_t n;
	int err;

	if (!ncp || !occ || !occ->ev)
		return EINVAL;
	*ncp = NULL;
	cfg = occ->cfg;
	if (!cfg->nchan_publish_url[0])
		return 0;
	nc = mem_zalloc(sizeof(*nc), nchan_destructor);
	if (!nc)
		return ENOMEM;
	nc->occ = occ;
	nc->timeout_ms = cfg->nchan_timeout * 1000;
	nc->queue_max = cfg->nchan_queue;
	if (httpout_url(nc->base, sizeof(nc->base), cfg->nchan_publish_url)) {
		OCC_ERR("[push] nchan_publish_url is not a usable http(s) URL");
		mem_deref(nc);
		return EINVAL;
	}
	n = strlen(nc->base);
	while (n && nc->base[n - 1] == '/')
		nc->base[--n] = '\0';
	nc->nlanes = cfg->nchan_connections ? cfg->nchan_connections : 1;
	nc->lanes = mem_zalloc(nc->nlanes * sizeof(*nc->lanes), NULL);
	if (!nc->lanes) {
		mem_deref(nc);
		return ENOMEM;
	}
	for (unsigned i = 0; i < nc->nlanes; i++) {
		nc->lanes[i].nc = nc;
		tmr_init(&nc->lanes[i].tmo);
		tmr_init(&nc->lanes[i].kick);
	}
	err = httpout_client(&nc->cli);
	if (!err)
		err = events_sink_add(occ->ev, on_event, nc);
	if (err) {
		mem_deref(nc);
		return err;
	}
	char origin[128];
	httpout_origin(origin, sizeof(origin), nc->base);
	OCC_INFO("publishing events to nchan at %s", origin);
	*ncp = nc;
	return 0;
}

void nchan_stats(const struct nchan *nc, struct nchan_stats *out)
{
	*out = (struct nchan_stats){ 0 };
	if (!nc)
		return;
	out->queued = nc->queued;
	out->published = nc->published;
	out->failed = nc->failed;
	out->dropped = nc->dropped;
}
