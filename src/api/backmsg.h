/*
 * backmsg.h — the manuals' return-message catalog (BackMsg_NN) and how a
 * result's `message` is rendered.
 *
 * Rendering (the [api] message setting, or a request's `language`):
 *   code            BackMsg_09[8009]     (default: clients map codes to text)
 *   cn              坐席工号不存在[8009]  (placeholder replaced by the argument)
 *   en (and others) Agent number does not exist [8009]
 * Languages of the manual's table other than cn fall back to English.
 */
#ifndef OCC_BACKMSG_H
#define OCC_BACKMSG_H

#include <stdbool.h>

/* Named codes used by the handlers; the number is the wire code. */
enum backmsg {
	BM_NONE               = 0,   /* message is data, not a code */
	BM_EMPTY_PARAM        = 1,
	BM_BAD_ORG            = 2,
	BM_BAD_CREDENTIALS    = 3,
	BM_LOGIN_OK           = 4,
	BM_ACCOUNT_DISABLED   = 5,
	BM_ACCOUNT_MISSING    = 6,
	BM_WRONG_PASSWORD     = 7,
	BM_LOGOUT_OK          = 8,
	BM_AGENT_NOT_EXIST    = 9,
	BM_QUEUE_SWITCH_FAIL  = 10,
	BM_GROUP_ID_NOT_EXIST = 11,
	BM_NO_SUCH_AGENT      = 12,
	BM_BAD_TYPE           = 13,
	BM_QUEUE_SWITCH_OK    = 14,
	BM_NO_ACCOUNT         = 15,
	BM_CALL_NOT_CHECKED_IN = 16,
	BM_CALL_AGENT_STATE   = 17,
	BM_CALL_RESTRICTED    = 18,
	BM_CALL_OK            = 19,
	BM_CALL_FAIL          = 20,
	BM_CALL_DUPLICATE     = 22,
	BM_CALL_NO_AGENT      = 24,
	BM_CONSULT_FAIL       = 21,
	BM_CONSULTEE_NOT_IN   = 25,
	BM_CONSULT_DIAL_FAIL  = 26,
	BM_CONSULT_OK         = 27,
	BM_TRANSFER_FAIL      = 29,
	BM_TRANSFER_OK        = 31,
	BM_RETURN_OK          = 32,
	BM_RETURN_FAIL        = 33,
	BM_CONFERENCE_OK      = 34,
	BM_CONFERENCE_FAIL    = 35,
	BM_PARAM_ERROR        = 28,
	BM_GROUP_NOT_EXIST    = 30,
	BM_HANGUP_FAIL        = 36,
	BM_HANGUP_OK          = 37,
	BM_NO_ACCOUNT_AGENT   = 38,
	BM_BARGE_OK           = 39,
	BM_BARGE_FAIL         = 40,
	BM_MONITOR_OK         = 41,
	BM_MONITOR_FAIL       = 42,
	BM_RELEASE_OK         = 46,
	BM_RELEASE_FAIL       = 47,
	BM_WHISPER_OK         = 48,
	BM_WHISPER_FAIL       = 49,
	BM_CONSULT_STATE      = 56,
	BM_GET_OK             = 43,
	BM_GET_NO_DATA        = 44,
	BM_NO_GROUP_IN_TEAM   = 50,
	BM_HOLD_FAIL          = 51,
	BM_HOLD_OK            = 52,
	BM_RESUME_FAIL        = 53,
	BM_RESUME_OK          = 54,
	BM_NO_GROUP_TO_CHECKIN = 57,
	BM_NOT_CHECKED_IN     = 58,
	BM_ACW_MODE_OK        = 59,
	BM_ACW_MODE_FAIL      = 60,
	BM_ACW_END_OK         = 61,
	BM_WORKWAY_OK         = 62,
	BM_ACCOUNT_LOGIN_FAIL = 63,
	BM_NO_CHANNEL         = 64,
	BM_NOT_LEADER_AGENT   = 65,
	BM_ALREADY_PAUSED     = 66,
	BM_IMPORT_BAD_CAMPAIGN_ID = 67,
	BM_NOT_LEADER         = 68,
	BM_IMPORT_LIST_DONE   = 69,
	BM_IMPORT_BAD_MODEL   = 70,
	BM_IMPORT_EMPTY_CONTEXT = 71,
	BM_IMPORT_BAD_SOURCE  = 72,
	BM_IMPORT_NO_CAMPAIGN = 73,
	BM_IMPORT_HEADER      = 74,
	BM_IMPORT_BAD_CONTEXT = 75,
	BM_IMPORT_MISSING_FIELD = 76,
	BM_IMPORT_STATUS_RESET = 77,
	BM_IMPORT_UPDATED     = 78,
	BM_IMPORT_OWNER_CLEARED = 79,
	BM_IMPORT_LISTED      = 80,
	BM_IMPORT_DUP         = 81,
	BM_IMPORT_DUP_PHONE   = 82,
	BM_IMPORT_NEW_LISTED  = 83,
	BM_IMPORT_NEW         = 84,
	BM_IMPORT_STORAGE     = 85,
	BM_IMPORT_CSV_ONLY    = 86,
	BM_IMPORT_TASK_FAIL   = 87,
	BM_NOT_IN_ACW         = 90,
	BM_WORKWAY_FAIL       = 91,
	BM_NO_CALL            = 92,
	BM_NO_AGENTS          = 93,
	BM_NO_AGENTS_IN_STATE = 94,
	BM_ALREADY_CONSULTING = 95,
	BM_NOT_TWO_PARTY      = 96,
	BM_DTMF_BAD           = 97,
	BM_DTMF_FAIL          = 98,
	BM_DTMF_OK            = 99,
	BM_CORE_UNAVAILABLE   = 100,
	BM_VARNAME_BAD        = 101,
	BM_SETVAR_OK          = 102,
	BM_SETVAR_FAIL        = 103,
	BM_IVR_IN_CONSULT     = 104,
	BM_IVR_IN_CONFERENCE  = 105,
	BM_IVR_NO_MAIN        = 106,
	BM_IVR_BAD_FLOW       = 107,
	BM_IVR_OK             = 108,
	BM_IVR_FAIL           = 109,
	BM_EXTEN_NOT_EXIST    = 110,
	BM_CHECK_OUT_FIRST    = 111,
	BM_EXTEN_SET          = 112,
	BM_NO_DEVICE          = 118,
	BM_NOT_REGISTERED     = 119,
	BM_PHONE_REQUEST_SENT = 120,
	BM_FILE_NOT_FOUND     = 404,
};

enum { BACKMSG_MAX = 405 };

bool backmsg_exists(int code);
/* zh or en text; NULL for an unknown code */
const char *backmsg_text(int code, bool chinese);
/* Is lang acceptable for rendering ("code" or a language of the table)? */
bool backmsg_lang_valid(const char *lang);
struct re_printf;
/* Print the message for code with optional bracket argument in lang. */
int backmsg_print(struct re_printf *pf, int code, const char *arg,
		  const char *lang);
struct backmsg_args { int code; const char *arg; const char *lang; };
int backmsg_print_h(struct re_printf *pf, void *backmsg_args);  /* "%H" */

#endif
