/*
 * util.h — small helpers shared by the handlers in ops/ and the dispatcher.
 */
#ifndef OCC_OPS_UTIL_H
#define OCC_OPS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <re.h>
#include "core/model.h"

/* Split a comma-separated list: sets tok to the next token (trimmed, never
 * empty, pointing into the list, never truncated) and advances *p. Returns
 * false at the end. */
bool list_next(const char **p, struct pl *tok);
/* The team's group whose id is exactly the decimal digits of tok (no sign,
 * no blanks, no leading text), or NULL. */
struct group *group_of_pl(const struct team *t, const struct pl *tok);
struct group *group_of_str(const struct team *t, const char *s);
/* A number to dial or present: one or more of [0-9*#+] and nothing else,
 * so no caller can put SIP syntax into a URI or header (issue 9). */
bool dial_string_ok(const char *s);

/* The membership makeCall uses when it names no group: the agent's
 * default dial-out group (DefaultGroup) if checked in there, else its
 * first checked-in one; NULL when checked in nowhere. */
struct member *dialout_member(const struct agent *a);

struct op_result;
/* makeCall's answers to call_make()'s outcome (deviceCall and backCall
 * share them): 19 placed; 20[trunk] no trunk, 20[busy] overloaded, 20
 * otherwise; 119 the first extension is not registered. */
void call_result(struct op_result *res, int call_err);

#endif
