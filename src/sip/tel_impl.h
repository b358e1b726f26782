/*
 * tel_impl.h — the engine's internals shared by tel.c and call.c.
 */
#ifndef OCC_TEL_IMPL_H
#define OCC_TEL_IMPL_H

#include <re.h>
#include "sip/tel.h"

struct occ;
struct registrar;

struct tel {
	struct occ *occ;
	struct sip *sip;
	struct sip_lsnr *lsnr;
	struct sipsess_sock *sock;
	struct registrar *reg;
	struct sa laddr;           /* SIP listen address */
	struct sa media_ip;        /* address RTP sockets bind to */
	struct list calls;
	struct list trunk_regs;    /* outbound registrations (trunks.c) */
	struct acdhost *acdh;      /* the ACD and its host (acdhost.c) */
	struct dialerhost *dialh;  /* the campaigns' dialers (dialerhost.c) */
	struct http_cli *ivr_http; /* the IVR's lookups (ivrhost.c): libre
				    * aborts a client's requests when it is
				    * freed, so it lives as long as tel */
	struct tel_stats stats;    /* the counters of tel_stats (call.c) */
	struct tmr acw_tmr;        /* timed after-call work (acwtimer.c) */
	char rec_dir[512];         /* <data>/recordings */
	uint8_t rec_key[32];       /* signs recording URLs */
};

/* acwtimer.c: ends agents' timed ACW (agent_acw_end_ms) when it is due;
 * arm: an ACW has just begun */
void acw_timer_init(struct tel *tel);
void acw_timer_arm(struct tel *tel);
void acw_timer_close(struct tel *tel);

/* trunks.c */
void trunks_sync(struct tel *tel);
void trunks_close(struct tel *tel);
/* A trunk's digest credentials for libre (sip_auth_h): the argument is
 * trunk_cred's copy of the trunk (NULL if it has no user), passed with
 * aref so that libre keeps it as long as it may answer a challenge — a
 * dropped registration's last REGISTER (expires 0) is challenged after
 * its trunk is gone. */
int trunk_auth(char **user, char **pass, const char *realm, void *arg);
struct st_trunk *trunk_cred(const struct st_trunk *t);

#endif
