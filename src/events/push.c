/*
 * push.c — browser event delivery (see push.h).
 *
 * A subscriber (struct sub) is one HTTP request: an SSE stream, a waiting
 * long-poll or a waiting push-stream pull. All subscribers are in one list;
 * the bus sink walks it for every event (bounded by [push] max_subscribers,
 * 4096 by default). A subscriber is freed when its connection ends (the
 * httpd close handler), when it is answered, or when occd stops.
 *
 * SSE catch-up runs in pages of PAGE events from the store, one page per
 * loop turn, and waits while more than half of PUSH_SSE_PENDING bytes are
 * still unsent; only when a page comes back short is the subscriber live.
 * While it is catching up the sink ignores it: whatever is published
 * meanwhile is in the store already and the next page reads it.
 *
 * Fan-out is sliced: the sink only queues the event (struct fanout) and
 * makes an eventfd readable; while it stays readable, every loop pass
 * delivers for at most FANOUT_SLICE_US (the clock is read every
 * FANOUT_CLOCK_EVERY deliveries; a time, not a count, since a send's cost
 * varies: on loopback it carries the receiver's work, on a loaded machine
 * it is preempted) and looks at at most FANOUT_LOOK subscribers, resuming
 * where it stopped, events in the order published. (Not a zero timer:
 * libre then waits 1 ms in epoll_wait between slices, and on a busy
 * machine each such sleep costs a scheduler wake-up; a ready descriptor
 * makes the next pass start at once, with whatever else is ready in the
 * same epoll_wait.) Before each slice the before_pass hook runs: occd
 * serves the API's ready sockets there (httpd_serve_ready), since the
 * always-ready eventfd tends to come first in epoll's list and a request
 * would otherwise wait for the slice under way and then one more. So the
 * API request that published the event is answered first, and any request
 * arriving while 10,000 streams are fed waits for at most the slice under
 * way (~0.2 ms), not for the whole fan-out (~0.1 s). A
 * subscriber that comes or goes meanwhile is handled by the cursor
 * (push.fan_next); one that becomes live meanwhile read the store, which
 * already holds the queued events, so its `last` skips them. Should the
 * queue reach FANOUT_QUEUE_MAX events (a publisher far faster than the
 * fan-out), it is dropped and every live subscriber catches up from the
 * store instead, as after a reconnect: nothing is lost, memory stays
 * bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "events.push"
#include "base/log.h"
#include "base/conf.h"
#include "base/form.h"
#include "base/hist.h"
#include "core/agent.h"
#include "core/auth.h"
#include "core/model.h"
#include "core/pwhash.h"
#include "core/occ.h"
#include "api/api.h"
#include "events/events.h"
#include "events/push.h"

enum {
	PAGE = 64,
	KEEPALIVE_MS = 15000,
	SSE_RETRY_MS = 3000,
	SSE_HOLD_MAX = 1000,        /* ms: /push/sse?hold= */
	CB_MAX = 128,
	/* the extension's client polls again at once, even after an error:
	 * an error waits this long, so a bad channel costs a request every
	 * few seconds, not a loop */
	HELD_ERROR_MS = 3000,
	FANOUT_SLICE_US = 200,      /* a loop pass's fan-out time at most */
	FANOUT_CLOCK_EVERY = 8,     /* deliveries between looks at the clock */
	FANOUT_LOOK = 4096,         /* subscribers looked at per loop pass */
	FANOUT_QUEUE_MAX = 4096,    /* events waiting for their fan-out */
};

enum sub_kind { SUB_SSE, SUB_POLL, SUB_PULL };

struct push {
	struct occ *occ;
	uint8_t key[crypto_auth_hmacsha256_KEYBYTES];
	struct list subs;
	unsigned nsubs;
	struct hash *tallies;       /* struct tally: subscribers per team and
				     * per channel, for room_for() */
	struct list held;           /* struct held: errors waiting */
	unsigned nheld;
	struct list fanq;           /* struct fanout, oldest first */
	unsigned nfanq;
	struct sub *fan_next;       /* the head event's next subscriber */
	bool fan_started;           /* the head event's walk has begun */
	int fan_fd;                 /* eventfd: readable while fanq has some */
	bool fan_armed;
	struct hist fan_passes;     /* fan_slice()'s time per loop pass */
	void (*before_pass)(void *arg);  /* push_set_before_pass() */
	void *before_arg;
};

/* A published event waiting for (the rest of) its fan-out. */
struct fanout {
	struct le le;               /* push.fanq */
	struct push *p;
	struct event ev;            /* strings in this allocation */
	struct mbuf *frame;         /* its SSE frame, made once for all */
};

struct sub {
	struct le le;               /* push.subs */
	struct push *p;
	enum sub_kind kind;
	int64_t team_id;
	char team[ST_NAME];
	char agent[ST_NUM];         /* "" for the team channel */
	int64_t exp;                /* token expiry, unix s */
	char token[PUSH_TOKEN_MAX]; /* checked again on reload and keepalive */
	int64_t last;               /* newest eventid sent (or the cursor) */
	int64_t since;              /* pull: If-Modified-Since (unix s), 0;
				     * only for Last-Modified once waiting */
	bool live;                  /* the sink delivers */
	bool counted;               /* in push.tallies */
	bool flat;                  /* pull on "<org>-<agent>-<md5>": the
				     * original extension's lines of fields */
	char epoch[ST_HASH];        /* flat: the agent's password hash */
	struct http_async *ha;
	struct tmr tmr;
	char callback[CB_MAX + 1];  /* poll/pull: JSONP, "" for none */
};

/* How many subscribers a team (agent NULL) or one of its channels has:
 * room_for() asks at each subscribe, and walking every subscriber there
 * made connecting N subscribers cost N^2. */
struct tally {
	struct le he;               /* push.tallies */
	int64_t team_id;
	bool team_wide;             /* the team's total, not one channel */
	char agent[ST_NUM];
	unsigned n;
};

struct tally_key {
	int64_t team_id;
	const char *agent;          /* NULL: the team's total */
};

static uint32_t tally_hash(const struct tally_key *k)
{
	return hash_joaat_str(k->agent ? k->agent : "") ^
		(uint32_t)(k->team_id * 2654435761u) ^ (k->agent ? 0 : 1);
}

static bool tally_cmp(struct le *le, void *arg)
{
	const struct tally *t = le->data;
	const struct tally_key *k = arg;

	return t->team_id == k->team_id && t->team_wide == !k->agent &&
		(!k->agent || !strcmp(t->agent, k->agent));
}

static struct tally *tally_find(const struct push *p, int64_t team_id,
				const char *agent)
{
	struct tally_key k = { team_id, agent };
	struct le *le = hash_lookup(p->tallies, tally_hash(&k), tally_cmp, &k);

	return le ? le->data : NULL;
}

static unsigned tally_count(const struct push *p, int64_t team_id,
			    const char *agent)
{
	const struct tally *t = tally_find(p, team_id, agent);

	return t ? t->n : 0;
}

/* Adds delta (+1 or -1) to a count, freeing it at 0. ENOMEM: not linked. */
static int tally_add(struct push *p, int64_t team_id, const char *agent,
		     int delta)
{
	struct tally_key k = { team_id, agent };
	struct tally *t = tally_find(p, team_id, agent);

	if (!t) {
		if (delta < 0)
			return 0;
		t = mem_zalloc(sizeof(*t), NULL);
		if (!t)
			return ENOMEM;
		t->team_id = team_id;
		t->team_wide = !agent;
		str_ncpy(t->agent, agent ? agent : "", sizeof(t->agent));
		hash_append(p->tallies, tally_hash(&k), &t->he, t);
	}
	t->n += delta;
	if (!t->n) {
		hash_unlink(&t->he);
		mem_deref(t);
	}
	return 0;
}

/* ---- tokens ------------------------------------------------------------ */

static int key_load(struct push *p, const char *data_dir)
{
	char path[600];
	int fd, err = 0;
	ssize_t n;

	re_snprintf(path, sizeof(path), "%s/push.key", data_dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, p->key, sizeof(p->key));
		close(fd);
		if (n == (ssize_t)sizeof(p->key))
			return 0;
	}
	randombytes_buf(p->key, sizeof(p->key));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	if (write(fd, p->key, sizeof(p->key)) != (ssize_t)sizeof(p->key))
		err = EIO;
	close(fd);
	return err;
}

/* Who asked for a token: the credential it stays bound to. */
enum { BY_AGENT = 1, BY_ACCOUNT = 2 };

struct token {
	int64_t team_id, agent_id, exp, by, by_id;
};

/* The MAC covers the principal's credential epoch, its stored password
 * hash: every password change stores a hash with a new random salt, so
 * the tokens issued before no longer verify. */
static int token_print(const struct push *p, char *out, size_t size,
		       const struct token *tk, const char *epoch)
{
	uint8_t mac[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	char body[128];
	int n;

	n = re_snprintf(body, sizeof(body), "2-%lld-%lld-%lld-%lld-%lld",
			(long long)tk->team_id, (long long)tk->agent_id,
			(long long)tk->exp, (long long)tk->by,
			(long long)tk->by_id);
	if (n < 0 || (size_t)n >= sizeof(body))
		return E2BIG;
	crypto_auth_hmacsha256_init(&st, p->key, sizeof(p->key));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)"occ-push:", 9);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)body,
				      (size_t)n + 1);
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)epoch,
				      strlen(epoch));
	crypto_auth_hmacsha256_final(&st, mac);
	n = re_snprintf(out, size, "%s-%w", body, mac, (size_t)16);
	return n < 0 || (size_t)n >= size ? E2BIG : 0;
}

int push_token(const struct push *p, const struct team *t,
	       const struct agent *a, const struct agent *by_agent,
	       const struct account *by_account, unsigned ttl_s, char *tok,
	       size_t size, int64_t *expp)
{
	struct token tk = { .exp = (int64_t)time(NULL) + ttl_s };

	if (!p || !t || (!by_agent == !by_account))
		return EINVAL;
	tk.team_id = t->id;
	tk.agent_id = a ? a->id : 0;
	tk.by = by_agent ? BY_AGENT : BY_ACCOUNT;
	tk.by_id = by_agent ? by_agent->id : by_account->id;
	if (expp)
		*expp = tk.exp;
	return token_print(p, tok, size, &tk,
			   by_agent ? by_agent->pwhash : by_account->pwhash);
}

/* A decimal int64 in [0, 10^18): digits only, nothing else. */
static bool dec(const char *s, size_t n, int64_t *v)
{
	int64_t x = 0;

	if (!n || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return true;
}

static const struct team *team_by_id(const struct model *m, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&m->teams, le) {
		const struct team *t = le->data;
		if (t->id == id)
			return t;
	}
	return NULL;
}

static const struct agent *agent_by_id(const struct team *t, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&t->agent_list, le) {
		const struct agent *a = le->data;
		if (a->id == id)
			return a;
	}
	return NULL;
}

static const struct account *account_by_id(const struct team *t, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&t->accounts, le) {
		const struct account *ac = le->data;
		if (ac->id == id)
			return ac;
	}
	return NULL;
}

/* The credential epoch of the token's principal if it may still have the
 * token's channel — the same rights pushToken checked: an enabled
 * account, or an agent whose account (if any) is enabled and who, for the
 * team channel, still leads a group. NULL: revoked. */
static const char *principal_epoch(const struct team *t,
				   const struct token *tk)
{
	if (tk->by == BY_ACCOUNT) {
		const struct account *ac = account_by_id(t, tk->by_id);
		return ac && ac->enabled ? ac->pwhash : NULL;
	}
	if (tk->by == BY_AGENT) {
		const struct agent *a = agent_by_id(t, tk->by_id);
		if (!a || (a->account && !a->account->enabled))
			return NULL;
		if (tk->agent_id ? tk->agent_id != a->id : !agent_leads_any(a))
			return NULL;
		return a->pwhash;
	}
	return NULL;
}

/* 0 and the channel, EACCES (not ours, its team/agent is gone, or its
 * principal lost the right or changed the password) or ETIMEDOUT
 * (expired). The token is parsed, printed again with our MAC and
 * compared in constant time. */
static int token_check(const struct push *p, const char *tok,
		       const struct team **tp, const struct agent **ap,
		       int64_t *expp)
{
	int64_t f[6];
	char want[PUSH_TOKEN_MAX];
	const char *s = tok, *epoch;
	const struct team *t;
	const struct agent *a = NULL;
	struct token tk;
	size_t n = tok ? strlen(tok) : 0;

	if (!n || n >= sizeof(want))
		return EACCES;
	for (int i = 0; i < 6; i++) {
		const char *dash = strchr(s, '-');
		if (!dash || !dec(s, (size_t)(dash - s), &f[i]))
			return EACCES;
		s = dash + 1;
	}
	tk = (struct token){ .team_id = f[1], .agent_id = f[2], .exp = f[3],
			     .by = f[4], .by_id = f[5] };
	t = f[0] == 2 ? team_by_id(p->occ->m, tk.team_id) : NULL;
	if (!t)
		return EACCES;
	if (tk.agent_id) {
		a = agent_by_id(t, tk.agent_id);
		if (!a)
			return EACCES;
	}
	epoch = principal_epoch(t, &tk);
	if (!epoch || token_print(p, want, sizeof(want), &tk, epoch) ||
	    strlen(want) != n || sodium_memcmp(want, tok, n))
		return EACCES;
	if (tk.exp < (int64_t)time(NULL))
		return ETIMEDOUT;
	*tp = t;
	*ap = a;
	*expp = tk.exp;
	return 0;
}

/* ---- subscribers ------------------------------------------------------- */

static const char *const kind_names[] = { "sse", "poll", "pull" };

static void sub_destructor(void *arg)
{
	struct sub *s = arg;

	tmr_cancel(&s->tmr);
	if (s->le.list) {
		if (s->p->fan_next == s)
			s->p->fan_next = s->le.next ? s->le.next->data : NULL;
		list_unlink(&s->le);
		s->p->nsubs--;
		if (s->counted) {
			tally_add(s->p, s->team_id, NULL, -1);
			tally_add(s->p, s->team_id, s->agent, -1);
		}
		OCC_DBG("unsubscribed %s team=%s agent=%s last=%lld "
			"subscribers=%u", kind_names[s->kind], s->team,
			s->agent, (long long)s->last, s->p->nsubs);
	}
	if (s->ha)
		http_async_close(s->ha);
}

/* httpd: the connection is gone (client, error, occd stopping). */
static void sub_closed(void *arg)
{
	struct sub *s = arg;

	s->ha = NULL;
	mem_deref(s);
}

static bool matches(const struct sub *s, const struct event *ev)
{
	return ev->team_id == s->team_id &&
		(!s->agent[0] || !strcmp(ev->agent1, s->agent) ||
		 !strcmp(ev->agent2, s->agent));
}

/* Room for one more subscriber on this channel? ([push] max_subscribers,
 * max_per_team, max_per_channel) */
static bool room_for(const struct push *p, int64_t team_id, const char *agent)
{
	const struct conf *cfg = p->occ->cfg;

	return p->nsubs < cfg->push_max_subscribers &&
		tally_count(p, team_id, NULL) < cfg->push_max_per_team &&
		tally_count(p, team_id, agent) < cfg->push_max_per_channel;
}

static struct sub *sub_new(struct push *p, enum sub_kind kind,
			   const struct team *t, const struct agent *a,
			   int64_t exp, const char *token)
{
	struct sub *s = mem_zalloc(sizeof(*s), sub_destructor);

	if (!s)
		return NULL;
	s->p = p;
	s->kind = kind;
	s->team_id = t->id;
	str_ncpy(s->team, t->name, sizeof(s->team));
	str_ncpy(s->agent, a ? a->number : "", sizeof(s->agent));
	s->exp = exp;
	str_ncpy(s->token, token, sizeof(s->token));
	tmr_init(&s->tmr);
	return s;
}

/* Does the subscriber's token still hold (principal, rights, password)? */
static bool sub_token_valid(const struct sub *s)
{
	const struct team *t;
	const struct agent *a;
	int64_t exp;

	if (s->flat) {
		/* the channel was the agent's password: it holds while that
		 * does (same hash) and the agent's account is enabled */
		t = team_by_id(s->p->occ->m, s->team_id);
		a = t ? agent_find(t, s->agent) : NULL;
		return a && !strcmp(a->pwhash, s->epoch) &&
			(!a->account || a->account->enabled);
	}
	return !token_check(s->p, s->token, &t, &a, &exp);
}

static void sub_link(struct sub *s)
{
	list_append(&s->p->subs, &s->le, s);
	s->p->nsubs++;
	if (!tally_add(s->p, s->team_id, NULL, 1)) {
		if (!tally_add(s->p, s->team_id, s->agent, 1))
			s->counted = true;
		else
			tally_add(s->p, s->team_id, NULL, -1);
	}
	OCC_DBG("subscribed %s team=%s agent=%s after=%lld subscribers=%u",
		kind_names[s->kind], s->team, s->agent, (long long)s->last,
		s->p->nsubs);
}

/* ---- replies ----------------------------------------------------------- */

static void cors(const struct push *p, struct http_resp *resp)
{
	http_resp_header(resp, "Access-Control-Allow-Origin",
			 p->occ->cfg->cors_origin);
}

static void refuse(const struct push *p, struct http_resp *resp,
		   unsigned status, const char *why)
{
	http_resp_set(resp, status, "text/plain; charset=utf-8", "%s\n", why);
	http_resp_header(resp, "Cache-Control", "no-store");
	cors(p, resp);
}

static void refuse_token(const struct push *p, struct http_resp *resp,
			 int err)
{
	refuse(p, resp, 403, err == ETIMEDOUT ? "token expired"
	       : "bad token");
}

/* "Tue, 05 Mar 2024 10:00:00 GMT" */
static void http_date(char out[40], int64_t unix_s)
{
	time_t t = (time_t)unix_s;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 40, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* An HTTP date or unix seconds; 0 if neither. */
static int64_t parse_since(const char *s)
{
	struct tm tm;
	int64_t v;
	const char *end;

	if (!s || !*s)
		return 0;
	if (dec(s, strlen(s), &v))
		return v;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (!end || *end)
		return 0;
	return (int64_t)timegm(&tm);
}

/* An eventid from an Etag or Last-Event-ID: optional W/ and quotes. */
static bool parse_id(const char *s, int64_t *v)
{
	size_t n;

	if (!s)
		return false;
	if (!strncmp(s, "W/", 2))
		s += 2;
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		s++;
		n -= 2;
	}
	return dec(s, n, v);
}

/* ---- the original extension's lines ------------------------------------- */

/* One bus message (key=value&..., values percent-escaped: callev.h) as
 * the JSON object of its fields and "\r\n", the line the extension's
 * client parses. It turns every ' into " before parsing, so none is left:
 * a value's ' is written \u0027. */
static int flat_line(struct mbuf *mb, const char *text)
{
	char *val = NULL;
	struct mbuf *tmp = mbuf_alloc(strlen(text) * 2 + 16);
	bool first = true;
	int err = tmp ? 0 : ENOMEM;

	while (!err && *text) {
		size_t n = strcspn(text, "&"), k = strcspn(text, "=");
		long vn;
		if (k < n) {
			val = mem_zalloc(n - k, NULL);
			if (!val) {
				err = ENOMEM;
				break;
			}
			vn = url_decode(val, text + k + 1, n - k - 1, 0);
			if (vn < 0)   /* not ours to fix: the raw text */
				str_ncpy(val, text + k + 1, n - k);
			err = mbuf_printf(tmp, "%s\"%b\":%H", first ? "{" : ",",
					  text, k, json_str_h, val);
			val = mem_deref(val);
			first = false;
		}
		text += n + (text[n] == '&');
	}
	if (!err)
		err = mbuf_printf(tmp, "%s", first ? "{}" : "}");
	for (size_t i = 0; tmp && !err && i < tmp->end; i++)
		err = tmp->buf[i] == '\''
			? mbuf_printf(mb, "\\u0027")
			: mbuf_write_u8(mb, tmp->buf[i]);
	mem_deref(tmp);
	return err | mbuf_printf(mb, "\r\n");
}

/* ---- collecting events for a long-poll reply ----------------------------- */

struct collect {
	const struct sub *s;
	struct mbuf *items;         /* rendered events, comma-separated */
	unsigned n, max;
	int64_t last;               /* newest eventid rendered */
	int64_t last_ts;            /* its time, unix s */
	int64_t scanned_to;         /* newest eventid seen (even if skipped) */
	int64_t since;              /* skip events of this second or older */
	unsigned rows;              /* rows visited on this page */
	bool full;
};

static void collect_one(struct collect *c, const struct event *ev)
{
	char date[40];
	size_t mark = c->items->end;
	int err;

	if (c->full)
		return;
	c->scanned_to = ev->eventid;
	/* flat: If-Modified-Since is getccdate's "now", so that second's
	 * events count (push-stream's tag 0 of that second) */
	if (c->since && (c->s->flat ? ev->ts_ms / 1000 < c->since
			 : ev->ts_ms / 1000 <= c->since))
		return;
	if (c->n && !c->s->flat)
		mbuf_write_u8(c->items, ',');
	if (c->s->flat)
		err = flat_line(c->items, ev->text);
	else if (c->s->kind == SUB_PULL) {
		http_date(date, ev->ts_ms / 1000);
		err = mbuf_printf(c->items, "{\"text\":%H,\"tag\":%lld,"
				  "\"time\":\"%s\"}", json_str_h,
				  (void *)ev->text, (long long)ev->eventid,
				  date);
	}
	else
		err = mbuf_printf(c->items, "{\"eventid\":%lld,\"message\":%H}",
				  (long long)ev->eventid, json_str_h,
				  (void *)ev->text);
	if (err || c->items->end > PUSH_BODY_MAX) {
		/* leave it for the next request */
		c->items->end = mark;
		c->items->pos = mark;
		c->full = true;
		return;
	}
	c->n++;
	c->last = ev->eventid;
	c->last_ts = ev->ts_ms / 1000;
	if (c->n >= c->max)
		c->full = true;
}

static void collect_row(const struct event *ev, void *arg)
{
	struct collect *c = arg;

	c->rows++;
	collect_one(c, ev);
}

/* The stored events after s->last, in pages; bounded by c->max events and
 * PUSH_BODY_MAX bytes, and (when filtering by time) PUSH_REPLAY_MAX rows. */
static int collect_stored(struct push *p, struct collect *c)
{
	int64_t after = c->s->last;
	unsigned scanned = 0;
	int err;

	for (;;) {
		c->rows = 0;
		c->scanned_to = after;
		err = events_replay(p->occ->ev, c->s->team, c->s->agent[0]
				    ? c->s->agent : NULL, after, PAGE,
				    collect_row, c);
		if (err)
			return err;
		scanned += c->rows;
		if (c->full || c->rows < PAGE || scanned >= PUSH_REPLAY_MAX)
			return 0;
		after = c->scanned_to;
	}
}

/* The reply of a long-poll (/push/poll) or pull (agentpull). */
static void poll_resp(struct push *p, struct sub *s, struct collect *c,
		      const char *flag, struct http_resp *resp)
{
	char date[40];
	int64_t cursor = c->n ? c->last : s->last;

	if (s->kind == SUB_PULL) {
		int64_t ts = c->n ? c->last_ts : s->since ? s->since
			: (int64_t)time(NULL);
		http_date(date, ts);
		if (!c->n)
			http_resp_set(resp, 304, NULL, "%s", "");
		else if (s->flat)
			http_resp_set(resp, 200, "text/plain; charset=utf-8",
				      "%b", c->items->buf, c->items->end);
		else if (s->callback[0])
			http_resp_set(resp, 200,
				      "application/javascript; charset=utf-8",
				      "%s([%b]);", s->callback, c->items->buf,
				      c->items->end);
		else
			http_resp_set(resp, 200,
				      "application/json; charset=utf-8", "%b",
				      c->items->buf, c->items->end);
		http_resp_headerf(resp, "Etag", "%lld", (long long)cursor);
		http_resp_headerf(resp, "Last-Modified", "%s", date);
		http_resp_header(resp, "Access-Control-Expose-Headers",
				 "Etag, Last-Modified");
	}
	else {
		const char *fmt = s->callback[0]
			? "%s({\"last\":%lld,%s\"events\":[%b]});"
			: "%s{\"last\":%lld,%s\"events\":[%b]}";
		http_resp_set(resp, 200, s->callback[0]
			      ? "application/javascript; charset=utf-8"
			      : "application/json; charset=utf-8", fmt,
			      s->callback, (long long)cursor, flag ? flag : "",
			      c->items->buf, c->items->end);
	}
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "X-Content-Type-Options", "nosniff");
	cors(p, resp);
}

/* Answer a waiting poll/pull subscriber and free it. */
static void poll_answer(struct sub *s, const struct event *ev)
{
	struct http_resp resp = { .status = 500, .fd = -1 };
	struct collect c = { .s = s, .max = 1 };

	c.items = mbuf_alloc(512);
	if (c.items && ev)
		collect_one(&c, ev);
	if (c.items)
		poll_resp(s->p, s, &c, NULL, &resp);
	else
		http_resp_set(&resp, 503, "text/plain", "out of memory\n");
	http_async_reply(s->ha, &resp);
	s->ha = NULL;
	mem_deref(c.items);
	mem_deref(resp.body);
	mem_deref(s);
}

static void poll_timeout(void *arg)
{
	poll_answer(arg, NULL);
}

/* ---- SSE --------------------------------------------------------------- */

static void sse_tick(void *arg);

/* "id: N\ndata: line\n...\n\n"; the bus's messages have no line breaks,
 * but any would become more data: lines (EventSource joins them). */
static int sse_frame(struct mbuf *mb, int64_t id, const char *event,
		     const char *text)
{
	int err = 0;

	if (event)
		err |= mbuf_printf(mb, "event: %s\n", event);
	if (id >= 0)
		err |= mbuf_printf(mb, "id: %lld\n", (long long)id);
	for (;;) {
		size_t n = strcspn(text, "\r\n");
		err |= mbuf_printf(mb, "data: %b\n", text, n);
		text += n;
		if (!*text)
			break;
		text += (text[0] == '\r' && text[1] == '\n') ? 2 : 1;
	}
	return err | mbuf_write_u8(mb, '\n');
}

static int sse_send(struct sub *s, int64_t id, const char *event,
		    const char *text)
{
	struct mbuf *mb = mbuf_alloc(strlen(text) + 64);
	int err;

	if (!mb)
		return ENOMEM;
	err = sse_frame(mb, id, event, text);
	if (!err)
		err = http_async_write(s->ha, mb->buf, mb->end);
	mem_deref(mb);
	return err;
}

struct sse_page {
	struct sub *s;
	unsigned rows;
	bool stalled;               /* the client is behind: stop writing */
	int err;
};

static void sse_row(const struct event *ev, void *arg)
{
	struct sse_page *pg = arg;
	int err;

	pg->rows++;
	if (pg->stalled || pg->err)
		return;
	err = sse_send(pg->s, ev->eventid, NULL, ev->text);
	if (err == ENOBUFS)
		pg->stalled = true;
	else if (err)
		pg->err = err;
	else
		pg->s->last = ev->eventid;
}

/* One page of catch-up; live when the store has nothing more. */
static void sse_catchup(struct sub *s)
{
	struct sse_page pg = { .s = s };
	int err;

	if (http_async_pending(s->ha) > PUSH_SSE_PENDING / 2) {
		tmr_start(&s->tmr, 100, sse_tick, s);
		return;
	}
	err = events_replay(s->p->occ->ev, s->team, s->agent[0] ? s->agent
			    : NULL, s->last, PAGE, sse_row, &pg);
	if (err || pg.err) {
		OCC_WARN("replay failed team=%s: %m", s->team,
			 err ? err : pg.err);
		mem_deref(s);
		return;
	}
	if (pg.stalled || pg.rows == PAGE) {
		tmr_start(&s->tmr, pg.stalled ? 100 : 0, sse_tick, s);
		return;
	}
	s->live = true;
	tmr_start(&s->tmr, KEEPALIVE_MS, sse_tick, s);
}

static void sse_tick(void *arg)
{
	struct sub *s = arg;

	if (!s->live) {
		sse_catchup(s);
		return;
	}
	if (s->exp < (int64_t)time(NULL) || !sub_token_valid(s)) {
		/* the page gets a new token and comes back */
		mem_deref(s);
		return;
	}
	if (http_async_write(s->ha, ": keepalive\n\n", 13)) {
		mem_deref(s);
		return;
	}
	tmr_start(&s->tmr, KEEPALIVE_MS, sse_tick, s);
}

/* ---- the endpoints ----------------------------------------------------- */

struct sub_req {
	const struct team *t;
	const struct agent *a;
	int64_t exp;
	int64_t last;               /* resolved cursor */
	bool reset;                 /* the client was ahead of the store */
	bool gap;                   /* too far behind: older skipped */
};

/* The token (unless sr->t is set: the channel was authenticated
 * otherwise) and the cursor (an explicit id, or -1 for "now"); false when
 * resp holds the refusal. */
static bool sub_begin(struct push *p, const char *token, int64_t want,
		      struct sub_req *sr, struct http_resp *resp)
{
	int64_t newest;
	int err;

	err = sr->t ? 0 : token_check(p, token, &sr->t, &sr->a, &sr->exp);
	if (err) {
		refuse_token(p, resp, err);
		return false;
	}
	if (!room_for(p, sr->t->id, sr->a ? sr->a->number : "")) {
		refuse(p, resp, 503, "too many subscribers");
		return false;
	}
	newest = events_last(p->occ->ev, sr->t->name);
	if (want < 0)
		sr->last = newest;
	else if (want > newest) {
		sr->last = newest;
		sr->reset = true;
	}
	else if (newest - want > PUSH_REPLAY_MAX) {
		sr->gap = true;
		sr->last = newest - PUSH_REPLAY_MAX;
	}
	else
		sr->last = want;
	return true;
}

static void sse_open(struct push *p, const struct http_req *req,
		     const struct form *f, struct http_resp *resp)
{
	const char *hdr = http_req_header(req, "Last-Event-ID");
	const char *lp = form_get(f, "last");
	const char *hp = form_get(f, "hold");
	struct sub_req sr = { 0 };
	int64_t want = -1, hold = 0;
	struct sub *s;
	char buf[64];

	if (hdr && *hdr) {
		if (!parse_id(hdr, &want)) {
			refuse(p, resp, 400, "bad Last-Event-ID");
			return;
		}
	}
	else if (lp && *lp && !dec(lp, strlen(lp), &want)) {
		refuse(p, resp, 400, "bad last");
		return;
	}
	/* hold=MS: events wait up to MS ms to go out together (a wallboard
	 * that redraws a few times a second needs no message each) */
	if (hp && *hp && (!dec(hp, strlen(hp), &hold) || hold > SSE_HOLD_MAX)) {
		refuse(p, resp, 400, "bad hold");
		return;
	}
	if (!sub_begin(p, form_get(f, "token"), want, &sr, resp))
		return;
	s = sub_new(p, SUB_SSE, sr.t, sr.a, sr.exp, form_get(f, "token"));
	if (!s) {
		refuse(p, resp, 503, "out of memory");
		return;
	}
	s->last = sr.last;
	resp->status = 200;
	resp->ctype = "text/event-stream; charset=utf-8";
	http_resp_header(resp, "Cache-Control", "no-store");
	http_resp_header(resp, "X-Accel-Buffering", "no");
	cors(p, resp);
	s->ha = http_async_stream(req, resp, PUSH_SSE_PENDING, sub_closed, s);
	if (!s->ha) {
		mem_deref(s);
		refuse(p, resp, 503, "unavailable");
		return;
	}
	sub_link(s);
	http_async_hold(s->ha, (uint32_t)hold);
	re_snprintf(buf, sizeof(buf), "retry: %u\n\n", SSE_RETRY_MS);
	http_async_write(s->ha, buf, strlen(buf));
	/* where this stream starts, with its id so that EventSource resumes
	 * from here: "N", "N reset" (the client was ahead of the store) or
	 * "N gap" (it was too far behind; the older events are skipped) */
	re_snprintf(buf, sizeof(buf), "%lld%s", (long long)sr.last,
		    sr.reset ? " reset" : sr.gap ? " gap" : "");
	sse_send(s, sr.last, "cursor", buf);
	/* catch up from the next loop turn on */
	tmr_start(&s->tmr, 0, sse_tick, s);
}

/* The extension's cursor: If-None-Match is an eventid, or "0" (its first
 * poll), or "null" (after a reply without headers): then
 * If-Modified-Since, an HTTP date (getccdate's, at first), or junk: now.
 * Never an error, which it would only repeat at once. */
static void flat_cursor(const char *et, const char *sn, int64_t *want,
			int64_t *since)
{
	int64_t id;

	if (et && parse_id(et, &id) && id > 0) {
		*want = id;
		return;
	}
	*since = parse_since(sn);
	if (*since)
		*want = 0;   /* scan for what came after `since` */
}

/* /push/poll and the push-stream pull: answer now if there is something
 * after the cursor, else wait. pre: the channel, already authenticated
 * (the extension's flat channel), else NULL: the token decides. */
static bool poll_open(struct push *p, const struct http_req *req,
		      const struct form *f, enum sub_kind kind,
		      const char *token, const struct sub_req *pre,
		      struct http_resp *resp)
{
	const char *cb = pre ? NULL : form_get(f, "callback");
	struct sub_req sr = { 0 };
	struct collect c = { .max = PUSH_POLL_MAX };
	int64_t want = -1, since = 0;
	struct sub *s;
	bool answered = false;
	int err;

	if (cb && *cb && !callback_name_valid(cb)) {
		refuse(p, resp, 400, "invalid callback name");
		return false;
	}
	if (kind == SUB_POLL) {
		const char *lp = form_get(f, "last");
		if (lp && *lp && !dec(lp, strlen(lp), &want)) {
			refuse(p, resp, 400, "bad last");
			return false;
		}
	}
	else {
		const char *et = form_get(f, "etag");
		const char *sn = form_get(f, "since");
		if (!et || !*et)
			et = http_req_header(req, "If-None-Match");
		if (!sn || !*sn)
			sn = http_req_header(req, "If-Modified-Since");
		if (pre)
			flat_cursor(et, sn, &want, &since);
		else if (et && *et && !parse_id(et, &want)) {
			refuse(p, resp, 400, "bad etag");
			return false;
		}
		else if (want < 0 && sn && *sn) {
			since = parse_since(sn);
			if (!since) {
				refuse(p, resp, 400, "bad since");
				return false;
			}
			want = 0;   /* scan for what came after `since` */
		}
		if (!pre && (!cb || !*cb))
			c.max = 1;  /* one JSON object per reply */
	}
	if (pre)
		sr = *pre;
	if (!sub_begin(p, token, want, &sr, resp))
		return false;
	if (since && sr.gap) {
		/* a time filter: scan the newest PUSH_REPLAY_MAX only */
		sr.gap = false;
	}
	s = sub_new(p, kind, sr.t, sr.a, sr.exp, token);
	c.items = mbuf_alloc(1024);
	if (!s || !c.items) {
		mem_deref(s);
		mem_deref(c.items);
		refuse(p, resp, 503, "out of memory");
		return false;
	}
	s->last = sr.last;
	s->since = since;
	s->flat = pre != NULL;
	if (s->flat)
		str_ncpy(s->epoch, sr.a->pwhash, sizeof(s->epoch));
	str_ncpy(s->callback, cb ? cb : "", sizeof(s->callback));
	c.s = s;
	c.since = since;
	err = collect_stored(p, &c);
	if (err) {
		refuse(p, resp, 503, "store unavailable");
		goto out;
	}
	if (since)
		s->last = c.scanned_to > s->last ? c.scanned_to : s->last;
	/* a poll without last= learns the cursor ("from now") at once; a
	 * replayed request (its password was verified off the loop) cannot
	 * wait again: the client comes back, and is then known */
	if (c.n || sr.reset || sr.gap || (kind == SUB_POLL && want < 0) ||
	    auth_replaying()) {
		poll_resp(p, s, &c, sr.reset ? "\"reset\":true,"
			  : sr.gap ? "\"gap\":true," : NULL, resp);
		answered = true;
		goto out;
	}
	/* nothing yet: wait, live, for the next event on the channel */
	s->ha = http_async_defer(req, sub_closed, s);
	if (!s->ha) {
		refuse(p, resp, 503, "unavailable");
		goto out;
	}
	s->live = true;
	sub_link(s);
	tmr_start(&s->tmr, 1000ull * (kind == SUB_PULL ?
				      p->occ->cfg->push_pull_wait :
				      p->occ->cfg->push_poll_wait),
		  poll_timeout, s);
	s = NULL;
	answered = true;
 out:
	mem_deref(s);
	mem_deref(c.items);
	return answered;
}

/* "/agentindesks/agentpull/<channel>" -> "<channel>", and the others */
static const char *pull_channel(const char *path, bool *publish)
{
	static const char *const dirs[] = {
		"/agentindesks/", "/publicapi/", "/systemevents/",
	};

	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		size_t n = strlen(dirs[i]);
		if (strncmp(path, dirs[i], n))
			continue;
		path += n;
		if (!strncmp(path, "agentpull/", 10)) {
			*publish = false;
			return path + 10;
		}
		if (!strcmp(path, "pushagent") ||
		    !strncmp(path, "pushagent/", 10)) {
			*publish = true;
			return path;
		}
		return NULL;
	}
	return NULL;
}

/* ---- the original extension's channel ------------------------------------ */

/* An error for the extension's client, held HELD_ERROR_MS first (it polls
 * again at once, even after an error). Bounded like the subscribers; past
 * that, or in a replay (which cannot wait), at once. */
struct held {
	struct le le;               /* push.held */
	struct push *p;
	struct http_async *ha;
	struct tmr tmr;
	unsigned status;            /* the error, sent when the timer fires */
	const char *why;            /* a literal */
	int64_t etag, since;
};

static void held_destructor(void *arg)
{
	struct held *h = arg;

	tmr_cancel(&h->tmr);
	if (h->le.list) {
		list_unlink(&h->le);
		h->p->nheld--;
	}
	if (h->ha)
		http_async_close(h->ha);
}

static void held_closed(void *arg)
{
	struct held *h = arg;

	h->ha = NULL;
	mem_deref(h);
}

/* The error with the client's cursor echoed: Etag, Last-Modified (a
 * reply without them would make it send "null"). */
static void flat_error(const struct push *p, struct http_resp *resp,
		       unsigned status, const char *why, int64_t etag,
		       int64_t since)
{
	char date[40];

	http_date(date, since ? since : (int64_t)time(NULL));
	refuse(p, resp, status, why);
	http_resp_headerf(resp, "Etag", "%lld", (long long)etag);
	http_resp_headerf(resp, "Last-Modified", "%s", date);
	http_resp_header(resp, "Access-Control-Expose-Headers",
			 "Etag, Last-Modified");
}

static void held_due(void *arg)
{
	struct held *h = arg;
	struct http_resp resp = { .fd = -1 };

	flat_error(h->p, &resp, h->status, h->why, h->etag, h->since);
	http_async_reply(h->ha, &resp);
	mem_deref(resp.body);
	h->ha = NULL;
	mem_deref(h);
}

/* Refuse the extension's pull: held HELD_ERROR_MS, or in resp at once
 * when it cannot be held. why: a literal. */
static void flat_refuse(struct push *p, const struct http_req *req,
			unsigned status, const char *why,
			struct http_resp *resp)
{
	const char *et = http_req_header(req, "If-None-Match");
	int64_t id = 0, since = parse_since(http_req_header(req,
							"If-Modified-Since"));
	struct held *h = NULL;

	if (!et || !parse_id(et, &id))
		id = 0;
	if (auth_replaying()) {
		/* the parked request (its password was verified off the
		 * loop): park.c holds the reply */
		flat_error(p, resp, status, why, id, since);
		resp->hold_ms = HELD_ERROR_MS;
		return;
	}
	if (p->nheld < p->occ->cfg->push_max_subscribers)
		h = mem_zalloc(sizeof(*h), held_destructor);
	if (h) {
		h->p = p;
		tmr_init(&h->tmr);
		h->ha = http_async_defer(req, held_closed, h);
	}
	if (!h || !h->ha) {
		mem_deref(h);
		flat_error(p, resp, status, why, id, since);
		return;
	}
	*h = (struct held){ .p = p, .ha = h->ha, .status = status,
			    .why = why, .etag = id, .since = since };
	tmr_init(&h->tmr);
	list_append(&p->held, &h->le, h);
	p->nheld++;
	tmr_start(&h->tmr, HELD_ERROR_MS, held_due, h);
}

/* "<orgidentity>-<agentno>-<md5 hex of the password>": split from the
 * right, since an orgidentity may hold '-'. */
static bool md5_channel(const char *chan, char *org, size_t orgsz,
			char *user, size_t usersz, char md5[MD5HEX_LEN])
{
	const char *d2 = strrchr(chan, '-'), *d1;
	size_t n;

	if (!d2 || strlen(d2 + 1) != MD5HEX_LEN - 1)
		return false;
	for (d1 = d2 - 1; d1 > chan && *d1 != '-'; d1--)
		;
	if (d1 <= chan || d2 - d1 - 1 < 1 || (size_t)(d2 - d1) > usersz ||
	    (size_t)(d1 - chan) >= orgsz)
		return false;
	for (n = 0; n < MD5HEX_LEN - 1; n++) {
		char ch = d2[1 + n];
		if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
		      (ch >= 'A' && ch <= 'F')))
			return false;
		md5[n] = (char)(ch >= 'A' && ch <= 'F' ? ch - 'A' + 'a' : ch);
	}
	md5[n] = '\0';
	str_ncpy(org, chan, (size_t)(d1 - chan) + 1);
	str_ncpy(user, d1 + 1, (size_t)(d2 - d1));
	return true;
}

/* Is the channel an occ token (push.h) rather than the extension's? */
static bool token_shaped(const char *chan)
{
	int64_t v;

	for (int i = 0; i < 6; i++) {
		const char *dash = strchr(chan, '-');
		if (!dash || !dec(chan, (size_t)(dash - chan), &v))
			return false;
		chan = dash + 1;
	}
	return !strchr(chan, '-');
}

/* The extension's pull: the channel authenticates like a password
 * (auth_check_md5: the same limits, the verification off the loop when
 * not cached: *waitp, the caller parks the request and routes it again). */
static void flat_open(struct push *p, const struct http_req *req,
		      const struct form *f, const char *chan,
		      struct http_resp *resp, struct auth_wait **waitp)
{
	char org[ST_NAME], user[ST_NUM], md5[MD5HEX_LEN];
	struct sub_req sr = { .exp = INT64_MAX };
	enum auth_verdict v = AUTH_FAIL;
	struct agent *a = NULL;
	struct team *t;

	if (md5_channel(chan, org, sizeof(org), user, sizeof(user), md5)) {
		t = team_find(p->occ->m, org);
		v = auth_check_md5(t, org, user, md5, &req->peer, now_ms(),
				   waitp, &a);
		if (v == AUTH_OK && a->account && !a->account->enabled)
			v = AUTH_FAIL;
	}
	if (v == AUTH_PENDING)
		return;
	if (v != AUTH_OK) {
		flat_refuse(p, req, v == AUTH_BUSY ? 503 : 403,
			    v == AUTH_BUSY ? "busy" : "bad channel", resp);
		return;
	}
	sr.t = a->team;
	sr.a = a;
	if (!poll_open(p, req, f, SUB_PULL, "", &sr, resp)) {
		unsigned status = resp->status;
		mem_deref(resp->body);
		*resp = (struct http_resp){ .fd = -1 };
		flat_refuse(p, req, status, "unavailable", resp);
	}
}

/* GET /getccdate/getccdate: the server's time, where the extension's
 * client starts (its first If-Modified-Since). */
static void ccdate_answer(struct push *p, struct http_resp *resp)
{
	char date[40];

	http_date(date, (int64_t)time(NULL));
	http_resp_set(resp, 200, "application/json; charset=utf-8",
		      "{\"ccdate\":\"%s\"}", date);
	http_resp_header(resp, "Cache-Control", "no-store");
	cors(p, resp);
}

/* /push/auth?token=T, for nginx auth_request in front of nchan
 * (docs/nginx-nchan.conf): 200 with the token's nchan channel in
 * X-Occ-Channel (team-<org> or agent-<org>-<number>), else 403. */
static void auth_answer(struct push *p, const struct form *f,
			struct http_resp *resp)
{
	const struct team *t;
	const struct agent *a;
	char chan[ST_NAME * 2 + 16];
	int64_t exp;

	if (token_check(p, form_get(f, "token"), &t, &a, &exp)) {
		http_resp_set(resp, 403, "text/plain", "bad token\n");
		return;
	}
	if (a)
		re_snprintf(chan, sizeof(chan), "agent-%s-%s", t->name,
			    a->number);
	else
		re_snprintf(chan, sizeof(chan), "team-%s", t->name);
	http_resp_set(resp, 200, "text/plain", "ok\n");
	http_resp_headerf(resp, "X-Occ-Channel", "%s", chan);
}

bool push_route(struct push *p, const struct http_req *req,
		struct http_resp *resp, struct auth_wait **waitp)
{
	const char *chan = NULL;
	bool sse = !strcmp(req->path, "/push/sse");
	bool poll = !strcmp(req->path, "/push/poll");
	bool auth = !strcmp(req->path, "/push/auth");
	bool ccdate = !strcmp(req->path, "/getccdate/getccdate") ||
		!strcmp(req->path, "/getccdate");
	bool publish = false;
	struct form f;

	if (!sse && !poll && !auth && !ccdate) {
		chan = pull_channel(req->path, &publish);
		if (!chan)
			return false;
	}
	if (!p) {
		http_resp_set(resp, 503, "text/plain", "push unavailable\n");
		return true;
	}
	if (publish) {
		refuse(p, resp, 403, "occd publishes its own events");
		return true;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		refuse(p, resp, 405, "GET only");
		http_resp_header(resp, "Allow", "GET");
		return true;
	}
	form_init(&f);
	if (form_parse(&f, req->query, strlen(req->query))) {
		refuse(p, resp, 400, "bad query");
		goto out;
	}
	if (ccdate)
		ccdate_answer(p, resp);
	else if (auth)
		auth_answer(p, &f, resp);
	else if (sse)
		sse_open(p, req, &f, resp);
	else if (poll)
		poll_open(p, req, &f, SUB_POLL, form_get(&f, "token"), NULL,
			  resp);
	else if (token_shaped(chan))
		poll_open(p, req, &f, SUB_PULL, chan, NULL, resp);
	else
		flat_open(p, req, &f, chan, resp, waitp);
 out:
	form_reset(&f);
	return true;
}

bool push_request_team(const struct http_req *req, char *team, size_t sz,
		       int64_t *team_id)
{
	const char *chan = NULL, *tok = NULL, *dash;
	bool publish = false, found = false;
	char user[64], md5[MD5HEX_LEN];
	struct form f;

	*team = '\0';
	*team_id = 0;
	if (strcmp(req->path, "/push/sse") && strcmp(req->path, "/push/poll") &&
	    strcmp(req->path, "/push/auth")) {
		chan = pull_channel(req->path, &publish);
		if (!chan || publish)
			return false;
		if (!token_shaped(chan))
			return md5_channel(chan, team, sz, user, sizeof(user),
					   md5) && *team;
		tok = chan;
	}
	form_init(&f);
	if (!tok && !form_parse(&f, req->query, strlen(req->query)))
		tok = form_get(&f, "token");
	/* "2-<team id>-...": the id only; the owner checks the rest */
	if (tok && !strncmp(tok, "2-", 2) && (dash = strchr(tok + 2, '-')))
		found = dec(tok + 2, (size_t)(dash - tok - 2), team_id) &&
			*team_id > 0;
	form_reset(&f);
	return found;
}

/* ---- the sink ---------------------------------------------------------- */

/* true: delivered (or the subscriber went); false: not for it */
static bool deliver(struct sub *s, struct fanout *f)
{
	const struct event *ev = &f->ev;

	if (!s->live || ev->eventid <= s->last || !matches(s, ev))
		return false;
	if (s->kind != SUB_SSE) {
		poll_answer(s, ev);
		return true;
	}
	if (!f->frame) {
		f->frame = mbuf_alloc(strlen(ev->text) + 64);
		if (f->frame && sse_frame(f->frame, ev->eventid, NULL, ev->text))
			f->frame = mem_deref(f->frame);
	}
	if (!f->frame || http_async_write(s->ha, f->frame->buf, f->frame->end)) {
		/* not reading: it reconnects and catches up from the store */
		mem_deref(s);
		return true;
	}
	s->last = ev->eventid;
	return true;
}

static void fanout_destructor(void *arg)
{
	struct fanout *f = arg;

	list_unlink(&f->le);
	f->p->nfanq--;
	mem_deref(f->frame);
}

static void fan_arm(struct push *p, bool on)
{
	uint64_t v = 1;

	if (on == p->fan_armed || p->fan_fd < 0)
		return;
	if (on)
		p->fan_armed = write(p->fan_fd, &v, sizeof(v)) == sizeof(v);
	else
		p->fan_armed = read(p->fan_fd, &v, sizeof(v)) != sizeof(v);
}

/* true while this pass may deliver more: its time, not a count, is
 * bounded, since a send's cost varies (the receiver's work on loopback,
 * a slow client's full window, a loaded machine) */
static bool slice_left(unsigned sent, unsigned *checked, uint64_t end_ns)
{
	if (sent < *checked + FANOUT_CLOCK_EVERY)
		return true;
	*checked = sent;
	return hist_now_ns() < end_ns;
}

/* One loop pass's share of the queued fan-out (see the top). */
static void fan_slice(int flags, void *arg)
{
	struct push *p = arg;
	unsigned sent = 0, looked = 0, checked = 0;
	uint64_t t0, end_ns;
	bool more = true;

	(void)flags;
	if (p->before_pass)
		p->before_pass(p->before_arg);
	t0 = hist_now_ns();
	end_ns = t0 + FANOUT_SLICE_US * 1000u;
	while (p->fanq.head && more && looked < FANOUT_LOOK) {
		struct fanout *f = p->fanq.head->data;

		if (!p->fan_started) {
			p->fan_next = list_ledata(list_head(&p->subs));
			p->fan_started = true;
		}
		while (p->fan_next && looked < FANOUT_LOOK &&
		       (more = slice_left(sent, &checked, end_ns))) {
			struct sub *s = p->fan_next;
			p->fan_next = s->le.next ? s->le.next->data : NULL;
			looked++;
			sent += deliver(s, f);
		}
		if (!p->fan_next) {
			p->fan_started = false;
			mem_deref(f);
		}
	}
	fan_arm(p, p->fanq.head != NULL);
	hist_done(&p->fan_passes, t0, 0);
}

void push_set_before_pass(struct push *p, void (*h)(void *arg), void *arg)
{
	p->before_pass = h;
	p->before_arg = arg;
}

const struct hist *push_fanout_passes(const struct push *p)
{
	return &p->fan_passes;
}

/* The queue is full: every live subscriber reads the store instead. */
static void fan_overflow(struct push *p)
{
	struct le *le = list_head(&p->subs);

	OCC_WARN("push: %u events waiting for their fan-out: subscribers "
		 "catch up from the store", p->nfanq);
	list_flush(&p->fanq);
	p->fan_started = false;
	p->fan_next = NULL;
	while (le) {
		struct sub *s = le->data;
		le = le->next;
		if (!s->live)
			continue;
		if (s->kind != SUB_SSE) {
			poll_answer(s, NULL);   /* it asks again from its cursor */
			continue;
		}
		s->live = false;
		tmr_start(&s->tmr, 0, sse_tick, s);
	}
}

static char *fan_str(char **at, const char *v)
{
	char *d = *at;
	size_t n = v ? strlen(v) + 1 : 1;

	memcpy(d, v ? v : "", n);
	*at += n;
	return d;
}

static void sink(const struct event *ev, void *arg)
{
	struct push *p = arg;
	size_t n = strlen(ev->text) + strlen(ev->team) + 3 +
		(ev->agent1 ? strlen(ev->agent1) : 0) +
		(ev->agent2 ? strlen(ev->agent2) : 0);
	struct fanout *f;
	char *at;

	if (!p->nsubs)
		return;
	if (p->nfanq >= FANOUT_QUEUE_MAX)
		fan_overflow(p);
	f = mem_zalloc(sizeof(*f) + n + 1, fanout_destructor);
	if (!f) {
		fan_overflow(p);
		return;
	}
	f->p = p;
	f->ev = *ev;
	at = (char *)(f + 1);
	f->ev.text = fan_str(&at, ev->text);
	f->ev.team = fan_str(&at, ev->team);
	f->ev.agent1 = fan_str(&at, ev->agent1);
	f->ev.agent2 = fan_str(&at, ev->agent2);
	list_append(&p->fanq, &f->le, f);
	p->nfanq++;
	fan_arm(p, true);
}

void push_reload(struct push *p)
{
	struct le *le = p ? list_head(&p->subs) : NULL;
	unsigned n = 0;

	while (le) {
		struct sub *s = le->data;
		le = le->next;
		if (sub_token_valid(s))
			continue;
		n++;
		if (s->kind == SUB_SSE) {
			mem_deref(s);    /* the stream ends */
			continue;
		}
		struct http_resp resp = { .fd = -1 };
		refuse_token(p, &resp, EACCES);
		http_async_reply(s->ha, &resp);
		s->ha = NULL;
		mem_deref(s);
	}
	if (n)
		OCC_INFO("push: closed %u subscriptions whose token was "
			 "revoked", n);
}

static void push_destructor(void *arg)
{
	struct push *p = arg;

	list_flush(&p->fanq);
	p->fan_next = NULL;
	if (p->fan_fd >= 0) {
		fd_close(p->fan_fd);
		close(p->fan_fd);
	}
	list_flush(&p->subs);   /* each closes its request */
	list_flush(&p->held);
	hash_flush(p->tallies);
	mem_deref(p->tallies);
}

int push_alloc(struct push **pp, struct occ *occ, const char *data_dir)
{
	struct push *p;
	int err;

	if (!occ->ev)
		return EINVAL;
	p = mem_zalloc(sizeof(*p), push_destructor);
	if (!p)
		return ENOMEM;
	p->occ = occ;
	p->fan_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	err = p->fan_fd < 0 ? errno : hash_alloc(&p->tallies, 256);
	if (!err)
		err = fd_listen(p->fan_fd, FD_READ, fan_slice, p);
	if (!err)
		err = key_load(p, data_dir);
	if (!err)
		err = events_sink_add(occ->ev, sink, p);
	if (err)
		mem_deref(p);
	else
		*pp = p;
	return err;
}
