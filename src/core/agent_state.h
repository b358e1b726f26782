/*
 * agent_state.h — the agent's effective state, shared by core, store and
 * occctl. Persisted as the integer, so values are fixed forever.
 */
#ifndef OCC_AGENT_STATE_H
#define OCC_AGENT_STATE_H

enum agent_state {
	AS_LOGOUT = 0,   /* not checked in to any group */
	AS_IDLE   = 1,
	AS_RING   = 2,
	AS_BUSY   = 3,
	AS_ACW    = 4,
	AS_PAUSE  = 5,
	AS_COUNT
};

/* agentRealtime / teamStatus vocabulary: logout idle ring busy acw pause */
const char *agent_state_name(enum agent_state s);

#endif
