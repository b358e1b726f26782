/*
 * schema.c — the SQLite schema as an ordered list of migration steps.
 *
 * PRAGMA user_version holds the number of steps applied. Opening a database
 * runs the missing steps in order, each in its own IMMEDIATE transaction that
 * re-reads user_version first, so occd and occctl opening the same new file
 * at once cannot both apply a step. A file with a higher version than
 * migrations[] knows was written by a newer occ and is refused (ENOTSUP):
 * guessing at a newer schema could lose data.
 *
 * PostgreSQL (pg.c) runs the same steps' pg texts: the table occ_schema
 * holds the number applied, and all missing steps run in one transaction
 * under an advisory lock, so two processes starting at once wait for each
 * other instead of both migrating (PostgreSQL's DDL is transactional).
 *
 * To change the schema: append a step, with its SQL for both backends.
 * Never edit or reorder a step that has shipped; databases in the field
 * have already run it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/store_impl.h"

/* One step: what it does, and its SQL for each backend (the PostgreSQL
 * text says the same in PostgreSQL's dialect: BIGINT identities for
 * INTEGER PRIMARY KEY, regular expressions for GLOB, plpgsql functions for
 * triggers). Both lists are this one list: a step is added to both. */
struct migration {
	const char *what;
	const char *sql;
	const char *pg;
};

/* A campaign's AMD settings (step 13): plain SQL both backends run as is */
#define CAMPAIGN_AMD_SQL \
	"ALTER TABLE campaigns ADD COLUMN amd INTEGER NOT NULL DEFAULT 0" \
	" CHECK (amd IN (0, 1));" \
	"ALTER TABLE campaigns ADD COLUMN amd_action TEXT NOT NULL" \
	" DEFAULT 'hangup' CHECK (amd_action IN ('hangup', 'message'));" \
	"ALTER TABLE campaigns ADD COLUMN amd_fp_permille INTEGER NOT NULL" \
	" DEFAULT 100 CHECK (amd_fp_permille BETWEEN 0 AND 1000);" \
	"ALTER TABLE campaigns ADD COLUMN amd_params TEXT NOT NULL" \
	" DEFAULT '';" \
	"ALTER TABLE campaigns ADD COLUMN abandon_msg TEXT NOT NULL" \
	" DEFAULT '';"

/* A group's timed after-call work (step 14): occd ends an agent's ACW
 * after acw_s seconds; 0: until ACWOFF (docs/OPERATIONS.md) */
#define GROUP_ACW_TIME_SQL \
	"ALTER TABLE agent_groups ADD COLUMN acw_s INTEGER NOT NULL" \
	" DEFAULT 0 CHECK (acw_s BETWEEN 0 AND 3600);"

static const struct migration migrations[] = {
	{ "initial schema",
	  "CREATE TABLE teams ("
	  "  id INTEGER PRIMARY KEY,"
	  "  name TEXT NOT NULL UNIQUE);"
	  "CREATE TABLE accounts ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  pwhash TEXT NOT NULL,"
	  "  enabled INTEGER NOT NULL DEFAULT 1,"
	  "  agent_id INTEGER REFERENCES agents(id) ON DELETE SET NULL,"
	  "  UNIQUE (team_id, name));"
	  "CREATE INDEX accounts_agent ON accounts(agent_id);"
	  "CREATE TABLE agents ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,"
	  "  number TEXT NOT NULL,"
	  "  name TEXT NOT NULL DEFAULT '',"
	  "  pwhash TEXT NOT NULL,"
	  "  exten TEXT NOT NULL DEFAULT '',"
	  "  UNIQUE (team_id, number));"
	  "CREATE INDEX agents_account ON agents(account_id);"
	  /* AUTOINCREMENT: an agent_group_id is visible to integrations, so
	   * an automatic id must never reuse one that was deleted. */
	  "CREATE TABLE agent_groups ("
	  "  id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id > 0),"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  queue TEXT NOT NULL,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  UNIQUE (team_id, queue));"
	  "CREATE TABLE members ("
	  "  group_id INTEGER NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,"
	  "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  dynamic INTEGER NOT NULL DEFAULT 0,"
	  "  leader INTEGER NOT NULL DEFAULT 0,"
	  "  checked_in INTEGER NOT NULL DEFAULT 0,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  PRIMARY KEY (group_id, agent_id)) WITHOUT ROWID;"
	  "CREATE INDEX members_agent ON members(agent_id);"
	  "CREATE TABLE extensions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  number TEXT NOT NULL,"
	  "  ha1 TEXT NOT NULL DEFAULT '',"
	  "  kind TEXT NOT NULL DEFAULT 'sip' CHECK (kind IN ('sip', 'virtual')),"
	  "  UNIQUE (team_id, number));"
	  "CREATE TABLE agent_state ("
	  "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,"
	  "  logged_in INTEGER NOT NULL DEFAULT 0,"
	  "  device TEXT NOT NULL DEFAULT '',"
	  "  state INTEGER NOT NULL DEFAULT 0,"
	  "  pause_reason TEXT NOT NULL DEFAULT '',"
	  "  since_ms INTEGER NOT NULL DEFAULT 0);"
	  "CREATE TABLE state_log ("
	  "  id INTEGER PRIMARY KEY,"
	  "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  ts_ms INTEGER NOT NULL,"
	  "  state INTEGER NOT NULL,"
	  "  pause_reason TEXT NOT NULL DEFAULT '');"
	  "CREATE INDEX state_log_agent_ts ON state_log(agent_id, ts_ms);",
	  /* PostgreSQL */
	  "CREATE TABLE teams ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  name TEXT NOT NULL UNIQUE);"
	  "CREATE TABLE accounts ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  pwhash TEXT NOT NULL,"
	  "  enabled INTEGER NOT NULL DEFAULT 1,"
	  "  agent_id BIGINT,"
	  "  UNIQUE (team_id, name));"
	  "CREATE INDEX accounts_agent ON accounts(agent_id);"
	  "CREATE TABLE agents ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  account_id BIGINT REFERENCES accounts(id) ON DELETE SET NULL,"
	  "  number TEXT NOT NULL,"
	  "  name TEXT NOT NULL DEFAULT '',"
	  "  pwhash TEXT NOT NULL,"
	  "  exten TEXT NOT NULL DEFAULT '',"
	  "  UNIQUE (team_id, number));"
	  "ALTER TABLE accounts ADD FOREIGN KEY (agent_id) REFERENCES agents(id)"
	  " ON DELETE SET NULL;"
	  "CREATE INDEX agents_account ON agents(account_id);"
	  "CREATE TABLE agent_groups ("
	  "  id BIGSERIAL PRIMARY KEY CHECK (id > 0),"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  queue TEXT NOT NULL,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  UNIQUE (team_id, queue));"
	  "CREATE TABLE members ("
	  "  group_id BIGINT NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,"
	  "  agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  dynamic INTEGER NOT NULL DEFAULT 0,"
	  "  leader INTEGER NOT NULL DEFAULT 0,"
	  "  checked_in INTEGER NOT NULL DEFAULT 0,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  PRIMARY KEY (group_id, agent_id));"
	  "CREATE INDEX members_agent ON members(agent_id);"
	  "CREATE TABLE extensions ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  number TEXT NOT NULL,"
	  "  ha1 TEXT NOT NULL DEFAULT '',"
	  "  kind TEXT NOT NULL DEFAULT 'sip' CHECK (kind IN ('sip', 'virtual')),"
	  "  UNIQUE (team_id, number));"
	  "CREATE TABLE agent_state ("
	  "  agent_id BIGINT PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,"
	  "  logged_in INTEGER NOT NULL DEFAULT 0,"
	  "  device TEXT NOT NULL DEFAULT '',"
	  "  state INTEGER NOT NULL DEFAULT 0,"
	  "  pause_reason TEXT NOT NULL DEFAULT '',"
	  "  since_ms BIGINT NOT NULL DEFAULT 0);"
	  "CREATE TABLE state_log ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  agent_id BIGINT NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  ts_ms BIGINT NOT NULL,"
	  "  state INTEGER NOT NULL,"
	  "  pause_reason TEXT NOT NULL DEFAULT '');"
	  "CREATE INDEX state_log_agent_ts ON state_log(agent_id, ts_ms);" },

	/*
	 * Telephony. Trunks, registrations and team settings belong to their
	 * team and go with it. Call history does not: cdr.team_id is SET NULL
	 * when the team is deleted, so the calls stay (listed under no team)
	 * and can never be attributed to a later team that reuses the id
	 * (teams.id is not AUTOINCREMENT). A registration belongs to its
	 * extension, so removing the extension (or its team) removes it.
	 */
	{ "telephony: trunks, registrations, team settings, cdr, counters",
	  "CREATE TABLE trunks ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  uri TEXT NOT NULL,"
	  "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),"
	  "  do_register INTEGER NOT NULL DEFAULT 0"
	  "   CHECK (do_register IN (0, 1)),"
	  "  username TEXT NOT NULL DEFAULT '',"
	  "  password TEXT NOT NULL DEFAULT '',"
	  "  callerid TEXT NOT NULL DEFAULT '',"
	  "  strip_prefix TEXT NOT NULL DEFAULT '',"
	  "  add_prefix TEXT NOT NULL DEFAULT '',"
	  "  UNIQUE (team_id, name));"
	  /* at most one default trunk per team */
	  "CREATE UNIQUE INDEX trunks_default ON trunks(team_id)"
	  " WHERE is_default;"
	  "CREATE TABLE registrations ("
	  "  team_id INTEGER NOT NULL,"
	  "  exten TEXT NOT NULL,"
	  "  contact TEXT NOT NULL,"
	  "  source TEXT NOT NULL DEFAULT '',"
	  "  user_agent TEXT NOT NULL DEFAULT '',"
	  "  expires_ms INTEGER NOT NULL,"
	  "  PRIMARY KEY (team_id, exten, contact),"
	  "  FOREIGN KEY (team_id, exten) REFERENCES extensions(team_id, number)"
	  "   ON DELETE CASCADE) WITHOUT ROWID;"
	  "CREATE INDEX registrations_expires ON registrations(expires_ms);"
	  "CREATE TABLE team_settings ("
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL CHECK (length(key) BETWEEN 1 AND 63"
	  "   AND NOT key GLOB '*[^a-z_]*'),"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (team_id, key)) WITHOUT ROWID;"
	  /* a rowid table: rows carry up to 6 KiB of userdata and vars */
	  "CREATE TABLE cdr ("
	  "  sessionid TEXT NOT NULL PRIMARY KEY"
	  "   CHECK (length(sessionid) = 32),"
	  "  team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,"
	  "  agent TEXT NOT NULL DEFAULT '',"
	  "  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	  "  caller TEXT NOT NULL DEFAULT '',"
	  "  callee TEXT NOT NULL DEFAULT '',"
	  "  calldate TEXT NOT NULL,"
	  "  start_ms INTEGER NOT NULL,"
	  "  answer_ms INTEGER NOT NULL DEFAULT 0,"
	  "  end_ms INTEGER NOT NULL DEFAULT 0,"
	  "  disposition TEXT NOT NULL DEFAULT '',"
	  "  hangup_by TEXT NOT NULL DEFAULT '',"
	  "  recording TEXT NOT NULL DEFAULT '',"
	  "  modeltype TEXT NOT NULL DEFAULT '',"
	  "  model_id TEXT NOT NULL DEFAULT '',"
	  "  userdata TEXT NOT NULL DEFAULT '',"
	  "  vars TEXT NOT NULL DEFAULT '');"
	  "CREATE INDEX cdr_team_start ON cdr(team_id, start_ms);"
	  "CREATE INDEX cdr_start ON cdr(start_ms);"
	  /* the calls a crash left open, found at start without a scan */
	  "CREATE INDEX cdr_open ON cdr(end_ms) WHERE end_ms = 0;"
	  "CREATE TABLE cdr_legs ("
	  "  sessionid TEXT NOT NULL REFERENCES cdr(sessionid)"
	  "   ON DELETE CASCADE,"
	  "  uniqueid INTEGER NOT NULL,"
	  "  channel TEXT NOT NULL DEFAULT '',"
	  "  role TEXT NOT NULL DEFAULT '',"
	  "  peer TEXT NOT NULL DEFAULT '',"
	  "  start_ms INTEGER NOT NULL DEFAULT 0,"
	  "  answer_ms INTEGER NOT NULL DEFAULT 0,"
	  "  end_ms INTEGER NOT NULL DEFAULT 0,"
	  "  disposition TEXT NOT NULL DEFAULT '',"
	  "  PRIMARY KEY (sessionid, uniqueid)) WITHOUT ROWID;"
	  "CREATE TABLE counters ("
	  "  name TEXT NOT NULL PRIMARY KEY,"
	  "  value INTEGER NOT NULL) WITHOUT ROWID;",
	  /* PostgreSQL */
	  "CREATE TABLE trunks ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  uri TEXT NOT NULL,"
	  "  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),"
	  "  do_register INTEGER NOT NULL DEFAULT 0"
	  "   CHECK (do_register IN (0, 1)),"
	  "  username TEXT NOT NULL DEFAULT '',"
	  "  password TEXT NOT NULL DEFAULT '',"
	  "  callerid TEXT NOT NULL DEFAULT '',"
	  "  strip_prefix TEXT NOT NULL DEFAULT '',"
	  "  add_prefix TEXT NOT NULL DEFAULT '',"
	  "  UNIQUE (team_id, name));"
	  "CREATE UNIQUE INDEX trunks_default ON trunks(team_id)"
	  " WHERE is_default = 1;"
	  "CREATE TABLE registrations ("
	  "  team_id BIGINT NOT NULL,"
	  "  exten TEXT NOT NULL,"
	  "  contact TEXT NOT NULL,"
	  "  source TEXT NOT NULL DEFAULT '',"
	  "  user_agent TEXT NOT NULL DEFAULT '',"
	  "  expires_ms BIGINT NOT NULL,"
	  "  PRIMARY KEY (team_id, exten, contact),"
	  "  FOREIGN KEY (team_id, exten) REFERENCES extensions(team_id, number)"
	  "   ON DELETE CASCADE);"
	  "CREATE INDEX registrations_expires ON registrations(expires_ms);"
	  "CREATE TABLE team_settings ("
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  key TEXT NOT NULL CHECK (key ~ '^[a-z_]{1,63}$'),"
	  "  value TEXT NOT NULL,"
	  "  PRIMARY KEY (team_id, key));"
	  "CREATE TABLE cdr ("
	  "  sessionid TEXT NOT NULL PRIMARY KEY"
	  "   CHECK (length(sessionid) = 32),"
	  "  team_id BIGINT REFERENCES teams(id) ON DELETE SET NULL,"
	  "  agent TEXT NOT NULL DEFAULT '',"
	  "  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),"
	  "  caller TEXT NOT NULL DEFAULT '',"
	  "  callee TEXT NOT NULL DEFAULT '',"
	  "  calldate TEXT NOT NULL,"
	  "  start_ms BIGINT NOT NULL,"
	  "  answer_ms BIGINT NOT NULL DEFAULT 0,"
	  "  end_ms BIGINT NOT NULL DEFAULT 0,"
	  "  disposition TEXT NOT NULL DEFAULT '',"
	  "  hangup_by TEXT NOT NULL DEFAULT '',"
	  "  recording TEXT NOT NULL DEFAULT '',"
	  "  modeltype TEXT NOT NULL DEFAULT '',"
	  "  model_id TEXT NOT NULL DEFAULT '',"
	  "  userdata TEXT NOT NULL DEFAULT '',"
	  "  vars TEXT NOT NULL DEFAULT '',"
	  "  seq BIGINT GENERATED ALWAYS AS IDENTITY);"
	  "CREATE INDEX cdr_team_start ON cdr(team_id, start_ms);"
	  "CREATE INDEX cdr_start ON cdr(start_ms);"
	  "CREATE INDEX cdr_open ON cdr(end_ms) WHERE end_ms = 0;"
	  "CREATE TABLE cdr_legs ("
	  "  sessionid TEXT NOT NULL REFERENCES cdr(sessionid)"
	  "   ON DELETE CASCADE,"
	  "  uniqueid BIGINT NOT NULL,"
	  "  channel TEXT NOT NULL DEFAULT '',"
	  "  role TEXT NOT NULL DEFAULT '',"
	  "  peer TEXT NOT NULL DEFAULT '',"
	  "  start_ms BIGINT NOT NULL DEFAULT 0,"
	  "  answer_ms BIGINT NOT NULL DEFAULT 0,"
	  "  end_ms BIGINT NOT NULL DEFAULT 0,"
	  "  disposition TEXT NOT NULL DEFAULT '',"
	  "  PRIMARY KEY (sessionid, uniqueid));"
	  "CREATE TABLE counters ("
	  "  name TEXT NOT NULL PRIMARY KEY,"
	  "  value BIGINT NOT NULL);" },

	/*
	 * The event bus's log and its delivery cursors, both deleted with
	 * their team.
	 *
	 * events is a rowid table, like cdr: a row carries up to 8 KiB of
	 * text, and in a WITHOUT ROWID table (an index b-tree) anything over
	 * about 1 KiB of a 4 KiB page spills to overflow pages. The primary
	 * key (team_id, eventid) is the team's replay in order (and
	 * store_event_last() is one seek at its end).
	 *
	 * The per-agent replay reads two partial indexes, one per agent
	 * column, each (team_id, agent, eventid): store_event_visit() takes
	 * the first `limit` eventids of each in order (index only), merges
	 * them and fetches those rows by primary key, so a replay costs
	 * O(limit) however rare the agent is in a long history. Most events
	 * have no second agent and some none at all; "WHERE agentN <> ''"
	 * keeps those out of the indexes, so such an append writes fewer
	 * b-trees. A single table of (team, agent, eventid) pairs would need
	 * a second INSERT (or a trigger) on every append.
	 *
	 * events_ts served store_event_prune(); events_team_ts (migration 4)
	 * does, a team at a time.
	 */
	{ "event log and delivery cursors",
	  "CREATE TABLE events ("
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  eventid INTEGER NOT NULL CHECK (eventid > 0),"
	  "  ts_ms INTEGER NOT NULL,"
	  "  agent1 TEXT NOT NULL DEFAULT '',"
	  "  agent2 TEXT NOT NULL DEFAULT '',"
	  "  text TEXT NOT NULL CHECK (text <> ''),"
	  "  PRIMARY KEY (team_id, eventid));"
	  "CREATE INDEX events_agent1 ON events(team_id, agent1, eventid)"
	  " WHERE agent1 <> '';"
	  "CREATE INDEX events_agent2 ON events(team_id, agent2, eventid)"
	  " WHERE agent2 <> '';"
	  "CREATE INDEX events_ts ON events(ts_ms);"
	  "CREATE TABLE cursors ("
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  sink TEXT NOT NULL CHECK (length(sink) BETWEEN 1 AND 31"
	  "   AND NOT sink GLOB '*[^a-z_]*'),"
	  "  eventid INTEGER NOT NULL CHECK (eventid >= 0),"
	  "  PRIMARY KEY (team_id, sink)) WITHOUT ROWID;",
	  /* PostgreSQL */
	  "CREATE TABLE events ("
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  eventid BIGINT NOT NULL CHECK (eventid > 0),"
	  "  ts_ms BIGINT NOT NULL,"
	  "  agent1 TEXT NOT NULL DEFAULT '',"
	  "  agent2 TEXT NOT NULL DEFAULT '',"
	  "  text TEXT NOT NULL CHECK (text <> ''),"
	  "  PRIMARY KEY (team_id, eventid));"
	  "CREATE INDEX events_agent1 ON events(team_id, agent1, eventid)"
	  " WHERE agent1 <> '';"
	  "CREATE INDEX events_agent2 ON events(team_id, agent2, eventid)"
	  " WHERE agent2 <> '';"
	  "CREATE INDEX events_ts ON events(ts_ms);"
	  "CREATE TABLE cursors ("
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  sink TEXT NOT NULL CHECK (sink ~ '^[a-z_]{1,31}$'),"
	  "  eventid BIGINT NOT NULL CHECK (eventid >= 0),"
	  "  PRIMARY KEY (team_id, sink));" },
	/* retention prunes one team at a time, oldest first */
	{ "event retention index",
	  "DROP INDEX events_ts;"
	  "CREATE INDEX events_team_ts ON events(team_id, ts_ms);",
	  /* PostgreSQL */
	  "DROP INDEX events_ts;"
	  "CREATE INDEX events_team_ts ON events(team_id, ts_ms);" },
	/* 5: a team's inbound routing file (src/inbound/routing.h), kept as
	 * the text occctl imported, parsed by occd at start and on reload;
	 * 1 MiB at most (RT_MAX_FILE). */
	{ "inbound routing",
	  "CREATE TABLE team_routing ("
	  "  team_id INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,"
	  "  text TEXT NOT NULL CHECK (length(CAST(text AS BLOB)) <= 1048576),"
	  "  updated_ms INTEGER NOT NULL);",
	  /* PostgreSQL */
	  "CREATE TABLE team_routing ("
	  "  team_id BIGINT PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,"
	  "  text TEXT NOT NULL CHECK (octet_length(text) <= 1048576),"
	  "  updated_ms BIGINT NOT NULL);" },
	/* 6 */
	/* the account a call is billed to (backCall), "" for an agent's */
	{ "cdr billing account",
	  "ALTER TABLE cdr ADD COLUMN account TEXT NOT NULL DEFAULT '';",
	  /* PostgreSQL */
	  "ALTER TABLE cdr ADD COLUMN account TEXT NOT NULL DEFAULT '';" },
	/* 7: how an inbound call went, as columns a report can group by:
	 * the queue it waited in last, how long it waited there (to the
	 * answer, or to leaving the queue), whether the caller gave up
	 * while waiting or ringing, and the routing path (until now in
	 * vars as ivrpath=, and left there in older rows). The answering
	 * agent is the column agent; the DID is callee. */
	{ "cdr inbound queue, wait, abandon, path",
	  "ALTER TABLE cdr ADD COLUMN queue TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE cdr ADD COLUMN queue_wait_ms INTEGER NOT NULL DEFAULT 0"
	  "  CHECK (queue_wait_ms >= 0);"
	  "ALTER TABLE cdr ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0"
	  "  CHECK (abandoned IN (0, 1));"
	  "ALTER TABLE cdr ADD COLUMN ivrpath TEXT NOT NULL DEFAULT '';",
	  /* PostgreSQL */
	  "ALTER TABLE cdr ADD COLUMN queue TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE cdr ADD COLUMN queue_wait_ms BIGINT NOT NULL DEFAULT 0"
	  "  CHECK (queue_wait_ms >= 0);"
	  "ALTER TABLE cdr ADD COLUMN abandoned INTEGER NOT NULL DEFAULT 0"
	  "  CHECK (abandoned IN (0, 1));"
	  "ALTER TABLE cdr ADD COLUMN ivrpath TEXT NOT NULL DEFAULT '';" },
	/* 8: the agent's default dial-out group (DefaultGroup; 0: none
	 * chosen) and do-not-disturb (queuePause's dnd), kept with its other
	 * runtime state across restarts */
	{ "agent default group and dnd",
	  "ALTER TABLE agent_state ADD COLUMN default_group_id INTEGER"
	  "  NOT NULL DEFAULT 0;"
	  "ALTER TABLE agent_state ADD COLUMN dnd INTEGER NOT NULL DEFAULT 0"
	  "  CHECK (dnd IN (0, 1));",
	  /* PostgreSQL */
	  "ALTER TABLE agent_state ADD COLUMN default_group_id BIGINT"
	  "  NOT NULL DEFAULT 0;"
	  "ALTER TABLE agent_state ADD COLUMN dnd INTEGER NOT NULL DEFAULT 0"
	  "  CHECK (dnd IN (0, 1));" },
	/* outbound campaigns (docs/CAMPAIGNS.md): a campaign (model_id, per
	 * team) with its package's columns; the team's customers (the
	 * master table: one row per unique-key value, in at most one
	 * campaign's package, NULL: unassigned, as a deleted campaign's
	 * customers are); the campaigns' pre-dial lists, where a number
	 * waits at most once (last_result '') per campaign. */
	{ "campaigns, customers, pre-dial lists",
	  "CREATE TABLE campaigns ("
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  id INTEGER NOT NULL CHECK (id > 0),"
	  "  name TEXT NOT NULL,"
	  "  group_id INTEGER NOT NULL DEFAULT 0,"
	  "  dial_mode TEXT NOT NULL DEFAULT 'preview' CHECK (dial_mode IN"
	  "   ('preview', 'progressive', 'predictive')),"
	  "  state TEXT NOT NULL DEFAULT 'stopped' CHECK (state IN"
	  "   ('stopped', 'running', 'paused')),"
	  "  callerid TEXT NOT NULL DEFAULT '',"
	  "  profile TEXT NOT NULL DEFAULT 'us' CHECK (profile IN"
	  "   ('us', 'uk', 'none')),"
	  "  window_start INTEGER NOT NULL DEFAULT 480"
	  "   CHECK (window_start BETWEEN 0 AND 1440),"
	  "  window_end INTEGER NOT NULL DEFAULT 1260"
	  "   CHECK (window_end BETWEEN 0 AND 1440),"
	  "  key_column TEXT NOT NULL DEFAULT 'phone1',"
	  "  PRIMARY KEY (team_id, id));"
	  "CREATE TABLE campaign_columns ("
	  "  team_id INTEGER NOT NULL,"
	  "  campaign_id INTEGER NOT NULL,"
	  "  pos INTEGER NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  display TEXT NOT NULL,"
	  "  PRIMARY KEY (team_id, campaign_id, name),"
	  "  UNIQUE (team_id, campaign_id, display),"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE TABLE customers ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  campaign_id INTEGER,"
	  "  key TEXT NOT NULL CHECK (key <> ''),"
	  "  data TEXT NOT NULL,"
	  "  owner TEXT NOT NULL DEFAULT '',"
	  "  status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 3),"
	  "  updated_ms INTEGER NOT NULL,"
	  "  UNIQUE (team_id, key));"
	  "CREATE INDEX customers_campaign ON customers(team_id, campaign_id);"
	  "CREATE TRIGGER campaigns_unassign AFTER DELETE ON campaigns BEGIN"
	  "  UPDATE customers SET campaign_id = NULL"
	  "   WHERE team_id = OLD.team_id AND campaign_id = OLD.id;"
	  " END;"
	  "CREATE TABLE dial_list ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL,"
	  "  campaign_id INTEGER NOT NULL,"
	  "  customer_id INTEGER REFERENCES customers(id) ON DELETE SET NULL,"
	  "  number TEXT NOT NULL CHECK (number <> ''),"
	  "  priority INTEGER NOT NULL DEFAULT 0,"
	  "  dial_ms INTEGER NOT NULL DEFAULT 0,"
	  "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	  "  last_result TEXT NOT NULL DEFAULT '',"
	  "  added_ms INTEGER NOT NULL,"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE UNIQUE INDEX dial_list_pending"
	  " ON dial_list(team_id, campaign_id, number) WHERE last_result = '';"
	  "CREATE INDEX dial_list_customer ON dial_list(customer_id);"
	  "CREATE INDEX dial_list_next"
	  " ON dial_list(team_id, campaign_id, priority DESC, dial_ms);",
	  /* PostgreSQL */
	  "CREATE TABLE campaigns ("
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  id BIGINT NOT NULL CHECK (id > 0),"
	  "  name TEXT NOT NULL,"
	  "  group_id BIGINT NOT NULL DEFAULT 0,"
	  "  dial_mode TEXT NOT NULL DEFAULT 'preview' CHECK (dial_mode IN"
	  "   ('preview', 'progressive', 'predictive')),"
	  "  state TEXT NOT NULL DEFAULT 'stopped' CHECK (state IN"
	  "   ('stopped', 'running', 'paused')),"
	  "  callerid TEXT NOT NULL DEFAULT '',"
	  "  profile TEXT NOT NULL DEFAULT 'us' CHECK (profile IN"
	  "   ('us', 'uk', 'none')),"
	  "  window_start INTEGER NOT NULL DEFAULT 480"
	  "   CHECK (window_start BETWEEN 0 AND 1440),"
	  "  window_end INTEGER NOT NULL DEFAULT 1260"
	  "   CHECK (window_end BETWEEN 0 AND 1440),"
	  "  key_column TEXT NOT NULL DEFAULT 'phone1',"
	  "  PRIMARY KEY (team_id, id));"
	  "CREATE TABLE campaign_columns ("
	  "  team_id BIGINT NOT NULL,"
	  "  campaign_id BIGINT NOT NULL,"
	  "  pos INTEGER NOT NULL,"
	  "  name TEXT NOT NULL,"
	  "  display TEXT NOT NULL,"
	  "  PRIMARY KEY (team_id, campaign_id, name),"
	  "  UNIQUE (team_id, campaign_id, display),"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE TABLE customers ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  campaign_id BIGINT,"
	  "  key TEXT NOT NULL CHECK (key <> ''),"
	  "  data TEXT NOT NULL,"
	  "  owner TEXT NOT NULL DEFAULT '',"
	  "  status INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 3),"
	  "  updated_ms BIGINT NOT NULL,"
	  "  UNIQUE (team_id, key));"
	  "CREATE INDEX customers_campaign ON customers(team_id, campaign_id);"
	  "CREATE FUNCTION campaigns_unassign() RETURNS trigger"
	  " LANGUAGE plpgsql AS $$ BEGIN"
	  "  UPDATE customers SET campaign_id = NULL"
	  "   WHERE team_id = OLD.team_id AND campaign_id = OLD.id;"
	  "  RETURN NULL;"
	  " END $$;"
	  "CREATE TRIGGER campaigns_unassign AFTER DELETE ON campaigns"
	  " FOR EACH ROW EXECUTE FUNCTION campaigns_unassign();"
	  "CREATE TABLE dial_list ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL,"
	  "  campaign_id BIGINT NOT NULL,"
	  "  customer_id BIGINT REFERENCES customers(id) ON DELETE SET NULL,"
	  "  number TEXT NOT NULL CHECK (number <> ''),"
	  "  priority INTEGER NOT NULL DEFAULT 0,"
	  "  dial_ms BIGINT NOT NULL DEFAULT 0,"
	  "  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	  "  last_result TEXT NOT NULL DEFAULT '',"
	  "  added_ms BIGINT NOT NULL,"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE UNIQUE INDEX dial_list_pending"
	  " ON dial_list(team_id, campaign_id, number) WHERE last_result = '';"
	  "CREATE INDEX dial_list_customer ON dial_list(customer_id);"
	  "CREATE INDEX dial_list_next"
	  " ON dial_list(team_id, campaign_id, priority DESC, dial_ms);" },
	{ "import reports",
	  "CREATE TABLE import_reports ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL,"
	  "  campaign_id INTEGER NOT NULL,"
	  "  url TEXT NOT NULL,"
	  "  state TEXT NOT NULL,"
	  "  created_ms INTEGER NOT NULL,"
	  "  updated_ms INTEGER NOT NULL,"
	  "  rows INTEGER NOT NULL DEFAULT 0,"
	  "  failed INTEGER NOT NULL DEFAULT 0,"
	  "  counts TEXT NOT NULL DEFAULT '',"
	  "  errors TEXT NOT NULL DEFAULT '',"
	  "  msg TEXT NOT NULL DEFAULT '',"
	  "  exe_ms INTEGER NOT NULL DEFAULT 0,"
	  "  request TEXT NOT NULL DEFAULT '',"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE INDEX import_reports_campaign"
	  " ON import_reports(team_id, campaign_id);",
	  /* PostgreSQL */
	  "CREATE TABLE import_reports ("
	  "  id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
	  "  team_id BIGINT NOT NULL,"
	  "  campaign_id BIGINT NOT NULL,"
	  "  url TEXT NOT NULL,"
	  "  state TEXT NOT NULL,"
	  "  created_ms BIGINT NOT NULL,"
	  "  updated_ms BIGINT NOT NULL,"
	  "  rows BIGINT NOT NULL DEFAULT 0,"
	  "  failed BIGINT NOT NULL DEFAULT 0,"
	  "  counts TEXT NOT NULL DEFAULT '',"
	  "  errors TEXT NOT NULL DEFAULT '',"
	  "  msg TEXT NOT NULL DEFAULT '',"
	  "  exe_ms BIGINT NOT NULL DEFAULT 0,"
	  "  request TEXT NOT NULL DEFAULT '',"
	  "  FOREIGN KEY (team_id, campaign_id) REFERENCES campaigns(team_id, id)"
	  "   ON DELETE CASCADE);"
	  "CREATE INDEX import_reports_campaign"
	  " ON import_reports(team_id, campaign_id);" },
	/* Compliance (docs/DIALER.md): do-not-call lists, at system level
	 * (team_id 0), a team's (campaign_id 0) or a campaign's, numbers
	 * kept as their digits; a campaign's time zone and retry settings
	 * (0: the default). */
	{ "dnc lists, campaign time zone and retry settings",
	  "CREATE TABLE dnc ("
	  "  team_id INTEGER NOT NULL DEFAULT 0,"
	  "  campaign_id INTEGER NOT NULL DEFAULT 0,"
	  "  number TEXT NOT NULL CHECK (number <> ''),"
	  "  added_ms INTEGER NOT NULL,"
	  "  PRIMARY KEY (team_id, campaign_id, number));"
	  "CREATE INDEX dnc_number ON dnc(number);"
	  "CREATE TRIGGER teams_dnc AFTER DELETE ON teams BEGIN"
	  "  DELETE FROM dnc WHERE team_id = OLD.id;"
	  " END;"
	  "CREATE TRIGGER campaigns_dnc AFTER DELETE ON campaigns BEGIN"
	  "  DELETE FROM dnc WHERE team_id = OLD.team_id"
	  "   AND campaign_id = OLD.id;"
	  " END;"
	  "ALTER TABLE campaigns ADD COLUMN timezone TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE campaigns ADD COLUMN retry_busy INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_busy >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN retry_noanswer INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_noanswer >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN retry_failed INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_failed >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN max_attempts INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (max_attempts BETWEEN 0 AND 255);",
	  /* PostgreSQL */
	  "CREATE TABLE dnc ("
	  "  team_id BIGINT NOT NULL DEFAULT 0,"
	  "  campaign_id BIGINT NOT NULL DEFAULT 0,"
	  "  number TEXT NOT NULL CHECK (number <> ''),"
	  "  added_ms BIGINT NOT NULL,"
	  "  PRIMARY KEY (team_id, campaign_id, number));"
	  "CREATE INDEX dnc_number ON dnc(number);"
	  "CREATE FUNCTION teams_dnc() RETURNS trigger LANGUAGE plpgsql AS $$"
	  " BEGIN DELETE FROM dnc WHERE team_id = OLD.id; RETURN NULL; END $$;"
	  "CREATE TRIGGER teams_dnc AFTER DELETE ON teams"
	  " FOR EACH ROW EXECUTE FUNCTION teams_dnc();"
	  "CREATE FUNCTION campaigns_dnc() RETURNS trigger LANGUAGE plpgsql AS $$"
	  " BEGIN DELETE FROM dnc WHERE team_id = OLD.team_id"
	  "   AND campaign_id = OLD.id; RETURN NULL; END $$;"
	  "CREATE TRIGGER campaigns_dnc AFTER DELETE ON campaigns"
	  " FOR EACH ROW EXECUTE FUNCTION campaigns_dnc();"
	  "ALTER TABLE campaigns ADD COLUMN timezone TEXT NOT NULL DEFAULT '';"
	  "ALTER TABLE campaigns ADD COLUMN retry_busy INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_busy >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN retry_noanswer INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_noanswer >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN retry_failed INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (retry_failed >= 0);"
	  "ALTER TABLE campaigns ADD COLUMN max_attempts INTEGER NOT NULL"
	  " DEFAULT 0 CHECK (max_attempts BETWEEN 0 AND 255);" },
	/* A campaign's answering-machine detection and its abandon message
	 * (docs/DIALER.md): one statement per column, plain SQL that
	 * PostgreSQL runs as is. amd_fp_permille: the measured share of
	 * people judged MACHINE, in tenths of a percent. */
	{ "campaign amd settings and abandon message",
	  CAMPAIGN_AMD_SQL, CAMPAIGN_AMD_SQL },
	{ "agent group after-call work time",
	  GROUP_ACW_TIME_SQL, GROUP_ACW_TIME_SQL },
	/* Several nodes (docs/ARCHITECTURE.md): the nodes and their
	 * heartbeats, and which node owns each team (a lease, renewed by
	 * its owner, judged by PostgreSQL's clock only). Kamailio reads
	 * them too. SQLite gets the tables but refuses [cluster]. */
	{ "cluster nodes and team leases",
	  "CREATE TABLE occ_node ("
	  "  name TEXT PRIMARY KEY, sip_address TEXT NOT NULL DEFAULT '',"
	  "  http_address TEXT NOT NULL DEFAULT '', heartbeat TEXT,"
	  "  started TEXT);"
	  "CREATE TABLE occ_team_lease ("
	  "  team TEXT PRIMARY KEY, node TEXT NOT NULL, expires TEXT,"
	  "  epoch INTEGER NOT NULL DEFAULT 0, wanted_node TEXT);"
	  "CREATE TABLE occ_did (team TEXT NOT NULL, did TEXT NOT NULL,"
	  "  prefix INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (team, did));",
	  /* PostgreSQL */
	  "CREATE TABLE occ_node ("
	  "  name TEXT PRIMARY KEY, sip_address TEXT NOT NULL DEFAULT '',"
	  "  http_address TEXT NOT NULL DEFAULT '',"
	  "  heartbeat TIMESTAMPTZ NOT NULL DEFAULT now(),"
	  "  started TIMESTAMPTZ NOT NULL DEFAULT now());"
	  "CREATE TABLE occ_team_lease ("
	  "  team TEXT PRIMARY KEY, node TEXT NOT NULL,"
	  "  expires TIMESTAMPTZ NOT NULL, epoch BIGINT NOT NULL DEFAULT 0,"
	  "  wanted_node TEXT);"
	  "CREATE INDEX occ_team_lease_node ON occ_team_lease(node);"
	  /* a team's DIDs as its routing file has them, written by the
	  * node serving it, for Kamailio's DID -> team lookup */
	  "CREATE TABLE occ_did (team TEXT NOT NULL, did TEXT NOT NULL,"
	  "  prefix BOOLEAN NOT NULL DEFAULT false, PRIMARY KEY (team, did));"
	  "CREATE INDEX occ_did_did ON occ_did(did);" },
	/* A registration's Path (RFC 3327; the cluster's Kamailio): a
	 * binding restored after a restart or a takeover is reached through
	 * it, as before, not directly. */
	{ "registration path",
	  "ALTER TABLE registrations ADD COLUMN path TEXT NOT NULL"
	  " DEFAULT '';",
	  "ALTER TABLE registrations ADD COLUMN path TEXT NOT NULL"
	  " DEFAULT '';" },
};

enum { N_MIGRATIONS = sizeof(migrations) / sizeof(migrations[0]) };

int sqlite_schema_version(void)
{
	return N_MIGRATIONS;
}

static int exec(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	OCC_ERR("schema: %s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return EIO;
}

static int user_version(sqlite3 *db, int *vp)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL)) {
		OCC_ERR("schema: user_version: %s", sqlite3_errmsg(db));
		return EIO;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*vp = sqlite3_column_int(st, 0);
	else
		OCC_ERR("schema: user_version: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : EIO;
}

static int check_known(int v)
{
	if (v <= N_MIGRATIONS)
		return 0;
	OCC_ERR("schema: database version %d is newer than this build "
		"supports (%d); upgrade occ", v, (int)N_MIGRATIONS);
	return ENOTSUP;
}

/* Apply step v (0-based) unless another process got there first. */
static int apply_step(sqlite3 *db, int v)
{
	char set[64];
	int cur, err;

	err = exec(db, "BEGIN IMMEDIATE", "begin");
	if (err)
		return err;
	err = user_version(db, &cur);
	if (!err)
		err = check_known(cur);
	if (err || cur != v)
		goto out;
	/* PRAGMA takes no bound parameters; v is our own small integer. */
	snprintf(set, sizeof(set), "PRAGMA user_version = %d", v + 1);
	err = exec(db, migrations[v].sql, migrations[v].what);
	if (!err)
		err = exec(db, set, "set user_version");
	if (!err) {
		OCC_INFO("schema: migrated to version %d (%s)", v + 1,
			 migrations[v].what);
	}
 out:
	if (err) {
		(void)exec(db, "ROLLBACK", "rollback");
		return err;
	}
	return exec(db, "COMMIT", "commit");
}

int sqlite_schema_migrate(sqlite3 *db)
{
	return sqlite_schema_migrate_to(db, N_MIGRATIONS);
}

int sqlite_schema_migrate_to(sqlite3 *db, int version)
{
	int v, err;

	if (version < 0 || version > N_MIGRATIONS)
		return EINVAL;
	err = user_version(db, &v);
	if (err)
		return err;
	err = check_known(v);
	while (!err && v < version) {
		err = apply_step(db, v);
		if (!err)
			err = user_version(db, &v);
	}
	return err;
}

/* ---- PostgreSQL ---- */

/* pg_advisory_xact_lock's key: "occ schema" */
#define PG_SCHEMA_LOCK "7236450815012"

static int pg_ok(PGconn *c, PGresult *r, const char *what)
{
	ExecStatusType t = PQresultStatus(r);

	if (t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK) {
		PQclear(r);
		return 0;
	}
	OCC_ERR("schema: %s: %s", what, r ? PQresultErrorMessage(r)
		: PQerrorMessage(c));
	PQclear(r);
	return EIO;
}

/* The version in occ_schema (0: a new database); the lock is held. */
static int pg_version(PGconn *c, int *vp)
{
	PGresult *r = PQexec(c, "SELECT version FROM occ_schema");

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return pg_ok(c, r, "read occ_schema");
	*vp = PQntuples(r) ? atoi(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	return 0;
}

int pg_schema_migrate(PGconn *c)
{
	char ver[16];
	const char *vals[1] = { ver };
	int v = 0, err;

	err = pg_ok(c, PQexec(c, "BEGIN"), "begin");
	if (err)
		return err;
	err = pg_ok(c, PQexec(c, "SELECT pg_advisory_xact_lock("
			      PG_SCHEMA_LOCK ")"), "lock");
	if (!err)
		err = pg_ok(c, PQexec(c, "CREATE TABLE IF NOT EXISTS occ_schema"
				      " (version INTEGER NOT NULL)"),
			    "create occ_schema");
	if (!err)
		err = pg_version(c, &v);
	if (!err)
		err = check_known(v);
	for (int i = v; !err && i < N_MIGRATIONS; i++) {
		err = pg_ok(c, PQexec(c, migrations[i].pg), migrations[i].what);
		if (!err)
			OCC_INFO("schema: migrated to version %d (%s)", i + 1,
				 migrations[i].what);
	}
	if (!err && v < N_MIGRATIONS) {
		snprintf(ver, sizeof(ver), "%d", (int)N_MIGRATIONS);
		err = pg_ok(c, PQexecParams(c, v ? "UPDATE occ_schema SET"
					    " version = $1::integer" :
					    "INSERT INTO occ_schema (version)"
					    " VALUES ($1::integer)", 1, NULL,
					    vals, NULL, NULL, 0),
			    "set occ_schema");
	}
	if (err) {
		(void)pg_ok(c, PQexec(c, "ROLLBACK"), "rollback");
		return err;
	}
	return pg_ok(c, PQexec(c, "COMMIT"), "commit");
}
