/*
 * tel.h — the telephony engine: one libre SIP stack on --sip (UDP and TCP)
 * with the registrar, trunks and the B2BUA that carries every call. Lives
 * on the loop thread like everything else.
 */
#ifndef OCC_TEL_H
#define OCC_TEL_H

#include <stddef.h>
#include <re.h>

struct occ;
struct tel;

int  tel_alloc(struct tel **telp, struct occ *occ, const char *listen);
/* Provisioning changed (SIGHUP): refresh trunk registrations. */
void tel_reload(struct tel *tel);
struct sip *tel_sip(const struct tel *tel);
struct registrar *tel_registrar(const struct tel *tel);
struct sipsess_sock *tel_sess_sock(const struct tel *tel);

/* recordings.c (see there): a recording's file name; the URL getMonitor
 * returns for one of team's files (ENOENT if the file is missing); its
 * path under [store] data_dir; opening it for /getMonitor/<file>?o=&e=&t= (EACCES for a
 * token that is wrong, expired or another team's). */
/* recovery.c: close the calls the last run left open (a crash): their
 * closing events, legs, CDRs and recordings. Before tel_alloc, after the
 * event bus. Returns how many. */
unsigned calls_recover(struct occ *occ);

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
