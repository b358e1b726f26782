/*
 * main.c — occd: flags and configuration, then one libre loop that owns
 * everything (store, model, HTTP; SIP from the telephony issue on).
 *
 *   occd [--config FILE] [--http HOST:PORT] [--sip HOST:PORT] [--data DIR]
 *        [--demo] [--log-level LEVEL] [--dump-config]
 *
 * Signals arrive through a signalfd on the loop: SIGTERM/SIGINT stop it
 * cleanly, SIGHUP reloads provisioning from the store (occctl sends it after
 * every change; runtime state is written through, so nothing is lost) and
 * the configuration keys that are not restart-only.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <re.h>
#define LOG_TOPIC "occd"
#include "base/log.h"
#include "base/libre_log.h"
#include "base/conf.h"
#include "store/store.h"
#include "core/model.h"
#include "core/agent.h"
#include "core/auth.h"
#include "core/pwhash.h"
#include "core/provision.h"
#include "api/api.h"
#include "core/occ.h"
#include "sip/sipdrain.h"
#include "sip/tel.h"
#include "media/mworker.h"
#include "events/events.h"
#include "events/retention.h"
#include "events/webhook.h"
#include "events/nchan.h"
#include "events/stats.h"
#include "events/push.h"
#include "import/fetch.h"
#include "api/metrics.h"
#include "ops/import.h"
#include "cluster/cluster.h"
#include "inbound/routing.h"

static struct {
	struct conf cfg;
	struct occ occ;
	struct store *st;
	struct api api;
	struct httpd *httpd;
	struct webhook *webhook;   /* backend event POST (events/webhook.c) */
	struct retention *retention; /* event log pruning */
	struct nchan *nchan;       /* nchan publisher, NULL if not configured */
	int sigfd;
	char pidfile[600];
	/* what made cfg, so SIGHUP can read it again */
	const char *config_path;   /* --config, the last one given */
	struct flag_set { const char *sec, *key, *val; } flags[8];
	size_t nflags;
} occd = { .sigfd = -1 };

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
	if (setrlimit(RLIMIT_NOFILE, &rl))
		OCC_WARN("cannot raise the open file limit: %m", errno);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: occd [options]\n"
		"  --config FILE      INI configuration (see occd --dump-config)\n"
		"  --http HOST:PORT   API and web server (default 127.0.0.1:4580)\n"
		"  --sip HOST:PORT    SIP registrar/B2BUA (default 127.0.0.1:5060)\n"
		"  --data DIR         database and recordings (default ./data)\n"
		"  --store BACKEND    sqlite (default) or postgresql\n"
		"  --conninfo STR     the postgresql store's libpq connection\n"
		"                     string (visible in ps: prefer the file)\n"
		"  --demo             provision the demo teams when the store is empty\n"
		"  --log-level LEVEL  error, warn, info or debug\n"
		"  --dump-config      print the effective configuration and exit\n"
		"  --help\n");
}

static int apply_flags(struct conf *cfg, char *err, size_t errsz)
{
	for (size_t i = 0; i < occd.nflags; i++) {
		const struct flag_set *f = &occd.flags[i];
		int rc = conf_set(cfg, f->sec, f->key, f->val, err, errsz);
		if (rc)
			return rc;
	}
	return 0;
}

/* Values derived from others when the file leaves them empty. */
static void conf_complete(struct conf *cfg)
{
	if (!cfg->webroot_address[0])
		re_snprintf(cfg->webroot_address, sizeof(cfg->webroot_address),
			    "http://%s/", cfg->http_listen);
	if (!cfg->node_name[0] &&
	    gethostname(cfg->node_name, sizeof(cfg->node_name) - 1))
		str_ncpy(cfg->node_name, "occd", sizeof(cfg->node_name));
	if (!cfg->cluster_sip[0])
		str_ncpy(cfg->cluster_sip, cfg->sip_listen,
			 sizeof(cfg->cluster_sip));
	if (!cfg->cluster_http[0])
		str_ncpy(cfg->cluster_http, cfg->http_listen,
			 sizeof(cfg->cluster_http));
}

static bool clustered(void)
{
	return !strcmp(occd.cfg.cluster_enabled, "yes");
}

static bool team_served(const char *team, void *arg)
{
	(void)arg;
	return cluster_serves(occd.occ.cluster, team);
}

/* with several nodes, only the teams this node holds the lease of */
static int load_model(struct model **mp)
{
	return occd.occ.cluster
		? model_load_only(mp, occd.st, team_served, NULL)
		: model_load(mp, occd.st);
}

/* [node] name: a plain token, so node= needs no quoting anywhere. */
static bool node_name_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(".-_", *s))
			return false;
	return true;
}

static void conf_noted(const char *section, const char *key, bool restart,
		       void *arg)
{
	(void)arg;
	if (restart)
		OCC_WARN("config [%s] %s changed: applies after a restart",
			 section, key);
	else
		OCC_INFO("config [%s] %s changed", section, key);
}

static void apply_log_conf(void)
{
	enum log_level lvl;

	if (!log_level_parse(occd.cfg.log_level, &lvl))
		log_set_level(lvl);
	log_set_rate(occd.cfg.log_rate_limit, occd.cfg.log_rate_burst);
	log_set_node(occd.cfg.node_name);
}

/* SIGHUP: read the configuration again (flags still win) and apply the
 * keys that are not restart-only; a file that no longer parses changes
 * nothing. */
static void reload_config(void)
{
	static struct conf fresh;     /* static: ~5 KiB, off the stack */
	char err[512];

	conf_defaults(&fresh);
	if ((occd.config_path && conf_load(&fresh, occd.config_path, err,
					   sizeof(err))) ||
	    apply_flags(&fresh, err, sizeof(err))) {
		OCC_WARN("config not reloaded, keeping the current one: %s", err);
		return;
	}
	if (import_allow_valid(fresh.import_allow, err, sizeof(err)) ||
	    metrics_allow_check(fresh.metrics_allow, err, sizeof(err))) {
		OCC_WARN("config not reloaded, keeping the current one: %s", err);
		return;
	}
	conf_complete(&fresh);
	if (conf_update(&occd.cfg, &fresh, conf_noted, NULL))
		apply_log_conf();
}

/* Several nodes: the team's DIDs in occ_did, where Kamailio finds which
 * team (and so which node) a trunk's call is for. */
static void team_dids_write(const struct team *t)
{
	const struct routing *rt = t->routing;
	unsigned n = rt ? rt->ndids : 0;
	const char **dids = mem_zalloc((n + 1) * sizeof(*dids), NULL);
	bool *prefix = mem_zalloc((n + 1) * sizeof(*prefix), NULL);
	int err = ENOMEM;

	if (dids && prefix) {
		for (unsigned i = 0; i < n; i++) {
			dids[i] = rt->dids[i].number;
			prefix[i] = rt->dids[i].match == DID_PREFIX;
		}
		err = store_did_replace(occd.st, t->name, dids, prefix, n);
	}
	if (err)
		OCC_WARN("team %H: DIDs not written for Kamailio: %m",
			 LQ(t->name), err);
	mem_deref(dids);
	mem_deref(prefix);
}

static void reload_model(void)
{
	struct model *m = NULL;
	int err;

	err = load_model(&m);

	if (err) {
		OCC_ERR("reload failed, keeping the current model err=%m", err);
		return;
	}
	model_carry_runtime(m, occd.occ.m);
	mem_deref(occd.occ.m);
	occd.occ.m = m;
	if (occd.occ.tel)
		tel_reload(occd.occ.tel);
	webhook_reload(occd.webhook);   /* event_url changes apply now */
	push_reload(occd.occ.push);     /* revoked push tokens end now */
	OCC_INFO("provisioning reloaded teams=%u agents=%zu",
		 list_count(&m->teams), m->nagents);
	if (occd.occ.cluster) {
		struct le *le;
		LIST_FOREACH(&m->teams, le)
			team_dids_write(le->data);
	}
}

static void reload(void)
{
	reload_config();
	reload_model();
}

/* The admin console changed provisioning: with several nodes, the others
 * load it at their next heartbeat (the count occctl bumps too). */
static void admin_changed(void)
{
	int64_t epoch;

	if (occd.occ.cluster &&
	    store_counter_next(occd.st, STORE_RELOAD_COUNTER, &epoch))
		OCC_WARN("the other nodes were not told of the change");
	reload();
}

static void signal_ready(int flags, void *arg)
{
	struct signalfd_siginfo si;

	while (read(occd.sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			reload();
			continue;
		}
		OCC_INFO("stopping signal=%u", si.ssi_signo);
		re_cancel();
	}
}

static int signals_init(void)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return errno;
	occd.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (occd.sigfd < 0)
		return errno;
	return fd_listen(occd.sigfd, FD_READ, signal_ready, NULL);
}

static int parse_args(int argc, char **argv, bool *demo, bool *dump)
{
	enum { O_CONFIG = 256, O_HTTP, O_SIP, O_DATA, O_DEMO, O_LOG, O_DUMP,
	       O_HELP, O_STORE, O_CONNINFO };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, O_CONFIG },
		{ "http", required_argument, NULL, O_HTTP },
		{ "sip", required_argument, NULL, O_SIP },
		{ "data", required_argument, NULL, O_DATA },
		{ "store", required_argument, NULL, O_STORE },
		{ "conninfo", required_argument, NULL, O_CONNINFO },
		{ "demo", no_argument, NULL, O_DEMO },
		{ "log-level", required_argument, NULL, O_LOG },
		{ "dump-config", no_argument, NULL, O_DUMP },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	/* flags override the file whatever their order: applied after it */
	struct flag_set *set = occd.flags;
	size_t nset = 0;
	char err[512];
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG:
			if (conf_load(&occd.cfg, optarg, err, sizeof(err))) {
				fprintf(stderr, "occd: %s\n", err);
				return 1;
			}
			occd.config_path = optarg;
			break;
		case O_HTTP: set[nset++] = (struct flag_set){ "http", "listen", optarg }; break;
		case O_SIP:  set[nset++] = (struct flag_set){ "sip", "listen", optarg }; break;
		case O_DATA: set[nset++] = (struct flag_set){ "store", "data_dir", optarg }; break;
		case O_STORE: set[nset++] = (struct flag_set){ "store", "backend", optarg }; break;
		case O_CONNINFO: set[nset++] = (struct flag_set){ "store", "conninfo", optarg }; break;
		case O_LOG:  set[nset++] = (struct flag_set){ "log", "level", optarg }; break;
		case O_DEMO: *demo = true; break;
		case O_DUMP: *dump = true; break;
		case O_HELP: usage(stdout); exit(0);
		default:     usage(stderr); return 2;
		}
		if (nset == ARRAY_SIZE(occd.flags))
			nset--;
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* the environment's OCC_MEDIA_THREADS stands for [media] threads
	 * (how the test suites run their occd with media workers) */
	if (getenv("OCC_MEDIA_THREADS") && *getenv("OCC_MEDIA_THREADS"))
		set[nset++] = (struct flag_set){ "media", "threads",
						 getenv("OCC_MEDIA_THREADS") };
	occd.nflags = nset;
	if (apply_flags(&occd.cfg, err, sizeof(err)) ||
	    import_allow_valid(occd.cfg.import_allow, err, sizeof(err))) {
		fprintf(stderr, "occd: %s\n", err);
		return 1;
	}
	return 0;
}

static int write_pidfile(void)
{
	FILE *f;

	re_snprintf(occd.pidfile, sizeof(occd.pidfile), "%s/occd.pid",
		    occd.cfg.data_dir);
	f = fopen(occd.pidfile, "w");
	if (!f)
		return errno;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
	return 0;
}

/* No call survives a restart: agents left ringing or talking are idle
 * again (the calls themselves are closed by calls_recover() once the
 * event bus is up). */
static void agents_after_restart(struct team *t)
{
	struct le *le;

	LIST_FOREACH(&t->agent_list, le) {
		struct agent *a = le->data;
		if (a->state == AS_RING || a->state == AS_BUSY)
			agent_call_state(occd.occ.m, a, AS_IDLE);
	}
}

static void after_restart(void)
{
	struct le *le;

	LIST_FOREACH(&occd.occ.m->teams, le)
		agents_after_restart(le->data);
}

/* ---- several nodes: the hooks of src/cluster ---- */

static void team_unserve(const char *team, void *arg)
{
	struct team *t = team_find(occd.occ.m, team);

	(void)arg;
	if (occd.occ.tel)
		tel_team_stop(occd.occ.tel, team);
	/* out of reach by name at once (API, SIP realm): the reload that
	 * follows drops it, but cannot when the store is what failed (the
	 * fence), and then keeps this model */
	if (t)
		hash_unlink(&t->he);
}

static void teams_reload(void *arg)
{
	(void)arg;
	reload_model();
}

/* A team now served here, as a restart would find it: agents that were
 * in a call idle again, the calls its previous owner left open closed
 * (events and CDRs, once: they are closed in the store), ids counting on
 * from the newest stored event, its phones' stored registrations. */
static void team_serve(const char *name, void *arg)
{
	struct team *t = team_find(occd.occ.m, name);
	unsigned n;

	(void)arg;
	if (!t)
		return;
	events_forget(occd.occ.ev, t->id);
	agents_after_restart(t);
	n = calls_recover_team(&occd.occ, t->id);
	/* after the closing events: today's figures as a restart has them */
	stats_team_restore(occd.occ.stats, t);
	if (n)
		OCC_WARN("team %H: closed %u calls its previous owner left "
			 "open", LQ(name), n);
	if (occd.occ.tel)
		tel_team_start(occd.occ.tel, t->id);
	OCC_INFO("team %H: served here agents=%u", LQ(name),
		 list_count(&t->agent_list));
}

/* CDRs left open by a crash: closing events, legs, WAV headers (see
 * sip/recovery.c); then whatever that could not close, as INTERRUPTED. */
static void close_interrupted_calls(void)
{
	unsigned n = calls_recover(&occd.occ), left = 0;

	if (n)
		OCC_WARN("closed %u calls interrupted by the last stop", n);
	if (!store_cdr_close_open(occd.st, now_ms(), &left) && left)
		OCC_WARN("closed %u more calls without their events", left);
}

static int start(bool demo)
{
	struct sa http;
	char errmsg[256];
	int err;

	conf_complete(&occd.cfg);
	apply_log_conf();
	if (!node_name_valid(occd.cfg.node_name)) {
		OCC_ERR("bad [node] name %H: letters, digits, '.', '-' and "
			"'_' only", LQ(occd.cfg.node_name));
		return EINVAL;
	}
	if (strcmp(occd.cfg.cluster_enabled, "yes") &&
	    strcmp(occd.cfg.cluster_enabled, "no")) {
		OCC_ERR("bad [cluster] enabled %H: yes or no",
			LQ(occd.cfg.cluster_enabled));
		return EINVAL;
	}
	if (clustered() && strcmp(occd.cfg.store_backend, "postgresql")) {
		OCC_ERR("[cluster] enabled = yes needs [store] backend = "
			"postgresql: the nodes share its leases and data");
		return EINVAL;
	}
	err = sa_decode(&http, occd.cfg.http_listen,
			strlen(occd.cfg.http_listen));
	if (err) {
		OCC_ERR("bad http listen address \"%s\"", occd.cfg.http_listen);
		return err;
	}
	if (metrics_allow_check(occd.cfg.metrics_allow, errmsg,
				sizeof(errmsg))) {
		OCC_ERR("%s", errmsg);
		return EINVAL;
	}
	/* before the first call (each is given a worker when made) and
	 * before any descriptor is registered (mworker_wrap) */
	err = mworker_start(occd.cfg.media_threads);
	if (err) {
		OCC_ERR("cannot start %u media threads: %m",
			occd.cfg.media_threads, err);
		return err;
	}
	err = pwhash_init();
	if (err)
		return err;
	pwhash_set_cost(occd.cfg.pwhash_opslimit, occd.cfg.pwhash_memlimit_kib);
	err = auth_init(&(struct auth_limits){
		.user_fails = occd.cfg.auth_fail_limit,
		.source_fails = occd.cfg.auth_fail_limit_source,
		.network_fails = occd.cfg.auth_fail_limit_network,
		.window_s = occd.cfg.auth_fail_window,
		.hash_queue = occd.cfg.auth_hash_queue,
		.hash_rate = occd.cfg.auth_hash_rate });
	if (err)
		return err;
	xmlInitParser();

	/* recordings, prompts and the pid file live there either way */
	if (mkdir(occd.cfg.data_dir, 0700) && errno != EEXIST) {
		err = errno;
		OCC_ERR("cannot create %s: %m", occd.cfg.data_dir, err);
		return err;
	}
	err = store_open_backend(&occd.st, occd.cfg.store_backend,
				 occd.cfg.data_dir, occd.cfg.store_conninfo);
	if (err) {
		/* (pg.c logged why; conninfo is not logged: it may hold a
		 * password) */
		OCC_ERR("cannot open the %s store (data_dir %s): %m",
			occd.cfg.store_backend, occd.cfg.data_dir, err);
		return err;
	}
	if (demo) {
		err = provision_demo(occd.st);
		if (err && err != EEXIST) {
			OCC_ERR("demo provisioning failed: %m", err);
			return err;
		}
		if (!err)
			OCC_INFO("demo teams provisioned (demo, acme)");
	}
	occd.occ.st = occd.st;
	occd.occ.cfg = &occd.cfg;
	if (clustered()) {
		/* no team until its lease is held: the first tick claims */
		err = cluster_alloc(&occd.occ.cluster, &occd.occ,
				    &(struct cluster_hooks){
					    .unserve = team_unserve,
					    .reload = teams_reload,
					    .serve = team_serve });
		if (err)
			return err;
	}
	err = load_model(&occd.occ.m);
	if (err) {
		OCC_ERR("cannot load the model: %m", err);
		return err;
	}
	after_restart();
	occd.api.occ = &occd.occ;
	occd.api.cfg = &occd.cfg;
	occd.api.reload = admin_changed;   /* admin console changes */
	err = script_js_build(&occd.api.cji_js);
	if (err)
		return err;
	err = httpd_alloc(&occd.httpd, &http, &(struct httpd_limits){
			.max_conns = occd.cfg.http_max_connections,
			.max_per_address = occd.cfg.http_max_per_address,
			.request_timeout = occd.cfg.http_request_timeout,
			.conn_memory_kib = occd.cfg.http_connection_memory_kib,
			.methods = WEB_METHODS,
		  }, web_route, &occd.api);
	if (err) {
		OCC_ERR("cannot listen on http %J: %m", &http, err);
		return err;
	}
	err = events_alloc(&occd.occ.ev, &occd.occ);
	if (err)
		return err;
	/* today's figures from the stored events, before anything new */
	err = stats_alloc(&occd.occ.stats, &occd.occ);
	if (err) {
		OCC_ERR("cannot start the statistics: %m", err);
		return err;
	}
	/* event sinks: both only send once the loop runs, never at start */
	err = webhook_alloc(&occd.webhook, &occd.occ);
	if (err) {
		OCC_ERR("cannot start the backend event POST: %m", err);
		return err;
	}
	err = nchan_alloc(&occd.nchan, &occd.occ);
	if (err) {
		OCC_ERR("cannot start the nchan publisher: %m", err);
		return err;
	}
	err = metrics_alloc(&occd.api.metrics, &occd.occ, occd.webhook,
			    occd.nchan);
	if (err)
		return err;
	err = retention_alloc(&occd.retention, &occd.occ);
	if (err)
		return err;
	err = push_alloc(&occd.occ.push, &occd.occ, occd.cfg.data_dir);
	if (err) {
		OCC_ERR("cannot start browser push: %m", err);
		return err;
	}
	/* API requests are served between fan-out slices, before the next */
	push_set_before_pass(occd.occ.push, httpd_serve_ready, occd.httpd);
	/* after the sinks, so nchan publishes the closing events too; with
	 * several nodes, a team's at its claim (the others' calls are up) */
	if (!occd.occ.cluster)
		close_interrupted_calls();
	err = tel_alloc(&occd.occ.tel, &occd.occ, occd.cfg.sip_listen);
	if (err)
		return err;
	/* ... and between datagrams of a long SIP drain */
	sipdrain_set_between(httpd_serve_ready, occd.httpd);
	err = signals_init();
	if (err)
		return err;
	import_tasks_resume(&occd.occ);   /* scheduled file imports */
	err = write_pidfile();
	if (err)
		OCC_WARN("no pid file in %s: %m", occd.cfg.data_dir, err);
	OCC_INFO("ready http=%J sip=%s data=%s teams=%u agents=%zu", &http,
		 occd.cfg.sip_listen, occd.cfg.data_dir,
		 list_count(&occd.occ.m->teams), occd.occ.m->nagents);
	return 0;
}

int main(int argc, char **argv)
{
	bool demo = false, dump = false;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	conf_defaults(&occd.cfg);
	err = parse_args(argc, argv, &demo, &dump);
	if (err)
		return err;
	if (dump) {
		re_printf("%H", conf_dump, &occd.cfg);
		return 0;
	}
	err = libre_init();
	if (err) {
		fprintf(stderr, "occd: libre_init: %s\n", strerror(err));
		return 1;
	}
	libre_log_capture();
	/* every call leg holds an RTP and an RTCP socket: allow thousands */
	raise_fd_limit();
	fd_setsize(16384);
	err = start(demo);
	if (!err) {
		/* one commit per loop pass (store.h); off for the teardown,
		 * whose writes go out as they come, while the sinks live */
		store_group_commit(occd.st, true);
		(void)store_background(occd.st, true);
		re_main(NULL);
		store_group_commit(occd.st, false);
		events_flush(occd.occ.ev);
	}

	if (occd.occ.push)
		push_set_before_pass(occd.occ.push, NULL, NULL);
	occd.httpd = mem_deref(occd.httpd);
	occd.api.metrics = mem_deref(occd.api.metrics);   /* after httpd */
	occd.api.fwd_cli = mem_deref(occd.api.fwd_cli);   /* after httpd */
	if (occd.occ.cluster)   /* calls end, leases go to the others now */
		cluster_leave(occd.occ.cluster);
	import_tasks_close();           /* before the store */
	occd.occ.tel = mem_deref(occd.occ.tel);
	mworker_stop();                 /* their endpoints are gone */
	/* after tel (whose teardown may still publish), before the bus */
	occd.webhook = mem_deref(occd.webhook);
	occd.retention = mem_deref(occd.retention);
	occd.nchan = mem_deref(occd.nchan);
	occd.occ.push = mem_deref(occd.occ.push);   /* after httpd */
	occd.occ.stats = mem_deref(occd.occ.stats);
	occd.occ.ev = mem_deref(occd.occ.ev);
	if (occd.sigfd >= 0) {
		fd_close(occd.sigfd);
		close(occd.sigfd);
	}
	occd.occ.m = mem_deref(occd.occ.m);
	occd.occ.cluster = mem_deref(occd.occ.cluster);
	occd.api.cji_js = mem_deref(occd.api.cji_js);
	occd.api.admin = mem_deref(occd.api.admin);
	occd.st = mem_deref(occd.st);
	auth_close();
	if (occd.pidfile[0])
		unlink(occd.pidfile);
	xmlCleanupParser();
	OCC_INFO("stopped");
	log_flush_suppressed();
	libre_close();
	return err ? 1 : 0;
}
