/*
 * pg_impl.h — the PostgreSQL backend's private seam between pg.c and
 * pg_campaign.c (as store_impl.h's sqlite_* functions are for SQLite).
 * Private to src/store/.
 *
 * Every statement is a constant SQL text run with PQexecParams; values are
 * only ever parameters ($1, $2, ...), described by a types string as
 * sqlite_bind_va's: 'I' int64_t (int8), 'N' int64_t sent as NULL when 0,
 * 'i' int (int4; also bool), 't' const char * (text). Results come back in
 * text format and are read with pg_int() and pg_text().
 */
#ifndef OCC_PG_IMPL_H
#define OCC_PG_IMPL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <libpq-fe.h>
#include "store/store_impl.h"

/* Run sql: 0 with *resp (PQclear it; resp NULL: cleared here), or an
 * errno value as store.h's (EEXIST, ENOENT, EINVAL, EIO). */
int pg_exec(struct store *st, PGresult **resp, const char *sql,
	    const char *types, ...);
int pg_exec_va(struct store *st, PGresult **resp, const char *sql,
	       const char *types, va_list ap);
/* The rows a write changed (PQcmdTuples). */
int pg_changes(const PGresult *r);
/* An UPDATE or DELETE of one row by key: ENOENT if there was none. */
int pg_run1(struct store *st, const char *sql, const char *types, ...);
/* Column col of row as an integer (NULL or "" reads 0). */
int64_t pg_int(const PGresult *r, int row, int col);
/* Copy text column col of row into dst; false if it does not fit. */
bool pg_text(char *dst, size_t size, const PGresult *r, int row, int col);
/* Several statements as one (a savepoint inside a transaction). */
int pg_op_begin(struct store *st);
int pg_op_end(struct store *st, int err);

/* schema.c: bring the database to the newest schema (ENOTSUP: newer). */
int pg_schema_migrate(PGconn *c);

/* pg_campaign.c: the campaign members of the backend's ops. */
int pg_campaign_add(struct store *st, const struct st_campaign *c);
int pg_campaign_get(struct store *st, int64_t team_id, int64_t id,
		    struct st_campaign *c);
int pg_campaign_set_state(struct store *st, int64_t team_id, int64_t id,
			  const char *state);
int pg_campaign_del(struct store *st, int64_t team_id, int64_t id);
int pg_campaign_set(struct store *st, const struct st_campaign *c);
int pg_dnc_add(struct store *st, const struct st_dnc *d);
int pg_dnc_del(struct store *st, int64_t team_id, int64_t campaign_id,
	       const char *number);
int pg_dnc_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		 void (*h)(const struct st_dnc *d, void *arg), void *arg);
int pg_dnc_match(struct store *st, int64_t team_id, int64_t campaign_id,
		 const char *number, bool *hitp);
int pg_customer_get_id(struct store *st, int64_t team_id, int64_t id,
		       struct st_customer *cu);
int pg_campaign_visit(struct store *st, int64_t team_id,
		      void (*h)(const struct st_campaign *c, void *arg),
		      void *arg);
int pg_column_add(struct store *st, const struct st_column *c);
int pg_column_del(struct store *st, int64_t team_id, int64_t campaign_id,
		  const char *name);
int pg_column_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		    void (*h)(const struct st_column *c, void *arg),
		    void *arg);
int pg_customer_get(struct store *st, int64_t team_id, const char *key,
		    struct st_customer *cu);
int pg_customer_add(struct store *st, const struct st_customer *cu,
		    int64_t *idp);
int pg_customer_update(struct store *st, const struct st_customer *cu);
int pg_customer_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		      void (*h)(const struct st_customer *cu, void *arg),
		      void *arg);
int pg_dial_add(struct store *st, const struct st_dial *d, int64_t *idp);
int pg_dial_take(struct store *st, int64_t team_id, int64_t campaign_id,
		 int64_t now_ms, struct st_dial *d);
int pg_dial_result(struct store *st, int64_t team_id, int64_t id,
		   int attempts, const char *result, int64_t next_ms);
int pg_dial_interrupted(struct store *st, int64_t next_ms, int *np);
int pg_dial_visit(struct store *st, int64_t team_id, int64_t campaign_id,
		  void (*h)(const struct st_dial *d, void *arg), void *arg);
int pg_import_report_put(struct store *st, const struct st_import_report *r,
			 int64_t *idp);
int pg_import_report_visit(struct store *st, int64_t team_id,
			   int64_t campaign_id,
			   void (*h)(const struct st_import_report *r,
				     void *arg), void *arg);
int pg_campaign_call_visit(struct store *st, int64_t team_id,
			   int64_t campaign_id, int64_t from_ms, int64_t to_ms,
			   void (*h)(const struct st_campaign_call *c,
				     void *arg), void *arg);
int pg_dial_count_visit(struct store *st, int64_t team_id,
			int64_t campaign_id, int64_t now_ms,
			void (*h)(const struct st_dial_count *c, void *arg),
			void *arg);
int pg_group_state_log_visit(struct store *st, int64_t group_id,
			     int64_t from_ms, int64_t to_ms,
			     void (*h)(const struct st_state_log *l,
				       void *arg), void *arg);

/* pg_cluster.c: several nodes (store.h) */
int pg_node_beat(struct store *st, const char *name, const char *sip,
		 const char *http, bool first, int64_t *reloadp);
int pg_lease_renew(struct store *st, const char *node, unsigned lease_s,
		   void (*h)(const char *team, int64_t epoch,
			     const char *wanted, void *arg), void *arg);
int pg_lease_claim(struct store *st, const char *team, const char *node,
		   unsigned lease_s, int64_t *epochp);
int pg_lease_release(struct store *st, const char *team, const char *node);
int pg_lease_want(struct store *st, const char *team, const char *node);
int pg_did_replace(struct store *st, const char *team,
		   const char *const *dids, const bool *prefix, size_t n);
int pg_lease_get(struct store *st, const char *team, struct st_lease *l,
		 struct st_node *n);
int pg_cluster_visit(struct store *st,
		     void (*node_h)(const struct st_node *n, void *arg),
		     void (*lease_h)(const struct st_lease *l, void *arg),
		     void *arg);

#endif
