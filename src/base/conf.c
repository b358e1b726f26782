/*
 * conf.c — the configuration table and the INI reader. Unknown sections or
 * keys are errors (a typo must not silently fall back to a default).
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ctype.h>
#include <re.h>
#include "base/conf.h"

enum conf_type { CT_STR, CT_UINT };
enum { CONF_AUTO_CORES_MAX = 16 };

struct conf_key {
	const char *section;
	const char *key;
	enum conf_type type;
	size_t offset;
	size_t size;          /* CT_STR: buffer size */
	const char *def;
	unsigned long min, max; /* CT_UINT range */
	const char *desc;
	bool restart;         /* read once at start: SIGHUP does not apply it */
	bool cores;           /* CT_UINT: "auto" is the usable cores' number
			       * (at most CONF_AUTO_CORES_MAX) */
};

#define STR_KEY(sec, k, field, d, ds) .section = sec, .key = k, \
	.type = CT_STR, .offset = offsetof(struct conf, field), \
	.size = sizeof(((struct conf *)0)->field), .def = d, .desc = ds
#define UINT_KEY(sec, k, field, d, lo, hi, ds) .section = sec, .key = k, \
	.type = CT_UINT, .offset = offsetof(struct conf, field), .def = d, \
	.min = lo, .max = hi, .desc = ds
/* keys SIGHUP applies, and keys only a restart applies */
#define STR(...) { STR_KEY(__VA_ARGS__) }
#define UINT(...) { UINT_KEY(__VA_ARGS__) }
#define STR_R(...) { STR_KEY(__VA_ARGS__), .restart = true }
#define UINT_R(...) { UINT_KEY(__VA_ARGS__), .restart = true }
#define UINT_RC(...) { UINT_KEY(__VA_ARGS__), .restart = true, .cores = true }

static const struct conf_key conf_keys[] = {
	STR("system", "webroot_address", webroot_address, "",
	    "Web address of this server, used to build recording URLs "
	    "(getMonitor). Empty: http://<http listen address>/"),
	STR_R("http", "listen", http_listen, "127.0.0.1:4580",
	    "HOST:PORT of the API/web server"),
	UINT_R("http", "max_connections", http_max_connections, "8192", 16,
	     1000000,
	     "HTTP connections open at once, push streams included; beyond, "
	     "new ones are refused (each needs a file "
	     "descriptor: occd raises its limit to the hard limit, at most "
	     "65536)"),
	UINT_R("http", "max_per_address", http_max_per_address, "1024", 1,
	     1000000,
	     "HTTP connections open at once from one IP address, push streams "
	     "included (a browser's tabs and reloads, or a backend's pool); "
	     "beyond, new ones from there are closed at once. Desks behind "
	     "one NAT or proxy share it (about 3 each): the default leaves "
	     "room for an office of 300 and keeps one address to an eighth "
	     "of [http] max_connections; lower it where every client has "
	     "its own address"),
	UINT_R("http", "request_timeout", http_request_timeout, "20", 1, 3600,
	     "seconds a client has to send a whole request (line, headers, "
	     "body), counted from opening the connection or from the end of "
	     "its previous reply; past it the connection is closed (also an "
	     "idle keep-alive one). Replies and push streams are not timed"),
	UINT_R("http", "connection_memory_kib", http_connection_memory_kib,
	     "16", 8, 1024,
	     "memory per HTTP connection (KiB) for the request line, headers "
	     "and reply headers; a request whose line and headers do not fit "
	     "gets 414 or 431"),
	STR_R("sip", "listen", sip_listen, "127.0.0.1:5060",
	    "HOST:PORT of the SIP registrar/B2BUA"),
	UINT("sip", "max_contacts_per_exten", sip_max_contacts_per_exten, "10",
	     1, 1000,
	     "registered contacts an extension keeps; a new one evicts the "
	     "contact refreshed longest ago (the 200 OK lists them all and "
	     "must fit a UDP datagram)"),
	UINT("sip", "max_bindings", sip_max_bindings, "50000", 1, 10000000,
	     "registered contacts of all teams together; beyond, a new "
	     "contact gets 503 (refreshes still work)"),
	STR("sip", "webphone_proxy", sip_webphone_proxy, "",
	    "IP address of the browser phones' WebSocket proxy (Kamailio, "
	    "scripts/webphone.sh). Its REGISTER and INVITE failures are "
	    "counted per browser (its X-Occ-Client header) rather than per "
	    "address, and calls to phones registered through it are routed "
	    "through it. Empty: none"),
	STR("sip", "edge_proxy", sip_edge_proxy, "",
	    "IP:PORT the cluster's SIP proxy (Kamailio, scripts/cluster) "
	    "sends from. Its X-Occ-Phone header marks a phone's request "
	    "(authenticated like one even if the proxy is also a trunk "
	    "source) and X-Occ-Client names the phone for failed-password "
	    "counting. Calls to phones go through the proxy by their "
	    "REGISTER's Path header either way. Empty: none"),
	STR_R("store", "data_dir", data_dir, "./data",
	    "Directory for the database and recordings"),
	STR_R("store", "backend", store_backend, "sqlite",
	    "`sqlite` (the file occ.db in data_dir) or `postgresql` (the "
	    "database conninfo names; data_dir still holds recordings, "
	    "prompts and the pid file)"),
	STR_R("store", "conninfo", store_conninfo, "",
	    "with backend = postgresql: a libpq connection string, e.g. "
	    "`host=/run/postgresql dbname=occ user=occ` or a postgresql:// "
	    "URI; keep a password in ~/.pgpass or PGPASSFILE, not here"),
	UINT("store", "state_log_retention_days", state_log_retention_days,
	     "90", 0, 36500,
	     "days the agent state log (agentRealtime's source) keeps its "
	     "rows; older ones are deleted hourly, except each agent's last "
	     "one before that day, which today's figures may need (0: keep "
	     "for ever)"),
	STR("api", "message", message_lang, "code",
	    "What the `message` field carries: `code` (BackMsg_NN[arg], the "
	    "default) or a language code cn|en|jp|kr|ru|fr|de|es for the text "
	    "(languages other than cn fall back to en)"),
	STR("web", "phone_ws", web_phone_ws, "",
	    "ws:// or wss:// URL of the SIP WebSocket proxy the agent "
	    "desktop's browser phone connects to (allowed by the pages' "
	    "Content-Security-Policy). Empty: no browser phone"),
	STR("api", "cors_origin", cors_origin, "*",
	    "Access-Control-Allow-Origin sent with API replies"),
	UINT("security", "admin_session_s", admin_session_s, "1800", 1, 86400,
	     "seconds an admin console session (/admin/) lasts after its "
	     "last request"),
	UINT_R("security", "pwhash_opslimit", pwhash_opslimit, "2", 1, 10,
	     "argon2id passes for stored password hashes"),
	UINT_R("security", "pwhash_memlimit_kib", pwhash_memlimit_kib, "19456",
	     8, 1048576, "argon2id memory (KiB) for stored password hashes"),
	UINT_R("security", "auth_fail_limit", auth_fail_limit, "10", 1, 100000,
	     "failed logins per user and source address in a window before "
	     "further attempts from there are refused without checking (SIP "
	     "REGISTER digests are counted alike, apart from API logins)"),
	UINT_R("security", "auth_fail_limit_source", auth_fail_limit_source,
	     "100", 1, 1000000,
	     "failed logins per source address in a window (any user; "
	     "REGISTER digests counted apart)"),
	UINT_R("security", "auth_fail_limit_network", auth_fail_limit_network,
	     "300", 1, 1000000,
	     "failed logins per source network (IPv4 /24, IPv6 /64) in a "
	     "window (any user, any address in it)"),
	UINT_R("security", "auth_fail_window", auth_fail_window, "60", 1, 86400,
	     "seconds of the failed-login window"),
	UINT_R("security", "auth_hash_rate", auth_hash_rate, "20", 1, 10000,
	     "password hash verifications per second at most, for all "
	     "clients together (each costs argon2id on a worker thread; a "
	     "user already verified since the start costs none)"),
	UINT_R("security", "auth_hash_queue", auth_hash_queue, "32", 1, 4096,
	     "password verifications waiting at most; beyond, a login that "
	     "needs one answers BackMsg_100 without checking"),
	STR_R("node", "name", node_name, "",
	    "this node's name, written as node= in every log line (so the "
	    "lines of several nodes can be told apart once collected); "
	    "letters, digits, '.', '-' and '_'. Empty: the host name"),
	STR_R("cluster", "enabled", cluster_enabled, "no",
	    "`yes`: this node is one of several sharing one PostgreSQL store "
	    "(backend = postgresql); it serves only the teams whose lease it "
	    "holds and forwards API requests of the others to their owner "
	    "(docs/ARCHITECTURE.md, Several nodes)"),
	UINT_R("cluster", "lease", cluster_lease, "10", 3, 600,
	    "seconds a team's lease lasts: renewed every lease/3 s; a dead "
	    "node's teams are taken over within about this long"),
	STR_R("cluster", "sip_address", cluster_sip, "",
	    "IP:PORT where Kamailio and the other nodes reach this node's SIP "
	    "(empty: [sip] listen)"),
	STR_R("cluster", "http_address", cluster_http, "",
	    "IP:PORT where the other nodes reach this node's API (empty: "
	    "[http] listen)"),
	STR("log", "level", log_level, "info", "error|warn|info|debug"),
	UINT("log", "rate_limit", log_rate_limit, "20", 0, 1000000,
	     "lines a second each log statement may write after its burst; "
	     "beyond, lines are counted and reported as one `suppressed "
	     "similar lines n=` line (0: no limit)"),
	UINT("log", "rate_burst", log_rate_burst, "100", 1, 1000000,
	     "lines each log statement may write at once before "
	     "rate_limit applies"),
	STR_R("media", "address", media_address, "",
	    "IP address RTP sockets bind to and SDP announces. Empty: the "
	    "[sip] listen address (127.0.0.1 if that is a wildcard)"),
	UINT("media", "timeout", media_timeout, "60", 0, 3600,
	     "seconds without RTP or RTCP from an answered party that should "
	     "be sending before it is hung up (0: never); a party on hold, "
	     "or holding occd from its phone (sendonly/recvonly/inactive), "
	     "is not counted"),
	UINT_RC("media", "threads", media_threads, "auto", 0, 64,
	       "media worker threads: each runs the RTP of the calls given "
	       "to it (receive, decode, relay, encode, send, recording and "
	       "mixer input) on its own core; auto: one per core occd may "
	       "run on (at most 16); 0: all on the event loop (for a single core: "
	       "docs/OPERATIONS.md, Media threads). See "
	       "docs/ARCHITECTURE.md, Media workers"),
	UINT_R("media", "rtp_port_min", rtp_port_min, "20000", 1024, 65534,
	     "lowest UDP port of the RTP/RTCP pairs (each answered party "
	     "takes an even port for RTP and the next for RTCP: two pairs a "
	     "call); open the range in the firewall. The default range stays "
	     "below Linux's ephemeral ports (net.ipv4.ip_local_port_range, "
	     "32768-60999), which occd warns about overlapping"),
	UINT_R("media", "rtp_port_max", rtp_port_max, "32767", 1025, 65535,
	     "highest UDP port of the RTP/RTCP pairs, above rtp_port_min; "
	     "the default 20000-32767 holds about 3,000 calls"),
	STR("media", "moh_file", moh_file, "",
	    "music on hold: an 8 kHz mono 16-bit WAV; empty or unusable: "
	    "a built-in two-tone chime"),
	UINT("recording", "url_ttl", recording_url_ttl, "86400", 1, 31536000,
	     "seconds a recording URL given by getMonitor stays valid (ask "
	     "getMonitor again for a fresh one); URLs of recordings made "
	     "before names carried the team do not expire"),
	UINT("call", "agent_ring_timeout", agent_ring_timeout, "45", 5, 600,
	     "seconds an agent's phone may ring for makeCall before the call "
	     "fails"),
	UINT("call", "customer_ring_timeout", customer_ring_timeout, "60", 5,
	     600, "seconds the customer's number may ring (or stay in early "
	     "media) before the call ends unanswered"),
	UINT("call", "consult_ring_timeout", consult_ring_timeout, "30", 5,
	     600, "seconds a consulted party or a supervising leader's phone "
	     "may ring before that leg is cancelled (the customer is back "
	     "with the agent)"),
	UINT("call", "overload_lag_ms", overload_lag_ms, "200", 0, 60000,
	     "new calls are refused (makeCall BackMsg_20[busy], no new "
	     "dial, inbound 503) while the media clock has fired this many "
	     "ms late within the last second or two: the event loop is "
	     "overloaded, and a new call would break the ones up (0: never "
	     "refuse)"),
	UINT("call", "overload_cpu", overload_cpu, "80", 0, 100,
	     "new calls are refused (as overload_lag_ms) while occd used "
	     "this % of its one core in the last second: near 100 its loop "
	     "reads its SIP socket too rarely and drops datagrams, which "
	     "breaks calls already up (0: never refuse)"),
	UINT("call", "overload_media_ms", overload_media_ms, "200", 0, 60000,
	     "new calls are refused (as overload_lag_ms) while a media "
	     "worker thread ([media] threads) ran this many ms late within "
	     "the last second or two, waiting for the event loop or for a "
	     "core: its calls' audio is late or lost (0: never refuse)"),
	UINT("amd", "outbound", amd_outbound, "0", 0, 1,
	     "1: answering-machine detection on the customer leg of every "
	     "call placed by makeCall, from its answer; the verdict goes to "
	     "the log (`amd verdict`) and the CDR's vars (amd, amd_cause, "
	     "amd_ms), the call itself goes on untouched. A trial of the "
	     "parameters below on real calls (docs/DIALER.md)"),
	UINT("amd", "initial_silence", amd_initial_silence, "2500", 10, 60000,
	     "ms of silence before any word: MACHINE (INITIALSILENCE)"),
	UINT("amd", "greeting", amd_greeting, "1500", 10, 60000,
	     "ms of voice in a greeting: MACHINE (LONGGREETING)"),
	UINT("amd", "after_greeting_silence", amd_after_greeting_silence,
	     "800", 10, 60000, "ms of silence after the first word: HUMAN"),
	UINT("amd", "total_analysis_time", amd_total_analysis_time, "5000",
	     10, 60000, "ms before giving up: NOTSURE (TOOLONG)"),
	UINT("amd", "min_word_length", amd_min_word_length, "100", 10, 60000,
	     "ms of voice that make a word"),
	UINT("amd", "maximum_word_length", amd_maximum_word_length, "5000",
	     10, 60000, "ms of one word: MACHINE (MAXWORDLENGTH)"),
	UINT("amd", "between_words_silence", amd_between_words_silence, "50",
	     10, 60000, "ms of silence that end a word"),
	UINT("amd", "maximum_number_of_words", amd_maximum_number_of_words,
	     "2", 0, 100, "more words than this: MACHINE (MAXWORDS)"),
	UINT("amd", "silence_threshold", amd_silence_threshold, "256", 0,
	     32767, "a 10 ms frame whose mean absolute sample is below this "
	     "is silence"),
	UINT("events", "retention_days", event_retention_days, "7", 0, 36500,
	     "days the event log keeps events (browser replay, backend "
	     "backlog); older ones are deleted hourly, except those a team's "
	     "event_url has not received yet and each team's newest (0: keep "
	     "for ever)"),
	UINT_R("events", "webhook_timeout", webhook_timeout, "10", 1, 300,
	     "seconds a backend event POST (a team's event_url) may take "
	     "before it counts as failed and is retried"),
	UINT_R("events", "webhook_retry_min", webhook_retry_min, "1", 1, 3600,
	     "seconds before the first retry of a failed backend event POST; "
	     "doubles with each further failure"),
	UINT_R("events", "webhook_retry_max", webhook_retry_max, "30", 1, 86400,
	     "cap of the retry delay (seconds) of backend event POSTs"),
	STR_R("push", "nchan_publish_url", nchan_publish_url, "",
	    "nginx+nchan publisher location (e.g. http://127.0.0.1:8081/pub); "
	    "every event is also POSTed to <url>/team-<team> and "
	    "<url>/agent-<team>-<agent>. Empty: off"),
	UINT_R("push", "nchan_timeout", nchan_timeout, "5", 1, 300,
	     "seconds an nchan publish may take"),
	UINT_R("push", "nchan_queue", nchan_queue, "4096", 16, 1000000,
	     "nchan messages waiting to be published; beyond it new ones are "
	     "dropped (nchan is fan-out, not the durable path)"),
	UINT_R("push", "nchan_connections", nchan_connections, "4", 1, 64,
	     "parallel publish connections to nchan (one channel always uses "
	     "the same one, so each channel stays in order)"),
	UINT("push", "max_subscribers", push_max_subscribers, "4096", 1,
	     1000000,
	     "browser push subscribers (SSE streams and waiting polls) in "
	     "all; beyond, 503 (each also counts in [http] max_connections)"),
	UINT("push", "max_per_team", push_max_per_team, "1024", 1, 1000000,
	     "browser push subscribers per team"),
	UINT("push", "max_per_channel", push_max_per_channel, "32", 1, 1000000,
	     "browser push subscribers per channel (an agent's, or the "
	     "team's): tabs and reloads of one desk"),
	UINT("push", "poll_wait", push_poll_wait, "25", 1, 300,
	     "seconds a /push/poll long-poll waits for an event before it is "
	     "answered with none (the script asks again); keep it below the "
	     "idle timeout of any proxy or load balancer in front of occd"),
	UINT("push", "pull_wait", push_pull_wait, "60", 1, 300,
	     "seconds the original extension's long-poll "
	     "(/agentindesks/agentpull/...) waits for an event before it is "
	     "answered 304 Not Modified (it asks again), as the original's "
	     "nginx push-stream did after 60; lower it below a proxy's idle "
	     "timeout"),
	STR("import", "allow", import_allow, "",
	    "where `source=http`/`ftp` imports may fetch files: entries "
	    "scheme://host[:port][/path-prefix] separated by spaces or "
	    "commas (http, https, ftp; the port defaults to the scheme's; "
	    "a path prefix matches at a '/'). A URL, and each redirect, "
	    "must match one before any connection is made. Empty: file "
	    "imports are refused"),
	UINT("import", "max_size_mib", import_max_size_mib, "256", 1, 65536,
	     "MiB an imported file may have at most (counted as it arrives; "
	     "a server announcing more is refused at once)"),
	UINT("import", "timeout", import_timeout, "600", 1, 86400,
	     "seconds a file import's download may take in all"),
	UINT("import", "idle_timeout", import_idle_timeout, "60", 1, 3600,
	     "seconds a file import's download may go without a byte"),
	UINT("import", "connect_timeout", import_connect_timeout, "10", 1,
	     600, "seconds to connect to a file import's server"),
	STR("metrics", "allow", metrics_allow, "127.0.0.1, ::1",
	    "addresses and networks (ADDRESS/BITS, IPv4 or IPv6, separated "
	    "by commas) that may read GET /metrics (Prometheus); others get "
	    "404. Empty: nobody"),
};

enum { N_KEYS = sizeof(conf_keys) / sizeof(conf_keys[0]) };

/* the cores this process may run on (a cpuset or taskset narrows them),
 * not every online one: workers beyond them would only take turns */
static long usable_cores(void)
{
	cpu_set_t set;

	if (!sched_getaffinity(0, sizeof(set), &set))
		return CPU_COUNT(&set);
	return sysconf(_SC_NPROCESSORS_ONLN);
}

static int set_key(struct conf *c, const struct conf_key *k, const char *v,
		   char *err, size_t errsz)
{
	char *base = (char *)c + k->offset;

	if (k->type == CT_STR) {
		if (strlen(v) >= k->size) {
			snprintf(err, errsz, "%s.%s: value too long (max %zu)",
				 k->section, k->key, k->size - 1);
			return EINVAL;
		}
		strcpy(base, v);
		return 0;
	}
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (k->cores && !strcasecmp(v, "auto")) {
		long cores = usable_cores();
		n = cores < 1 ? 1 : cores > CONF_AUTO_CORES_MAX ?
			CONF_AUTO_CORES_MAX : (unsigned long)cores;
		errno = 0;
		end = "";
	}
	if (errno || end == v || *end || n < k->min || n > k->max) {
		snprintf(err, errsz, "%s.%s: expected an integer in %lu..%lu%s",
			 k->section, k->key, k->min, k->max,
			 k->cores ? " or auto" : "");
		return EINVAL;
	}
	*(unsigned *)(void *)base = (unsigned)n;
	return 0;
}

void conf_defaults(struct conf *c)
{
	char err[128];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < N_KEYS; i++)
		(void)set_key(c, &conf_keys[i], conf_keys[i].def, err,
			      sizeof(err));
}

int conf_set(struct conf *c, const char *section, const char *key,
	     const char *value, char *err, size_t errsz)
{
	for (size_t i = 0; i < N_KEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		if (!strcasecmp(k->section, section) && !strcasecmp(k->key, key))
			return set_key(c, k, value, err, errsz);
	}
	snprintf(err, errsz, "unknown key [%s] %s", section, key);
	return EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	char line[1024], section[64] = "";
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int rc = 0;

	if (!f) {
		rc = errno;
		snprintf(err, errsz, "%s: %s", path, strerror(rc));
		return rc;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = trim(line), *eq, *k, *v, kerr[256];
		lineno++;
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || (size_t)(e - s - 1) >= sizeof(section)) {
				snprintf(err, errsz, "%s:%u: bad section", path,
					 lineno);
				rc = EINVAL;
				break;
			}
			*e = '\0';
			snprintf(section, sizeof(section), "%s", trim(s + 1));
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errsz, "%s:%u: expected key = value", path,
				 lineno);
			rc = EINVAL;
			break;
		}
		*eq = '\0';
		k = trim(s);
		v = trim(eq + 1);
		/* strip one pair of quotes, as ini files often carry them */
		size_t vl = strlen(v);
		if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
			v[vl - 1] = '\0';
			v++;
		}
		if (conf_set(c, section, k, v, kerr, sizeof(kerr))) {
			snprintf(err, errsz, "%s:%u: %s", path, lineno, kerr);
			rc = EINVAL;
			break;
		}
	}
	fclose(f);
	return rc;
}

unsigned conf_update(struct conf *live, const struct conf *fresh,
		     conf_note_h *note, void *arg)
{
	unsigned changed = 0;

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		char *to = (char *)live + k->offset;
		const char *from = (const char *)fresh + k->offset;
		size_t size = k->type == CT_STR ? k->size : sizeof(unsigned);
		if (!memcmp(to, from, size))
			continue;
		if (note)
			note(k->section, k->key, k->restart, arg);
		if (k->restart)
			continue;
		memcpy(to, from, size);
		changed++;
	}
	return changed;
}

/* A table cell: '|' would end it. */
static int print_cell(struct re_printf *pf, const char *s)
{
	int err = 0;

	for (; *s && !err; s++)
		err = *s == '|' ? re_hprintf(pf, "\\|") : re_hprintf(pf, "%c", *s);
	return err;
}

/* The key list of docs/OPERATIONS.md (make docs). */
int conf_markdown(struct re_printf *pf)
{
	int err = re_hprintf(pf, "| Section | Key | Default | SIGHUP | "
			     "Meaning |\n|---|---|---|---|---|\n");

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		err |= re_hprintf(pf, "| %s | %s | %s | %s | ", k->section,
				  k->key, *k->def ? k->def : "(empty)",
				  k->restart ? "restart" : "applies");
		err |= print_cell(pf, k->desc);
		err |= re_hprintf(pf, " |\n");
	}
	return err;
}

int conf_dump(struct re_printf *pf, const struct conf *c)
{
	const char *sec = "";
	int err = 0;

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct conf_key *k = &conf_keys[i];
		const char *base = (const char *)c + k->offset;
		if (strcmp(sec, k->section)) {
			err |= re_hprintf(pf, "%s[%s]\n", i ? "\n" : "",
					  k->section);
			sec = k->section;
		}
		err |= re_hprintf(pf, "# %s (default: %s%s)\n", k->desc,
				  *k->def ? k->def : "empty",
				  k->restart ? "; restart-only" : "");
		if (k->type == CT_STR)
			err |= re_hprintf(pf, "%s = %s\n", k->key, base);
		else
			err |= re_hprintf(pf, "%s = %u\n", k->key,
					  *(const unsigned *)(const void *)base);
	}
	return err;
}
