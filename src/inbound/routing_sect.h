/*
 * routing_sect.h — the sections of a routing file's text, as written: where
 * each "[KIND NAME]" (or "[KIND]") starts and ends, for the commands that
 * edit one section in place (occctl did/routing set/remove) and for the
 * admin console, which shows each section's lines. Only headers are
 * looked at; the routing parser (routing.h) checks everything else.
 *
 * A section runs from its header line to the next header line or the end
 * of the text, comments and blank lines in it included. A header is a line
 * whose first non-blank character is '[' and that has a ']'; blanks around
 * KIND and NAME are dropped.
 */
#ifndef OCC_INBOUND_ROUTING_SECT_H
#define OCC_INBOUND_ROUTING_SECT_H

#include <stdbool.h>
#include <stddef.h>

struct rt_sect {
	const char *kind, *name;     /* into the text, not NUL-terminated */
	size_t kind_len, name_len;   /* name_len 0: "[KIND]" */
	size_t start, body, end;     /* offsets: header, after it, next */
};

/* Calls fn for each section of text[0..len) in order; stops early when fn
 * returns false. */
void rt_sect_each(const char *text, size_t len,
		  bool (*fn)(const struct rt_sect *s, void *arg), void *arg);

/* The section "[KIND NAME]" (name "" for "[KIND]") of text; false if none. */
bool rt_sect_find(const char *text, size_t len, const char *kind,
		  const char *name, struct rt_sect *out);

/* Splits "KIND NAME" (one blank between) into kind and name, each copied
 * NUL-terminated (name "" for a lone KIND); false unless KIND is a section
 * kind of the routing file and NAME 1-63 of A-Z a-z 0-9 _ - . * (a node's
 * FLOW.NODE, a DID prefix's 8008*). */
bool rt_sect_name(const char *s, char kind[16], char name[128]);

/* Whether body may be a section's lines: at most RT_SECT_BODY_MAX bytes,
 * no control characters but tab, CR and LF, no line that starts a section
 * ('[' as its first non-blank character). */
enum { RT_SECT_BODY_MAX = 16384 };
bool rt_sect_body_ok(const char *body);

#endif
