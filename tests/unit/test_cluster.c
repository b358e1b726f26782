/*
 * test_cluster.c — the lease decisions (src/cluster/plan.c): shares,
 * takeover of a dead node's teams, occctl node move, balancing.
 */
#include <string.h>
#include "cluster/plan.h"
#include "unit.h"

static size_t count(const struct cl_action *a, size_t n, enum cl_kind k)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += a[i].kind == k;
	return c;
}

/* two fresh nodes, four teams never held: each claims its share, 2 */
UNIT_TEST(cluster_plan_claims_its_share)
{
	struct cl_node nodes[] = { { "a", true, false }, { "b", true, false } };
	struct cl_lease l[] = {
		{ "t1", "", false, "" }, { "t2", "", false, "" },
		{ "t3", "", false, "" }, { "t4", "", false, "" },
	};
	struct cl_action out[8];
	size_t n = cluster_plan("a", nodes, 2, l, 4, out, 8);

	UT_EQ_INT(n, 2);
	UT_EQ_INT(count(out, n, CL_CLAIM), 2);
	UT_ASSERT(!strcmp(out[0].team, "t1"));
	/* b sees a's two as live and takes the other two */
	l[0] = (struct cl_lease){ "t1", "a", true, "" };
	l[1] = (struct cl_lease){ "t2", "a", true, "" };
	n = cluster_plan("b", nodes, 2, l, 4, out, 8);
	UT_EQ_INT(n, 2);
	UT_ASSERT(!strcmp(out[0].team, "t3") && !strcmp(out[1].team, "t4"));
}

/* a died: its leases expired; b, alone alive, takes them all */
UNIT_TEST(cluster_plan_takes_over_a_dead_node)
{
	struct cl_node nodes[] = { { "a", false, false }, { "b", true, false } };
	struct cl_lease l[] = {
		{ "t1", "a", false, "" }, { "t2", "b", true, "" },
		{ "t3", "a", false, "a" },   /* wanted by the dead node */
	};
	struct cl_action out[8];
	size_t n = cluster_plan("b", nodes, 2, l, 3, out, 8);

	UT_EQ_INT(count(out, n, CL_CLAIM), 2);
	/* while its lease lives, nobody touches it */
	l[0].live = true;
	l[2].live = true;
	n = cluster_plan("b", nodes, 2, l, 3, out, 8);
	UT_EQ_INT(count(out, n, CL_CLAIM), 0);
}

/* occctl node move t1 b: a releases, then b claims (over its share) and
 * nobody else does */
UNIT_TEST(cluster_plan_move)
{
	struct cl_node nodes[] = { { "a", true, false }, { "b", true, false },
				   { "c", true, false } };
	struct cl_lease l[] = {
		{ "t1", "a", true, "b" }, { "t2", "b", true, "" },
		{ "t3", "c", true, "" },
	};
	struct cl_action out[8];
	size_t n = cluster_plan("a", nodes, 3, l, 3, out, 8);

	UT_EQ_INT(n, 1);
	UT_EQ_INT(out[0].kind, CL_RELEASE);
	l[0].live = false;
	UT_EQ_INT(cluster_plan("c", nodes, 3, l, 3, out, 8), 0);
	n = cluster_plan("b", nodes, 3, l, 3, out, 8);
	UT_EQ_INT(n, 1);
	UT_EQ_INT(out[0].kind, CL_CLAIM);
	/* b, then over its share, keeps it: a is not a joining node */
	l[0] = (struct cl_lease){ "t1", "b", true, "" };
	UT_EQ_INT(cluster_plan("b", nodes, 3, l, 3, out, 8), 0);
}

/* a holds all three when b joins: a hands one over, one a tick */
UNIT_TEST(cluster_plan_balances)
{
	struct cl_node nodes[] = { { "a", true, false }, { "b", true, true } };
	struct cl_lease l[] = {
		{ "t1", "a", true, "" }, { "t2", "a", true, "" },
		{ "t3", "a", true, "" },
	};
	struct cl_action out[8];
	size_t n = cluster_plan("a", nodes, 2, l, 3, out, 8);

	UT_EQ_INT(n, 1);
	UT_EQ_INT(out[0].kind, CL_WANT);
	UT_ASSERT(!strcmp(out[0].node, "b"));
	/* one on its way: no second */
	l[0].wanted = "b";
	n = cluster_plan("a", nodes, 2, l, 3, out, 8);
	UT_EQ_INT(count(out, n, CL_WANT), 0);
	UT_EQ_INT(count(out, n, CL_RELEASE), 1);
	/* 2 against 1: stays */
	l[0] = (struct cl_lease){ "t1", "b", true, "" };
	UT_EQ_INT(cluster_plan("a", nodes, 2, l, 3, out, 8), 0);
	UT_EQ_INT(cluster_plan("b", nodes, 2, l, 3, out, 8), 0);
	/* b long started: a move that left it under its share stays */
	l[0] = (struct cl_lease){ "t1", "a", true, "" };
	nodes[1].fresh = false;
	UT_EQ_INT(cluster_plan("a", nodes, 2, l, 3, out, 8), 0);
}
