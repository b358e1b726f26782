/*
 * webassets.h — static pages compiled into occd from web/ (webassets.c
 * embeds them with .incbin, NUL-terminated), so occd is one file to deploy.
 */
#ifndef OCC_WEBASSETS_H
#define OCC_WEBASSETS_H

extern const char web_test_cji_html[];
extern const char web_index_html[];
extern const char web_push_js[];      /* cocc_nginx_http_push.js */
extern const char web_push_html[];    /* cocc_nginx_http_push.html */
/* the agent desktop, /agent/ (docs/OPERATIONS.md) */
extern const char web_agent_html[];
extern const char web_agent_js[];
extern const char web_agent_css[];
/* the browser phone (web/lib/: the desktop's and the wallboard's), and
 * JsSIP (build/vendor/, scripts/vendor-web.sh) */
extern const char web_phone_js[];
extern const char web_jssip_js[];
/* the supervisor wallboard, /wallboard/ (docs/OPERATIONS.md) */
extern const char web_wallboard_html[];
extern const char web_wallboard_js[];
extern const char web_wallboard_css[];
/* the team admin console, /admin/ (docs/OPERATIONS.md) */
extern const char web_admin_html[];
extern const char web_admin_js[];
extern const char web_admin_css[];
extern const char web_admin_routing_js[];
extern const char web_admin_ops_js[];   /* its operations tabs */

#endif
