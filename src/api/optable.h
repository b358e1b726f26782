/*
 * optable.h — the one operation table (optable.c) that feeds all three wire
 * interfaces, the WSDL, astcc_CJI.js and docs/API.md.
 *
 * A row names the operation on each interface and its parameter order there,
 * which parameters are required, how the caller authenticates, which checks
 * the dispatcher runs before the handler, the BackMsg codes the operation may
 * return, and the handler. Handlers (in ops/) start at the business logic:
 * everything a row declares has been checked by api/dispatch.c.
 *
 * To add an operation: one row in optable.c, one handler in ops/, one test.
 */
#ifndef OCC_OPTABLE_H
#define OCC_OPTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every parameter name of every interface. Absent parameters read as "". */
enum param {
	P_END = 0,
	P_ORGIDENTITY, P_USERTYPE, P_USER, P_PWDTYPE, P_PASSWORD,
	P_TYPE, P_LIST, P_DEVICEEXTEN, P_PUSHEVENT, P_PAUSE_REASON, P_DND,
	P_AGENT_GROUP_ID, P_STATUS, P_TARGETDN, P_TARGETTYPE, P_AGENTGROUPID,
	P_MODELTYPE, P_MODEL_ID, P_USERDATA, P_AGENTEXTEN, P_CALLERID,
	P_TRUNKIDENTITY, P_CIDTYPE, P_CALLERNAME, P_CONSULTTYPE, P_UNIQUEID,
	P_TARGETAGENT, P_TARGET, P_PHONENUMBER, P_SILENCE, P_SESSIONID,
	P_CALLDATE, P_SOURCE, P_CONTEXT, P_SOURCE_USER, P_SOURCE_PWD,
	P_EXETIME, P_DELROW, P_PHONE_FIELD, P_PRIORITY_FIELD,
	P_DIALTIME_FIELD, P_EMPTYAGENT, P_RESETSTATUS, P_DUPWAY,
	P_DUPDIALLIST, P_CHANGEPACKAGE, P_QUEUENUMBER, P_PRIO, P_DTMF,
	P_VARNAME, P_VARVALUE, P_IVREXTEN, P_IVRFLOW, P_TRANSFER, P_EXTEN,
	P_ICALLERID, P_XCALLERID, P_ACTION, P_MP3, P_FILENAME,
	P_CAMPAIGNID, P_PHONENUM, P_PRIORITY, P_DIALTIME, P_TASKID,
	P_DAY, P_DAYS,
	P_SERVICELEVEL, P_AGENTSINCE, P_CUSTOMERID,
	P_CALLBACKFUC,          /* Script only: position of the callback */
	P_COUNT
};

struct param_def {
	const char *name;
	const char *alias[3];   /* other spellings the manuals print */
	size_t maxlen;          /* longer values are refused (BackMsg_28) */
	const char *doc;
	bool echoed;            /* identifiers replies may echo: no '|' */
};

extern const struct param_def param_defs[P_COUNT];

/* How the caller proves who it is. */
enum op_auth {
	AUTH_NONE,       /* no credentials at all (getMonitor) */
	AUTH_TEAM,       /* orgidentity only (statistics by queue number) */
	AUTH_USER,       /* orgidentity usertype user pwdtype password */
	AUTH_AGENT,      /* orgidentity user pwdtype password; user is an agent */
	AUTH_ACCOUNT,    /* orgidentity user pwdtype password; user is an account */
};

/* Row flags; each is checked by the dispatcher, never by a handler. */
enum op_flag {
	/* The operation acts on an agent: a usertype=account caller acts
	 * through the agent linked to the account, or gets BackMsg_38. */
	OPF_AGENT        = 1 << 0,
	/* The caller must lead the group named by agent_group_id (accounts
	 * pass): BackMsg_50 when the team has no such group, 65 otherwise. */
	OPF_LEADER_GROUP = 1 << 1,
	/* The caller must lead a group of the agent named by target (accounts
	 * pass): BackMsg_09 for an unknown target, 68 otherwise. */
	OPF_LEADER_TARGET = 1 << 2,
	/* SOAP renders the plain statistics form 1|x / 0|BackMsg_NN. */
	OPF_PLAIN_SOAP   = 1 << 3,
	/* The row is documented by the asterCC 2.1 manual only. */
	OPF_ASTERCC_ONLY = 1 << 4,
	/* The row is documented by the cocc manual only. */
	OPF_COCC_ONLY    = 1 << 5,
	/* HTTP answers a JSON object (as text/plain), failures too: the
	 * original plugin's MyInfo reply, parsed with $.parseJSON. */
	OPF_JSON_HTTP    = 1 << 6,
};

enum { OP_MAX_PARAMS = 24, OP_MAX_CODES = 40 };

struct op_ctx;
struct op_result;
typedef void (op_h)(struct op_ctx *ctx, struct op_result *res);

struct op {
	const char *id;                 /* api.json id, e.g. "queue_action" */
	const char *soap;               /* SOAP method, NULL if not offered */
	const char *soap_alias;         /* another accepted method name */
	const char *http;               /* HTTP EVENT=, NULL if not offered */
	const char *http_alias[3];
	const char *script;             /* Script function, NULL if none */
	const char *script_alias;
	enum param soap_params[OP_MAX_PARAMS];
	/* [A] prototypes of another arity, told apart by argument count */
	enum param soap_params_alt[OP_MAX_PARAMS];
	enum param http_params[OP_MAX_PARAMS];
	enum param script_params[OP_MAX_PARAMS];
	enum param required[OP_MAX_PARAMS];
	enum op_auth auth;
	unsigned flags;
	int codes[OP_MAX_CODES];        /* BackMsg codes it may return */
	const char *extra_name;         /* Script/JSON key of the third field */
	/* id of the row that serves a request of this row's names when it
	 * carries a non-blank `user` (cocc's DeviceCall with account
	 * credentials is backCall), NULL: none */
	const char *with_user;
	op_h *handler;                  /* NULL: not available yet (BackMsg_100) */
	const char *summary;
	const char *notes;              /* how occ reads the manual here */
};

extern const struct op op_table[];
extern const size_t op_count;

const struct op *op_find_id(const char *id);
const struct op *op_find_soap(const char *name);
const struct op *op_find_http(const char *event);
const struct op *op_find_script(const char *fn);
size_t op_param_count(const enum param *list);
bool op_declares_code(const struct op *op, int code);
/* Look a parameter up by name or alias, case-insensitively. */
enum param param_lookup(const char *name);

#endif
