/*
 * admin.h — what the team admin console's API (admin.c) shares with the
 * files that add endpoints to it (admin_ops.c: campaigns and imports, CDR
 * search and recordings, settings). admin.c checks the session, the
 * Origin and the CSRF token before any of them runs; a file adding
 * endpoints only reads the session's team and answers.
 */
#ifndef OCC_API_ADMIN_H
#define OCC_API_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include "api/admin_parse.h"
#include "store/store.h"

struct api;
struct http_req;
struct http_resp;

struct admin_session {
	struct le le;
	char token[ADMIN_TOKEN_HEX];
	char csrf[ADMIN_TOKEN_HEX];
	char team[ST_NAME];
	char user[ST_NAME];
	uint64_t expires;           /* tmr_jiffies() ms */
	struct mbuf *upload;        /* a file being uploaded, or staged */
	size_t upload_total;        /* its announced size */
};

/* A JSON answer (printf-style body, re_hprintf's %H) with the console's
 * headers; admin_fail answers {"ok":false,"error":msg}. */
void admin_reply(struct http_resp *resp, unsigned status, const char *fmt,
		 ...);
void admin_fail(struct http_resp *resp, unsigned status, const char *msg);

/* The session's staged upload (POST /admin/api/upload), complete, for
 * the caller to use and free; NULL if there is none or it is not whole.
 * The session holds no upload after. */
struct mbuf *admin_upload_take(struct admin_session *s);

/* admin_ops.c: /admin/api/<p> for a checked session (post: a POST whose
 * Origin and CSRF token admin.c checked); false: not one of its paths. */
bool admin_ops_route(struct api *api, const struct http_req *req,
		     struct http_resp *resp, struct admin_session *s,
		     const char *p, bool post);

#endif
