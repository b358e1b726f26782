/*
 * libre_log.c — libre's own diagnostics into occd's log (see libre_log.h).
 *
 * libre 1.1.0 prints two ways. Its dbg module (DEBUG_WARNING() and the
 * like) calls a handler when one is set, instead of writing to stderr; the
 * handler only gets the formatted text, so the rate-limit key is the text
 * up to its first digit (addresses, ports and counts vary, the words do
 * not). And some messages are written with re_fprintf(stderr, ...) with no
 * hook at all — among them "sip: msg decode err" for every malformed SIP
 * datagram and "unhandeled request from ..." — so occd defines
 * re_fprintf() itself: libre.so calls it through the PLT, the dynamic
 * linker binds those calls to the executable's definition, and the format
 * string is the rate-limit key, as for occd's own statements. Other
 * streams are passed to libre's re_vfprintf() unchanged.
 * (scripts/check-symbols.sh allows this one clash on purpose.)
 *
 * libre's text is logged quoted under topic "libre": it may carry what a
 * peer sent (a request URI, a method).
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#define DEBUG_MODULE "occd"
#define DEBUG_LEVEL 0
#include <re_dbg.h>
#include "base/log.h"
#include "base/libre_log.h"

enum { TEXT_MAX = 512, KEY_MAX = 48 };

static enum log_level level_of(int dbg_level)
{
	if (dbg_level <= DBG_ERR)
		return LOG_LVL_ERR;
	if (dbg_level == DBG_WARNING)
		return LOG_LVL_WARN;
	return dbg_level == DBG_DEBUG ? LOG_LVL_DBG : LOG_LVL_INFO;
}

/* FNV-1a of the text up to its first digit; never 0 (a free site) */
static uintptr_t text_key(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n && i < KEY_MAX; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			break;
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	}
	return (uintptr_t)(h | 1);
}

static void log_libre(enum log_level lvl, uintptr_t key, const char *what,
		      const char *text, size_t n)
{
	char buf[TEXT_MAX];

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
		     text[n - 1] == ' '))
		n--;
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, text, n);
	buf[n] = '\0';
	log_text(lvl, "libre", key, what ? what : buf, buf);
}

static void dbg_h(int level, const char *p, size_t len, void *arg)
{
	enum log_level lvl = level_of(level);

	(void)arg;
	if (log_level_current < lvl)
		return;
	log_libre(lvl, text_key(p, len), NULL, p, len);
}

void libre_log_capture(void)
{
	dbg_init(DBG_DEBUG, 0);
	dbg_handler_set(dbg_h, NULL);
}

/* Replaces libre's: see the file comment. */
int re_fprintf(FILE *stream, const char *fmt, ...)
{
	char buf[TEXT_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (stream != stderr) {
		n = re_vfprintf(stream, fmt, ap);
		va_end(ap);
		return n;
	}
	/* libre writes its warnings this way; the level is checked first so
	 * a flood costs no formatting when warnings are off */
	if (log_level_current < LOG_LVL_WARN) {
		va_end(ap);
		return 0;
	}
	n = re_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	log_libre(LOG_LVL_WARN, (uintptr_t)fmt, fmt, buf, strlen(buf));
	return n;
}
