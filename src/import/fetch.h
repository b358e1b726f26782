/*
 * fetch.h — the file side of imports (API.md §4.23 source=http/ftp):
 * download a CSV file with libcurl and stream it into the CSV parser.
 *
 * SSRF guard. A URL is fetched only if it matches an entry of the
 * operator's allow-list ([import] allow; empty: every file import is
 * refused). An entry is scheme://host[:port][/path-prefix]: the scheme
 * (http, https or ftp), the host (compared without case; no wildcards) and
 * the port (the scheme's default when not written) must be equal, and the
 * URL's path must start with the prefix at a '/' boundary ("/exports"
 * allows "/exports" and "/exports/a.csv", not "/exports2"). Entries are
 * separated by spaces or commas. The check happens before any connection
 * (the URL curl fetches is the parsed, checked one: no second parser),
 * paths with an encoded dot, slash or backslash (%2e %2f %5c) or a
 * backslash are refused, only http, https and ftp are spoken, redirects
 * are not followed by curl: a 3xx whose target is itself allowed is
 * fetched (at most IMPORT_MAX_REDIRECTS), any other is IMPORT_E_DENIED.
 * Proxies from the environment are not used; an FTP server's PASV address
 * is ignored (the data connection goes to the checked host). The allowed
 * host names are resolved by the system resolver: allow only names the
 * operator controls.
 *
 * Limits: the body (decoded, every hop together) at most max_bytes
 * (IMPORT_E_TOOBIG, refused before the transfer when the server announces
 * a larger size), the whole transfer at most timeout_s, the connection
 * setup connect_timeout_s, and no byte for idle_s seconds ends it
 * (IMPORT_E_TIMEOUT).
 *
 * Two ways to run a fetch:
 *   import_fetch()      blocking, on the calling thread (tools, tests);
 *   import_job_start()  on a worker thread of its own, for occd: the
 *                       rows come back to the libre loop in batches
 *                       (bounded: the worker waits while IMPORT_BATCHES
 *                       batches are not taken), the row handlers and the
 *                       done handler run on the loop, never inside
 *                       import_job_start.
 */
#ifndef OCC_IMPORT_FETCH_H
#define OCC_IMPORT_FETCH_H

#include <stddef.h>
#include <stdint.h>
#include "import/csv.h"

enum import_err {
	IMPORT_OK = 0,
	IMPORT_E_URL,      /* not a usable http/https/ftp URL */
	IMPORT_E_DENIED,   /* not in [import] allow (or a redirect there) */
	IMPORT_E_NOTFOUND, /* HTTP 404/410, FTP 550 */
	IMPORT_E_FETCH,    /* connection, DNS, TLS, login, HTTP error */
	IMPORT_E_TOOBIG,   /* more than max_bytes */
	IMPORT_E_TIMEOUT,  /* timeout_s, idle_s or connect_timeout_s */
	IMPORT_E_CSV,      /* the file is not CSV we can read (csv.h) */
	IMPORT_E_ABORT,    /* a row handler stopped it */
	IMPORT_E_BUSY,     /* IMPORT_MAX_JOBS imports are running */
	IMPORT_E_NOMEM,
};

enum {
	IMPORT_MAX_REDIRECTS = 3,
	IMPORT_MAX_JOBS = 4,       /* import jobs running at once */
	IMPORT_BATCHES = 4,        /* batches a worker may have in flight */
	IMPORT_BATCH_ROWS = 1024,
	IMPORT_BATCH_BYTES = 256 * 1024,
};

/* The defaults of the [import] keys. */
#define IMPORT_DEF_MAX_BYTES      (256ull * 1024 * 1024)
#define IMPORT_DEF_TIMEOUT_S      600u
#define IMPORT_DEF_IDLE_S         60u
#define IMPORT_DEF_CONNECT_S      10u

struct import_src {
	const char *url;
	const char *user, *pwd;      /* source_user/source_pwd; NULL or "" */
	const char *allow;           /* [import] allow */
	uint64_t max_bytes;          /* 0: the defaults above */
	unsigned timeout_s, idle_s, connect_timeout_s;
};

struct conf;
/* allow and the limits from the [import] keys (url, user, pwd untouched). */
void import_src_conf(struct import_src *s, const struct conf *c);

/* IMPORT_OK when url is allowed; else IMPORT_E_URL or IMPORT_E_DENIED
 * with why. Entries that are not valid are skipped (see
 * import_allow_valid). */
enum import_err import_allow_check(const char *allow, const char *url,
				   char *why, size_t whysz);
/* 0, or EINVAL with the first entry that is not valid in why. */
int import_allow_valid(const char *allow, char *why, size_t whysz);

/* Fetch src->url into csv (fed, then finished). cancel, if not NULL, is
 * polled: non-zero stops the transfer (IMPORT_E_ABORT). msg says what
 * went wrong ("" on IMPORT_OK); it never holds the URL's path or
 * credentials, only its scheme://host:port. */
enum import_err import_fetch(const struct import_src *src, struct csv *csv,
			     char *msg, size_t msgsz, const volatile int *cancel);

/* The BackMsg code the import operation answers for err (API.md §4.23):
 * E_URL 75, E_DENIED 89, E_NOTFOUND 404, E_FETCH 89, E_TOOBIG 89,
 * E_TIMEOUT 89, E_CSV 86, E_BUSY 87, E_NOMEM 85; 0 for OK and ABORT (the
 * row handler's own reason applies). */
int import_err_backmsg(enum import_err err);
const char *import_err_name(enum import_err err);

/* ---- on occd's loop ------------------------------------------------------ */

struct import_job;
/* msg as for import_fetch; rows given to the row handler. The job may be
 * mem_deref'ed here. */
typedef void (import_done_h)(enum import_err err, const char *msg,
			     size_t rows, void *arg);

/* Start fetching src into a parser made with copts on a worker thread;
 * copts->row_h and skip_h (arg copts->arg) run on the loop thread; one
 * returning non-zero stops the job (IMPORT_E_ABORT). Never mem_deref the
 * job from a row handler (return non-zero instead). mem_deref(job)
 * elsewhere cancels it: the transfer stops, no handler is called after.
 * EBUSY when IMPORT_MAX_JOBS are running; the strings of src are copied. */
int import_job_start(struct import_job **jobp, const struct import_src *src,
		     const struct csv_opts *copts, import_done_h *doneh,
		     void *arg);
unsigned import_jobs_running(void);

#endif
