/*
 * store.h — persistence behind one interface. SQL lives only under store/.
 *
 * occd loads everything at start (store_load) and owns it in memory; every
 * change it makes is written through (agent runtime state, memberships, the
 * state log). occctl provisions through the same functions and then asks the
 * running occd to reload (SIGHUP).
 *
 * The implementation is chosen by store_open(): today SQLite (sqlite.c, WAL
 * mode, versioned migrations in schema.c). A PostgreSQL backend implements
 * struct store_ops (store_impl.h) and registers in store.c.
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
	char ha1[40];                  /* MD5(number:realm:secret) hex */
	char kind[16];                 /* "sip" or "virtual" */
};

/* An agent's runtime state, written by occd on every change. */
struct st_agent_state {
	int64_t agent_id;
	bool logged_in;
	char device[ST_NUM];           /* extension in use */
	int state;                     /* enum agent_state (core/agent_state.h) */
	char pause_reason[ST_NAME];
	int64_t since_ms;              /* when `state` began */
};

/* One state-log row: the agent's effective state changed at ts_ms. */
struct st_state_log {
	int64_t agent_id;
	int64_t ts_ms;
	int state;
	char pause_reason[ST_NAME];
};

struct store_visitor {
	void (*team)(const struct st_team *t, void *arg);
	void (*account)(const struct st_account *a, void *arg);
	void (*agent)(const struct st_agent *a, void *arg);
	void (*group)(const struct st_group *g, void *arg);
	void (*member)(const struct st_member *m, void *arg);
	void (*exten)(const struct st_exten *e, void *arg);
	void (*agent_state)(const struct st_agent_state *s, void *arg);
};

/* Opens (creating and migrating as needed) the store in directory dir. */
int  store_open(struct store **stp, const char *dir);
/* mem_deref(st) closes it. */

/* Visit every row, parents before children (teams, accounts, agents,
 * groups, members, extensions, agent states). NULL callbacks are skipped.
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

int  store_group_add(struct store *st, const struct st_group *g); /* g->id 0: auto */
int  store_group_del(struct store *st, int64_t team_id, int64_t group_id);

int  store_member_add(struct store *st, const struct st_member *m);
int  store_member_del(struct store *st, int64_t group_id, int64_t agent_id);

int  store_exten_add(struct store *st, const struct st_exten *e);
int  store_exten_del(struct store *st, int64_t team_id, const char *number);
int  store_exten_set_ha1(struct store *st, int64_t team_id,
			 const char *number, const char *ha1);

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

/* Group several writes into one transaction (nesting is counted). */
int  store_begin(struct store *st);
int  store_commit(struct store *st);

#endif
