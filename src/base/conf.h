/*
 * conf.h — occd configuration: one table row per key (conf.c), an INI file in
 * the style of the manual's /etc/cocc.conf, command-line flags override it.
 *
 *   [system]
 *   webroot_address = http://192.168.1.100:8880/
 *
 * To add a key: add a field here and one row to conf_keys[] in conf.c; the
 * parser, `occd --dump-config` and docs/OPERATIONS.md's key list follow.
 */
#ifndef OCC_CONF_H
#define OCC_CONF_H

#include <stdbool.h>
#include <stddef.h>

struct conf {
	char http_listen[64];      /* [http] listen */
	unsigned http_max_connections; /* [http] max_connections */
	unsigned http_max_per_address; /* [http] max_per_address */
	unsigned http_request_timeout; /* [http] request_timeout, s */
	unsigned http_connection_memory_kib; /* [http] connection_memory_kib */
	char sip_listen[64];       /* [sip] listen */
	unsigned sip_max_contacts_per_exten; /* [sip] max_contacts_per_exten */
	unsigned sip_max_bindings; /* [sip] max_bindings */
	char sip_webphone_proxy[64]; /* [sip] webphone_proxy, an IP address */
	char sip_edge_proxy[64];   /* [sip] edge_proxy, IP:PORT */
	char web_phone_ws[256];    /* [web] phone_ws, ws:// or wss:// URL */
	char data_dir[512];        /* [store] data_dir */
	char store_backend[16];    /* [store] backend: sqlite|postgresql */
	char store_conninfo[1024]; /* [store] conninfo (libpq) */
	unsigned state_log_retention_days; /* [store] state_log_retention_days */
	char webroot_address[512]; /* [system] webroot_address */
	char message_lang[8];      /* [api] message: code|cn|en|jp|kr|ru|fr|de|es */
	char cors_origin[256];     /* [api] cors_origin */
	unsigned admin_session_s;  /* [security] admin_session_s */
	unsigned pwhash_opslimit;  /* [security] pwhash_opslimit */
	unsigned pwhash_memlimit_kib; /* [security] pwhash_memlimit_kib */
	unsigned auth_fail_limit;  /* [security] auth_fail_limit */
	unsigned auth_fail_window; /* [security] auth_fail_window */
	unsigned auth_fail_limit_source; /* [security] auth_fail_limit_source */
	unsigned auth_fail_limit_network; /* [security] auth_fail_limit_network */
	unsigned auth_hash_rate;   /* [security] auth_hash_rate */
	unsigned auth_hash_queue;  /* [security] auth_hash_queue */
	char node_name[64];        /* [node] name; completed: the host name */
	char cluster_enabled[8];   /* [cluster] enabled: yes|no */
	unsigned cluster_lease;    /* [cluster] lease, s */
	char cluster_sip[64];      /* [cluster] sip_address; completed */
	char cluster_http[64];     /* [cluster] http_address; completed */
	char log_level[16];        /* [log] level */
	unsigned log_rate_limit;   /* [log] rate_limit, lines/s per statement */
	unsigned log_rate_burst;   /* [log] rate_burst, lines */
	char media_address[64];    /* [media] address */
	unsigned media_timeout;    /* [media] timeout */
	unsigned media_threads;    /* [media] threads */
	unsigned rtp_port_min;     /* [media] rtp_port_min */
	unsigned rtp_port_max;     /* [media] rtp_port_max */
	char moh_file[512];        /* [media] moh_file */
	unsigned recording_url_ttl; /* [recording] url_ttl, s */
	unsigned agent_ring_timeout;    /* [call] agent_ring_timeout, s */
	unsigned customer_ring_timeout; /* [call] customer_ring_timeout, s */
	unsigned consult_ring_timeout;  /* [call] consult_ring_timeout, s */
	unsigned overload_lag_ms;       /* [call] overload_lag_ms */
	unsigned overload_cpu;          /* [call] overload_cpu, % of a core */
	unsigned overload_media_ms;     /* [call] overload_media_ms */
	/* [amd]: answering-machine detection (media/amd.h), its defaults
	 * and a trial on makeCall's customer legs */
	unsigned amd_outbound;          /* [amd] outbound, 0|1 */
	unsigned amd_initial_silence, amd_greeting, amd_after_greeting_silence,
		 amd_total_analysis_time, amd_min_word_length,
		 amd_maximum_word_length, amd_between_words_silence,
		 amd_maximum_number_of_words, amd_silence_threshold;
	unsigned event_retention_days; /* [events] retention_days */
	unsigned webhook_timeout;  /* [events] webhook_timeout, s */
	unsigned webhook_retry_min;/* [events] webhook_retry_min, s */
	unsigned webhook_retry_max;/* [events] webhook_retry_max, s */
	char nchan_publish_url[512]; /* [push] nchan_publish_url */
	unsigned nchan_timeout;    /* [push] nchan_timeout, s */
	unsigned nchan_queue;      /* [push] nchan_queue, messages */
	unsigned nchan_connections;/* [push] nchan_connections */
	unsigned push_max_subscribers; /* [push] max_subscribers */
	unsigned push_max_per_team;    /* [push] max_per_team */
	unsigned push_max_per_channel; /* [push] max_per_channel */
	unsigned push_poll_wait;       /* [push] poll_wait, s */
	unsigned push_pull_wait;       /* [push] pull_wait, s */
	char import_allow[2048];   /* [import] allow */
	unsigned import_max_size_mib; /* [import] max_size_mib */
	unsigned import_timeout;   /* [import] timeout, s */
	unsigned import_idle_timeout; /* [import] idle_timeout, s */
	unsigned import_connect_timeout; /* [import] connect_timeout, s */
	char metrics_allow[512];   /* [metrics] allow */
};

void conf_defaults(struct conf *c);
/* Load an INI file over the current values. On error writes a message
 * ("file:line: ...") into err and returns EINVAL or the errno of fopen. */
int conf_load(struct conf *c, const char *path, char *err, size_t errsz);
/* Set one key by "section.key" name (used by tests and flags). */
int conf_set(struct conf *c, const char *section, const char *key,
	     const char *value, char *err, size_t errsz);
/* Copy into live every key SIGHUP may change that differs in fresh; note()
 * is told of each difference (restart: left as it is until a restart).
 * Returns the number of keys changed. */
typedef void (conf_note_h)(const char *section, const char *key,
			   bool restart, void *arg);
unsigned conf_update(struct conf *live, const struct conf *fresh,
		     conf_note_h *note, void *arg);
struct re_printf;
int conf_dump(struct re_printf *pf, const struct conf *c);
int conf_markdown(struct re_printf *pf);

#endif
