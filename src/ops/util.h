/*
 * util.h — small helpers shared by the handlers in ops/.
 */
#ifndef OCC_OPS_UTIL_H
#define OCC_OPS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include "core/model.h"

/* Split a comma-separated list: copies the next trimmed token into tok and
 * advances *p. Returns false at the end. Empty tokens are skipped. */
bool list_next(const char **p, char *tok, size_t toksz);
/* The team's group named by a decimal id token, or NULL. */
struct group *group_of_token(const struct team *t, const char *tok);

#endif
