/*
 * provision.h — ready-made provisioning shared by occctl and occd: the demo
 * data set, and the SIP digest secret of an extension.
 */
#ifndef OCC_PROVISION_H
#define OCC_PROVISION_H

#include <stdbool.h>
#include "store/store.h"

struct store;

/* Fill an empty store with the demo teams (see provision.c). EEXIST if the
 * store already holds a team; on any other error nothing is left behind. */
int  provision_demo(struct store *st);

/* *emptyp = the store holds no team (and so no other row). */
int  provision_is_empty(struct store *st, bool *emptyp);

/* out = the SIP digest HA1s of an extension (struct st_exten): lowercase
 * hex MD5 of "number:realm:secret", "number@realm:realm:secret" and
 * "realm/number:realm:secret", space-separated — one per digest username
 * a phone may be configured with; the realm is the team name. EINVAL if an
 * input is too long. */
int  exten_ha1(char out[ST_HA1], const char *number, const char *realm,
	       const char *secret);

#endif
