/*
 * test_acw.c — the after-call rule: each party of a call goes to ACW or
 * idle by its own membership's mode (issue 11: a consulted agent took the
 * consulting agent's mode).
 */
#include <re.h>
#include "core/agent.h"
#include "core/model.h"
#include "unit.h"

UNIT_TEST(acw_rule_per_mode)
{
	static const struct { int mode; bool rang, answered; int want; } t[] = {
		{ ACW_AFTER_RING,   false, false, AS_IDLE },
		{ ACW_AFTER_RING,   true,  false, AS_ACW },
		{ ACW_AFTER_RING,   true,  true,  AS_ACW },
		{ ACW_AFTER_ANSWER, true,  false, AS_IDLE },
		{ ACW_AFTER_ANSWER, true,  true,  AS_ACW },
		{ ACW_OFF,          true,  true,  AS_IDLE },
		{ 0,                true,  true,  AS_IDLE },   /* unset: off */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		UT_EQ_INT(acw_after_call(t[i].mode, t[i].rang, t[i].answered),
			  t[i].want);
}

/* 8003: ACW off in group 1, after answer in group 2; checked in to 2 only */
UNIT_TEST(acw_mode_is_the_agents_own)
{
	struct group g1 = { .id = 1 }, g2 = { .id = 2 }, g3 = { .id = 3 };
	struct agent a = { .number = "8003" }, none = { .number = "8009" };
	struct member m1 = { .agent = &a, .group = &g1, .acw_mode = ACW_OFF };
	struct member m2 = { .agent = &a, .group = &g2, .checked_in = true,
			     .acw_mode = ACW_AFTER_ANSWER };

	list_init(&a.members);
	list_init(&none.members);
	list_append(&a.members, &m1.le_agent, &m1);
	list_append(&a.members, &m2.le_agent, &m2);
	/* the group of the call, whoever placed it and whatever its mode */
	UT_EQ_INT(agent_acw_mode(&a, &g1), ACW_OFF);
	UT_EQ_INT(agent_acw_mode(&a, &g2), ACW_AFTER_ANSWER);
	/* a group it is not in: its checked-in membership's */
	UT_EQ_INT(agent_acw_mode(&a, &g3), ACW_AFTER_ANSWER);
	UT_EQ_INT(agent_acw_mode(&a, NULL), ACW_AFTER_ANSWER);
	/* no membership at all: no after-call work */
	UT_EQ_INT(agent_acw_mode(&none, &g1), ACW_OFF);
	/* the rule on top: 8003 consulted in group 1 is idle afterwards */
	UT_EQ_INT(acw_after_call(agent_acw_mode(&a, &g1), true, true), AS_IDLE);
}

/* Timed ACW: the call's group's acw_s when the agent is a member, else
 * its first checked-in group's; the end is since + acw_s, only in ACW */
UNIT_TEST(acw_time_is_the_calls_groups)
{
	struct group g1 = { .id = 1, .acw_s = 0 }, g2 = { .id = 2, .acw_s = 7 },
		g3 = { .id = 3, .acw_s = 30 };
	struct agent a = { .number = "8003" }, none = { .number = "8009" };
	struct member m1 = { .agent = &a, .group = &g1 };
	struct member m2 = { .agent = &a, .group = &g2, .checked_in = true };

	list_init(&a.members);
	list_init(&none.members);
	list_append(&a.members, &m1.le_agent, &m1);
	list_append(&a.members, &m2.le_agent, &m2);
	UT_EQ_INT(agent_acw_time(&a, &g1), 0);      /* untimed group */
	UT_EQ_INT(agent_acw_time(&a, &g2), 7);
	UT_EQ_INT(agent_acw_time(&a, &g3), 7);      /* not a member: g2's */
	UT_EQ_INT(agent_acw_time(&a, NULL), 7);
	UT_EQ_INT(agent_acw_time(&none, &g3), 0);

	a.state = AS_ACW;
	a.since_ms = 1000000;
	a.acw_s = 7;
	UT_ASSERT(agent_acw_end_ms(&a) == 1007000);
	a.acw_s = 0;                                /* until ACWOFF */
	UT_ASSERT(agent_acw_end_ms(&a) == 0);
	a.acw_s = 7;
	a.state = AS_IDLE;                          /* ended already */
	UT_ASSERT(agent_acw_end_ms(&a) == 0);
}
