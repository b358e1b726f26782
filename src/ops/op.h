/*
 * op.h — what a handler receives and returns.
 *
 * A handler gets a context whose checks the dispatcher has already run
 * (parameters present and bounded, team found, caller authenticated, leader
 * rights) and fills a result: a code (1 success, 2 failure, 3 per-group
 * failure), and either a BackMsg code with optional bracket argument, or a
 * data message; plus an optional third field (login param, agentStatus
 * status). Handlers never produce wire text; adapters render results.
 */
#ifndef OCC_OP_H
#define OCC_OP_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>
#include "api/optable.h"
#include "api/backmsg.h"
#include "core/model.h"

struct occ;

struct op_ctx {
	const struct op *op;
	struct occ *occ;            /* model, store, telephony engine */
	const char *args[P_COUNT];  /* by enum param; "" when absent */
	struct model *m;
	struct team *team;          /* NULL for AUTH_NONE */
	struct agent *agent;        /* acting agent, if any */
	struct account *account;    /* caller when usertype=account */
	int64_t now;
};

enum { OP_OK = 1, OP_FAIL = 2, OP_PARTIAL = 3 };
enum { RES_MORE = 6 };

struct op_result {
	int code;
	int backmsg;                /* BM_NONE: message is `data` */
	char arg[64];               /* bracket argument of the BackMsg */
	/* further codes rendered after the first, comma-separated (an
	 * import's record outcome: BackMsg_81,BackMsg_80); 0 ends */
	int more[RES_MORE];
	struct mbuf *data;
	struct mbuf *extra;         /* third field, NULL if none */
	bool already;               /* login repeated (Script renders code 3) */
	bool json;                  /* data is a JSON value: the Script
				     * interface puts it in "message" as is */
};

void res_init(struct op_result *r);
void res_reset(struct op_result *r);
void res_set(struct op_result *r, int code, int backmsg, const char *arg);
/* One more code after r->backmsg (the first if there is none yet). */
void res_add_code(struct op_result *r, int backmsg);
/* Message is data: printf-style into r->data. */
int  res_data(struct op_result *r, int code, const char *fmt, ...);
int  res_extra(struct op_result *r, const char *fmt, ...);

/* Handlers, one per row of the table (ops/agent.c, ops/queue.c, ...). */
op_h op_login, op_logout, op_queue_action, op_queue_pause, op_acw_action,
     op_acw_off, op_workway_action, op_agent_status, op_agentgroup_status,
     op_group_status_num, op_team_status, op_agent_realtime, op_set_device,
     op_make_call, op_hangup, op_hold, op_resume, op_send_dtmf, op_set_var,
     op_get_monitor, op_consult, op_transfer, op_call_return,
     op_conference, op_silent_monitor, op_whisper, op_intrude,
     op_forced_release, op_agent_to_ivr, op_queue_customer_num,
     op_device_call, op_back_call,            /* ops/callback.c */
     op_agent_statistic_day,                  /* ops/stats.c */
     op_push_token,      /* ops/push.c: occ's addition */
     op_my_info, op_default_group,            /* ops/agentinfo.c */
     op_qback_call,                           /* ops/callback.c */
     op_monitor_ctrl,                         /* ops/call.c */
     op_yealink_answer,                       /* ops/call.c */
     op_import_data, op_dialer_list,          /* ops/import.c */
     op_import_report, op_customer_record,
     op_campaign_report,                      /* ops/campreport.c */
     op_queue_statistic;                      /* ops/stats.c */

#endif
