/*
 * registrar.h — the SIP registrar: extensions of each team register with
 * digest authentication; bindings expire; occd routes calls to them.
 *
 * Naming on a multi-team server: an extension's address of record is
 * <extension>@<team>. A phone names its team in one of three ways
 * (docs/OPERATIONS.md, "Phones"):
 *   - the SIP domain is the team: user 8001, domain "demo";
 *   - the domain is occd's address (or any host name that is not a team)
 *     and the digest username names the team: "8001@demo" or "demo/8001";
 *   - the domain is occd's address and the number is in one team only.
 * The digest realm is always the team's name, which is what the stored
 * HA1s (MD5 of "user:team:secret" for each username form) were made with;
 * a number in no team or several is challenged with a realm that does
 * not tell so, and refused like a wrong password.
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
	struct le le_src;       /* registrar's bindings by source */
	struct registrar *reg;
	char team[64];
	char exten[32];
	char contact[512];      /* Contact URI to send requests to */
	char path[256];         /* its REGISTER's first Path URI (RFC 3327:
				 * the proxy it came through, which requests
				 * to it are routed through), "" for none */
	struct sa src;          /* where the REGISTER came from */
	enum sip_transp tp;
	char user_agent[64];
	int64_t expires_ms;
	int64_t refreshed_ms;   /* last REGISTER (0: restored at start) */
	struct le le_sweep;     /* the sweep's list of expired ones */
};

int  registrar_alloc(struct registrar **rp, struct occ *occ, struct sip *sip);
/* Handles REGISTER; returns false for other requests. */
bool registrar_handle(struct registrar *r, const struct sip_msg *msg);
/* A request from one of the teams' phones (an INVITE it places): who
 * sent it, by the From URI and the digest (Proxy-Authorization), with the
 * forms, answers and limits of REGISTER, challenged with 407. True: *tp
 * and *ep are the phone's team and extension; false: the request has
 * been answered (407 or 403). */
struct team;
struct exten;
bool registrar_authenticate(struct registrar *r, const struct sip_msg *msg,
			    const struct team **tp, const struct exten **ep);
/* The newest live binding of team/exten, or NULL. */
const struct binding *registrar_lookup(const struct registrar *r,
				       const char *team, const char *exten);
unsigned registrar_count(const struct registrar *r);
/* Several nodes: forget the team's bindings here (their stored rows stay
 * for the next owner), or restore its stored ones (a team taken over). */
void registrar_team_drop(struct registrar *r, const char *team);
void registrar_team_restore(struct registrar *r, int64_t team_id);
/* Does msg come from where a live binding registered from (same
 * transport, address and port)? A phone sends its calls from there. */
bool registrar_from_phone(const struct registrar *r, const struct sip_msg *msg);
/* Is sa (its address; any port) the browser phones' proxy, [sip]
 * webphone_proxy? Calls to a binding registered from there are routed
 * through it; its failed digests are counted per browser (X-Occ-Client). */
bool registrar_is_webproxy(const struct registrar *r, const struct sa *sa);
/* Is msg from the cluster's SIP proxy ([sip] edge_proxy, IP:PORT) and
 * does that proxy say it is a phone's request (X-Occ-Phone, which the
 * proxy sets from the request's domain and removes from anything else)?
 * Such a request is authenticated like a phone's even when the proxy's
 * address is also a team's trunk source. */
bool registrar_edge_phone(const struct registrar *r,
			  const struct sip_msg *msg);
/* Told when an extension gets a binding it had none of, or loses one (it
 * may have others: ask registrar_lookup). */
typedef void (registrar_observer_h)(const char *team, const char *exten,
				    void *arg);
void registrar_set_observer(struct registrar *r, registrar_observer_h *h,
			    void *arg);

#endif
