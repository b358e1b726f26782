/*
 * log.h — structured log lines, one per event, in logfmt:
 *   ts=2026-11-21T23:59:00.123Z node=occ1 level=info topic=api.http msg="..." k=v
 * node= is the daemon's [node] name (the host name unless configured), so
 * the lines of several nodes stay apart once collected.
 * Each .c file defines LOG_TOPIC before including this header. The level is
 * tested before the arguments are formatted, so disabled levels cost a compare.
 * Formatting is libre's re_printf (%r for pl, %J for sa, %H for printers).
 * Never log a password or a password hash: callers log user names only.
 *
 * Values a client chose (user names, extensions, URIs, caller ids) go
 * through LQ()/LQPL(): `OCC_INFO("login failed user=%H", LQ(who))` writes
 * user=8001 as it is, but user="8001 forged=1" quoted, so a space, a quote
 * or an '=' in a value cannot forge a field, and control bytes are escaped.
 *
 * Rate limit: every log statement (its format string is the key) may write
 * [log] rate_burst lines at once and [log] rate_limit lines a second after
 * that; lines beyond are counted, not formatted, and a line
 *   msg=suppressed similar lines n=K format="..."
 * at the statement's level and topic reports them once the flood pauses for
 * a second (every 10 s while it lasts). Each statement has its own budget,
 * so a flood of one kind never hides another.
 */
#ifndef OCC_LOG_H
#define OCC_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DBG };

extern enum log_level log_level_current;

void log_set_level(enum log_level lvl);
int  log_level_parse(const char *s, enum log_level *lvl);
void log_msg(enum log_level lvl, const char *topic, const char *fmt, ...);
/* A line whose text was formatted elsewhere (libre's diagnostics): the
 * text is written quoted as msg; key identifies its origin for the rate
 * limit and what names it in the summary line. */
void log_text(enum log_level lvl, const char *topic, uintptr_t key,
	      const char *what, const char *text);

/* Lines per second per statement after a burst of burst lines; rate 0:
 * no limit. Defaults 20 and 100. */
void log_set_rate(unsigned rate, unsigned burst);
/* Write the pending "suppressed" lines now (at exit, and for tests). */
void log_flush_suppressed(void);
/* The calling thread is not the event loop's (a media worker): its
 * suppressed lines are summed up by the loop's timer or the next line. */
void log_thread_off_loop(void);
/* The node= field every line carries after ts (NULL or "": none). */
void log_set_node(const char *name);
/* Where lines go; NULL: stderr (tests use a memory stream). */
void log_set_output(FILE *f);

/* re_printf %H printers of a value that may need quoting: log_q takes a
 * const char * (NULL prints ""), log_qpl a const struct pl *. */
struct re_printf;
int log_q(struct re_printf *pf, void *arg);
int log_qpl(struct re_printf *pf, void *arg);
#define LQ(s)   log_q, (const void *)(s)
#define LQPL(p) log_qpl, (const void *)(p)

#ifndef LOG_TOPIC
#define LOG_TOPIC "occ"
#endif

#define OCC_LOG_(lvl, ...) do { if (log_level_current >= (lvl)) \
	log_msg((lvl), LOG_TOPIC, __VA_ARGS__); } while (0)
#define OCC_ERR(...)  OCC_LOG_(LOG_LVL_ERR, __VA_ARGS__)
#define OCC_WARN(...) OCC_LOG_(LOG_LVL_WARN, __VA_ARGS__)
#define OCC_INFO(...) OCC_LOG_(LOG_LVL_INFO, __VA_ARGS__)
#define OCC_DBG(...)  OCC_LOG_(LOG_LVL_DBG, __VA_ARGS__)

#endif
