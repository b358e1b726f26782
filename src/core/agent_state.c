/*
 * agent_state.c — names of enum agent_state, in the API's vocabulary
 * (agentRealtime, teamStatus). To add a state: a value in agent_state.h and
 * its row here; the assert keeps the two in step.
 */
#include <assert.h>
#include "core/agent_state.h"

static const char *const state_names[] = {
	[AS_LOGOUT] = "logout",
	[AS_IDLE]   = "idle",
	[AS_RING]   = "ring",
	[AS_BUSY]   = "busy",
	[AS_ACW]    = "acw",
	[AS_PAUSE]  = "pause",
};

static_assert(sizeof(state_names) / sizeof(state_names[0]) == AS_COUNT,
	      "every agent state needs a name");

const char *agent_state_name(enum agent_state s)
{
	if ((unsigned)s >= AS_COUNT)
		return "unknown";
	return state_names[s];
}
