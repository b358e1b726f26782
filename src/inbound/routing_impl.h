/*
 * routing_impl.h — what routing.c (lookups, decision, printing) and
 * routing_parse.c (the file) share; private to src/inbound/.
 */
#ifndef OCC_ROUTING_IMPL_H
#define OCC_ROUTING_IMPL_H

#include <stdbool.h>
#include "inbound/routing.h"

/* Counts a file may hold; past them it is refused ("too many ..."). */
enum {
	RT_MAX_DIDS      = 2048,
	RT_MAX_ROUTES    = 512,
	RT_MAX_SCHEDULES = 128,
	RT_MAX_PROMPTS   = 512,
	RT_MAX_FLOWS     = 128,
	RT_MAX_NODES     = 256,     /* per flow */
	RT_MAX_QUEUES    = 512,
	RT_MAX_MEMBERS   = 1024,    /* per queue */
	RT_MAX_LIST      = 4096,    /* entries of each caller list */
	RT_MAX_LEVEL     = 100,     /* member levels, relaxation steps */
};

/* A zeroed routing of team, blocked = hangup; routing_free() frees it. */
struct routing *routing_alloc(const char *team);

bool routing_var_ok(const char *s);
const char *routing_dest_kind_name(enum dest_kind k);
const char *routing_node_type_name(enum ivr_node_kind k);
const char *routing_test_op_name(enum ivr_test_op op);
const char *routing_strategy_name(enum queue_strategy s);

#endif
