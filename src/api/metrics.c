/*
 * metrics.c — GET /metrics (see metrics.h). Printed straight into the
 * reply: a family's HELP and TYPE lines, then its samples; every known
 * label combination is printed, zeros included, so that a counter's
 * first increase shows in rate(). Label values (team, queue names) are
 * escaped; HELP texts are constants without '\' or newlines.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <re.h>
#include "base/conf.h"
#include "base/hist.h"
#include "api/httpd.h"
#include "api/metrics.h"
#include "sip/sipdrain.h"
#include "media/mworker.h"
#include "core/agent_state.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/nchan.h"
#include "events/push.h"
#include "events/webhook.h"
#include "sip/registrar.h"
#include "sip/tel.h"
#include "store/store.h"
#include "cluster/cluster.h"

enum { LAG_TICK_MS = 100 };

struct metrics {
	struct occ *occ;
	const struct webhook *wh;
	const struct nchan *nc;
	struct tmr lag_tmr;
	uint64_t lag_due_ns;       /* when the lag timer should fire */
	struct hist lag;
};

/* ---- the allow list ------------------------------------------------------ */

struct net {
	uint8_t a[16];
	unsigned len;              /* 4 or 16 bytes */
	unsigned bits;             /* prefix */
};

/* An address as 4 bytes (IPv4, or IPv4 mapped into IPv6) or 16. */
static unsigned addr_bytes(const struct sa *sa, uint8_t out[16])
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	uint32_t v4;

	if (sa_af(sa) == AF_INET) {
		v4 = sa_in(sa);
		out[0] = v4 >> 24;
		out[1] = v4 >> 16;
		out[2] = v4 >> 8;
		out[3] = v4;
		return 4;
	}
	if (sa_af(sa) != AF_INET6)
		return 0;
	sa_in6(sa, out);
	if (!memcmp(out, v4mapped, sizeof(v4mapped))) {
		memmove(out, out + 12, 4);
		return 4;
	}
	return 16;
}

/* "ADDRESS" or "ADDRESS/BITS" of pl into n */
static int net_parse(const struct pl *pl, struct net *n)
{
	char buf[64], *slash;
	struct sa sa;
	uint32_t v4;
	unsigned bits = 0;

	if (pl->l >= sizeof(buf))
		return EINVAL;
	pl_strcpy(pl, buf, sizeof(buf));
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	/* inet_pton's forms only (libre's sa_set_str takes more) */
	if (inet_pton(AF_INET, buf, &v4) == 1)
		sa_set_in(&sa, ntohl(v4), 0);
	else if (inet_pton(AF_INET6, buf, n->a) == 1)
		sa_set_in6(&sa, n->a, 0);
	else
		return EINVAL;
	n->len = addr_bytes(&sa, n->a);
	n->bits = n->len * 8;
	if (!slash)
		return 0;
	/* 1 to 3 digits, at most the address's bits */
	for (const char *d = slash + 1; *d; d++) {
		if (*d < '0' || *d > '9' || d - slash > 3)
			return EINVAL;
		bits = bits * 10 + (unsigned)(*d - '0');
	}
	if (!slash[1] || bits > n->bits)
		return EINVAL;
	n->bits = bits;
	return 0;
}

static bool net_has(const struct net *n, const uint8_t *a, unsigned len)
{
	unsigned whole = n->bits / 8, rest = n->bits % 8;

	if (len != n->len || memcmp(a, n->a, whole))
		return false;
	return !rest || !((a[whole] ^ n->a[whole]) & (0xff00 >> rest));
}

/* Each entry of list, in turn, until h says stop (true) or one does not
 * parse (EINVAL, the entry in *bad). */
typedef bool (net_h)(const struct net *n, void *arg);

static int nets_walk(const char *list, net_h *h, void *arg, struct pl *bad)
{
	const char *p = list;

	for (;;) {
		struct pl e;
		struct net n;
		while (*p == ',' || *p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		e.p = p;
		while (*p && *p != ',' && *p != ' ' && *p != '\t')
			p++;
		e.l = (size_t)(p - e.p);
		if (net_parse(&e, &n)) {
			if (bad)
				*bad = e;
			return EINVAL;
		}
		if (h && h(&n, arg))
			return 0;
	}
}

int metrics_allow_check(const char *list, char *err, size_t errsz)
{
	struct pl bad = PL_INIT;

	if (!nets_walk(list, NULL, NULL, &bad))
		return 0;
	re_snprintf(err, errsz, "[metrics] allow: \"%r\" is not an address "
		    "or ADDRESS/BITS", &bad);
	return EINVAL;
}

struct peer_match {
	uint8_t a[16];
	unsigned len;
	bool found;
};

static bool peer_in(const struct net *n, void *arg)
{
	struct peer_match *pm = arg;

	/* on to the end: a bad entry further on must refuse */
	pm->found |= net_has(n, pm->a, pm->len);
	return false;
}

bool metrics_allowed(const char *list, const struct sa *peer)
{
	struct peer_match pm = { .found = false };

	pm.len = addr_bytes(peer, pm.a);
	if (!pm.len || nets_walk(list, peer_in, &pm, NULL))
		return false;
	return pm.found;
}

/* ---- printing ------------------------------------------------------------- */

int metrics_label(struct re_printf *pf, void *str)
{
	const char *s = str ? str : "";
	int err = 0;

	for (; *s && !err; s++) {
		switch (*s) {
		case '\\': err = re_hprintf(pf, "\\\\"); break;
		case '"':  err = re_hprintf(pf, "\\\""); break;
		case '\n': err = re_hprintf(pf, "\\n"); break;
		default:   err = pf->vph(s, 1, pf->arg); break;
		}
	}
	return err;
}

static int family(struct re_printf *pf, const char *name, const char *type,
		  const char *help)
{
	return re_hprintf(pf, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
			  type);
}

/* an unlabelled metric: its family lines and its one sample */
static int metric_u64(struct re_printf *pf, const char *name,
		      const char *type, const char *help, uint64_t value)
{
	return family(pf, name, type, help) |
	       re_hprintf(pf, "%s %llu\n", name, (unsigned long long)value);
}

static int print_hist(struct re_printf *pf, const char *name,
		      const char *help, const struct hist *h)
{
	uint64_t cum = 0;
	int err = family(pf, name, "histogram", help);

	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		cum += h->n[i];
		err |= re_hprintf(pf, "%s_bucket{le=\"%.4f\"} %llu\n", name,
				  hist_bounds[i], (unsigned long long)cum);
	}
	err |= re_hprintf(pf, "%s_bucket{le=\"+Inf\"} %llu\n"
			  "%s_sum %.6f\n%s_count %llu\n", name,
			  (unsigned long long)h->count, name, h->sum, name,
			  (unsigned long long)h->count);
	return err;
}

static int print_calls(struct re_printf *pf, struct tel *tel)
{
	static const char *const dirs[2] = { "dialout", "dialin" };
	struct tel_stats s;
	int err;

	tel_stats(tel, &s);
	err = metric_u64(pf, "occ_calls_active", "gauge",
			 "Calls in progress, from the first INVITE to the end.",
			 s.calls);
	err |= metric_u64(pf, "occ_calls_up", "gauge",
			  "Calls in progress whose customer leg is answered "
			  "(an inbound caller in an IVR or a queue too).",
			  s.up);
	err |= family(pf, "occ_calls_ended_total", "counter",
		      "Calls ended since the start, by direction and CDR "
		      "disposition.");
	for (unsigned d = 0; d < 2; d++)
		for (unsigned i = 0; i < TEL_DISP_COUNT; i++)
			err |= re_hprintf(pf, "occ_calls_ended_total{direction="
					  "\"%s\",disposition=\"%s\"} %llu\n",
					  dirs[d], tel_dispositions[i],
					  (unsigned long long)
					  s.calls_ended[d][i]);
	err |= family(pf, "occ_call_legs_ended_total", "counter",
		      "Call legs (each party's INVITE) ended since the start, "
		      "by role and CDR disposition.");
	for (unsigned r = 0; r < TEL_ROLES; r++)
		for (unsigned i = 0; i < TEL_DISP_COUNT; i++) {
			if (i == TEL_CANCEL)      /* a call's only */
				continue;
			err |= re_hprintf(pf, "occ_call_legs_ended_total{role="
					  "\"%s\",disposition=\"%s\"} %llu\n",
					  tel_role_name(r), tel_dispositions[i],
					  (unsigned long long)
					  s.legs_ended[r][i]);
		}
	return err;
}

static int print_registrations(struct re_printf *pf, struct tel *tel,
			       const struct model *m)
{
	const struct registrar *reg = tel_registrar(tel);
	struct le *le, *le2;
	int err;

	err = metric_u64(pf, "occ_sip_registrations", "gauge",
			 "Registered SIP contacts (bindings) of all teams.",
			 reg ? registrar_count(reg) : 0);
	err |= family(pf, "occ_sip_registered_extensions", "gauge",
		      "Extensions with at least one registered contact, by "
		      "team.");
	LIST_FOREACH(&m->teams, le) {
		const struct team *t = le->data;
		unsigned n = 0;
		LIST_FOREACH(&t->extens, le2) {
			const struct exten *e = le2->data;
			if (reg && registrar_lookup(reg, t->name, e->number))
				n++;
		}
		err |= re_hprintf(pf, "occ_sip_registered_extensions{team=\"%H\"}"
				  " %u\n", metrics_label, t->name, n);
	}
	return err;
}

static int print_agents(struct re_printf *pf, const struct model *m)
{
	struct le *le, *le2;
	int err;

	err = family(pf, "occ_agents", "gauge",
		     "Agents by team and state (the API's words: logout "
		     "idle ring busy acw pause).");
	LIST_FOREACH(&m->teams, le) {
		const struct team *t = le->data;
		unsigned n[AS_COUNT] = { 0 };
		LIST_FOREACH(&t->agent_list, le2) {
			const struct agent *a = le2->data;
			if ((unsigned)a->state < AS_COUNT)
				n[a->state]++;
		}
		for (unsigned s = 0; s < AS_COUNT; s++)
			err |= re_hprintf(pf, "occ_agents{team=\"%H\",state="
					  "\"%s\"} %u\n", metrics_label,
					  t->name, agent_state_name(s), n[s]);
	}
	return err;
}

struct qprint {
	struct re_printf *pf;
	int err;
	bool wait;                 /* the longest waits, else the callers */
};

static void print_queue(const struct tel_queue *q, void *arg)
{
	struct qprint *qp = arg;
	static const char *const states[3] = { "waiting", "ringing",
					       "talking" };
	const unsigned n[3] = { q->waiting, q->ringing, q->talking };

	if (qp->wait) {
		qp->err |= re_hprintf(qp->pf, "occ_queue_longest_wait_seconds"
				      "{team=\"%H\",queue=\"%H\"} %.3f\n",
				      metrics_label, q->team, metrics_label,
				      q->queue, q->longest_wait_ms / 1000.0);
		return;
	}
	for (unsigned i = 0; i < 3; i++)
		qp->err |= re_hprintf(qp->pf, "occ_queue_callers{team=\"%H\","
				      "queue=\"%H\",state=\"%s\"} %u\n",
				      metrics_label, q->team, metrics_label,
				      q->queue, states[i], n[i]);
}

static int print_queues(struct re_printf *pf, struct tel *tel)
{
	struct qprint qp = { .pf = pf };

	qp.err = family(pf, "occ_queue_callers", "gauge",
			"Inbound callers in each ACD queue: waiting for an "
			"agent, ringing one, talking.");
	tel_queues(tel, print_queue, &qp);
	qp.err |= family(pf, "occ_queue_longest_wait_seconds", "gauge",
			 "How long the caller waiting longest in each queue "
			 "has waited (0: nobody waits).");
	qp.wait = true;
	tel_queues(tel, print_queue, &qp);
	return qp.err;
}

struct bprint {
	struct re_printf *pf;
	int err;
};

static void print_trunk_reg(const char *team, const char *trunk,
			    bool registered, void *arg)
{
	struct bprint *bp = arg;

	bp->err |= re_hprintf(bp->pf, "occ_trunk_registered{team=\"%H\","
			      "trunk=\"%H\"} %d\n", metrics_label, team,
			      metrics_label, trunk, registered);
}

static int print_trunks(struct re_printf *pf, struct tel *tel)
{
	struct bprint bp = { .pf = pf };

	bp.err = family(pf, "occ_trunk_registered", "gauge",
			"Trunks that register with their carrier (trunk "
			"--register), by team and trunk: 1 while the carrier "
			"holds the binding, 0 while it refuses or does not "
			"answer (occd retries).");
	tel_trunk_regs(tel, print_trunk_reg, &bp);
	return bp.err;
}

static void print_backlog(const char *team, uint64_t pending, void *arg)
{
	struct bprint *bp = arg;

	bp->err |= re_hprintf(bp->pf, "occ_events_pending{sink=\"webhook\","
			      "team=\"%H\"} %llu\n", metrics_label, team,
			      (unsigned long long)pending);
}

static int print_events(struct re_printf *pf, const struct metrics *m)
{
	struct bprint bp = { .pf = pf };
	struct nchan_stats ns;

	bp.err = family(pf, "occ_events_pending", "gauge",
			"Events not yet delivered, by sink: webhook (a team's "
			"event_url: stored after its delivery cursor), nchan "
			"(messages queued for the publisher).");
	webhook_backlog(m->wh, print_backlog, &bp);
	if (!m->nc)
		return bp.err;
	nchan_stats(m->nc, &ns);
	bp.err |= re_hprintf(pf, "occ_events_pending{sink=\"nchan\"} %u\n",
			     ns.queued);
	bp.err |= family(pf, "occ_nchan_messages_total", "counter",
			 "nchan publishes since the start, by result.");
	bp.err |= re_hprintf(pf, "occ_nchan_messages_total{result="
			     "\"published\"} %llu\n"
			     "occ_nchan_messages_total{result=\"failed\"} %llu\n"
			     "occ_nchan_messages_total{result=\"dropped\"} "
			     "%llu\n", (unsigned long long)ns.published,
			     (unsigned long long)ns.failed,
			     (unsigned long long)ns.dropped);
	return bp.err;
}

/* ---- the process ---------------------------------------------------------- */

struct proc {
	double cpu_s, start_s;
	uint64_t vsize, rss_pages;
	unsigned fds;
};

/* /proc/self/stat after the command's ")": field 3 on; /proc/stat's
 * btime makes the start (in clock ticks after boot) a Unix time */
static int proc_read(struct proc *p)
{
	char buf[1024], *s;
	unsigned long utime, stime;
	unsigned long long start, vsize, rss, btime = 0;
	long tck = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/self/stat", "r");
	size_t n;

	if (!f)
		return errno;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	s = strrchr(buf, ')');
	if (!s || tck <= 0 ||
	    sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu "
		   "%*d %*d %*d %*d %*d %*d %llu %llu %llu", &utime, &stime,
		   &start, &vsize, &rss) != 5)
		return EINVAL;
	f = fopen("/proc/stat", "r");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "btime %llu", &btime) == 1)
			break;
	if (f)
		fclose(f);
	p->cpu_s = (double)(utime + stime) / (double)tck;
	p->start_s = (double)btime + (double)start / (double)tck;
	p->vsize = vsize;
	p->rss_pages = rss;
	p->fds = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != dirfd(d))
			p->fds++;
	if (d)
		closedir(d);
	return 0;
}

static int print_process(struct re_printf *pf)
{
	struct proc p;
	struct rlimit rl;
	int err = 0;

	/* the names every Prometheus client's process collector uses */
	if (!proc_read(&p)) {
		err |= family(pf, "process_cpu_seconds_total", "counter",
			      "User and system CPU time spent, seconds.");
		err |= re_hprintf(pf, "process_cpu_seconds_total %.2f\n",
				  p.cpu_s);
		err |= family(pf, "process_start_time_seconds", "gauge",
			      "Start time of the process since the Unix epoch, "
			      "seconds.");
		err |= re_hprintf(pf, "process_start_time_seconds %.2f\n",
				  p.start_s);
		err |= metric_u64(pf, "process_virtual_memory_bytes", "gauge",
				  "Virtual memory size, bytes.", p.vsize);
		err |= metric_u64(pf, "process_resident_memory_bytes", "gauge",
				  "Resident memory size, bytes.",
				  p.rss_pages *
				   (unsigned long long)sysconf(_SC_PAGESIZE));
		err |= metric_u64(pf, "process_open_fds", "gauge",
				  "Open file descriptors.", p.fds);
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		err |= metric_u64(pf, "process_max_fds", "gauge",
				  "Limit of open file descriptors.",
				  rl.rlim_cur);
	}
	return err;
}

/* libre's list of running timers (exported by libre 1.1.0, not declared) */
struct list *tmrl_get(void);

static int print_loop(struct re_printf *pf)
{
	struct sipdrain_stats st;
	int err = 0;

	sipdrain_stats(&st);
	err |= metric_u64(pf, "occ_loop_timers", "gauge",
			  "Timers running on the event loop (libre keeps them "
			  "in one sorted list).",
			  list_count(tmrl_get()));
	err |= metric_u64(pf, "occ_sip_udp_datagrams_total", "counter",
			  "SIP datagrams read from the UDP socket.",
			  st.datagrams);
	err |= metric_u64(pf, "occ_sip_udp_read_passes_total", "counter",
			  "Loop passes that read the SIP UDP socket (each "
			  "reads it until empty, at most 256 datagrams).",
			  st.passes);
	err |= metric_u64(pf, "occ_sip_udp_datagrams_per_pass_max", "gauge",
			  "Most SIP datagrams read in one loop pass.", st.most);
	return err;
}

/* ---- several nodes -------------------------------------------------------- */

static int print_cluster(struct re_printf *pf, const struct occ *occ)
{
	struct cluster_stats cs;
	int err;

	err = family(pf, "occ_node_info", "gauge",
		     "This node's name ([node] name) and whether it is one of "
		     "several ([cluster] enabled); always 1.");
	err |= re_hprintf(pf, "occ_node_info{node=\"%s\",cluster=\"%s\"} 1\n",
			  occ->cfg->node_name, occ->cluster ? "yes" : "no");
	if (!occ->cluster)
		return err;
	cluster_stats(occ->cluster, &cs);
	err |= metric_u64(pf, "occ_cluster_teams_owned", "gauge",
			  "Teams whose lease this node holds (and serves).",
			  cs.teams_owned);
	err |= metric_u64(pf, "occ_cluster_lease_renew_failures_total",
			  "counter",
			  "Lease renewals and heartbeats that failed.",
			  cs.renew_failures);
	err |= metric_u64(pf, "occ_cluster_takeovers_total", "counter",
			  "Teams claimed after another node held them (moved, "
			  "or its lease expired).", cs.takeovers);
	err |= metric_u64(pf, "occ_cluster_releases_total", "counter",
			  "Teams this node stopped serving (handed over, lease "
			  "lost, fence, stop).", cs.releases);
	return err;
}

/* [media] threads: each worker's load (none printed without workers) */
static int print_media_threads(struct re_printf *pf)
{
	unsigned n = mworker_count();
	int err = 0;

	err |= metric_u64(pf, "occ_media_threads", "gauge",
			  "Media worker threads ([media] threads; 0: the media "
			  "runs on the event loop).", n);
	if (!n)
		return err;
	err |= family(pf, "occ_media_thread_busy_seconds_total", "counter",
		      "Seconds a media worker thread spent handling RTP "
		      "(its load: rate() of it is the share of a core).");
	for (unsigned i = 0; i < n; i++)
		err |= re_hprintf(pf, "occ_media_thread_busy_seconds_total"
				  "{thread=\"%u\"} %.6f\n", i,
				  mworker_busy_seconds(i));
	err |= family(pf, "occ_media_thread_sockets", "gauge",
		      "RTP and RTCP sockets a media worker thread polls.");
	for (unsigned i = 0; i < n; i++)
		err |= re_hprintf(pf, "occ_media_thread_sockets"
				  "{thread=\"%u\"} %u\n", i,
				  mworker_endpoints(i));
	/* how late each worker's loop is, and what of it is the handover
	 * lock (the overload guard's [call] overload_media_ms) */
	err |= family(pf, "occ_media_thread_lag_seconds", "gauge",
		      "How late a media worker's 20 ms tick came in the last "
		      "second or two (waiting for the lock or a core).");
	for (unsigned i = 0; i < n; i++)
		err |= re_hprintf(pf, "occ_media_thread_lag_seconds"
				  "{thread=\"%u\"} %.6f\n", i,
				  mworker_lag_seconds(i));
	err |= family(pf, "occ_media_thread_lock_wait_seconds_total",
		      "counter", "Seconds a media worker waited for the "
		      "event loop to hand the media state over.");
	for (unsigned i = 0; i < n; i++)
		err |= re_hprintf(pf, "occ_media_thread_lock_wait_seconds_total"
				  "{thread=\"%u\"} %.6f\n", i,
				  mworker_lock_wait_seconds(i));
	err |= family(pf, "occ_media_handover_yields_total", "counter",
		      "Times the busy event loop let waiting media workers "
		      "in between two handlers.");
	err |= re_hprintf(pf, "occ_media_handover_yields_total %llu\n",
			  (unsigned long long)mworker_yields());
	return err;
}

static int print_all(struct re_printf *pf, void *arg)
{
	struct metrics *m = arg;
	struct occ *occ = m->occ;
	int err = 0;

	if (occ->tel) {
		err |= print_calls(pf, occ->tel);
		err |= print_registrations(pf, occ->tel, occ->m);
		err |= print_trunks(pf, occ->tel);
		err |= print_queues(pf, occ->tel);
	}
	err |= print_agents(pf, occ->m);
	err |= print_events(pf, m);
	err |= print_loop(pf);
	err |= print_media_threads(pf);
	err |= print_hist(pf, "occ_event_loop_lag_seconds",
			  "How late a timer due every 100 ms fired: the event "
			  "loop's lag.", &m->lag);
	if (occ->push)
		err |= print_hist(pf, "occ_push_fanout_pass_seconds",
				  "Time one loop pass spent writing events to "
				  "push subscribers (bounded, so that the API and "
				  "SIP wait at most this long behind a fan-out).",
				  push_fanout_passes(occ->push));
	if (occ->st)
		err |= print_hist(pf, "occ_store_write_seconds",
				  "Duration of the store's writes on the loop "
				  "(state, registrations, CDRs, events, "
				  "cursors, commits).",
				  store_write_latency(occ->st));
	err |= print_cluster(pf, occ);
	err |= print_process(pf);
	return err;
}

/* ---- the loop's lag, and the route ---------------------------------------- */

static void lag_tick(void *arg)
{
	struct metrics *m = arg;
	uint64_t now = hist_now_ns();

	hist_observe(&m->lag, now > m->lag_due_ns
		     ? (double)(now - m->lag_due_ns) / 1e9 : 0);
	m->lag_due_ns = now + LAG_TICK_MS * 1000000ull;
	tmr_start(&m->lag_tmr, LAG_TICK_MS, lag_tick, m);
}

static void metrics_destructor(void *arg)
{
	struct metrics *m = arg;

	tmr_cancel(&m->lag_tmr);
}

int metrics_alloc(struct metrics **mp, struct occ *occ,
		  const struct webhook *wh, const struct nchan *nc)
{
	struct metrics *m = mem_zalloc(sizeof(*m), metrics_destructor);

	if (!m)
		return ENOMEM;
	m->occ = occ;
	m->wh = wh;
	m->nc = nc;
	tmr_init(&m->lag_tmr);
	m->lag_due_ns = hist_now_ns() + LAG_TICK_MS * 1000000ull;
	tmr_start(&m->lag_tmr, LAG_TICK_MS, lag_tick, m);
	*mp = m;
	return 0;
}

void metrics_handle(struct metrics *m, const struct http_req *req,
		    struct http_resp *resp)
{
	if (!m || !metrics_allowed(m->occ->cfg->metrics_allow, &req->peer)) {
		http_resp_set(resp, 404, "text/plain; charset=utf-8",
			      "not found\n");
		return;
	}
	if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
		http_resp_set(resp, 405, "text/plain", "method not allowed\n");
		http_resp_header(resp, "Allow", "GET, HEAD");
		return;
	}
	if (http_resp_set(resp, 200, "text/plain; version=0.0.4; "
			  "charset=utf-8", "%H", print_all, m))
		http_resp_set(resp, 500, "text/plain", "no memory\n");
	http_resp_header(resp, "Cache-Control", "no-store");
}
