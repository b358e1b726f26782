/*
 * registrar.h — the SIP registrar: extensions of each team register with
 * digest authentication; bindings expire; occd routes calls to them.
 *
 * Naming on a multi-team server: an extension's address of record is
 * sip:<extension>@<team>, i.e. the SIP domain is the team's orgidentity
 * (a phone is configured with user 8001, domain "demo", and occd as its
 * outbound proxy/registrar). The digest realm is the team name as well,
 * which is what the stored HA1 (MD5 of "exten:team:secret") was made with.
 */
#ifndef OCC_REGISTRAR_H
#define OCC_REGISTRAR_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

struct occ;
struct registrar;

struct binding {
	struct le le;
	struct registrar *reg;
	char team[64];
	char exten[32];
	char contact[512];      /* Contact URI to send requests to */
	struct sa src;          /* where the REGISTER came from */
	enum sip_transp tp;
	char user_agent[64];
	int64_t expires_ms;
	int64_t refreshed_ms;   /* last REGISTER (0: restored at start) */
	struct tmr tmr;
};

int  registrar_alloc(struct registrar **rp, struct occ *occ, struct sip *sip);
/* Handles REGISTER; returns false for other requests. */
bool registrar_handle(struct registrar *r, const struct sip_msg *msg);
/* The newest live binding of team/exten, or NULL. */
const struct binding *registrar_lookup(const struct registrar *r,
				       const char *team, const char *exten);
unsigned registrar_count(const struct registrar *r);

#endif
