/*
 * webassets.c — embeds the pages of web/ (see webassets.h). Paths are relative to
 * the repository root, where make runs the compiler.
 */
#include "api/webassets.h"

#define EMBED(sym, file) \
	__asm__(".section .rodata\n" \
		".global " #sym "\n" \
		".type " #sym ", @object\n" \
		".balign 16\n" \
		#sym ":\n" \
		".incbin \"" file "\"\n" \
		".byte 0\n" \
		".size " #sym ", . - " #sym "\n" \
		".previous\n")

EMBED(web_test_cji_html, "web/test_CJI.html");
EMBED(web_index_html, "web/index.html");
EMBED(web_push_js, "web/cocc_nginx_http_push.js");
EMBED(web_push_html, "web/cocc_nginx_http_push.html");
EMBED(web_agent_html, "web/agent/index.html");
EMBED(web_agent_js, "web/agent/agent.js");
EMBED(web_agent_css, "web/agent/agent.css");
/* the browser phone of the agent desktop and the wallboard */
EMBED(web_phone_js, "web/lib/phone.js");
/* JsSIP, bundled at build time (scripts/vendor-web.sh) */
EMBED(web_jssip_js, "build/vendor/jssip.min.js");
EMBED(web_wallboard_html, "web/wallboard/index.html");
EMBED(web_wallboard_js, "web/wallboard/wallboard.js");
EMBED(web_wallboard_css, "web/wallboard/wallboard.css");
EMBED(web_admin_html, "web/admin/index.html");
EMBED(web_admin_js, "web/admin/admin.js");
EMBED(web_admin_css, "web/admin/admin.css");
EMBED(web_admin_routing_js, "web/admin/routing.js");
EMBED(web_admin_ops_js, "web/admin/ops.js");
