/*
 * store_impl.h — the backend seam behind store.h. Private to src/store/.
 *
 * struct store is the first member of each backend's own object, which the
 * backend allocates with mem_zalloc and its destructor; store.c checks every
 * argument once (lengths, ranges, hash format) and then calls through ops, so
 * a backend only translates valid requests into its database.
 *
 * The backends: SQLite (sqlite.c, sqlite_campaign.c) and PostgreSQL (pg.c,
 * pg_campaign.c, pg_impl.h). To add one: implement every member of struct
 * store_ops with the contract documented in store.h, add an open function
 * like sqlite_store_open() below and choose it in store_open_backend()
 * (store.c).
 */
#ifndef OCC_STORE_IMPL_H
#define OCC_STORE_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "base/hist.h"
#include "store/store.h"

typedef void (store_log_h)(const struct st_state_log *l, void *arg);
typedef void (store_cdr_h)(const struct st_cdr *c, void *arg);
typedef void (store_leg_h)(const struct st_cdr_leg *l, void *arg);
typedef void (store_event_h)(const struct st_event *e, void *arg);

struct store_ops {
	const char *name;
	int (*load)(struct store *st, const struct store_visitor *v,
		    void *arg);

	int (*team_add)(struct store *st, const char *name, int64_t *idp);
	int (*team_del)(struct store *st, const char *name);
	int (*team_get)(struct store *st, const char *name, struct st_team *t);

	int (*account_add)(struct store *st, const struct st_account *a);
	int (*account_del)(struct store *st, int64_t team_id, const char *name);
	int (*account_set_pwhash)(struct store *st, int64_t team_id,
				  const char *name, const char *pwhash);
	int (*account_set_enabled)(struct store *st, int64_t team_id,
				   const char *name, bool enabled);

	int (*agent_add)(struct store *st, const struct st_agent *a);
	int (*agent_del)(struct store *st, int64_t team_id, const char *number);
	int (*agent_set_pwhash)(struct store *st, int64_t team_id,
				const char *number, const char *pwhash);
	int (*agent_get)(struct store *st, int64_t team_id, const char *number,
			 struct st_agent *a);
	int (*agent_set_info)(struct store *st, int64_t team_id,
			      const char *number, const char *name,
			      const char *exten);

	int (*group_add)(struct store *st, const struct st_group *g);
	int (*group_del)(struct store *st, int64_t team_id, int64_t group_id);
	int (*group_set)(struct store *st, int64_t team_id, int64_t group_id,
			 const char *name, int acw_s);

	int (*member_add)(struct store *st, const struct st_member *m);
	int (*member_del)(struct store *st, int64_t group_id, int64_t agent_id);

	int (*exten_add)(struct store *st, const struct st_exten *e);
	int (*exten_del)(struct store *st, int64_t team_id, const char *number);
	int (*exten_set_ha1)(struct store *st, int64_t team_id,
			     const char *number, const char *ha1);

	int (*trunk_add)(struct store *st, const struct st_trunk *t);
	int (*trunk_del)(struct store *st, int64_t team_id, const char *name);
	int (*trunk_set)(struct store *st, const struct st_trunk *t,
			 bool keep_password);
	int (*trunk_set_default)(struct store *st, int64_t team_id,
				 const char *name);

	int (*team_setting_set)(struct store *st, int64_t team_id,
				const char *key, const char *value);

	int (*routing_set)(struct store *st, int64_t team_id,
			   const char *text, size_t len, int64_t updated_ms);
	int (*routing_del)(struct store *st, int64_t team_id);
	int (*routing_get)(struct store *st, int64_t team_id, char **textp,
			   int64_t *updated_msp);

	int (*agent_state_save)(struct store *st,
				const struct st_agent_state *s);
	int (*member_state_save)(struct store *st, const struct st_member *m);
	int (*state_log_append)(struct store *st, const struct st_state_log *l);
	int (*state_log_visit)(struct store *st, int64_t agent_id,
			       int64_t since_ms, store_log_h *h, void *arg);
	int (*state_log_prune)(struct store *st, int64_t team_id,
			       int64_t before_ms, unsigned limit, unsigned *np);

	int (*registration_save)(struct store *st,
				 const struct st_registration *r);
	int (*registration_del)(struct store *st, int64_t team_id,
				const char *exten, const char *contact);

	int (*cdr_begin)(struct store *st, const struct st_cdr *c);
	int (*cdr_end)(struct store *st, const struct st_cdr *c);
	int (*cdr_leg_save)(struct store *st, const struct st_cdr_leg *l);
	int (*cdr_get)(struct store *st, const char *sessionid,
		       struct st_cdr *c);
	/* limit 0: no limit (store.c passes it through unchanged) */
	int (*cdr_visit)(struct store *st, int64_t team_id, int64_t since_ms,
			 unsigned limit, store_cdr_h *cdr_h,
			 store_leg_h *leg_h, void *arg);
	int (*cdr_close_open)(struct store *st, int64_t now_ms, unsigned *np);
	int (*cdr_visit_open)(struct store *st, store_cdr_h *cdr_h,
			      store_leg_h *leg_h, void *arg);

	int (*event_append)(struct store *st, const struct st_event *e);
	int (*event_last)(struct store *st, int64_t team_id,
			  int64_t *eventidp);
	int (*event_before)(struct store *st, int64_t team_id, int64_t ts_ms,
			    int64_t *eventidp);
	/* agent NULL: all; limit 0: no limit */
	int (*event_visit)(struct store *st, int64_t team_id, int64_t after,
			   const char *agent, unsigned limit,
			   store_event_h *h, void *arg);
	int (*event_prune)(struct store *st, int64_t team_id, int64_t upto,
			   int64_t before_ms, unsigned limit, unsigned *np);
	int (*cursor_get)(struct store *st, int64_t team_id, const char *sink,
			  int64_t *eventidp);
	int (*cursor_set)(struct store *st, int64_t team_id, const char *sink,
			  int64_t eventid);

	int (*counter_next)(struct store *st, const char *name, int64_t *valp);

	/* campaigns (sqlite_campaign.c) */
	int (*campaign_add)(struct store *st, const struct st_campaign *c);
	int (*campaign_get)(struct store *st, int64_t team_id, int64_t id,
			    struct st_campaign *c);
	int (*campaign_set_state)(struct store *st, int64_t team_id,
				  int64_t id, const char *state);
	int (*campaign_del)(struct store *st, int64_t team_id, int64_t id);
	int (*campaign_set)(struct store *st, const struct st_campaign *c);
	int (*dnc_add)(struct store *st, const struct st_dnc *d);
	int (*dnc_del)(struct store *st, int64_t team_id, int64_t campaign_id,
		       const char *number);
	int (*dnc_visit)(struct store *st, int64_t team_id,
			 int64_t campaign_id,
			 void (*h)(const struct st_dnc *d, void *arg),
			 void *arg);
	int (*dnc_match)(struct store *st, int64_t team_id,
			 int64_t campaign_id, const char *number, bool *hitp);
	int (*customer_get_id)(struct store *st, int64_t team_id, int64_t id,
			       struct st_customer *cu);
	int (*campaign_visit)(struct store *st, int64_t team_id,
			      void (*h)(const struct st_campaign *c, void *arg),
			      void *arg);
	int (*column_add)(struct store *st, const struct st_column *c);
	int (*column_del)(struct store *st, int64_t team_id,
			  int64_t campaign_id, const char *name);
	int (*column_visit)(struct store *st, int64_t team_id,
			    int64_t campaign_id,
			    void (*h)(const struct st_column *c, void *arg),
			    void *arg);
	int (*customer_get)(struct store *st, int64_t team_id, const char *key,
			    struct st_customer *cu);
	int (*customer_add)(struct store *st, const struct st_customer *cu,
			    int64_t *idp);
	int (*customer_update)(struct store *st, const struct st_customer *cu);
	int (*customer_visit)(struct store *st, int64_t team_id,
			      int64_t campaign_id,
			      void (*h)(const struct st_customer *cu, void *arg),
			      void *arg);
	int (*dial_add)(struct store *st, const struct st_dial *d,
			int64_t *idp);
	int (*dial_take)(struct store *st, int64_t team_id,
			 int64_t campaign_id, int64_t now_ms,
			 struct st_dial *d);
	int (*dial_result)(struct store *st, int64_t team_id, int64_t id,
			   int attempts, const char *result, int64_t next_ms);
	int (*dial_interrupted)(struct store *st, int64_t next_ms, int *np);
	int (*dial_visit)(struct store *st, int64_t team_id,
			  int64_t campaign_id,
			  void (*h)(const struct st_dial *d, void *arg),
			  void *arg);
	int (*import_report_put)(struct store *st,
				 const struct st_import_report *r,
				 int64_t *idp);
	int (*import_report_visit)(struct store *st, int64_t team_id,
				   int64_t campaign_id,
				   void (*h)(const struct st_import_report *r,
					     void *arg), void *arg);
	int (*campaign_call_visit)(struct store *st, int64_t team_id,
				   int64_t campaign_id, int64_t from_ms,
				   int64_t to_ms,
				   void (*h)(const struct st_campaign_call *c,
					     void *arg), void *arg);
	int (*dial_count_visit)(struct store *st, int64_t team_id,
				int64_t campaign_id, int64_t now_ms,
				void (*h)(const struct st_dial_count *c,
					  void *arg), void *arg);
	int (*group_state_log_visit)(struct store *st, int64_t group_id,
				     int64_t from_ms, int64_t to_ms,
				     void (*h)(const struct st_state_log *l,
					       void *arg), void *arg);

	/* several nodes: NULL in backends that cannot (ENOTSUP) */
	int (*node_beat)(struct store *st, const char *name, const char *sip,
			 const char *http, bool first, int64_t *reloadp);
	int (*lease_renew)(struct store *st, const char *node,
			   unsigned lease_s,
			   void (*h)(const char *team, int64_t epoch,
				     const char *wanted, void *arg),
			   void *arg);
	int (*lease_claim)(struct store *st, const char *team,
			   const char *node, unsigned lease_s,
			   int64_t *epochp);
	int (*lease_release)(struct store *st, const char *team,
			     const char *node);
	int (*lease_want)(struct store *st, const char *team,
			  const char *node);
	int (*did_replace)(struct store *st, const char *team,
			   const char *const *dids, const bool *prefix,
			   size_t n);
	int (*lease_get)(struct store *st, const char *team,
			 struct st_lease *l, struct st_node *n);
	int (*cluster_visit)(struct store *st,
			     void (*node_h)(const struct st_node *n, void *arg),
			     void (*lease_h)(const struct st_lease *l,
					     void *arg), void *arg);

	int (*begin)(struct store *st);
	int (*commit)(struct store *st);
	/* a transaction costs no more per write than autocommit, so the
	 * loop's writes may share one (store_group_commit) */
	bool group_commit;
	/* a transaction is open (group commit: the pass's commit may only
	 * close an inner level) */
	bool (*in_txn)(struct store *st);
	/* optional: store_background() */
	int (*background)(struct store *st, bool on);
	/* optional, with group_commit: rows written on the connection so
	 * far (store_write_mark) */
	uint64_t (*changes)(struct store *st);
};

/* Common head of every backend object. A backend's destructor calls
 * store_close_pass() first. */
struct store {
	const struct store_ops *ops;
	struct hist write_latency;     /* store.c's TIMED writes */
	bool group;                    /* store_group_commit() on */
	bool pass_open;                /* the pass's transaction is open */
	bool sync_owed;                /* its commit closed an inner level */
	struct tmr pass_tmr;           /* commits it at the pass's end */
	store_synced_h *synch;
	void *sync_arg;
};

/* Commit the pass's transaction if one is open, cancel its timer. */
void store_close_pass(struct store *st);

/* SQLite backend (sqlite.c): opens or creates <dir>/occ.db. */
int sqlite_store_open(struct store **stp, const char *dir);
/* PostgreSQL backend (pg.c): connects to conninfo (libpq's key=value or
 * postgresql:// URI) and migrates its schema. */
int pg_store_open(struct store **stp, const char *conninfo);

/* For the SQLite backend's other files (sqlite_campaign.c): the handle,
 * and SQLite result codes mapped as store.h says (EEXIST, ENOENT, ...). */
struct sqlite3;
struct sqlite3_stmt;
struct sqlite3 *sqlite_store_db(struct store *st);
int sqlite_store_err(struct store *st, int rc, const char *what);
/* A statement of a constant SQL text (compared by address), prepared once
 * per store and kept (at most SQLITE_STMT_CACHE; beyond, or while in use,
 * prepared anew); give it back with sqlite_store_release (reset, bindings
 * cleared, or finalized if not kept). */
enum { SQLITE_STMT_CACHE = 48 };
int sqlite_store_prepare(struct store *st, const char *sql,
			 struct sqlite3_stmt **qp);
void sqlite_store_release(struct store *st, struct sqlite3_stmt *q);
/* Bind args described by types: 'I' int64_t, 'N' int64_t bound as NULL
 * when 0, 'i' int (also bool), 't' const char *; parameters are ?1, ?2,
 * ...; another letter is SQLITE_MISUSE. Returns an SQLite result code. */
int sqlite_bind_va(struct sqlite3_stmt *q, const char *types, va_list ap);
/* Copy text column col of q's row into dst; false if it does not fit. */
bool sqlite_col_text(char *dst, size_t size, struct sqlite3_stmt *q, int col);
/* sqlite_campaign.c: the campaign members of the backend's ops. */
int sqlite_campaign_add(struct store *st, const struct st_campaign *c);
int sqlite_campaign_get(struct store *st, int64_t team_id, int64_t id,
			struct st_campaign *c);
int sqlite_campaign_set_state(struct store *st, int64_t team_id, int64_t id,
			      const char *state);
int sqlite_campaign_del(struct store *st, int64_t team_id, int64_t id);
int sqlite_campaign_set(struct store *st, const struct st_campaign *c);
int sqlite_dnc_add(struct store *st, const struct st_dnc *d);
int sqlite_dnc_del(struct store *st, int64_t team_id, int64_t campaign_id,
		   const char *number);
int sqlite_dnc_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		     void (*h)(const struct st_dnc *d, void *arg), void *arg);
int sqlite_dnc_match(struct store *st, int64_t team_id, int64_t campaign_id,
		     const char *number, bool *hitp);
int sqlite_customer_get_id(struct store *st, int64_t team_id, int64_t id,
			   struct st_customer *cu);
int sqlite_campaign_visit(struct store *st, int64_t team_id,
			  void (*h)(const struct st_campaign *c, void *arg),
			  void *arg);
int sqlite_column_add(struct store *st, const struct st_column *c);
int sqlite_column_del(struct store *st, int64_t team_id, int64_t campaign_id,
		      const char *name);
int sqlite_column_visit(struct store *st, int64_t team_id,
			int64_t campaign_id,
			void (*h)(const struct st_column *c, void *arg),
			void *arg);
int sqlite_customer_get(struct store *st, int64_t team_id, const char *key,
			struct st_customer *cu);
int sqlite_customer_add(struct store *st, const struct st_customer *cu,
			int64_t *idp);
int sqlite_customer_update(struct store *st, const struct st_customer *cu);
int sqlite_customer_visit(struct store *st, int64_t team_id,
			  int64_t campaign_id,
			  void (*h)(const struct st_customer *cu, void *arg),
			  void *arg);
int sqlite_dial_add(struct store *st, const struct st_dial *d, int64_t *idp);
int sqlite_dial_take(struct store *st, int64_t team_id, int64_t campaign_id,
		     int64_t now_ms, struct st_dial *d);
int sqlite_dial_result(struct store *st, int64_t team_id, int64_t id,
		       int attempts, const char *result, int64_t next_ms);
int sqlite_dial_interrupted(struct store *st, int64_t next_ms, int *np);
int sqlite_dial_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		      void (*h)(const struct st_dial *d, void *arg),
		      void *arg);
int sqlite_import_report_put(struct store *st,
			     const struct st_import_report *r, int64_t *idp);
int sqlite_import_report_visit(struct store *st, int64_t team_id,
			       int64_t campaign_id,
			       void (*h)(const struct st_import_report *r,
					 void *arg), void *arg);
int sqlite_campaign_call_visit(struct store *st, int64_t team_id,
			       int64_t campaign_id, int64_t from_ms,
			       int64_t to_ms,
			       void (*h)(const struct st_campaign_call *c,
					 void *arg), void *arg);
int sqlite_dial_count_visit(struct store *st, int64_t team_id,
			    int64_t campaign_id, int64_t now_ms,
			    void (*h)(const struct st_dial_count *c,
				      void *arg), void *arg);
int sqlite_group_state_log_visit(struct store *st, int64_t group_id,
				 int64_t from_ms, int64_t to_ms,
				 void (*h)(const struct st_state_log *l,
					   void *arg), void *arg);

/* SQLite schema (schema.c): bring the database to the newest version this
 * build knows. Returns ENOTSUP if the file is newer than that. */
struct sqlite3;
struct sqlite3_stmt;
int sqlite_schema_migrate(struct sqlite3 *db);
int sqlite_schema_version(void);
/* Apply the steps up to version (1..sqlite_schema_version()) only: for
 * tests that build a database as an older occ left it. */
int sqlite_schema_migrate_to(struct sqlite3 *db, int version);
/* The SQL of the queries whose plans matter on large tables, for tests that
 * check them with EXPLAIN QUERY PLAN: "event_visit", "event_visit_agent",
 * "event_last", "event_before", "event_prune",
 * "state_log_prune". NULL for any other
 * name. */
const char *sqlite_query_sql(const char *name);

#endif
