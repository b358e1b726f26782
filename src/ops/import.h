/*
 * import.h — one record into a campaign's customer package (and optionally
 * its pre-dial list), with the dup rules of API.md §4.23. The inline record
 * of `source=data` and every row of a CSV file (`source=http|ftp`) go
 * through import_record(); docs/CAMPAIGNS.md describes the outcomes.
 */
#ifndef OCC_OPS_IMPORT_H
#define OCC_OPS_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "base/record.h"
#include "store/store.h"

enum { IMPORT_MAX_COLS = 64, IMPORT_MAX_CODES = 6,
       IMPORT_CODE_MAX = 89,      /* the highest outcome code */
       IMPORT_REPORT_ERRORS = 20 }; /* refused records a report lists */

enum import_dupdiallist { DL_IGNORE_DUPLICATE, DL_ALL, DL_IGNORE_SUCCESS };
enum import_changepackage { CP_SKIP, CP_UNASSIGN_TO_CURRENT,
			    CP_REASSIGN_TO_CURRENT };

/* What the rest of a request decided, valid for every record it imports. */
struct import_rules {
	struct store *st;
	struct st_campaign camp;
	struct st_column cols[IMPORT_MAX_COLS];
	size_t ncol;
	int key_col;                    /* index in cols */
	int phone_col, prio_col, time_col;  /* -1: not given */
	const char *phone_field, *prio_field, *time_field;  /* as given */
	bool emptyagent, resetstatus, update;
	enum import_dupdiallist dupdiallist;
	enum import_changepackage changepackage;
	int64_t now_ms;
};

/* A record's outcome: error 0 and codes (BackMsg 77-84, in order), or an
 * error BackMsg (28, 74, 75, 76, 85) with its bracket argument. */
struct import_outcome {
	int error;
	char arg[64];
	int codes[IMPORT_MAX_CODES];
	size_t ncodes;
};

/* Import one record (fields named by column or display name). */
void import_record(struct import_rules *job, const struct rec_field *f,
		   size_t n, struct import_outcome *out);

/* A CSV file uploaded to occd (the admin console, api/admin_ops.c): the
 * request's rules in ctx->args as for source=http (model_id, delrow,
 * phone_field, dupway, ...), the file's bytes parsed at once on the loop
 * by the same parser, row handlers, import_record() and report as a
 * fetched file; its report's URL is "upload:" name. The answer is the
 * task id (code 1) once the whole file is in, or an error BackMsg as for
 * import_data. */
struct op_ctx;
struct op_result;
void import_upload(struct op_ctx *ctx, const char *name, const void *csv,
		   size_t len, struct op_result *res);

/* occd stopping: file imports under way end, their reports say failed
 * "87[occd stopped]" (what they imported stays). */
void import_tasks_close(void);
struct occ;
/* occd starting: scheduled file imports (state queued) are set to run at
 * their time (at once when it has passed); reports left running by an
 * occd that did not stop cleanly say failed. */
void import_tasks_resume(struct occ *occ);

/* The campaign campaignid names in the caller's team, if the caller may
 * see it: the team's accounts, and (IMPORT_MEMBERS) agents of its group
 * or (IMPORT_LEADERS) its group's leaders; else false with the answer
 * set: 67 not an id, 73 no such campaign, 60 not allowed, 85 storage. */
enum import_rights { IMPORT_ANYONE, IMPORT_MEMBERS, IMPORT_LEADERS };
struct op_ctx;
struct op_result;
struct st_campaign;
bool import_campaign_of(struct op_ctx *ctx, const char *id_s,
			struct st_campaign *camp, struct op_result *res,
			enum import_rights rights);

#endif
