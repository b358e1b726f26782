/*
 * model.h — the in-memory domain model owned by the loop thread: teams,
 * accounts, agents, agent groups, memberships and extensions.
 *
 * Loaded from the store at start and on SIGHUP (model_load); every runtime
 * change (agent state, check-in, modes) is written through to the store by
 * core/agent.c, so a reload or restart loses nothing. Lookups are hashed:
 * team by name, agent by (team, number), group by id.
 *
 * Invariants: an agent's `state` is AS_LOGOUT exactly when it is checked in
 * to no group; `since_ms` is when the current state began.
 */
#ifndef OCC_MODEL_H
#define OCC_MODEL_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "store/store.h"
#include "core/agent_state.h"

struct routing;

struct authcache {
	uint8_t mac[32];       /* HMAC of (stored hash, presented md5) */
	bool valid;
};

struct team {
	struct le le;          /* model.teams */
	struct le he;          /* model.team_hash */
	int64_t id;
	char name[ST_NAME];
	struct hash *agents;   /* by number */
	struct list accounts;
	struct list groups;    /* sorted by id */
	struct list extens;
	struct list agent_list;/* sorted by number, for listings */
	struct list trunks;
	struct list settings;  /* struct team_setting */
	struct routing *routing; /* inbound routing (inbound/routing.h);
				  * NULL: none, or its file did not parse */
};

struct trunk {
	struct le le;
	struct team *team;
	struct st_trunk cfg;
};

struct team_setting {
	struct le le;
	char key[ST_NAME];
	char value[ST_URL];
};

struct account {
	struct le le;
	struct team *team;
	int64_t id;
	char name[ST_NAME];
	char pwhash[ST_HASH];
	bool enabled;
	char agent_number[ST_NUM];
	struct authcache ac;
};

struct agent {
	struct le he;          /* team.agents */
	struct le le;          /* team.agent_list */
	struct le he_id;       /* model.agent_id_hash */
	struct team *team;
	struct account *account; /* the account the agent belongs to, or NULL */
	int64_t id;
	char number[ST_NUM];
	char name[ST_NAME];
	char pwhash[ST_HASH];
	char exten[ST_NUM];    /* provisioned extension */
	struct list members;   /* struct member, by group id */
	struct authcache ac;
	/* runtime */
	bool logged_in;
	char device[ST_NUM];   /* extension in use */
	enum agent_state state;
	char pause_reason[ST_NAME];
	int64_t since_ms;
	/* DefaultGroup: the group makeCall uses when it names none (0: the
	 * first checked-in one). Saved with the agent's state
	 * (agent_state.default_group_id), so it outlives restarts. */
	int64_t default_group_id;
	/* do-not-disturb (queuePause's dnd): never offered a caller */
	bool dnd;
	/* in ACW: it ends by itself acw_s after since_ms (0: at ACWOFF);
	 * set when the ACW begins (agent_acw_time) */
	int acw_s;
};

struct group {
	struct le le;          /* team.groups */
	struct le he;          /* model.group_hash */
	struct team *team;
	int64_t id;
	char name[ST_NAME];
	char queue[ST_NUM];
	int acw_mode, work_mode;
	int acw_s;             /* timed after-call work, s; 0: until ACWOFF */
	struct list members;   /* struct member, by agent number */
};

struct member {
	struct le le_agent, le_group;
	struct agent *agent;
	struct group *group;
	bool dynamic, leader;
	bool checked_in;
	int acw_mode, work_mode;
};

struct exten {
	struct le le;
	struct team *team;
	int64_t id;
	char number[ST_NUM];
	char ha1[ST_HA1];          /* see struct st_exten */
	char kind[16];
};

struct model {
	struct store *st;
	struct list teams;
	struct hash *team_hash;
	struct hash *group_hash;
	struct hash *agent_id_hash;
	size_t nagents;
};

int  model_load(struct model **mp, struct store *st);
/* Only the teams keep() accepts (several nodes: those served here); the
 * rows of the others are skipped. */
int  model_load_only(struct model **mp, struct store *st,
		     bool (*keep)(const char *team, void *arg), void *arg);
/* A reload: what only the running model knows (the agents' default
 * dial-out groups) goes over to the new one. */
void model_carry_runtime(struct model *to, const struct model *from);

struct team    *team_find(const struct model *m, const char *name);
/* by id (a CDR's team_id): a walk over the teams, for rare lookups */
struct team    *team_find_id(const struct model *m, int64_t id);
struct agent   *agent_find(const struct team *t, const char *number);
struct account *account_find(const struct team *t, const char *name);
struct group   *group_find(const struct model *m, int64_t id);
/* the group with this id, only if it belongs to team t */
struct group   *team_group(const struct team *t, int64_t id);
struct group   *group_by_queue(const struct team *t, const char *queue);
struct exten   *exten_find(const struct team *t, const char *number);
struct member  *agent_membership(const struct agent *a, const struct group *g);
/* By name, or the team's default trunk when name is empty. */
struct trunk   *trunk_find(const struct team *t, const char *name);
const char     *team_setting(const struct team *t, const char *key);

int64_t now_ms(void);

#endif
