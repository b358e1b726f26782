/*
 * log.h — structured log lines, one per event, in logfmt:
 *   ts=2026-11-21T23:59:00.123Z level=info topic=api.http msg="..." k=v
 * Each .c file defines LOG_TOPIC before including this header. The level is
 * tested before the arguments are formatted, so disabled levels cost a compare.
 * Formatting is libre's re_printf (%r for pl, %J for sa, %H for printers).
 * Never log a password or a password hash: callers log user names only.
 */
#ifndef OCC_LOG_H
#define OCC_LOG_H

#include <stdarg.h>

enum log_level { LOG_LVL_ERR = 0, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DBG };

extern enum log_level log_level_current;

void log_set_level(enum log_level lvl);
int  log_level_parse(const char *s, enum log_level *lvl);
void log_msg(enum log_level lvl, const char *topic, const char *fmt, ...);

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
