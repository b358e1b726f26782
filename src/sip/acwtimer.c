/*
 * acwtimer.c — timed after-call work: an agent whose ACW began in a group
 * with an after-call-work time (agent_groups.acw_s) is made idle by occd
 * when that time has passed, as ACWOFF would (docs/OPERATIONS.md, "After-
 * call work"). One timer for all agents, at the earliest end, and at
 * least once a second, so that ACWs the timer was not told of (a model
 * reload, occd's restart) end on time too.
 */
#include <re.h>
#define LOG_TOPIC "sip.acw"
#include "base/log.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "sip/tel_impl.h"

enum { ACW_SWEEP_MS = 1000 };

static void sweep(void *arg)
{
	struct tel *tel = arg;
	struct model *m = tel->occ->m;
	int64_t t = now_ms(), next = t + ACW_SWEEP_MS;
	struct le *le, *le2;

	LIST_FOREACH(&m->teams, le) {
		struct team *tm = le->data;
		LIST_FOREACH(&tm->agent_list, le2) {
			struct agent *a = le2->data;
			int64_t end = agent_acw_end_ms(a);
			if (!end)
				continue;
			if (end <= t) {
				OCC_INFO("acw ended by time team=%s agent=%s"
					 " after=%ds", tm->name, a->number,
					 a->acw_s);
				agent_acw_end(m, a);
			}
			else if (end < next) {
				next = end;
			}
		}
	}
	tmr_start(&tel->acw_tmr, (uint64_t)(next - t), sweep, tel);
}

void acw_timer_arm(struct tel *tel)
{
	tmr_start(&tel->acw_tmr, 0, sweep, tel);
}

void acw_timer_init(struct tel *tel)
{
	tmr_init(&tel->acw_tmr);
	acw_timer_arm(tel);
}

void acw_timer_close(struct tel *tel)
{
	tmr_cancel(&tel->acw_tmr);
}
