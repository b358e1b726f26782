/*
 * pg_cluster.c — the PostgreSQL side of several nodes (store.h, "Several
 * nodes"): node heartbeats and team leases. Every expiry is judged by the
 * server's now(), so the nodes' clocks never matter; a claim is one
 * INSERT ... ON CONFLICT DO UPDATE ... WHERE, atomic under concurrent
 * claims of the same team (the row lock serialises them, the loser's
 * WHERE fails and it gets no row back).
 */
#include <string.h>
#include <re.h>
#include "store/pg_impl.h"

int pg_node_beat(struct store *st, const char *name, const char *sip,
		 const char *http, bool first, int64_t *reloadp)
{
	PGresult *r = NULL;
	int err = pg_exec(st, &r,
		       "INSERT INTO occ_node (name, sip_address, http_address,"
		       " heartbeat, started) VALUES ($1, $2, $3, now(), now())"
		       " ON CONFLICT (name) DO UPDATE SET"
		       " sip_address = excluded.sip_address,"
		       " http_address = excluded.http_address,"
		       " heartbeat = now(), started = CASE WHEN $4 = 1"
		       "  THEN now() ELSE occ_node.started END"
		       " RETURNING (SELECT coalesce(max(value), 0) FROM counters"
		       "  WHERE name = $5)",
		       "tttit", name, sip, http, (int)first,
		       STORE_RELOAD_COUNTER);

	if (!err && reloadp)
		*reloadp = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
	PQclear(r);
	return err;
}

int pg_lease_renew(struct store *st, const char *node, unsigned lease_s,
		   void (*h)(const char *team, int64_t epoch,
			     const char *wanted, void *arg), void *arg)
{
	PGresult *r = NULL;
	int err = pg_exec(st, &r,
			  "UPDATE occ_team_lease SET expires = now() +"
			  " $2 * interval '1 second' WHERE node = $1"
			  " AND expires > now()"
			  " RETURNING team, epoch, coalesce(wanted_node, '')",
			  "ti", node, (int)lease_s);

	for (int i = 0; !err && h && i < PQntuples(r); i++) {
		char team[ST_NAME], wanted[ST_NAME];
		if (!pg_text(team, sizeof(team), r, i, 0) ||
		    !pg_text(wanted, sizeof(wanted), r, i, 2))
			continue;
		h(team, pg_int(r, i, 1), wanted, arg);
	}
	PQclear(r);
	return err;
}

int pg_lease_claim(struct store *st, const char *team, const char *node,
		   unsigned lease_s, int64_t *epochp)
{
	PGresult *r = NULL;
	int err = pg_exec(st, &r,
		"INSERT INTO occ_team_lease AS l (team, node, expires, epoch)"
		" SELECT $1, $2, now() + $3 * interval '1 second', 1"
		"  WHERE EXISTS (SELECT 1 FROM teams WHERE name = $1)"
		" ON CONFLICT (team) DO UPDATE SET node = excluded.node,"
		"  expires = excluded.expires, epoch = l.epoch + 1,"
		"  wanted_node = NULL"
		" WHERE l.expires <= now() AND (l.wanted_node IS NULL"
		"  OR l.wanted_node = excluded.node OR NOT EXISTS"
		"  (SELECT 1 FROM occ_node n WHERE n.name = l.wanted_node"
		"   AND n.heartbeat > now() - $3 * interval '1 second'))"
		" RETURNING epoch", "tti", team, node, (int)lease_s);

	if (!err && PQntuples(r) == 1)
		*epochp = pg_int(r, 0, 0);
	else if (!err)
		err = EBUSY;
	PQclear(r);
	return err;
}

int pg_lease_release(struct store *st, const char *team, const char *node)
{
	return pg_run1(st, "UPDATE occ_team_lease SET expires = now()"
		       " WHERE team = $1 AND node = $2", "tt", team, node);
}

int pg_lease_want(struct store *st, const char *team, const char *node)
{
	int err = pg_run1(st, "UPDATE occ_team_lease SET wanted_node = $2"
			  " WHERE team = $1", "tt", team, node);

	/* a team nobody ever held: a lease row that is already over, so
	 * the wanted node claims it */
	if (err == ENOENT)
		err = pg_run1(st, "INSERT INTO occ_team_lease (team, node,"
			      " expires, epoch, wanted_node) SELECT $1, '',"
			      " now(), 0, $2 WHERE EXISTS (SELECT 1 FROM teams"
			      " WHERE name = $1)", "tt", team, node);
	return err;
}

int pg_did_replace(struct store *st, const char *team,
		   const char *const *dids, const bool *prefix, size_t n)
{
	int err = pg_op_begin(st);

	if (err)
		return err;
	err = pg_exec(st, NULL, "DELETE FROM occ_did WHERE team = $1", "t",
		      team);
	for (size_t i = 0; !err && i < n; i++)
		err = pg_exec(st, NULL, "INSERT INTO occ_did (team, did,"
			      " prefix) VALUES ($1, $2, $3 = 1)"
			      " ON CONFLICT DO NOTHING", "tti", team, dids[i],
			      (int)prefix[i]);
	return pg_op_end(st, err);
}

int pg_lease_get(struct store *st, const char *team, struct st_lease *l,
		 struct st_node *n)
{
	PGresult *r = NULL;
	int err = pg_exec(st, &r, "SELECT coalesce(l.node, ''),"
			  " coalesce(l.expires > now(), false)::int,"
			  " coalesce(l.epoch, 0), coalesce(l.wanted_node, ''),"
			  " t.id, coalesce(n.name, ''),"
			  " coalesce(n.http_address, ''),"
			  " coalesce((extract(epoch FROM now() - n.heartbeat)"
			  "  * 1000)::bigint, -1)"
			  " FROM teams t"
			  " LEFT JOIN occ_team_lease l ON l.team = t.name"
			  " LEFT JOIN occ_node n ON n.name = l.node"
			  " WHERE t.name = $1", "t", team);

	memset(l, 0, sizeof(*l));
	memset(n, 0, sizeof(*n));
	if (!err && PQntuples(r) != 1)
		err = ENOENT;
	if (!err && (!pg_text(l->node, sizeof(l->node), r, 0, 0) ||
		     !pg_text(l->wanted_node, sizeof(l->wanted_node), r, 0,
			      3) ||
		     !pg_text(n->name, sizeof(n->name), r, 0, 5) ||
		     !pg_text(n->http_address, sizeof(n->http_address), r, 0,
			      6)))
		err = EBADMSG;
	if (!err) {
		str_ncpy(l->team, team, sizeof(l->team));
		l->live = pg_int(r, 0, 1) != 0;
		l->epoch = pg_int(r, 0, 2);
		l->team_id = pg_int(r, 0, 4);
		n->age_ms = pg_int(r, 0, 7);
	}
	PQclear(r);
	return err;
}

int pg_cluster_visit(struct store *st,
		     void (*node_h)(const struct st_node *n, void *arg),
		     void (*lease_h)(const struct st_lease *l, void *arg),
		     void *arg)
{
	PGresult *r = NULL;
	int err = 0;

	if (node_h) {
		err = pg_exec(st, &r, "SELECT name, sip_address, http_address,"
			      " (extract(epoch FROM now() - heartbeat)"
			      "  * 1000)::bigint, (extract(epoch FROM now() -"
			      "  started) * 1000)::bigint"
			      " FROM occ_node ORDER BY name",
			      "");
		for (int i = 0; !err && i < PQntuples(r); i++) {
			struct st_node n;
			memset(&n, 0, sizeof(n));
			if (!pg_text(n.name, sizeof(n.name), r, i, 0) ||
			    !pg_text(n.sip_address, sizeof(n.sip_address), r,
				     i, 1) ||
			    !pg_text(n.http_address, sizeof(n.http_address),
				     r, i, 2))
				continue;
			n.age_ms = pg_int(r, i, 3);
			n.up_ms = pg_int(r, i, 4);
			node_h(&n, arg);
		}
		PQclear(r);
		r = NULL;
	}
	if (!err && lease_h) {
		err = pg_exec(st, &r, "SELECT t.name, coalesce(l.node, ''),"
			      " coalesce(l.expires > now(), false)::int,"
			      " coalesce(l.epoch, 0),"
			      " coalesce(l.wanted_node, ''), t.id FROM teams t"
			      " LEFT JOIN occ_team_lease l ON l.team = t.name"
			      " ORDER BY t.name", "");
		for (int i = 0; !err && i < PQntuples(r); i++) {
			struct st_lease l;
			memset(&l, 0, sizeof(l));
			if (!pg_text(l.team, sizeof(l.team), r, i, 0) ||
			    !pg_text(l.node, sizeof(l.node), r, i, 1) ||
			    !pg_text(l.wanted_node, sizeof(l.wanted_node), r,
				     i, 4))
				continue;
			l.live = pg_int(r, i, 2) != 0;
			l.epoch = pg_int(r, i, 3);
			l.team_id = pg_int(r, i, 5);
			lease_h(&l, arg);
		}
		PQclear(r);
	}
	return err;
}
