/*
 * tel.h — the telephony engine: one libre SIP stack on --sip (UDP and TCP)
 * with the registrar, trunks and the B2BUA that carries every call. Lives
 * on the loop thread like everything else.
 */
#ifndef OCC_TEL_H
#define OCC_TEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

struct occ;
struct tel;

int  tel_alloc(struct tel **telp, struct occ *occ, const char *listen);
/* Provisioning changed (SIGHUP): refresh trunk registrations. */
void tel_reload(struct tel *tel);
struct sip *tel_sip(const struct tel *tel);
struct registrar *tel_registrar(const struct tel *tel);
struct sipsess_sock *tel_sess_sock(const struct tel *tel);

/* For /metrics (api/metrics.c): calls in progress, and how legs and calls
 * ended, by their CDR disposition. The counters count from occd's start;
 * the calls are counted when asked (tel_stats walks them). */
enum tel_disp { TEL_ANSWERED, TEL_BUSY, TEL_FAILED, TEL_NO_ANSWER,
		TEL_CANCEL, TEL_DISP_COUNT };
enum { TEL_ROLES = 4 };
extern const char *const tel_dispositions[TEL_DISP_COUNT];  /* CDR's */
struct tel_stats {
	unsigned calls;            /* from the first INVITE to the end */
	unsigned up;               /* ... of those, the customer's leg is
				    * answered (an inbound caller in an IVR
				    * or a queue too: occd answered it) */
	/* legs by role (tel_role_name) and disposition (a leg's is never
	 * CANCEL), counted when the leg's hangup event goes out */
	uint64_t legs_ended[TEL_ROLES][TEL_DISP_COUNT];
	/* calls by direction (0 dialout, 1 dialin) and disposition */
	uint64_t calls_ended[2][TEL_DISP_COUNT];
};
void tel_stats(struct tel *tel, struct tel_stats *out);
const char *tel_role_name(unsigned role);
/* Each ACD queue (an agent group with its queue number): callers waiting
 * for an agent, ringing one, talking, and how long the longest-waiting
 * caller still waiting has waited (0: none). acdhost.c */
struct tel_queue {
	const char *team, *queue;
	unsigned waiting, ringing, talking;
	uint64_t longest_wait_ms;
};
typedef void (tel_queue_h)(const struct tel_queue *q, void *arg);
void tel_queues(struct tel *tel, tel_queue_h *h, void *arg);
/* Each trunk that registers with its carrier (trunk add --register):
 * whether the carrier holds its binding now (its last REGISTER got a
 * 2xx). trunks.c */
typedef void (tel_trunk_reg_h)(const char *team, const char *trunk,
			       bool registered, void *arg);
void tel_trunk_regs(const struct tel *tel, tel_trunk_reg_h *h, void *arg);

/* recordings.c (see there): a recording's file name; the URL getMonitor
 * returns for one of team's files (ENOENT if the file is missing); its
 * path under [store] data_dir; opening it for /getMonitor/<file>?o=&e=&t= (EACCES for a
 * token that is wrong, expired or another team's). */
/* recovery.c: close the calls the last run left open (a crash): their
 * closing events, legs, CDRs and recordings. Before tel_alloc, after the
 * event bus. Returns how many. */
unsigned calls_recover(struct occ *occ);
/* The same for one team's calls only (team_id), when a node takes the
 * team over from another (src/cluster). */
unsigned calls_recover_team(struct occ *occ, int64_t team_id);
/* Several nodes: team stops being served here (its calls end, its
 * registrations are dropped here), or starts (its stored registrations
 * restored). */
void tel_team_stop(struct tel *tel, const char *team);
void tel_team_start(struct tel *tel, int64_t team_id);

int  recordings_init(struct tel *tel, const char *data_dir);
void tel_recording_name(char *out, size_t sz, int64_t start_ms,
			const char *team, const char *agent, const char *peer,
			const char *sessionid);
int  tel_recording_url(const struct tel *tel, const char *team,
		       const char *file, char *out, size_t sz);
void recording_path(const char *data_dir, const char *file, char *out,
		    size_t sz);
int  tel_recording_open(const struct tel *tel, const char *file,
			const char *team, const char *expiry,
			const char *token, int *fdp, size_t *sizep);

#endif
