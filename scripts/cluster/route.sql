-- route.sql — the cluster SIP proxy's one question to PostgreSQL
-- (scripts/cluster/kamailio.cfg, route[LOOKUP]); scripts/cluster.sh loads
-- it into occ's database once occd has made its tables.
--
-- occ_route('phone', DOMAIN): the team named DOMAIN (no row: no such team);
-- occ_route('did', NUMBER):   the team whose inbound routing file has
--                             [did NUMBER], else the longest [did PREFIX*]
--                             NUMBER starts with (occ_did; no row: no team);
-- with addr = the SIP address of the node holding the team's live lease
-- (occ_team_lease.expires > now()), NULL when no live node holds it.
-- PL/pgSQL, so that it can be made before the lease tables exist.
CREATE OR REPLACE FUNCTION occ_route(kind text, key text)
RETURNS TABLE (team text, addr text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	t text;
BEGIN
	IF kind = 'phone' THEN
		SELECT name INTO t FROM teams WHERE name = key;
	ELSIF kind = 'did' THEN
		-- occ_did: each team's [did] sections, written by the node
		-- serving the team from its routing file
		SELECT d.team INTO t FROM occ_did d
		WHERE (NOT d.prefix AND d.did = key) OR
		      (d.prefix AND left(key, length(d.did)) = d.did)
		ORDER BY d.prefix, length(d.did) DESC
		LIMIT 1;
	END IF;
	IF t IS NULL THEN
		RETURN;
	END IF;
	team := t;
	addr := NULL;
	BEGIN
		SELECT n.sip_address INTO addr
		FROM occ_team_lease l JOIN occ_node n ON n.name = l.node
		WHERE l.team = t AND l.expires > now();
	EXCEPTION WHEN undefined_table THEN
		addr := NULL;
	END;
	RETURN NEXT;
END
$$;
