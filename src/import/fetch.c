/*
 * fetch.c — see fetch.h. The allow-list check, the blocking fetch and the
 * worker-thread job that hands rows back to the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <curl/curl.h>
#include <re.h>
#include "base/conf.h"
#include "import/fetch.h"

static void say(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (!size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

void import_src_conf(struct import_src *s, const struct conf *c)
{
	s->allow = c->import_allow;
	s->max_bytes = (uint64_t)c->import_max_size_mib * 1024 * 1024;
	s->timeout_s = c->import_timeout;
	s->idle_s = c->import_idle_timeout;
	s->connect_timeout_s = c->import_connect_timeout;
}

/* ---- URLs and the allow-list -------------------------------------------- */

struct url_parts {
	char *scheme, *host, *path;
	long port;
};

static void parts_free(struct url_parts *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->path);
	memset(u, 0, sizeof(*u));
}

static bool scheme_ok(const char *s)
{
	return !strcmp(s, "http") || !strcmp(s, "https") || !strcmp(s, "ftp");
}

/* Parse url into h and u: an absolute http/https/ftp URL with a host.
 * entry: an allow-list entry (no query, fragment or credentials). */
static enum import_err url_parse(CURLU *h, struct url_parts *u,
				 const char *url, bool entry, char *why,
				 size_t whysz)
{
	char *port = NULL, *extra = NULL;
	static const CURLUPart none[] = { CURLUPART_QUERY,
		CURLUPART_FRAGMENT, CURLUPART_USER };

	memset(u, 0, sizeof(*u));
	/* a handle holding a URL would take url as relative to it: clear */
	curl_url_set(h, CURLUPART_URL, NULL, 0);
	if (curl_url_set(h, CURLUPART_URL, url, 0) ||
	    curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) ||
	    curl_url_get(h, CURLUPART_HOST, &u->host, 0) ||
	    curl_url_get(h, CURLUPART_PATH, &u->path, 0) ||
	    curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) {
		parts_free(u);
		say(why, whysz, "not an absolute URL with a host");
		return IMPORT_E_URL;
	}
	u->port = strtol(port, NULL, 10);
	curl_free(port);
	if (!scheme_ok(u->scheme)) {
		say(why, whysz, "scheme %s: only http, https and ftp",
		    u->scheme);
		parts_free(u);
		return IMPORT_E_URL;
	}
	for (size_t i = 0; entry && i < sizeof(none) / sizeof(none[0]); i++) {
		if (!curl_url_get(h, none[i], &extra, 0)) {
			curl_free(extra);
			say(why, whysz, "an allow entry has no query, "
			    "fragment or user name");
			parts_free(u);
			return IMPORT_E_URL;
		}
	}
	return IMPORT_OK;
}

/* The path may not smuggle a dot segment or a separator past the check. */
static bool path_plain(const char *p)
{
	static const char *const bad[] = { "%2e", "%2f", "%5c", "\\" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcasestr(p, bad[i]))
			return false;
	return true;
}

static bool entry_matches(const struct url_parts *e, const struct url_parts *u)
{
	size_t n = strlen(e->path);

	if (strcmp(e->scheme, u->scheme) || strcasecmp(e->host, u->host) ||
	    e->port != u->port)
		return false;
	while (n && e->path[n - 1] == '/')
		n--;                    /* "/a/" and "/a" are the same prefix */
	return !strncmp(e->path, u->path, n) &&
	       (u->path[n] == '\0' || u->path[n] == '/');
}

/* Calls fn on each entry of allow (space or comma separated). */
static int allow_each(const char *allow, int (*fn)(const char *entry,
						    void *arg), void *arg)
{
	char entry[1024];

	while (allow && *allow) {
		size_t n = strcspn(allow, " ,\t\r\n");

		if (n && n < sizeof(entry)) {
			int r;

			memcpy(entry, allow, n);
			entry[n] = '\0';
			r = fn(entry, arg);
			if (r)
				return r;
		} else if (n) {
			return fn("", arg);     /* too long: not valid */
		}
		allow += n;
		allow += strspn(allow, " ,\t\r\n");
	}
	return 0;
}

struct match_ctx {
	const struct url_parts *u;
	CURLU *h;
};

static int match_one(const char *entry, void *arg)
{
	struct match_ctx *m = arg;
	struct url_parts e;
	bool ok;

	if (url_parse(m->h, &e, entry, true, NULL, 0))
		return 0;
	ok = entry_matches(&e, m->u);
	parts_free(&e);
	return ok;
}

/* Check url with h (which keeps the parsed url on IMPORT_OK). */
static enum import_err allow_check_h(CURLU *h, const char *allow,
				     const char *url, char *why, size_t whysz)
{
	struct url_parts u;
	struct match_ctx m;
	CURLU *eh;
	enum import_err e = url_parse(h, &u, url, false, why, whysz);
	int hit;

	if (e)
		return e;
	if (!path_plain(u.path)) {
		say(why, whysz, "%s://%s:%ld: the path has an encoded dot, "
		    "slash or backslash", u.scheme, u.host, u.port);
		parts_free(&u);
		return IMPORT_E_DENIED;
	}
	eh = curl_url();
	if (!eh) {
		parts_free(&u);
		return IMPORT_E_NOMEM;
	}
	m.u = &u;
	m.h = eh;
	hit = allow_each(allow, match_one, &m);
	curl_url_cleanup(eh);
	if (!hit)
		say(why, whysz, "%s://%s:%ld is not in [import] allow",
		    u.scheme, u.host, u.port);
	parts_free(&u);
	return hit ? IMPORT_OK : IMPORT_E_DENIED;
}

enum import_err import_allow_check(const char *allow, const char *url,
				   char *why, size_t whysz)
{
	CURLU *h;
	enum import_err e;

	pthread_once(&curl_once, curl_init_once);
	say(why, whysz, "%s", "");
	h = curl_url();
	if (!h)
		return IMPORT_E_NOMEM;
	e = allow_check_h(h, allow, url, why, whysz);
	curl_url_cleanup(h);
	return e;
}

struct valid_ctx {
	char *why;
	size_t whysz;
	CURLU *h;
};

static int valid_one(const char *entry, void *arg)
{
	struct valid_ctx *v = arg;
	struct url_parts e;
	char why[128];

	if (url_parse(v->h, &e, entry, true, why, sizeof(why))) {
		say(v->why, v->whysz, "[import] allow: \"%.200s\": %s", entry,
		    why);
		return EINVAL;
	}
	parts_free(&e);
	return 0;
}

int import_allow_valid(const char *allow, char *why, size_t whysz)
{
	struct valid_ctx v = { why, whysz, NULL };
	int err;

	pthread_once(&curl_once, curl_init_once);
	v.h = curl_url();
	if (!v.h)
		return ENOMEM;
	err = allow_each(allow, valid_one, &v);
	curl_url_cleanup(v.h);
	return err;
}

/* ---- the blocking fetch ---------------------------------------------------- */

struct xfer {
	CURL *curl;
	struct csv *csv;
	bool http;
	uint64_t bytes, max_bytes;
	bool toobig, csv_failed, skip_body;
	const volatile int *cancel;
};

static size_t on_data(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n;

	x->bytes += len;
	if (x->bytes > x->max_bytes) {
		x->toobig = true;
		return 0;
	}
	if (x->http) {
		long code = 0;

		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
		if (code / 100 != 2)
			return len;     /* a redirect's or an error's body */
	}
	if (csv_feed(x->csv, p, len)) {
		x->csv_failed = true;
		return 0;
	}
	return len;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
		       curl_off_t un)
{
	struct xfer *x = arg;

	return x->cancel && *x->cancel;
}

static void origin(char *out, size_t size, CURLU *h)
{
	char *s = NULL, *host = NULL, *port = NULL;

	if (!curl_url_get(h, CURLUPART_SCHEME, &s, 0) &&
	    !curl_url_get(h, CURLUPART_HOST, &host, 0) &&
	    !curl_url_get(h, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT))
		say(out, size, "%s://%s:%s", s, host, port);
	else
		say(out, size, "?");
	curl_free(s);
	curl_free(host);
	curl_free(port);
}

static enum import_err curl_result(struct xfer *x, CURLcode rc,
				   const char *where, const char *ebuf,
				   char *msg, size_t msgsz)
{
	if (x->toobig || rc == CURLE_FILESIZE_EXCEEDED) {
		say(msg, msgsz, "%s: the file is larger than %llu bytes",
		    where, (unsigned long long)x->max_bytes);
		return IMPORT_E_TOOBIG;
	}
	if (x->csv_failed) {
		say(msg, msgsz, "%s", csv_errmsg(x->csv));
		return csv_error(x->csv) == CSV_E_ABORT ? IMPORT_E_ABORT
							: IMPORT_E_CSV;
	}
	switch (rc) {
	case CURLE_OK:
		return IMPORT_OK;
	case CURLE_ABORTED_BY_CALLBACK:
		say(msg, msgsz, "%s: cancelled", where);
		return IMPORT_E_ABORT;
	case CURLE_OPERATION_TIMEDOUT:
		say(msg, msgsz, "%s: timed out (%s)", where, ebuf);
		return IMPORT_E_TIMEOUT;
	case CURLE_REMOTE_FILE_NOT_FOUND:
		say(msg, msgsz, "%s: file not found", where);
		return IMPORT_E_NOTFOUND;
	case CURLE_OUT_OF_MEMORY:
		say(msg, msgsz, "%s: out of memory", where);
		return IMPORT_E_NOMEM;
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		say(msg, msgsz, "%s: %s", where, curl_easy_strerror(rc));
		return IMPORT_E_URL;
	default:
		say(msg, msgsz, "%s: %s%s%s", where, curl_easy_strerror(rc),
		    *ebuf ? ": " : "", ebuf);
		return IMPORT_E_FETCH;
	}
}

static enum import_err fetch_setup(CURL *c, const struct import_src *src,
				   struct xfer *x, char *ebuf)
{
	unsigned timeout = src->timeout_s ? src->timeout_s : IMPORT_DEF_TIMEOUT_S;
	unsigned idle = src->idle_s ? src->idle_s : IMPORT_DEF_IDLE_S;
	unsigned conn = src->connect_timeout_s ? src->connect_timeout_s
					       : IMPORT_DEF_CONNECT_S;
	CURLcode r = CURLE_OK;

#define SET(opt, val) do { if (!r) r = curl_easy_setopt(c, opt, val); } while (0)
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https,ftp");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https,ftp");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_PROXY, "");                 /* no proxy from the env */
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED);
	SET(CURLOPT_FTP_SKIP_PASV_IP, 1L);
	SET(CURLOPT_CONNECTTIMEOUT, (long)conn);
	SET(CURLOPT_TIMEOUT, (long)timeout);
	SET(CURLOPT_LOW_SPEED_LIMIT, 1L);
	SET(CURLOPT_LOW_SPEED_TIME, (long)idle);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->max_bytes);
	SET(CURLOPT_WRITEFUNCTION, on_data);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, on_progress);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_ERRORBUFFER, ebuf);
	SET(CURLOPT_USERAGENT, "occ-import/1");
	if (src->user && *src->user) {
		SET(CURLOPT_USERNAME, src->user);
		SET(CURLOPT_PASSWORD, src->pwd ? src->pwd : "");
		SET(CURLOPT_HTTPAUTH, (long)(CURLAUTH_BASIC | CURLAUTH_DIGEST));
	}
#undef SET
	return r == CURLE_OUT_OF_MEMORY ? IMPORT_E_NOMEM
	       : r ? IMPORT_E_FETCH : IMPORT_OK;
}

/* One hop: *next is the checked redirect target (allowed) or stays NULL. */
static enum import_err fetch_hop(struct xfer *x, CURLU *h, char *where,
				 size_t wsz, const char *allow, CURLU **next,
				 char *msg, size_t msgsz)
{
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long code = 0;
	enum import_err e;
	char *scheme = NULL;

	origin(where, wsz, h);
	curl_url_get(h, CURLUPART_SCHEME, &scheme, 0);
	x->http = scheme && strncmp(scheme, "http", 4) == 0;
	curl_free(scheme);
	curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, ebuf);
	rc = curl_easy_setopt(x->curl, CURLOPT_CURLU, h);
	if (!rc)
		rc = curl_easy_perform(x->curl);
	e = curl_result(x, rc, where, ebuf, msg, msgsz);
	curl_easy_setopt(x->curl, CURLOPT_ERRORBUFFER, NULL);
	if (e || !x->http)
		return e;
	curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
	if (code / 100 == 2)
		return IMPORT_OK;
	if (code == 404 || code == 410) {
		say(msg, msgsz, "%s: file not found (HTTP %ld)", where, code);
		return IMPORT_E_NOTFOUND;
	}
	if (code / 100 == 3) {
		char *loc = NULL;
		char why[256];
		CURLU *nh;

		curl_easy_getinfo(x->curl, CURLINFO_REDIRECT_URL, &loc);
		if (!loc) {
			say(msg, msgsz, "%s: HTTP %ld without a Location",
			    where, code);
			return IMPORT_E_FETCH;
		}
		nh = curl_url();
		if (!nh)
			return IMPORT_E_NOMEM;
		e = allow_check_h(nh, allow, loc, why, sizeof(why));
		if (e) {
			curl_url_cleanup(nh);
			say(msg, msgsz, "%s: redirect refused: %s", where, why);
			return e == IMPORT_E_URL ? IMPORT_E_DENIED : e;
		}
		*next = nh;
		return IMPORT_OK;
	}
	say(msg, msgsz, "%s: HTTP %ld", where, code);
	return IMPORT_E_FETCH;
}

enum import_err import_fetch(const struct import_src *src, struct csv *csv,
			     char *msg, size_t msgsz, const volatile int *cancel)
{
	struct xfer x = { .csv = csv, .cancel = cancel };
	char where[300] = "", ebuf[CURL_ERROR_SIZE] = "";
	CURLU *h, *next = NULL;
	enum import_err e;

	pthread_once(&curl_once, curl_init_once);
	say(msg, msgsz, "%s", "");
	x.max_bytes = src->max_bytes ? src->max_bytes : IMPORT_DEF_MAX_BYTES;
	h = curl_url();
	if (!h)
		return IMPORT_E_NOMEM;
	/* the check comes before any connection */
	e = allow_check_h(h, src->allow, src->url ? src->url : "", msg,
			  msgsz);
	if (e) {
		curl_url_cleanup(h);
		return e;
	}
	x.curl = curl_easy_init();
	if (!x.curl) {
		curl_url_cleanup(h);
		return IMPORT_E_NOMEM;
	}
	e = fetch_setup(x.curl, src, &x, ebuf);
	for (unsigned hop = 0; !e; hop++) {
		e = fetch_hop(&x, h, where, sizeof(where), src->allow, &next,
			      msg, msgsz);
		if (e || !next)
			break;
		curl_url_cleanup(h);
		h = next;
		next = NULL;
		if (hop == IMPORT_MAX_REDIRECTS) {
			say(msg, msgsz, "%s: more than %d redirects", where,
			    IMPORT_MAX_REDIRECTS);
			e = IMPORT_E_FETCH;
		}
	}
	curl_easy_cleanup(x.curl);
	curl_url_cleanup(h);
	if (e)
		return e;
	if (csv_finish(csv)) {
		say(msg, msgsz, "%s", csv_errmsg(csv));
		return csv_error(csv) == CSV_E_ABORT ? IMPORT_E_ABORT
						     : IMPORT_E_CSV;
	}
	return IMPORT_OK;
}

int import_err_backmsg(enum import_err err)
{
	switch (err) {
	case IMPORT_E_URL: return 75;
	case IMPORT_E_NOTFOUND: return 404;
	case IMPORT_E_DENIED:
	case IMPORT_E_FETCH:
	case IMPORT_E_TOOBIG:
	case IMPORT_E_TIMEOUT: return 89;
	case IMPORT_E_CSV: return 86;
	case IMPORT_E_BUSY: return 87;
	case IMPORT_E_NOMEM: return 85;
	default: return 0;
	}
}

const char *import_err_name(enum import_err err)
{
	static const char *const names[] = {
		[IMPORT_OK] = "ok", [IMPORT_E_URL] = "bad_url",
		[IMPORT_E_DENIED] = "denied", [IMPORT_E_NOTFOUND] = "not_found",
		[IMPORT_E_FETCH] = "fetch_failed", [IMPORT_E_TOOBIG] = "too_big",
		[IMPORT_E_TIMEOUT] = "timeout", [IMPORT_E_CSV] = "bad_csv",
		[IMPORT_E_ABORT] = "aborted", [IMPORT_E_BUSY] = "busy",
		[IMPORT_E_NOMEM] = "out_of_memory",
	};

	return (unsigned)err < sizeof(names) / sizeof(names[0]) ? names[err]
								  : "unknown";
}

/* ---- the job on a worker thread ------------------------------------------- */

/* A batch: rows packed as struct row_head + nfields NUL-terminated
 * strings; malloc'ed by the worker, freed by the loop. */
struct batch {
	struct batch *next;
	size_t len, cap, nrows;
	char data[];
};

struct row_head {
	size_t line, nfields;
	bool skipped;
};

struct import_job {
	/* set once on the loop before the thread starts */
	struct import_src src;
	char *strs[4];          /* copies of url, user, pwd, allow */
	struct csv_opts copts;  /* the caller's handlers */
	import_done_h *doneh;
	void *arg;
	pthread_t thread;
	bool thread_up;
	int pipe[2];
	volatile int cancel;

	/* worker side */
	struct batch *cur;

	/* shared, under lock */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct batch *head, *tail;
	unsigned inflight;
	bool finished;
	enum import_err err;
	char msg[512];

	/* loop side */
	size_t rows;
	bool done;
};

static unsigned jobs_running;

/* worker: hand the current batch to the loop; wait while too many are
 * not taken yet (unless this is the last) */
static int batch_flush(struct import_job *j, bool wait)
{
	struct batch *b = j->cur;
	const char one = 1;

	if (!b)
		return 0;
	j->cur = NULL;
	pthread_mutex_lock(&j->lock);
	if (j->tail)
		j->tail->next = b;
	else
		j->head = b;
	j->tail = b;
	j->inflight++;
	pthread_mutex_unlock(&j->lock);
	if (write(j->pipe[1], &one, 1) != 1 && errno != EAGAIN)
		return -1;
	pthread_mutex_lock(&j->lock);
	while (wait && j->inflight >= IMPORT_BATCHES && !j->cancel)
		pthread_cond_wait(&j->cond, &j->lock);
	pthread_mutex_unlock(&j->lock);
	return j->cancel ? -1 : 0;
}

static int batch_add(struct import_job *j, size_t line,
		     const char *const *f, size_t n, bool skipped)
{
	struct row_head rh = { line, n, skipped };
	size_t need = sizeof(rh);
	struct batch *b;

	for (size_t i = 0; i < n; i++)
		need += strlen(f[i]) + 1;
	if (j->cur && (j->cur->nrows >= IMPORT_BATCH_ROWS ||
		       j->cur->len + need > j->cur->cap) &&
	    batch_flush(j, true))
		return -1;
	if (!j->cur) {
		size_t cap = need > IMPORT_BATCH_BYTES ? need
						       : IMPORT_BATCH_BYTES;

		j->cur = malloc(sizeof(*j->cur) + cap);
		if (!j->cur)
			return -1;
		j->cur->next = NULL;
		j->cur->len = j->cur->nrows = 0;
		j->cur->cap = cap;
	}
	b = j->cur;
	memcpy(b->data + b->len, &rh, sizeof(rh));
	b->len += sizeof(rh);
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(f[i]) + 1;

		memcpy(b->data + b->len, f[i], l);
		b->len += l;
	}
	b->nrows++;
	return 0;
}

static int w_row(void *arg, size_t line, const char *const *f, size_t n)
{
	return batch_add(arg, line, f, n, false);
}

static int w_skip(void *arg, size_t line, const char *const *f, size_t n)
{
	return batch_add(arg, line, f, n, true);
}

static void *worker(void *arg)
{
	struct import_job *j = arg;
	struct csv_opts o = j->copts;
	struct csv *csv;
	enum import_err e;
	char msg[sizeof(j->msg)] = "";
	const char one = 1;

	o.row_h = w_row;
	o.skip_h = j->copts.skip_h ? w_skip : NULL;
	o.arg = j;
	csv = csv_new(&o);
	if (!csv) {
		e = IMPORT_E_NOMEM;
		say(msg, sizeof(msg), "out of memory");
	} else {
		e = import_fetch(&j->src, csv, msg, sizeof(msg), &j->cancel);
		/* the rows before an error too: the loop sees them first */
		if (!j->cancel && batch_flush(j, false) && !e)
			e = IMPORT_E_ABORT;
		csv_free(csv);
	}
	free(j->cur);
	j->cur = NULL;
	pthread_mutex_lock(&j->lock);
	j->finished = true;
	j->err = e;
	memcpy(j->msg, msg, sizeof(msg));
	pthread_mutex_unlock(&j->lock);
	if (write(j->pipe[1], &one, 1) != 1) {
		/* the pipe is full of wake-ups: the loop reads it anyway */
	}
	return NULL;
}

static void free_batches(struct batch *b)
{
	while (b) {
		struct batch *n = b->next;

		free(b);
		b = n;
	}
}

static void job_stop(struct import_job *j)
{
	if (j->thread_up) {
		pthread_mutex_lock(&j->lock);
		j->cancel = 1;
		pthread_cond_broadcast(&j->cond);
		pthread_mutex_unlock(&j->lock);
		pthread_join(j->thread, NULL);
		j->thread_up = false;
		jobs_running--;
	}
	if (j->pipe[0] >= 0) {
		fd_close(j->pipe[0]);
		close(j->pipe[0]);
		close(j->pipe[1]);
		j->pipe[0] = j->pipe[1] = -1;
	}
}

static void job_destructor(void *arg)
{
	struct import_job *j = arg;

	job_stop(j);
	free_batches(j->head);
	for (size_t i = 0; i < sizeof(j->strs) / sizeof(j->strs[0]); i++)
		free(j->strs[i]);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
}

/* Loop: give the rows of b to the caller; false when one said stop. */
static bool deliver(struct import_job *j, const struct batch *b)
{
	size_t off = 0;
	const char *ptrs[CSV_MAX_COLS];
	const char **fp = ptrs;
	size_t fcap = CSV_MAX_COLS;
	bool go = true;

	for (size_t r = 0; r < b->nrows && go; r++) {
		struct row_head rh;
		csv_row_h *h;

		memcpy(&rh, b->data + off, sizeof(rh));
		off += sizeof(rh);
		if (rh.nfields > fcap) {
			const char **np = realloc(fp == ptrs ? NULL : fp,
						  rh.nfields * sizeof(*np));

			if (!np) {
				go = false;
				break;
			}
			fp = np;
			fcap = rh.nfields;
		}
		for (size_t i = 0; i < rh.nfields; i++) {
			fp[i] = b->data + off;
			off += strlen(fp[i]) + 1;
		}
		h = rh.skipped ? j->copts.skip_h : j->copts.row_h;
		if (!rh.skipped)
			j->rows++;
		if (h && h(j->copts.arg, rh.line, fp, rh.nfields))
			go = false;
	}
	if (fp != ptrs)
		free(fp);
	return go;
}

static void job_readable(int flags, void *arg)
{
	struct import_job *j = arg;
	char buf[64];
	struct batch *list;
	bool finished, stop = false;
	unsigned n = 0;

	(void)flags;
	while (read(j->pipe[0], buf, sizeof(buf)) > 0)
		;
	if (j->done)
		return;
	/* the batches and whether they are the last, together: the worker
	 * queues its last batch before it says it has finished */
	pthread_mutex_lock(&j->lock);
	list = j->head;
	j->head = j->tail = NULL;
	finished = j->finished;
	pthread_mutex_unlock(&j->lock);
	mem_ref(j);
	for (struct batch *b = list; b; b = b->next, n++)
		if (!stop)
			stop = !deliver(j, b);
	free_batches(list);
	pthread_mutex_lock(&j->lock);
	j->inflight -= n;
	if (stop)
		j->cancel = 1;
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (stop || finished) {
		enum import_err e;

		job_stop(j);            /* joins: the worker is at its end */
		free_batches(j->head);  /* rows after a stop */
		j->head = j->tail = NULL;
		e = stop ? IMPORT_E_ABORT : j->err;
		if (stop)
			say(j->msg, sizeof(j->msg), "stopped by the importer");
		j->done = true;
		if (j->doneh)
			j->doneh(e, j->msg, j->rows, j->arg);
	}
	mem_deref(j);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int import_job_start(struct import_job **jobp, const struct import_src *src,
		     const struct csv_opts *copts, import_done_h *doneh,
		     void *arg)
{
	struct import_job *j;
	sigset_t all, old;
	int err;

	if (!jobp || !src || !copts)
		return EINVAL;
	if (jobs_running >= IMPORT_MAX_JOBS)
		return EBUSY;
	pthread_once(&curl_once, curl_init_once);
	j = mem_zalloc(sizeof(*j), job_destructor);
	if (!j)
		return ENOMEM;
	/* before anything can fail: the destructor needs these */
	j->pipe[0] = j->pipe[1] = -1;
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->src = *src;
	j->strs[0] = dup_or_null(src->url);
	j->strs[1] = dup_or_null(src->user);
	j->strs[2] = dup_or_null(src->pwd);
	j->strs[3] = dup_or_null(src->allow);
	if ((src->url && !j->strs[0]) || (src->user && !j->strs[1]) ||
	    (src->pwd && !j->strs[2]) || (src->allow && !j->strs[3])) {
		err = ENOMEM;
		goto fail;
	}
	j->src.url = j->strs[0];
	j->src.user = j->strs[1];
	j->src.pwd = j->strs[2];
	j->src.allow = j->strs[3];
	j->copts = *copts;
	j->doneh = doneh;
	j->arg = arg;
	if (pipe2(j->pipe, O_CLOEXEC | O_NONBLOCK)) {
		err = errno;
		j->pipe[0] = j->pipe[1] = -1;
		goto fail;
	}
	err = fd_listen(j->pipe[0], FD_READ, job_readable, j);
	if (err)
		goto fail;
	/* signals are the loop's: the worker blocks them all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&j->thread, NULL, worker, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		goto fail;
	j->thread_up = true;
	jobs_running++;
	*jobp = j;
	return 0;
 fail:
	mem_deref(j);
	return err;
}

unsigned import_jobs_running(void)
{
	return jobs_running;
}
