/*
 * agent.h — agent runtime operations: login, check-in/out, pause, ACW, modes.
 *
 * Every function keeps the model.h invariant, writes the change through to
 * the store and, when the effective state changes, appends a state-log row
 * (the source of agentRealtime's durations and pause counts).
 */
#ifndef OCC_AGENT_H
#define OCC_AGENT_H

#include "core/model.h"

enum acw_mode  { ACW_AFTER_RING = 1, ACW_AFTER_ANSWER = 2, ACW_OFF = 3 };
enum work_mode { WORK_ALL = 0, WORK_DIALIN = 1, WORK_DIALOUT = 2 };

void agent_login(struct model *m, struct agent *a);
/* Checks out of every group and ends the session. */
void agent_logout(struct model *m, struct agent *a);
void agent_set_device(struct model *m, struct agent *a, const char *exten);
/* Do-not-disturb (queuePause's dnd): the ACD offers the agent nothing
 * while it is on, whatever its state (saved; logout ends it). */
void agent_set_dnd(struct model *m, struct agent *a, bool on);
/* DefaultGroup: makeCall's group when it names none (saved). */
void agent_set_default_group(struct model *m, struct agent *a,
			     int64_t group_id);
/* Check in to / out of one group (membership must exist). */
void agent_checkin(struct model *m, struct member *mb);
void agent_checkout(struct model *m, struct member *mb);
void agent_pause(struct model *m, struct agent *a, const char *reason);
void agent_unpause(struct model *m, struct agent *a);
void agent_acw_end(struct model *m, struct agent *a);
void member_set_modes(struct model *m, struct member *mb, int acw_mode,
		      int work_mode);

/* After a call an agent is in ACW or idle by its OWN membership's mode
 * (manual §4.5): rang / answered say how far its call got. Each party of a
 * multi-party call (caller, callee, consulted agent) has its own. */
enum agent_state acw_after_call(int acw_mode, bool rang, bool answered);
/* a's ACW mode for a call of group g: its membership there, else its
 * first checked-in one (a call of a group it is not in), else off */
int agent_acw_mode(const struct agent *a, const struct group *g);
/* a's timed ACW for a call of group g, in seconds (0: untimed, until
 * ACWOFF): that group's acw_s when a is a member, else its first
 * checked-in group's, as for the mode */
int agent_acw_time(const struct agent *a, const struct group *g);
/* When a's ACW ends by itself (wall ms, since_ms + acw_s); 0: a is not in
 * ACW, or its ACW is untimed */
int64_t agent_acw_end_ms(const struct agent *a);

/* Calls move the work state: ring, busy, then acw or idle. An agent who
 * checked out meanwhile stays logged out. */
void agent_call_state(struct model *m, struct agent *a, enum agent_state s);

/* Told after every change of an agent's runtime state (state, check-ins,
 * modes, device): the ACD's host follows agents this way. One observer;
 * it must not change agents from inside. */
typedef void (agent_observer_h)(struct agent *a, void *arg);
void agent_set_observer(agent_observer_h *h, void *arg);

bool agent_checked_in_any(const struct agent *a);
bool agent_checked_in_dynamic(const struct agent *a);
/* Leads group g (an account acting without an agent leads nothing). */
bool agent_leads(const struct agent *a, const struct group *g);
/* Does a lead any group? (NULL: no) */
bool agent_leads_any(const struct agent *a);

/* Today's figures for agentRealtime, computed from the state log. */
enum pause_kind { PK_REST, PK_LEAVE, PK_MEETING, PK_TRAINING, PK_LUNCH,
		  PK_OTHER, PK_COUNT };
struct agent_day {
	unsigned pause_count[PK_COUNT];
	int64_t pause_ms[PK_COUNT];
	unsigned pause_total;
	int64_t pause_total_ms;
};
enum pause_kind pause_kind_of(const char *reason);
/* Local midnight at the start of now's day (ms): "today" of the figures. */
int64_t day_start_ms(int64_t now);
int agent_day_stats(struct model *m, const struct agent *a, int64_t now,
		    struct agent_day *d);

#endif
