/*
 * libre_log.h — what libre prints (its dbg module, and the warnings it
 * writes straight to stderr, such as "sip: msg decode err") becomes occd
 * log lines at topic "libre", quoted and under the same per-statement rate
 * limit as occd's own lines (log.h). Without libre_log_capture() the dbg
 * module still prints to stderr; the stderr warnings are captured in any
 * program linking src/base (libre_log.c).
 */
#ifndef OCC_LIBRE_LOG_H
#define OCC_LIBRE_LOG_H

void libre_log_capture(void);

#endif
