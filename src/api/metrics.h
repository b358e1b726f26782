/*
 * metrics.h — GET /metrics: occd's figures in the Prometheus text
 * exposition format (version 0.0.4), for the addresses of [metrics] allow
 * only (others get the 404 of an unknown path).
 *
 * Nothing is copied: each scrape reads the modules that own the data
 * through their small accessors (sip/tel.h's tel_stats and tel_queues,
 * the registrar, the model's agents, webhook_backlog, nchan_stats,
 * store_write_latency) and /proc/self. The one thing measured here is the
 * event loop's lag: a timer every LAG_TICK_MS notes how late it fired.
 * docs/OPERATIONS.md ("Monitoring") lists every metric.
 */
#ifndef OCC_METRICS_H
#define OCC_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <re.h>

struct occ;
struct webhook;
struct nchan;
struct metrics;
struct http_req;
struct http_resp;

/* The sources besides occ (NULL: not running). The lag timer starts. */
int  metrics_alloc(struct metrics **mp, struct occ *occ,
		   const struct webhook *wh, const struct nchan *nc);
/* GET or HEAD /metrics. */
void metrics_handle(struct metrics *m, const struct http_req *req,
		    struct http_resp *resp);

/* [metrics] allow: addresses and networks (ADDRESS/BITS), IPv4 or IPv6,
 * separated by commas or spaces; empty: nobody. 0, or EINVAL with the
 * first entry that is neither in err. */
int  metrics_allow_check(const char *list, char *err, size_t errsz);
/* Is peer in list (an IPv4 address mapped into IPv6 counts as IPv4)? A
 * list that does not parse allows nobody. */
bool metrics_allowed(const char *list, const struct sa *peer);
/* A label value escaped per the format (\\, \", \n), for "%H". */
int  metrics_label(struct re_printf *pf, void *str);

#endif
