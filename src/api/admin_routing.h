/*
 * admin_routing.h — the admin console's view of a team's trunks, inbound
 * routing sections and prompt files (admin_routing.c), for admin.c's
 * GET /admin/api/state. Changes go through occctl's commands like every
 * other console change (admin.c's table).
 */
#ifndef OCC_API_ADMIN_ROUTING_H
#define OCC_API_ADMIN_ROUTING_H

#include <re.h>

struct api;
struct team;

/* ,"trunks":[...],"routing":[...],"prompts":[...]: trunks without their
 * passwords (only whether one is set), every section of the stored
 * routing file as written ({"kind","name","body"}), and the WAV files
 * of <data>/prompts/<team>/ with their sizes. */
int admin_routing_json(struct re_printf *pf, const struct api *api,
		       const struct team *t);

#endif
