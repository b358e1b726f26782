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

/* recordings.c: the URL getMonitor returns for a recording file (ENOENT if
 * the file is missing), and opening it for /getMonitor/<file>?t=<token>
 * (EACCES for a wrong token). */
int  recordings_init(struct tel *tel, const char *data_dir);
int  tel_recording_url(const struct tel *tel, const char *file, char *out,
		       size_t sz);
int  tel_recording_open(const struct tel *tel, const char *file,
			const char *token, int *fdp, size_t *sizep);

#endif
