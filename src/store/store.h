/*
 * store.h — persistence behind one interface. SQL lives only under store/.
 *
 * occd loads everything at start (store_load) and owns it in memory; every
 * change it makes is written through (agent runtime state, memberships, the
 * state log). occctl provisions through the same functions and then asks the
 * running occd to reload (SIGHUP).
 *
 * The implementation is chosen by store_open_backend(): SQLite (sqlite.c,
 * WAL mode, the embedded default) or PostgreSQL (pg.c, [store] backend =
 * postgresql), both with the versioned migrations of schema.c. Either way
 * the store is synchronous: a call returns when the database has answered.
 *
 * All functions return 0 or an errno value: ENOENT (no such row), EEXIST
 * (unique key taken), EINVAL (bad argument), EIO (database error).
 */
#ifndef OCC_STORE_H
#define OCC_STORE_H

#include <stdbool.h>
#include <stdint.h>

struct store;

/* Row types. Strings are NUL-terminated and bounded by these sizes. */
enum { ST_NAME = 64, ST_NUM = 32, ST_HASH = 160, ST_URL = 512 };
/* an extension's digest secrets: up to three HA1s, hex, space-separated */
enum { ST_HA1 = 3 * 33 };
enum { ST_ACW_S_MAX = 3600 };   /* a group's timed after-call work, s */

struct st_team {
	int64_t id;
	char name[ST_NAME];            /* orgidentity */
};

struct st_account {
	int64_t id, team_id;
	char name[ST_NAME];
	char pwhash[ST_HASH];          /* argon2id of lowercase hex MD5 */
	bool enabled;
	char agent[ST_NUM];            /* linked agent number, may be "" */
};

struct st_agent {
	int64_t id, team_id;
	int64_t account_id;            /* 0 = none */
	char number[ST_NUM];
	char name[ST_NAME];
	char pwhash[ST_HASH];
	char exten[ST_NUM];            /* default extension, may be "" */
};

struct st_group {
	int64_t id;                    /* agent_group_id, unique over all teams */
	int64_t team_id;
	char name[ST_NAME];
	char queue[ST_NUM];            /* queue number */
	int acw_mode;                  /* 1 after ring, 2 after answer, 3 off */
	int work_mode;                 /* 0 all, 1 dialin, 2 dialout */
	int acw_s;                     /* after-call work ends by itself after
					* this many seconds; 0: at ACWOFF */
};

struct st_member {
	int64_t group_id, agent_id;
	bool dynamic, leader;
	/* runtime, written by occd */
	bool checked_in;
	int acw_mode, work_mode;
};

struct st_exten {
	int64_t id, team_id;
	char number[ST_NUM];
	/* the HA1s (hex, space-separated) of the digest usernames a phone
	 * may present, realm = the team: MD5(number:team:secret), then
	 * MD5(number@team:team:secret) and MD5(team/number:team:secret);
	 * rows written before those forms hold the first only */
	char ha1[ST_HA1];
	char kind[16];                 /* "sip" or "virtual" */
};

/* A SIP trunk (gateway) of a team. */
struct st_trunk {
	int64_t id, team_id;
	char name[ST_NAME];
	char uri[ST_URL];              /* sip:host[:port][;transport=tcp] or
					* "virtual:" (built-in demo customer) */
	bool is_default;               /* the team's trunk when none is named */
	bool do_register;              /* send REGISTER to the gateway */
	char username[ST_NAME];        /* digest credentials, "" = none */
	char password[ST_NAME];        /* kept in clear: digest needs it;
					* never listed or logged */
	char callerid[ST_NUM];         /* default caller id */
	char strip_prefix[16];         /* number rewriting: strip, then add */
	char add_prefix[16];
};

/* A live registration binding of an extension (written by occd). */
struct st_registration {
	int64_t team_id;
	char exten[ST_NUM];
	char contact[ST_URL];          /* the Contact URI */
	char source[64];               /* transport:ip:port it came from */
	char user_agent[ST_NAME];
	int64_t expires_ms;            /* absolute time */
	char path[256];                /* the REGISTER's first Path URI, ""
					* if none (RFC 3327) */
};

/* A team setting (key/value), e.g. event_url. */
struct st_team_setting {
	int64_t team_id;
	char key[ST_NAME];
	char value[ST_URL];
};

enum { ST_SESSIONID = 33, ST_USERDATA = 2048, ST_VARS = 4096 };

/* One call (session). Inserted when the call starts, completed when it
 * ends; a row left open by a crash is closed as INTERRUPTED at start. */
struct st_cdr {
	char sessionid[ST_SESSIONID];  /* 32 hex */
	int64_t team_id;
	char agent[ST_NUM];            /* agent number, "" if none */
	char direction[8];             /* "out" | "in" */
	char caller[ST_NAME];
	char callee[ST_NAME];
	char calldate[11];             /* YYYY-MM-DD, local, of start */
	int64_t start_ms, answer_ms, end_ms;  /* 0 = not (yet) */
	char disposition[16];          /* ANSWERED, NO ANSWER, BUSY, FAILED,
					* CANCEL, INTERRUPTED, "" while open */
	char hangup_by[16];            /* agent, customer, api, timeout, system */
	char recording[128];           /* file name under recordings/, "" */
	char modeltype[32];
	char model_id[64];
	char userdata[ST_USERDATA];
	char vars[ST_VARS];            /* NAME=value pairs, urlencoded, &-joined */
	char account[ST_NAME];         /* billed account (backCall), "" if none */
	/* inbound: the queue waited in last, from joining it to the answer
	 * or to leaving it, and whether the caller hung up while waiting or
	 * while an agent's phone rang (never bridged); agent is the agent
	 * who answered, callee the DID */
	char queue[ST_NUM];
	int64_t queue_wait_ms;
	bool abandoned;
	char ivrpath[256];             /* how the routing led the call */
};

/* One leg of a call. */
struct st_cdr_leg {
	char sessionid[ST_SESSIONID];
	int64_t uniqueid;
	char channel[ST_NAME];
	char role[16];                 /* agent, customer, ... */
	char peer[ST_NAME];            /* extension or number */
	int64_t start_ms, answer_ms, end_ms;
	char disposition[16];
};

/* An agent's runtime state, written by occd on every change. */
struct st_agent_state {
	int64_t agent_id;
	bool logged_in;
	char device[ST_NUM];           /* extension in use */
	int state;                     /* enum agent_state (core/agent_state.h) */
	char pause_reason[ST_NAME];
	int64_t since_ms;              /* when `state` began */
	int64_t default_group_id;      /* DefaultGroup's, 0 = none */
	bool dnd;                      /* do-not-disturb: never offered */
};

/* One state-log row: the agent's effective state changed at ts_ms. */
struct st_state_log {
	int64_t agent_id;
	int64_t ts_ms;
	int state;
	char pause_reason[ST_NAME];
};

/* A team's inbound routing file (src/inbound/routing.h): its text as
 * imported, at most ST_ROUTING bytes. */
enum { ST_ROUTING = 1024 * 1024 };
struct st_routing {
	int64_t team_id;
	const char *text;              /* NUL-terminated, len bytes */
	size_t len;
	int64_t updated_ms;
};

struct store_visitor {
	void (*team)(const struct st_team *t, void *arg);
	void (*account)(const struct st_account *a, void *arg);
	void (*agent)(const struct st_agent *a, void *arg);
	void (*group)(const struct st_group *g, void *arg);
	void (*member)(const struct st_member *m, void *arg);
	void (*exten)(const struct st_exten *e, void *arg);
	void (*agent_state)(const struct st_agent_state *s, void *arg);
	void (*trunk)(const struct st_trunk *t, void *arg);
	void (*registration)(const struct st_registration *r, void *arg);
	void (*team_setting)(const struct st_team_setting *s, void *arg);
	void (*routing)(const struct st_routing *r, void *arg);
};

/* Opens (creating and migrating as needed) the SQLite store in directory
 * dir. */
int  store_open(struct store **stp, const char *dir);
/* Opens the store [store] configures: backend "sqlite" (or "") in dir, or
 * "postgresql" at conninfo (a libpq connection string); EINVAL for
 * another backend or a missing conninfo, EIO if the server cannot be
 * reached. */
int  store_open_backend(struct store **stp, const char *backend,
			const char *dir, const char *conninfo);
/* mem_deref(st) closes it. */
/* How long the writes on the loop's path took (agent state and its log,
 * registrations, CDRs and legs, events, delivery cursors, counters, and
 * each commit), since the store was opened: /metrics. */
struct hist;
const struct hist *store_write_latency(const struct store *st);

/* Visit every row, parents before children, in this order: teams,
 * accounts, agents, groups, members, extensions, trunks, registrations
 * (expired ones too), team settings, routing files, agent states. NULL callbacks are
 * skipped.
 * Agents come in number order within a team (shorter numbers first), and
 * members ordered by agent the same way, then by group id. Callbacks may
 * call back into the store. */
int  store_load(struct store *st, const struct store_visitor *v, void *arg);

/* Provisioning. Lookups are by team name plus natural key. */
int  store_team_add(struct store *st, const char *name, int64_t *idp);
int  store_team_del(struct store *st, const char *name);
int  store_team_get(struct store *st, const char *name, struct st_team *t);

int  store_account_add(struct store *st, const struct st_account *a);
int  store_account_del(struct store *st, int64_t team_id, const char *name);
int  store_account_set_pwhash(struct store *st, int64_t team_id,
			      const char *name, const char *pwhash);
int  store_account_set_enabled(struct store *st, int64_t team_id,
			       const char *name, bool enabled);

int  store_agent_add(struct store *st, const struct st_agent *a);
int  store_agent_del(struct store *st, int64_t team_id, const char *number);
int  store_agent_set_pwhash(struct store *st, int64_t team_id,
			    const char *number, const char *pwhash);
int  store_agent_get(struct store *st, int64_t team_id, const char *number,
		     struct st_agent *a);
/* An agent's name and extension (either NULL: kept); ENOENT if none. */
int  store_agent_set_info(struct store *st, int64_t team_id,
			  const char *number, const char *name,
			  const char *exten);

int  store_group_add(struct store *st, const struct st_group *g); /* g->id 0: auto */
int  store_group_del(struct store *st, int64_t team_id, int64_t group_id);
/* A group's name (NULL: kept) and timed after-call work (acw_s 0 to
 * ST_ACW_S_MAX; -1: kept); ENOENT if the team has no such group. */
int  store_group_set(struct store *st, int64_t team_id, int64_t group_id,
		     const char *name, int acw_s);

int  store_member_add(struct store *st, const struct st_member *m);
int  store_member_del(struct store *st, int64_t group_id, int64_t agent_id);

int  store_exten_add(struct store *st, const struct st_exten *e);
int  store_exten_del(struct store *st, int64_t team_id, const char *number);
int  store_exten_set_ha1(struct store *st, int64_t team_id,
			 const char *number, const char *ha1);

/* A trunk added with is_default makes the team's other trunks non-default. */
int  store_trunk_add(struct store *st, const struct st_trunk *t);
int  store_trunk_del(struct store *st, int64_t team_id, const char *name);
/* The trunk t->name of team t->team_id gets t's address, registration,
 * credentials, caller id and prefixes (its password kept if
 * keep_password); whether it is the default is not changed. ENOENT if the
 * team has no such trunk. */
int  store_trunk_set(struct store *st, const struct st_trunk *t,
		     bool keep_password);
/* Make name the team's default trunk (the others stop being default). */
int  store_trunk_set_default(struct store *st, int64_t team_id,
			     const char *name);

/* Team settings; value "" deletes the key (0 if it was not set). */
int  store_team_setting_set(struct store *st, int64_t team_id,
			    const char *key, const char *value);

/* A team's routing file: set replaces it (ENOENT: no such team; text of
 * at most ST_ROUTING bytes, no NUL), del removes it (ENOENT if there was
 * none), get returns a NUL-terminated mem copy in *textp (mem_deref it). */
int  store_routing_set(struct store *st, int64_t team_id, const char *text,
		       size_t len, int64_t updated_ms);
int  store_routing_del(struct store *st, int64_t team_id);
int  store_routing_get(struct store *st, int64_t team_id, char **textp,
		       int64_t *updated_msp);

/* Runtime state, written by occd. */
int  store_agent_state_save(struct store *st, const struct st_agent_state *s);
int  store_member_state_save(struct store *st, const struct st_member *m);
int  store_state_log_append(struct store *st, const struct st_state_log *l);
/* Visit the agent's log rows with ts_ms >= since_ms in time order, preceded
 * by the last row before since_ms (if any), so a state that began earlier
 * can be clipped to the window. */
int  store_state_log_visit(struct store *st, int64_t agent_id, int64_t since_ms,
			   void (*h)(const struct st_state_log *l, void *arg),
			   void *arg);
/* Delete at most limit (> 0) of the log rows of the team's agents older
 * than before_ms, but never an agent's last row before before_ms: it is the
 * state in force then, where a later day's figures start. *np = how many
 * (np may be NULL). */
int  store_state_log_prune(struct store *st, int64_t team_id,
			   int64_t before_ms, unsigned limit, unsigned *np);

/* Registrations: insert or replace by (team, exten, contact). ENOENT if the
 * team has no such extension; removing the extension removes them. */
int  store_registration_save(struct store *st,
			     const struct st_registration *r);
int  store_registration_del(struct store *st, int64_t team_id,
			    const char *exten, const char *contact);

/* CDRs. begin inserts (EEXIST if the sessionid exists), end updates the
 * row completely (ENOENT if never begun), leg_save inserts or replaces by
 * (sessionid, uniqueid) (ENOENT if the call was never begun). Call history
 * outlives its team: once the team is deleted its calls read team_id 0. */
int  store_cdr_begin(struct store *st, const struct st_cdr *c);
int  store_cdr_end(struct store *st, const struct st_cdr *c);
int  store_cdr_leg_save(struct store *st, const struct st_cdr_leg *l);
int  store_cdr_get(struct store *st, const char *sessionid, struct st_cdr *c);
/* Newest first: at most limit (0: no limit) calls of team_id (0: all
 * teams) that started at or after since_ms; cdr_h gets each call and then
 * leg_h its legs in start order (leg_h may be NULL). */
int  store_cdr_visit(struct store *st, int64_t team_id, int64_t since_ms,
		     unsigned limit,
		     void (*cdr_h)(const struct st_cdr *c, void *arg),
		     void (*leg_h)(const struct st_cdr_leg *l, void *arg),
		     void *arg);
/* The calls still open (end_ms 0: a crash interrupted them), oldest first,
 * each then its legs, as store_cdr_visit(). */
int  store_cdr_visit_open(struct store *st,
			  void (*cdr_h)(const struct st_cdr *c, void *arg),
			  void (*leg_h)(const struct st_cdr_leg *l, void *arg),
			  void *arg);
/* Close every CDR still open (end_ms 0) as INTERRUPTED at now_ms, and its
 * open legs; *np = how many calls (np may be NULL). Called by occd at start. */
int  store_cdr_close_open(struct store *st, int64_t now_ms, unsigned *np);

/* Events (the event bus's log, events/bus.c). eventid is monotonic per
 * team; text is the wire message. agent1/agent2 name the agents the event
 * concerns ("" if none), for per-agent channels. Events and cursors are
 * deleted with their team. */
enum { ST_EVENT = 8192 };
struct st_event {
	int64_t team_id;
	int64_t eventid;
	int64_t ts_ms;
	char agent1[ST_NUM];
	char agent2[ST_NUM];
	char text[ST_EVENT];
};
/* EEXIST if (team, eventid) is taken, ENOENT if there is no such team;
 * text must be non-empty, eventid > 0. */
int  store_event_append(struct store *st, const struct st_event *e);
/* The team's highest eventid, 0 if none. */
int  store_event_last(struct store *st, int64_t team_id, int64_t *eventidp);
/* The team's newest eventid stamped before ts_ms (0 if none): where a
 * replay of the events since ts_ms starts (store_event_visit after it). */
int  store_event_before(struct store *st, int64_t team_id, int64_t ts_ms,
			int64_t *eventidp);
/* Events of the team with eventid > after, ascending, at most limit (0: no
 * limit); with agent non-NULL (not "") only those whose agent1 or agent2 is
 * it. Callbacks may call back into the store. */
int  store_event_visit(struct store *st, int64_t team_id, int64_t after,
		       const char *agent, unsigned limit,
		       void (*h)(const struct st_event *e, void *arg),
		       void *arg);
/* Delete at most limit (> 0) of the team's events with eventid <= upto
 * and older than before_ms, oldest first, never the team's newest event
 * (store_event_last() must not go back, or eventids would be reused after
 * a restart); *np = how many (np may be NULL). */
int  store_event_prune(struct store *st, int64_t team_id, int64_t upto,
		       int64_t before_ms, unsigned limit, unsigned *np);
/* Delivery cursors: the last eventid a sink ("webhook", [a-z_]{1,31}) has
 * delivered for a team; 0 if none. set overwrites (0 resets); ENOENT if
 * there is no such team. */
int  store_cursor_get(struct store *st, int64_t team_id, const char *sink,
		      int64_t *eventidp);
int  store_cursor_set(struct store *st, int64_t team_id, const char *sink,
		      int64_t eventid);

/* A persistent monotonic counter (e.g. "uniqueid"): *valp = previous + 1. */
int  store_counter_next(struct store *st, const char *name, int64_t *valp);

/*
 * Several nodes (PostgreSQL only; SQLite answers ENOTSUP). Times are
 * judged by the database's clock (now()), never a node's. See
 * docs/ARCHITECTURE.md, "Several nodes".
 */
enum { ST_ADDR = 64 };
struct st_node {
	char name[ST_NAME];
	char sip_address[ST_ADDR];
	char http_address[ST_ADDR];
	int64_t age_ms;                /* since its last heartbeat */
	int64_t up_ms;                 /* since it started */
};
struct st_lease {
	char team[ST_NAME];            /* every team: node "" if no lease */
	char node[ST_NAME];
	bool live;                     /* expires > now() */
	int64_t epoch;
	char wanted_node[ST_NAME];     /* "" if none */
	int64_t team_id;
};
/* Insert or refresh this node's row (heartbeat = now(); started = now()
 * when first is true); *reloadp (may be NULL) = the counter
 * STORE_RELOAD_COUNTER (0 if never counted): occctl counts each change,
 * so every node sees that provisioning changed. */
#define STORE_RELOAD_COUNTER "reload_epoch"
int  store_node_beat(struct store *st, const char *name, const char *sip,
		     const char *http, bool first, int64_t *reloadp);
/* Extend every live lease of node by lease_s; h (may be NULL) gets each
 * team renewed. A lease already expired is not renewed. */
int  store_lease_renew(struct store *st, const char *node, unsigned lease_s,
		       void (*h)(const char *team, int64_t epoch,
				 const char *wanted, void *arg), void *arg);
/* Take team for node if nobody holds a live lease on it and it is not
 * wanted by another live node (heartbeat within lease_s): epoch + 1 in
 * *epochp. EBUSY if taken. */
int  store_lease_claim(struct store *st, const char *team, const char *node,
		       unsigned lease_s, int64_t *epochp);
/* Let go of team (expires now) if node holds it; ENOENT if not. */
int  store_lease_release(struct store *st, const char *team,
			 const char *node);
/* Ask team's owner to hand it over to node (occctl node move). ENOENT: no
 * such team. */
int  store_lease_want(struct store *st, const char *team, const char *node);
/* Replace team's rows of occ_did (Kamailio's DID -> team lookup) by these
 * n numbers; prefix[i]: number i is a prefix (the file's "8008*"). */
int  store_did_replace(struct store *st, const char *team,
		       const char *const *dids, const bool *prefix, size_t n);
/* One team's lease as it is now (the rows store_cluster_visit reads, for
 * one team: indexed look-ups), and its holder's node row (n->name "" and
 * age_ms -1 when no node holds or held it). ENOENT: no such team. */
int  store_lease_get(struct store *st, const char *team, struct st_lease *l,
		     struct st_node *n);
/* Every node (node_h) and every team with its lease (lease_h). */
int  store_cluster_visit(struct store *st,
			 void (*node_h)(const struct st_node *n, void *arg),
			 void (*lease_h)(const struct st_lease *l, void *arg),
			 void *arg);

/* Outbound campaigns (docs/CAMPAIGNS.md). A campaign is identified by its
 * team and id (the API's model_id); its customer package has named columns
 * (name: the column name, display: the display name, both unique in the
 * campaign) and one key column whose value is the customer's unique key.
 * The team's customers are its master table: one row per key, in at most
 * one campaign's package (campaign_id 0: unassigned; deleting a campaign
 * unassigns its customers). */
enum { ST_RECORD = 8192, ST_DIAL_RESULT = 16, ST_AMD_FP_DEFAULT = 100 };
struct st_campaign {
	int64_t team_id, id;
	char name[ST_NAME];
	int64_t group_id;              /* agent group answering its calls */
	char dial_mode[16];            /* preview, progressive, predictive */
	char state[16];                /* stopped, running, paused */
	char callerid[ST_NUM];         /* "" = the trunk's */
	char profile[8];               /* compliance: us, uk, none */
	int window_start, window_end;  /* calling window, minutes 0..1440 */
	char key_column[ST_NAME];      /* unique key column (phone1) */
	char timezone[ST_NAME];        /* IANA zone of the window, "" occd's */
	int retry_busy, retry_noanswer, retry_failed; /* seconds, 0 default */
	int max_attempts;              /* per number, 0 default (1-255) */
	/* answering-machine detection on its answers (docs/DIALER.md) */
	int amd;                       /* 0 off, 1 on */
	char amd_action[12];           /* hangup, message */
	int amd_fp_permille;           /* measured false-positive share, 0-1000
					* (ST_AMD_FP_DEFAULT for a new one) */
	char amd_params[256];          /* name=value,... over [amd] */
	char abandon_msg[256];         /* WAV path, "" = the tone */
};
struct st_column {
	int64_t team_id, campaign_id;
	int pos;                       /* display order */
	char name[ST_NAME];            /* [A-Za-z0-9_]+ */
	char display[ST_NAME];
};
/* handling status of a customer */
enum st_customer_status {
	ST_CUST_NEW = 0,               /* not processed */
	ST_CUST_FOLLOWUP = 1,          /* following up */
	ST_CUST_SUCCESS = 2,           /* submitted, success */
	ST_CUST_FAILURE = 3,           /* submitted, failure */
};
struct st_customer {
	int64_t id, team_id;
	int64_t campaign_id;           /* 0 = unassigned */
	char key[ST_NAME];             /* the key column's value */
	char data[ST_RECORD];          /* column=value pairs, urlencoded, &-joined */
	char owner[ST_NUM];            /* owning agent number, "" = none */
	int status;                    /* enum st_customer_status */
	int64_t updated_ms;
};
/* One number of a campaign's pre-dial list. */
struct st_dial {
	int64_t id, team_id, campaign_id;
	int64_t customer_id;           /* 0 = none (dialerList) */
	char number[ST_NUM];           /* [0-9*#+] */
	int priority;                  /* higher first */
	int64_t dial_ms;               /* not before (0: at once) */
	int attempts;
	char last_result[ST_DIAL_RESULT]; /* "" = still to dial */
	int64_t added_ms;
};

/* A file import's report (docs/CAMPAIGNS.md): id is the task id the
 * import answered; state queued, running, done or failed; counts the
 * records per outcome code ("84=10,81=2", code 81 also counts a record
 * whose first code it is); errors the first records refused ("line 7:
 * 76[name]" a line each); msg why the task failed. A queued task (a
 * scheduled import) runs at exe_ms; request holds what it needs to run
 * (its parameters, urlencoded, the file server's login included; emptied
 * once it runs). */
enum { ST_IMPORT_COUNTS = 256, ST_IMPORT_ERRORS = 2048,
       ST_IMPORT_REQUEST = 2048 };
struct st_import_report {
	int64_t id, team_id, campaign_id;
	char url[ST_URL];              /* without credentials */
	char state[16];
	int64_t created_ms, updated_ms;
	int64_t rows, failed;          /* records seen, records refused */
	char counts[ST_IMPORT_COUNTS];
	char errors[ST_IMPORT_ERRORS];
	char msg[256];
	int64_t exe_ms;
	char request[ST_IMPORT_REQUEST];
};

/* r->id 0: a new report (its id in *idp), else that report replaced. */
int  store_import_report_put(struct store *st,
			     const struct st_import_report *r, int64_t *idp);
/* A campaign's reports (campaign_id 0: the team's; team_id 0: every
 * team's), newest first. */
int  store_import_report_visit(struct store *st, int64_t team_id,
			       int64_t campaign_id,
			       void (*h)(const struct st_import_report *r,
					 void *arg), void *arg);

/* Campaign reports (src/ops/campreport.c). A dial of a campaign as its
 * CDR has it: the customer's answer (0: none), the first answer of an
 * agent leg (0: no agent answered), the end (0: still up), the agent and
 * the call's variables (amd=... when AMD ran). */
struct st_campaign_call {
	int64_t start_ms, answer_ms, agent_ms, end_ms;
	char agent[ST_NUM];
	char vars[ST_VARS];
};
/* The team's calls with modeltype=Campaign and model_id=campaign_id that
 * started in [from_ms, to_ms), oldest first. */
int  store_campaign_call_visit(struct store *st, int64_t team_id,
			       int64_t campaign_id, int64_t from_ms,
			       int64_t to_ms,
			       void (*h)(const struct st_campaign_call *c,
					 void *arg), void *arg);
/* A campaign's pre-dial list now, by last result ("" still to dial,
 * "dialing", "answered", ...): the rows, their attempts, and of the rows
 * still to dial those due by now_ms. */
struct st_dial_count {
	char result[ST_DIAL_RESULT];
	int64_t rows, attempts, due;
};
int  store_dial_count_visit(struct store *st, int64_t team_id,
			    int64_t campaign_id, int64_t now_ms,
			    void (*h)(const struct st_dial_count *c,
				      void *arg), void *arg);
/* The state-log rows of the agents of group_id with ts_ms in [from_ms,
 * to_ms), each agent's preceded by its last row before from_ms (the
 * state in force then), by agent then time. */
int  store_group_state_log_visit(struct store *st, int64_t group_id,
				 int64_t from_ms, int64_t to_ms,
				 void (*h)(const struct st_state_log *l,
					   void *arg), void *arg);

/* EEXIST: the team has that id; ENOENT: no such team. */
int  store_campaign_add(struct store *st, const struct st_campaign *c);
int  store_campaign_get(struct store *st, int64_t team_id, int64_t id,
			struct st_campaign *c);
int  store_campaign_set_state(struct store *st, int64_t team_id, int64_t id,
			      const char *state);
int  store_campaign_del(struct store *st, int64_t team_id, int64_t id);
/* Rewrites the settings of campaign (c->team_id, c->id), its state
 * excepted; ENOENT: no such campaign. */
int  store_campaign_set(struct store *st, const struct st_campaign *c);
/* The team's campaigns by id. */
int  store_campaign_visit(struct store *st, int64_t team_id,
			  void (*h)(const struct st_campaign *c, void *arg),
			  void *arg);
/* ENOENT: no such campaign; EEXIST: the name or display name is taken. */
int  store_column_add(struct store *st, const struct st_column *c);
int  store_column_del(struct store *st, int64_t team_id, int64_t campaign_id,
		      const char *name);
/* By pos, then name. */
int  store_column_visit(struct store *st, int64_t team_id,
			int64_t campaign_id,
			void (*h)(const struct st_column *c, void *arg),
			void *arg);
/* The team's customer of that key (whatever its package). */
int  store_customer_get(struct store *st, int64_t team_id, const char *key,
			struct st_customer *cu);
/* EEXIST: the key is taken in the team; *idp gets the new id. */
int  store_customer_add(struct store *st, const struct st_customer *cu,
			int64_t *idp);
/* Rewrites package, data, owner, status and time of row cu->id. */
int  store_customer_update(struct store *st, const struct st_customer *cu);
/* The customers of a package (campaign_id 0: the unassigned), by id. */
int  store_customer_visit(struct store *st, int64_t team_id,
			  int64_t campaign_id,
			  void (*h)(const struct st_customer *cu, void *arg),
			  void *arg);
/* EEXIST: the number still waits in that campaign's list; ENOENT: no
 * such campaign. */
int  store_dial_add(struct store *st, const struct st_dial *d, int64_t *idp);
/* A campaign's list in dialing order: priority (high first), dial time,
 * id. */
int  store_dial_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		      void (*h)(const struct st_dial *d, void *arg),
		      void *arg);

/* The dialer (sip/dialerhost.c): the list's next number due by now_ms
 * (dialing order), marked last_result "dialing" so it is not taken twice,
 * in *d as it was before (its attempts and last result, which the
 * dialer's rules read); ENOENT: none due. A row is due while its dial_ms
 * has come and it is not being dialled: a retry is a row with its last
 * result and the time of its next try; a number never to be dialled
 * again has dial_ms INT64_MAX. */
int  store_dial_take(struct store *st, int64_t team_id, int64_t campaign_id,
		     int64_t now_ms, struct st_dial *d);
/* A dial of row id ended: its attempts, result and next try. */
int  store_dial_result(struct store *st, int64_t team_id, int64_t id,
		       int attempts, const char *result, int64_t next_ms);

/* At occd's start: every row still "dialing" (occd stopped during its
 * call) gets an attempt more, the result "interrupted" and its next try at
 * next_ms, so it is not dialled again at once; *np: how many. */
int  store_dial_interrupted(struct store *st, int64_t next_ms, int *np);

/* Do-not-call lists (docs/DIALER.md): team_id 0 the system's list,
 * campaign_id 0 a team's, else a campaign's. Numbers are their digits
 * only (dialer_number_digits). Adding a number listed is not an error;
 * removing one not listed is ENOENT. */
struct st_dnc {
	int64_t team_id, campaign_id;
	char number[ST_NUM];
	int64_t added_ms;
};
int  store_dnc_add(struct store *st, const struct st_dnc *d);
int  store_dnc_del(struct store *st, int64_t team_id, int64_t campaign_id,
		   const char *number);
/* One list, by number. */
int  store_dnc_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		     void (*h)(const struct st_dnc *d, void *arg), void *arg);
/* Is number on the system's list, the team's or the campaign's? */
int  store_dnc_match(struct store *st, int64_t team_id, int64_t campaign_id,
		     const char *number, bool *hitp);
/* The team's customer of that id. */
int  store_customer_get_id(struct store *st, int64_t team_id, int64_t id,
			   struct st_customer *cu);

/* Group several writes into one transaction (nesting is counted). */
int  store_begin(struct store *st);
int  store_commit(struct store *st);

/*
 * Group commit: with it on, the loop's writes (the timed ones: CDRs, legs,
 * agent and member state, state log, registrations, events, cursors,
 * counters) share one transaction, begun at the first of them and
 * committed by store_sync() or, at the latest, by a zero timer at the end
 * of the loop pass (libre runs due timers after the descriptors' handlers).
 * One commit per pass instead of one per write: a commit is most of a
 * small write's cost in SQLite. What must not be seen before it is stored
 * waits for the commit: events reach their sinks from the sync handler
 * (bus.c), and the API calls store_sync() before it replies (web.c).
 * Only backends that gain from it (SQLite); elsewhere a no-op. Loop
 * thread only.
 */
typedef void (store_synced_h)(int err, void *arg);
void store_group_commit(struct store *st, bool on);
/* A pass's transaction is open: writes since the last sync not yet
 * committed. */
bool store_pending(const struct store *st);
/* Called after each pass commit, err its result (one handler). */
void store_on_sync(struct store *st, store_synced_h *h, void *arg);
/* Commit the pass's writes now (0 if there were none). */
int  store_sync(struct store *st);
/* What was written so far (a mark), and store_sync() only if something
 * was written since the mark (or the backend cannot tell): a reply that
 * only read need not wait for the commit of what others wrote. */
uint64_t store_write_mark(struct store *st);
int  store_sync_since(struct store *st, uint64_t mark);

/*
 * The backend's upkeep off the calling thread, for a long-lived process:
 * SQLite copies its WAL into the database on a thread of its own
 * (sqlite_ckpt.c) instead of in the commit that fills it. occd turns it on
 * for its loop; short-lived tools (occctl) leave SQLite's own checkpoints.
 * 0 where a backend has nothing to move (PostgreSQL). Loop thread only.
 */
int  store_background(struct store *st, bool on);

#endif
