/*
 * demo_routing.h — the demo team's routing file (demo_routing.ini, also the
 * example of docs/INBOUND.md), embedded for occd --demo's provisioning.
 */
#ifndef OCC_DEMO_ROUTING_H
#define OCC_DEMO_ROUTING_H

#include <stddef.h>

extern const char demo_routing_ini[];   /* NUL-terminated */

static inline size_t demo_routing_len(void)
{
	size_t n = 0;

	while (demo_routing_ini[n])
		n++;
	return n;
}

#endif
