/*
 * log.c — the one log sink. Lines go to stderr, line-buffered, so tests and
 * systemd see them as they happen.
 *
 * The rate limit (see log.h) keeps a table of sites, one per log statement
 * (keyed by its format string's address) or per kind of libre message; a
 * site is found by open addressing and never freed (there are a few hundred
 * statements). Should the table fill, further sites share one overflow
 * site, so memory stays bounded whatever libre prints. Runs on the loop
 * thread only, like everything that logs.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <re.h>
#include "base/log.h"
#include "base/tokenbucket.h"

enum log_level log_level_current = LOG_LVL_INFO;

static const char *level_names[] = {
	[LOG_LVL_ERR] = "error", [LOG_LVL_WARN] = "warn",
	[LOG_LVL_INFO] = "info", [LOG_LVL_DBG] = "debug",
};

enum {
	SITES = 1024,               /* a power of two */
	PROBES = 16,
	SUMMARY_EVERY_MS = 10000,   /* while a flood lasts */
	QUIET_MS = 1000,            /* a flood has paused: report it */
	TICK_MS = 1000,
};

struct site {
	uintptr_t key;              /* 0: free */
	const char *topic;          /* static (LOG_TOPIC) */
	enum log_level lvl;
	char what[64];              /* the format, for the summary line */
	struct token_bucket b;
	unsigned suppressed;
	uint64_t first_drop_ms, last_drop_ms;
};

static struct {
	FILE *out;                  /* NULL: stderr */
	unsigned rate, burst;
	struct site sites[SITES];
	struct site overflow;
	unsigned pending;           /* sites with suppressed lines */
	struct tmr tick;
	char node[80];              /* " node=NAME" (quoted if need be), or "" */
	bool loop;                  /* a libre loop runs: tick may be armed */
} lg = { .rate = 20, .burst = 100 };

void log_set_level(enum log_level lvl)
{
	log_level_current = lvl;
}

int log_level_parse(const char *s, enum log_level *lvl)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (s && !strcasecmp(s, level_names[i])) {
			*lvl = (enum log_level)i;
			return 0;
		}
	}
	return EINVAL;
}

void log_set_output(FILE *f)
{
	lg.out = f;
}

void log_set_node(const char *name)
{
	lg.node[0] = '\0';
	if (name && *name)
		re_snprintf(lg.node, sizeof(lg.node), " node=%H", log_q, name);
}

void log_set_rate(unsigned rate, unsigned burst)
{
	lg.rate = rate;
	lg.burst = burst ? burst : 1;
	lg.loop = true;
}

/* ---- quoting ---- */

static bool plain_byte(unsigned char c)
{
	return c > ' ' && c != 0x7f && c != '"' && c != '=' && c != '\\';
}

/* inside quotes, a space and '=' are harmless */
static bool quoted_byte(unsigned char c)
{
	return plain_byte(c) || c == ' ' || c == '=';
}

static int quote(struct re_printf *pf, const char *p, size_t n)
{
	size_t i, run;
	int err;

	for (i = 0; i < n && plain_byte((unsigned char)p[i]); i++)
		;
	if (n && i == n)
		return pf->vph(p, n, pf->arg);
	err = pf->vph("\"", 1, pf->arg);
	for (i = 0; !err && i < n; i += run) {
		unsigned char c = (unsigned char)p[i];
		for (run = 0; i + run < n &&
		     quoted_byte((unsigned char)p[i + run]); run++)
			;
		if (run) {
			err = pf->vph(p + i, run, pf->arg);
			continue;
		}
		run = 1;
		switch (c) {
		case '"':  err = pf->vph("\\\"", 2, pf->arg); break;
		case '\\': err = pf->vph("\\\\", 2, pf->arg); break;
		case '\n': err = pf->vph("\\n", 2, pf->arg); break;
		case '\r': err = pf->vph("\\r", 2, pf->arg); break;
		case '\t': err = pf->vph("\\t", 2, pf->arg); break;
		default:   err = re_hprintf(pf, "\\x%02x", c); break;
		}
	}
	return err ? err : pf->vph("\"", 1, pf->arg);
}

int log_q(struct re_printf *pf, void *arg)
{
	const char *s = arg;

	return quote(pf, s ? s : "", s ? strlen(s) : 0);
}

int log_qpl(struct re_printf *pf, void *arg)
{
	const struct pl *pl = arg;

	return quote(pf, pl ? pl->p : "", pl ? pl->l : 0);
}

/* Media worker threads (media/mworker.h) log too: one line at a time
 * through the rate limiter, and only the loop thread arms its timer. */
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local bool off_loop;

void log_thread_off_loop(void)
{
	off_loop = true;
}

/* ---- rate limit ---- */

static struct site *site_get(uintptr_t key, enum log_level lvl,
			     const char *topic, const char *what)
{
	uintptr_t h = key ^ (key >> 17);
	struct site *s = NULL;

	for (unsigned i = 0; i < PROBES; i++) {
		struct site *c = &lg.sites[(h + i) & (SITES - 1)];
		if (c->key == key) {
			s = c;
			break;
		}
		if (!c->key) {
			s = c;
			s->key = key;
			break;
		}
	}
	if (!s) {
		s = &lg.overflow;
		what = "(lines of other statements)";
	}
	if (!s->what[0]) {
		size_t n;
		s->topic = topic;
		s->lvl = lvl;
		str_ncpy(s->what, what, sizeof(s->what));
		n = strlen(s->what);
		while (n && (s->what[n - 1] == '\n' || s->what[n - 1] == ' '))
			s->what[--n] = '\0';
	}
	return s;
}

static void write_line(enum log_level lvl, const char *topic,
		       const char *fmt, ...);

static void summary(struct site *s)
{
	if (!s->suppressed)
		return;
	write_line(s->lvl, s->topic,
		   "suppressed similar lines n=%u seconds=%llu format=%H",
		   s->suppressed,
		   (unsigned long long)((s->last_drop_ms - s->first_drop_ms)
					/ 1000 + 1), log_q, s->what);
	s->suppressed = 0;
	lg.pending--;
}

/* Sites whose flood paused, or has lasted SUMMARY_EVERY_MS, report. */
static void flush_due(uint64_t now, bool all)
{
	for (size_t i = 0; lg.pending && i <= SITES; i++) {
		struct site *s = i < SITES ? &lg.sites[i] : &lg.overflow;
		if (s->suppressed &&
		    (all || now - s->last_drop_ms >= QUIET_MS ||
		     now - s->first_drop_ms >= SUMMARY_EVERY_MS))
			summary(s);
	}
}

static void tick(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&log_mu);
	flush_due(tmr_jiffies(), false);
	if (lg.pending)
		tmr_start(&lg.tick, TICK_MS, tick, NULL);
	pthread_mutex_unlock(&log_mu);
}

void log_flush_suppressed(void)
{
	pthread_mutex_lock(&log_mu);
	flush_due(tmr_jiffies(), true);
	tmr_cancel(&lg.tick);
	pthread_mutex_unlock(&log_mu);
}

/* true: write the line; false: counted as suppressed */
static bool admit(uintptr_t key, enum log_level lvl, const char *topic,
		  const char *what)
{
	uint64_t now = tmr_jiffies();
	struct site *s = site_get(key, lvl, topic, what);

	if (token_bucket_take(&s->b, now, lg.rate, lg.burst)) {
		/* a long flood reports here too, in case no loop ticks */
		if (s->suppressed && now - s->first_drop_ms >= SUMMARY_EVERY_MS)
			summary(s);
		return true;
	}
	if (!s->suppressed++) {
		s->first_drop_ms = now;
		lg.pending++;
		if (lg.loop && !off_loop && !tmr_isrunning(&lg.tick))
			tmr_start(&lg.tick, TICK_MS, tick, NULL);
	}
	s->last_drop_ms = now;
	return false;
}

/* ---- the line ---- */

static void vwrite_line(enum log_level lvl, const char *topic,
			const char *fmt, va_list ap)
{
	char line[2048];
	struct timeval tv;
	struct tm tm;
	int n;

	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
		     "ts=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ%s level=%s "
		     "topic=%s msg=",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, (long)(tv.tv_usec / 1000), lg.node,
		     level_names[lvl], topic);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	re_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	/* one message must stay one line */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	fprintf(lg.out ? lg.out : stderr, "%s\n", line);
}

static void write_line(enum log_level lvl, const char *topic,
		       const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrite_line(lvl, topic, fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level lvl, const char *topic, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&log_mu);
	if (admit((uintptr_t)fmt, lvl, topic, fmt)) {
		va_start(ap, fmt);
		vwrite_line(lvl, topic, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&log_mu);
}

void log_text(enum log_level lvl, const char *topic, uintptr_t key,
	      const char *what, const char *text)
{
	if (log_level_current < lvl)
		return;
	pthread_mutex_lock(&log_mu);
	if (admit(key, lvl, topic, what))
		write_line(lvl, topic, "%H", log_q, text);
	pthread_mutex_unlock(&log_mu);
}
