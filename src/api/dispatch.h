/*
 * dispatch.h — the one path every request takes, whatever its interface:
 * collect arguments (by name or by position), run the checks the row
 * declares in a fixed order, call the handler. Redis's processCommand() is
 * the model; see dispatch.c for the order of the checks.
 */
#ifndef OCC_DISPATCH_H
#define OCC_DISPATCH_H

#include "api/optable.h"
#include "ops/op.h"

struct form;

enum iface { IFACE_HTTP, IFACE_SCRIPT, IFACE_SOAP };

struct dispatch_args {
	const char *v[P_COUNT];       /* NULL when absent */
	const struct sa *peer;        /* source address, NULL if unknown */
};

/* Named arguments (HTTP form, Script query). Unknown names are ignored. */
void dispatch_args_named(struct dispatch_args *da, const struct form *f);
/* Positional arguments (SOAP): the row's SOAP order, or its alternative
 * order when the argument count matches that one (asterCC 2.1 prototypes),
 * or, at equal counts, when only the alternative puts agent/account and
 * plaintext/md5 where they belong. Returns false for too many arguments. */
bool dispatch_args_positional(struct dispatch_args *da, const struct op *op,
			      const char *const *vals, size_t n);

/* Run op. res must be res_init()ed; the caller renders and res_reset()s.
 * A password that needs the slow hash returns a wait instead (res is
 * untouched; the caller owns the reference): the caller parks the request
 * with api_park() (api.h) and answers nothing now. */
struct occ;
struct auth_wait;
struct auth_wait *dispatch_run(struct occ *occ, const struct op *op,
			       const struct dispatch_args *da,
			       struct op_result *res);


#endif
